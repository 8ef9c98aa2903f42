"""Kollegasparring with own cases: roles, tasks, who sees a case, progress, placement, consent."""

from __future__ import annotations

import pytest

from app.domain import RuleError
from app.domain import casework as cw
from app.domain.casework import CaseFacts, Origin, Role, Share
from app.domain.phases import Format, Phase, Status, check_transition, previous_phase, sequence


def case(id: int = 1, group: int | None = 10, giver: int | None = 7, **kw: object) -> CaseFacts:
    return CaseFacts(id=id, group=group, giver=giver, origin=kw.pop("origin", Origin.OWN), **kw)  # type: ignore[arg-type]


def test_the_thisted_steps_in_order_and_the_follow_up_first_in_a_series() -> None:
    plain = sequence(Format.KOLLEGASPARRING, False, group_cases=True)
    assert plain == (
        Phase.CHOOSE,
        Phase.PRESENT,
        Phase.CLARIFY,
        Phase.REFLECT,
        Phase.GROUP_ANSWER,
        Phase.TAKEAWAY,
        Phase.CLOSED,
    )
    series = sequence(Format.KOLLEGASPARRING, False, group_cases=True, follow_ups=True)
    assert series[:3] == (Phase.CHOOSE, Phase.FOLLOW_UP, Phase.PRESENT)
    assert Phase.REVEAL not in series  # nothing is revealed to the room: cases stay in the groups
    # The one-case-for-the-room variant is unchanged.
    assert sequence(Format.KOLLEGASPARRING, False)[0] is Phase.PRESENT
    with pytest.raises(RuleError):
        previous_phase(Phase.CHOOSE, plain)
    assert previous_phase(Phase.PRESENT, plain) is Phase.CHOOSE
    assert check_transition(Phase.CHOOSE, Phase.CLARIFY, plain) is Phase.CLARIFY


def test_role_and_task_per_step() -> None:
    c = case(giver=7)
    assert cw.role(7, c) is Role.GIVER and cw.role(8, c) is Role.MEMBER
    assert cw.role(7, None) is Role.MEMBER
    assert cw.task(Phase.PRESENT, Role.GIVER, True) == "present.giver"
    assert cw.task(Phase.CLARIFY, Role.MEMBER, True) == "clarify.member"
    assert cw.task(Phase.PRESENT, Role.MEMBER, False) == "no_case"
    assert cw.task(Phase.PRESENT, Role.MEMBER, True, has_giver=False) == "no_giver"
    assert cw.task(Phase.FOLLOW_UP, Role.GIVER, False) == "follow_up.giver"
    assert cw.task(None, Role.MEMBER, True) == ""


def test_a_case_is_seen_by_its_group_only_and_the_facilitator_only_what_it_handed_out() -> None:
    c = case(group=10, giver=7)
    assert cw.phone_sees_case(10, 8, c)
    assert not cw.phone_sees_case(11, 9, c)
    assert not cw.phone_sees_case(None, 9, c)
    assert cw.phone_sees_case(11, 7, c)  # the case-giver keeps seeing their own case
    carried = case(group=10, giver=7, origin=Origin.CARRIED)
    assert not cw.phone_sees_case(10, 8, carried)  # last meeting's case: told, not shown
    assert cw.phone_sees_case(10, 7, carried)
    assert not cw.facilitator_sees_text(Origin.OWN)
    assert not cw.facilitator_sees_text(Origin.CARRIED)
    assert cw.facilitator_sees_text(Origin.SUBMISSION) and cw.facilitator_sees_text(Origin.LIBRARY)


def test_progress_per_step() -> None:
    assert cw.step_done(Phase.CHOOSE, case(giver=7))
    assert not cw.step_done(Phase.CHOOSE, case(giver=None))
    assert not cw.step_done(Phase.CHOOSE, None)
    assert cw.step_done(Phase.CLARIFY, case(done_phase="clarify"))
    assert not cw.step_done(Phase.REFLECT, case(done_phase="clarify"))
    assert cw.step_done(Phase.GROUP_ANSWER, case(advice=True))
    assert not cw.step_done(Phase.TAKEAWAY, case())
    assert cw.step_done(Phase.TAKEAWAY, case(closed=True))


