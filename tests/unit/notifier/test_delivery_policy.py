"""Channel routing, retries, Retry-After, the token bucket and webhook signatures (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.domain.channel import PermanentFailure, TransientFailure
from notifier.domain.contacts import Contact, deliveries, normalise_phone, parse_channels
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy, after_failure, failure_for_status, parse_retry_after
from notifier.domain.signing import sign, verify

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base_seconds=5, max_seconds=60)
ALL = ("email", "sms", "webhook")


def test_a_contact_gets_its_preferred_channels_that_are_configured() -> None:
    both = Contact("A", "a@x.example", "84912345678", None, ("sms", "email"))
    assert deliveries(both, ALL) == [("sms", "84912345678"), ("email", "a@x.example")]
    assert deliveries(both, ("email",)) == [("email", "a@x.example")]
    sms_only = Contact("B", "b@x.example", "84912345678", None, ("sms",))
    assert deliveries(sms_only, ALL) == [("sms", "84912345678")]
    # SMS off: fall back to email rather than drop the alert.
    assert deliveries(sms_only, ("email",)) == [("email", "b@x.example")]
    no_phone = Contact("C", "c@x.example", None, None, ("sms",))
    assert deliveries(no_phone, ALL) == [("email", "c@x.example")]
    hook = Contact("D", None, None, "https://h.example/in", ("webhook",))
    assert deliveries(hook, ALL) == [("webhook", "https://h.example/in")]
    assert deliveries(hook, ("email",)) == []


def test_channel_lists_and_phone_numbers_are_checked() -> None:
    assert parse_channels(" SMS ; email,sms") == ("sms", "email")
    assert parse_channels("") == ("email",)
    with pytest.raises(ValueError, match="zalo"):
        parse_channels("email,zalo")
    assert normalise_phone("0912 345 678") == "84912345678"
    assert normalise_phone("+84-912.345.678") == "84912345678"
    with pytest.raises(ValueError):
        normalise_phone("02223 456 789")  # a landline cannot take an SMS


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, None),
        (202, None),
        (400, PermanentFailure),
        (401, PermanentFailure),
        (404, PermanentFailure),
        (408, TransientFailure),
        (429, TransientFailure),
        (500, TransientFailure),
        (503, TransientFailure),
    ],
)
def test_http_answers_are_success_transient_or_permanent(status: int, kind: type | None) -> None:
    failure = failure_for_status(status)
    assert (failure is None) if kind is None else isinstance(failure, kind)
    if status in (400, 401, 404):
        assert not isinstance(failure, TransientFailure)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after("Mon, 16 Mar 2026 02:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("garbage", NOW) is None and parse_retry_after(None, NOW) is None


def test_transient_failures_back_off_exponentially_then_fail() -> None:
    waits = [
        (after_failure(TransientFailure("HTTP 503"), n, POLICY, NOW).next_attempt_at - NOW).total_seconds()
        for n in (1, 2, 3)
    ]
    assert waits == [5, 10, 20]
    assert after_failure(TransientFailure("HTTP 503"), 4, POLICY, NOW).status == "failed"
    assert after_failure(PermanentFailure("HTTP 400"), 1, POLICY, NOW).status == "failed"


def test_retry_after_is_a_floor_for_the_next_attempt() -> None:
    decision = after_failure(TransientFailure("HTTP 429", retry_after=42), 1, POLICY, NOW)
    assert decision.status == "pending" and decision.next_attempt_at == NOW + timedelta(seconds=42)
    short = after_failure(TransientFailure("HTTP 429", retry_after=1), 2, POLICY, NOW)
    assert short.next_attempt_at == NOW + timedelta(seconds=10)


def test_the_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=2, now=0.0)
    for _ in range(2):
        assert bucket.delay(0.0) == 0
        bucket.consume(0.0)
    assert bucket.delay(0.0) == pytest.approx(0.5)
    assert bucket.delay(0.5) == 0


def test_retry_after_holds_the_whole_channel() -> None:
    bucket = TokenBucket(rate=10.0, burst=5, now=0.0)
    bucket.hold(3.0, now=0.0)
    assert bucket.delay(1.0) == pytest.approx(2.0)
    assert bucket.delay(3.0) == 0
    bucket.consume(3.0)
    assert bucket.delay(3.0) == pytest.approx(0.1)


@given(
    st.floats(min_value=0.1, max_value=50),
    st.integers(min_value=1, max_value=10),
    st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=60),
)
def test_the_bucket_never_lets_more_than_burst_plus_rate_times_time(
    rate: float, burst: int, gaps: list[float]
) -> None:
    bucket, now, sent = TokenBucket(rate, burst, 0.0), 0.0, 0
    for gap in gaps:
        now += gap
        while bucket.delay(now) == 0:
            bucket.consume(now)
            sent += 1
    assert sent <= burst + rate * now + 1e-6


def test_a_receiver_can_verify_the_webhook_signature() -> None:
    body = b'{"unit_code": "09313"}'
    signature = sign(b"k3y", 1_773_626_400, body)
    assert signature.startswith("sha256=")
    assert verify(b"k3y", 1_773_626_400, body, signature, now=1_773_626_410)
    assert not verify(b"k3y", 1_773_626_400, body + b" ", signature, now=1_773_626_410)
    assert not verify(b"other", 1_773_626_400, body, signature, now=1_773_626_410)
    assert not verify(b"k3y", 1_773_626_400, body, signature, now=1_773_626_400 + 3600)  # a replay
