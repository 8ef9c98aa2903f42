"""A corpus of notations and near-misses, typed through the real surface (case form, join, websocket,
notes), must come out scrubbed, and the near-misses whole, in every export and on the reviewer's pages.

The notations and near-misses are the scrubber's own lists (tests/domain/test_anonymise.py); here they
travel through every field that reaches a summary: the session title, a case the facilitator wrote
(title, question, options), the group answers and the closing notes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import serve
from tests.domain.test_anonymise import KEPT, TYPED
from tests.utils.clients import Facilitator, Phone, arm_csrf, page_text
from tests.utils.server import REVIEWER, LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, not the shared one: the reviewer's list must hold only this
    module's summary."""
    yield from serve(tmp_path_factory)


ALIASES = ["Kirsten", "Bo", "Leder", "Chef", "Yrsa", "Malthe"]
NAMES = [
    "Kirsten",
    "Yrsa",
    "Malthe",
    "Jensen",
    "Hansen",
    "Sørensen",
    "Birgitte",
    "Ingeborg",
    "Mette",
]
CASE = {
    "title": "Sagen om Jensen",
    "set": "egne",
    "duty": "lovlighed",
    "text": "Birgitte Hansen (tlf. 12-34-56-78) ringer.",
    "question": "Hvad gør du, når Birgitte ringer fra 12.34.56.78?",
    "options": "\n".join(
        [
            "Jeg ringer til Kirstens chef på (+45) 12345678",
            "Jeg skriver til mette snabel-a kk.dk",
            "Jeg sender CPR 01.01.90 1234 videre",
            "Jeg giver Hansen besked i lokale 2.14 kl. 10.30",
        ]
    ),
    "prompts": "Hvad ville Sørensen gøre?",
    "source_document": "",
    "source_ref": "",
    "language": "da",
}
CORPUS = " ".join(f"Før {typed} efter." for typed in TYPED)
KEEP = " ".join(f"{text}." for text in KEPT)


def test_every_notation_is_scrubbed_and_every_near_miss_kept_in_every_format(
    server: LiveServer, facilitator: Facilitator
) -> None:
    code = asyncio.run(_session(server, facilitator))
    base = f"/facilitator/sessions/{code}"
    notes = {"note": f"{CORPUS} {KEEP}", "note_1": CORPUS}
    assert facilitator.http.post(f"{base}/notes", data=notes).status_code == 303
    texts = {fmt: page_text(facilitator.http, f"{base}/summary.{fmt}") for fmt in FORMATS}
    texts["page"] = page_text(facilitator.http, f"{base}/summary")
    texts["draft"] = page_text(facilitator.http, f"{base}/draft")
    server.add_user(*REVIEWER, role="reviewer")
    readers = re.findall(
        r'name="reader" value="(\d+)"', page_text(facilitator.http, f"{base}/summary")
    )
    r = facilitator.http.post(f"{base}/publish", data={"reader": readers})  # to the reviewer
    assert r.status_code == 303
    reviewer = _reviewer(server)
    texts["review list"] = page_text(reviewer, "/review")
    texts["review page"] = page_text(reviewer, f"/review/sessions/{code}")
    for fmt in FORMATS:
        texts[f"review .{fmt}"] = page_text(reviewer, f"/review/sessions/{code}/summary.{fmt}")
    for where, text in texts.items():
        flat = " ".join(text.split())
        assert _leaks(text) == [], where
        assert "[fjernet]" in flat, where
        if where not in ("csv", "review .csv", "review list"):
            assert "Leder og medarbejder" in flat, (where, "an alias that is a word")
        if where in ("md", "json", "pdf", "page", "review page", "review .md"):
            for kept in KEPT:
                assert " ".join(kept.split()) in flat, (where, kept)
    assert "Spørg [fjernet] om det. [fjernet] mener nej." in " ".join(texts["md"].split())
    for where in ("csv", "review .csv"):  # the options as the facilitator wrote them, scrubbed
        assert "lokale 2.14 kl. 10.30" in texts[where] and "Hansen" not in texts[where]


FORMATS = ("md", "json", "csv", "pdf")
SECRETS = [
    r"90\W{0,3}1234",  # every planted CPR number ends so
    r"1234\W?5678",
    r"12\W?34\W?56\W?78",
    r"kk\W{0,3}(\.|dot|punktum)\W{0,3}dk",
    r"i\W+r\W+s\W+t",  # K i r s t e n
]


def _leaks(text: str) -> list[str]:
    flat = " ".join(text.split())
    found = [s for s in SECRETS if re.search(s, flat, re.IGNORECASE)]
    found += [n for n in NAMES if re.search(rf"(?<!\w){n}", flat, re.IGNORECASE)]
    found += [s for s in ("Kir-\nsten", "Kirs\nten") if s in text]
    return found


def _reviewer(server: LiveServer) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=10)
    http.get("/review/login")
    arm_csrf(http)
    r = http.post("/review/login", data={"username": REVIEWER[0], "password": REVIEWER[1]})
    assert r.status_code == 303, r.text
    return http


async def _session(server: LiveServer, fac: Facilitator) -> str:
    r = fac.http.post("/facilitator/library/new", data=CASE)
    assert r.status_code == 303, r.text
    slug = r.headers["location"].rsplit("/", 1)[-1]
    code = fac.create_session(
        "Leder og medarbejder: dialog med Kirsten (kirsten(at)kk.dk)", [slug], 3
    )
    phones = [Phone(server.url, alias) for alias in ALIASES]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for i, phone in enumerate(phones):
        await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="the vote")
        await phone.vote("AB"[i % 2], reason=CORPUS[:500])
    assert fac.act(code, "phase", action="skip") == ""  # vote -> past discuss -> group answer
    writers: dict[str, Phone] = {}
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="group answer")
        writers.setdefault(phone.group(), phone)
    for phone in writers.values():
        await phone.answer("A", f"Spørg Bo om det. Bo mener nej. {CORPUS} {KEEP}", 0)
        await phone.shows("answer-form", "Gruppens svar er gemt")
    assert fac.act(code, "phase", action="skip") == ""  # group answer -> past reveal -> revote
    for phone in phones:
        await phone.shows("phone-stage", "Stem igen")
        await phone.vote("A")
    assert fac.act(code, "end") == ""
    for phone in phones:
        await phone.aclose()
    return code
