"""The pure rules of accounts: the password policy, the lockout, a session's two limits, a new
account's fields (intake/domain/accounts.py, passwords.py, account_rows.py)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.catalogue import load_catalogue
from intake.domain.account_rows import NewAccount, check_new_account, header_problems
from intake.domain.accounts import (
    AuthPolicy,
    LoginState,
    SessionState,
    after_failure,
    is_session_token,
    new_session_token,
    open_session,
    slide,
)
from intake.domain.passwords import MIN_LENGTH, canonical, initial_password, password_problems

T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
POLICY = AuthPolicy()
CATALOGUE = load_catalogue()
TODAY = date(2026, 12, 3)


def codes(problems: object) -> list[str]:
    assert isinstance(problems, list)
    return [p.code for p in problems]


# --- password policy


def test_a_password_needs_ten_characters() -> None:
    assert codes(password_problems("cb09313", "x" * (MIN_LENGTH - 1))) == ["password.too_short"]
    assert password_problems("cb09313", "x" * MIN_LENGTH) == []
    assert "10" in password_problems("cb09313", "ngắn")[0].message


def test_a_password_may_not_be_the_username_whatever_its_case() -> None:
    assert codes(password_problems("canbo.xa09313", "CanBo.Xa09313")) == ["password.equals_username"]
    assert codes(password_problems("canbo.xa09313", " canbo.xa09313 ")) == ["password.equals_username"]


def test_vietnamese_typed_two_ways_is_the_same_password() -> None:
    composed = "Mậtkhẩuđủdài"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed and canonical(decomposed) == canonical(composed)
    assert len(decomposed) > len(composed) and password_problems("x", decomposed) == []


def test_initial_passwords_follow_the_policy_and_differ() -> None:
    made = {initial_password() for _ in range(50)}
    assert len(made) == 50
    assert all(password_problems("cb09313", p) == [] for p in made)


# --- lockout


def test_the_fifth_failure_in_a_row_locks_for_fifteen_minutes() -> None:
    state = LoginState()
    for attempt in range(1, 5):
        state, locked = after_failure(state, T0, POLICY)
        assert not locked and state.failed_attempts == attempt and not state.locked_at(T0)
    state, locked = after_failure(state, T0, POLICY)
    assert locked and state.locked_until == T0 + timedelta(minutes=15)
    assert state.locked_at(T0 + timedelta(minutes=14, seconds=59))
    assert not state.locked_at(T0 + timedelta(minutes=15))


def test_after_a_lock_ends_the_count_starts_again() -> None:
    locked = LoginState(0, T0 + timedelta(minutes=15))
    later = T0 + timedelta(minutes=16)
    assert locked.lock_ended_at(later)
    state, now_locked = after_failure(locked, later, POLICY)
    assert not now_locked and state == LoginState(1, None)


# --- sessions


def test_a_session_ends_after_thirty_idle_minutes() -> None:
    times = open_session(T0, POLICY)
    assert times.idle_expires_at == T0 + timedelta(minutes=30)
    assert times.state(T0 + timedelta(minutes=29, seconds=59)) is SessionState.LIVE
    assert times.state(T0 + timedelta(minutes=30)) is SessionState.IDLE


def test_use_slides_the_idle_limit_at_most_once_a_minute() -> None:
    times = open_session(T0, POLICY)
    assert slide(times, T0 + timedelta(seconds=59), POLICY) is None  # no write within the minute
    slid = slide(times, T0 + timedelta(minutes=20), POLICY)
    assert slid is not None and slid.idle_expires_at == T0 + timedelta(minutes=50)
    assert slid.state(T0 + timedelta(minutes=45)) is SessionState.LIVE


def test_a_used_session_still_ends_twelve_hours_after_the_sign_in() -> None:
    times = open_session(T0, POLICY)
    now = T0
    while now + timedelta(minutes=20) < T0 + timedelta(hours=12):
        now += timedelta(minutes=20)
        assert times.state(now) is SessionState.LIVE
        times = slide(times, now, POLICY) or times
    assert times.idle_expires_at <= T0 + timedelta(hours=12)  # never past the absolute limit
    assert times.state(T0 + timedelta(hours=12)) is SessionState.EXPIRED


def test_session_tokens_are_told_apart_from_api_tokens() -> None:
    token = new_session_token()
    assert is_session_token(token) and len(token) > 40
    assert not is_session_token("bdhvs_" + "s" * 43)  # an API token, even one starting with "s"


# --- a new account's fields


def test_a_commune_clerk_is_bound_to_an_active_commune() -> None:
    ok = check_new_account(
        {"username": " CB09313 ", "display_name": "Nguyễn Văn A", "role": "commune", "unit_code": "09313"},
        CATALOGUE,
        TODAY,
    )
    assert ok == NewAccount("cb09313", "Nguyễn Văn A", Role.COMMUNE, "09313")
    assert codes(
        check_new_account({"username": "cb1", "display_name": "A", "role": "commune"}, CATALOGUE, TODAY)
    ) == ["account.unit_missing"]
    unknown = check_new_account(
        {"username": "cb1", "display_name": "A", "role": "commune", "unit_code": "99999"}, CATALOGUE, TODAY
    )
    assert codes(unknown) == ["account.unit_unknown"]


def test_every_problem_of_an_account_is_listed_at_once() -> None:
    values = {
        "username": "Nguyễn A",
        "display_name": "",
        "role": "operator",
        "unit_code": "09313",
        "agency_code": "cong_an",
        "email": "not-an-email",
        "phone": "12345",
    }
    assert codes(check_new_account(values, CATALOGUE, TODAY)) == [
        "account.username_invalid",
        "account.display_name_missing",
        "account.unit_not_allowed",
        "account.agency_not_allowed",
        "account.email_invalid",
        "account.phone_invalid",
    ]


def test_an_agency_account_names_an_agency_of_the_catalogue() -> None:
    base = {"username": "conganh", "display_name": "Công an tỉnh", "role": "agency"}
    assert codes(check_new_account(base, CATALOGUE, TODAY)) == ["account.agency_missing"]
    assert codes(check_new_account({**base, "agency_code": "nope"}, CATALOGUE, TODAY)) == [
        "account.agency_unknown"
    ]
    made = check_new_account({**base, "agency_code": "cong_an", "phone": "0912 345 678"}, CATALOGUE, TODAY)
    assert isinstance(made, NewAccount) and made.phone == "0912345678"
    assert codes(check_new_account({**base, "role": "boss"}, CATALOGUE, TODAY)) == ["account.role_invalid"]


def test_a_files_problem_names_its_row_and_column() -> None:
    problems = check_new_account(
        {"username": "cb1", "display_name": "A", "role": "commune", "unit_code": "99999"},
        CATALOGUE,
        TODAY,
        where=lambda field: f"Dòng 4, cột D ({field}): ",
    )
    assert isinstance(problems, list)
    assert problems[0].field == "unit_code" and problems[0].message.startswith("Dòng 4, cột D (unit_code): ")


def test_an_accounts_files_header_has_the_required_columns_and_no_others() -> None:
    assert codes(header_problems(["username", "display_name", "role"])) == []
    assert codes(header_problems(["username", "role", "e-mail", "role"])) == [
        "accounts_file.column_missing",
        "accounts_file.column_unknown",
        "accounts_file.column_repeated",
    ]


def test_a_control_character_in_a_name_email_or_phone_is_refused_at_its_field() -> None:
    values = {
        "username": "cb09313",
        "display_name": "Nguyễn\x00A",
        "role": "operator",
        "email": "a\x00@b.vn",
        "phone": "0912\n345678",
    }
    problems = check_new_account(values, CATALOGUE, TODAY)
    assert isinstance(problems, list)
    assert [(p.code, p.field) for p in problems if p.code == "account.control_character"] == [
        ("account.control_character", "display_name"),
        ("account.control_character", "email"),
        ("account.control_character", "phone"),
    ]
