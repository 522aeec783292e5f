"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" (pure).

The timestamp is sent in its own header and is part of what is signed, so a
receiver can refuse a replayed request older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac

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
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
