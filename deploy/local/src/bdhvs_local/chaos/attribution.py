"""Where each duplicate delivery came from: a key's arrivals at its receiver lined up with the fault
timeline and with what the notifier logged about that notification (its attempts and their errors)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bdhvs_local.chaos.faults import Fault
from bdhvs_local.chaos.receivers import Arrival

# The fault that makes a key arrive again lands while its first delivery is being made or soon after
# (before the notifier records the result): look from a little before its first arrival to a little after.
BEFORE, AFTER = 10.0, 5.0


def notifier_lines(log: Path, ids: set[str]) -> dict[str, list[str]]:
    """Per notification id, what the notifier logged about its sending (JSON lines; others skipped)."""
    out: dict[str, list[str]] = {i: [] for i in ids}
    if not log.exists():
        return out
    for line in log.read_text(errors="replace").splitlines():
        if '"notification_id"' not in line:
            continue
        try:
            entry: dict[str, Any] = json.loads(line)
        except ValueError:
            continue
        if entry.get("notification_id") in out:
            attempt = entry.get("attempt", entry.get("attempts"))
            said = f"{str(entry.get('timestamp', '?'))[11:23]} {entry.get('event')} attempt {attempt}"
            if entry.get("error"):
                said += f" error {str(entry['error'])[:80]}"
            out[entry["notification_id"]].append(said)
    return out


def explain(
    channel: str,
    key: str,
    notification_id: str,
    arrivals: list[Arrival],
    timeline: Iterable[Fault],
    logged: list[str],
) -> list[str]:
    """Lines that show one duplicated key: its arrivals, the faults around them, the notifier's log."""
    first = arrivals[0]
    near = [f for f in timeline if f.until >= first.started - BEFORE and f.at <= first.ended + AFTER]
    lines = [f"  duplicate {channel} {key} (notification {notification_id}):"]
    lines += [
        f"    arrived {_hms(a.started)}-{_hms(a.ended)} mode {a.mode}, "
        f"{'answered' if a.answered else 'sender gone before the answer'}"
        for a in arrivals
    ]
    lines += [f"    fault {_hms(f.at)}-{_hms(f.until)} {f.kind}" for f in near] or ["    no fault near"]
    lines += [f"    notifier {said}" for said in logged]
    return lines


def _hms(t: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}"
