"""All database tables. Free text is stored as typed; anonymising happens on export."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy import inspect as mapper_of
from sqlmodel import Field, SQLModel

# Named constraints, so a later migration can drop or change one on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


# pydantic asks a default factory's signature (does it take the validated data?) at every model
# construction, through inspect.signature: ~15 µs per row, and a vote makes three. Declared, the
# signature is read at once.
utcnow.__signature__ = inspect.Signature()  # type: ignore[attr-defined]

_Row = TypeVar("_Row", bound=SQLModel)


def new_row(table: type[_Row], **values: Any) -> _Row:
    """A new row, the fields not given at their defaults, made without SQLModel's constructor,
    which walks every field through pydantic: ~20 µs against ~2, and a crowd's burst makes up to
    three rows per phone (the vote, the reason, the message's id). Values are not validated: for
    the writer's rows whose values the services checked."""
    fields = table.model_fields
    unknown = values.keys() - fields.keys()
    if unknown:
        raise TypeError(f"{table.__name__} has no {sorted(unknown)}")
    row: _Row = mapper_of(table).class_manager.new_instance()
    for name, field in fields.items():
        if name not in values:
            values[name] = field.get_default(call_default_factory=True)
    row.__dict__.update(values)  # a new row's state is its __dict__: the INSERT reads it
    return row


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=80)
    password_hash: str  # "" for an account that signs in only through the organisation (OIDC)
    role: str = Field(default="facilitator", max_length=20)  # facilitator | reviewer | admin
    created_at: datetime = Field(default_factory=utcnow)
    disabled: bool = False  # by an admin: no login, the account and its sessions stay
    password_temporary: bool = False  # set by an admin: to be replaced at the next login
    last_login_at: datetime | None = None
    # The identity provider's issuer and subject ("iss sub"), for accounts made or linked by OIDC.
    oidc_subject: str | None = Field(default=None, unique=True, max_length=400)


class Login(SQLModel, table=True):
    """A facilitator's or reviewer's login. The cookie holds a random token and this row only its
    hash, so logging out, idling or a new password ends the login wherever the cookie was copied."""

    id: str = Field(primary_key=True, max_length=64)  # sha256 of the cookie's token
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    seen_at: datetime = Field(default_factory=utcnow)  # written at most once a minute


class LibraryCase(SQLModel, table=True):
    """A case in the library: loaded from seed/cases/*.yaml, imported, or written in the UI.

    No options means an open-discussion case (groups post reasoning, nobody votes).
    """

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=120)
    case_set: str = Field(max_length=60)
    number: int
    title: str
    duty: str = Field(max_length=60)
    secondary_duties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    text: str
    question: str
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    prompts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    source: str = ""  # the document
    source_ref: str = ""  # page or number in it
    perspective: str = ""  # duties in play and what the kodeks says; shown after the groups answer
    perspective_source: str = ""  # the document
    perspective_ref: str = ""  # page or section in it
    language: str = "da"
    archived: bool = False  # hidden from pickers; sessions that used it keep their copy
    file_digest: str = ""  # content of the seed file when last loaded ("" if never from a file)
    updated_at: datetime = Field(default_factory=utcnow)


