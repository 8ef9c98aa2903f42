"""Logging in with the organisation's account, in Chromium, against a real OpenID provider
(`oidc-provider` for Node.js, started on loopback by tests/utils/oidc.py): the first login makes
the account with the role its group maps to, a person with no mapped group is refused, a tampered
or expired ID token is refused, and logging out ends both the Sparring login and the provider's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session as Db
from sqlmodel import create_engine, select

from app.models import AuditEvent, User
from tests.utils.oidc import Provider, sparring_with_provider
from tests.utils.server import LiveServer

BUTTON = "Log ind med organisationens konto"


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Provider]]:
    with sparring_with_provider(Path(tmp_path_factory.mktemp("sso"))) as pair:
        yield pair


def accounts(server: LiveServer) -> dict[str, tuple[str, bool]]:
    """username -> (role, linked to the provider)."""
    engine = create_engine(f"sqlite:///{server.data_dir / 'sparring.db'}")
    try:
        with Db(engine) as db:
            return {u.username: (u.role, u.oidc_subject is not None) for u in db.exec(select(User))}
    finally:
        engine.dispose()


def audit_rows(server: LiveServer) -> list[tuple[str, str, str]]:
    engine = create_engine(f"sqlite:///{server.data_dir / 'sparring.db'}")
    try:
        with Db(engine) as db:
            return [(e.action, e.target, e.detail) for e in db.exec(select(AuditEvent))]
    finally:
        engine.dispose()


def organisation_login(page: Page, start: str, who: str) -> None:
    """From a Sparring login page, through the provider's own login form."""
    page.goto(start)
    page.get_by_role("link", name=BUTTON).click()
    page.get_by_placeholder("Enter any login").fill(who)
    page.get_by_placeholder("and password").fill("organisationens-kode")
    page.get_by_role("button", name="Sign-in").click()


def test_first_logins_make_accounts_with_the_mapped_roles_and_logout_ends_both(
    sso: tuple[LiveServer, Provider], browser: Any, shots: Path
) -> None:
    server, op = sso
    op.mode("normal")
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.goto(f"{server.url}/facilitator/login")
    expect(page.get_by_role("link", name=BUTTON)).to_be_visible()
    page.screenshot(path=str(shots / "sso-login.png"))

    organisation_login(page, f"{server.url}/facilitator/login", "anna")
    expect(page.get_by_role("heading", name="Sessioner")).to_be_visible()
    assert accounts(server)["anna"] == ("facilitator", True)
    page.screenshot(path=str(shots / "sso-facilitator.png"))

    page.get_by_role("button", name="Log ud").click()  # Sparring's login ends, then the provider's
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/facilitator/login"))
    page.goto(f"{server.url}/facilitator")
    expect(page).to_have_url(re.compile(r"/facilitator/login"))
    page.get_by_role("link", name=BUTTON).click()  # the provider asks again: its session ended
    expect(page.get_by_placeholder("Enter any login")).to_be_visible()
    context.close()

    for who, start, heading, role in (
        ("bo", "/review/login", "Opsummeringer", "reviewer"),
        ("carl", "/admin/login", "Konti", "admin"),
    ):
        context = browser.new_context(locale="da-DK")
        page = context.new_page()
        organisation_login(page, f"{server.url}{start}", who)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert accounts(server)[who] == (role, True)
        page.screenshot(path=str(shots / f"sso-{role}.png"), full_page=True)
        context.close()
    assert ("account.created", "anna", "facilitator") in audit_rows(server)


def test_a_person_whose_groups_map_to_no_role_is_refused(
    sso: tuple[LiveServer, Provider], browser: Any, shots: Path
) -> None:
    server, op = sso
    op.mode("normal")
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    organisation_login(page, f"{server.url}/facilitator/login", "dorte")
    expect(page.get_by_role("heading", name="Login afvist")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("ingen gruppe, der er knyttet til en rolle")
    page.screenshot(path=str(shots / "sso-no-role.png"))
    assert "dorte" not in accounts(server)
    page.goto(f"{server.url}/facilitator")
    expect(page).to_have_url(re.compile(r"/facilitator/login"))
    context.close()


@pytest.mark.parametrize("mode", ["tamper", "expired"])
def test_a_tampered_or_expired_id_token_is_refused(
    sso: tuple[LiveServer, Provider], browser: Any, mode: str
) -> None:
    """tamper: the token says admin, but its signature no longer holds; expired: validly signed by
    the provider's key, but expired an hour ago. Neither logs anyone in."""
    server, op = sso
    before = accounts(server)
    op.mode(mode)
    try:
        context = browser.new_context(locale="da-DK")
        page = context.new_page()
        organisation_login(page, f"{server.url}/facilitator/login", "erik")
        expect(page.get_by_role("heading", name="Login afvist")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("kunne ikke godkendes")
        page.goto(f"{server.url}/admin")
        expect(page).to_have_url(re.compile(r"/admin/login"))
        context.close()
    finally:
        op.mode("normal")
    assert accounts(server) == before, "no account made or changed"
    assert ("login.failed", "", "sso token") in audit_rows(server)
