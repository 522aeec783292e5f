"""The catalogue as shipped: the province, its 99 communes and wards, five KPIs, the monthly form."""

from __future__ import annotations

import dataclasses
import shutil
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import (
    Catalogue,
    CatalogueError,
    Comparator,
    Measure,
    Period,
    PeriodType,
    Unit,
    UnitKind,
    default_directory,
    form_deadline,
    load_catalogue,
)

CATALOGUE = load_catalogue()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(default_directory(), copy)
    for path in copy.iterdir():
        path.chmod(0o644)  # some files are shipped read-only
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- units ----------------------------------------------------------------------------------------


def test_the_province() -> None:
    province = CATALOGUE.province
    assert (province.code, province.name, province.kind) == ("24", "Bắc Ninh", UnitKind.PROVINCE)
    assert province.population == 3_619_433
    assert CATALOGUE.timezone == "Asia/Ho_Chi_Minh"
    assert CATALOGUE.unit("24") == province
    assert "24" not in CATALOGUE.units  # the province is apart from the communes and wards


def test_99_communes_and_wards_66_xa_and_33_phuong() -> None:
    units = list(CATALOGUE.units.values())
    assert len(units) == 99
    kinds = [u.kind for u in units]
    assert (kinds.count(UnitKind.XA), kinds.count(UnitKind.PHUONG)) == (66, 33)


def test_unit_codes_are_unique_five_digit_gso_codes() -> None:
    codes = [u.code for u in CATALOGUE.units.values()]
    assert len(set(codes)) == len(codes) == 99
    assert all(len(c) == 5 and c.isascii() and c.isdigit() for c in codes)
    assert all(code == unit.code for code, unit in CATALOGUE.units.items())


def test_names_are_nfc_vietnamese() -> None:
    for unit in CATALOGUE.units.values():
        assert unit.name and unicodedata.normalize("NFC", unit.name) == unit.name
    chi_lang = CATALOGUE.unit("09313")
    assert chi_lang == Unit("09313", "Chi Lăng", UnitKind.XA, 23317, 23.39, active_from=date(2025, 7, 1))
    assert CATALOGUE.unit("99999") is None


def test_population_is_known_for_76_units_and_missing_for_23() -> None:
    missing = sorted(u.code for u in CATALOGUE.units.values() if u.population is None)
    assert len(missing) == 23 and "07594" in missing  # Đèo Gia
    assert all(u.area_km2 is not None and u.area_km2 > 0 for u in CATALOGUE.units.values())


