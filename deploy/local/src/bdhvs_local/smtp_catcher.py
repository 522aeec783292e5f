"""A local SMTP server (aiosmtpd) that keeps every message: as .eml files and in memory.

Files are numbered on from the highest number already in the folder, and created with mode "x":
a restarted catcher (e.g. `make run` again) never overwrites earlier mail. A message is kept as
received and parsed when `messages` is read (a test's check), not while the sender waits for its 250.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bdhvs_local.ports import free_port

_NUMBERED = re.compile(r"^(\d+)\.eml$")


def highest_number(directory: Path) -> int:
    """The highest N of the N.eml files already in the folder (0 if none)."""
    if not directory.is_dir():
        return 0
    numbers = (int(m.group(1)) for p in directory.iterdir() if (m := _NUMBERED.match(p.name)))
    return max(numbers, default=0)


@dataclass
class _Handler:
    directory: Path | None
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_number: int = 0

    def __post_init__(self) -> None:
        if self.directory is not None:
            self.last_number = highest_number(self.directory)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        with self.lock:
            self.raw.append(raw)
            if self.directory is not None:
                self._keep(self.directory, raw)
        return "250 Message accepted for delivery"

    def _keep(self, directory: Path, raw: bytes) -> None:
        """Write the next numbered file; "x" refuses an existing name, so skip past it (never overwrite)."""
        directory.mkdir(parents=True, exist_ok=True)
        while True:
            self.last_number += 1
            try:
                with (directory / f"{self.last_number:06d}.eml").open("xb") as out:
                    out.write(raw)
                return
            except FileExistsError:
                continue


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


class SmtpCatcher:
    """Runs in its own thread; `messages` is what it received, in order."""

    def __init__(self, directory: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        # aiosmtpd's Controller(port=0) fails its own start-up self-check: pick a free port first.
        self.port = port or free_port(host)
        self._handler = _Handler(directory)
        self._parsed: list[EmailMessage] = []
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._handler.lock:
            new = self._handler.raw[len(self._parsed) :]
        self._parsed.extend(_parsed(r) for r in new)  # each message parsed once
        return list(self._parsed)

    def start(self) -> SmtpCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
