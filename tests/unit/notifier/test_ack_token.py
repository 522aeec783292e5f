"""Acknowledge links: a token names a violation and a recipient and cannot be forged (pure)."""

from __future__ import annotations

from notifier.domain.signing import ack_token, read_ack_token

KEY = b"k" * 32


def test_a_token_reads_back_as_its_violation_and_recipient() -> None:
    token = ack_token(KEY, 42, "chutich.09313@bacninh.example")
    assert read_ack_token(KEY, token) == (42, "chutich.09313@bacninh.example")
    assert all(c.isalnum() or c in "._-" for c in token)  # safe in a URL as it is


def test_a_changed_token_or_another_key_is_refused() -> None:
    token = ack_token(KEY, 42, "a@x.example")
    other = ack_token(KEY, 43, "a@x.example")
    assert read_ack_token(b"x" * 32, token) is None
    assert read_ack_token(KEY, "43" + token[2:]) is None  # another violation, same signature
    forged = token.split(".")
    forged[1] = ack_token(KEY, 42, "b@x.example").split(".")[1]
    assert read_ack_token(KEY, ".".join(forged)) is None  # another recipient
    for bad in ("", "42", "x.y.z", "42.!!.00", other[:-1]):
        assert read_ack_token(KEY, bad) is None
