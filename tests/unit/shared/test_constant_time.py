"""A token, signature or CSRF field with a non-ASCII character is refused, never a 500.

The fuzzer found `POST /api/v1/sms/receipts/{id}?token=<non-ASCII>` answering 500: hmac.compare_digest
raises TypeError on such a str. Each comparison of a secret now goes through same_secret.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from bdhvs_shared.constant_time import same_secret
from notifier.domain.signing import ack_token, read_ack_token, sign, verify
from notifier.domain.sms_receipts import receipt_token, valid_receipt_token
from web.domain.session import csrf_ok, csrf_token, unseal

SECRET = b"k" * 32
ODD = ["é", "ẽ" * 64, "\udcff", "\x00", ""]


def test_same_secret_is_true_only_for_the_same_text() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abc", "abd")
    assert not same_secret("abc", None)
    for odd in ODD:
        assert not same_secret("abc", odd)


@pytest.mark.parametrize("odd", ODD)
def test_a_non_ascii_sms_receipt_token_is_refused(odd: str) -> None:
    notification = uuid4()
    assert valid_receipt_token(SECRET, notification, receipt_token(SECRET, notification))
    assert not valid_receipt_token(SECRET, notification, odd)


@pytest.mark.parametrize("odd", ODD)
def test_a_non_ascii_webhook_signature_or_ack_link_is_refused(odd: str) -> None:
    assert verify(SECRET, 100, b"{}", sign(SECRET, 100, b"{}"), now=100)
    assert not verify(SECRET, 100, b"{}", odd, now=100)
    genuine = ack_token(SECRET, 7, "a@b.vn")
    assert read_ack_token(SECRET, genuine) == (7, "a@b.vn")
    assert read_ack_token(SECRET, genuine.rsplit(".", 1)[0] + "." + odd) is None


@pytest.mark.parametrize("odd", ODD)
def test_a_non_ascii_csrf_field_or_cookie_is_refused(odd: str) -> None:
    assert csrf_ok(SECRET, "session-1", csrf_token(SECRET, "session-1"))
    assert not csrf_ok(SECRET, "session-1", odd)
    assert unseal(SECRET, "e30." + odd) is None