def test_the_package_carries_its_own_data() -> None:
    directory = default_directory()
    assert directory.parts[-3:] == ("bdhvs_shared", "catalogue", "data")
    for name in (
        "units.csv",
        "unit_predecessors.csv",
        "age_shares.csv",
        "province.yaml",
        "indicators.yaml",
        "forms.yaml",
        "agencies.yaml",
        "README.md",
    ):
        assert (directory / name).is_file(), name
    header = (directory / "units.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "code,name,kind,area_km2,population,active_from,active_to,predecessors"


# --- indicators -----------------------------------------------------------------------------------

TARGETS = {
    "a": ((2025, 0.80, ">"), (2026, 1.00, ">=")),
    "b": ((2025, 1.00, ">="), (2026, 1.00, ">=")),
    "c": ((2025, 0.80, ">"), (2026, 1.00, ">=")),
    "d": ((2025, 0.60, ">"), (2026, 0.80, ">")),
    "dd": ((2025, 0.80, ">="), (2026, 1.00, ">=")),
}


def test_the_five_kpis_and_their_targets() -> None:
    assert [c for c, i in CATALOGUE.indicators.items() if i.kpi] == ["a", "b", "c", "d", "dd"]
    for code, expected in TARGETS.items():
        indicator = CATALOGUE.indicators[code]
        assert indicator.code == code and code.isascii()
        assert indicator.name_vi and not indicator.name_vi.isascii()  # Vietnamese, with diacritics
        assert indicator.name_en.isascii()
        got = tuple((t.year, t.value, t.comparator.value) for t in indicator.targets)
        assert got == expected, code
        assert [t.due for t in indicator.targets] == [date(2025, 12, 31), date(2026, 12, 31)]


def test_adult_indicators_are_based_on_the_estimated_18_plus_share() -> None:
    for code in ("c", "d"):
        indicator = CATALOGUE.indicators[code]
        assert indicator.denominator_basis == "age_18_plus"
        assert indicator.denominator_basis_status == "estimate_not_gso"
    for code in ("a", "b", "dd"):
        assert CATALOGUE.indicators[code].denominator_basis is None
        assert CATALOGUE.indicators[code].denominator_basis_status is None


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_the_target_switches_on_1_january(code: str) -> None:
    indicator = CATALOGUE.indicators[code]
    old, new = indicator.target_for(date(2025, 12, 31)), indicator.target_for(date(2026, 1, 1))
    assert old is not None and old.year == 2025 and (old.value, old.comparator.value) == TARGETS[code][0][1:]
    assert new is not None and new.year == 2026 and (new.value, new.comparator.value) == TARGETS[code][1][1:]


def test_after_the_last_year_the_last_target_stays_and_before_the_first_there_is_none() -> None:
    d = CATALOGUE.indicators["d"]
    late = d.target_for(date(2027, 6, 1))
    assert late is not None and (late.year, late.value, late.comparator) == (2026, 0.80, Comparator.GT)
    assert late.due == date(2026, 12, 31)
    assert d.target_for(date(2024, 12, 31)) is None


def test_comparators() -> None:
    assert not Comparator.GT.met(0.80, 0.80) and Comparator.GT.met(0.8001, 0.80)
    assert Comparator.GE.met(1.0, 1.0) and not Comparator.GE.met(0.99, 1.0)


# --- forms, age shares, reference denominators -------------------------------------------------


def test_the_monthly_form() -> None:
    form = CATALOGUE.forms["monthly"]
    assert (form.code, form.name_vi) == ("monthly", "Báo cáo tháng")
    assert form.reporter_kinds == frozenset({UnitKind.XA, UnitKind.PHUONG})
    assert form.period_type is PeriodType.MONTHLY
    assert (form.indicators, form.due_day, form.as_of_day) == (("c", "d"), 20, 14)


def test_every_commune_and_ward_reports_monthly_but_not_the_province() -> None:
    reporters = CATALOGUE.expected_reporters(CATALOGUE.forms["monthly"])
    assert len(reporters) == 99 and CATALOGUE.province not in reporters
    assert [u.code for u in reporters] == sorted(CATALOGUE.units)
    wards_only = dataclasses.replace(CATALOGUE.forms["monthly"], reporter_kinds=frozenset({UnitKind.PHUONG}))
    assert len(CATALOGUE.expected_reporters(wards_only)) == 33


def test_age_shares_are_the_2024_values() -> None:
    shares = CATALOGUE.age_shares
    assert shares["age_18_plus"] == 72.0
    assert shares["under_15"] == 23.3  # 2024, not the 2019 value 24.3
    assert shares["age_14_plus"] == 78.3 and shares["age_16_plus"] == 75.1


def test_reference_denominators() -> None:
    assert CATALOGUE.reference_denominator("09313", "c") == 16788  # 23 317 × 72 % = 16 788.24
    assert CATALOGUE.reference_denominator("09313", "d") == 16788
    assert CATALOGUE.reference_denominator("24", "c") == 2_605_992  # 3 619 433 × 72 % = 2 605 991.76
    assert CATALOGUE.reference_denominator("09313", "a") is None  # officials: no population basis
    assert CATALOGUE.reference_denominator("09313", "dd") is None
    assert CATALOGUE.reference_denominator("07594", "c") is None  # Đèo Gia: no population figure
    assert CATALOGUE.reference_denominator("99999", "c") is None
    assert CATALOGUE.reference_denominator("09313", "zz") is None


def test_reference_denominators_round_half_up() -> None:
    half = dataclasses.replace(CATALOGUE, age_shares={**CATALOGUE.age_shares, "age_18_plus": 50.0})
    units = {
        "00001": Unit("00001", "X", UnitKind.XA, 5, None),
        "00002": Unit("00002", "Y", UnitKind.XA, 3, None),
    }
    half = dataclasses.replace(half, units=units)
    assert half.reference_denominator("00001", "c") == 3  # 2.5 → 3 (round() would give 2)
    assert half.reference_denominator("00002", "c") == 2  # 1.5 → 2


# --- version -----------------------------------------------------------------------------------


def test_the_version_is_a_stable_12_hex_content_hash(data_copy: Path) -> None:
    assert len(CATALOGUE.version) == 12 and int(CATALOGUE.version, 16) >= 0
    assert load_catalogue().version == CATALOGUE.version
    assert load_catalogue(data_copy).version == CATALOGUE.version  # same bytes, same version


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("units.csv", "09313,Chi Lăng,xa,23.39,23317", "09313,Chi Lăng,xa,23.39,23318"),
        ("forms.yaml", "due_day: 20", "due_day: 21"),
        ("indicators.yaml", "{year: 2026, value: 0.80", "{year: 2026, value: 0.85"),
        ("province.yaml", "population: 3619433", "population: 3619434"),
        ("age_shares.csv", "age_18_plus,72.0", "age_18_plus,72.1"),
        ("unit_predecessors.csv", "09313,Chi Lăng,xa,1,", "09313,Chi Lăng,xa,100,"),
    ],
)
def test_any_change_of_data_is_a_new_version(data_copy: Path, name: str, old: str, new: str) -> None:
    edit(data_copy / name, old, new)
    assert load_catalogue(data_copy).version != CATALOGUE.version


