"""KPI's settings: the common ones plus its own."""

from __future__ import annotations

from pydantic import Field

from bdhvs_shared.settings import (
    ConsolidationDaySettings,
    ReaderAuthSettings,
    ReportWindowSettings,
    ServiceSettings,
)


class KpiSettings(ServiceSettings, ReaderAuthSettings, ReportWindowSettings, ConsolidationDaySettings):
    http_port: int = Field(default=8001, ge=1, le=65535, description="Port of the HTTP API.")
    max_deliver: int = Field(
        default=8, ge=2, description="Deliveries of one message before it is dead-lettered."
    )
    ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="Seconds before an unacknowledged message is redelivered."
    )
    deadline_inclusive: bool = Field(
        default=False,
        description="As intake's: False 'before the 20th' (cut-off the 20th 00:00), True 'by the 20th'.",
    )
    window_days: int = Field(default=180, ge=1, description="Pace window (docs/kpi-rules.md).")
    rollup_pause_seconds: float = Field(
        default=0.1,
        ge=0,
        description="Under load, recompute the province roll-up at most once per this interval.",
    )
    consume_batch_size: int = Field(
        default=200,
        ge=1,
        le=1000,  # the durable consumer's max_ack_pending
        description="Reports pulled at once from REPORTS and applied in one transaction (1: one by one).",
    )
    at_risk_margin_pp: float = Field(default=5.0, ge=0, description="at_risk up to this many pp short.")
    status_tick_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the status tick checks whether the day changed (then re-judges statuses).",
    )
    consolidation_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour on that day from which it is made."
    )
    public_base_url: str = Field(
        default="",
        description="kpi's public base URL (e.g. https://kpi.bacninh.gov.vn), put before the archive paths "
        "in bdhvs.kpi.consolidated events; empty: the paths alone.",
    )
