"""`kpi rebuild` and `kpi verify` use the catalogue an admin published (CATALOGUE stream), as the running
service does, not the packaged one: with a published catalogue of one more commune, the province's
expected units are one more, and the rebuild must neither flag nor republish it."""

from __future__ import annotations

import asyncpg

from bdhvs_shared.catalogue import catalogue_from_texts, load_catalogue, read_files, texts_version
from bdhvs_shared.catalogue.loader import default_directory
from bdhvs_shared.events import CataloguePublished, subjects
from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.entrypoints.maintenance import run_rebuild, run_verify
from support.apps import running
from support.bus import jetstream
from support.events import catalogue_published, publish, report_accepted
from support.kpi_rebuild import outbox_count, rebuild_settings, settled, stopped, tables

EXTRA = "09999"  # a commune the packaged catalogue does not have


def one_more_commune() -> CataloguePublished:
    files = {name: content.decode("utf-8") for name, content in read_files(default_directory()).items()}
    before = texts_version(files)
    row = f"{EXTRA},Thử Nghiệm,xa,20.00,10000,2025-07-01,,"
    files["units.csv"] = files["units.csv"].rstrip("\n") + f"\n{row}\n"
    assert catalogue_from_texts(files).unit(EXTRA) is not None
    return catalogue_published(before, files, "units.csv", f"{EXTRA} added")


async def test_rebuild_and_verify_use_the_published_catalogue(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    settings = rebuild_settings(clean_nats, database_url)
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "CATALOGUE"])
        await publish(js, one_more_commune(), subjects.CATALOGUE_PUBLISHED)
    async with running(create_app(settings)), jetstream(clean_nats) as js:
        for unit in ("09313", EXTRA):
            event = report_accepted(unit, "2026-02", {"c": (4300, 10000), "d": (7000, 10000)})
            await publish(js, event, f"bdhvs.report.accepted.{unit}")
        await settled(settings, db)
    await stopped(settings)
    live = await tables(db)
    province = {r["indicator"]: r["units_expected"] for r in live["attainment"] if r["unit_code"] == "24"}
    published = await outbox_count(db)

    differences, _ = await run_verify(settings, with_stream=True)
    assert differences == []
    result = await run_rebuild(settings, batch=1000, force=False)
    assert result.republished == []
    assert await tables(db) == live
    assert await outbox_count(db) == published
    # The running service counted the published catalogue's communes, one more than the packaged.
    expected = Projector(catalogue_from_texts(one_more_commune().files), ProjectionRules())
    packaged = Projector(load_catalogue(), ProjectionRules())
    assert province == {i: expected.units_expected(i) for i in ("c", "d")}
    assert expected.units_expected("c") == packaged.units_expected("c") + 1
