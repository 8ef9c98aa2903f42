"""A page that falls behind gets one whole view for its backlog of pushes, but every reply."""

from __future__ import annotations

import asyncio

from app.routers.live import WHOLE_VIEW, Outbox


def drain(outbox: Outbox) -> list[str]:
    async def each() -> list[str]:
        return [await outbox.get() for _ in range(outbox.queue.qsize())]

    return asyncio.run(each())


def test_a_backlog_becomes_one_whole_view_and_keeps_every_reply() -> None:
    outbox = Outbox(most=3)
    for html in ("push 1", "push 2", "reply 1", "push 3", "reply 2", "push 4", "push 5"):
        outbox.put(html, reply=html.startswith("reply"))
    assert drain(outbox) == ["reply 1", "reply 2", WHOLE_VIEW, "push 5"]


def test_a_page_that_keeps_up_gets_everything_in_order() -> None:
    outbox = Outbox(most=3)
    sent = []
    for n in range(10):
        outbox.put(f"push {n}")
        outbox.put(f"reply {n}", reply=True)
        sent += drain(outbox)
    assert sent == [f"{kind} {n}" for n in range(10) for kind in ("push", "reply")]
    outbox.put("")
    assert drain(outbox) == []
