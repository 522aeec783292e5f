"""An uploaded file: its body read within the size limit, its type, its sheet read in the capped
child process (`adapters/isolation.py`), and the form and period it is for."""

from __future__ import annotations

from typing import Literal

from fastapi import Request

from intake.adapters import spreadsheets
from intake.adapters.isolation import FileReader
from intake.adapters.spreadsheets import ReadLimits, UnreadableFile
from intake.domain.problems import Problem, problem
from intake.entrypoints.http.errors import ApiError

CSV_TYPE = "text/csv"
_FILE_TYPES: dict[str, Literal["xlsx", "csv"]] = {spreadsheets.XLSX_TYPE: "xlsx", CSV_TYPE: "csv"}


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = problem("file.too_large", "", limit=f"{limit // 1024} KB")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_table(
    request: Request, data: bytes, reader: FileReader, limits: ReadLimits
) -> spreadsheets.Table:
    content_type = request.headers.get("content-type", "")
    kind = _FILE_TYPES.get(content_type.split(";")[0].strip().lower())
    if kind is None and content_type.startswith("application/octet-stream"):
        kind = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    if kind is None:
        raise Refused(415, problem("file.unsupported_type", ""))
    try:
        return await reader.read(kind, data, limits)
    except UnreadableFile as exc:
        status = 413 if exc.code in {"file.too_large", "file.too_complex"} else 422
        raise Refused(status, problem(exc.code, "", **exc.params)) from None


def agreed(name: Literal["form", "period"], in_file: str | None, requested: str | None) -> str:
    if in_file and requested and in_file != requested:
        subject = "Biểu mẫu" if name == "form" else "Kỳ báo cáo"
        raise Refused(
            422, problem("file.form_mismatch", name, subject=subject, in_file=in_file, requested=requested)
        )
    chosen = in_file or requested
    if not chosen:
        subject = "Biểu mẫu" if name == "form" else "Kỳ báo cáo"
        raise Refused(422, problem("field.missing", name, subject=f"{subject} (tham số {name} của tệp CSV)"))
    return chosen


class Refused(ApiError):
    def __init__(self, status: int, p: Problem) -> None:
        super().__init__(status, p.code, p.field, p.message)
