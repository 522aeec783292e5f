"""What a failed send means for the notification: retry when, or give up (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

from notifier.domain.channel import DeliveryFailure, PermanentFailure, TransientFailure


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def backoff(self, attempts: int) -> float:
        """base, 2·base, 4·base… after the 1st, 2nd, 3rd failed attempt, capped."""
        return float(min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Decision:
    status: Literal["pending", "failed"]
    next_attempt_at: datetime


def failure_for_status(status: int, retry_after: float | None = None) -> DeliveryFailure | None:
    """None for success; 429/408 and 5xx may heal; any other answer will not."""
    if 200 <= status < 300:
        return None
    reason = f"HTTP {status}"
    if status in (408, 429) or status >= 500:
        return TransientFailure(reason, retry_after)
    return PermanentFailure(reason)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def after_failure(failure: DeliveryFailure, attempts: int, policy: RetryPolicy, now: datetime) -> Decision:
    """`attempts` counts the one that just failed. Retry-After is a floor for the next attempt."""
    if isinstance(failure, PermanentFailure) or attempts >= policy.max_attempts:
        return Decision("failed", now)
    delay = policy.backoff(attempts)
    if isinstance(failure, TransientFailure) and failure.retry_after is not None:
        delay = max(delay, failure.retry_after)
    return Decision("pending", now + timedelta(seconds=delay))
