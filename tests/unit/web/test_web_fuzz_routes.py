"""The web fuzz (tests/e2e/test_fuzz_web.py) sends every route of the web app: a new form or page
with parameters is fuzzed before it is merged."""

from __future__ import annotations

from typing import Any

from support.web_fuzz import NOT_FUZZED, ROUTES, WITHOUT_INPUT, WebCase, WebRoute, encoded
from web.bootstrap import create_app
from web.settings import WebSettings


def _paths(routes: list[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found |= _paths(included.routes)
            continue
        found |= {(m, route.path) for m in getattr(route, "methods", None) or {"GET"} if m != "HEAD"}
    return found


def test_every_route_of_the_web_is_fuzzed_or_takes_no_input() -> None:
    served = _paths(create_app(WebSettings(web_secret="unit-test-web-secret-0123")).routes)  # type: ignore[call-arg]
    fuzzed = {(r.method, r.path) for r in ROUTES}
    opened = {("GET", p) for p in WITHOUT_INPUT} | {("GET", p) for p in NOT_FUZZED}
    assert served - fuzzed - opened == set()
    assert fuzzed - served == set()


def test_a_case_sends_non_utf8_bytes_as_they_are() -> None:
    route = WebRoute("GET", "/don-vi/{unit}", ("ky",))
    case = WebCase(route, {"unit": b"\xff/"}, {"ky": b"\xfe", "v": None}, {}, "valid", False)
    assert case.url() == "/don-vi/%FF%2F?ky=%FE"
    assert encoded({"a b": "é"}) == "a%20b=%C3%A9"


def test_the_fuzz_accepts_the_statuses_docs_web_md_lists_and_no_5xx_but_503() -> None:
    from support.web_fuzz import STATUSES

    assert {200, 303, 401, 403, 422, 503} <= STATUSES and not {500, 502, 504} & STATUSES
