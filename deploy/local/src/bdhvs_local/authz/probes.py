"""Every request of the APIs that names a unit, a report, a violation or a contact, as the authz
sweep sends it about another unit: a commune's token must be refused each one of them.

`PROBES` is keyed by the operation of the committed OpenAPI document (docs/openapi/<service>.json);
`covered.py` lists every other operation with the reason it names no unit, and a unit test fails
when an operation of a document is in neither (a new endpoint is swept before it is merged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The sweep's stack lives in December 2026, before the campaign's due date: figures far below
# target open violations (after a target's due date a unit has simply missed it, and nothing opens).
CLOCK_START = "2026-12-10T09:00:00+07:00"
EARLIER_PERIOD = "2026-10"  # seeded for every unit: a first observation
SEEDED_PERIOD = "2026-11"  # seeded for every unit in two revisions (the diff)
PERIOD = "2026-09"  # a month no unit has a report for (what the probes submit)
ADMIN, OPERATOR = "admin", "operator"


@dataclass(frozen=True)
class Target:
    """The other unit and what it owns on the seeded stack."""

    unit: str
    report_id: str
    violation_id: int
    contact_id: int
    username: str  # the unit's clerk account
    import_csv: bytes  # the monthly form's CSV template filled for the unit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None  # the web's forms (their CSRF token is added by the sweep)
    files: dict[str, tuple[str, bytes, str]] | None = None


@dataclass(frozen=True)
class Probe:
    service: str
    method: str
    route: str  # the path as the OpenAPI document writes it
    build: Callable[[Target], Request]
    # The role the same request is allowed for (the control: it proves the request itself is
    # valid); None where allowing it would change the catalogue (a merge or split of units).
    control: str | None = OPERATOR
    control_statuses: tuple[int, ...] = (200, 201, 204)


def values(n: int) -> dict[str, Any]:
    return {"c": {"numerator": n, "denominator": 10000}, "d": {"numerator": n, "denominator": 10000}}


def report_body(unit: str, period: str = PERIOD, n: int = 5000) -> dict[str, Any]:
    return {"unit_code": unit, "form": "monthly", "period": period, "values": values(n), "confirm": True}


CSV = {"Content-Type": "text/csv; charset=utf-8"}


def _get(
    service: str, route: str, params: Callable[[Target], dict[str, str]], control: str = OPERATOR
) -> Probe:
    return Probe(service, "get", route, lambda t: Request("GET", route, params(t)), control)


def _path(route: str, t: Target) -> str:
    return (
        route.replace("{report_id}", t.report_id)
        .replace("{revision}", "2")
        .replace("{violation_id}", str(t.violation_id))
        .replace("{contact_id}", str(t.contact_id))
        .replace("{username}", t.username)
        .replace("{form}", "monthly")
    )


def _by_id(
    service: str,
    method: str,
    route: str,
    control: str = OPERATOR,
    body: Any = None,
    params: Callable[[Target], dict[str, str]] = lambda _: {},
) -> Probe:
    return Probe(
        service,
        method,
        route,
        lambda t: Request(method.upper(), _path(route, t), params(t), json=body),
        control,
    )


def _merge(t: Target) -> Request:
    body = {"sources": [t.unit], "into_code": "09313", "effective": "2028-02-01", "summary": "authz sweep"}
    return Request("POST", "/api/v1/admin/units/merge", json=body)


def _split(t: Target) -> Request:
    into = [{"code": f"9{i}{t.unit[2:]}", "name": f"Authz {i}", "kind": "xa"} for i in (1, 2)]
    body = {"source": t.unit, "into": into, "effective": "2028-02-01", "summary": "authz sweep"}
    return Request("POST", "/api/v1/admin/units/split", json=body)


def _account(t: Target) -> Request:
    body = {"username": f"authz{t.unit}", "display_name": "Authz", "role": "commune", "unit_code": t.unit}
    return Request("POST", "/api/v1/accounts", json=body)


def _accounts_import(t: Target) -> Request:
    text = f"username,display_name,role,unit_code\nauthz{t.unit},Authz,commune,{t.unit}\n"
    return Request("POST", "/api/v1/accounts/import", {"dry_run": "true"}, content=text.encode(), headers=CSV)


def _contact(t: Target) -> Request:
    body = {"unit_code": t.unit, "role": "clerk", "name": "Authz", "email": f"authz-{t.unit}@example.invalid"}
    return Request("POST", "/api/v1/admin/contacts", json=body)


def _contacts_import(t: Target) -> Request:
    text = f"unit_code,role,name,email\n{t.unit},clerk,Authz,authz-{t.unit}@example.invalid\n"
    return Request(
        "POST", "/api/v1/admin/contacts/import", {"dry_run": "true"}, content=text.encode(), headers=CSV
    )


def _imports(dry_run: str, period: str = PERIOD) -> Callable[[Target], Request]:
    params = {"form": "monthly", "period": period, "dry_run": dry_run, "confirm": "true"}
    return lambda t: Request("POST", "/api/v1/imports", params, content=t.import_csv, headers=CSV)


FUTURE_PERIOD = "2099-12"  # a file refused for its period too: whose it is is still checked first


IN, K, N = "intake", "kpi", "notifier"
VIOLATION = "/api/v1/violations/{violation_id}"
PROBES: list[Probe] = [
    _get(IN, "/api/v1/reports", lambda t: {"unit": t.unit}),
    Probe(
        IN, "post", "/api/v1/reports", lambda t: Request("POST", "/api/v1/reports", json=report_body(t.unit))
    ),
    _by_id(IN, "get", "/api/v1/reports/{report_id}"),
    _by_id(IN, "get", "/api/v1/reports/{report_id}/revisions/{revision}/diff"),
    _by_id(
        IN,
        "get",
        "/api/v1/templates/{form}",
        params=lambda t: {"unit": t.unit, "period": PERIOD, "format": "csv"},
    ),
    Probe(IN, "post", "/api/v1/imports", _imports("true")),
    Probe(IN, "post", "/api/v1/imports", _imports("false")),
    # Found by the sweep (issue 16): another unit's file with anything else wrong answered 422, as its
    # rows were checked before whose they were. No control: the operator's answer is that 422.
    Probe(IN, "post", "/api/v1/imports", _imports("false", FUTURE_PERIOD), None),
    Probe(IN, "post", "/api/v1/admin/units/merge", _merge, None),
    Probe(IN, "post", "/api/v1/admin/units/split", _split, None),
    Probe(IN, "post", "/api/v1/accounts", _account, ADMIN),
    Probe(IN, "post", "/api/v1/accounts/import", _accounts_import, ADMIN),
    _by_id(IN, "post", "/api/v1/accounts/{username}/reset-password", ADMIN),
    _by_id(IN, "post", "/api/v1/accounts/{username}/deactivate", ADMIN),
    _get(K, "/api/v1/attainment", lambda t: {"unit": t.unit}),
    _get(K, "/api/v1/history", lambda t: {"unit": t.unit, "indicator": "c"}),
    _get(N, "/api/v1/violations", lambda t: {"unit": t.unit}),
    _by_id(N, "get", VIOLATION),
    _by_id(N, "post", VIOLATION + "/acknowledge", body={"reason": "authz sweep"}),
    _get(N, "/api/v1/notifications", lambda t: {"unit": t.unit}),
    _get(N, "/api/v1/ledger", lambda t: {"unit": t.unit}),
    _get(N, "/api/v1/admin/contacts", lambda t: {"unit": t.unit}, ADMIN),
    Probe(N, "post", "/api/v1/admin/contacts", _contact, ADMIN),
    Probe(N, "post", "/api/v1/admin/contacts/import", _contacts_import, ADMIN),
    _by_id(N, "patch", "/api/v1/admin/contacts/{contact_id}", ADMIN, {"name": "Authz"}),
    _by_id(N, "post", "/api/v1/admin/contacts/{contact_id}/deactivate", ADMIN),
    _get(N, "/api/v1/admin/audit", lambda t: {"entity": "contact", "entity_id": str(t.contact_id)}, ADMIN),
]


def _all(
    service: str,
    route: str,
    params: dict[str, str] | None = None,
    control: str = OPERATOR,
    path: str = "",
    statuses: tuple[int, ...] = (200,),
) -> Probe:
    request = Request("GET", path or route, dict(params or {}))
    return Probe(service, "get", route, lambda _: request, control, statuses)


# Every unit at once: a commune's token is refused these whatever the unit (one try per token).
CATALOGUE_FILE = "/api/v1/admin/catalogue/files/{name}"
ARCHIVE = "/api/v1/consolidated/archive/{period}.{extension}"
WHOLE_PROVINCE: list[Probe] = [
    _all(IN, "/api/v1/accounts", control=ADMIN),
    _all(IN, "/api/v1/accounts/template", control=ADMIN),
    _all(IN, "/api/v1/admin/catalogue/versions", control=ADMIN),
    _all(IN, CATALOGUE_FILE, control=ADMIN, path=CATALOGUE_FILE.replace("{name}", "units.csv")),
    _all(K, "/api/v1/table"),
    _all(K, "/api/v1/table", {"format": "csv"}),
    _all(K, "/api/v1/ranking", {"indicator": "c"}),
    _all(K, "/api/v1/groups", {"indicator": "c"}),
    _all(K, "/api/v1/completeness", {"form": "monthly", "period": SEEDED_PERIOD}),
    _all(K, "/api/v1/consolidated", {"period": SEEDED_PERIOD}),
    # Not made before the 24th: 404 consolidated.not_made is past the role check all the same.
    _all(K, ARCHIVE, path=f"/api/v1/consolidated/archive/{SEEDED_PERIOD}.xlsx", statuses=(200, 404)),
    # The violations list is not here: unfiltered, a clerk gets its own unit's (checks.own_list_only).
    _all(N, "/api/v1/notifications"),
    _all(N, "/api/v1/ledger"),
    _all(N, "/api/v1/admin/contacts", control=ADMIN),
    _all(N, "/api/v1/admin/audit", control=ADMIN),
    _all(N, "/api/v1/admin/routing-rules", control=ADMIN),
]
