"""The password policy and one-time initial passwords (pure rules; hashing is an adapter's).

A password is compared in Unicode NFC: Vietnamese keyboards may type "ệ" as one character or as
"e" plus two combining marks, and a person must not be locked out by their phone's keyboard.
"""

from __future__ import annotations

import secrets
import unicodedata

from intake.domain.account_problems import account_problem
from intake.domain.problems import Problem

MIN_LENGTH = 10
MAX_LENGTH = 128  # long enough for any passphrase; bounds the work of hashing
# Initial passwords: no look-alikes (0/o, 1/l/i), lower case for typing on a phone; 12 of 31 symbols
# (about 59 bits) in three groups, e.g. "k7mx-4rqe-9tha".
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def canonical(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def password_problems(username: str, password: str, field: str = "new_password") -> list[Problem]:
    """Why a new password is refused (empty: accepted): at least 10 characters, not the username."""
    text = canonical(password)
    if len(text) < MIN_LENGTH:
        return [account_problem("password.too_short", field, min_length=MIN_LENGTH, length=len(text))]
    if len(text) > MAX_LENGTH:
        return [account_problem("password.too_long", field, max_length=MAX_LENGTH)]
    if text.strip().casefold() == username.strip().casefold():
        return [account_problem("password.equals_username", field)]
    return []


def initial_password() -> str:
    """A one-time password shown once to the admin, to be changed at the first sign-in."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)
