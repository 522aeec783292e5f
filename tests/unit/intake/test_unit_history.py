"""Merge and split as one operation on units.csv; the catalogue then follows the history."""

from __future__ import annotations

from datetime import date

import pytest

from bdhvs_shared.catalogue import catalogue_from_files, read_files
from bdhvs_shared.catalogue.loader import default_directory
from intake.domain.unit_history import HistoryError, NewUnit, merge, split

FILES = read_files(default_directory())
UNITS = FILES["units.csv"].decode("utf-8")
JULY = date(2026, 7, 1)


def catalogue(units_text: str):  # type: ignore[no-untyped-def]
    return catalogue_from_files({**FILES, "units.csv": units_text.encode("utf-8")})


def test_two_communes_merge_into_a_new_one() -> None:
    merged = catalogue(merge(UNITS, ["09313", "09292"], NewUnit("09999", "Chi Lăng Mới", "xa"), JULY))
    new = merged.units["09999"]
    assert new.predecessors == ("09313", "09292") and new.active_from == JULY
    assert new.population == 23317 + 26964  # the predecessors' sum
    assert merged.units["09313"].active_to == date(2026, 6, 30)
    monthly = merged.forms["monthly"]
    assert len(merged.expected_reporters(monthly, on=date(2026, 7, 14))) == 98
    assert len(merged.expected_reporters(monthly, on=date(2026, 6, 14))) == 99


def test_a_commune_absorbs_another() -> None:
    merged = catalogue(merge(UNITS, ["09292"], "09313", JULY))
    assert merged.units["09313"].predecessors == ("09292",) and merged.units["09313"].active_to is None
    assert merged.units["09313"].population == 23317 + 26964
    assert merged.units["09292"].active_to == date(2026, 6, 30)


def test_a_split_closes_one_unit_and_opens_several() -> None:
    parts = [NewUnit("09991", "Chi Lăng A", "xa", 12000), NewUnit("09992", "Chi Lăng B", "xa", 11317)]
    result = catalogue(split(UNITS, "09313", parts, JULY))
    assert result.units["09991"].predecessors == ("09313",)
    assert result.units["09313"].active_to == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("operation", "reason"),
    [
        (lambda: merge(UNITS, ["09313", "77777"], NewUnit("09999", "X", "xa"), JULY), "77777"),
        (lambda: merge(UNITS, ["09313", "09292"], NewUnit("09193", "X", "xa"), JULY), "đã có"),
        (
            lambda: merge(merge(UNITS, ["09292"], "09313", JULY), ["09292"], "09313", JULY),
            "không còn hoạt động",
        ),
        (lambda: split(UNITS, "09313", [NewUnit("09991", "A", "xa")], JULY), "ít nhất hai"),
        (
            lambda: split(UNITS, "09313", [NewUnit("09991", "A", "xa"), NewUnit("09992", "B", "xa")], JULY),
            "dân số",
        ),
    ],
)
def test_operations_that_do_not_fit_are_refused(operation, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HistoryError, match=reason):
        operation()
