"""Which fragments an event redraws: a join disturbs only the staff counts (coalesced) and the
newcomer's own group; a hidden text redraws the phones only while they show the results (in a large
room only its own group's)."""

from __future__ import annotations

from app.feed import GROUP_SHARED
from app.live_rules import Audience, answer_push, fragments_for


def test_a_join_updates_staff_counts_in_batches_and_only_the_newcomers_group() -> None:
    join = {"type": "join", "group": 2}
    assert fragments_for(Audience.PROJECTOR, join, None) == (("header", "stage", "progress"), True)
    assert fragments_for(Audience.FACILITATOR, join, None) == (
        ("status", "progress", "groups", "cases"),
        True,
    )
    assert fragments_for(Audience.PARTICIPANT, join, 2) == (("posts",), False)
    assert fragments_for(Audience.PARTICIPANT, join, 1) == ((), False)
    lobby = {"type": "join", "group": None}
    assert fragments_for(Audience.PARTICIPANT, lobby, None) == ((), False)


def test_hiding_a_text_redraws_the_phones_only_while_they_show_the_results() -> None:
    showing = {"type": "moderated", "phones": True}
    assert fragments_for(Audience.PARTICIPANT, showing, 1) == (("stage",), False)
    quiet = {"type": "moderated", "phones": False}
    assert fragments_for(Audience.PARTICIPANT, quiet, 1) == ((), False)
    assert fragments_for(Audience.PROJECTOR, quiet, None) == (("stage",), False)


def test_a_groups_case_reaches_its_groups_phones_and_the_staff_never_a_text() -> None:
    changed = {"type": "case", "groups": [4]}
    assert fragments_for(Audience.PARTICIPANT, changed, 4) == (("groupcase",), False)
    assert fragments_for(Audience.PARTICIPANT, changed, 5) == ((), False)
    everyone = {"type": "case", "groups": None}
    assert fragments_for(Audience.PARTICIPANT, everyone, 5) == (("groupcase",), False)
    assert fragments_for(Audience.PROJECTOR, changed, None) == (("progress",), False)
    assert fragments_for(Audience.FACILITATOR, changed, None) == (("cases", "progress"), False)


def test_a_hidden_answer_in_a_large_room_redraws_only_its_own_groups_phones() -> None:
    # Above PHONE_ANSWERS_MAX groups each phone's results hold its own group's answer only: the
    # answer event redraws that group's (the feed keeps own_answer while the results show).
    showing = {"type": "moderated", "phones": True}
    assert fragments_for(Audience.PARTICIPANT, showing, 1, every_answer=False) == ((), False)
    assert fragments_for(Audience.PROJECTOR, showing, None, every_answer=False) == (
        ("stage",),
        False,
    )
    answer = {"type": "answer", "group": 4}
    assert fragments_for(Audience.PARTICIPANT, answer, 4) == (
        ("answer", "answer_form", "own_answer"),
        True,
    )
    assert fragments_for(Audience.PARTICIPANT, answer, 5) == ((), False)


def test_a_phase_change_redraws_a_phones_stage_and_a_regrouping_its_header() -> None:
    # The header (title, group, who) does not change with the phase; the start's phase says the
    # room was regrouped, which gives every phone its whole view, new header and all
    # (tests/live/test_full_session.py sees the group badge arrive).
    phase = {"type": "phase"}
    names, coalesced = fragments_for(Audience.PARTICIPANT, phase, 1)
    assert "stage" in names and "header" not in names and not coalesced
    start = fragments_for(Audience.PARTICIPANT, {"type": "phase", "regrouped": True}, 1)
    assert set(start[0]) == {"header", "stage", "flash", "dilemma"}
    assert fragments_for(Audience.PARTICIPANT, {"type": "groups"}, 1, moved=True)[0] == (
        "header",
        "stage",
    )
    assert "header" in fragments_for(Audience.PARTICIPANT, {"type": "resync"}, 1)[0]
    assert "header" in fragments_for(Audience.PROJECTOR, phase, None)[0]


def test_a_groups_new_answer_is_rendered_once_for_the_whole_group() -> None:
    # The feed renders a push once per group only when all its fragments are the group's alike
    # (app.feed.GROUP_SHARED); one fragment of the phone's own made 1,000 renders of 250.
    names, coalesced = fragments_for(Audience.PARTICIPANT, {"type": "answer", "group": 4}, 4)
    assert names and coalesced and GROUP_SHARED.issuperset(names)


def test_a_phone_whose_reply_showed_the_answer_is_not_pushed_it_again() -> None:
    # A phone whose reply to its save showed the group's answer at the version the push would
    # show keeps only what the reply did not carry; a reply that showed an older version (or
    # none) leaves the push whole.
    names = ("answer", "answer_form", "own_answer")
    assert answer_push(names, False, (4, 2), (4, 2)) == (("own_answer",), ())
    assert answer_push(names, False, (4, 1), (4, 2)) == (names, ())
    assert answer_push(names, False, None, (4, 2)) == (names, ())
    assert answer_push(names, False, (3, 2), (4, 2)) == (names, ())  # moved since: another group
    assert answer_push(("stage",), False, (4, 2), (4, 2)) == (("stage",), ())


def test_a_phone_whose_own_save_is_with_the_writer_waits_for_its_reply() -> None:
    # Its reply comes after its save's commit, after the change being pushed: the answer is
    # held back (the next round sees what the reply showed); the rest goes now.
    names = ("answer", "answer_form", "own_answer")
    assert answer_push(names, True, None, (4, 1)) == (("own_answer",), ("answer", "answer_form"))
    assert answer_push(("posts",), True, None, (4, 1)) == (("posts",), ())
