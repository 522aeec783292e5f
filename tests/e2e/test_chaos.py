"""`make chaos`'s short form: at least 20 faults under load; every invariant holds afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.runner import OUTSIDE

LINE = re.compile(
    r"^chaos: (?P<faults>\d+) faults, (?P<accepted>\d+) reports accepted, (?P<lost>\d+) lost, "
    r"(?P<twice>\d+) applied twice, projections == recompute: (?P<verify>yes|no), intents lost "
    r"(?P<intents>\d+), duplicate deliveries (?P<dups>\d+) \(crashes mid-send (?P<mid>\d+)\)$"
)


def test_twenty_faults_under_load_lose_nothing_and_apply_nothing_twice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    result = subprocess.run(
        [sys.executable, "-m", "bdhvs_local", "chaos", "--faults", "20", "--run-dir", str(tmp_path / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-3000:]
    print("\n".join(lines[-12:]))  # the verdict, shown with -rP
    found = LINE.match(lines[-1])
    assert found, "\n".join(lines[-30:]) + result.stderr[-3000:]
    figures = found.groupdict()
    assert int(figures["faults"]) >= 20
    assert int(figures["accepted"]) > 0
    invariants = (figures["lost"], figures["twice"], figures["verify"], figures["intents"])
    assert invariants == ("0", "0", "yes", "0")
    # each duplicate is a re-send of a delivery attempt a crash cut (the lines before say which)
    assert int(figures["dups"]) <= int(figures["mid"]), "\n".join(lines[-60:])
    assert result.returncode == 0, "\n".join(lines[-12:])  # also: no 5xx but 503, nothing left undrained


pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1600)]
