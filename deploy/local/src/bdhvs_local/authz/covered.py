"""Every operation of the committed OpenAPI documents, accounted for by the authz sweep.

Each operation is swept for every pair (probes.PROBES), once per commune token (WHOLE_PROVINCE),
or listed below with the reason it is neither. `unaccounted()` is what a unit test asserts empty,
so a new endpoint cannot be merged unswept; `names_a_unit()` flags an operation whose parameters
name a unit, report, violation, contact, account or notification, which must be in PROBES.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bdhvs_local.authz.probes import PROBES, WHOLE_PROVINCE

SERVICES = ("intake", "kpi", "notifier")
METHODS = ("get", "post", "put", "patch", "delete")
Operation = tuple[str, str, str]  # service, method, path

# No token needed, on purpose: health (load balancers, `make run`), signing in, the emailed
# acknowledge link and the SMS gateway's delivery report, whose signed token is the authorisation
# (a wrong token: 403, tested in checks.py).
PUBLIC: dict[Operation, str] = {
    **{(s, "get", "/health/live"): "liveness" for s in SERVICES},
    **{(s, "get", "/health/ready"): "readiness" for s in SERVICES},
    **{(s, "get", "/health/workers"): "workers' names and last run times, as /metrics" for s in SERVICES},
    ("intake", "post", "/api/v1/sessions"): "signing in",
    ("notifier", "get", "/api/v1/violations/{violation_id}/acknowledge"): "signed link",
    ("notifier", "post", "/api/v1/violations/{violation_id}/acknowledge-link"): "signed link",
    ("notifier", "post", "/api/v1/sms/receipts/{notification_id}"): "the SMS gateway's signed CallbackUrl",
}

# Neither about another unit nor about every unit: the caller's own session or account, the
# reference catalogue every role reads, and admin changes to the whole catalogue or routing.
OWN_OR_REFERENCE: dict[Operation, str] = {
    ("intake", "post", "/api/v1/account/password"): "the caller's own password",
    ("intake", "get", "/api/v1/auth/whoami"): "the caller itself",
    ("intake", "delete", "/api/v1/sessions/current"): "the caller's own session",
    ("intake", "get", "/api/v1/catalogue"): "reference data every role reads",
    ("intake", "get", "/api/v1/catalogue/files"): "the published catalogue every role reads (web's forms)",
    ("intake", "get", "/api/v1/calendar"): "the working-day calendar every role reads",
    ("intake", "put", "/api/v1/admin/catalogue/files/{name}"): "admin only; checks.py: refused to communes",
    ("notifier", "put", "/api/v1/admin/routing-rules"): "admin only; checks.py: refused to communes",
}

UNIT_NAMES = re.compile(r"unit|report|violation|contact|username|notification|entity", re.IGNORECASE)


def documents(root: Path) -> dict[str, dict[str, Any]]:
    return {s: json.loads((root / f"docs/openapi/{s}.json").read_text(encoding="utf-8")) for s in SERVICES}


def operations(docs: dict[str, dict[str, Any]]) -> dict[Operation, dict[str, Any]]:
    return {
        (service, method, path): op
        for service, doc in docs.items()
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    }


def swept() -> set[Operation]:
    return {(p.service, p.method, p.route) for p in [*PROBES, *WHOLE_PROVINCE]}


def unaccounted(docs: dict[str, dict[str, Any]]) -> list[Operation]:
    known = swept() | set(PUBLIC) | set(OWN_OR_REFERENCE)
    return sorted(set(operations(docs)) - known)


def names_a_unit(op: dict[str, Any], schemas: dict[str, Any]) -> bool:
    names = [p.get("name", "") for p in op.get("parameters", [])]
    for content in op.get("requestBody", {}).get("content", {}).values():
        ref = content.get("schema", {}).get("$ref", "")
        names += list(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
        if not ref:  # a file (CSV, XLSX): its rows name units
            names.append("unit")
    return any(UNIT_NAMES.search(n) for n in names)


def unswept_unit_operations(docs: dict[str, dict[str, Any]]) -> list[Operation]:
    """Operations naming a unit (or what a unit owns) that no pair probe covers."""
    pairs = {(p.service, p.method, p.route) for p in PROBES}
    exempt = set(PUBLIC) | set(OWN_OR_REFERENCE)
    found = []
    for key, op in operations(docs).items():
        schemas = docs[key[0]].get("components", {}).get("schemas", {})
        if key not in pairs and key not in exempt and names_a_unit(op, schemas):
            found.append(key)
    return sorted(found)


# The web's routes no probe sends about another unit, and why (method, path as the app declares it).
WEB_OWN_OR_PUBLIC: dict[tuple[str, str], str] = {
    ("get", "/"): "sends each person to their own start page",
    ("get", "/dang-nhap"): "signing in",
    ("post", "/dang-nhap"): "signing in",
    ("post", "/dang-xuat"): "the caller's own session",
    ("get", "/doi-mat-khau"): "the caller's own password",
    ("post", "/doi-mat-khau"): "the caller's own password",
    ("get", "/bao-cao"): "the clerk's own unit (from the session, no unit in the request)",
    ("get", "/bao-cao/{form}/{period}"): "the clerk's own unit's form (the unit is the session's)",
    ("post", "/bao-cao/{form}/{period}"): "the clerk's own unit's report (the unit is the session's)",
    ("get", "/bao-cao/tai-len"): "the upload page",
    ("get", "/xac-nhan-canh-bao/{violation_id}"): "signed link (opening it changes nothing)",
    ("post", "/xac-nhan-canh-bao/{violation_id}"): "signed link (the notifier checks its token)",
    ("get", "/health/live"): "liveness",
    ("get", "/health/ready"): "readiness",
    ("get", "/health/workers"): "the workers' last runs: names, times, counts; no business data",
    ("get", "/metrics"): "metrics",
}


def web_unaccounted(routes: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The web app's (method, path) routes neither swept (web.WEB_PROBES, WEB_WHOLE_PROVINCE) nor
    listed in WEB_OWN_OR_PUBLIC: a new page or form is swept before it is merged."""
    from bdhvs_local.authz.web import WEB_PROBES, WEB_WHOLE_PROVINCE

    swept = {(p.method, p.route) for p in [*WEB_PROBES, *WEB_WHOLE_PROVINCE]}
    return sorted(routes - swept - set(WEB_OWN_OR_PUBLIC))
