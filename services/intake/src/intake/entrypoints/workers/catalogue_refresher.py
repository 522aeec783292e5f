"""Every replica of intake picks up a catalogue version another replica published within
`CATALOGUE_REFRESH_SECONDS` (the use case that publishes one: `intake.service_layer.catalogue_admin`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import catalogue_from_texts
from bdhvs_shared.worker import PollingWorker
from intake.adapters import catalogue_store
from intake.service_layer.submit_report import IntakeService


class CatalogueRefresher(PollingWorker):
    """Switches this replica to the newest stored version when another replica published one."""

    name = "catalogue-refresher"

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], service: IntakeService, poll_seconds: float
    ) -> None:
        super().__init__(poll_seconds)
        self._sessions, self._service = sessions, service

    async def run_once(self) -> int:
        async with self._sessions() as session:
            version = await catalogue_store.latest_version(session)
            if version is None or version == self._service.catalogue.version:
                return 0
            stored = await catalogue_store.latest(session)
        if stored is not None:
            self._service.catalogue = catalogue_from_texts(stored.files)
        return 0  # wait for the next poll either way
