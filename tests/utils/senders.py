"""A phone's open page as a writer's phone message sees it, for tests that write batches directly."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Page:
    """What app.commands.messages.Sender asks of a page (app.routers.live.Connection)."""

    session_id: int
    participant_id: int
    answer_shown: tuple[int | None, int] | None = None
    language: str = "da"
    duties: set[str] = field(default_factory=set)
    duty_order: list[str] = field(default_factory=list)
    device: str = ""
