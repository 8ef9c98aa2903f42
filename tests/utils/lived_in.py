"""A session that people really used, played through the public surface of a real server.

Every feature that reads a session after the room (summary, exports, review, trends, purge,
retention, templates, the library) is also tested on this one, not only on a clean fixture: the
faults found from outside all lived on paths that a tidy fixture never walks.

What happens, in order: nine phones join (areas, one without an alias); the session starts; two
late joiners; a phone's socket drops mid-vote and it resends the same message; votes with reasons
in Danish with personal data typed into them; a revised reason; a participant moved; two members of
one group save the group answer at once (one wins, one gets the conflict and saves over the newer
version); a reason and an answer hidden by the facilitator; a forced reveal; a revote with
difficulty; the duty weighing heaviest marked in the vote and in group answers; the next case with groups mixed; an open-discussion case; own dilemmas submitted (one
promoted with an edit and played, one dismissed, one left); closing notes; publish.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen", "alb-01-nye-roller"]
AREAS = ["Børn og unge", "Teknik og miljø", "Social og sundhed"]
# Each alias is also planted in someone's text, with a phone number, an e-mail and a CPR number:
# none of it may reach a summary, an export or a reviewer's page.
ALIASES = ["Mette", "Jonas", "Signe", "Rasmus", "Karen", "Anders", "Louise", "", "Henrik"]
LATE = ["Birgitte", "Thomas"]
REASONS = {
    0: "Mette mener: lovligheden vejer tungest, ring 23 45 67 89.",
    1: "Som Jonas siger: fagligheden først (jonas@thisted.dk).",
    2: "Signe: åbenhed om fejl, også over for udvalget.",
    3: "Rasmus har CPR 010203-1234 i sagen, det er ikke i orden.",
    4: "Karen: vi skal sige det ligeud til borgmesteren.",
}
HIDDEN_REASON = "Anders er en idiot, skriv det bare i referatet."
WINNING_ANSWER = "Gruppen anbefaler A: Louise foreslog at spørge juristen først."
LOSING_ANSWER = "Henrik vil hellere vælge B og tale med direktøren."
MERGED_ANSWER = "Vi ender på A efter drøftelse; Henrik tager det med til direktøren."
HIDDEN_ANSWER = "Skjult svar: Birgitte og Thomas var uenige hele vejen."
OPEN_ANSWER = "Rollerne skal afklares før budgettet, siger Mette."
DILEMMAS = [
    "Min direktør bad mig skrive en indstilling, hvor tallene var pyntet. Jeg sagde det ikke højt.",
    "En borger ringede til Karen på 40 50 60 70 og ville have hjælp til en klage over udvalget.",
    "Et udvalgsmedlem beder om et notat før de andre partier får det, op til et budgetforlig.",
]
PROMOTED_TITLE = "Det pyntede notat"
MARKS = ["lovlighed", "sandhed", "lovlighed", ""]  # the duty weighing heaviest, or none marked
NOTE = "God energi i rummet; Jonas ringer til juristen om sagen."
CASE_NOTE = "Følges op næste måned (henrik@thisted.dk)."


@dataclass
class LivedIn:
    """What the room did, for the tests to check against what the app kept."""

    code: str
    people: int  # distinct persons who took part
    typed: list[str] = field(default_factory=list)  # every free text a person typed
    hidden: list[str] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)  # aliases and planted personal data
    summary_before_publish: str = ""


async def live_a_session(server: LiveServer, fac: Facilitator, title: str = "") -> LivedIn:
    """Play the whole session; returns when it is ended, noted and published."""
    code = fac.create_session(
        title or "Chefforum december",
        CASES,
        group_size=4,
        areas="\n".join(AREAS),
        save_template="1",  # the plan is kept for next month
    )
    room = LivedIn(code=code, people=len(ALIASES) + len(LATE))
    room.personal = [a for a in ALIASES + LATE if a] + [
        "23 45 67 89",
        "jonas@thisted.dk",
        "010203-1234",
        "40 50 60 70",
        "henrik@thisted.dk",
    ]
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    phones = [Phone(server.url, alias) for alias in ALIASES]
    for n, phone in enumerate(phones):
        assert (await phone.join(code)).status_code == 303
        if n % 3 != 2:  # some pick their area, some don't
            mid = await phone.send({"action": "area", "area": AREAS[n % 3]})
            await phone.reply(mid)
    await projector.shows("proj-stage", f"{len(ALIASES)} er med")

    assert fac.act(code, "start") == ""
    for alias in LATE:  # late joiners go to the smallest group with room
        phone = Phone(server.url, alias)
        assert (await phone.join(code)).status_code == 303
        phones.append(phone)
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"), what="a group")

    # Case 1: the vote. One phone's socket drops after sending; it resends the same message.
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await at_phase(phone, "vote")
    for n, phone in enumerate(phones):
        reason = REASONS.get(n, HIDDEN_REASON if n == 5 else "")
        room.typed += [reason] if reason else []
        option = "ABAC"[n % 4]
        if n == 2:
            message = {"action": "vote", "case": phone.case_id(), "option": option}
            mid = await phone.send({**message, "reason": reason})
            await phone.close()
            await phone.connect()
            await phone.send({"id": mid, **message, "reason": reason})
            await phone.reply(mid)
        else:
            await phone.vote(option, reason, duty=MARKS[n % len(MARKS)])
    # A revised reason, sent on its own.
    revised = "Mette igen: lovligheden, men også åbenhed over for borgerne."
    room.typed.append(revised)
    mid = await phones[0].send({"action": "reason", "case": phones[0].case_id(), "text": revised})
    await phones[0].reply(mid)
    hide(fac, code, "post", HIDDEN_REASON)
    room.hidden.append(HIDDEN_REASON)

    # Discussion: a participant is moved to another group.
    assert fac.act(code, "phase", action="next") == ""
    mover = phones[8]
    await at_phase(mover, "discuss")
    target = "1" if mover.group() != "1" else "2"
    assert fac.act(code, "move", participant=mover.number(), group=target) == ""
    await mover.until(lambda _: mover.group() == target, what="moved")

    # Group answer: two members of one group save at once; the loser merges and saves again.
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await at_phase(phone, "group_answer")
    groups: dict[str, list[Phone]] = {}
    for phone in phones:
        groups.setdefault(phone.group(), []).append(phone)
    first, *others = sorted(groups)
    a, b = groups[first][:2]
    await asyncio.gather(
        a.answer("A", WINNING_ANSWER, 0, duty="lovlighed"), b.answer("B", LOSING_ANSWER, 0)
    )
    for phone in (a, b):
        await phone.until(lambda p: version(p.html("answer-form")) >= 1, what="a saved version")
    # The server took one of the two; the other was refused. Now b saves over the newer version,
    # with the duty its form shows (as a browser sends it).
    await b.answer("A", MERGED_ANSWER, version(b.page.html("answer-form")), b.chosen_duty())
    await b.until(lambda p: version(p.html("answer-form")) >= 2, what="the merged answer saved")
    for phone in groups[first]:  # the savers' own replies and the others' pushes end alike
        await phone.shows("group-answer-current", MERGED_ANSWER)
    room.typed += [WINNING_ANSWER, LOSING_ANSWER, MERGED_ANSWER]
    for n, group in enumerate(others):
        writer = groups[group][0]
        text = HIDDEN_ANSWER if n == 0 else f"Gruppe {group} vælger C; Signe skriver referat."
        await writer.answer("C", text, 0, duty="sandhed")
        await writer.until(lambda p: version(p.html("answer-form")) >= 1, what="saved")
        room.typed.append(text)
    hide(fac, code, "answer", HIDDEN_ANSWER)
    room.hidden.append(HIDDEN_ANSWER)

    # Reveal, forced (no timer ran), then the revote with difficulty.
    assert fac.act(code, "phase", action="next", force="1") == ""
    assert fac.act(code, "phase", action="next") == ""
    for n, phone in enumerate(phones):
        await at_phase(phone, "revote")
        mid = await phone.send(
            {
                "action": "vote",
                "case": phone.case_id(),
                "option": "AABA"[n % 4],
                "difficulty": str(1 + n % 5),
            }
        )
        await phone.reply(mid)
    assert fac.act(code, "phase", action="next") == ""

    # Case 2, open discussion, groups mixed at random.
    assert fac.act(code, "next-case", mode="random") == ""
    for phone in phones:
        await at_phase(phone, "present")
    assert fac.act(code, "phase", action="next") == ""  # discussion
    assert fac.act(code, "phase", action="next") == ""  # group answer
    for phone in phones:
        await at_phase(phone, "group_answer")
    writers = {phone.group(): phone for phone in phones}
    for group, writer in sorted(writers.items()):
        await writer.answer("", OPEN_ANSWER if group == "1" else f"Gruppe {group}: roller.", 0)
        await writer.until(lambda p: version(p.html("answer-form")) >= 1, what="saved")
    room.typed.append(OPEN_ANSWER)
    assert fac.act(code, "phase", action="next") == ""
    assert fac.act(code, "phase", action="next") == ""

    # Own dilemmas: three sent from phones; one edited and promoted and played, one dismissed.
    for phone, text in zip(phones, DILEMMAS, strict=False):
        r = await phone.http.post("/p/dilemma", data={"text": text, "duties": ["lovlighed"]})
        assert r.status_code == 200 and "flash-error" not in r.text, r.text
    room.typed += DILEMMAS
    ids = submission_ids(fac, code)
    assert len(ids) == len(DILEMMAS), ids
    edited = DILEMMAS[0] + " Hvad gør jeg nu?"
    moderate(fac, code, ids[0], "promote", title=PROMOTED_TITLE, text=edited, duty="sandhed")
    moderate(fac, code, ids[1], "dismiss")
    room.typed.append(edited)
    assert fac.act(code, "next-case", mode="keep") == ""
    for phone in phones:
        await at_phase(phone, "present")
    for _ in range(10):  # to the end of the case, whatever its phases
        if fac.act(code, "phase", action="next", force="1"):
            break

    r = fac.http.post(f"/facilitator/sessions/{code}/end")
    assert r.status_code == 200 and "flash-error" not in r.text, r.text
    r = fac.http.post(
        f"/facilitator/sessions/{code}/notes", data={"note": NOTE, "note_1": CASE_NOTE}
    )
    assert r.status_code == 303, r.text
    room.typed += [NOTE, CASE_NOTE]
    room.summary_before_publish = fac.http.get(f"/facilitator/sessions/{code}/summary.json").text
    page = fac.http.get(f"/facilitator/sessions/{code}/summary").text
    readers = re.findall(r'name="reader" value="(\d+)"', page)  # every reviewer there is, ticked
    r = fac.http.post(f"/facilitator/sessions/{code}/publish", data={"reader": readers})
    assert r.status_code == 303, r.text

    for phone in phones:
        await phone.aclose()
    await projector.close()
    return room


async def at_phase(phone: Phone, phase: str) -> None:
    await phone.until(lambda _: phone.phase() == phase, what=f"phase {phase}")


def version(form: str) -> int:
    found = re.search(r'name="base_version" value="(\d+)"', form)
    return int(found.group(1)) if found else 0


def hide(fac: Facilitator, code: str, kind: str, text: str) -> None:
    """Press "Skjul" beside the text on the control page."""
    page = fac.http.get(f"/facilitator/sessions/{code}").text
    item = next(li for li in page.split("<li") if text in li)
    found = re.search(r'"kind": "(\w+)", "id": "(\d+)"', item)
    assert found and found.group(1) == kind, item
    assert fac.act(code, "hide", kind=kind, id=found.group(2), hidden="1") == ""


def submission_ids(fac: Facilitator, code: str) -> list[int]:
    page = fac.http.get(f"/facilitator/sessions/{code}/dilemmas").text
    return sorted(int(n) for n in re.findall(r"/dilemmas/(\d+)\"", page))


def moderate(fac: Facilitator, code: str, item: int, action: str, **form: str) -> None:
    r = fac.http.post(
        f"/facilitator/sessions/{code}/dilemmas/{item}", data={"action": action, **form}
    )
    assert r.status_code == 303, r.text


async def a_short_session(server: LiveServer, fac: Facilitator, title: str) -> str:
    """Four phones vote, answer as a group and revote on one case; the session ends. Its code."""
    code = fac.create_session(title, CASES[:1], group_size=4)
    phones = [Phone(server.url, alias) for alias in ("Ida", "Ole", "Pia", "Uffe")]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for n, phone in enumerate(phones):
        await at_phase(phone, "vote")
        await phone.vote("AB"[n % 2], f"{phone.alias} begrunder sin stemme.")
    assert fac.act(code, "phase", action="next") == ""
    assert fac.act(code, "phase", action="next") == ""
    await at_phase(phones[0], "group_answer")
    await phones[0].answer("A", "Vi vælger A; Ole skriver det ned.", 0)
    await phones[0].until(lambda p: version(p.html("answer-form")) >= 1, what="saved")
    assert fac.act(code, "phase", action="next") == ""
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await at_phase(phone, "revote")
        await phone.vote("A")
    assert fac.act(code, "phase", action="next") == ""
    r = fac.http.post(f"/facilitator/sessions/{code}/end")
    assert r.status_code == 200 and "flash-error" not in r.text, r.text
    for phone in phones:
        await phone.aclose()
    return code
