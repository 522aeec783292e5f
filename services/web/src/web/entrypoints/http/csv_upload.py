"""The admin pages' CSV imports (accounts, contacts): the file chosen, or the checked one sent back with
the commit, sent to its service as a dry run first, then for real."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from web.domain.problems import ApiRefused, Problem
from web.domain.session import Session
from web.entrypoints.http.security import checked_form
from web.service_layer.clerk import NotFound

MAX_CSV = 1_000_000


async def _read(request: Request, session: Session) -> tuple[dict[str, Any], bytes | None, list[Problem]]:
    form = await checked_form(request, session)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if fields.get("data"):
        try:
            return fields, base64.b64decode(fields["data"], validate=True), []
        except (binascii.Error, ValueError):
            raise NotFound("Tệp đã kiểm tra không còn: vui lòng chọn lại tệp.") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return fields, None, [Problem("file.missing", "file", "Chưa chọn tệp CSV.")]
    data = await upload.read(MAX_CSV + 1)
    if len(data) > MAX_CSV:
        return fields, None, [Problem("file.too_large", "file", "Tệp quá lớn (tối đa 1 MB).")]
    return fields, data, []


@dataclass
class CsvImport:
    """A CSV import's step: the file (None when none could be read), and the service's answer or its
    refusal (`errors`, `status`)."""

    commit: bool
    data: bytes | None
    answer: dict[str, Any] | None
    status: int = 200
    errors: list[Problem] = field(default_factory=list)


async def import_csv(
    request: Request, session: Session, send: Callable[[bytes, bool], Awaitable[dict[str, Any]]]
) -> CsvImport:
    """Read the posted CSV (or the checked one sent back) and `send(data, dry_run)` it; a refusal of
    the file is kept for the page, a refusal of the person (401, 403) is raised."""
    fields, data, problems = await _read(request, session)
    if data is None:
        return CsvImport(False, None, None, 422, problems)
    commit = fields.get("commit") == "yes"
    try:
        answer = await send(data, not commit)
    except ApiRefused as refused:
        if refused.status in (401, 403):
            raise
        return CsvImport(commit, data, None, refused.status, refused.errors)
    return CsvImport(commit, data, answer)
