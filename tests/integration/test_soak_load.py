"""The soak's load generator bounds its requests in flight itself (not through httpx's pool, whose
queue hung a 10-minute soak: encode/httpcore#822), answers every report, and times each from the
moment it was due. A loopback stub stands in for intake; no services."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bdhvs_local import soak as soak_module
from bdhvs_local.soak import Soak, lines, load


class SlowIntake:
    """Answers every report 201 after a while; remembers the most requests it had at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.now, self.most, self.lock = seconds, 0, 0, threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with stub.lock:
                    stub.now += 1
                    stub.most = max(stub.most, stub.now)
                time.sleep(stub.seconds)
                with stub.lock:
                    stub.now -= 1
                data = json.dumps({"event_id": str(uuid.uuid4())}).encode()
                self.send_response(201)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def intake() -> Iterator[SlowIntake]:
    stub = SlowIntake(0.2)
    threading.Thread(target=stub.server.serve_forever, daemon=True).start()
    yield stub
    stub.server.shutdown()


async def test_the_load_keeps_at_most_its_bound_in_flight_and_every_report_is_answered(
    intake: SlowIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(soak_module, "IN_FLIGHT", 4)
    soak = Soak(rate=100.0, seconds=1.0)
    await load(intake.url, "token", ["09313"], soak, timeout=10.0)
    assert soak.sent == soak.accepted == 100 and len(soak.event_ids) == 100
    assert intake.most <= 4  # the slots, not the stub, held the others back
    # 100 reports at 4 at a time, 0.2 s each: the last waited about 5 s from its due moment
    assert max(max(v) for v in soak.by_minute.values()) >= 3000


async def test_the_soak_ends_with_its_window_when_intake_falls_behind(
    intake: SlowIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, every report was sent however long the backlog took: a 10-minute soak at 100/s on an
    intake reaching 13/s would have run for over an hour. Now what still waits for a slot when the
    window (and its grace) has passed is counted as not sent."""
    monkeypatch.setattr(soak_module, "IN_FLIGHT", 1)
    monkeypatch.setattr(soak_module, "GRACE", 0.0)
    soak = Soak(rate=40.0, seconds=0.5)  # 20 reports due in 0.5 s; the stub answers 5 a second
    started = time.perf_counter()
    await load(intake.url, "token", ["09313"], soak, timeout=10.0)
    assert time.perf_counter() - started < 5.0
    assert soak.sent == 20 and soak.accepted + soak.not_sent == 20
    assert 1 <= soak.accepted <= 5 and soak.not_sent >= 15
    assert any("not sent (intake behind by more than 0 s)" in line for line in lines(soak))
