"""The submit use case's set-up, shared by its unit tests (on the in-memory stores of
`support.intake_fakes`) and the group-commit tests (the fakes and PostgreSQL): the service on a
fixed clock, a commune's monthly report, and the same submissions sent at once or one by one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from intake.domain import IndicatorValue, Submission, ValidReport
from intake.domain.principal import Principal, Role
from intake.service_layer.group_commit import GroupCommitPolicy
from intake.service_layer.ports import Transactions
from intake.service_layer.submit_report import IntakeService, RetryKey
from support.events import TZ
from support.intake_fakes import Signals

OPERATOR = Principal(uuid.uuid4(), Role.OPERATOR, None)

# (unit, period, c, retry key or None)
Input = tuple[str, str, int, str | None]

# The group-commit tests' submissions, on the fakes and on PostgreSQL: 09313's February and April
# are fine; its March falls below February (needs confirmation) in the middle; 09292 is sent twice
# with one key; 09313's February is revised. MIXED_REPLIES: their `replies`, sent at once or one by one.
MIXED: list[Input] = [
    ("09313", "2026-02", 9000, None),
    ("09292", "2026-03", 5000, "key-1"),
    ("09313", "2026-03", 8000, None),
    ("09292", "2026-03", 5000, "key-1"),
    ("09313", "2026-02", 9100, None),
    ("09313", "2026-04", 9500, None),
]
MIXED_REPLIES: list[object] = [
    ("09313", "2026-02", 1, False),
    ("09292", "2026-03", 1, False),
    "NeedsConfirmation",
    ("09292", "2026-03", 1, True),
    ("09313", "2026-02", 2, False),
    ("09313", "2026-04", 1, False),
]


def submit_service(
    transactions: Transactions,
    now: datetime,
    group_commit: GroupCommitPolicy | None = None,
    signals: Signals | None = None,
) -> IntakeService:
    """`IntakeService` on `transactions` with the packaged catalogue, its clock stopped at `now`;
    `signals` (when given) is its relay, its counters and its group-commit meter."""
    if signals is None:
        return IntakeService(transactions, load_catalogue(), FixedClock(now), TZ, group_commit=group_commit)
    return IntakeService(
        transactions,
        load_catalogue(),
        FixedClock(now),
        TZ,
        relay=signals,
        tally=signals,
        group_commit=group_commit,
        meter=signals,
    )


def monthly_report(
    svc: IntakeService, period: str = "2026-03", c: int = 9000, unit: str = "09313"
) -> ValidReport:
    """A commune's monthly report of indicators c (`c` of 16 788) and d, checked by `svc`."""
    values = {"c": IndicatorValue(c, 16788), "d": IndicatorValue(6000, 16788)}
    valid = svc.validate(Submission(unit, "monthly", period, values))
    assert isinstance(valid, ValidReport), valid
    return valid


async def send(svc: IntakeService, inputs: Sequence[Input], together: bool) -> list[object]:
    """The operator's submissions at once (queued together: one batch) or one after the other; each
    outcome a receipt or the exception raised to its caller."""
    calls = [
        svc.submit(OPERATOR, monthly_report(svc, period, c, unit), RetryKey(key, "sha") if key else None)
        for unit, period, c, key in inputs
    ]
    if together:
        return list(await asyncio.gather(*calls, return_exceptions=True))
    outcomes: list[object] = []
    for call in calls:
        try:
            outcomes.append(await call)
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def replies(outcomes: list[object]) -> list[object]:
    """Each outcome of `send` without its random ids: (unit, period, revision, replayed), or the
    exception's name."""
    return [
        type(o).__name__ if isinstance(o, Exception) else (o.unit_code, o.period, o.revision, o.replayed)  # type: ignore[attr-defined]
        for o in outcomes
    ]
