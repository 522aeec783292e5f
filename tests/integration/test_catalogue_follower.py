"""kpi follows the catalogue intake publishes: a changed target is in force for the next report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bdhvs_shared.catalogue import catalogue_from_texts, read_files, texts_version
from bdhvs_shared.catalogue.loader import default_directory
from bdhvs_shared.events import CataloguePublished, subjects
from bdhvs_shared.nats.streams import ensure_streams
from support.apps import eventually
from support.bus import jetstream
from support.events import publish, report_accepted
from support.kpi_api import kpi_api


def lowered_target_catalogue() -> CataloguePublished:
    files = {name: content.decode("utf-8") for name, content in read_files(default_directory()).items()}
    before = texts_version(files)
    indicators = files["indicators.yaml"]
    # Indicator c: 2026 target 100 % → 40 % (only the first "{year: 2026, value: 1.00" is c's after a, b).
    c_block = indicators.index("  - code: c\n")
    c_target = indicators.index("{year: 2026, value: 1.00", c_block)
    files["indicators.yaml"] = (
        indicators[:c_target]
        + "{year: 2026, value: 0.40"
        + indicators[c_target + len("{year: 2026, value: 1.00") :]
    )
    after = catalogue_from_texts(files)
    assert after.indicators["c"].target_for(after.indicators["c"].targets[-1].due).value == 0.40  # type: ignore[union-attr]
    return CataloguePublished.new(
        producer="intake",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        version=after.version,
        previous_version=before,
        files=files,
        changed_files=["indicators.yaml"],
        changed_by="admin:test",
        summary="c: 40 % in 2026",
    )


async def test_kpi_judges_against_the_published_catalogue(database_url: str, clean_nats: str) -> None:
    event = lowered_target_catalogue()
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "CATALOGUE"])
        await publish(js, event, subjects.CATALOGUE_PUBLISHED)
    async with kpi_api(database_url, clean_nats) as (client, _auth):
        async with jetstream(clean_nats) as js:
            for period, numerator in (("2026-02", 4300), ("2026-03", 4700)):
                await publish(
                    js,
                    report_accepted("09313", period, {"c": (numerator, 10000)}),
                    "bdhvs.report.accepted.09313",
                )

        async def c_row() -> dict | None:  # type: ignore[type-arg]
            rows = (await client.get("/api/v1/attainment", params={"unit": "09313", "indicator": "c"})).json()
            return rows[0] if rows else None

        row = await eventually(c_row, lambda r: r is not None and r["numerator"] == 4700)
    assert row is not None
    assert row["attainment"] == pytest.approx(0.47)
    assert row["target_value"] == pytest.approx(0.40) and row["status"] == "achieved"  # 47 % ≥ 40 %
