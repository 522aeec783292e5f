"""Comparing a secret someone sent with the one we expect, in constant time.

`hmac.compare_digest` raises TypeError on a str holding a non-ASCII character, so a token, signature
or CSRF field typed with "é" would end in a 500. Every comparison goes through here, on UTF-8 bytes.
"""

from __future__ import annotations

import hmac


def same_secret(expected: str, given: str | None) -> bool:
    """True only when `given` is exactly `expected`; any other text (None, non-ASCII) is False."""
    if given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogatepass"))
