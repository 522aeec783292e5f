"""The example subscriber of docs/events.md against a real NATS: snapshots, order, resuming."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bdhvs_shared.nats.streams import ensure_streams
from support.bus import jetstream
from support.events import attainment_update, publish

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kpi_subscriber.py"


def run(url: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--url", url, "--durable", "test-subscriber", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


async def test_it_starts_from_the_last_snapshots_and_resumes_where_it_stopped(clean_nats: str) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["KPI"])
        await publish(
            js, attainment_update("09313", 1, "insufficient_data", None), "bdhvs.kpi.attainment.09313.c"
        )
        await publish(
            js,
            attainment_update("09313", 2, "off_track", "insufficient_data"),
            "bdhvs.kpi.attainment.09313.c",
        )
        await publish(js, attainment_update("09292", 1, "on_track", None), "bdhvs.kpi.attainment.09292.c")

    first = run(clean_nats)
    # Only the last snapshot of each subject: 09313's first one is history.
    assert [x.split()[0] for x in first[:-1]] == ["09313", "09292"]
    assert "off_track (seq 2)" in first[0] and first[-1] == "2 units × indicators known"

    async with jetstream(clean_nats) as js:
        await publish(
            js, attainment_update("09313", 3, "at_risk", "off_track"), "bdhvs.kpi.attainment.09313.c"
        )
    again = run(clean_nats)  # the same durable: only what came since
    assert again[:-1] == [x for x in again[:-1] if "at_risk (seq 3)" in x] and len(again) == 2
