"""Building and publishing events as the producing service would."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bdhvs_shared.events import (
    AttainmentUpdated,
    CataloguePublished,
    IndicatorValue,
    ReportAccepted,
    TargetInfo,
)
from bdhvs_shared.events.cloudevents import body_for, headers_for
from bdhvs_shared.events.envelope import Event

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def report_accepted(
    unit: str,
    period: str,
    values: dict[str, tuple[int, int]],
    *,
    revision: int = 1,
    report_id: uuid.UUID | None = None,
    received: datetime | None = None,
    on_time: bool = True,
    form: str = "monthly",
) -> ReportAccepted:
    year, month = (int(p) for p in period.split("-"))
    received = received or datetime(year, month, 15, 9, 0, tzinfo=TZ)
    return ReportAccepted.new(
        producer="intake",
        correlation_id=None,
        occurred_at=received,
        report_id=report_id or uuid.uuid5(uuid.NAMESPACE_URL, f"{unit}/{form}/{period}"),
        revision=revision,
        unit_code=unit,
        form=form,
        period=period,
        as_of=date(year, month, 14),
        values={k: IndicatorValue(numerator=n, denominator=d) for k, (n, d) in values.items()},
        received_at=received,
        deadline=datetime(year, month, 20, tzinfo=TZ),
        on_time=on_time,
        submitted_by=f"commune:{unit}",
        catalogue_version="test",
    )


async def publish(js: Any, event: Event, subject: str, msg_id: str | None = None) -> None:
    headers = headers_for(event, subject)
    if msg_id is not None:  # a different Nats-Msg-Id gets past JetStream's de-duplication
        headers["Nats-Msg-Id"] = msg_id
    await js.publish(subject, body_for(event), headers=headers, timeout=5)


# The example body: a commune's monthly report (KPIs c and d), as a client posts it.
REPORT_BODY: dict[str, Any] = {
    "unit_code": "09313",
    "form": "monthly",
    "period": "2026-03",
    "values": {
        "c": {"numerator": 15000, "denominator": 18000},
        "d": {"numerator": 9000, "denominator": 18000},
    },
}


def attainment_update(unit: str, sequence: int, status: str, previous: str | None) -> AttainmentUpdated:
    """A KPI snapshot of indicator c at 47 % (projected 81,53 %) with the given status."""
    return AttainmentUpdated.new(
        producer="kpi",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 15, 9, tzinfo=TZ),
        unit_code=unit,
        indicator="c",
        sequence=sequence,
        as_of=date(2026, 3, 14),
        numerator=4700,
        denominator=10000,
        attainment=0.47,
        pace_per_day=0.00118,
        pace_pp_per_30d=3.55,
        projected_attainment=0.8153,
        required_pace_per_day=0.00182,
        required_pace_pp_per_30d=5.45,
        status=status,
        previous_status=previous,
        target=TargetInfo(value=1.0, comparator=">=", due=date(2026, 12, 31)),
        units_reporting=1,
        units_expected=1,
    )


def catalogue_published(before: str, files: dict[str, str], changed: str, summary: str) -> CataloguePublished:
    """The event intake publishes when an admin changes one file of the catalogue (version `before`)."""
    from bdhvs_shared.catalogue import catalogue_from_texts

    return CataloguePublished.new(
        producer="intake",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")),
        version=catalogue_from_texts(files).version,
        previous_version=before,
        files=files,
        changed_files=[changed],
        changed_by="admin:test",
        summary=summary,
    )
