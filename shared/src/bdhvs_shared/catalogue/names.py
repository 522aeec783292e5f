"""Names shown in spreadsheets must not start a formula: a new catalogue version with one is refused.

The names of the catalogue (units, the province, indicators, agencies, forms) are written into
every template and export. One starting with `=`, `+`, `-` or `@` would run as a formula there (see
`bdhvs_shared.spreadsheet_safety`, which neutralises such cells anyway). The check is applied to a
new version an admin publishes, not when a stored one is loaded, so that a version stored before
the check cannot stop a service from starting.
"""

from __future__ import annotations

from collections.abc import Iterator

from bdhvs_shared.catalogue.model import Catalogue, CatalogueError
from bdhvs_shared.spreadsheet_safety import starts_a_formula

_SHOWN = {"\t": "dấu tab", "\r": "dấu xuống dòng"}


class FormulaName(CatalogueError):
    """A name that starts a formula; `message_vi` says in Vietnamese which file, entry and field."""

    def __init__(self, file: str, entry: str, field: str, value: str) -> None:
        super().__init__(f"{file}: {entry}: {field!r} must not start with =, +, -, @, a tab or CR: {value!r}")
        first = _SHOWN.get(value[:1], f"“{value[:1]}”")
        self.field = field
        self.message_vi = (
            f"Tệp {file}, {entry}, trường “{field}”: giá trị “{value[:80]}” bắt đầu bằng {first}, "
            "mà Excel hiểu là công thức. Tên không được bắt đầu bằng =, +, -, @, dấu tab hay dấu xuống "
            "dòng; vui lòng sửa lại tên này."
        )


def check_names(catalogue: Catalogue) -> None:
    """Raise FormulaName for the first name that would run as a formula in a spreadsheet."""
    for file, entry, field, value in _names(catalogue):
        if value and starts_a_formula(value):
            raise FormulaName(file, entry, field, value)


def _names(catalogue: Catalogue) -> Iterator[tuple[str, str, str, str]]:
    yield "province.yaml", f"tỉnh {catalogue.province.code}", "name", catalogue.province.name
    for unit in catalogue.units.values():
        yield "units.csv", f"dòng của đơn vị {unit.code}", "name", unit.name
    for indicator in catalogue.indicators.values():
        where = f"chỉ tiêu “{indicator.code}”"
        yield "indicators.yaml", where, "name_vi", indicator.name_vi
        yield "indicators.yaml", where, "label_vi", indicator.label_vi
        yield "indicators.yaml", where, "name_en", indicator.name_en
        yield "indicators.yaml", where, "norm", indicator.norm or ""
    for agency in catalogue.agencies.values():
        yield "agencies.yaml", f"cơ quan “{agency.code}”", "name_vi", agency.name_vi
    for form in catalogue.forms.values():
        yield "forms.yaml", f"biểu mẫu “{form.code}”", "name_vi", form.name_vi
