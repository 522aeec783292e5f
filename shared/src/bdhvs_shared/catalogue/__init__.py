"""The catalogue: units, indicators, forms and the reporting calendar, as versioned data."""

from bdhvs_shared.catalogue.deadlines import as_of_date, deadline, is_on_time
from bdhvs_shared.catalogue.loader import load_catalogue
from bdhvs_shared.catalogue.model import (
    Catalogue,
    CatalogueError,
    Comparator,
    Form,
    Indicator,
    Unit,
    UnitKind,
    YearTarget,
)
from bdhvs_shared.catalogue.periods import Period, PeriodError, PeriodType

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Comparator",
    "Form",
    "Indicator",
    "Period",
    "PeriodError",
    "PeriodType",
    "Unit",
    "UnitKind",
    "YearTarget",
    "as_of_date",
    "deadline",
    "is_on_time",
    "load_catalogue",
]
