"""Open SMTP sessions kept for the next message: a new session per mail (connect, greeting, EHLO,
STARTTLS and login, QUIT) cost more than the mail itself.

Each send takes a session of its own (concurrent senders never share one), and gives it back when
the server took the message. A session is reused only after a successful RSET (the server is still
there, and the envelope is clean): a session the server dropped meanwhile fails its RSET, before
anything of the message was handed over, and a fresh one is opened instead. A session that failed
in any other way is closed, never reused. Sessions idle longer than `keepalive_seconds`, or that
carried `max_messages`, are closed (QUIT); `keepalive_seconds` 0 is a new session per message.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class SmtpClient(Protocol):
    """What is used of aiosmtplib.SMTP (a fake in the unit tests)."""

    @property
    def is_connected(self) -> bool: ...

    async def rset(self) -> Any: ...

    async def quit(self) -> Any: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=SmtpClient)


@dataclass
class _Kept(Generic[C]):
    client: C
    idle_since: float
    messages: int


class SmtpSessions(Generic[C]):
    def __init__(
        self,
        connect: Callable[[], Awaitable[C]],
        keepalive_seconds: float,
        max_messages: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self._keepalive = keepalive_seconds
        self._max = max_messages
        self._now = monotonic
        self._idle: list[_Kept[C]] = []  # last in, first out: the warmest session first

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[C]:
        """A live session for one message; kept for the next one only if the block did not raise."""
        kept = await self._take()
        try:
            yield kept.client
        except BaseException:
            _drop(kept.client)
            raise
        kept.messages += 1
        if self._keepalive <= 0 or kept.messages >= self._max or not kept.client.is_connected:
            await _quit(kept.client)
            return
        kept.idle_since = self._now()
        self._idle.append(kept)

    async def _take(self) -> _Kept[C]:
        while self._idle:
            kept = self._idle.pop()
            if self._now() - kept.idle_since > self._keepalive or not kept.client.is_connected:
                await _quit(kept.client)
                continue
            try:
                await kept.client.rset()
            except Exception:  # dropped, 421, a timeout: nothing of the message was sent on it
                _drop(kept.client)
                continue
            return kept
        return _Kept(await self._connect(), self._now(), 0)

    async def close(self) -> None:
        """QUIT every idle session (at shutdown)."""
        idle, self._idle = self._idle, []
        for kept in idle:
            await _quit(kept.client)


async def _quit(client: SmtpClient) -> None:
    try:
        await client.quit()
    except Exception:  # already gone: closing is all that is left
        _drop(client)


def _drop(client: SmtpClient) -> None:
    with contextlib.suppress(Exception):
        client.close()
