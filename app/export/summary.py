"""The Summary: one anonymised object per ended session; every format is rendered from it.

Its JSON (schema `sparring.summary/3`, file summary.schema.json beside this module) is the reference
format and is what the database keeps when raw rows are purged. Counts are strings because a count
below the threshold is shown as "<3". New sections (e.g. duty marks, difficulty) are added as
optional fields with defaults, so stored summaries stay readable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "sparring.summary/3"
SCHEMA_FILE = Path(__file__).with_name("summary.schema.json")

# A count as shown: "0", "7", "<3" when below the threshold, or "x" when withheld so that a small
# count cannot be worked back from the others (app/domain/disclosure.py, docs/ANONYMITY.md).
Count = Annotated[str, Field(pattern=r"^(\d+|<\d+|x)$")]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionResult(_Part):
    key: str = Field(description="Option letter A-E")
    text: str
    before: Count = Field(description="Individual votes before the group talk")
    after: Count = Field(description="Individual votes in the revote")


class Move(_Part):
    from_option: str
    to_option: str
    count: Count


class GroupResult(_Part):
    label: str = Field(
        description="Renumbered per case ('Gruppe 1'...), shuffled; not the table number"
    )
    option: str = Field(description="The group's chosen option letter, '' if none")
    reasoning: str = Field(description="Scrubbed group reasoning")


class DutyMark(_Part):
    duty: str = Field(description="Duty slug marked as weighing heaviest")
    name: str
    people: Count = Field(description="People who marked it in the first vote")
    groups: Count = Field(description="Groups (of at least `threshold` members) that marked it")


class CaseSummary(_Part):
    position: int = Field(description="1-based order in the session")
    title: str
    duty: str = Field(description="Duty slug (seed/duties.yaml)")
    duty_name: str
    secondary_duties: list[str] = Field(
        default_factory=list, description="Slugs of further duties the case touches"
    )
    question: str
    voters_before: Count
    voters_after: Count
    options: list[OptionResult]
    compared: Count = Field(
        description="People who voted in both rounds ('x' unless provably >= threshold)"
    )
    changed: Count = Field(description="Of those, how many changed their vote ('x' likewise)")
    moves: list[Move] = Field(description="From which option to which; empty when withheld")
    shift: float | None = Field(
        description="Net shift: half the summed differences of the two rounds' shares per option"
        " (a lower bound of the share who changed); null unless both rounds are printed unmasked"
    )
    disagreement_before: float | None = Field(
        description="Share not voting for the largest option (0 = all agree); null if masked"
    )
    disagreement_after: float | None
    group_answers: list[GroupResult] = Field(
        description="Only groups with at least `threshold` members"
    )
    closing_note: str = Field("", description="The facilitator's note on this case (scrubbed)")
    heaviest_duty: list[DutyMark] = Field(
        default_factory=list, description="Which duty weighed heaviest, in kodeks order"
    )
    difficulty: float | None = Field(
        None, description="Mean 'how hard was it' (1-5) from the revote; null below the threshold"
    )
    difficulty_answers: Count = Field("0", description="How many rated the difficulty")


class DutySummary(_Part):
    duty: str
    name: str
    cases: list[int] = Field(
        description="Positions of the cases that touch this duty (as main or further duty)"
    )
    disagreement: float | None = Field(description="Mean disagreement before the group talk")
    shift: float | None = Field(description="Mean shift")
    most_moved_case: int | None = Field(description="Position of the case with the largest shift")


class SharedCase(_Part):
    """A kollegasparring case as its case-giver let it out of the group (nothing more)."""

    number: int = Field(description="Renumbered per session (1, 2 ...), shuffled; not the group")
    duties: list[str] = Field(description="Slugs of the duties in play, as the group marked them")
    duty_names: list[str]
    advice: str = Field(description="The group's advice (scrubbed)")
    title: str = Field("", description="Only when the case-giver shared the case (scrubbed)")
    brief: str = Field(
        "", description="The anonymised case, only when the case-giver shared it (scrubbed)"
    )


class DutyCount(_Part):
    duty: str
    name: str
    cases: int = Field(description="Shared cases in which the group marked this duty in play")


class Summary(_Part):
    schema_: str = Field(SCHEMA, alias="schema", description="Schema id and version")
    title: str
    format: str = Field(description="Session format, e.g. 'dilemma'")
    date: str = Field(description="ISO date the session was held")
    participants: Count
    groups: int
    threshold: int = Field(description="Smallest count shown; smaller counts read '<threshold'")
    cases: list[CaseSummary] = Field(default_factory=list)
    duties: list[DutySummary] = Field(default_factory=list)
    closing_note: str = Field("", description="The facilitator's note on the session (scrubbed)")
    own_cases: bool = Field(
        False, description="Kollegasparring where each group ran its own case-giver's case"
    )
    cases_run: int = Field(0, description="Own cases: how many groups ran a case")
    follow_ups: int = Field(0, description="Own cases: open cases of the last meeting followed up")
    shared_cases: list[SharedCase] = Field(
        default_factory=list, description="Own cases: only what each case-giver chose to share"
    )
    duties_in_play: list[DutyCount] = Field(
        default_factory=list, description="Own cases: duties in play in the shared cases, by count"
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def case(self, position: int) -> CaseSummary | None:
        return next((c for c in self.cases if c.position == position), None)


def to_json(summary: Summary) -> str:
    return summary.model_dump_json(by_alias=True, indent=2)


def from_json(text: str) -> Summary:
    return Summary.model_validate_json(text)


def json_schema() -> dict[str, object]:
    """The schema as generated from the model (the committed file must equal it; a test checks)."""
    schema = Summary.model_json_schema(by_alias=True)
    schema["$id"] = SCHEMA
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
