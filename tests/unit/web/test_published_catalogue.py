"""The web lays out its forms from the catalogue intake publishes: a new form reaches it within the
cache time, without a release; while intake cannot answer, the last catalogue known stays in use."""

from __future__ import annotations

from bdhvs_shared.catalogue import default_directory, load_catalogue, read_files
from support.web_fakes import FakeIntake
from web.service_layer.published_catalogue import PublishedCatalogue

SHIPPED = load_catalogue()
NEW_FORM = """
  - code: youth_monthly
    name_vi: "Báo cáo tháng của Đoàn"
    reporter_kinds: [xa, phuong]
    period_type: monthly
    indicators: [c]
    due_day: 20
    as_of_day: 14
"""


def published(extra_form: str = "") -> dict[str, str]:
    files = {name: content.decode() for name, content in read_files(default_directory()).items()}
    files["forms.yaml"] = files["forms.yaml"].replace("forms:\n", "forms:" + extra_form + "\n", 1)
    return files


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_newly_published_form_reaches_the_web_within_the_cache_time() -> None:
    intake, ticks = FakeIntake(published_files=published()), Ticks()
    source = PublishedCatalogue(SHIPPED, cache_seconds=60, monotonic=ticks)
    assert "youth_monthly" not in (await source.current(intake, "tok")).forms
    intake.published_files = published(NEW_FORM)  # an admin publishes a new form
    ticks.now = 59
    assert "youth_monthly" not in (await source.current(intake, "tok")).forms  # cached
    assert intake.calls == ["catalogue_files"]
    ticks.now = 61
    found = await source.current(intake, "tok")
    assert found.forms["youth_monthly"].name_vi == "Báo cáo tháng của Đoàn"
    assert found.version != SHIPPED.version and intake.calls == ["catalogue_files"] * 2


async def test_while_intake_cannot_answer_the_last_catalogue_known_stays() -> None:
    intake, ticks = FakeIntake(published_files=published(NEW_FORM)), Ticks()
    source = PublishedCatalogue(SHIPPED, cache_seconds=60, monotonic=ticks)
    known = await source.current(intake, "tok")
    intake.published_files = None  # intake is down
    ticks.now = 120
    assert await source.current(intake, "tok") is known
    intake.published_files = {"forms.yaml": "forms: ["}  # broken files change nothing either
    ticks.now = 240
    assert await source.current(intake, "tok") is known
    assert len(intake.calls) == 3  # once per cache period, failures included
