"""A local SMTP server (aiosmtpd) that keeps every message: as .eml files and in memory."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bdhvs_local.ports import free_port


@dataclass
class _Handler:
    directory: Path | None
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            index = len(self.messages)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / f"{index:06d}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


class SmtpCatcher:
    """Runs in its own thread; `messages` is what it received, in order."""

    def __init__(self, directory: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        # aiosmtpd's Controller(port=0) fails its own start-up self-check: pick a free port first.
        self.port = port or free_port(host)
        self._handler = _Handler(directory)
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    def start(self) -> SmtpCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