def test_the_readme_is_not_data(data_copy: Path) -> None:
    (data_copy / "README.md").write_text("changed", encoding="utf-8")
    assert load_catalogue(data_copy).version == CATALOGUE.version


def test_edited_data_is_what_gets_loaded(data_copy: Path) -> None:
    edit(data_copy / "forms.yaml", "due_day: 20", "due_day: 21")
    assert load_catalogue(data_copy).forms["monthly"].due_day == 21


# --- bad data ----------------------------------------------------------------------------------


def _rewrite(name: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda directory: edit(directory / name, old, new)


def _delete(name: str) -> Callable[[Path], None]:
    return lambda directory: (directory / name).unlink()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_rewrite("forms.yaml", "[c, d]", "[c, zz]"), "unknown indicator.*zz"),
        (_rewrite("forms.yaml", "[xa, phuong]", "[xa, thon]"), "reporter_kinds"),
        (_rewrite("forms.yaml", "period_type: monthly", "period_type: daily"), "period_type"),
        (_rewrite("forms.yaml", "as_of_day: 14", "as_of_day: 25"), "as_of_day"),
        (_rewrite("forms.yaml", "due_day: 20", "due_day: 31"), "due_day"),
        (_rewrite("units.csv", "09292,Phù Lãng", "09313,Phù Lãng"), "line 3: duplicate unit code 09313"),
        (_rewrite("units.csv", "09313,Chi Lăng,xa", "0931,Chi Lăng,xa"), "5-digit"),
        (_rewrite("units.csv", "09313,Chi Lăng,xa", "09313,Chi Lăng,thon"), "kind 'thon'"),
        (_rewrite("units.csv", "23.39,23317", "23.39,lots"), "population"),
        (_rewrite("units.csv", "code,name,kind", "code,ten,kind"), "missing column.*name"),
        (_rewrite("indicators.yaml", 'comparator: ">="}', 'comparator: "=>"}'), "comparator"),
        (_rewrite("indicators.yaml", "code: dd", "code: đ"), "ASCII"),
        (_rewrite("indicators.yaml", "code: b", "code: a"), "duplicate indicator"),
        # kpi and the notifier store codes in columns INDICATOR_CODE_MAX (32) wide
        (_rewrite("indicators.yaml", "code: lop_hoc_thon", "code: " + "x" * 33), "longer than 32"),
        (_rewrite("indicators.yaml", "{year: 2026, value: 0.80", "{year: 2026, value: 80"), "value"),
        (
            _rewrite("indicators.yaml", "{year: 2026, value: 0.80", "{year: 2025, value: 0.80"),
            "second target",
        ),
        (_rewrite("indicators.yaml", "status: estimate_not_gso", "status: official"), "disagrees"),
        (_rewrite("indicators.yaml", "basis: age_18_plus", "basis: age_99_plus"), "age_99_plus"),
        (_rewrite("province.yaml", 'code: "24"', "code: 24"), "code"),
        (_rewrite("province.yaml", "Asia/Ho_Chi_Minh", "Asia/Hanoi_Nowhere"), "time zone"),
        (_rewrite("province.yaml", "name: ", "name: [unclosed"), "not valid YAML"),
        (_rewrite("unit_predecessors.csv", "09313,Chi Lăng", "09999,Chi Lăng"), "09999"),
        (_delete("indicators.yaml"), "indicators.yaml is missing"),
        (_delete("agencies.yaml"), "agencies.yaml is missing"),
        (_rewrite("units.csv", "23317,2025-07-01,,", "23317,2025-07-01,2025-01-01,"), "before active_from"),
        (_rewrite("units.csv", "23317,2025-07-01,,", "23317,1/7/2025,,"), "not a date"),
        (_rewrite("units.csv", "23317,2025-07-01,,", "23317,2025-07-01,,77777"), "predecessor.*77777"),
        (_rewrite("indicators.yaml", "measure: count", "measure: tally"), "measure must be one of"),
        (_rewrite("indicators.yaml", "measure: yes_no\n", "measure: yes_no\n    parts: [x]\n"), "parts"),
        (
            _rewrite(
                "indicators.yaml",
                'norm: "ít nhất',
                'targets: [{year: 2026, value: 1, comparator: ">="}]\n    norm: "ít nhất',
            ),
            "a count has no attainment",
        ),
        (
            _rewrite("forms.yaml", "agencies: [cong_an]", "agencies: [cong_an_xa]"),
            "unknown agency.*cong_an_xa",
        ),
        (
            _rewrite("forms.yaml", "agencies: [so_gddt]", "agencies: [so_gddt]\n    reporter_kinds: [xa]"),
            "either reporter_kinds",
        ),
        (_rewrite("forms.yaml", 'periods: ["2025"]', "periods: []"), "names its periods"),
        (_rewrite("forms.yaml", 'periods: ["2025"]', 'periods: ["2025-03"]'), "not annual"),
        (_rewrite("agencies.yaml", "code: so_noi_vu", "code: so_gddt"), "duplicate agency"),
    ],
)
def test_bad_data_is_refused_with_a_clear_reason(
    data_copy: Path, damage: Callable[[Path], None], reason: str
) -> None:
    damage(data_copy)
    with pytest.raises(CatalogueError, match=reason):
        load_catalogue(data_copy)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="missing"):
        load_catalogue(tmp_path / "nowhere")


