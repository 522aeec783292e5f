"""Intake's settings: the common ones plus its own."""

from __future__ import annotations

from pydantic import Field

from bdhvs_shared.settings import ReportWindowSettings, ServiceSettings


class IntakeSettings(ServiceSettings, ReportWindowSettings):
    http_port: int = Field(default=8000, ge=1, le=65535, description="Port of the HTTP API.")
    deadline_inclusive: bool = Field(
        default=False,
        description="False: 'before the 20th' (cut-off the 20th 00:00). True: 'by the 20th' (21st 00:00).",
    )
    json_max_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest JSON request body, in bytes: a larger one is refused with 413 body.too_large "
        "before it is read (imports have IMPORT_MAX_BYTES).",
    )
    import_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="Largest Excel/CSV file accepted by the import, in bytes (413 above it).",
    )
    import_max_rows: int = Field(
        default=500, ge=1, description="Most data rows in one imported file (a province-wide sheet has 99)."
    )
    import_read_memory_mb: int = Field(
        default=256,
        ge=64,
        description="Address space (MB) of the child process reading one imported file (413 beyond it).",
    )
    import_read_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Time allowed to read one imported file in its child process (413 when it takes longer).",
    )
    import_read_concurrency: int = Field(
        default=2,
        ge=1,
        description="Imported files read at the same time, each in its own process; others wait.",
    )
    catalogue_refresh_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a replica checks for a catalogue version another replica published.",
    )
    max_concurrent_writes: int = Field(
        default=16,
        ge=1,
        description="Load shedding: most write requests (POST, PUT, PATCH, DELETE) handled at once; "
        "keep it below DB_POOL_SIZE + DB_MAX_OVERFLOW so that token checks and reads still get a "
        "connection.",
    )
    write_queue_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long a write request may wait for room before it is answered "
        "503 service.overloaded with Retry-After (nothing stored; the client retries).",
    )
