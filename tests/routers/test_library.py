"""The facilitator's case library over HTTP: search, preview, authoring, import and export."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from tests.routers.conftest import new_session

NEW = {
    "title": "Budgetnotatet før valget",
    "set": "egne",
    "duty": "partipolitisk-neutralitet",
    "secondary_duties": ["sandhed"],
    "text": "Borgmesteren beder om et notat.\n\nDet skal bruges på et valgmøde.",
    "question": "Hvad gør du?",
    "options": "Jeg skriver notatet\nJeg siger nej\nJeg skriver et neutralt notat til alle partier",
    "prompts": "Hvor går grænsen?",
    "source_document": "",
    "source_ref": "",
    "language": "da",
}


def test_search_and_filters(logged_in: TestClient) -> None:
    page = logged_in.get("/facilitator/library").text
    assert page.count("/facilitator/library/kl-") >= 29 and "Fremtidens fritidstilbud" in page
    found = logged_in.get("/facilitator/library", params={"q": "plejehjem"}).text
    assert "Borgmesterens udtalelser" in found and "Spareøvelsen" not in found
    by_duty = logged_in.get("/facilitator/library", params={"duty": "partipolitisk-neutralitet"})
    assert by_duty.text.count('href="/facilitator/library/kl-') == 3
    by_set = logged_in.get("/facilitator/library", params={"set": "albertslund-2012"}).text
    assert by_set.count("åben drøftelse") == 3 and "Spareøvelsen" not in by_set


def test_preview_renders_the_phone_and_projector_templates(logged_in: TestClient) -> None:
    page = logged_in.get("/facilitator/library/kl-04-udvikling-af-udkantsomraader").text
    assert "Det betyder:" in page and "Lovlighed" in page and "/preview/phone" in page
    phone = logged_in.get(
        "/facilitator/library/kl-04-udvikling-af-udkantsomraader/preview/phone",
        params={"phase": "vote"},
    )
    assert 'id="vote-form"' in phone.text and 'class="phone"' in phone.text
    assert "ws-connect" not in phone.text, "a preview is no live page"
    assert "frame-ancestors 'self'" in phone.headers["content-security-policy"]
    projector = logged_in.get(
        "/facilitator/library/buu-02-ny-model-for-anlaegssager/preview/projector",
        params={"phase": "vote"},  # not a phase of an open case: shows the presentation
    ).text
    assert 'data-phase="present"' in projector and "Ny model for anlægssager" in projector
    kol = logged_in.get(
        "/facilitator/library/kl-01-spareoevelsen/preview/phone",
        params={"phase": "clarify", "format": "kollegasparring"},
    ).text
    assert "Stil opklarende spørgsmål" in kol
    assert logged_in.get("/facilitator/library/findes-ikke").status_code == 404


def test_create_edit_duplicate_archive(logged_in: TestClient) -> None:
    bad = logged_in.post("/facilitator/library/new", data={**NEW, "options": "Kun én\nTo"})
    assert bad.status_code == 400
    assert "Svarmuligheder: skal have 3-5 svarmuligheder" in bad.text
    assert "Budgetnotatet før valget" in bad.text, "what was typed is shown again"
    english = {"Accept-Language": "en"}
    bad = logged_in.post("/facilitator/library/new", data={**NEW, "options": "x"}, headers=english)
    assert "The case was not saved. Response options: must have 3-5 response options" in bad.text
    # Pydantic's own checks are worded too (they came out in English on Danish pages).
    bad = logged_in.post("/facilitator/library/new", data={**NEW, "prompts": "", "title": ""})
    assert "Drøftelsesspørgsmål: skal have mindst 1 (har 0)" in bad.text, bad.text
    assert "List should" not in bad.text and "String should" not in bad.text
    bad = logged_in.post("/facilitator/library/new", data={**NEW, "prompts": ""}, headers=english)
    assert "Discussion questions: needs at least 1 (has 0)" in bad.text

    r = logged_in.post("/facilitator/library/new", data=NEW)
    assert r.status_code == 303
    slug = r.headers["location"].rsplit("/", 1)[-1]
    assert slug == "budgetnotatet-foer-valget"
    page = logged_in.get(f"/facilitator/library/{slug}").text
    assert "Egne cases" in page and "Partipolitisk neutralitet" in page

    open_case = {**NEW, "options": "", "question": "Hvad betyder det for jer?"}
    assert logged_in.post(f"/facilitator/library/{slug}/edit", data=open_case).status_code == 303
    assert "åben drøftelse" in logged_in.get(f"/facilitator/library/{slug}").text

    copy = logged_in.post(f"/facilitator/library/{slug}/duplicate")
    assert copy.headers["location"] == f"/facilitator/library/{slug}-kopi/edit"
    assert "(kopi)" in logged_in.get(copy.headers["location"]).text

    code = new_session(logged_in, [slug])
    assert logged_in.post(f"/facilitator/library/{slug}/archive").status_code == 303
    assert f'/facilitator/library/{slug}"' not in logged_in.get("/facilitator/library").text
    assert slug in logged_in.get("/facilitator/library", params={"archived": "1"}).text
    r = logged_in.post(
        "/facilitator/sessions", data={"title": "T", "group_size": 4, "cases": [slug]}
    )
    assert r.status_code == 400 and "Ukendt case" in r.text, "archived cases cannot be picked"
    logged_in.post(f"/facilitator/sessions/{code}/start")
    assert "Budgetnotatet" in logged_in.get(f"/facilitator/sessions/{code}").text, "its copy runs"


def test_editing_a_case_keeps_its_perspective(logged_in: TestClient) -> None:
    slug = "kl-01-spareoevelsen"

    def perspective_shown() -> bool:
        preview = logged_in.get(
            f"/facilitator/library/{slug}/preview/projector", params={"phase": "reveal"}
        )
        return "Kodekset siger" in preview.text

    assert perspective_shown()
    edited = {
        **NEW,
        "title": "Spareøvelsen på skoleområdet",
        "set": "kl-2024",
        "duty": "lovlighed",
        "secondary_duties": ["ansvar-og-ledelse"],
    }
    assert logged_in.post(f"/facilitator/library/{slug}/edit", data=edited).status_code == 303
    assert perspective_shown(), "the edit form has no perspective field and must not drop it"


def test_export_import_round_trip_with_a_report(logged_in: TestClient) -> None:
    exported = logged_in.get("/facilitator/library/export/albertslund-2012.yaml")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    document = yaml.safe_load(exported.text)
    assert document["schema"] == "sparring.caseset/1" and len(document["cases"]) == 3

    same = logged_in.post(
        "/facilitator/library/import", files={"file": ("a.yaml", exported.content)}
    )
    assert (
        "<b>0</b> tilføjet · <b>0</b> opdateret · <b>3</b> uændret · <b>0</b> afvist" in same.text
    )

    document["cases"][0]["question"] = "Hvilke roller skal vi have?"
    document["cases"][1]["duty"] = "ærlighed"
    document["cases"].append({**document["cases"][2], "slug": "alb-04-nyt-tema", "number": 4})
    raw = yaml.safe_dump(document, allow_unicode=True).encode()
    report = logged_in.post("/facilitator/library/import", files={"file": ("a.yaml", raw)}).text
    assert "<b>1</b> tilføjet · <b>1</b> opdateret · <b>1</b> uændret · <b>1</b> afvist" in report
    assert "alb-02-kombinerede-styringsformer</b>: duty: ukendt pligt" in report
    page = logged_in.get("/facilitator/library/alb-01-nye-roller").text
    assert (
        "Hvilke roller skal vi have?"
        in logged_in.get("/facilitator/library/alb-01-nye-roller/preview/phone").text
        and "Albertslund" in page
    )

    taken = {**document["cases"][2], "slug": "alb-05-samme-nummer", "number": 1}
    twice = {**taken, "slug": "alb-06-ogsaa-samme-nummer"}
    raw = yaml.safe_dump({**document, "cases": [taken, twice]}, allow_unicode=True).encode()
    report = logged_in.post("/facilitator/library/import", files={"file": ("a.yaml", raw)}).text
    assert "<b>2</b> tilføjet" in report
    assert "casen har nu nummer 5" in report and "casen har nu nummer 6" in report
    numbers = [
        c["number"]
        for c in yaml.safe_load(
            logged_in.get("/facilitator/library/export/albertslund-2012.yaml").text
        )["cases"]
    ]
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6], "no two cases of a set share a number"

    broken = logged_in.post("/facilitator/library/import", files={"file": ("x.yaml", b"cases: [")})
    assert broken.status_code == 400 and "kunne ikke læses som YAML" in broken.text
    wrong = logged_in.post("/facilitator/library/import", files={"file": ("x.yaml", b"- a\n- b\n")})
    assert wrong.status_code == 400 and "eksporteret casesamling" in wrong.text


def test_a_session_plan_is_saved_as_a_template_and_reused(logged_in: TestClient) -> None:
    order = [
        "kl-09-nedlaeggelse-af-plejehjem",
        "buu-01-fremtidens-fritidstilbud",
        "kl-01-spareoevelsen",
    ]
    data = {
        "title": "Chefforum, marts",
        "group_size": 3,
        "format": "dilemma",
        "cases": order,
        "timer_discuss": "8",
        "timer_vote": "",
        "save_template": "1",
    }
    bad = logged_in.post("/facilitator/sessions", data={**data, "timer_vote": "tre"})
    assert bad.status_code == 400 and "hele minutter" in bad.text
    r = logged_in.post("/facilitator/sessions", data=data)
    assert r.status_code == 303
    code = r.headers["location"].rsplit("/", 1)[-1]
    logged_in.post(f"/facilitator/sessions/{code}/start")
    page = logged_in.get(f"/facilitator/sessions/{code}").text
    assert "Borgmesterens udtalelser" in page, "the cases run in the order they were picked"

    dashboard = logged_in.get("/facilitator").text
    assert 'href="/facilitator?template=1#ny"' in dashboard
    filled = logged_in.get("/facilitator", params={"template": 1}).text
    assert (
        'value="Chefforum, marts"' in filled
        and 'name="timer_discuss" min="0" max="60" class="num" value="8"' in filled
    )
    for index, slug in enumerate(order):
        assert f'value="{slug}" data-title=' in filled
        assert f'data-order="{index}"' in filled.split(f'value="{slug}"', 1)[1].split(">", 1)[0]
    assert '<option value="3" selected>' in filled
