"""What each audience sees: named fragments rendered from a Room (pages and websocket pushes alike)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app import i18n
from app.domain.phases import Status
from app.models import Participant
from app.qr import qr_svg
from app.room import Room, own_room
from app.web import for_group, once, render, seconds_left

PARTICIPANT = {
    "header": "participant/partials/phone_header.html",
    "flash": "participant/partials/phone_flash.html",
    "stage": "participant/partials/phone_stage.html",
    "timer": "partials/timer.html",
    "posts": "participant/partials/group_posts.html",
    "answer": "participant/partials/group_answer_current.html",
    "answer_form": "participant/partials/answer_form.html",
    "answer_base": "participant/partials/answer_base.html",
    "vote_form": "participant/partials/vote_form.html",
    "reason_form": "participant/partials/reason_form.html",
    "dilemma": "participant/partials/dilemma_form.html",
    "groupcase": "participant/partials/group_case.html",
    "own_answer": "participant/partials/own_answer.html",
}
PROJECTOR = {
    "header": "projector/partials/proj_header.html",
    "stage": "projector/partials/proj_stage.html",
    "timer": "partials/timer.html",
    "progress": "partials/progress.html",
    "duties": "projector/partials/proj_duties.html",
}
FACILITATOR = {
    "status": "facilitator/partials/ctl_status.html",
    "timer": "partials/timer.html",
    "timer_controls": "facilitator/partials/ctl_timer.html",
    "progress": "partials/progress.html",
    "groups": "facilitator/partials/ctl_groups.html",
    "cases": "facilitator/partials/ctl_cases.html",
    "submissions": "facilitator/partials/ctl_submissions.html",
    "gate": "facilitator/partials/ctl_gate.html",
    "texts": "facilitator/partials/ctl_texts.html",
    "flash": "facilitator/partials/ctl_flash.html",
    "end": "facilitator/partials/ctl_end.html",
}


def fragments(table: dict[str, str], names: Iterable[str], **context: Any) -> str:
    return "\n".join(render(table[name], **context) for name in names)


def participant(room: Room, person: Participant, names: Iterable[str]) -> str:
    return "\n".join(_phone_part(room, person, name) for name in names)


def phone_reply(batch: Room, person: Participant, names: Iterable[str], **facts: Any) -> str:
    """A phone's reply to its own message, from the room its batch left (`batch`) with the reply's
    facts (a notice, an ack, a conflict). Its forms read its own rows only (app.room.own_room);
    its group's answer, the answer's form and a refused save's newer version are the same on each
    of the group's phones: rendered once for all the group's replies, three of four at a crowd's
    group answer. The flash reads no room."""
    own: Room | None = None
    parts: list[str] = []
    for name in names:
        if name == "answer":
            parts.append(for_group(batch, person, PARTICIPANT[name]))
        elif name in ("answer_form", "answer_base"):
            parts.append(_group_part(batch, person, name, facts))
        elif name == "flash":
            parts.append(render(PARTICIPANT[name], **facts))
        else:
            if own is None:  # built once per reply, and only for a fragment that reads it
                own = own_room(batch, person)
            parts.append(render(PARTICIPANT[name], room=own, batch=batch, person=person, **facts))
    return "\n".join(parts)


# What a group-answer reply's parts show of its facts: whether it was saved, or refused.
GROUP_FACTS = ("ack", "conflict")


def _group_part(batch: Room, person: Participant, name: str, facts: dict[str, Any]) -> str:
    """The answer's form (a save's ack) or its base (a refusal): nothing of the phone's own, so
    rendered once per group, language and outcome for the batch's replies."""
    shown = {fact: facts[fact] for fact in GROUP_FACTS if fact in facts}
    key = (name, person.group_id, i18n.current.get(), *sorted(shown.items()))
    return once(batch, key, PARTICIPANT[name], person=person, **shown)


def _phone_part(room: Room, person: Participant, name: str) -> str:
    """One fragment of a phone's view; one that reads nothing of its person is rendered once per
    room and language (a phase change renders every phone's view: at the start a thousand stages
    showing the same case, over half of each phone's render)."""
    if not _same_on_every_phone(room, person, name):
        return render(PARTICIPANT[name], room=room, person=person)
    # The stage's timer counts down from the seconds left when it was rendered.
    key = ("phone", name, i18n.current.get(), seconds_left(room.deadline))
    return once(room, key, PARTICIPANT[name], person=person)


def _same_on_every_phone(room: Room, person: Participant, name: str) -> bool:
    """The flash (without a reply's facts), the own-dilemma form, and the stage while the case is
    presented or the session has ended (phone_stage.html: nothing of its person but whether they
    were removed; own cases show each person's part from the start)."""
    if name in ("flash", "dilemma"):
        return True
    if name != "stage" or person.left_at is not None:
        return False
    return room.status is Status.ENDED or (room.presenting and not room.own_cases)


def join_links(base_url: str, code: str) -> dict[str, str]:
    """The join URL for the QR code and the short form people type (host without scheme)."""
    base = base_url.rstrip("/")
    return {
        "join_url": f"{base}/j/{code}",
        "join_url_short": base.split("://", 1)[-1],
        "qr_svg": qr_svg(f"{base}/j/{code}"),
    }


def projector(room: Room, names: Iterable[str], base_url: str) -> str:
    return fragments(PROJECTOR, names, room=room, **join_links(base_url, room.session.code))


def facilitator(room: Room, names: Iterable[str], **extra: Any) -> str:
    return fragments(FACILITATOR, names, room=room, **extra)


def facilitator_flash(error: str) -> str:
    return render(FACILITATOR["flash"], error=error)


def participant_flash(error: str, msg: str = "") -> str:
    """A message for the phone; `msg` is the id of the message it answers (the page stops resending)."""
    return render(PARTICIPANT["flash"], error=error, msg=msg)
