"""The demo's clerks: one API token per commune or ward and per agency that files, plus an operator
and an admin, made once through `intake token create-many` and kept in `.run/demo/tokens.json`
(mode 600). The same tokens on a rerun: Idempotency-Keys belong to the token that used them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bdhvs_shared.catalogue import Catalogue

LABEL = " (demo)"  # every demo token's label ends so; the guard relies on it


def tokens(path: Path, filers: list[str], catalogue: Catalogue, env: dict[str, str]) -> dict[str, str]:
    """role:code → token for each filer (and operator, admin), creating only the missing ones."""
    kept: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [f for f in [*filers, "operator", "admin"] if f not in kept]
    if missing:
        lines = "".join(_line(f, catalogue) for f in missing)
        made = subprocess.run(
            [sys.executable, "-m", "intake", "token", "create-many"],
            input=lines,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            raise RuntimeError(f"intake token create-many failed: {made.stderr.strip()[-2000:]}")
        for filer, line in zip(missing, made.stdout.splitlines(), strict=True):
            kept[filer] = line.split("\t")[2]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(kept, indent=2))
        path.chmod(0o600)
    return kept


def _line(filer: str, catalogue: Catalogue) -> str:
    role, _, code = filer.partition(":")
    if role == "commune":
        name = f"Cán bộ {catalogue.units[code].name}"
    elif role == "agency":
        name = catalogue.agencies[code].name_vi
    else:
        name = {"operator": "Sở KH&CN", "admin": "Quản trị"}[role]
    return f"{role}\t{code or '-'}\t{name}{LABEL}\n"
