"""Follow the catalogue an admin publishes: kpi and notifier switch to each new version.

Intake owns the catalogue and publishes every version, whole, on `bdhvs.catalogue.published`
(stream CATALOGUE). The last message on that subject is the catalogue in force, so a follower
reads it at start (before consuming anything) and then every poll; a replica that was down or
disconnected simply catches up on its next read. No consumer state to lose.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from bdhvs_shared.catalogue import Catalogue, CatalogueError, catalogue_from_texts
from bdhvs_shared.events import CataloguePublished, subjects
from bdhvs_shared.worker import PollingWorker

log = structlog.get_logger(__name__)


class CatalogueFollower(PollingWorker):
    name = "catalogue-follower"

    def __init__(
        self,
        js: JetStreamContext,
        current: Callable[[], Catalogue],
        switch: Callable[[Catalogue], None],
        poll_seconds: float,
    ) -> None:
        super().__init__(poll_seconds)
        self._js, self._current, self._switch = js, current, switch

    async def run_once(self) -> int:
        try:
            message = await self._js.get_last_msg("CATALOGUE", subjects.CATALOGUE_PUBLISHED)
        except NotFoundError:
            return 0  # no stream or no version published yet: the packaged catalogue is in force
        event = CataloguePublished.model_validate_json(message.data or b"{}")
        if event.version == self._current().version:
            return 0
        try:
            catalogue = catalogue_from_texts(event.files)
        except CatalogueError as exc:
            log.error("published catalogue does not load; keeping the current one", error=str(exc))
            return 0
        if catalogue.version != event.version:
            log.error("published catalogue's content does not match its version", version=event.version)
            return 0
        self._switch(catalogue)
        log.info("catalogue switched", version=catalogue.version, previous=event.previous_version)
        return 0
