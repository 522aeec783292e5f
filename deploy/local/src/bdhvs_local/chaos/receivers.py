"""Loopback SMTP, SMS-gateway and webhook servers that count what they accept by idempotency key and
can be told to misbehave: refuse, be slow, answer 5xx or 429, time out, or be down."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from bdhvs_local.ports import free_port

HOLD_AT_MOST = 10.0  # seconds a held delivery waits for its release


@dataclass(frozen=True)
class Arrival:
    """One delivery a receiver counted: when it came and ended (wall clock), the receiver's mode then,
    and whether the answer reached the sender (False: it went away first, timed out or was killed)."""

    started: float
    ended: float
    mode: str
    answered: bool


class Counting:
    """What a receiver accepted, per key; how many deliveries are in progress; its current mode.

    While `holding`, a delivery it would accept is held open (no answer yet) until `release()`: the
    mid-send fault kills the sender while `held` says one is being handed over."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mode = "ok"
        self.accepted: Counter[str] = Counter()
        self.arrivals: dict[str, list[Arrival]] = {}  # per key: to tell where a duplicate came from
        self.in_flight = 0
        self.held = 0
        self.holding = False
        self.lock = threading.Lock()
        self._released = threading.Event()

    def enter(self) -> float:
        with self.lock:
            self.in_flight += 1
        return time.time()

    def hold(self) -> None:
        with self.lock:
            self._released.clear()
            self.holding = True

    def release(self) -> None:
        with self.lock:
            self.holding = False
            self._released.set()

    def _start_hold(self) -> bool:
        with self.lock:
            if self.holding:
                self.held += 1
            return self.holding

    def _end_hold(self) -> None:
        with self.lock:
            self.held -= 1

    def wait_if_held(self) -> None:
        """In a receiver's thread: while holding, keep this delivery open until released."""
        if self._start_hold():
            try:
                self._released.wait(HOLD_AT_MOST)
            finally:
                self._end_hold()

    async def wait_if_held_async(self) -> None:
        """The same in the SMTP server's event loop."""
        if self._start_hold():
            try:
                deadline = time.monotonic() + HOLD_AT_MOST
                while not self._released.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            finally:
                self._end_hold()

    def leave(self, key: str | None, started: float, mode: str, answered: bool = True) -> None:
        with self.lock:
            self.in_flight -= 1
            if key:
                self.accepted[key] += 1
                self.arrivals.setdefault(key, []).append(Arrival(started, time.time(), mode, answered))

    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.accepted.values() if n > 1)


class _SmtpHandler:
    def __init__(self, counting: Counting, slow_seconds: float) -> None:
        self.counting, self.slow_seconds = counting, slow_seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mode = self.counting.mode
        if mode == "refuse":
            return "451 4.3.0 try again later"
        started = self.counting.enter()
        key = None
        try:
            if mode == "slow":
                await asyncio.sleep(self.slow_seconds)
            await self.counting.wait_if_held_async()
            raw: bytes = envelope.original_content or envelope.content
            for line in raw.split(b"\r\n"):
                if line.lower().startswith(b"x-bdhvs-idempotency-key:"):
                    key = line.split(b":", 1)[1].strip().decode()
                if not line:
                    break
            return "250 accepted"
        finally:
            # whether the 250 reached the sender is not known here (aiosmtpd writes it afterwards)
            self.counting.leave(key, started, mode)


class SmtpReceiver(Counting):
    def __init__(self, slow_seconds: float = 2.0) -> None:
        super().__init__("smtp")
        self.host, self.port = "127.0.0.1", free_port()
        self._controller = Controller(_SmtpHandler(self, slow_seconds), hostname=self.host, port=self.port)

    def start(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class HttpReceiver(Counting):
    """The SMS gateway (key: the body's RequestId) or a webhook receiver (key: Idempotency-Key)."""

    def __init__(self, name: str, timeout_seconds: float) -> None:
        super().__init__(name)
        self.port = free_port()
        self.timeout_seconds = timeout_seconds
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}"

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.answer(self, body)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        mode = self.mode
        status, reply, key, answered = 200, {"CodeResult": "100", "SMSID": "x"}, None, False
        started = self.enter()
        try:
            if mode == "5xx":
                status = 503
            elif mode == "429":
                status = 429
            elif mode == "timeout":
                time.sleep(self.timeout_seconds + 1)
                status = 504
            else:
                self.wait_if_held()
                key = self._key(handler, body)  # received: a real gateway sends it, answered or not
            handler.send_response(status)
            if status == 429:
                handler.send_header("Retry-After", "1")
            data = json.dumps(reply).encode()
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
            answered = True
        except OSError:
            pass  # the sender went away before the answer (timed out, or killed mid-send)
        finally:
            self.leave(key, started, mode, answered)

    def _key(self, handler: BaseHTTPRequestHandler, body: bytes) -> str | None:
        if self.name == "sms":
            return str(json.loads(body).get("RequestId") or "") or None
        return handler.headers.get("Idempotency-Key")

    def down(self) -> None:
        """Nothing listens any more: connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def up(self) -> None:
        if self._server is None:
            self.start()

    def stop(self) -> None:
        self.down()
