"""One consolidation day: kpi makes the report and the notifier reminds the operators on the same day
(CONSOLIDATION_DAY, the 24th: the report is due to the provincial chairman before the 25th)."""

from __future__ import annotations

import pytest

from kpi.settings import KpiSettings
from notifier.domain.ledger import LedgerPolicy
from notifier.settings import NotifierSettings

ENV = {"NATS_URL": "nats://127.0.0.1:4222", "DATABASE_URL": "postgresql+asyncpg://u@h/db", "SMTP_HOST": "x"}


def read(monkeypatch: pytest.MonkeyPatch, **extra: str) -> tuple[KpiSettings, NotifierSettings]:
    for name, value in {**ENV, **extra}.items():
        monkeypatch.setenv(name, value)
    return KpiSettings(), NotifierSettings()  # type: ignore[call-arg]  # from the environment only


def test_kpi_and_the_notifier_consolidate_on_the_24th_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    kpi, notifier = read(monkeypatch)
    assert kpi.consolidation_day == notifier.consolidation.day == LedgerPolicy().consolidation_day == 24


def test_one_setting_moves_both(monkeypatch: pytest.MonkeyPatch) -> None:
    kpi, notifier = read(monkeypatch, CONSOLIDATION_DAY="22")
    assert kpi.consolidation_day == notifier.consolidation.day == 22
    assert "ledger_consolidation_day" not in NotifierSettings.model_fields


def test_the_reminder_must_come_within_the_month(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="CONSOLIDATION_DAY"):
        read(monkeypatch, CONSOLIDATION_DAY="2", LEDGER_CONSOLIDATION_DAYS_BEFORE="2")
