"""`bench --units` and `--kpi-replicas`: the synthetic country's catalogue and the printed figures."""

from __future__ import annotations

from bdhvs_local.bench import country
from bdhvs_local.bench.baselines import Baselines
from bdhvs_local.bench.pipeline import Pipeline, Sizes
from bdhvs_local.bench.replicas import ReplicaRun
from bdhvs_local.bench.report import replicas_report, report
from bdhvs_local.bench.resources import CpuSpent
from bdhvs_shared.catalogue import catalogue_from_files, default_directory, load_catalogue, read_files


def test_the_country_is_a_valid_catalogue_of_3321_units_that_fits_intakes_file_limit() -> None:
    rows = country.unit_rows(country.COUNTRY_UNITS)
    text = country.units_csv(rows)
    assert len(text) < 250_000  # FileIn.content's limit (the body's is 256 KB)
    files = {**read_files(default_directory()), "units.csv": text.encode()}
    catalogue = catalogue_from_files(files)
    assert len(catalogue.units) == 3321
    assert set(load_catalogue().units) < set(catalogue.units)  # the real province's units are kept
    assert rows == country.unit_rows(3321)  # seeded: the same file every time
    assert country.unit_rows(3321, seed=1) != rows
    assert len(country.unit_codes(50)) == 50 and set(country.unit_codes(50)) < set(load_catalogue().units)


def _pipeline(seconds: float) -> Pipeline:
    cpu = [CpuSpent("throughput", 3321, {"intake": 2.5}, seconds, 1.5)]
    return Pipeline(3321, 32, 60.0, 55.0, 100.0, [5.0], 1, 0, 0, cpu, {}, 3321, seconds)


def test_the_report_says_whether_every_unit_reported_within_a_minute() -> None:
    baselines = Baselines(1.0, 1.0, 1.0, 1.0, 1.0, 8)
    assert "every unit's monthly report within 60 s: yes (55.0 s" in report(_pipeline(55.0), baselines, None)
    assert "every unit's monthly report within 60 s: no (61.2 s" in report(_pipeline(61.2), baselines, None)


def test_the_replicas_report_prints_each_kpi_process_and_their_sum() -> None:
    runs = [
        ReplicaRun(1, 100, 20.0, 19.0, CpuSpent("throughput", 100, {"intake": 9.0, "kpi": 8.0}, 5.0, 2.0)),
        ReplicaRun(
            2,
            100,
            21.0,
            20.0,
            CpuSpent("throughput", 100, {"intake": 9.0, "kpi": 5.0, "kpi 2": 4.5}, 5.0, 2.0),
        ),
    ]
    lines = replicas_report(runs, Sizes(reports=100)).splitlines()
    assert any(line.split()[:6] == ["1", "20.0", "19.0", "8.00", "17.00", "2.00"] for line in lines)
    assert any(line.split()[:6] == ["2", "21.0", "20.0", "9.50", "18.50", "2.00"] for line in lines)
    assert any("kpi 5.00  kpi 2 4.50" in line for line in lines)
