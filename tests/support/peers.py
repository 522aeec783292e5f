"""A real HTTP server on loopback (pytest-httpserver) playing an SMS gateway or a webhook receiver.

Each path follows a script: the n-th request gets the n-th step's answer, the last
step repeats. Every request is kept (body, headers, monotonic time) for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.datastructures import Headers

Step = Callable[[Request], Response]


@dataclass(frozen=True)
class Seen:
    body: bytes
    headers: Headers  # case-insensitive, as HTTP header names are
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ScriptedPeer:
    steps: list[Step]
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Response:
        with self._lock:
            index = len(self.seen)
            self.seen.append(Seen(request.get_data(), Headers(request.headers), time.monotonic()))
        return self.steps[min(index, len(self.steps) - 1)](request)


def sms_accepted(request: Request) -> Response:
    """The gateway's "accepted" answer (eSMS shape: CodeResult 100 and an SMSID)."""
    body = json.loads(request.get_data())
    return Response(
        json.dumps({"CodeResult": "100", "SMSID": f"sms-{body['RequestId']}"}),
        content_type="application/json",
    )


def accepted(_: Request) -> Response:
    return Response("", status=204)


def answer(status: int, headers: dict[str, str] | None = None, body: str = "") -> Step:
    def step(_: Request) -> Response:
        return Response(body, status=status, headers=headers or {})

    return step


def held_until(release: threading.Event, then: Step) -> Step:
    """A gateway that takes the request and answers only when the test says so."""

    def step(request: Request) -> Response:
        release.wait(timeout=30)
        return then(request)

    return step


@contextmanager
def loopback_server() -> Iterator[HTTPServer]:
    # Threaded: a held request must not stop the server from answering the next one.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def script(server: HTTPServer, path: str, *steps: Step) -> ScriptedPeer:
    peer = ScriptedPeer(list(steps))
    server.expect_request(path, method="POST").respond_with_handler(peer)
    return peer
