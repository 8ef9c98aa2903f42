"""The admin's pages: accounts made, changed, disabled and removed in the browser, with temporary
passwords shown once and replaced at the first login; and the audit trail, read and downloaded.
Tested through HTTP as the admin and as the people whose accounts change."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session as Db
from sqlmodel import select

from app import audit
from app.cli import add_user
from app.models import AuditEvent, Session, User, utcnow
from tests.routers.conftest import PASSWORD, log_in, new_session, publish
from tests.routers.summary_setup import play
from tests.utils.clients import arm_csrf

ALIASES = ["Hemmelige Hanne", "Hemmelige Hugo", "Hemmelige Hilda"]


def browser(http: TestClient) -> TestClient:
    person = TestClient(http.app, follow_redirects=False)
    person.get("/")
    arm_csrf(person)
    return person


def as_admin(http: TestClient) -> TestClient:
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        add_user(db, "it", PASSWORD, "admin")
    admin = browser(http)
    r = admin.post("/admin/login", data={"username": "it", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    return admin


def user_id(http: TestClient, name: str) -> int:
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        user = db.exec(select(User).where(User.username == name)).one()
        assert user.id is not None
        return user.id


def account_row(page: str, name: str) -> str:
    return next(
        row for row in page.split('<tr id="account-') if re.match(rf"\d+\"><td>{name}\b", row)
    )


def shown_password(page: str) -> str:
    found = re.search(
        r'class="flash flash-warn shown-password".*?<b class="code">([^<]+)</b>', page
    )
    assert found, "the temporary password is shown"
    return found.group(1)


def test_an_admin_creates_an_account_whose_temporary_password_is_replaced_at_first_login(
    client: TestClient,
) -> None:
    admin = as_admin(client)
    r = admin.post("/admin/accounts", data={"username": "hr-anne", "role": "facilitator"})
    assert r.status_code == 200
    temporary = shown_password(r.text)
    assert temporary not in admin.get("/admin").text, "shown once, never again"
    r = admin.post("/admin/accounts", data={"username": "hr-anne", "role": "facilitator"})
    assert r.status_code == 400 and "er optaget" in r.text
    r = admin.post("/admin/accounts", data={"username": "x", "role": "facilitator"})
    assert r.status_code == 400 and "2-80 tegn" in r.text
    r = admin.post("/admin/accounts", data={"username": "kim", "role": "superuser"})
    assert r.status_code == 400 and "Ukendt rolle" in r.text

    anne = browser(client)
    r = anne.post("/facilitator/login", data={"username": "hr-anne", "password": temporary})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    r = anne.get("/facilitator")  # nothing else until the password is her own
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    r = anne.post("/account/password", data={"password": "kort", "repeated": "kort"})
    assert r.status_code == 400 and "mindst 10 tegn" in r.text
    mine = "anne-sin-egen-kode-42"
    r = anne.post("/account/password", data={"password": mine, "repeated": mine + "x"})
    assert r.status_code == 400 and "ikke ens" in r.text
    r = anne.post(
        "/account/password", data={"password": mine, "repeated": mine, "next": "/facilitator"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/facilitator"
    assert anne.get("/facilitator").status_code == 200
    page = admin.get("/admin").text
    assert "aldrig" not in account_row(page, "hr-anne"), "the last login is shown"
    anne.post("/facilitator/logout")
    r = anne.post("/facilitator/login", data={"username": "hr-anne", "password": temporary})
    assert r.status_code == 401, "the temporary password is gone"


def test_role_change_disable_and_remove_end_the_accounts_logins(client: TestClient) -> None:
    admin = as_admin(client)
    fac = log_in(browser(client))
    code = new_session(fac)
    fac_id = user_id(client, "fac")

    r = admin.post(f"/admin/accounts/{fac_id}/disable", data={"disabled": "1"})
    assert r.status_code == 303
    assert fac.get("/facilitator").status_code == 303, "the login ended at once"
    r = fac.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 403 and "spærret" in r.text
    r = fac.post("/facilitator/login", data={"username": "fac", "password": "forkert"})
    assert r.status_code == 401 and "spærret" not in r.text, "only the password's holder is told"
    assert admin.post(f"/admin/accounts/{fac_id}/disable").status_code == 303  # enabled again
    log_in(fac)

    assert (
        admin.post(f"/admin/accounts/{fac_id}/role", data={"role": "reviewer"}).status_code == 303
    )
    assert fac.get("/facilitator").status_code == 303
    r = fac.post("/review/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 303
    admin.post(f"/admin/accounts/{fac_id}/role", data={"role": "facilitator"})
    log_in(fac)

    with Db(client.app.state.engine) as db:  # type: ignore[attr-defined]
        add_user(db, "efterfoelger", PASSWORD, "facilitator")
    heir = user_id(client, "efterfoelger")
    r = admin.post(f"/admin/accounts/{fac_id}/remove", data={"successor": str(heir)})
    assert r.status_code == 400 and "Sæt kryds" in r.text
    r = admin.post(
        f"/admin/accounts/{fac_id}/remove", data={"successor": str(heir), "confirm": "1"}
    )
    assert r.status_code == 303
    assert fac.get("/facilitator").status_code == 303
    with Db(client.app.state.engine) as db:  # type: ignore[attr-defined]
        session = db.exec(select(Session).where(Session.code == code)).one()
        assert session.facilitator_id == heir, "the sessions went to the successor"

    me = user_id(client, "it")
    for path, data in (("role", {"role": "facilitator"}), ("disable", {"disabled": "1"})):
        r = admin.post(f"/admin/accounts/{me}/{path}", data=data)
        assert r.status_code == 400 and "din egen konto" in r.text
    r = admin.post(f"/admin/accounts/{me}/remove", data={"confirm": "1"})
    assert r.status_code == 400
    assert admin.post("/admin/accounts/999999/password").status_code == 400


def test_only_admins_open_the_admin_pages(client: TestClient) -> None:
    fac = log_in(browser(client))
    reviewer = browser(client)
    reviewer.post("/review/login", data={"username": "chef", "password": PASSWORD})
    for person in (browser(client), fac, reviewer):
        for path in ("/admin", "/admin/audit", "/admin/audit.csv"):
            r = person.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
        r = person.post("/admin/accounts", data={"username": "indtrænger", "role": "admin"})
        assert r.status_code == 303
    r = fac.post("/admin/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 401, "a facilitator's password does not open the admin's login"
    with Db(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert db.exec(select(User).where(User.username == "indtrænger")).first() is None


def test_the_audit_trail_records_who_did_what_and_outlives_the_purge(client: TestClient) -> None:
    fac = log_in(browser(client))
    fac.post("/facilitator/logout")
    r = fac.post("/facilitator/login", data={"username": "fac", "password": "forkert"})
    assert r.status_code == 401
    log_in(fac)
    started = new_session(fac)
    assert "flash-error" not in fac.post(f"/facilitator/sessions/{started}/start").text
    code = new_session(fac)
    play(fac, code, ALIASES, list("AAB"), list("AAA"), "Begrundelse fra Hemmelige Hanne")
    assert publish(fac, code) == 303
    assert fac.get(f"/facilitator/sessions/{code}/summary.csv").status_code == 200
    reviewer = browser(client)
    reviewer.post("/review/login", data={"username": "chef", "password": PASSWORD})
    assert reviewer.get(f"/review/sessions/{code}/summary.pdf").status_code == 200
    r = fac.post(f"/facilitator/sessions/{code}/purge", data={"confirm": "1"})
    assert r.status_code == 303
    admin = as_admin(client)
    admin.post("/admin/accounts", data={"username": "ny-chef", "role": "reviewer"})

    page = admin.get("/admin/audit")
    assert page.status_code == 200 and "Revisionsspor" in page.text
    r = admin.get("/admin/audit.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    done = {(row["actor"], row["action"], row["target"]) for row in rows}
    for expected in (
        ("", "login.failed", "fac"),
        ("fac", "login.succeeded", "fac"),
        ("fac", "session.created", code),
        ("fac", "session.started", started),
        ("fac", "session.ended", code),
        ("fac", "summary.published", code),
        ("fac", "summary.downloaded", code),
        ("chef", "summary.downloaded", code),
        ("fac", "summary.purged", code),
        ("it", "account.created", "ny-chef"),
        ("cli", "account.created", "fac"),
    ):
        assert expected in done, expected
    published = next(row for row in rows if row["action"] == "summary.published")
    assert published["detail"] == "chef", "published to whom"
    for alias in ALIASES:  # no participant data, not even after the raw rows are gone
        assert alias not in r.text and alias not in page.text
    assert "Opsummering offentliggjort" in page.text  # worded for people


def test_the_audit_trail_has_its_own_retention(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    log_in(browser(client))
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Db(engine) as db:
        before = len(audit.recent(db, None))
        db.add(AuditEvent(at=utcnow() - timedelta(days=800), actor="fac", action="login.succeeded"))
        db.commit()
        audit.purge_old(db, settings)  # 730 days by default
        assert len(audit.recent(db, None)) == before
        audit.purge_old(db, settings.model_copy(update={"audit_retention_days": 0}))
        assert len(audit.recent(db, None)) == before, "0: kept for good"
