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


def _paused_wait() -> str:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        child = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(server.getsockname()[1]), str(DEADLINE)],
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
            assert answer.recv(16) == b"waiting\n"
            feeder.start()
            time.sleep(0.1)
            os.kill(child.pid, signal.SIGSTOP)
            answer.sendall(b"250 accepted\r\n")  # the answer comes while the process is stopped
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


def test_an_answer_that_came_while_the_process_was_stopped_beats_the_deadline_that_passed() -> None:
    assert [_paused_wait() for _ in range(3)] == ["answer"] * 3
