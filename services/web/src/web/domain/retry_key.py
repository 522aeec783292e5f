"""The upload form's retry key (sent to intake as `Idempotency-Key`): the page writes a UUID; a key
that is no header value (found by the web fuzz as a 500: httpx cannot encode it) refuses the form."""

from __future__ import annotations

import re

from web.domain.problems import Problem

# Intake's rule for the header (POST /api/v1/reports): visible ASCII, at most 200 characters.
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def retry_key(posted: object) -> str | Problem | None:
    """The key of the form (None when there is none), or the problem that refuses the form."""
    text = str(posted or "")
    if not text:
        return None
    if _KEY.fullmatch(text) is None:
        return Problem(
            "key.invalid", "key", "Biểu mẫu không hợp lệ: vui lòng mở lại trang và tải tệp lên lại."
        )
    return text