class Session(SQLModel, table=True):
    """One live session in a room ("session" is the domain word; the db handle is `db`)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=12)
    title: str = Field(max_length=200)
    format: str = Field(default="dilemma", max_length=30)  # dilemma | kollegasparring
    timers: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON))  # phase -> seconds
    status: str = Field(default="lobby", max_length=20)
    group_size: int = 4
    position: int = -1  # index of the current SessionCase; -1 in the lobby
    # The owner: the facilitator who made it. Only the owner and the co-facilitators the owner adds
    # (SessionFacilitator) see or drive it; None after the owner's account was removed.
    facilitator_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # choices at join
    results_on_phones: bool = True  # False: results after reveal only on the projector
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    # The anonymised summary (JSON, app/export/summary.py), frozen when the session ends: it is
    # what reviewers read and what survives when the raw rows below are purged.
    summary_json: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = None  # None: a draft only the facilitator sees
    purged_at: datetime | None = None  # raw per-person rows deleted
    purge_failed_at: datetime | None = None  # the last purge that failed (app.retention retries)
    # Kollegasparring where each group runs its own case-giver's case (Thisted), in parallel.
    group_cases: bool = False
    # The series' previous meeting: its open cases are followed up here ("Hvad skete der?").
    follows_id: int | None = Field(default=None, foreign_key="session.id")


class SessionFacilitator(SQLModel, table=True):
    """A co-facilitator: another facilitator the owner lets see and drive the session."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class SummaryReader(SQLModel, table=True):
    """A reviewer a published summary was published to: reviewers read only what names them."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class SessionCase(SQLModel, table=True):
    """A case as this session uses it: a copy, so later library edits never change a summary."""

    __table_args__ = (UniqueConstraint("session_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    position: int
    slug: str
    title: str
    duty: str
    secondary_duties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    text: str
    question: str
    options: list[str] = Field(
        default_factory=list, sa_column=Column(JSON)
    )  # none: open discussion
    prompts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    perspective: str = ""
    perspective_source: str = ""  # document and page, as shown under the text
    phase: str = "present"
    deadline: datetime | None = None  # UTC; None when no timer runs
    reveal_step: int = 0  # which part of the result the projector shows (the facilitator moves it)


class Group(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    number: int
    active: bool = True  # a reshuffle retires groups; their past answers stay


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    number: int  # "Deltager 7": how the facilitator refers to a phone without knowing who it is
    token_hash: str = Field(index=True, unique=True, max_length=64)
    alias: str = Field(default="", max_length=40)
    area: str = Field(default="", max_length=40)  # one of the session's areas, or none
    group_id: int | None = Field(default=None, foreign_key="group.id", index=True)
    joined_at: datetime = Field(default_factory=utcnow)
    # Presence (app/domain/presence.py): last sign of life of the phone's page, and when the person
    # left on purpose or was removed by the facilitator (None: still in the session).
    seen_at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = None


class Vote(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("session_case_id", "participant_id", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    session_case_id: int = Field(foreign_key="sessioncase.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    round: int
    option: str = Field(max_length=1)
    duty: str = Field(default="", max_length=60)  # the duty that weighs heaviest, if marked
    difficulty: int | None = None  # 1-5, asked with the revote
    updated_at: datetime = Field(default_factory=utcnow)


class Post(SQLModel, table=True):
    """A person's reasoning on a case: private while voting, shown to the own group from discuss."""

    __table_args__ = (UniqueConstraint("session_case_id", "participant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_case_id: int = Field(foreign_key="sessioncase.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    text: str = Field(max_length=2000)
    hidden: bool = False  # by the facilitator or the abuse list: never on other screens or exports
    # Kollegasparring: the person's own clarifying questions, jotted for themselves (nobody else's).
    questions: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)


class GroupAnswer(SQLModel, table=True):
    """The group's shared answer; `version` rises on every save so stale edits are caught."""

    __table_args__ = (UniqueConstraint("session_case_id", "group_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_case_id: int = Field(foreign_key="sessioncase.id", index=True)
    group_id: int = Field(foreign_key="group.id", index=True)
    option: str = Field(default="", max_length=1)
    duty: str = Field(default="", max_length=60)
    text: str = Field(default="", max_length=4000)
    version: int = 0
    members: int = 0  # smallest group size at any save: the summary's threshold applies to it
    hidden: bool = False  # by the facilitator or the abuse list: never on the projector or exports
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedMessage(SQLModel, table=True):
    """A phone message already applied, committed with its effect: a resend is acknowledged, not
    applied twice; an id reused for other content is refused."""

    __table_args__ = (UniqueConstraint("participant_id", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    message_id: str = Field(max_length=64, index=True)  # a batch looks its ids up at once
    digest: str = Field(max_length=64)  # sha256 of the message without its id
    created_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """A participant's own dilemma (kollegasparring). Deliberately no participant, token or time:
    nobody can tell who wrote it. Promoted, it becomes a SessionCase of the same session."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    text: str = Field(max_length=2000)
    duties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default="new", max_length=20)  # new | promoted | dismissed
    session_case_id: int | None = Field(default=None, foreign_key="sessioncase.id")
    # The facilitator's work on it before promoting: kept by "Gem rettelse" (typed by staff).
    title: str = Field(default="", max_length=200)
    duty: str = Field(default="", max_length=60)


class SessionTemplate(SQLModel, table=True):
    """A saved session plan to reuse ("Chefforum, marts"): cases in order, timers, group size."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    format: str = Field(default="dilemma", max_length=30)
    group_size: int = 4
    slugs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    timers: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON))  # phase -> seconds
    created_at: datetime = Field(default_factory=utcnow)


class GroupCase(SQLModel, table=True):
    """One group's case in kollegasparring with own cases: confidential to the group. Only what
    the case-giver lets out at the close (`share`) ever reaches a summary (app/domain/casework.py).
    The group's advice is its GroupAnswer on the session's round."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="group.id", index=True)  # None: waits
    giver_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    origin: str = Field(default="own", max_length=20)  # own | submission | library | carried
    title: str = Field(max_length=120)
    text: str = Field(max_length=2000)
    duties: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # in play, by the group
    done_phase: str = Field(default="", max_length=20)  # the step the group marked done
    takeaway: str = Field(default="", max_length=2000)  # what the case-giver takes with them
    closed: bool = False  # the case-giver has closed (takeaway and consent)
    share: str = Field(default="none", max_length=10)  # none | advice | case
    brief: str = Field(default="", max_length=2000)  # the anonymised case, when shared
    keep_open: bool = False  # followed up at the series' next meeting
    carried_from_id: int | None = Field(default=None, foreign_key="groupcase.id")
    follow_up: str = Field(default="", max_length=2000)  # "Hvad skete der?", at the next meeting
    device_hash: str = Field(default="", max_length=64)  # the giver's browser, to find them again
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what when, for the acts an organisation answers for (app.audit). Names the staff
    account and the session code, never a participant; kept SPARRING_AUDIT_RETENTION_DAYS days,
    whatever happens to the sessions' raw rows."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(default="", max_length=80)  # a username, or "system" / "cli"
    action: str = Field(max_length=40)  # e.g. session.started, login.failed
    target: str = Field(default="", max_length=120)  # a session code or a username
    detail: str = Field(default="", max_length=300)
