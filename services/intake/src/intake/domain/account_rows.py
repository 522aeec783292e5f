"""A new account's fields checked against the catalogue, from the JSON API or a row of a CSV file.

Every problem of a row is reported at once, each naming its field (the file's column). A commune
clerk is bound to an active commune or ward; an agency account to an agency of the catalogue;
operators and admins to neither.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.catalogue import Catalogue
from intake.domain.account_problems import account_problem
from intake.domain.accounts import CONTROL_CHARACTERS, USERNAME_PATTERN, normalise_username
from intake.domain.labels import shown
from intake.domain.problems import Problem

COLUMNS = ("username", "display_name", "role", "unit_code", "agency_code", "email", "phone")
REQUIRED_COLUMNS = ("username", "display_name", "role")
DISPLAY_NAME_MAX = 100
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"(?:0|\+84)\d{9,10}")
_PHONE_SEPARATORS = str.maketrans("", "", " .-()")


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    role: Role
    unit_code: str | None = None
    agency_code: str | None = None
    email: str | None = None
    phone: str | None = None


def _text(values: Mapping[str, object], key: str) -> str:
    value = values.get(key)
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


def check_new_account(
    values: Mapping[str, object],
    catalogue: Catalogue,
    today: date,
    where: Callable[[str], str] = lambda _: "",
) -> NewAccount | list[Problem]:
    """The account, or every problem of its fields; `where(field)` prefixes a file's row and column."""
    problems: list[Problem] = []

    def refuse(code: str, field: str, **params: object) -> None:
        problems.append(account_problem(code, field, where=where(field), **params))

    username = normalise_username(_text(values, "username"))
    if not USERNAME_PATTERN.fullmatch(username):
        refuse("account.username_invalid", "username", value=shown(username))
    display_name = _text(values, "display_name")
    for field in ("display_name", "email", "phone"):
        if CONTROL_CHARACTERS.search(_text(values, field)):
            refuse("account.control_character", field, field_label=field)
    if not display_name:
        refuse("account.display_name_missing", "display_name")
    elif len(display_name) > DISPLAY_NAME_MAX:
        refuse("account.display_name_too_long", "display_name", max_length=DISPLAY_NAME_MAX)
    role_text = _text(values, "role").lower()
    role = Role(role_text) if role_text in {r.value for r in Role} else None
    if role is None:
        refuse("account.role_invalid", "role", value=shown(role_text))
    unit_code = _text(values, "unit_code") or None
    agency_code = _text(values, "agency_code").lower() or None
    if role is not None:
        _check_binding(role, unit_code, agency_code, catalogue, today, refuse)
    email = _text(values, "email") or None
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        refuse("account.email_invalid", "email", value=shown(email))
    phone = _text(values, "phone").translate(_PHONE_SEPARATORS) or None
    if phone is not None and not _PHONE.fullmatch(phone):
        refuse("account.phone_invalid", "phone", value=shown(_text(values, "phone")))
    if problems or role is None:
        return problems
    return NewAccount(username, display_name, role, unit_code, agency_code, email, phone)


def _check_binding(
    role: Role,
    unit_code: str | None,
    agency_code: str | None,
    catalogue: Catalogue,
    today: date,
    refuse: Callable[..., None],
) -> None:
    """A clerk is bound to an active unit, an agency's account to a known agency; no one else to either."""
    if role is Role.COMMUNE:
        unit = catalogue.units.get(unit_code or "")
        if unit_code is None:
            refuse("account.unit_missing", "unit_code")
        elif unit is None or not unit.active_on(today):
            refuse("account.unit_unknown", "unit_code", value=shown(unit_code))
    elif unit_code is not None:
        refuse("account.unit_not_allowed", "unit_code", role=role.value)
    if role is Role.AGENCY:
        if agency_code is None:
            refuse("account.agency_missing", "agency_code", example=next(iter(catalogue.agencies), ""))
        elif agency_code not in catalogue.agencies:
            allowed = ", ".join(catalogue.agencies)
            refuse("account.agency_unknown", "agency_code", value=shown(agency_code), allowed=allowed)
    elif agency_code is not None:
        refuse("account.agency_not_allowed", "agency_code", role=role.value)


def header_problems(keys: list[str]) -> list[Problem]:
    """The header row of an accounts file: the required columns, none unknown, none twice."""
    listed = ", ".join(COLUMNS)
    problems = [
        account_problem("accounts_file.column_missing", column, column=column, columns=listed)
        for column in REQUIRED_COLUMNS
        if column not in keys
    ]
    seen: set[str] = set()
    for key in keys:
        if key and key not in COLUMNS:
            problems.append(
                account_problem("accounts_file.column_unknown", key, column=shown(key), columns=listed)
            )
        elif key in seen:
            problems.append(account_problem("accounts_file.column_repeated", key, column=key))
        seen.add(key)
    return problems
