"""Planted personal data, typed into every free-text field over the real surface, reaches no export."""

from __future__ import annotations

import asyncio
import io
import re

from pypdf import PdfReader

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

ALIASES = ["Kirsten", "Bjørn", "Yrsa", "Holger", "Malthe", "Ingeborg"]
PII = [
    "010190-1234",
    "2906731122",
    "kirsten.hansen@kk.dk",
    "b.l@sub.region.dk",
    "12 34 56 78",
    "+4587654321",
    "0045 22 33 44 55",
    "87654321",
]
PLANTED = "Spørg {alias}: cpr 010190-1234 / 2906731122, kirsten.hansen@kk.dk, b.l@sub.region.dk, tlf. 12 34 56 78, +4587654321, 0045 22 33 44 55 eller 87654321."
KEEP = "sag 12/16033 om 9 mio. kr. den 12.03.2024"


def test_planted_pii_reaches_no_export(server: LiveServer, facilitator: Facilitator) -> None:
    code = asyncio.run(_session(server, facilitator))
    base = f"/facilitator/sessions/{code}"
    notes = {"note": PLANTED.format(alias="holger") + " " + KEEP}
    notes["note_1"] = PLANTED.format(alias="INGEBORG")
    assert facilitator.http.post(f"{base}/notes", data=notes).status_code == 303
    exports = {
        fmt: facilitator.http.get(f"{base}/summary.{fmt}") for fmt in ("json", "md", "csv", "pdf")
    }
    texts = {fmt: r.text for fmt, r in exports.items() if fmt != "pdf"}
    pdf = PdfReader(io.BytesIO(exports["pdf"].content))
    texts["pdf"] = " ".join(page.extract_text() for page in pdf.pages)
    texts["page"] = facilitator.http.get(f"{base}/summary").text
    for fmt, text in texts.items():
        flat = " ".join(text.split())
        for secret in PII:
            assert secret not in flat and secret.replace(" ", "") not in flat, (fmt, secret)
        for alias in ALIASES:
            assert not re.search(rf"(?<!\w){alias}(?!\w)", flat, re.IGNORECASE), (fmt, alias)
        assert "[fjernet]" in flat, fmt
    for fmt in ("json", "md", "pdf", "page"):
        assert KEEP in " ".join(texts[fmt].split()), fmt
        assert texts[fmt].count("Vi stemmer A") >= 2, "both group answers are in the summary"


async def _session(server: LiveServer, fac: Facilitator) -> str:
    code = fac.create_session("Chefforum med Yrsa (yrsa@kk.dk)", ["kl-01-spareoevelsen"], 3)
    phones = [Phone(server.url, alias) for alias in ALIASES]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for i, phone in enumerate(phones):
        await phone.shows("phone-stage", "Hvad ville du gøre?")
        other = ALIASES[(i + 1) % len(ALIASES)].lower()
        await phone.vote("AB"[i % 2], reason=PLANTED.format(alias=other))
    assert fac.act(code, "phase", action="skip") == ""  # vote -> past discuss -> group answer
    writers = {}
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="group answer")
        writers.setdefault(phone.group(), phone)
    for phone in writers.values():
        other = ALIASES[-1 - ALIASES.index(phone.alias)].upper()
        await phone.answer("A", f"Vi stemmer A. {PLANTED.format(alias=other)} {KEEP}", 0)
        await phone.shows("answer-form", "Gruppens svar er gemt")
    assert fac.act(code, "phase", action="skip") == ""  # group answer -> past reveal -> revote
    for phone in phones:
        await phone.shows("phone-stage", "Stem igen")
        await phone.vote("A")
    assert fac.act(code, "end") == ""
    for phone in phones:
        await phone.aclose()
    return code
