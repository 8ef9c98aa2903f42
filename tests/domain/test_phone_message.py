"""Reading a phone's message: what pages send passes; anything else is refused with a reason."""

from __future__ import annotations

import pytest

from app.domain.phone_message import Refused, parse

LIMIT = 64 * 1024


def refusal(raw: str | bytes) -> Refused:
    with pytest.raises(Refused) as refused:
        parse(raw, LIMIT)
    return refused.value


def test_a_page_message_passes_and_numbers_become_text() -> None:
    message = parse('{"id": "a1", "action": "vote", "case": 7, "difficulty": 3}', LIMIT)
    assert message == {"id": "a1", "action": "vote", "case": "7", "difficulty": "3"}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b"\x00binary", "message.binary"),
        ("x" * (LIMIT + 1), "message.too_big"),
        ("not json", "message.unreadable"),
        ("[" * 20_000 + "]" * 20_000, "message.unreadable"),
        ("[1, 2]", "message.no_action"),
        ('{"action": 5}', "message.no_action"),
    ],
)
def test_unreadable_messages_are_refused(raw: str | bytes, key: str) -> None:
    assert refusal(raw).key == key


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", "123"), ("text", "123"), ("option", "true"), ("case", "1.5"), ("case", "true")],
)
def test_a_field_of_the_wrong_type_is_refused_with_its_name_and_the_id(
    field: str, value: str
) -> None:
    refused = refusal(f'{{"id": "m9", "action": "vote", "{field}": {value}}}')
    assert (refused.key, refused.params, refused.message_id) == (
        "message.not_text",
        {"field": field},
        "m9",
    )


def test_unknown_fields_are_ignored_unless_nested() -> None:
    assert parse('{"action": "vote", "extra": 1}', LIMIT)["extra"] == 1
    assert refusal('{"action": "vote", "extra": {"a": [1]}}').params == {"field": "extra"}