def test_the_catalogue_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE.version = "x"  # type: ignore[misc]
    assert isinstance(CATALOGUE, Catalogue)


# --- operational indicators, agencies and forms ----------------------------------------------------


def test_the_operational_indicators_of_the_2026_letters() -> None:
    operational = [c for c, i in CATALOGUE.indicators.items() if not i.kpi]
    assert operational == [
        "vneid_l2",
        "chu_ky_so",
        "doi_tnxk",
        "lop_hoc_thon",
        "cong_ttdt",
        "dinh_danh_16",
        "dai_su_so",
        "ho_tro_mot_cua",
        "gia_dinh_so",
        "tin_bai",
    ]
    assert CATALOGUE.indicators["vneid_l2"].targets == ()  # tracked apart from KPI d, no target
    signatures = CATALOGUE.indicators["chu_ky_so"]
    assert signatures.parts == ("vneid", "mysign", "smartca")
    assert signatures.denominator_basis == "age_14_plus"
    assert [(t.year, t.value) for t in signatures.targets] == [(2026, 0.70)]
    assert CATALOGUE.indicators["dinh_danh_16"].denominator_basis == "age_16_plus"
    assert {c for c, i in CATALOGUE.indicators.items() if i.measure is Measure.YES_NO} == {
        "doi_tnxk",
        "cong_ttdt",
        "ho_tro_mot_cua",
    }
    news = CATALOGUE.indicators["tin_bai"]
    assert news.measure is Measure.COUNT and news.targets == () and news.norm


def test_agencies_file_forms_about_the_province() -> None:
    assert set(CATALOGUE.agencies) == {"cong_an", "so_gddt", "so_noi_vu", "tinh_doan", "bao_ptth", "so_khcn"}
    police = CATALOGUE.forms["police_monthly"]
    assert police.for_province and police.agencies == {"cong_an"} and police.indicators == ("vneid_l2", "d")
    assert CATALOGUE.expected_reporters(police) == [CATALOGUE.province]
    assert CATALOGUE.forms["education_monthly"].indicators == ("b",)
    assert CATALOGUE.forms["home_affairs_monthly"].indicators == ("a",)
    assert not CATALOGUE.forms["youth_weekly"].for_province


