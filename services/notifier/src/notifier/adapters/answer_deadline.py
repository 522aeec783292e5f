"""A deadline for a server's answer that a pause of this process cannot turn into a duplicate.

When the process is stopped or starved of CPU (SIGSTOP, a VM stall, a long pause of the event
loop) past a deadline, the timer and the server's answer, already waiting in the socket, are ready
in the same turn of the loop, and uvloop runs its timers before it reads the sockets: the deadline
won, and a message the server had taken was recorded as not sent and sent again (the chaos campaign
saw three emails twice so, `docs/chaos.md`). So when the deadline passes, the answer gets one more
short look (LATE_LOOK_SECONDS, a few turns of the loop) before the work is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

LATE_LOOK_SECONDS = 1.0  # after the deadline: time for the loop to read what already came


async def answered_within(work: Awaitable[T], seconds: float, late_look: float = LATE_LOOK_SECONDS) -> T:
    """`work`'s result if it finishes within `seconds` (+ the late look); else it is cancelled and
    TimeoutError (an OSError) is raised. Cancelling the caller cancels `work` too."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if not done:
            done, _ = await asyncio.wait({task}, timeout=late_look)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if done:
        return task.result()
    task.cancel()
    try:
        return await task  # it finished while being cancelled: its answer stands
    except asyncio.CancelledError:
        raise TimeoutError(f"no answer within {seconds:g} s") from None
