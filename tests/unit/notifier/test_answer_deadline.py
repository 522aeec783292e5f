"""`answered_within`: the answer if it comes in time; else the work is cancelled and TimeoutError raised."""

from __future__ import annotations

import asyncio

import pytest

from notifier.adapters.answer_deadline import answered_within


async def test_an_answer_in_time_is_returned() -> None:
    async def answer() -> str:
        await asyncio.sleep(0.01)
        return "250"

    assert await answered_within(answer(), 1.0) == "250"


async def _silent(started: asyncio.Event, cancelled: asyncio.Event) -> str:
    """A server that never answers; notes that it was asked and that it was given up on."""
    started.set()
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        cancelled.set()
        raise
    return "never"


async def test_no_answer_cancels_the_work_and_raises_a_timeout() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()
    with pytest.raises(TimeoutError):
        await answered_within(_silent(started, cancelled), 0.01, late_look=0.01)
    assert cancelled.is_set()


async def test_a_failure_of_the_work_is_raised_as_it_is() -> None:
    async def refused() -> str:
        raise ConnectionRefusedError("no server")

    with pytest.raises(ConnectionRefusedError):
        await answered_within(refused(), 1.0)


async def test_cancelling_the_caller_cancels_the_work() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()
    caller = asyncio.ensure_future(answered_within(_silent(started, cancelled), 30.0))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert cancelled.is_set()
