"""Import a filled template: every row is a report; one problem anywhere refuses the whole file.

A dry run checks every row (and the units' history); a commit stores every row in one transaction
through the submit use case, each row with its own retry key derived from the file's.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.adapters.spreadsheets import Table
from intake.domain.imports import ImportPlan, Refusal, plan_import
from intake.domain.principal import Principal
from intake.domain.problems import Problem
from intake.domain.tabular import Located
from intake.service_layer.errors import NeedsConfirmation
from intake.service_layer.ports import Receipt
from intake.service_layer.submit_report import IntakeService, RetryKey


class ImportNeedsConfirmation(Exception):
    """The rows' figures break the units' history; nothing was stored. `pending`: each warning with
    its sheet, row and column."""

    def __init__(self, pending: list[Located]) -> None:
        self.pending = pending
        super().__init__(", ".join(p.problem.code for p in pending))


@dataclass(frozen=True)
class Imported:
    """The checked (dry run) or stored file: its plan, the receipts (None on a dry run) and, per row,
    the warnings about the unit's history."""

    plan: ImportPlan
    receipts: list[Receipt] | None
    histories: list[list[Problem]]

    @property
    def stored(self) -> int:
        """How many rows created a revision now (not replayed from an earlier commit)."""
        return sum(not r.replayed for r in self.receipts or [])


async def import_table(
    service: IntakeService,
    principal: Principal,
    table: Table,
    form: str,
    period: str,
    max_rows: int,
    dry_run: bool,
    confirm: bool,
    key: str | None,
    fingerprint: str,
) -> Imported | Refusal:
    """Plan the file's rows; on a commit store them all (raises NeedsConfirmation's located form
    `ImportNeedsConfirmation`, and the submit use case's Forbidden and KeyReused). A refused file's
    errors are counted as rejections; stored rows as accepted revisions (by the submit use case)."""
    outcome = plan_import(
        service.catalogue,
        principal,
        table.sheet,
        table.keys,
        table.rows,
        form,
        period,
        max_rows,
        service.today(),
        service.early_days,
    )
    if isinstance(outcome, Refusal):
        service.tally.rejected([p.problem for p in outcome.problems])
        return outcome
    if dry_run:
        return Imported(outcome, None, await service.histories([r.report for r in outcome.rows]))
    items = [(r.report, RetryKey(f"{key}#{r.row}", fingerprint) if key else None) for r in outcome.rows]
    try:
        receipts = await service.submit_many(principal, items, confirm)
    except NeedsConfirmation as exc:
        raise ImportNeedsConfirmation(
            [
                Located(w, table.sheet, r.row, w.field.removeprefix("values."))
                for r, warnings in zip(outcome.rows, exc.by_item, strict=True)
                for w in warnings
            ]
        ) from None
    return Imported(outcome, receipts, [list(r.history_warnings) for r in receipts])
