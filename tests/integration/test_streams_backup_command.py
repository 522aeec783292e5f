"""The stream backup as the service images run it (issue 15, item 4): `python -m kpi streams backup`
(what the CronJob and the compose service `streams-backup` run) against the test's NATS, then
`python -m kpi streams restore` into a fresh nats-server, which then holds the same messages in the
same order; old backups beyond BACKUP_KEEP are removed; progress lines go to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_shared.nats.stream_backup import read_streams
from bdhvs_shared.nats.streams import ensure_streams
from support.bus import jetstream
from support.events import publish, report_accepted


def command(*args: str, nats_url: str, backup_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACKUP_NATS_URL": nats_url, "BACKUP_DIR": str(backup_dir), "BACKUP_KEEP": "2"}
    return subprocess.run(
        [sys.executable, "-m", "kpi", "streams", *args], env=env, capture_output=True, text=True, timeout=120
    )


def messages(streams: dict[str, list[dict[str, object]]]) -> dict[str, list[tuple[object, ...]]]:
    """What must survive: subject, headers and body, in order (sequences and times are the server's)."""
    return {
        name: [(r["subject"], json.dumps(r["headers"], sort_keys=True), r["data"]) for r in records]
        for name, records in streams.items()
        if records
    }


async def test_the_image_command_backs_up_every_stream_and_restores_it_into_a_fresh_nats(
    clean_nats: str, tmp_path: Path
) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "KPI"])
        for n, unit in enumerate(("09313", "09292", "09193")):
            event = report_accepted(unit, "2026-03", {"c": (5000 + n, 10000)})
            await publish(js, event, f"bdhvs.report.accepted.{unit}")
        await js.publish("bdhvs.kpi.status.09313.c", b"{}", headers={"Nats-Msg-Id": "k-1"})
    before = messages(await read_streams(clean_nats))
    assert {name: len(m) for name, m in before.items()} == {"REPORTS": 3, "KPI": 1}

    backups = tmp_path / "backups"
    for _ in range(3):  # BACKUP_KEEP=2: the first is removed by the third
        taken = command("backup", nats_url=clean_nats, backup_dir=backups)
        assert taken.returncode == 0, taken.stderr
    kept = sorted(backups.glob("streams-*"))
    assert len(kept) == 2 and all((p / "manifest.json").exists() for p in kept)
    assert json.loads((kept[-1] / "manifest.json").read_text())["stream_messages"]["REPORTS"] == 3
    assert "sao lưu luồng REPORTS: xong 3 tin" in taken.stderr  # progress, apart from stdout

    fresh = EmbeddedNats(tmp_path / "fresh-nats").start()
    try:
        restored = command("restore", "--from", str(kept[-1]), nats_url=fresh.url, backup_dir=backups)
        assert restored.returncode == 0, restored.stderr
        assert messages(await read_streams(fresh.url)) == before
    finally:
        fresh.stop()


def test_restoring_a_directory_that_is_not_a_backup_fails_and_says_why(tmp_path: Path) -> None:
    refused = command("restore", "--from", str(tmp_path), nats_url="nats://127.0.0.1:1", backup_dir=tmp_path)
    assert refused.returncode != 0
    assert "no manifest.json" in refused.stderr
