"""The catalogue the web lays its pages out from: the one intake publishes (intake owns it), asked at
most every CATALOGUE_CACHE_SECONDS with the signed-in person's token, so a newly published form
reaches the web without a release. Until intake answers, and whenever it cannot, the last one known
(at first the catalogue shipped with the code) stays in use."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

from bdhvs_shared.catalogue import Catalogue, CatalogueError, catalogue_from_texts
from web.domain.problems import ApiRefused, ApiUnavailable
from web.service_layer.ports import Intake

log = structlog.get_logger("bdhvs.web")


class PublishedCatalogue:
    def __init__(
        self, shipped: Catalogue, cache_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.catalogue = shipped
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._asked_at: float | None = None

    async def current(self, intake: Intake, token: str) -> Catalogue:
        """The catalogue in force; asks intake when the last answer is older than the cache time."""
        now = self._monotonic()
        if self._asked_at is not None and now - self._asked_at < self._cache_seconds:
            return self.catalogue
        self._asked_at = now  # one request per period, even when it fails
        try:
            files = await intake.catalogue_files(token)
            published = catalogue_from_texts(files)
        except (ApiRefused, ApiUnavailable, CatalogueError) as exc:
            log.warning("catalogue not refreshed", error=str(exc)[:300], version=self.catalogue.version)
            return self.catalogue
        if published.version != self.catalogue.version:
            log.info("catalogue", version=published.version, previous=self.catalogue.version)
            self.catalogue = published
        return self.catalogue
