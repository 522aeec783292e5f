"""docs/settings.md lists every setting of every service (it once listed, for intake, only the
settings intake's class inherits from ReportWindowSettings: none of JSON_MAX_BYTES, IMPORT_MAX_BYTES…)."""

from __future__ import annotations

import importlib

import pytest
from pydantic_settings import BaseSettings

from bdhvs_local.docs import settings_markdown
from bdhvs_local.services import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_of_each_service_is_documented(service: str) -> None:
    module = importlib.import_module(f"{service}.settings")
    classes = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseSettings) and v.__module__ == module.__name__
    ]
    assert classes
    document = settings_markdown()
    missing = [
        name.upper()
        for cls in classes
        for name, field in cls.model_fields.items()
        if not isinstance(field.validation_alias, str) and f"| `{name.upper()}` |" not in document
    ]
    assert missing == []


def test_the_stream_backup_settings_are_documented() -> None:
    """BACKUP_* were once explained only in docs/operations/backup.md."""
    from bdhvs_shared.settings import StreamBackupSettings

    document = settings_markdown()
    assert [
        n for n in StreamBackupSettings.model_fields if f"| `{n.upper()}` | streams backup |" not in document
    ] == []
