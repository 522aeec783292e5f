"""Observations: upsert the latest revision; read series per unit and per indicator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.events import IndicatorValue, ReportAccepted
from kpi.adapters.tables import observations, processed_events
from kpi.domain.observation import Observation
from kpi.domain.projector import StoredObservation


async def upsert(session: AsyncSession, event: ReportAccepted, indicator: str, value: IndicatorValue) -> None:
    """Keep the highest revision of each report, whatever order revisions arrive in."""
    await upsert_many(session, [StoredObservation.of(event, indicator, value)])


def _ordered() -> tuple[object, ...]:
    # Same as_of from two forms: the later-received one comes last and wins in the domain.
    return (observations.c.as_of, observations.c.received_at)


async def unit_series(session: AsyncSession, unit_code: str, indicator: str) -> list[Observation]:
    rows = await session.execute(
        select(observations.c.as_of, observations.c.numerator, observations.c.denominator)
        .where(observations.c.unit_code == unit_code, observations.c.indicator == indicator)
        .order_by(*_ordered())  # type: ignore[arg-type]
    )
    return [Observation(r.as_of, r.numerator, r.denominator) for r in rows]


async def series_by_unit(session: AsyncSession, indicator: str) -> dict[str, list[Observation]]:
    rows = await session.execute(
        select(
            observations.c.unit_code,
            observations.c.as_of,
            observations.c.numerator,
            observations.c.denominator,
        )
        .where(observations.c.indicator == indicator)
        .order_by(*_ordered())  # type: ignore[arg-type]
    )
    result: dict[str, list[Observation]] = defaultdict(list)
    for r in rows:
        result[r.unit_code].append(Observation(r.as_of, r.numerator, r.denominator))
    return dict(result)


async def all_rows(session: AsyncSession) -> list[StoredObservation]:
    """Every stored observation (for verify), in the order the live path reads them."""
    rows = await session.execute(select(observations).order_by(*_ordered()))  # type: ignore[arg-type]
    return [StoredObservation(**dict(r)) for r in rows.mappings()]


async def processed_ids(session: AsyncSession, consumer: str) -> set[UUID]:
    rows = await session.execute(
        select(processed_events.c.event_id).where(processed_events.c.consumer == consumer)
    )
    return {r.event_id for r in rows}


async def upsert_many(session: AsyncSession, rows: Sequence[StoredObservation]) -> None:
    """`upsert` for many rows at once (one row per key: the caller folds revisions first)."""
    if rows:  # executemany of one cached statement (a multi-row VALUES is compiled each time)
        await session.execute(_UPSERT, [asdict(r) for r in rows])


def _upsert() -> Any:
    stmt = insert(observations)
    return stmt.on_conflict_do_update(
        index_elements=["unit_code", "indicator", "form", "period"],
        set_={
            k: stmt.excluded[k]
            for k in ("as_of", "numerator", "denominator", "revision", "received_at", "event_id")
        },
        where=observations.c.revision < stmt.excluded.revision,
    )


_UPSERT = _upsert()


async def rows_for(
    session: AsyncSession, pairs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], list[StoredObservation]]:
    """The stored rows of each (unit, indicator), in the order the live path reads them."""
    if not pairs:
        return {}
    units = sorted({u for u, _ in pairs})
    indicators = sorted({i for _, i in pairs})
    rows = await session.execute(
        select(observations)
        .where(observations.c.unit_code.in_(units), observations.c.indicator.in_(indicators))
        .order_by(*_ordered())  # type: ignore[arg-type]
    )
    result: dict[tuple[str, str], list[StoredObservation]] = defaultdict(list)
    for r in rows.mappings():
        if (r["unit_code"], r["indicator"]) in pairs:
            result[(r["unit_code"], r["indicator"])].append(StoredObservation(**dict(r)))
    return dict(result)
