"""HMAC-SHA256 (pure): webhook signatures over "<timestamp>.<body>", and acknowledge-link tokens.

The timestamp is sent in its own header and is part of what is signed, so a
receiver can refuse a replayed request older than a few minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

from bdhvs_shared.constant_time import same_secret

TIMESTAMP_HEADER = "X-BDHVS-Timestamp"
SIGNATURE_HEADER = "X-BDHVS-Signature"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: bytes, timestamp: int, body: bytes, signature: str, now: int, tolerance_seconds: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return same_secret(sign(secret, timestamp, body), signature)


# Acknowledge links: "<violation id>.<recipient, base64url>.<hex HMAC-SHA256>" — no database row per
# link, and a link cannot be forged for another violation or recipient without the key.
def ack_token(secret: bytes, violation_id: int, recipient: str) -> str:
    who = base64.urlsafe_b64encode(recipient.encode()).decode().rstrip("=")
    return f"{violation_id}.{who}.{_ack_mac(secret, violation_id, recipient)}"


def read_ack_token(secret: bytes, token: str) -> tuple[int, str] | None:
    """(violation id, recipient) of a genuine token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 18:
        return None
    try:
        recipient = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    violation_id = int(parts[0])
    if not same_secret(_ack_mac(secret, violation_id, recipient), parts[2]):
        return None
    return violation_id, recipient


def _ack_mac(secret: bytes, violation_id: int, recipient: str) -> str:
    message = f"ack.{violation_id}.{recipient}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def ack_link(public_url: str, secret: bytes, page_url: str = "") -> Callable[[int, str], str]:
    """The acknowledge link of a violation for one recipient, signed so it cannot be forged: to the web
    service's confirm page when NOTIFIER_ACK_PAGE_URL is set, else to this notifier's own (opening either
    acknowledges nothing; only the confirm page's POST does)."""
    base = public_url.rstrip("/")

    def link(violation_id: int, recipient: str) -> str:
        token = ack_token(secret, violation_id, recipient)
        if page_url:
            return f"{page_url.rstrip('/')}/{violation_id}?token={token}"
        return f"{base}/api/v1/violations/{violation_id}/acknowledge?token={token}"

    return link
