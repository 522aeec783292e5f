"""Routes take what they need as typed dependencies (issue 12, item 5): in each service, only
`entrypoints/http/deps.py` reads `app.state.container`; every route module goes through it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1].parent
THIN = ["intake", "kpi", "notifier"]


@pytest.mark.parametrize("service", THIN)
def test_only_deps_reads_the_container(service: str) -> None:
    http = ROOT / "services" / service / "src" / service / "entrypoints" / "http"
    readers = {
        p.name
        for p in http.glob("*.py")
        if p.name != "deps.py" and "app.state.container" in p.read_text("utf-8")
    }
    assert (http / "deps.py").exists()
    assert readers == set()
