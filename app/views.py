"""What each audience sees: named fragments rendered from a Room (pages and websocket pushes alike)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.models import Participant
from app.qr import qr_svg
from app.room import Room
from app.web import render

PARTICIPANT = {
    "header": "participant/partials/phone_header.html",
    "flash": "participant/partials/phone_flash.html",
    "stage": "participant/partials/phone_stage.html",
    "timer": "partials/timer.html",
    "posts": "participant/partials/group_posts.html",
    "answer": "participant/partials/group_answer_current.html",
    "answer_form": "participant/partials/answer_form.html",
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


def participant(room: Room, person: Participant, names: Iterable[str], **extra: Any) -> str:
    return fragments(PARTICIPANT, names, room=room, person=person, **extra)


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
