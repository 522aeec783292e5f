"""Who is signed in, sealed in a cookie, and the forms' CSRF tokens (pure: HMAC-SHA256 with WEB_SECRET).

The web service keeps no session store: the cookie carries intake's opaque session token (which every
API call passes as a Bearer, so intake, kpi and the notifier authorise as they do for anyone) and what
the pages need to know about the person (name, role, unit). The cookie is signed, so it cannot be
altered; it is HttpOnly, so scripts never see the token. A revoked or expired session is refused by
the APIs at the next call, and the pages then ask to sign in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.constant_time import same_secret


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as intake's sign-in answered."""

    username: str
    display_name: str
    role: Role
    unit_code: str | None = None
    agency_code: str | None = None
    must_change_password: bool = False

    @property
    def sees_province(self) -> bool:
        return self.role in (Role.OPERATOR, Role.ADMIN, Role.AGENCY)

    @property
    def is_clerk(self) -> bool:
        return self.role is Role.COMMUNE

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def handles_alerts(self) -> bool:
        """The notifier's violations and delivery log are for operators and admins."""
        return self.role in (Role.OPERATOR, Role.ADMIN)

    def reads_alerts_of(self, unit_code: str) -> bool:
        """A unit's violations: operators and admins every unit's, a clerk its own unit's only."""
        return self.handles_alerts or (self.is_clerk and unit_code == self.unit_code)

    def may_open_unit(self, unit_code: str, province: str) -> bool:
        """A clerk opens only its own unit's pages (and the province's figures: `province` is the
        catalogue's province code); others every unit."""
        return self.sees_province or unit_code in (self.unit_code, province)

    @property
    def home(self) -> str:
        return "/bao-cao" if self.is_clerk else "/tong-quan"

    @classmethod
    def from_account(cls, account: dict[str, Any], must_change_password: bool = False) -> Viewer:
        return cls(
            username=str(account.get("username") or ""),
            display_name=str(account.get("display_name") or account.get("username") or ""),
            role=Role(account["role"]),
            unit_code=account.get("unit_code"),
            agency_code=account.get("agency_code"),
            must_change_password=must_change_password,
        )


@dataclass(frozen=True)
class Session:
    token: str  # intake's opaque session token
    viewer: Viewer

    def password_changed(self) -> Session:
        return replace(self, viewer=replace(self.viewer, must_change_password=False))


def _mac(secret: bytes, purpose: str, data: bytes) -> str:
    return hmac.new(secret, purpose.encode() + b"\x00" + data, hashlib.sha256).hexdigest()


def seal(secret: bytes, session: Session) -> str:
    """The cookie's value: base64url(JSON) "." HMAC."""
    body = {"t": session.token, "v": {**asdict(session.viewer), "role": session.viewer.role.value}}
    data = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{data}.{_mac(secret, 'session', data.encode())}"


def unseal(secret: bytes, value: str | None) -> Session | None:
    """The session of a genuine cookie; None for anything else (absent, altered, malformed)."""
    if not value or value.count(".") != 1 or len(value) > 8000:
        return None
    data, mac = value.split(".")
    if not same_secret(_mac(secret, "session", data.encode()), mac):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
        viewer = body["v"]
        return Session(str(body["t"]), Viewer(**{**viewer, "role": Role(viewer["role"])}))
    except (ValueError, KeyError, TypeError):
        return None


def csrf_token(secret: bytes, binding: str) -> str:
    """The hidden field of every form: bound to the session token (or, before sign-in, to the visitor's
    anonymous cookie), so a page of another site cannot post on the person's behalf."""
    return _mac(secret, "csrf", binding.encode())


def csrf_ok(secret: bytes, binding: str, given: str | None) -> bool:
    return bool(binding) and bool(given) and same_secret(csrf_token(secret, binding), given)
