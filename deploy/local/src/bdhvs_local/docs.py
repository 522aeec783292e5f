"""The committed API documents (docs/asyncapi, docs/openapi), generated from each service's code."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bdhvs_local.services import SERVICES

ROOT = Path(__file__).resolve().parents[4]


def generators() -> dict[Path, Callable[[], dict[str, Any]]]:
    result: dict[Path, Callable[[], dict[str, Any]]] = {}
    for name in SERVICES:
        module = importlib.import_module(f"{name}.docs")
        result[Path("docs/asyncapi") / f"{name}.json"] = module.asyncapi_document
        result[Path("docs/openapi") / f"{name}.json"] = module.openapi_document
    return result


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def stale(root: Path = ROOT) -> list[Path]:
    """Documents whose committed text differs from what the code generates now."""
    out = []
    for path, generate in generators().items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != render(generate()):
            out.append(path)
    return out


def write(root: Path = ROOT) -> list[Path]:
    for path, generate in generators().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(render(generate()), encoding="utf-8")
    return list(generators())
