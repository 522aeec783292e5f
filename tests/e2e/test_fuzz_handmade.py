"""Hand-made bad inputs no generator makes (issue 16, item 5): a 10 MB JSON body, JSON nested
100 000 deep, invalid UTF-8, a zip bomb and a malformed .xlsx to the import, sent to intake and
the notifier running as processes. Each gets a status its OpenAPI document declares, never a 5xx,
and an error with a code and a message; each is counted in the `fuzz:` line."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.fuzz_tally import TALLY, declared_statuses
from support.fuzzing import fuzzed_services
from support.processes import RunningSystem

pytestmark = pytest.mark.timeout(600)  # three services to start on the module's first test
ROOT = Path(__file__).resolve().parents[2]
DOCS = {s: json.loads((ROOT / f"docs/openapi/{s}.json").read_text("utf-8")) for s in ("intake", "notifier")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON, CSV = "application/json", "text/csv; charset=utf-8"


def _zip_bomb() -> bytes:
    """A small .xlsx whose one sheet inflates to 200 MB of the same cell."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"<row><c><v>1</v></c></row>" * 40_000
            for _ in range(200):
                sheet.write(chunk)
    return out.getvalue()


BIG_JSON = json.dumps({"unit_code": "09313", "form": "monthly", "period": "2026-02", "x": "a" * 10_000_000})
NESTED = "[" * 100_000 + "]" * 100_000
BAD_UTF8 = b'{"unit_code": "09313\xff\xfe", "form": "monthly"}'
MALFORMED_XLSX = b"PK\x03\x04" + b"\x00garbage" * 5000
BAD_CSV = b"unit_code,role,name,email\n09313,clerk,\xff\xfe\xfd,x@example.invalid\n"

IMPORT = "?form=monthly&period=2026-02"
CASES = [
    ("intake", "post", "/api/v1/reports", "", JSON, BIG_JSON.encode()),
    ("intake", "post", "/api/v1/reports", "", JSON, NESTED.encode()),
    ("intake", "post", "/api/v1/reports", "", JSON, BAD_UTF8),
    ("intake", "post", "/api/v1/imports", IMPORT, XLSX, MALFORMED_XLSX),
    ("intake", "post", "/api/v1/imports", IMPORT, CSV, b"unit_code,unit_name\n09313,\xff\xfe\n"),
    ("intake", "post", "/api/v1/accounts", "", JSON, NESTED.encode()),
    ("intake", "post", "/api/v1/accounts/import", "?dry_run=true", CSV, BAD_CSV),
    ("intake", "post", "/api/v1/sessions", "", JSON, BAD_UTF8),
    ("notifier", "post", "/api/v1/admin/contacts", "", JSON, BIG_JSON.encode()),
    ("notifier", "post", "/api/v1/admin/contacts", "", JSON, NESTED.encode()),
    ("notifier", "post", "/api/v1/admin/contacts", "", JSON, BAD_UTF8),
    ("notifier", "post", "/api/v1/admin/contacts/import", "?dry_run=true", CSV, BAD_CSV),
    ("notifier", "put", "/api/v1/admin/routing-rules", "", JSON, NESTED.encode()),
    ("notifier", "post", "/api/v1/violations/{violation_id}/acknowledge", "", JSON, BAD_UTF8),
]


@pytest.fixture(scope="module")
def handmade_services(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningSystem, dict[str, str]]]:
    logs, names = tmp_path_factory.mktemp("handmade"), ("intake", "kpi", "notifier")
    with fuzzed_services(
        postgres_url, template_database, nats_url, logs, names, "--role", "admin"
    ) as running:
        system, admin = running
        operator = system.cli("intake", "token", "create", "--role", "operator")
        yield system, {"admin": admin, "operator": operator}


def _check(system: RunningSystem, token: str, case: tuple[str, str, str, str, str, bytes]) -> None:
    service, method, route, query, media, body = case
    path = route.replace("{violation_id}", "1") + query
    answer = httpx.request(
        method.upper(),
        system.url(service) + path,
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": media},
        timeout=60,
    )
    declared = declared_statuses(DOCS[service], method, route)
    TALLY.record(f"{method.upper()} {route} (hand-made)", answer.status_code, declared)
    assert answer.status_code < 500, answer.text[:500]
    assert str(answer.status_code) in declared, (answer.status_code, answer.text[:500])
    assert 400 <= answer.status_code < 500
    errors = answer.json()["errors"]
    assert errors and all(e["code"] and e["message"] for e in errors), answer.text[:500]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[2]} {c[4][:16]} {len(c[5])}B")
def test_a_hand_made_bad_input_gets_a_declared_error(
    handmade_services: tuple[RunningSystem, dict[str, str]], case: tuple[str, str, str, str, str, bytes]
) -> None:
    system, tokens = handmade_services
    _check(system, tokens["operator" if case[0] == "intake" else "admin"], case)


def test_a_zip_bomb_to_the_import_is_refused_without_inflating_it(
    handmade_services: tuple[RunningSystem, dict[str, str]],
) -> None:
    system, tokens = handmade_services
    _check(system, tokens["operator"], ("intake", "post", "/api/v1/imports", IMPORT, XLSX, _zip_bomb()))
