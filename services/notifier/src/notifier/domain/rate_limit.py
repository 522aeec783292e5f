"""A token bucket per channel; time is passed in (monotonic seconds), so it is pure."""

from __future__ import annotations


class TokenBucket:
    """`rate` sends per second on average, bursts of up to `burst`; a gateway's Retry-After
    empties the bucket until that time (back-pressure applies to the channel, not one message)."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated = now
        self._held_until = now

    def _refill(self, now: float) -> None:
        start = max(self._updated, self._held_until)
        if now > start:
            self._tokens = min(float(self.burst), self._tokens + (now - start) * self.rate)
        self._updated = max(self._updated, now)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next send may go (0: go now)."""
        self._refill(now)
        if now < self._held_until:
            return self._held_until - now + max(0.0, 1.0 - self._tokens) / self.rate
        return max(0.0, 1.0 - self._tokens) / self.rate

    def consume(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1.0

    def give_back(self) -> None:
        """Return a token taken for a send that did not happen (there was nothing to send)."""
        self._tokens = min(float(self.burst), self._tokens + 1.0)

    def hold(self, seconds: float, now: float) -> None:
        """No sends for `seconds` (the gateway said Retry-After); then one, then at the rate."""
        self._refill(now)
        self._tokens = min(self._tokens, 1.0)
        self._held_until = max(self._held_until, now + seconds)
