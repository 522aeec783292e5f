"""The web's pages, forms and exports about another unit, as a commune clerk's session opens them.

A clerk's session is the cookie the web's sign-in page sets (intake's token for that clerk and who it
is, sealed with `WEB_SECRET` by `web.domain.session.seal`), and every POST carries that session's own
CSRF token: a refusal is then about the unit, not a stale form. `WEB_PROBES` are sent for every
(commune, other unit) pair, `WEB_WHOLE_PROVINCE` once per clerk; `covered.WEB_OWN_OR_PUBLIC` lists the
web's other routes with the reason they name no other unit (a unit test fails for a route in neither).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bdhvs_local.authz.probes import ADMIN, OPERATOR, PERIOD, SEEDED_PERIOD, Probe, Request, Target

WEB = "web"
CSV_FILE = "text/csv"


@dataclass(frozen=True)
class WebSession:
    cookie: str  # the value of the web's session cookie
    csrf: str  # the token its forms carry


def sessions(tokens: dict[str, str], secret: str) -> dict[str, WebSession]:
    """A web session for every token of `seed.tokens` (`commune:<unit>`, `operator`, `admin`)."""
    from bdhvs_shared.auth.caller import Role
    from web.domain.session import Session, Viewer, csrf_token, seal

    key = secret.encode()
    made = {}
    for name, token in tokens.items():
        role, _, unit = name.partition(":")
        viewer = Viewer(f"authz.{unit or role}", f"Authz {name}", Role(role), unit or None)
        made[name] = WebSession(seal(key, Session(token, viewer)), csrf_token(key, token))
    return made


def _page(route: str, path: Any, params: Any = None, control: str | None = OPERATOR) -> Probe:
    """A GET of a page or an export; `path(t)` and `params(t)` name the other unit's things."""
    return Probe(WEB, "get", route, lambda t: Request("GET", path(t), params(t) if params else {}), control)


def _form(route: str, path: Any, fields: Any = None, file: Any = None) -> Probe:
    """A form POSTed about the other unit (no control: allowed, it would change what it names)."""

    def build(t: Target) -> Request:
        files = {"file": ("authz.csv", file(t), CSV_FILE)} if file else None
        return Request("POST", path(t), form=fields(t) if fields else {}, files=files)

    return Probe(WEB, "post", route, build, None)


def _contact_csv(t: Target) -> bytes:
    return f"unit_code,role,name,email\n{t.unit},clerk,Authz,authz-{t.unit}@example.invalid\n".encode()


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _account_csv(t: Target) -> bytes:
    return f"username,display_name,role,unit_code\nauthz{t.unit},Authz,commune,{t.unit}\n".encode()


CONTACT = "/quan-tri/danh-ba/{contact_id}"
ACCOUNT = "/quan-tri/tai-khoan/{username}"
WEB_PROBES: list[Probe] = [
    _page("/don-vi/{unit}", lambda t: f"/don-vi/{t.unit}"),
    _page("/bieu-do/lich-su/{unit}/{indicator}.svg", lambda t: f"/bieu-do/lich-su/{t.unit}/c.svg"),
    _page("/xuat/lich-su-{unit}-{indicator}.{ext}", lambda t: f"/xuat/lich-su-{t.unit}-c.csv"),
    _page(
        "/bao-cao/mau/{form}/{period}",
        lambda t: f"/bao-cao/mau/monthly/{PERIOD}",
        lambda t: {"don-vi": t.unit, "dinh-dang": "csv"},
    ),
    # No control: the history page is the reporting clerk's (an operator gets the 404 page too).
    _page("/bao-cao/lich-su/{report_id}", lambda t: f"/bao-cao/lich-su/{t.report_id}", control=None),
    _page("/nhat-ky-gui", lambda t: "/nhat-ky-gui", lambda t: {"don-vi": t.unit}),
    _page("/quan-tri/danh-ba", lambda t: "/quan-tri/danh-ba", lambda t: {"sua": str(t.contact_id)}),
    _form(
        "/canh-bao/{violation_id}/xac-nhan",
        lambda t: f"/canh-bao/{t.violation_id}/xac-nhan",
        lambda t: {"reason": "authz sweep"},
    ),
    _form(
        "/quan-tri/danh-ba",
        lambda t: "/quan-tri/danh-ba",
        lambda t: {"unit_code": t.unit, "role": "clerk", "name": "Authz", "email": "a@example.invalid"},
    ),
    _form(CONTACT, lambda t: f"/quan-tri/danh-ba/{t.contact_id}", lambda t: {"name": "Authz"}),
    _form(CONTACT, lambda t: f"/quan-tri/danh-ba/{t.contact_id}", lambda t: {"action": "deactivate"}),
    _form("/quan-tri/danh-ba-nhap", lambda t: "/quan-tri/danh-ba-nhap", file=_contact_csv),
    _form("/quan-tri/tai-khoan/nhap", lambda t: "/quan-tri/tai-khoan/nhap", file=_account_csv),
    # Another unit's filled template uploaded: checked (dry run), then committed (the checked file
    # comes back base64 in a hidden field). Intake's 403 is the web's 403 page with the rows named.
    _form("/bao-cao/tai-len", lambda t: "/bao-cao/tai-len", file=lambda t: t.import_csv),
    _form(
        "/bao-cao/tai-len",
        lambda t: "/bao-cao/tai-len",
        lambda t: {"commit": "yes", "confirm": "yes", "filename": "authz.csv", "data": _base64(t.import_csv)},
    ),
    _form(ACCOUNT + "/cap-lai-mat-khau", lambda t: f"/quan-tri/tai-khoan/{t.username}/cap-lai-mat-khau"),
    _form(ACCOUNT + "/khoa", lambda t: f"/quan-tri/tai-khoan/{t.username}/khoa"),
]


def _everyone(
    route: str,
    path: str = "",
    params: dict[str, str] | None = None,
    control: str = OPERATOR,
    statuses: tuple[int, ...] = (200,),
) -> Probe:
    request = Request("GET", path or route, dict(params or {}))
    return Probe(WEB, "get", route, lambda _: request, control, statuses)


# The province's pages and exports, and the admin's: a clerk's session is refused them whatever the unit.
WEB_WHOLE_PROVINCE: list[Probe] = [
    _everyone("/tong-quan"),
    _everyone("/tong-quan/truc-tiep"),
    _everyone("/xep-hang/{indicator}", "/xep-hang/c"),
    _everyone("/bieu-do/xep-hang/{indicator}.svg", "/bieu-do/xep-hang/c.svg"),
    _everyone("/xuat/day-du.{ext}", "/xuat/day-du.csv"),
    _everyone("/xuat/xep-hang-{indicator}.{ext}", "/xuat/xep-hang-c.xlsx"),
    _everyone("/xuat/bang-tinh.{ext}", "/xuat/bang-tinh.csv"),
    _everyone("/bao-cao-tong-hop", params={"ky": SEEDED_PERIOD}),
    # Not made before the 24th: the 404 page comes after the role check all the same.
    _everyone(
        "/bao-cao-tong-hop/{period}.{ext}", f"/bao-cao-tong-hop/{SEEDED_PERIOD}.html", statuses=(200, 404)
    ),
    _everyone("/canh-bao"),
    _everyone("/quan-tri/danh-ba.{ext}", "/quan-tri/danh-ba.csv"),
    _everyone("/quan-tri/tai-khoan", control=ADMIN),
    _everyone("/quan-tri/quy-tac", control=ADMIN),
    _everyone("/quan-tri/danh-muc", control=ADMIN),
]
