"""The catalogue: units, indicators, forms and the reporting calendar, as versioned data.

`load_catalogue()` reads the data shipped in `bdhvs_shared/catalogue/data/` (see its README.md);
periods and the calendar (as-of day, cut-off) are pure functions over `Period`.
"""

from bdhvs_shared.catalogue.calendar import (
    Due,
    as_of_date,
    consolidation_date,
    deadline,
    form_deadline,
    form_due,
    is_on_time,
    reportable_from,
)
from bdhvs_shared.catalogue.loader import (
    DATA_FILES,
    catalogue_from_files,
    catalogue_from_texts,
    default_directory,
    load_catalogue,
    read_files,
    texts_version,
)
from bdhvs_shared.catalogue.model import (
    Agency,
    CalendarOverrides,
    Catalogue,
    CatalogueError,
    Comparator,
    Form,
    Indicator,
    Measure,
    Unit,
    UnitKind,
    YearTarget,
)
from bdhvs_shared.catalogue.names import FormulaName, check_names
from bdhvs_shared.catalogue.periods import Period, PeriodError, PeriodType
from bdhvs_shared.catalogue.workdays import Workdays

__all__ = [
    "DATA_FILES",
    "Agency",
    "CalendarOverrides",
    "Catalogue",
    "CatalogueError",
    "Comparator",
    "Due",
    "Form",
    "FormulaName",
    "Indicator",
    "Measure",
    "Period",
    "PeriodError",
    "PeriodType",
    "Unit",
    "UnitKind",
    "Workdays",
    "YearTarget",
    "as_of_date",
    "catalogue_from_files",
    "catalogue_from_texts",
    "check_names",
    "consolidation_date",
    "deadline",
    "default_directory",
    "form_deadline",
    "form_due",
    "is_on_time",
    "load_catalogue",
    "read_files",
    "reportable_from",
    "texts_version",
]
