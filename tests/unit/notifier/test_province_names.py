"""The province's name comes from the catalogue (province.yaml), never from the templates: run with
another province's catalogue, nothing the notifier sends says "Bắc Ninh"."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import Catalogue, catalogue_from_files, read_files
from bdhvs_shared.catalogue.titles import province_title
from notifier.adapters.messages import Messages
from notifier.domain.alerts import BELOW_TARGET, RECOVERED, REPEAT
from notifier.domain.intents import AlertLine, DeadlineFacts, Rendered
from notifier.settings import NotifierSettings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = (
    "deadline_reminder",
    "deadline_overdue",
    "deadline_escalation",
    "deadline_summary",
    "operator_consolidation_reminder",
)


def other_province() -> Catalogue:
    """The shipped catalogue with Hà Tĩnh's province.yaml (and no agency named after Bắc Ninh)."""
    files = read_files(resources.files("bdhvs_shared.catalogue") / "data")
    province = files["province.yaml"].decode()
    files["province.yaml"] = (
        province.replace('code: "24"', 'code: "42"').replace("Bắc Ninh", "Hà Tĩnh").encode()
    )
    files["agencies.yaml"] = files["agencies.yaml"].decode().replace("Bắc Ninh", "Hà Tĩnh").encode()
    return catalogue_from_files(files)


def everything_sent(messages: Messages) -> list[Rendered]:
    now, deadline = datetime(2026, 3, 17, 9, tzinfo=TZ), datetime(2026, 3, 20, tzinfo=TZ)
    deadline_mail = [
        messages.deadline(
            DeadlineFacts(
                kind, "monthly", "2026-03", "09313", deadline, now, ("09313",), 99, ("09292",), deadline
            ),
            "Văn phòng",
        )
        for kind in KINDS
    ]
    snapshot = {"unit_code": "09313", "indicator": "c", "attainment": 0.47, "as_of": "2026-03-14"}
    lines = [
        AlertLine(kind, "off_track", snapshot, now, "https://n/1")
        for kind in (BELOW_TARGET, REPEAT, RECOVERED)
    ]
    return [
        *deadline_mail,
        messages.alert_group(lines, "Chủ tịch"),
        messages.alert_group(lines[:1], "Chủ tịch"),
    ]


def test_another_provinces_catalogue_leaves_no_bac_ninh_in_what_the_notifier_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue = other_province()
    assert (catalogue.province.code, catalogue.province.name) == ("42", "Hà Tĩnh")
    sent = everything_sent(Messages(catalogue))
    for mail in sent:
        for part in (mail.subject, mail.text, mail.html, mail.sms):
            assert "Bắc Ninh" not in part and "Bac Ninh" not in part, part
    assert any("tỉnh Hà Tĩnh" in m.text for m in sent) and all("Hà Tĩnh" in m.sms for m in sent)
    for name, value in {"NATS_URL": "nats://h:4222", "DATABASE_URL": "postgresql+asyncpg://u@h/d"}.items():
        monkeypatch.setenv(name, value)
    assert "Bắc Ninh" not in NotifierSettings(smtp_host="x").mail_from  # the From header's default


def test_the_province_title() -> None:
    assert province_title("Bắc Ninh") == "tỉnh Bắc Ninh"
    assert province_title("Hà Nội") == "thành phố Hà Nội"
    assert province_title("Thành phố Huế") == "thành phố Huế"


def test_the_web_footer_names_the_catalogues_province() -> None:
    from web.adapters import rendering

    province = other_province().province
    renderer = rendering.Renderer(TZ, province.name, province.code)
    assert renderer.env.globals["PROVINCE_TITLE"] == "Tỉnh Hà Tĩnh"
    assert renderer.env.globals["PROVINCE_CODE"] == province.code != "24"
    templates = Path(rendering.__file__).parent / "templates"
    assert "Bắc Ninh" not in (templates / "base.html").read_text(encoding="utf-8")
    # The province's figures and charts are asked by the catalogue's code, not Bắc Ninh's.
    assert not [t.name for t in templates.glob("*.html") if "'24'" in t.read_text(encoding="utf-8")]
