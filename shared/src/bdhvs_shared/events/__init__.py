"""The event contract: every message on the bus is one of these models.

Changed only by adding fields. Strict when emitting, tolerant when reading
(unknown fields are ignored), so an older consumer reads a newer event.
"""

from bdhvs_shared.events.catalogue import CataloguePublished
from bdhvs_shared.events.envelope import Event
from bdhvs_shared.events.kpi import (
    AttainmentUpdated,
    ConsolidatedReportProduced,
    GroupReporting,
    ProvinceKpi,
    ReportingUpdated,
    StatusChanged,
    TargetInfo,
)
from bdhvs_shared.events.notifications import NotificationFailed, NotificationSent
from bdhvs_shared.events.reports import MAX_FIGURE, IndicatorValue, ReportAccepted

__all__ = [
    "MAX_FIGURE",
    "AttainmentUpdated",
    "CataloguePublished",
    "ConsolidatedReportProduced",
    "Event",
    "GroupReporting",
    "IndicatorValue",
    "NotificationFailed",
    "NotificationSent",
    "ProvinceKpi",
    "ReportAccepted",
    "ReportingUpdated",
    "StatusChanged",
    "TargetInfo",
]
