"""A phone's websocket message, read and checked before anything is applied.

Pages send flat JSON objects whose values are strings (htmx sends form fields). A script or a
broken page may send anything else: bytes, deep nesting, numbers where text belongs. Each is
refused with a reason, never dropped silently (a vote acknowledged without its reason would be a
lie) and never left to raise deep in a handler.
"""

from __future__ import annotations

import json
from typing import Any

from app.domain import RuleError

# Fields whose value is a person's words or a choice: only text is accepted.
TEXT_FIELDS = frozenset(
    {"id", "action", "option", "reason", "duty", "text", "area"}
    # kollegasparring with own cases (app.casework)
    | {"title", "on", "takeaway", "share", "brief", "keep_open", "questions"}
)
# Fields that name a number: a page sends them as text, a script may send a JSON number.
NUMBER_FIELDS = frozenset({"case", "gcase", "base_version", "difficulty"})


class Refused(RuleError):
    """A message refused before it was read as an action; `message_id` if it had one, so the
    page stops resending it."""

    def __init__(self, key: str, /, message_id: str = "", **params: object) -> None:
        super().__init__(key, **params)
        self.message_id = message_id


def parse(raw: str | bytes, limit: int) -> dict[str, Any]:
    """The message as a dict of str values (numbers given as numbers become their text)."""
    if isinstance(raw, bytes):
        raise Refused("message.binary")
    if len(raw.encode()) > limit:
        raise Refused("message.too_big", most=limit // 1024)
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested thousands deep
        raise Refused("message.unreadable") from exc
    if not isinstance(message, dict):
        raise Refused("message.no_action")
    given = message.get("id")
    mid = given if isinstance(given, str) else ""
    if not isinstance(message.get("action"), str):
        raise Refused("message.no_action", message_id=mid)
    bad = next((key for key, value in message.items() if not _fits(key, value)), None)
    if bad is not None:
        raise Refused("message.not_text", message_id=mid, field=bad)
    return {key: _plain(key, value) for key, value in message.items()}


def _number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fits(key: str, value: object) -> bool:
    if key in NUMBER_FIELDS:
        return isinstance(value, str) or _number(value)
    if key in TEXT_FIELDS:
        return isinstance(value, str)
    return not isinstance(value, dict | list)  # an unknown field is ignored, but never nested


def _plain(key: str, value: object) -> object:
    return str(value) if key in NUMBER_FIELDS and _number(value) else value
