"""No form or page of the web answers 5xx or a status docs/web.md does not list, whatever is posted.

Every form POST and every GET taking parameters (tests/support/web_fuzz.py) is sent hypothesis'
values — plausible ones, any text, non-UTF-8 bytes, huge fields, fields left out, a CSRF token valid,
missing, forged or another session's — by an operator and a commune clerk signed in through the
sign-in page, to the web running as a process over real intake, kpi and notifier processes. An error
answer is an HTML page (never FastAPI's JSON), and each answer is counted in the `fuzz:` line.
`make fuzz` raises the examples (BDHVS_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from bdhvs_local.ports import free_port
from bdhvs_local.services import ServiceProcess
from support.fuzz_tally import TALLY, examples
from support.fuzzing import fuzzed_services
from support.processes import RunningSystem
from support.web_fuzz import (
    ROUTES,
    STATUSES,
    WITHOUT_INPUT,
    Value,
    WebCase,
    WebRoute,
    cases,
    csrf_field,
    encoded,
)

# In `make test` as the short form (SHORT examples per route and person); `make fuzz` raises them with
# BDHVS_FUZZ_EXAMPLES (and its own timeout). One pytestmark: a second assignment would replace the first.
pytestmark = [pytest.mark.timeout(900)]
SHORT = 4
WEB_SECRET = "fuzz-web-secret-7e31c0d2"
PASSWORD = "Mat-khau-fuzz-2026"
PEOPLE = {"operator": ("operator.fuzz", None), "commune": ("commune.fuzz", "09313")}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Person:
    """A signed-in person: the cookies the browser would send and the CSRF token of its forms."""

    cookies: str
    csrf: str
    visitor_csrf: str


def _create_account(system: RunningSystem, username: str, role: str, unit: str | None) -> None:
    args = ["accounts", "create", "--username", username, "--role", role, "--display-name", f"Fuzz {role}"]
    env = {**os.environ, **system.env, "INTAKE_ACCOUNT_PASSWORD": PASSWORD}
    result = subprocess.run(
        [sys.executable, "-m", "intake", *args, *(["--unit", unit] if unit else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _sign_in(client: httpx.Client, username: str) -> Person:
    """Through the sign-in page, as a browser does: its visitor cookie and form token, then the POST."""
    client.cookies.clear()  # each request carries the cookies it names, none kept by the client
    page = client.get("/dang-nhap")
    visitor = page.cookies["bdhvs_visitor"]
    visitor_csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/dang-nhap",
        content=encoded({"username": username, "password": PASSWORD, "csrf": visitor_csrf}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"bdhvs_visitor={visitor}"},
    )
    assert answer.status_code == 303, answer.text[:500]
    client.cookies.clear()
    cookies = f"bdhvs_visitor={visitor}; bdhvs_session={answer.cookies['bdhvs_session']}"
    form = client.get("/doi-mat-khau", headers={"Cookie": cookies})
    client.cookies.clear()
    return Person(cookies, CSRF.search(form.text).group(1), visitor_csrf)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def web(
    postgres_url: str, template_database: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, dict[str, Person]]]:
    logs, names = tmp_path_factory.mktemp("fuzz-web"), ("intake", "kpi", "notifier")
    with fuzzed_services(
        postgres_url, template_database, nats_url, logs, names, "--role", "admin"
    ) as running:
        system, _ = running
        env = {
            **system.env,
            **{f"{s.upper()}_URL": system.url(s) for s in names},
            "WEB_SECRET": WEB_SECRET,
        }
        process = ServiceProcess("web", free_port(), env, logs / "web.log").start()
        try:
            process.wait_ready()
            for role, (username, unit) in PEOPLE.items():
                _create_account(system, username, role, unit)
            with httpx.Client(base_url=process.url, timeout=60, follow_redirects=False) as client:
                people = {role: _sign_in(client, username) for role, (username, _) in PEOPLE.items()}
                yield client, people
        finally:
            process.stop()


def _send(client: httpx.Client, case: WebCase, person: Person, other: Person) -> httpx.Response:
    headers = {"Cookie": person.cookies}
    client.cookies.clear()  # only this person's cookies, none the client kept from an answer
    if case.route.method == "GET":
        return client.get(case.url(), headers=headers)
    valid = person.visitor_csrf if case.route.anonymous else person.csrf
    fields: dict[str, Value] = {k: v for k, v in case.fields.items() if v is not None}
    fields |= csrf_field(case, valid, other.csrf)
    if case.multipart:
        files = {name: (f"{name}.csv", data, "text/csv") for name, data in case.files.items()}
        return client.post(
            case.url(), data=fields, files=files or {"_": ("", b"", "text/plain")}, headers=headers
        )
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return client.post(case.url(), content=encoded(fields), headers=headers)


def _check(answer: httpx.Response, what: str) -> None:
    declared = {str(s) for s in STATUSES}
    assert TALLY.record(what, answer.status_code, declared), (what, answer.status_code, answer.text[:500])
    if answer.status_code >= 400:  # a page that says what went wrong, not FastAPI's JSON
        assert answer.headers["content-type"].startswith("text/html"), (what, answer.text[:300])
        assert "<h1" in answer.text, (what, answer.text[:300])


def _signed_in_again(client: httpx.Client, role: str, people: dict[str, Person]) -> None:
    """The fuzz signed this person out (POST /dang-xuat with a good token): sign in again."""
    people[role] = _sign_in(client, PEOPLE[role][0])


@pytest.mark.parametrize("role", list(PEOPLE))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_web_form_answers_a_documented_status(
    route: WebRoute, role: str, web: tuple[httpx.Client, dict[str, Person]]
) -> None:
    client, people = web

    @given(case=cases(route))
    @settings(max_examples=examples(SHORT), deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: WebCase) -> None:
        other = people["commune" if role == "operator" else "operator"]
        answer = _send(client, case, people[role], other)
        _check(answer, f"{route.method} {case.url()[:120]} as {role} (csrf {case.csrf})")
        if route.path == "/dang-xuat" and answer.status_code == 303:
            _signed_in_again(client, role, people)

    fuzz()


@pytest.mark.parametrize("role", list(PEOPLE))
def test_the_pages_without_input_answer_a_documented_status(
    role: str, web: tuple[httpx.Client, dict[str, Person]]
) -> None:
    client, people = web
    for path in sorted(WITHOUT_INPUT):
        client.cookies.clear()
        _check(client.get(path, headers={"Cookie": people[role].cookies}), f"GET {path} as {role}")
