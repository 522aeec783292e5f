"""One HTTP POST for a channel, its outcome mapped to transient or permanent failures."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from notifier.adapters.answer_deadline import LATE_LOOK_SECONDS, answered_within
from notifier.domain.channel import TransientFailure
from notifier.domain.retry import failure_for_status, parse_retry_after

# httpx's own timeouts come after ours and its late look: they only stop a request ours would not.
BACKSTOP_SECONDS = LATE_LOOK_SECONDS + 5.0


async def post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> httpx.Response:
    """The 2xx response, or a DeliveryFailure: timeouts, refused connections, 5xx, 408 and 429
    (with its Retry-After) are transient; other answers are permanent.

    The whole request is timed by `answered_within`, not by httpx's own timeouts: after a pause of
    this process those could win over an answer already waiting in the socket, and a message the
    gateway took would be sent again (adapters/answer_deadline.py). httpx's are a backstop only."""
    request = client.post(
        url,
        content=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=timeout + BACKSTOP_SECONDS,
    )
    try:
        response = await answered_within(request, timeout)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise TransientFailure(f"timeout after {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise TransientFailure(f"connection failed: {exc!r}"[:300]) from exc
    retry_after = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
    failure = failure_for_status(response.status_code, retry_after)
    if failure is not None:
        failure.reason = f"{failure.reason}: {response.text[:200]}"
        raise failure
    return response
