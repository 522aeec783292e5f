"""The catalogue use case (`CatalogueAdmin`) on the in-memory stores: fast, no I/O.

The PostgreSQL stores behave the same (tests/integration/test_intake_stores.py), so these are the
use case's rules: admins only, the whole catalogue checked, a new version stored with its event
under the lock and switched to, an unchanged file publishing nothing, a refusal keeping nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import CataloguePublished
from intake.domain.principal import Principal, Role
from intake.service_layer.catalogue_admin import CatalogueAdmin, CatalogueRejected, packaged_files
from intake.service_layer.submit_report import Forbidden, IntakeService
from support.intake_fakes import FakeDatabase

ADMIN = Principal(uuid.uuid4(), Role.ADMIN, None)
CLOCK = FixedClock(datetime(2026, 12, 3, 3, tzinfo=UTC))


class Relay:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def admin(db: FakeDatabase, relay: Relay) -> CatalogueAdmin:
    service = IntakeService(db.transaction, load_catalogue(), CLOCK, ZoneInfo("Asia/Ho_Chi_Minh"))
    return CatalogueAdmin(db.transaction, service, CLOCK, relay)


def renamed(text: str) -> str:
    return text.replace("Chi Lăng", "Chi Lăng Mới", 1)


async def test_a_changed_file_is_published_as_a_new_version_and_switched_to() -> None:
    db, relay = FakeDatabase(), Relay()
    use_case = admin(db, relay)
    before = use_case.service.catalogue.version
    catalogue = await use_case.change_file(ADMIN, "units.csv", renamed, "đổi tên xã")
    [(event, subject)] = db.committed.outbox
    assert isinstance(event, CataloguePublished) and subject == "bdhvs.catalogue.published"
    assert (event.version, event.previous_version, event.changed_files) == (
        catalogue.version,
        before,
        ["units.csv"],
    )
    assert db.committed.catalogue.versions == [event]
    assert use_case.service.catalogue is catalogue and relay.wakes == 1
    assert (await use_case.files())["units.csv"] == renamed(packaged_files()["units.csv"])


async def test_an_unchanged_file_publishes_nothing() -> None:
    db, relay = FakeDatabase(), Relay()
    use_case = admin(db, relay)
    catalogue = await use_case.change_file(ADMIN, "units.csv", lambda text: text, "không đổi")
    assert catalogue.version == use_case.service.catalogue.version
    assert db.committed.outbox == [] and db.committed.catalogue.versions == [] and relay.wakes == 0


async def test_an_inconsistent_catalogue_is_refused_whole_and_keeps_nothing() -> None:
    db, relay = FakeDatabase(), Relay()
    use_case = admin(db, relay)
    before = use_case.service.catalogue
    with pytest.raises(CatalogueRejected):
        await use_case.change_file(
            ADMIN,
            "forms.yaml",
            lambda text: text.replace("indicators: [c, d]", "indicators: [c, zz]", 1),
            "sai",
        )
    with pytest.raises(CatalogueRejected):
        await use_case.change_file(ADMIN, "notes.txt", lambda text: text, "không phải tệp danh mục")
    assert db.committed.outbox == [] and use_case.service.catalogue is before and relay.wakes == 0


async def test_only_an_admin_changes_the_catalogue() -> None:
    db = FakeDatabase()
    with pytest.raises(Forbidden):
        await admin(db, Relay()).change_file(
            Principal(uuid.uuid4(), Role.OPERATOR, None), "units.csv", renamed, "x"
        )
    assert db.opened == 0
