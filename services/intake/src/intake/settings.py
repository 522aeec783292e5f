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
    token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long an API token's holder is remembered after a lookup: a revoked or expired "
        "token is refused at most this many seconds later (0: look it up on every request). "
        "Introspection (whoami) and signed-in sessions are never cached.",
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
    group_commit: bool = Field(
        default=True,
        description="Group commit: reports submitted at the same moment share one transaction (each is "
        "answered only after it commits; when one of them fails, each is written again alone). "
        "False: one transaction per report.",
    )
    group_commit_max_reports: int = Field(
        default=8, ge=1, le=1000, description="Most reports in one group-commit transaction."
    )
    group_commit_max_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="How long a group-commit writer waits for its batch to fill before writing; 0: it "
        "takes what is queued when it is free, and a lone report is never held back.",
    )
    group_commit_writers: int = Field(
        default=4,
        ge=1,
        description="Group-commit transactions at once (each holds a pooled connection): reports "
        "arriving while all are busy queue up and go into the next batch.",
    )
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        description="A signed-in session ends after this many minutes without use (each use, at most once "
        "a minute, moves the limit on).",
    )
    session_absolute_hours: int = Field(
        default=12,
        ge=1,
        description="A signed-in session ends this many hours after the sign-in, used or not.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Wrong passwords in a row that lock an account for LOGIN_LOCK_MINUTES."
    )
    login_lock_minutes: int = Field(
        default=15,
        ge=1,
        description="How long a locked account refuses every sign-in, the right password too (an admin's "
        "password reset ends the lock at once).",
    )
    password_hash_memory_kib: int = Field(
        default=19456,
        ge=8192,
        description="argon2id memory per password hash, in KiB (OWASP's minimum: 19456, i.e. 19 MiB).",
    )
    password_hash_time_cost: int = Field(
        default=2, ge=1, description="argon2id passes per password hash (OWASP: 2 with 19 MiB)."
    )
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        description="Password hashes computed at once (each in its own thread, with its memory); further "
        "sign-ins wait their turn.",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1,::1",
        description="Comma-separated addresses of proxies (the web service) whose X-Forwarded-For header "
        "names the person's address in the sign-in audit; other peers are recorded as they connect.",
    )
