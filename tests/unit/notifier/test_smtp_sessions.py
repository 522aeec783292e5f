"""Reused SMTP sessions (adapters/smtp_sessions.py) with a fake client: reuse after RSET, a fresh
session when the kept one is gone, never reuse after a failure, the idle and message bounds."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from notifier.adapters.smtp_sessions import SmtpSessions


class FakeClient:
    def __init__(self, number: int, log: list[str]) -> None:
        self.number, self.log = number, log
        self.is_connected = True
        self.rset_fails = False

    async def rset(self) -> Any:
        self.log.append(f"rset {self.number}")
        if self.rset_fails:
            raise ConnectionResetError("server went away")

    async def quit(self) -> Any:
        self.log.append(f"quit {self.number}")
        self.is_connected = False

    def close(self) -> None:
        self.log.append(f"close {self.number}")
        self.is_connected = False


class Server:
    """Counts the sessions opened; the clock is a number the test moves."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.clients: list[FakeClient] = []
        self.now = 0.0

    async def connect(self) -> FakeClient:
        client = FakeClient(len(self.clients) + 1, self.log)
        self.clients.append(client)
        self.log.append(f"connect {client.number}")
        return client

    def sessions(self, keepalive: float = 30.0, max_messages: int = 100) -> SmtpSessions[FakeClient]:
        return SmtpSessions(self.connect, keepalive, max_messages, monotonic=lambda: self.now)


async def send(sessions: SmtpSessions[FakeClient], log: list[str]) -> int:
    async with sessions.session() as client:
        log.append(f"mail on {client.number}")
        return client.number


async def test_a_session_is_reused_after_an_rset() -> None:
    server = Server()
    sessions = server.sessions()
    assert [await send(sessions, server.log) for _ in range(3)] == [1, 1, 1]
    assert server.log == ["connect 1", "mail on 1", "rset 1", "mail on 1", "rset 1", "mail on 1"]


async def test_a_kept_session_the_server_dropped_is_replaced_before_the_message() -> None:
    server = Server()
    sessions = server.sessions()
    await send(sessions, server.log)
    server.clients[0].rset_fails = True  # e.g. the server's idle timeout closed it
    assert await send(sessions, server.log) == 2
    assert server.log[2:] == ["rset 1", "close 1", "connect 2", "mail on 2"]


async def test_a_session_known_to_be_closed_is_not_even_tried() -> None:
    server = Server()
    sessions = server.sessions()
    await send(sessions, server.log)
    server.clients[0].is_connected = False
    assert await send(sessions, server.log) == 2
    assert "rset 1" not in server.log


async def test_a_session_that_failed_is_closed_and_never_reused() -> None:
    server = Server()
    sessions = server.sessions()
    with pytest.raises(TimeoutError):
        async with sessions.session():
            raise TimeoutError("no answer to DATA")  # the session's state is unknown
    assert await send(sessions, server.log) == 2
    assert server.log == ["connect 1", "close 1", "connect 2", "mail on 2"]


async def test_a_session_idle_longer_than_the_keepalive_is_quit() -> None:
    server = Server()
    sessions = server.sessions(keepalive=30)
    await send(sessions, server.log)
    server.now = 29.0
    assert await send(sessions, server.log) == 1
    server.now = 60.0  # idle 31 s
    assert await send(sessions, server.log) == 2
    assert server.log[-3:] == ["quit 1", "connect 2", "mail on 2"]


async def test_a_session_is_quit_after_its_last_message() -> None:
    server = Server()
    sessions = server.sessions(max_messages=2)
    assert [await send(sessions, server.log) for _ in range(5)] == [1, 1, 2, 2, 3]
    assert server.log.count("quit 1") == 1 and server.log.count("quit 2") == 1


async def test_keepalive_zero_is_a_session_per_message() -> None:
    server = Server()
    sessions = server.sessions(keepalive=0)
    assert [await send(sessions, server.log) for _ in range(2)] == [1, 2]
    assert server.log == ["connect 1", "mail on 1", "quit 1", "connect 2", "mail on 2", "quit 2"]


async def test_concurrent_senders_never_share_a_session() -> None:
    server = Server()
    sessions = server.sessions()

    async def three_at_once() -> list[int]:
        inside, release = asyncio.Event(), asyncio.Event()
        held: list[int] = []

        async def hold() -> None:
            async with sessions.session() as client:
                held.append(client.number)
                if len(held) == 3:
                    inside.set()
                await release.wait()

        tasks = [asyncio.create_task(hold()) for _ in range(3)]
        await inside.wait()
        release.set()
        await asyncio.gather(*tasks)
        return sorted(held)

    assert await three_at_once() == [1, 2, 3]
    # All three were kept: three at once again reuse them rather than connect again.
    assert await three_at_once() == [1, 2, 3]
    assert len(server.clients) == 3


async def test_close_quits_the_idle_sessions() -> None:
    server = Server()
    sessions = server.sessions()
    await send(sessions, server.log)
    await sessions.close()
    assert server.log[-1] == "quit 1"
    assert await send(sessions, server.log) == 2
