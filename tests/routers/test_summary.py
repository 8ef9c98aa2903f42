"""The summary after the session: masking, formats from one object, notes, publishing, purging."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import time
from datetime import timedelta
from pathlib import Path

import jsonschema
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session as Db
from sqlmodel import select

from app import retention, services
from app.config import Settings
from app.db import begin_write
from app.export.summary import SCHEMA, SCHEMA_FILE, json_schema
from app.main import create_app
from app.models import Group, GroupAnswer, Participant, Post, Session, SessionCase, Vote
from tests.routers.conftest import app_client, log_in, new_session, publish, reader_ids
from tests.routers.summary_setup import play

SEVEN = ["Anna", "Bo", "Carl", "Dorte", "Eva", "Finn", "Gitte"]


def summary_json(http: TestClient, code: str) -> dict[str, object]:
    r = http.get(f"/facilitator/sessions/{code}/summary.json")
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return data


EIGHT = [*SEVEN, "Hans"]


def _case(http: TestClient, people: list[str], first: str, second: str) -> dict[str, object]:
    code = new_session(http)
    play(http, code, people, list(first), list(second))
    case: dict[str, object] = summary_json(http, code)["cases"][0]  # type: ignore[index]
    return case


def _split(case: dict[str, object]) -> dict[str, tuple[str, str]]:
    return {o["key"]: (o["before"], o["after"]) for o in case["options"]}  # type: ignore[attr-defined]


def test_a_small_count_that_the_rest_would_give_back_withholds_the_round(
    logged_in: TestClient,
) -> None:
    """A 3, B 1 of 4 voters gives B = 1: the round's figures are withheld (x), and with them
    the shift, who changed, the moves and the disagreement."""
    case = _case(logged_in, SEVEN[:4], "AAAB", "AACC")
    assert set(_split(case).values()) == {("x", "x")}
    assert (case["voters_before"], case["voters_after"]) == ("4", "4")
    assert (case["compared"], case["changed"], case["moves"]) == ("x", "x", [])
    assert case["shift"] is None and case["disagreement_before"] is None
    assert [a["label"] for a in case["group_answers"]] == ["Gruppe 1"]  # type: ignore[attr-defined]


def test_small_counts_that_leave_a_choice_are_masked(logged_in: TestClient) -> None:
    """B and C are 1 and 2 or 2 and 1: masked; the revote, all A, is printed."""
    case = _case(logged_in, EIGHT, "AAAAABCC", "AAAAAAAA")
    assert _split(case) == {"A": ("5", "8"), "B": ("<3", "0"), "C": ("<3", "0"), "D": ("0", "0")}
    assert case["disagreement_before"] == round(1 - 5 / 8, 2)
    assert case["disagreement_after"] == 0.0
    assert case["shift"] is None, "a masked round gives no net shift"
    assert (case["changed"], case["moves"]) == ("x", [])


def test_the_shift_and_the_moves_when_nothing_is_small(logged_in: TestClient) -> None:
    case = _case(logged_in, SEVEN[:6], "AAABBB", "AAAAAA")
    assert _split(case)["A"] == ("3", "6") and _split(case)["B"] == ("3", "0")
    assert case["shift"] == 0.5
    assert (case["compared"], case["changed"]) == ("6", "3")
    assert case["moves"] == [{"from_option": "B", "to_option": "A", "count": "3"}]


def test_group_answers_need_a_group_of_at_least_the_threshold(tmp_path: Path) -> None:
    with app_client(Settings(data_dir=tmp_path, anonymity_threshold=4)) as http:
        code = new_session(log_in(http), group_size=3)
        people = play(http, code, SEVEN, ["A"] * 7, ["A"] * 7)
        sizes = sorted(
            sum(1 for p in people if p.group_id == g) for g in {p.group_id for p in people}
        )
        assert sizes == [3, 4]
        data = summary_json(http, code)
        case = data["cases"][0]  # type: ignore[index]
        assert data["threshold"] == 4 and data["participants"] == "7"
        assert len(case["group_answers"]) == 1, "only the group of four is shown"
        assert case["options"][1]["before"] == "0"


def test_every_format_comes_from_the_one_summary(logged_in: TestClient) -> None:
    code = new_session(logged_in, ["kl-01-spareoevelsen"])
    play(logged_in, code, SEVEN[:6], list("AABBBC"), list("ABBBBB"), answer="Æblet, øen og ålen.")
    data = summary_json(logged_in, code)
    assert data["schema"] == SCHEMA
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema == json_schema(), "regenerate summary.schema.json from the model"
    jsonschema.validate(data, schema)
    case = data["cases"][0]  # type: ignore[index]

    rows = list(csv.DictReader(io.StringIO(get(logged_in, code, "csv", "text/csv").decode())))
    assert len(rows) == 2 * len(case["options"])
    by_key = {(r["option"], r["round"]): r["votes"] for r in rows}
    for option in case["options"]:
        assert by_key[(option["key"], "before")] == option["before"]
        assert by_key[(option["key"], "after")] == option["after"]

    markdown = get(logged_in, code, "md", "text/markdown").decode()
    assert "Æblet, øen og ålen." in markdown and "| B. " in markdown

    pdf = PdfReader(io.BytesIO(get(logged_in, code, "pdf", "application/pdf")))
    assert pdf.pages[0].mediabox.width == 595.28 or round(pdf.pages[0].mediabox.width) == 595
    text = " ".join(page.extract_text() for page in pdf.pages)
    for needle in (case["title"], "Æblet, øen og ålen.", "Gruppe 1", "Før", "Efter", "Pligterne"):
        assert needle in text, needle
    assert "Spareøvelsen" in text

    page = logged_in.get(f"/facilitator/sessions/{code}/summary").text
    assert page.count("<svg") == 1 and "Æblet, øen og ålen." in page
    assert logged_in.get(f"/facilitator/sessions/{code}/summary.xls").status_code == 404


def get(http: TestClient, code: str, fmt: str, media: str) -> bytes:
    r = http.get(f"/facilitator/sessions/{code}/summary.{fmt}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media), r.headers
    assert f'.{fmt}"' in r.headers["content-disposition"]
    return r.content


def test_closing_notes_are_scrubbed_and_fixed_once_published(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    play(logged_in, code, SEVEN[:3], list("AAB"), list("AAA"))
    base = f"/facilitator/sessions/{code}"
    r = logged_in.post(
        f"{base}/notes",
        data={"note": "Tak til Anna (anna@kk.dk).", "note_1": "Carl ringer på 12 34 56 78."},
    )
    assert r.status_code == 303
    data = summary_json(logged_in, code)
    assert data["closing_note"] == "Tak til [fjernet] ([fjernet])."
    assert data["cases"][0]["closing_note"] == "[fjernet] ringer på [fjernet]."  # type: ignore[index]
    assert "højst være 4000 tegn" in logged_in.post(f"{base}/notes", data={"note": "x" * 4001}).text
    assert publish(logged_in, code) == 303
    r = logged_in.post(f"{base}/notes", data={"note": "ny"})
    assert r.status_code == 400 and "kan ikke længere ændres" in r.text
    assert "allerede offentliggjort" in logged_in.post(f"{base}/publish").text
    assert "Offentliggjort" in logged_in.get(f"{base}/summary").text


def test_publishing_keeps_the_notes_typed_but_not_saved(logged_in: TestClient) -> None:
    """The page's publish button belongs to the notes' form: what stands there is published."""
    code = new_session(logged_in)
    play(logged_in, code, SEVEN[:3], list("AAB"), list("AAA"))
    base = f"/facilitator/sessions/{code}"
    page = logged_in.get(f"{base}/summary").text
    form = page.split('<form id="notes-form"', 1)[1].split("</form>", 1)[0]
    assert f'formaction="{base}/publish"' in form, "publish submits the notes' form"
    logged_in.post(f"{base}/notes", data={"note": "Saved first.", "note_1": ""})
    typed = {
        "note": "Tak til Bo for casen.",
        "note_1": "Tallene skal frem.",
        "reader": reader_ids(logged_in),
    }
    assert logged_in.post(f"{base}/publish", data=typed).status_code == 303
    data = summary_json(logged_in, code)
    assert data["closing_note"] == "Tak til [fjernet] for casen."
    assert data["cases"][0]["closing_note"] == "Tallene skal frem."  # type: ignore[index]
    page = logged_in.get(f"{base}/summary").text
    assert "Tallene skal frem." in page and "Ingen note." not in page


def test_purge_now_deletes_raw_rows_and_keeps_the_summary(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    play(logged_in, code, SEVEN[:5], list("AABBC"), list("AAABB"), reason="min grund")
    before = logged_in.get(f"/facilitator/sessions/{code}/summary.json").text
    r = logged_in.post(f"/facilitator/sessions/{code}/purge", data={"confirm": "1"})
    assert r.status_code == 303
    with Db(logged_in.app.state.engine) as db:  # type: ignore[attr-defined]
        for table in (Participant, Vote, Post, GroupAnswer, Group):
            assert db.exec(select(table)).all() == [], table.__name__
        session = db.exec(select(Session).where(Session.code == code)).one()
        assert session.purged_at is not None
    assert logged_in.get(f"/facilitator/sessions/{code}/summary.json").text == before
    assert logged_in.get(f"/facilitator/sessions/{code}/summary.pdf").status_code == 200
    assert "Rådata" in logged_in.get(f"/facilitator/sessions/{code}/summary").text
    assert logged_in.get(f"/facilitator/sessions/{code}").status_code == 200


def test_retention_purges_only_sessions_ended_long_enough_ago(logged_in: TestClient) -> None:
    old, recent = new_session(logged_in), new_session(logged_in)
    play(logged_in, old, SEVEN[:3], list("AAB"), list("AAA"))
    play(logged_in, recent, SEVEN[3:6], list("AAB"), list("AAA"))
    settings = Settings(data_dir=Path("unused"), retention_days=30)
    with Db(logged_in.app.state.engine) as db:  # type: ignore[attr-defined]
        session = db.exec(select(Session).where(Session.code == old)).one()
        assert session.ended_at is not None
        later = session.ended_at + timedelta(days=31)
    engine = logged_in.app.state.engine  # type: ignore[attr-defined]
    off = settings.model_copy(update={"retention_days": 0})
    assert retention.purge_expired(engine, off).purged == []
    assert retention.purge_expired(engine, settings, now=later - timedelta(days=2)).purged == []
    with Db(logged_in.app.state.engine) as db:  # type: ignore[attr-defined]
        recent_row = db.exec(select(Session).where(Session.code == recent)).one()
        recent_row.ended_at = later - timedelta(days=1)
        db.add(recent_row)
        db.commit()
        assert retention.purge_expired(engine, settings, now=later) == ([old], [])
        assert len(db.exec(select(Participant)).all()) == 3, "the recent session keeps its rows"
    assert summary_json(logged_in, old)["participants"] == "3"


def test_a_summary_left_unfrozen_at_the_end_is_built_when_first_asked_for(
    logged_in: TestClient,
) -> None:
    """The end and the summary's freeze are two commands, so the room is told before every text is
    scrubbed. A server that stops between them leaves an ended session without its summary: the
    summary and a purge build it from the raw rows then, and nothing of it is lost."""
    code = new_session(logged_in)
    play(logged_in, code, SEVEN[:4], list("AABB"), list("AAAB"), "Bo siger: vi tjekker loven.")
    engine = logged_in.app.state.engine  # type: ignore[attr-defined]
    with Db(engine) as db:
        session = db.exec(select(Session).where(Session.code == code)).one()
        frozen = session.summary_json
        assert frozen is not None, "the end's request freezes the summary before it answers"
        session.summary_json = None  # as if the server had stopped between the two commands
        db.add(session)
        db.commit()
    assert summary_json(logged_in, code) == json.loads(frozen)
    r = logged_in.post(f"/facilitator/sessions/{code}/purge", data={"confirm": "1"})
    assert r.status_code in (200, 303), r.text
    with Db(engine) as db:
        session = db.exec(select(Session).where(Session.code == code)).one()
        assert session.purged_at is not None and session.summary_json is not None
        assert db.exec(select(Vote)).all() == []
    assert summary_json(logged_in, code) == json.loads(frozen)


def test_summary_pages_wait_for_the_end(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    r = logged_in.get(f"/facilitator/sessions/{code}/summary")
    assert r.status_code == 303 and r.headers["location"] == f"/facilitator/sessions/{code}"
    r = logged_in.post(f"/facilitator/sessions/{code}/purge", data={"confirm": "1"})
    assert r.status_code == 400 and "når sessionen er afsluttet" in r.text


def test_an_open_discussion_case_has_group_answers_and_no_vote_figures(
    logged_in: TestClient,
) -> None:
    code = new_session(logged_in, ["alb-01-nye-roller"])
    with Db(logged_in.app.state.engine) as db:  # type: ignore[attr-defined]
        session = services.session_by_code(db, code)
        people = [services.join(db, code, alias)[1] for alias in SEVEN[:3]]
        services.start_session(db, session, random.Random(1))
        case = services.current_case(db, session)
        for _ in ("discuss", "group_answer"):
            services.change_phase(db, session, "next")
        services.save_group_answer(db, session, people[0], case.id, "", "Carl: roller først.", 0)
        db.commit()  # services never commit: the test is their writer here
    logged_in.post(f"/facilitator/sessions/{code}/end")
    data = summary_json(logged_in, code)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    case_data = data["cases"][0]  # type: ignore[index]
    assert case_data["options"] == [] and case_data["shift"] is None
    assert [a["reasoning"] for a in case_data["group_answers"]] == ["[fjernet]: roller først."]
    markdown = get(logged_in, code, "md", "text/markdown").decode()
    assert "Åben drøftelse uden afstemning." in markdown and "| Mulighed" not in markdown
    pdf = PdfReader(io.BytesIO(get(logged_in, code, "pdf", "application/pdf")))
    assert "roller først" in pdf.pages[0].extract_text()
    assert "<svg" not in logged_in.get(f"/facilitator/sessions/{code}/summary").text


def test_the_server_purges_expired_raw_rows_when_it_starts(tmp_path: Path) -> None:
    with app_client(Settings(data_dir=tmp_path)) as http:
        code = new_session(log_in(http))
        play(http, code, SEVEN[:3], list("AAB"), list("AAA"))
        assert "(kladde)" in http.get("/facilitator").text
        with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
            session = db.exec(select(Session).where(Session.code == code)).one()
            assert session.ended_at is not None
            session.ended_at -= timedelta(days=31)
            db.add(session)
            db.commit()
    restarted = create_app(Settings(data_dir=tmp_path, retention_days=30))
    with TestClient(restarted), Db(restarted.state.engine) as db:
        assert db.exec(select(Participant)).all() == []
        session = db.exec(select(Session).where(Session.code == code)).one()
        assert session.purged_at is not None and session.summary_json is not None


def test_the_running_server_purges_expired_raw_rows_on_its_own(tmp_path: Path) -> None:
    with app_client(Settings(data_dir=tmp_path)) as http:
        code = new_session(log_in(http))
        play(http, code, SEVEN[:3], list("AAB"), list("AAA"))
    every = Settings(data_dir=tmp_path, retention_days=30, retention_check_seconds=0.05)
    running = create_app(every)  # looks every 50 ms here (hourly by default)
    with TestClient(running), Db(running.state.engine) as db:
        begin_write(db)  # the server's purge may be writing: wait for the lock, like the writer
        session = db.exec(select(Session).where(Session.code == code)).one()
        assert session.ended_at is not None and session.purged_at is None
        session.ended_at -= timedelta(days=31)  # it ended long ago, after the server started
        db.add(session)
        db.commit()
        deadline = time.monotonic() + 10
        while session.purged_at is None and time.monotonic() < deadline:
            time.sleep(0.02)
            db.rollback()  # end the read, so the next one sees the server's latest commit
            db.refresh(session)
        assert session.purged_at is not None and session.summary_json is not None
        assert db.exec(select(Participant)).all() == []


def test_case_titles_typed_in_the_room_are_scrubbed(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    with Db(logged_in.app.state.engine) as db:  # type: ignore[attr-defined]
        case = db.exec(select(SessionCase)).one()
        case.title = "Gitte og lederen (gitte@kk.dk, 12345678)"  # as a promoted dilemma may be
        db.add(case)
        db.commit()
    play(logged_in, code, SEVEN[4:], list("AAB"), list("AAA"))
    title = summary_json(logged_in, code)["cases"][0]["title"]  # type: ignore[index]
    assert title == "[fjernet] og lederen ([fjernet], [fjernet])"


def test_downloads_speak_the_language_of_whoever_downloads(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    play(logged_in, code, SEVEN[:4], ["A", "A", "A", "B"], ["A", "A", "C", "C"])
    base = f"/facilitator/sessions/{code}/summary"
    danish = logged_in.get(f"{base}.md").text
    english = logged_in.get(f"{base}.md", headers={"Accept-Language": "en"}).text
    assert "Anonym opsummering" in danish and "| Mulighed | Før drøftelse |" in danish
    assert "Anonymous summary" in english and "| Option | Before the discussion |" in english
    assert "ingen navne" not in english and "Pligt:" not in english
    pdf = logged_in.get(f"{base}.pdf", headers={"Accept-Language": "en"}).content
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Anonymous summary" in first_page and "Date:" in first_page


def test_the_markdown_escapes_the_facilitators_own_texts_too(logged_in: TestClient) -> None:
    xss = "<img src=x onerror=alert(1)>"
    r = logged_in.post(
        "/facilitator/library/new",
        data={
            "title": f"Egen {xss}",
            "duty": "lovlighed",
            "text": "En case skrevet i editoren, med en hel del tekst i.",
            "question": f"Hvad gør du {xss}?",
            "options": f"Ja {xss}\nNej | måske\nVent",
            "prompts": "Hvad vejer tungest?",
        },
    )
    assert r.status_code == 303, r.text
    slug = r.headers["location"].rsplit("/", 1)[-1]
    code = new_session(logged_in, [slug])
    play(logged_in, code, SEVEN[:3], list("AAB"), list("AAA"))
    markdown = get(logged_in, code, "md", "text/markdown").decode()
    assert not re.search(r"(?<!\\)<img", markdown), markdown
    assert markdown.count("\\<img") == 3, "title, question and option, each shown as text"
    assert "Nej \\| måske" in markdown, "a | in an option does not split the table's cell"
