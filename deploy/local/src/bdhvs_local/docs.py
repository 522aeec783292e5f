"""The committed API documents (docs/asyncapi, docs/openapi), generated from each service's code."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bdhvs_local.services import SERVICES

ROOT = Path(__file__).resolve().parents[4]


def generators() -> dict[Path, Callable[[], dict[str, Any] | str]]:
    result: dict[Path, Callable[[], dict[str, Any] | str]] = {Path("docs/settings.md"): settings_markdown}
    for name in SERVICES:
        module = _docs_module(name)
        result[Path("docs/asyncapi") / f"{name}.json"] = module.asyncapi_document
        result[Path("docs/openapi") / f"{name}.json"] = module.openapi_document
    return result


def _docs_module(name: str) -> Any:
    """The service's API-document generator, `<svc>.entrypoints.docs`."""
    return importlib.import_module(f"{name}.entrypoints.docs")


def render(document: dict[str, Any] | str) -> str:
    if isinstance(document, str):
        return document
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def settings_markdown() -> str:
    """docs/settings.md: every environment variable of every service, from the settings classes."""
    from bdhvs_shared.settings import ServiceSettings, StreamBackupSettings

    lines = [
        "# Settings",
        "",
        "Generated from the settings classes by `make docs`. Every value comes from the environment",
        "and is checked at start: a missing or malformed one stops the service with the reason.",
        "",
        "| variable | service | default | meaning |",
        "|---|---|---|---|",
    ]
    common = set(ServiceSettings.model_fields)
    from pydantic_settings import BaseSettings

    from web.settings import WebSettings

    classes: list[tuple[str, type[BaseSettings], set[str]]] = [("all", ServiceSettings, set())]
    for name in SERVICES:
        module = importlib.import_module(f"{name}.settings")
        # The service's class, not one its module imports (intake's imports ReportWindowSettings first).
        cls: type[BaseSettings] = next(
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ServiceSettings) and v.__module__ == module.__name__
        )
        classes.append((name, cls, common - {"http_port"}))
    # The web service has no database or broker: its own class, shown whole but for the common fields.
    classes.append(("web", WebSettings, common & set(WebSettings.model_fields) - {"http_port"}))
    # The stream backup of every image (`python -m <service> streams backup`, the CronJob).
    classes.append(("streams backup", StreamBackupSettings, set()))
    for who, cls, skip in classes:
        for field_name, field in cls.model_fields.items():
            if field_name in skip:
                continue
            alias = field.validation_alias
            env = alias if isinstance(alias, str) else field_name.upper()
            shown = (
                str(field.default) if isinstance(field.default, Path) else field.default
            )  # no PosixPath(…)
            default = "required" if field.is_required() else f"`{shown!r}`"
            meaning = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{env}` | {who} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


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
