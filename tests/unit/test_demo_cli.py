"""`make demo` stops the stack it started whatever ends it before serving: the terminal's Ctrl-C stops
the services with it, and the next call to them (the tour) fails; PostgreSQL, which pg_ctl detaches,
was left running on that path (the defect `make run` had, tests/e2e/test_runner_supervises.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bdhvs_local.demo import cli, runner, tour
from bdhvs_local.stack import Endpoints


class FakeStack:
    def __init__(self) -> None:
        self.endpoints = Endpoints(*(["http://127.0.0.1:1"] * 6), smtp_port=1, notifier_channels="email")
        self.extra_env: dict[str, str] = {}
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


class NoSignals:
    stopping = False


def _demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: bool) -> FakeStack:
    stack = FakeStack()
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "tokens.json").write_text(json.dumps({"operator": "t"}))
    monkeypatch.setattr("bdhvs_local.serving.StopSignals", NoSignals)  # the test run keeps its Ctrl-C
    monkeypatch.setattr(cli, "_stack", lambda *_: (stack, started))
    monkeypatch.setattr(runner, "fill", lambda *_: runner.Outcome())

    def services_gone(*_: Any) -> None:
        raise httpx.ConnectError("the services stopped with the terminal's Ctrl-C")

    monkeypatch.setattr(tour, "show", services_gone)
    with pytest.raises(httpx.ConnectError):
        cli.demo(tmp_path, 2025, 1, 2, stay=True, ports={})
    return stack


def test_a_failure_after_the_fill_stops_the_stack_the_demo_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _demo(tmp_path, monkeypatch, started=True).stops == 1


def test_a_stack_another_demo_started_is_left_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _demo(tmp_path, monkeypatch, started=False).stops == 0


def test_the_fill_s_cpu_is_printed_process_by_process_beside_what_the_cores_could_give() -> None:
    line = cli.cpu_line({"kpi": 97.9, "notifier": 335.6, "load generator": 119.2}, 841.0, 569.0, 2)
    assert line == (
        "CPU seconds of the fill: notifier 336, the demo 119, kpi 98; 553 in all, "
        "the machine 841 of 1138 (2 cores × 569 s)"
    )
