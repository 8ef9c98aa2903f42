"""Which fragments an event changes for each audience (pure: the live router asks, then renders)."""

from __future__ import annotations

from enum import StrEnum

from app.hub import Event


class Audience(StrEnum):
    PARTICIPANT = "participant"
    PROJECTOR = "projector"
    FACILITATOR = "facilitator"


FULL = {
    Audience.PARTICIPANT: ("header", "stage", "flash", "dilemma"),
    Audience.PROJECTOR: ("header", "stage", "timer", "progress", "duties"),
    Audience.FACILITATOR: (
        "status",
        "timer",
        "timer_controls",
        "progress",
        "groups",
        "cases",
        "submissions",
        "texts",
        "flash",  # a refusal shown before the room changed no longer holds (e.g. "no cases")
        "end",
    ),
}


# What a phone's own reply to its save of the group's answer carries (app.commands.messages), read
# after the save's commit. When a whole group saved at once, every phone got its reply and then
# the same answer pushed: twice the messages of the crowd's busiest moment. See answer_push.
ANSWER_REPLY = ("answer_form", "answer")
Shown = tuple[int | None, int]  # (group, version) of the group's answer a page was last shown


def answer_push(
    names: tuple[str, ...], saving: bool, shown: Shown | None, current: Shown | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what to push a phone now, what to hold back for the next round) of a push to a phone.

    A phone whose own save of its group's answer is with the writer gets its reply after that
    save's commit, which is after the change being pushed (one writer; another worker's reply
    may be older, so the next round checks): the answer waits for the reply. A phone whose
    reply showed the group's answer at the version the push would show needs no push of it.
    """
    held = tuple(name for name in names if name in ANSWER_REPLY)
    if not held:
        return names, ()
    rest = tuple(name for name in names if name not in ANSWER_REPLY)
    if saving:
        return rest, held
    if shown is not None and shown == current:
        return rest, ()
    return names, ()


def fragments_for(
    audience: Audience,
    event: Event,
    own_group: int | None,
    moved: bool = False,
    every_answer: bool = True,
) -> tuple[tuple[str, ...], bool]:
    """(fragment names to re-render, whether to coalesce them with others in a short window).

    `every_answer`: the phones' results list every group's answer (a small room); in a larger one
    each lists its own group's (app/domain/visibility.py), so a hidden answer redraws that group's
    phones only (through its "answer" event), not the room's."""
    kind = event.get("type")
    if kind == "phase" and audience is Audience.PARTICIPANT and not event.get("regrouped"):
        # A phone's header (title, group, who) is the same in every phase; a regrouping says
        # so itself (the start's phase, or "groups"). A thousand headers were an eighth of a
        # phase change's renders.
        return tuple(name for name in FULL[audience] if name != "header"), False
    if kind in ("phase", "resync"):
        return FULL[audience], False
    if kind == "timer":  # the control page's gate says whether the timer will open the result
        return (("timer", "gate") if audience is Audience.FACILITATOR else ("timer",)), False
    if kind == "time_up":  # the feed's own alarm: the reveal gate opens for the staff pages
        return {
            Audience.PARTICIPANT: (),
            Audience.PROJECTOR: ("timer", "progress"),
            Audience.FACILITATOR: ("timer", "progress", "gate"),
        }[audience], False
    if kind == "join":
        # Someone new: the count on the staff pages (coalesced, joins come in crowds) and the
        # member list of the newcomer's group; nobody else's screen changes.
        if audience is not Audience.PARTICIPANT:
            return fragments_for(audience, {"type": "groups"}, own_group)[0], True
        joined = event.get("group")
        return (("posts",) if joined is not None and joined == own_group else ()), False
    if kind == "presence":  # someone's phone went quiet or came back: the counts, not the phones
        if audience is Audience.PARTICIPANT:
            return (), False
        return fragments_for(audience, {"type": "groups"}, own_group)[0], True
    if kind == "step":  # another part of the result on the projector
        return {
            Audience.PARTICIPANT: (),
            Audience.PROJECTOR: ("stage",),
            Audience.FACILITATOR: ("status",),
        }[audience], False
    if kind == "submission":
        # A promoted case ends "no cases to start"; a submitted one may be given to a group.
        ctl = ("status", "submissions", "flash", "cases")
        return (ctl if audience is Audience.FACILITATOR else ()), False
    if kind == "case":  # kollegasparring with own cases: a group's case changed
        if audience is Audience.PARTICIPANT:
            groups = event.get("groups")
            mine = groups is None or (isinstance(groups, list) and own_group in groups)
            return (("groupcase",) if mine else ()), False
        return (("progress",) if audience is Audience.PROJECTOR else ("cases", "progress")), False
    if audience is Audience.PARTICIPANT:
        if kind == "moderated" and event.get("phones") and every_answer:
            return ("stage",), False
        if kind == "groups":
            # A phone whose group changed gets a new stage (new texts); the rest keep their drafts.
            return (("header", "stage") if moved else ("header", "posts")), False
        if kind == "post" and event.get("group") == own_group:
            # Coalesced: a room voting with reasons sends one per group per batch; the texts
            # arrive within one push interval, the room is read once for all of them.
            return ("posts",), True
        if kind == "answer" and event.get("group") == own_group:
            # Coalesced, as posts; the feed keeps the ones the phone's screen shows now, and
            # leaves out what the phone's own reply shows (answer_push).
            return ("answer", "answer_form", "own_answer"), True
        return (), False
    if kind == "groups":
        staff = (
            ("header", "stage", "progress")
            if audience is Audience.PROJECTOR
            else ("status", "progress", "groups", "cases")
        )
        return staff, False
    if kind == "vote":
        return ("progress",), True
    if kind == "area":
        return ("groups",) if audience is Audience.FACILITATOR else (), False
    if kind == "moderated":
        # A text was hidden or shown again: the projector's results, the facilitator's list.
        return (("stage",) if audience is Audience.PROJECTOR else ("texts", "status")), False
    if kind == "post":
        return (("texts",) if audience is Audience.FACILITATOR else ()), True
    if kind == "answer":
        if audience is Audience.PROJECTOR:
            return ("progress",), True
        return ("progress", "groups", "gate", "texts"), True
    return (), False
