"""A second stack on the ports of a running one refuses to start, before it starts anything: its
services would fail to bind while the running stack answered its readiness checks, and a demo
would then fill (or a bench measure) the other stack."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bdhvs_local import ports
from bdhvs_local.ports import free_port, taken
from bdhvs_local.stack import PortsTaken, Stack


def test_a_stack_on_a_port_in_use_refuses_to_start_and_names_it(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        busy = other.getsockname()[1]
        stack = Stack(tmp_path / "run", ports={"intake": free_port(), "kpi": busy})
        with pytest.raises(PortsTaken, match=rf"kpi {busy} \(KPI_PORT\)") as refused:
            stack.start()
    assert "intake" not in str(refused.value)
    assert not (tmp_path / "run").exists()  # nothing started, nothing written


def test_taken_tells_a_listening_port_from_a_free_one() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        assert taken(other.getsockname()[1])
    assert not taken(free_port())


def test_free_port_never_hands_out_a_port_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel may pick a just-released port again; the second caller gets another one."""
    picked = iter([47001, 47001, 47002])

    class Probe:
        def __init__(self, *args: object) -> None:
            self.port = next(picked)

        def __enter__(self) -> Probe:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def bind(self, address: tuple[str, int]) -> None:
            return None

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(ports.socket, "socket", Probe)
    assert [free_port(), free_port()] == [47001, 47002]
