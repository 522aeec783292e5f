"""The catalogue's request and reply bodies (they drive the OpenAPI document), and the catalogue as
the API describes it (`describe`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from bdhvs_shared.catalogue import Catalogue


class IndicatorOut(BaseModel):
    code: str
    name_vi: str
    measure: str
    kpi: bool
    targets: list[dict[str, Any]]


class FormOut(BaseModel):
    code: str
    name_vi: str
    period_type: str
    indicators: list[str]
    reporter_kinds: list[str]
    agencies: list[str]
    due_day: int
    due_date: str | None
    as_of_day: int


class CatalogueOut(BaseModel):
    version: str
    province: str
    units: int = Field(description="Communes and wards.")
    indicators: list[IndicatorOut]
    forms: list[FormOut]
    agencies: dict[str, str]


class CatalogueFilesOut(BaseModel):
    files: dict[str, str] = Field(description="Each data file of the version in force, by name, as text.")


class VersionOut(BaseModel):
    version: str
    previous_version: str | None
    changed_files: list[str]
    changed_by: str
    summary: str
    created_at: Any


class VersionPageOut(BaseModel):
    items: list[VersionOut]
    total: int


def describe(c: Catalogue) -> CatalogueOut:
    return CatalogueOut(
        version=c.version,
        province=c.province.code,
        units=len(c.units),
        indicators=[
            IndicatorOut(
                code=i.code,
                name_vi=i.name_vi,
                measure=i.measure.value,
                kpi=i.kpi,
                targets=[
                    {"year": t.year, "value": t.value, "comparator": t.comparator.value} for t in i.targets
                ],
            )
            for i in c.indicators.values()
        ],
        forms=[
            FormOut(
                code=f.code,
                name_vi=f.name_vi,
                period_type=f.period_type.value,
                indicators=list(f.indicators),
                reporter_kinds=sorted(k.value for k in f.reporter_kinds),
                agencies=sorted(f.agencies),
                due_day=f.due_day,
                due_date=f.due_date.isoformat() if f.due_date else None,
                as_of_day=f.as_of_day,
            )
            for f in c.forms.values()
        ],
        agencies={a.code: a.name_vi for a in c.agencies.values()},
    )


class FileIn(BaseModel):
    content: str = Field(
        max_length=250_000,
        description="The whole new file, UTF-8 text (the whole body is at most JSON_MAX_BYTES, 256 KB).",
    )
    summary: str = Field(min_length=3, max_length=500, description="What changes and why (audit log).")


class NewUnitIn(BaseModel):
    code: str = Field(pattern=r"^[0-9]{5}$", description="GSO code of the new unit.")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["xa", "phuong"]
    population: int | None = Field(default=None, ge=0, description="Default: the predecessors' sum.")
    area_km2: float | None = Field(default=None, gt=0)


class MergeIn(BaseModel):
    sources: list[Annotated[str, Field(pattern=r"^[0-9]{5}$")]] = Field(min_length=1, max_length=20)
    into_code: str | None = Field(
        default=None, pattern=r"^[0-9]{5}$", description="An existing unit that absorbs the others."
    )
    new_unit: NewUnitIn | None = Field(default=None, description="Or the new unit they form.")
    effective: date = Field(description="The first day of the merged unit; the others end the day before.")
    summary: str = Field(min_length=3, max_length=500, description="The decision (e.g. NQ number) and why.")


class SplitIn(BaseModel):
    source: str = Field(pattern=r"^[0-9]{5}$")
    into: list[NewUnitIn] = Field(min_length=2, max_length=20)
    effective: date
    summary: str = Field(min_length=3, max_length=500)