def test_every_period_type_has_a_commune_form() -> None:
    commune_forms = [f for f in CATALOGUE.forms.values() if not f.for_province]
    assert {f.period_type for f in commune_forms} == set(PeriodType)
    for form in commune_forms:
        assert len(CATALOGUE.expected_reporters(form)) == 99, form.code


def test_the_police_baseline_is_a_one_off_report_due_before_31_march_2026() -> None:
    baseline = CATALOGUE.forms["police_baseline_2025"]
    assert baseline.due_date == date(2026, 3, 31) and baseline.periods == ("2025",)
    cutoff = form_deadline(baseline, Period.parse("2025"), ZoneInfo("Asia/Ho_Chi_Minh"))
    assert cutoff == datetime(2026, 3, 31, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    inclusive = form_deadline(baseline, Period.parse("2025"), ZoneInfo("Asia/Ho_Chi_Minh"), inclusive=True)
    assert inclusive == datetime(2026, 4, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_every_form_indicator_exists_and_every_indicator_is_on_a_form() -> None:
    on_forms = {code for form in CATALOGUE.forms.values() for code in form.indicators}
    assert on_forms == set(CATALOGUE.indicators)


# --- unit history --------------------------------------------------------------------------------


def test_the_99_units_came_into_being_on_1_july_2025() -> None:
    assert {u.active_from for u in CATALOGUE.units.values()} == {date(2025, 7, 1)}
    assert all(u.active_to is None for u in CATALOGUE.units.values())
    monthly = CATALOGUE.forms["monthly"]
    assert CATALOGUE.expected_reporters(monthly, on=date(2025, 6, 14)) == []
    assert len(CATALOGUE.expected_reporters(monthly, on=date(2025, 7, 14))) == 99


def test_a_merge_closes_the_old_units_and_opens_the_new_one(data_copy: Path) -> None:
    units = data_copy / "units.csv"
    text = units.read_text(encoding="utf-8")
    text = text.replace(
        "09313,Chi Lăng,xa,23.39,23317,2025-07-01,,", "09313,Chi Lăng,xa,23.39,23317,2025-07-01,2026-06-30,"
    )
    text = text.replace(
        "09292,Phù Lãng,xa,28.15,26964,2025-07-01,,", "09292,Phù Lãng,xa,28.15,26964,2025-07-01,2026-06-30,"
    )
    text += "09999,Chi Lăng Phù Lãng,xa,51.54,50281,2026-07-01,,09313 09292\n"
    units.write_text(text, encoding="utf-8")
    catalogue = load_catalogue(data_copy)
    merged = catalogue.units["09999"]
    assert merged.predecessors == ("09313", "09292")
    monthly = catalogue.forms["monthly"]
    june = {u.code for u in catalogue.expected_reporters(monthly, on=date(2026, 6, 14))}
    july = {u.code for u in catalogue.expected_reporters(monthly, on=date(2026, 7, 14))}
    assert {"09313", "09292"} <= june and "09999" not in june
    assert "09999" in july and not {"09313", "09292"} & july
    assert len(june) == len(july) + 1


def test_the_indicators_reported_for_a_commune_are_its_forms_and_for_the_province_every_forms() -> None:
    commune = CATALOGUE.indicators_reported_for("09313")
    assert {"c", "d", "dd", "chu_ky_so", "lop_hoc_thon"} <= commune and not {"a", "b"} & commune
    every = {code for form in CATALOGUE.forms.values() for code in form.indicators}
    assert CATALOGUE.indicators_reported_for("24") == every
    assert CATALOGUE.indicators_reported_for("00000") == frozenset()


def test_each_indicator_has_a_label_people_use_after_chi_tieu() -> None:
    labels = {code: i.label for code, i in CATALOGUE.indicators.items()}
    assert [labels[k] for k in ("a", "b", "c", "d", "dd")] == ["a", "b", "c", "d", "đ"]
    assert labels["chu_ky_so"] == "chữ ký số" and labels["lop_hoc_thon"] == "lớp học ở thôn"
    assert all(label and "_" not in label and "," not in label for label in labels.values())
    assert dataclasses.replace(CATALOGUE.indicators["c"], label_vi="").label == "c"  # none given: the code
