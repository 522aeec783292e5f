"""A second stack on the ports of a running one refuses to start, before it starts anything: its
services would fail to bind while the running stack answered its readiness checks, and a demo
would then fill (or a bench measure) the other stack."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

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
