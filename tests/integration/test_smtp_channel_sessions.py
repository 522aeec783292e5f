"""The email channel against a real SMTP server on loopback (aiosmtpd): one session carries many
messages; a server that went away (restarted on the same port) costs a new session, not a message;
a refused message closes its session and the next one goes out on a new one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bdhvs_local.ports import free_port
from notifier.adapters.email import SmtpChannel
from notifier.domain.channel import OutgoingMessage, TransientFailure
from notifier.settings.channels import SmtpSettings


class Counting:
    """Counts the sessions (EHLO) and keeps the subjects it accepted; refuses the subject "refuse"."""

    def __init__(self) -> None:
        self.sessions = 0
        self.subjects: list[str] = []

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: Any
    ) -> Any:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        subject = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject: "))[9:].decode()
        if subject == "refuse":
            return "451 4.3.0 try again later"
        self.subjects.append(subject)
        return "250 accepted"


def server(port: int) -> tuple[Controller, Counting]:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


def channel(port: int, keepalive: float = 30.0) -> SmtpChannel:
    return SmtpChannel(
        SmtpSettings(
            "127.0.0.1", port, None, None, False, 5.0, "BDHVS <bdhvs@localhost>", 100.0, keepalive, 100
        )
    )


def message(subject: str) -> OutgoingMessage:
    return OutgoingMessage(
        uuid.uuid4(), f"key-{uuid.uuid4()}", "09313", "reminder_3d", "xa@example.org", subject,
        "Nội dung", None, datetime.now(UTC),
    )  # fmt: skip


async def test_one_session_carries_many_messages() -> None:
    controller, seen = server(free_port())
    mail = channel(controller.port)
    try:
        for n in range(5):
            await mail.send(message(f"m{n}"))
        await mail.close()
    finally:
        controller.stop()
    assert seen.subjects == [f"m{n}" for n in range(5)]
    assert seen.sessions == 1


async def test_keepalive_zero_opens_a_session_per_message() -> None:
    controller, seen = server(free_port())
    mail = channel(controller.port, keepalive=0)
    try:
        for n in range(3):
            await mail.send(message(f"m{n}"))
    finally:
        controller.stop()
    assert seen.sessions == 3


async def test_a_server_restarted_meanwhile_costs_a_session_not_the_message() -> None:
    port = free_port()
    first, before = server(port)
    mail = channel(port)
    try:
        await mail.send(message("before"))
    finally:
        first.stop()  # the kept session is gone with it
    second, after = server(port)
    try:
        await mail.send(message("after"))
        await mail.close()
    finally:
        second.stop()
    assert before.subjects == ["before"] and after.subjects == ["after"]
    assert after.sessions == 1


async def test_a_refused_message_is_transient_and_the_next_goes_on_a_new_session() -> None:
    controller, seen = server(free_port())
    mail = channel(controller.port)
    try:
        await mail.send(message("first"))
        with pytest.raises(TransientFailure, match="451"):
            await mail.send(message("refuse"))
        await mail.send(message("next"))
        await mail.close()
    finally:
        controller.stop()
    assert seen.subjects == ["first", "next"]
    assert seen.sessions == 2