def test_what_may_be_done_when() -> None:
    cw.check_write(Status.LOBBY, None)
    cw.check_write(Status.RUNNING, Phase.CHOOSE)
    with pytest.raises(RuleError, match="write_closed"):
        cw.check_write(Status.RUNNING, Phase.REFLECT)
    with pytest.raises(RuleError, match="ended"):
        cw.check_write(Status.ENDED, None)
    with pytest.raises(RuleError, match="giver_listens"):
        cw.check_mark_duty(Status.RUNNING, Phase.REFLECT, Role.GIVER)
    cw.check_mark_duty(Status.RUNNING, Phase.REFLECT, Role.MEMBER)
    cw.check_mark_duty(Status.RUNNING, Phase.TAKEAWAY, Role.GIVER)  # they decide what leaves
    with pytest.raises(RuleError, match="duties_closed"):
        cw.check_mark_duty(Status.RUNNING, Phase.CLARIFY, Role.MEMBER)
    with pytest.raises(RuleError, match="has_giver"):
        cw.check_take(10, case(giver=7))
    with pytest.raises(RuleError, match="no_case"):
        cw.check_take(11, case(giver=None))
    cw.check_take(10, case(giver=None))
    assert cw.check_done(Status.RUNNING, Phase.CLARIFY, case()) is Phase.CLARIFY
    with pytest.raises(RuleError, match="nothing_to_mark"):
        cw.check_done(Status.RUNNING, Phase.GROUP_ANSWER, case())
    with pytest.raises(RuleError, match="merge_two_cases"):
        cw.check_merge(1, 2, True, True)
    with pytest.raises(RuleError, match="merge_same"):
        cw.check_merge(1, 1, False, False)
    cw.check_merge(1, 2, True, False)


def test_only_the_case_giver_closes_and_sharing_the_case_needs_its_brief() -> None:
    with pytest.raises(RuleError, match="giver_only"):
        cw.check_close(Status.RUNNING, Phase.TAKEAWAY, Role.MEMBER, "advice", "")
    with pytest.raises(RuleError, match="close_closed"):
        cw.check_close(Status.RUNNING, Phase.GROUP_ANSWER, Role.GIVER, "advice", "")
    with pytest.raises(RuleError, match="brief_needed"):
        cw.check_close(Status.RUNNING, Phase.TAKEAWAY, Role.GIVER, "case", "kort")
    with pytest.raises(RuleError, match="share_unknown"):
        cw.check_close(Status.RUNNING, Phase.TAKEAWAY, Role.GIVER, "everything", "")
    assert cw.check_close(Status.RUNNING, Phase.CLOSED, Role.GIVER, "none", "") is Share.NOTHING


def test_consent_decides_what_leaves_the_group() -> None:
    duties, advice = ["loyalitet"], "Tal med direktøren først."
    assert cw.shared(Share.NOTHING, duties, advice, "T", "B") is None
    only = cw.shared(Share.ADVICE, duties, advice, "Titel", "Brief")
    assert only == cw.Shared(("loyalitet",), advice)  # no title, no case
    whole = cw.shared(Share.CASE, duties, advice, "Titel", "Brief")
    assert whole is not None and (whole.title, whole.brief) == ("Titel", "Brief")


