"""Every feature that reads a session after the room, on a session that people really used
(tests/utils/lived_in.py): summary, every export, draft, review, trends, the library, templates,
every page each role reaches by its links (answering, and valid HTML), and the purge, checked table
by table against the models."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import jsonschema
import pytest
from sqlalchemy import Table
from sqlmodel import SQLModel

from app import models  # noqa: F401  (the tables register themselves in the metadata)
from app.export.summary import SCHEMA_FILE
from app.retention import KEPT, RAW
from tests.utils.clients import Facilitator, arm_csrf, page_text
from tests.utils.html_checker import html_errors
from tests.utils.lived_in import CASES, LivedIn, live_a_session
from tests.utils.server import FACILITATOR, REVIEWER, LiveServer

FORMATS = ("json", "md", "csv", "pdf")
ADMIN = ("it-drift", "admin-kode-til-test")


# The phones' messages written by the server's own thread, or by a process of their own
# (SPARRING_WRITER_PROCESS, app.phone_writer): the same session, read back the same.
@pytest.fixture(
    scope="module", params=[{}, {"SPARRING_WRITER_PROCESS": "1"}], ids=["thread", "process"]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = LiveServer(Path(tmp_path_factory.mktemp("lived")), env=request.param)
    live.add_facilitator()
    live.add_user(*REVIEWER, role="reviewer")
    live.add_user(*ADMIN, role="admin")
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def fac(server: LiveServer) -> Facilitator:
    person = Facilitator(server.url)
    person.login(*FACILITATOR)
    return person


@pytest.fixture(scope="module")
def room(server: LiveServer, fac: Facilitator) -> LivedIn:
    return asyncio.run(live_a_session(server, fac))


@pytest.fixture(scope="module")
def reviewer(server: LiveServer) -> httpx.Client:
    return logged_in(server, "review", *REVIEWER)


def logged_in(server: LiveServer, area: str, username: str, password: str) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=10)
    http.get(f"/{area}/login")
    arm_csrf(http)
    r = http.post(f"/{area}/login", data={"username": username, "password": password})
    assert r.status_code == 303, r.text
    return http


def leaks(text: str, room: LivedIn) -> list[str]:
    """Personal data and hidden texts found in `text` (whole words, any case)."""
    found = [p for p in room.personal if re.search(rf"\b{re.escape(p)}\b", text, re.IGNORECASE)]
    return found + [h for h in room.hidden if h[:30] in text]


def test_the_summary_counts_each_person_once(room: LivedIn, fac: Facilitator) -> None:
    data = json.loads(page_text(fac.http, f"/facilitator/sessions/{room.code}/summary.json"))
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert data["participants"] == str(room.people), "a rejoin or a move counted someone twice"
    assert [c["title"] for c in data["cases"]][-1] == "Det pyntede notat"
    assert len(data["cases"]) == len(CASES) + 1
    first = data["cases"][0]
    people = str(room.people)
    assert (first["voters_before"], first["voters_after"]) == (people, people), "everyone voted"


def test_no_export_draft_or_review_page_shows_personal_data_or_hidden_texts(
    room: LivedIn, fac: Facilitator, reviewer: httpx.Client
) -> None:
    pages = {
        f"facilitator .{fmt}": page_text(
            fac.http, f"/facilitator/sessions/{room.code}/summary.{fmt}"
        )
        for fmt in FORMATS
    }
    pages["facilitator page"] = page_text(fac.http, f"/facilitator/sessions/{room.code}/summary")
    pages["draft"] = page_text(fac.http, f"/facilitator/sessions/{room.code}/draft")
    pages["review list"] = page_text(reviewer, "/review")
    pages["review page"] = page_text(reviewer, f"/review/sessions/{room.code}")
    pages["trends"] = page_text(reviewer, "/review/trends")
    for fmt in FORMATS:
        pages[f"review .{fmt}"] = page_text(reviewer, f"/review/sessions/{room.code}/summary.{fmt}")
    found = {name: leaks(text, room) for name, text in pages.items() if leaks(text, room)}
    assert found == {}, found
    assert "[fjernet]" in pages["facilitator .md"], "the group answers are there, scrubbed"
    assert room.code in pages["review list"] or "Chefforum december" in pages["review list"]


def test_the_library_and_templates_still_serve_the_lived_in_session(
    room: LivedIn, fac: Facilitator
) -> None:
    before = page_text(fac.http, f"/facilitator/sessions/{room.code}/summary.json")
    archive = f"/facilitator/library/{CASES[0]}/archive"
    r = fac.http.post(archive)
    assert r.status_code == 303, r.text
    try:
        assert page_text(fac.http, f"/facilitator/sessions/{room.code}/summary.json") == before
        assert "Spareøvelsen" in page_text(fac.http, f"/facilitator/sessions/{room.code}/summary")
        assert fac.http.get(f"/facilitator/sessions/{room.code}").status_code == 200
    finally:
        assert fac.http.post(archive, data={"restore": "1"}).status_code == 303
    assert CASES[0] in page_text(fac.http, "/facilitator/library")

    dashboard = page_text(fac.http, "/facilitator")
    plan = re.search(
        r'href="(/facilitator\?template=\d+)#ny" class="button">Chefforum december<', dashboard
    )
    assert plan, "the session's plan was kept as a template"
    form = page_text(fac.http, plan.group(1))
    ticked = re.findall(r'name="cases" value="([^"]+)"[^>]*checked', form)
    assert sorted(ticked) == sorted(CASES), "its cases, ticked"
    next_month = fac.create_session("Chefforum januar", CASES)
    assert fac.http.get(f"/facilitator/sessions/{next_month}").status_code == 200


def linked_rows(db: sqlite3.Connection, table: Table, session_id: int) -> int | None:
    """Rows of `table` that lead, foreign key by foreign key, to the session; None: no path."""
    path = path_to_session(table)
    if path is None:
        return None
    joins, previous = [], table.name
    for step, (column, parent) in enumerate(path):
        alias = f"t{step}"
        joins.append(f'JOIN "{parent}" {alias} ON {alias}.id = "{previous}".{column}')
        previous = alias
    last = previous if path else table.name
    sql = f'SELECT count(*) FROM "{table.name}" {" ".join(joins)} WHERE {last}.id = ?'
    if not path:  # the session table itself
        sql = f'SELECT count(*) FROM "{table.name}" WHERE id = ?'
    return int(db.execute(sql, (session_id,)).fetchone()[0])


def path_to_session(table: Table) -> list[tuple[str, str]] | None:
    """The shortest chain of (foreign key column, parent table) from `table` to `session`."""
    if table.name == "session":
        return []
    frontier: list[tuple[Table, list[tuple[str, str]]]] = [(table, [])]
    seen = {table.name}
    while frontier:
        current, path = frontier.pop(0)
        for fk in current.foreign_keys:
            parent = fk.column.table
            step = [*path, (fk.parent.name, parent.name)]
            if parent.name == "session":
                return step
            if parent.name not in seen:
                seen.add(parent.name)
                frontier.append((parent, step))
    return None


def test_every_table_is_either_purged_or_kept_for_a_stated_reason() -> None:
    purged = {model.__tablename__ for model, _ in RAW}  # type: ignore[attr-defined]
    tables = set(SQLModel.metadata.tables)
    assert purged.isdisjoint(KEPT)
    assert tables - purged - set(KEPT) == set(), "a new table: is it per-person raw data?"
    for name in tables - purged:
        path = path_to_session(SQLModel.metadata.tables[name])
        # Kept tables that reach a session: the session itself, its case copies, and which staff
        # accounts share or read it (app.access): staff, not participants.
        staff = ("session", "sessioncase", "sessionfacilitator", "summaryreader")
        assert path is None or name in staff, (name, "links to people")


def test_purge_deletes_every_raw_row_and_keeps_the_summary_byte_identical(
    server: LiveServer, fac: Facilitator, room: LivedIn
) -> None:
    if "SPARRING_WRITER_PROCESS" in server.env:
        pytest.skip("the purge is a command, run by the server's own writer: the same either way")
    # Its own lived-in session, so the other tests above keep theirs.
    purged = asyncio.run(live_a_session(server, fac, "Til sletning"))
    base = f"/facilitator/sessions/{purged.code}"
    before = {fmt: fac.http.get(f"{base}/summary.{fmt}").content for fmt in ("json", "md", "csv")}
    db = sqlite3.connect(server.data_dir / "sparring.db")
    try:
        session_id = db.execute("SELECT id FROM session WHERE code = ?", (purged.code,)).fetchone()
        tables = SQLModel.metadata.tables
        raw = [model.__tablename__ for model, _ in RAW]  # type: ignore[attr-defined]
        # A dilemma room has no group cases (own cases): tests/live/test_own_cases.py purges those.
        raw.remove("groupcase")
        used = {name: linked_rows(db, tables[name], session_id[0]) for name in raw}
        assert all(used.values()), f"the lived-in room should fill every raw table: {used}"

        r = fac.http.post(f"{base}/purge", data={"confirm": "1"})
        assert r.status_code == 303, r.text[:2000]

        left = {
            name: linked_rows(db, table, session_id[0])
            for name, table in tables.items()
            if name not in KEPT
        }
        assert set(left.values()) == {0}, left
        other = db.execute("SELECT id FROM session WHERE code = ?", (room.code,)).fetchone()[0]
        assert linked_rows(db, tables["participant"], other), "only that session was purged"
    finally:
        db.close()
    after = {fmt: fac.http.get(f"{base}/summary.{fmt}").content for fmt in ("json", "md", "csv")}
    assert after == before
    assert fac.http.get(f"{base}/summary.pdf").status_code == 200
    page = page_text(fac.http, f"{base}/summary")
    assert "blev slettet" in page and "Slet rådata nu" not in page
    assert fac.http.get(base).status_code == 200, "the control page of a purged session"
    r = fac.http.post(f"{base}/purge", data={"confirm": "1"})
    assert r.status_code == 303, "purging twice changes nothing and is no error"


@contextmanager
def reading_in(http: httpx.Client, lang: str) -> Iterator[httpx.Client]:
    """The same person, reading in `lang` (the language switch's cookie) for a while."""
    http.cookies.set("sparring_lang", lang)
    try:
        yield http
    finally:
        http.cookies.delete("sparring_lang")


DUTY_NAMES = {
    "da": {"lovlighed": "Lovlighed", "sandhed": "Sandhed"},
    "en": {"lovlighed": "Legality", "sandhed": "Truthfulness"},
}
WORDS = {  # what a page in each language says, and what it must never say
    "da": {"removed": "[fjernet]", "group": "Gruppe 1", "point": ",", "answers": "svar"},
    "en": {"removed": "[removed]", "group": "Group 1", "point": ".", "answers": "answers"},
}


def test_the_summary_page_and_pdf_show_the_heaviest_duty_and_how_hard_in_either_language(
    room: LivedIn, fac: Facilitator, reviewer: httpx.Client
) -> None:
    """What the README promises and the JSON holds: the duty split (people and groups) and the
    mean difficulty, as masked; every frozen word in the reader's language."""
    data = json.loads(page_text(fac.http, f"/facilitator/sessions/{room.code}/summary.json"))
    first = data["cases"][0]
    marks = {m["duty"]: (m["people"], m["groups"]) for m in first["heaviest_duty"]}
    # The first round is withheld (a small split), so the people's marks are too: 'x'.
    assert marks and set(marks) <= {"lovlighed", "sandhed"}, marks
    mean = f"{first['difficulty']:.1f}"  # 1-5 from eleven people
    assert first["difficulty_answers"] == "11"
    for lang, other in (("da", "en"), ("en", "da")):
        words, wrong = WORDS[lang], WORDS[other]
        for http, base in (
            (fac.http, f"/facilitator/sessions/{room.code}/summary"),
            (reviewer, f"/review/sessions/{room.code}"),
        ):
            with reading_in(http, lang):
                page = page_text(http, base)
                pdf = page_text(http, f"{base.removesuffix('/summary')}/summary.pdf")
                markdown = page_text(http, f"{base.removesuffix('/summary')}/summary.md")
            table = page.split('class="duty-split"', 1)[1].split("</table>", 1)[0]
            for slug, (people, groups) in marks.items():
                name = DUTY_NAMES[lang][slug]
                assert f"<td>{name}</td><td>{people}</td><td>{groups}</td>" in table, lang
                assert f"{name} {people}/{groups}" in " ".join(pdf.split()), (lang, pdf)
                assert DUTY_NAMES[other][slug] not in page + pdf + markdown, (lang, slug)
            shown = f"{mean.replace('.', words['point'])} (11 {words['answers']})"
            for text in (page, pdf, markdown):
                assert shown in " ".join(text.split()), (lang, shown)
                assert words["removed"] in text and wrong["removed"] not in text, lang
                assert words["group"] in text and wrong["group"] not in text, lang


def test_trend_charts_write_numbers_and_dates_in_the_readers_style(
    room: LivedIn, reviewer: httpx.Client
) -> None:
    today = json.loads(page_text(reviewer, f"/review/sessions/{room.code}/summary.json"))["date"]
    _, month, day = today.split("-")
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    expected = {
        "da": (">0,5<", f">{day}.{month}<", "Lovlighed", ">0.5<"),
        "en": (">0.5<", f">{int(day)} {months[int(month) - 1]}<", "Legality", ">0,5<"),
    }
    for lang, (tick, date, duty, wrong) in expected.items():
        with reading_in(reviewer, lang):
            page = page_text(reviewer, "/review/trends")
        charts = " ".join(re.findall(r"<svg.*?</svg>", page, re.S))
        assert tick in charts and date in charts and wrong not in charts, lang
        assert f"<h2>{duty}</h2>" in page, lang


# Pages no home links to: where a passer-by lands, and a signed-in person's own account.
OUTSIDE = ("/", "/facilitator/login", "/review/login", "/admin/login", "/privatliv")
ACCOUNT = "/account/password"
# Links a crawl does not follow: they end the login or switch the language, not pages to check.
NOT_PAGES = re.compile(r"logout|/lang/|/static/|/sso/")


def crawl(http: httpx.Client, *homes: str) -> dict[str, httpx.Response]:
    """Every page reachable by links from `homes` (GET only), each fetched once; of the library's
    many cases, three of each kind of page (their templates are the same)."""
    found: dict[str, httpx.Response] = {}
    kinds: dict[str, int] = {}
    todo = list(homes)
    while todo:
        path = todo.pop(0)
        kind = re.sub(r"/library/[^/?]+", "/library/*", path)
        if path in found or kinds.get(kind, 0) >= 3:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        found[path] = reply = http.get(path)
        if "text/html" in reply.headers.get("content-type", ""):
            for href in re.findall(r'href="([^"#]+)"', reply.text):
                link = urlsplit(urljoin(str(http.base_url.join(path)), href.replace("&amp;", "&")))
                if link.netloc != urlsplit(str(http.base_url)).netloc:
                    continue
                local = link.path + (f"?{link.query}" if link.query else "")
                if not NOT_PAGES.search(local) and local not in found:
                    todo.append(local)
    return found


def test_every_page_each_role_reaches_answers_and_is_valid_html(
    server: LiveServer, fac: Facilitator, room: LivedIn, reviewer: httpx.Client
) -> None:
    """A facilitator's, a reviewer's, an administrator's and a passer-by's every page (the login
    pages and the account page too, which no home links to), reached by following links on a
    server that has held a real room: none is broken (a 404 or 500 behind a link), and each is
    valid HTML to the Nu checker, where it runs (the browser tests check the live screens)."""
    if "SPARRING_WRITER_PROCESS" in server.env:
        pytest.skip("the same pages on either writer")
    admin = logged_in(server, "admin", *ADMIN)
    pages = {
        **{f"facilitator {p}": r for p, r in crawl(fac.http, "/facilitator", ACCOUNT).items()},
        **{f"reviewer {p}": r for p, r in crawl(reviewer, "/review").items()},
        **{f"admin {p}": r for p, r in crawl(admin, "/admin").items()},
        **{f"anyone {p}": r for p, r in crawl(httpx.Client(base_url=server.url), *OUTSIDE).items()},
    }
    expected = [
        f"facilitator /facilitator/sessions/{room.code}",
        f"facilitator /facilitator/sessions/{room.code}/summary.pdf",
        f"facilitator /projector/{room.code}",
        f"reviewer /review/sessions/{room.code}",
        "reviewer /review/trends",
        "admin /admin/audit",
        f"facilitator {ACCOUNT}",
        *(f"anyone {page}" for page in OUTSIDE),
    ]
    assert [page for page in expected if page not in pages] == [], sorted(pages)
    assert any(page.endswith("?format=dilemma&phase=reveal") for page in pages), "case previews"
    # Signed in, every page answers; a passer-by's link to a staff page leads to its login (303).
    broken = [
        f"{page}: {r.status_code}"
        for page, r in pages.items()
        if r.status_code != 200 and not (page.startswith("anyone") and r.status_code == 303)
    ]
    assert broken == []
    invalid = [
        f"{page}: {error}"
        for page, r in pages.items()
        if "text/html" in r.headers.get("content-type", "")
        for error in html_errors(r.text)
    ]
    assert invalid == [], "\n".join(invalid)
