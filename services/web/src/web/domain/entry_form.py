"""The entry form of a catalogue form: its fields, what was typed, and the report body it makes (pure).

Every input is named as the API names its field (`values.c.numerator`), so an error the API returns
lands next to the input it is about; what was typed is kept as text and shown again after a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bdhvs_shared.catalogue import Catalogue, Form, Measure
from web.domain.problems import Problem

# Display names of the parts of the digital-signature indicator (as intake's template writes them).
PART_NAMES = {
    "vneid": "Chữ ký số trên VNeID",
    "mysign": "Chữ ký số Viettel MySign",
    "smartca": "Chữ ký số VNPT SmartCA",
}
YES, NO = "1", "0"


def indicator_label(code: str, catalogue: Catalogue | None = None) -> str:
    """How people name an indicator after "chỉ tiêu": the catalogue's label ("đ", "chữ ký số"); its code
    when the catalogue does not know it."""
    indicator = catalogue.indicators.get(code) if catalogue is not None else None
    return indicator.label if indicator is not None else code


@dataclass(frozen=True)
class Field:
    name: str  # the API's field path: values.<indicator>.numerator | denominator | parts.<part>
    label: str
    kind: str  # "whole" or "yes_no"
    required: bool
    help: str = ""


@dataclass(frozen=True)
class IndicatorBlock:
    code: str
    title: str  # "Chỉ tiêu c: Người dân …"
    fields: tuple[Field, ...]
    note: str = ""


def blocks(catalogue: Catalogue, form: Form) -> list[IndicatorBlock]:
    out = []
    for code in form.indicators:
        indicator = catalogue.indicators[code]
        prefix = f"values.{code}"
        title = f"Chỉ tiêu {indicator.label}: {indicator.name_vi}"
        if indicator.measure is Measure.YES_NO:
            fields: tuple[Field, ...] = (
                Field(
                    f"{prefix}.numerator", "Đơn vị đã thực hiện chưa?", "yes_no", True, "Chọn Có hoặc Không."
                ),
            )
            out.append(IndicatorBlock(code, title, fields))
            continue
        if indicator.measure is Measure.COUNT:
            fields = (Field(f"{prefix}.numerator", "Số lượng", "whole", True, indicator.norm or ""),)
            out.append(IndicatorBlock(code, title, fields))
            continue
        fields = (
            Field(f"{prefix}.numerator", "Số đạt (tử số)", "whole", True, "Số người (đơn vị) đã đạt."),
            Field(
                f"{prefix}.denominator",
                "Tổng số (mẫu số)",
                "whole",
                False,
                "Để trống nếu chưa có: hệ thống dùng số ước tính theo dân số.",
            ),
            *(
                Field(f"{prefix}.parts.{p}", PART_NAMES.get(p, p), "whole", True, "Không lớn hơn tổng số.")
                for p in indicator.parts
            ),
        )
        note = "" if indicator.cumulative else "Số liệu của riêng kỳ này (không cộng dồn)."
        out.append(IndicatorBlock(code, title, fields, note))
    return out


@dataclass
class Typed:
    """What the person typed, as text, and what it makes (or the problems found before asking the API)."""

    raw: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read(
    catalogue: Catalogue, form: Form, unit_code: str, period: str, posted: Mapping[str, str], confirm: bool
) -> Typed:
    """The report body from the posted fields; a text that is not a whole number is refused here, at its
    field, in the API's words (the API takes JSON numbers only)."""
    typed = Typed(raw={k: (v or "").strip() for k, v in posted.items() if k.startswith("values.")})
    values: dict[str, dict[str, Any]] = {}
    for block in blocks(catalogue, form):
        label = indicator_label(block.code, catalogue)
        entry: dict[str, Any] = {}
        for f in block.fields:
            text = typed.raw.get(f.name, "").replace(".", "").replace(" ", "")
            if text == "":
                if f.required:
                    typed.problems.append(
                        Problem(
                            "field.missing",
                            f.name,
                            f"{f.label} của chỉ tiêu {label}: chưa nhập.",
                        )
                    )
                continue
            if not text.isdigit() or len(text) > 12:
                typed.problems.append(
                    Problem(
                        "field.not_whole_number",
                        f.name,
                        f"{f.label} của chỉ tiêu {label}: “{typed.raw[f.name][:20]}” "
                        "không phải số nguyên không âm.",
                    )
                )
                continue
            key = f.name.split(".", 2)[2]
            if key.startswith("parts."):
                entry.setdefault("parts", {})[key.removeprefix("parts.")] = int(text)
            else:
                entry[key] = int(text)
        if entry:
            values[block.code] = entry
    typed.body = {
        "unit_code": unit_code,
        "form": form.code,
        "period": period,
        "values": values,
        "confirm": confirm,
    }
    return typed


def raw_from_values(values: Mapping[str, Any]) -> dict[str, str]:
    """A stored revision's figures as the form's text (to start a correction from the last revision)."""
    raw: dict[str, str] = {}
    for code, v in values.items():
        if not isinstance(v, Mapping):
            continue
        for key in ("numerator", "denominator"):
            if v.get(key) is not None:
                raw[f"values.{code}.{key}"] = str(v[key])
        for part, n in (v.get("parts") or {}).items():
            raw[f"values.{code}.parts.{part}"] = str(n)
    return raw