def test_cases_follow_their_givers_one_per_group() -> None:
    a = case(id=1, group=None, giver=7)  # written in the lobby
    b = case(id=2, group=None, giver=8)  # a second case-giver in the same group: waits
    c = case(id=3, group=None, giver=9)
    given = case(id=4, group=12, giver=None, origin=Origin.SUBMISSION)
    gone = case(id=5, group=13, giver=None, origin=Origin.LIBRARY)
    carried = case(id=6, group=None, giver=8, origin=Origin.CARRIED)
    groups = {7: 10, 8: 10, 9: 11, 20: 12}
    placed = cw.place([c, b, a, given, gone, carried], groups, {10, 11, 12})
    assert placed == {1: 10, 2: None, 3: 11, 4: 12, 5: None, 6: 10}
    # Person 8 moves to group 13 (new, no case): their case follows; case 1 stays where it was.
    moved = [
        case(id=1, group=10, giver=7),
        case(id=2, group=None, giver=8),
        case(id=3, group=11, giver=9),
    ]
    assert cw.place(moved, {7: 10, 8: 13, 9: 11}, {10, 11, 13}) == {1: 10, 2: 13, 3: 11}
    # The first case-giver leaves for group 11, which has a case: theirs waits, 10 takes the next.
    again = cw.place(
        [
            case(id=1, group=10, giver=7),
            case(id=2, group=None, giver=8),
            case(id=3, group=11, giver=9),
        ],
        {7: 11, 8: 10, 9: 11},
        {10, 11},
    )
    assert again == {1: None, 2: 10, 3: 11}


def test_notes_are_stripped_and_bounded() -> None:
    assert cw.check_note("  Det gik.  ") == "Det gik."
    with pytest.raises(RuleError, match="too_long"):
        cw.check_note("x" * (cw.MAX_NOTE + 1))
    assert cw.check_case_text("  Notatet ", " " + "x" * 20) == ("Notatet", "x" * 20)
    with pytest.raises(RuleError, match="too_short"):
        cw.check_case_text("Notatet", "kort")
    with pytest.raises(RuleError, match="title"):
        cw.check_case_text("", "x" * 30)


def test_an_open_case_on_a_new_phone_is_given_to_a_group_and_claimed_there() -> None:
    given = case(id=6, group=10, giver=None, origin=Origin.CARRIED)
    assert cw.place([given], {7: 10}, {10, 11}) == {6: 10}  # stays where the facilitator put it
    assert cw.place([given], {7: 11}, {11}) == {6: None}  # its group is gone
    cw.check_claim(10, given)
    with pytest.raises(RuleError, match="no_case"):
        cw.check_claim(11, given)  # only in the group it was given to
    with pytest.raises(RuleError, match="has_giver"):
        cw.check_claim(10, case(id=6, group=10, giver=7, origin=Origin.CARRIED))
    with pytest.raises(RuleError, match="no_case"):
        cw.check_claim(10, case(id=1, group=10, giver=None))  # not a case from the last meeting


def test_what_a_phone_offers_follows_the_rules_that_refuse() -> None:
    """The screens ask these predicates; they agree with the checks the actions run."""
    running = Status.RUNNING
    for phase in (*sequence(Format.KOLLEGASPARRING, False, True, True), None):
        for who in Role:
            try:
                cw.check_mark_duty(running, phase, who)
                allowed = True
            except RuleError:
                allowed = False
            assert cw.may_mark_duty(running, phase, who) is allowed
        try:
            cw.check_write(running, phase)
            assert cw.writing_open(phase)
        except RuleError:
            assert not cw.writing_open(phase)
    assert cw.may_ask(Phase.CLARIFY, Role.MEMBER) and not cw.may_ask(Phase.CLARIFY, Role.GIVER)
    assert cw.shown_role(Phase.FOLLOW_UP, Role.MEMBER, carries=True) is Role.GIVER
    assert cw.shown_role(Phase.FOLLOW_UP, Role.GIVER, carries=False) is Role.MEMBER
    assert cw.shown_role(Phase.PRESENT, Role.GIVER, carries=False) is Role.GIVER
    assert [p for p in Phase if cw.duties_shown(p)] == [
        Phase.REFLECT,
        Phase.GROUP_ANSWER,
        Phase.TAKEAWAY,
        Phase.REVEAL,
        Phase.REVOTE,
        Phase.CLOSED,
    ]
    assert [p for p in Phase if cw.marks_case_ready(p)] == [
        Phase.PRESENT,
        Phase.CLARIFY,
        Phase.REFLECT,
    ]
