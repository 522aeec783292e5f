"""The notifier's deadline for a server's answer (adapters/answer_deadline.py) against a real pause:
a process stopped (SIGSTOP) while it waits, the server answering meanwhile, the deadline passing,
then SIGCONT. With `asyncio.wait_for` (as aiosmtplib times its reads) the deadline won every time
(6 of 6 runs, 2026-12-04) and a mail the server had taken was sent again (long chaos run)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "support" / "paused_reader.py"
DEADLINE = 0.5


def _paused_wait(mode: str = "line") -> str:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        child = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(server.getsockname()[1]), str(DEADLINE), mode],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        noise, _ = server.accept()
        answer, _ = server.accept()
        stop = threading.Event()

        def feed() -> None:
            while not stop.is_set():
                try:
                    noise.send(b"x" * 100)
                except OSError:  # the process has answered and gone
                    return
                time.sleep(0.001)

        feeder = threading.Thread(target=feed, daemon=True)
        try:
            _read_request(answer, mode)
            feeder.start()
            time.sleep(0.1)
            os.kill(child.pid, signal.SIGSTOP)
            answer.sendall(ANSWERS[mode])  # the answer comes while the process is stopped
            time.sleep(2 * DEADLINE)  # and its deadline passes
            os.kill(child.pid, signal.SIGCONT)
            out, _ = child.communicate(timeout=30)
        finally:
            stop.set()
            feeder.join(timeout=5)
            noise.close()
            answer.close()
            child.kill()
        return out.decode().strip()


def _read_request(answer: socket.socket, mode: str) -> None:
    if mode == "line":
        assert answer.recv(16) == b"waiting\n"
        return
    request = b""
    while not request.endswith(b"\r\n\r\n{}"):  # the headers, then the body: {}
        chunk = answer.recv(4096)
        assert chunk, f"the request ended early: {request!r}"
        request += chunk


HTTP_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
ANSWERS = {"line": b"250 accepted\r\n", "http": HTTP_OK, "http-httpx-timeout": HTTP_OK}


def test_an_answer_that_came_while_the_process_was_stopped_beats_the_deadline_that_passed() -> None:
    assert [_paused_wait() for _ in range(3)] == ["answer"] * 3


def test_the_sms_and_webhook_post_keeps_a_gateways_answer_that_came_during_a_pause() -> None:
    assert [_paused_wait("http") for _ in range(3)] == ["answer"] * 3
