"""`kpi rebuild` and `kpi verify` start without the web and broker stacks (docs/benchmark.md, "The
`kpi` command's start"): a module that pulls one of them in at import again fails here."""

from __future__ import annotations

import json
import subprocess
import sys

WEB_AND_BROKER = ("fastapi", "starlette", "faststream", "uvicorn", "httpx", "xlsxwriter", "jinja2")


def _loaded_after(imports: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after `imports` (a new process: this one
    has imported everything already)."""
    code = f"import sys, json; {imports}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def test_the_kpi_command_and_its_maintenance_commands_do_not_import_the_web_or_the_broker() -> None:
    loaded = _loaded_after("import kpi.entrypoints.cli, kpi.entrypoints.maintenance")
    assert loaded & set(WEB_AND_BROKER) == set()
    assert {"sqlalchemy", "nats", "msgspec"} <= loaded  # what the replay itself needs


def test_help_does_not_even_import_the_database_driver() -> None:
    assert _loaded_after("import kpi.entrypoints.cli") & {"sqlalchemy", "asyncpg", *WEB_AND_BROKER} == set()
