"""Subject names, general to specific, ASCII tokens only (unit codes, never names)."""

from __future__ import annotations

REPORT_ACCEPTED = "bdhvs.report.accepted.{unit_code}"
KPI_ATTAINMENT = "bdhvs.kpi.attainment.{unit_code}.{indicator}"
KPI_STATUS = "bdhvs.kpi.status.{unit_code}.{indicator}"
KPI_REPORTING = "bdhvs.kpi.reporting.{form}"
KPI_CONSOLIDATED = "bdhvs.kpi.consolidated.{period}"
NOTIFICATION_SENT = "bdhvs.notification.sent.{unit_code}"
NOTIFICATION_FAILED = "bdhvs.notification.failed.{unit_code}"
CATALOGUE_PUBLISHED = "bdhvs.catalogue.published"

REPORT_ACCEPTED_ALL = "bdhvs.report.accepted.>"
KPI_ATTAINMENT_ALL = "bdhvs.kpi.attainment.>"
KPI_STATUS_ALL = "bdhvs.kpi.status.>"
KPI_REPORTING_ALL = "bdhvs.kpi.reporting.>"
KPI_CONSOLIDATED_ALL = "bdhvs.kpi.consolidated.>"


def family(subject: str) -> str:
    """The kind of event a subject carries, without its unit, indicator, form or period: its first three
    tokens, and `.>` when it has more (`bdhvs.kpi.attainment.>`: the `*_ALL` pattern). A bounded name,
    for metric labels: one series per kind of event, not one per unit and indicator."""
    tokens = subject.split(".")
    return ".".join(tokens[:3]) + (".>" if len(tokens) > 3 else "")


def report_accepted(unit_code: str) -> str:
    return REPORT_ACCEPTED.format(unit_code=_token(unit_code))


def kpi_attainment(unit_code: str, indicator: str) -> str:
    return KPI_ATTAINMENT.format(unit_code=_token(unit_code), indicator=_token(indicator))


def kpi_status(unit_code: str, indicator: str) -> str:
    return KPI_STATUS.format(unit_code=_token(unit_code), indicator=_token(indicator))


def kpi_reporting(form: str) -> str:
    return KPI_REPORTING.format(form=_token(form))


def kpi_consolidated(period: str) -> str:
    return KPI_CONSOLIDATED.format(period=_token(period))


def notification_sent(unit_code: str) -> str:
    return NOTIFICATION_SENT.format(unit_code=_token(unit_code))


def notification_failed(unit_code: str) -> str:
    return NOTIFICATION_FAILED.format(unit_code=_token(unit_code))


def _token(value: str) -> str:
    if not value or not value.isascii() or any(c in value for c in ".*> \t"):
        raise ValueError(f"not a valid subject token: {value!r}")
    return value
