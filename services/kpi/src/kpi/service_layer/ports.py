"""The ports of the reports use case (`apply_report.KpiService`): what it needs from storage, as Protocols.

One transaction's stores (`ReportStores`): the observation store, the projection store,
the receipt store, and the idempotency record, the per-unit lock, the roll-up work list and
the outbox. The PostgreSQL adapter is `kpi.adapters.report_stores`; the in-memory fake is
tests/support/kpi_fakes.py; tests/integration/test_kpi_report_stores.py runs the same
assertions on both. Every method hands typed records (domain types), never database rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.domain.observation import Observation
from kpi.domain.publications import Staged
from kpi.domain.reporting import Receipt
from kpi.domain.snapshot import Snapshot


class ObservationStore(Protocol):
    async def upsert(self, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
        """Keep the highest revision of each report (unit, indicator, form, period), in any order."""

    async def unit_series(self, unit_code: str, indicator: str) -> list[Observation]:
        """One unit's observations of an indicator, by as-of day then receipt time."""

    async def series_by_unit(self, indicator: str) -> dict[str, list[Observation]]:
        """`unit_series` of every unit that has one."""


class ProjectionStore(Protocol):
    async def current(self, unit_code: str, indicator: str) -> tuple[Snapshot, int] | None:
        """The stored snapshot and its sequence, or None."""

    async def save(self, snapshot: Snapshot, sequence: int, updated_at: datetime, event_id: UUID) -> None:
        """Store (or replace) the snapshot of its unit and indicator."""


class ReceiptStore(Protocol):
    async def record(self, event: ReportAccepted) -> bool:
        """Fold a revision in (`domain.receipts.merge_receipt`); True when its report is new."""

    async def for_period(self, form: str, period: str) -> dict[str, Receipt]:
        """The receipts of a form and period, by unit."""


class ReportStores(Protocol):
    """The stores of one transaction: all of it is kept, or none of it."""

    @property
    def observations(self) -> ObservationStore: ...

    @property
    def projections(self) -> ProjectionStore: ...

    @property
    def receipts(self) -> ReceiptStore: ...

    async def first_time(self, event_id: UUID) -> bool:
        """Record the event as applied; False when it already was (a redelivery)."""

    async def lock(self, unit_code: str, indicator: str) -> None:
        """Serialise the writers of one unit and indicator until the transaction ends (re-entrant)."""

    async def mark_dirty(self, indicator: str, correlation_id: UUID, now: datetime) -> None:
        """Put the indicator's province projection on the roll-up work list."""

    async def stage(self, staged: Sequence[Staged]) -> None:
        """Put events in the outbox, published after the transaction commits."""


# Opens a transaction: committed when the block ends normally, rolled back when it raises.
Transactions = Callable[[], AbstractAsyncContextManager[ReportStores]]
