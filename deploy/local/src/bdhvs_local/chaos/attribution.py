"""Where each duplicate delivery came from: a key's arrivals at its receiver lined up with the fault
timeline and with what the notifier logged about that notification (its attempts and their errors)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bdhvs_local.chaos import check, mid_send
from bdhvs_local.chaos.faults import Fault, Injector
from bdhvs_local.chaos.receivers import Arrival

# The fault that makes a key arrive again lands while its first delivery is being made or soon after
# (before the notifier records the result): look from a little before its first arrival to a little after.
BEFORE, AFTER = 10.0, 5.0


@dataclass(frozen=True)
class Resends:
    kills: int  # kills of the notifier or PostgreSQL that cut at least one delivery attempt
    cut: int  # C: the delivery attempts they cut (open at the kill, never committed)
    unexplained: int  # deliveries of a key beyond the first that no cut attempt of its own accounts for
    ids: dict[tuple[str, str], str]  # (channel, the key its receiver counts by) -> notification id


async def resends(
    database_url: str, kills: list[dict[str, str]], received: dict[str, Counter[str]]
) -> Resends:
    """After the drain: which attempts the kills cut, and whether they account for every duplicate."""
    never = await mid_send.never_committed(database_url, kills)
    cut = mid_send.cut_per_notification(kills, never)
    ids = await check.notification_ids(database_url)
    return Resends(
        kills=sum(1 for seen in kills if seen.keys() & never),
        cut=sum(cut.values()),
        unexplained=check.unexplained_duplicates(received, ids, cut),
        ids=ids,
    )


def explained(injector: Injector, ids: dict[tuple[str, str], str], notifier_log: Path) -> list[str]:
    """Each key received more than once, with its arrivals, the faults near them and the notifier's log."""
    receivers = {"email": injector.smtp, "sms": injector.sms, "webhook": injector.webhook}
    doubled = {
        (channel, key): arrivals
        for channel, receiver in receivers.items()
        for key, arrivals in receiver.arrivals.items()
        if len(arrivals) > 1
    }
    logged = notifier_lines(notifier_log, {ids.get(k, "?") for k in doubled}) if doubled else {}
    lines: list[str] = []
    for (channel, key), arrivals in sorted(doubled.items(), key=lambda item: item[1][0].started):
        nid = ids.get((channel, key), "?")
        lines += explain(channel, key, nid, arrivals, injector.timeline, logged.get(nid, []))
    return lines


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
