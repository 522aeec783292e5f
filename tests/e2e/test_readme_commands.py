"""The README's quick-start commands work as printed: its shell block runs against the three
services (each port swapped for the running one's, `.run/tokens.json` for this run's tokens)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from support.processes import RunningSystem

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"8000": "intake", "8001": "kpi", "8002": "notifier"}


def readme_block() -> str:
    """The fenced block that defines `token()` and calls the three services."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if "token()" in b and "curl" in b)


def documents(output: str) -> list[Any]:
    decoder, out, at = json.JSONDecoder(), [], 0
    while at < len(output):
        if output[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(output, at)
        out.append(value)
    return out


def test_the_readme_curl_lines_answer_as_printed(system: RunningSystem, tmp_path: Path) -> None:
    tokens = {
        "commune:09313": system.cli("intake", "token", "create", "--role", "commune", "--unit", "09313"),
        "operator": system.cli("intake", "token", "create", "--role", "operator"),
    }
    (tmp_path / ".run").mkdir()
    (tmp_path / ".run" / "tokens.json").write_text(json.dumps(tokens), encoding="utf-8")
    script = readme_block()
    for port, service in PORTS.items():
        script = script.replace(f"http://127.0.0.1:{port}", system.url(service).rstrip("/"))
    assert "127.0.0.1:800" not in script  # every call goes to a service of this run
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    report, attainment, log = documents(done.stdout)
    assert report["revision"] == 1 and "errors" not in report, report
    assert "errors" not in attainment and attainment, attainment
    assert "items" in log and "total" in log, log
