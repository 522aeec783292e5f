"""The composition root: the only place that builds things. Nothing is built at import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import get_args
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from nats.aio.client import Client
from prometheus_client import Counter, Histogram
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue, catalogue_from_texts
from bdhvs_shared.clock import Clock, clock_from_iso
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from bdhvs_shared.db.outbox import OutboxRelay
from bdhvs_shared.http import service_app, unavailable_responses
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.metrics import CommonMetrics, common_metrics
from bdhvs_shared.nats.connection import JetStreamPublisher, connect
from bdhvs_shared.nats.streams import ensure_streams
from intake.adapters import stores
from intake.adapters.accounts import pg_identity_transactions
from intake.adapters.isolation import FileReader
from intake.adapters.malloc import fix_malloc_thresholds
from intake.adapters.passwords import Argon2Hasher
from intake.domain.accounts import AuthPolicy
from intake.domain.problems import Problem
from intake.entrypoints.http import accounts, auth, files, reports, sessions, templates
from intake.entrypoints.http import calendar as calendar_routes
from intake.entrypoints.http import catalogue as catalogue_routes
from intake.entrypoints.http.account_errors import install_account_errors
from intake.entrypoints.http.body_limit import BodyLimit
from intake.entrypoints.http.errors import count_rejection, install_error_handlers, problem_body
from intake.entrypoints.http.schemas import ProblemsOut
from intake.entrypoints.workers.catalogue_refresher import CatalogueRefresher
from intake.service_layer.account_admin import AccountAdmin
from intake.service_layer.account_sessions import AccountSessions
from intake.service_layer.catalogue_admin import CatalogueAdmin, current_files
from intake.service_layer.group_commit import GroupCommitPolicy
from intake.service_layer.ports import FallbackReason, Transactions
from intake.service_layer.principals import PrincipalCache
from intake.service_layer.submit_report import IntakeService
from intake.settings import IntakeSettings


@dataclass
class IntakeMetrics(CommonMetrics):
    reports_accepted: Counter
    reports_rejected: Counter
    group_size: Histogram
    groups: Counter
    group_fallbacks: Counter
    group_unknown: Counter

    def accepted(self, form: str) -> None:  # the service layer's Tally
        self.reports_accepted.labels(form=form).inc()

    def rejected(self, problems: Sequence[Problem]) -> None:
        count_rejection(self.reports_rejected, problems)

    def group_committed(self, size: int) -> None:  # the service layer's GroupCommitMeter
        self.group_size.observe(size)
        if size > 1:
            self.groups.inc()

    def group_fell_back(self, reason: FallbackReason) -> None:
        self.group_fallbacks.labels(reason=reason).inc()

    def group_outcome_unknown(self) -> None:
        self.group_unknown.inc()


GROUP_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 32, 64)  # GROUP_COMMIT_MAX_REPORTS is 8 by default


def intake_metrics() -> IntakeMetrics:
    base = common_metrics("intake")
    r = base.registry
    metrics = IntakeMetrics(
        **vars(base),
        reports_accepted=Counter("bdhvs_reports_accepted", "Report revisions accepted", ["form"], registry=r),
        reports_rejected=Counter(
            "bdhvs_reports_rejected", "Reports rejected as invalid", ["code"], registry=r
        ),
        group_size=Histogram(
            "bdhvs_group_commit_size",
            "Reports per group committed in one transaction by group commit (1: a report that came alone)",
            buckets=GROUP_SIZES,
            registry=r,
        ),
        groups=Counter(
            "bdhvs_group_commit_groups", "Groups of several reports committed in one transaction", registry=r
        ),
        group_fallbacks=Counter(
            "bdhvs_group_commit_fallbacks",
            "Groups rolled back and written again one by one, by reason "
            "(needs_confirmation, key_reused, error)",
            ["reason"],
            registry=r,
        ),
        group_unknown=Counter(
            "bdhvs_group_commit_outcome_unknown",
            "Groups whose COMMIT failed (stored or not; not written again, each caller got the error)",
            registry=r,
        ),
    )
    for reason in get_args(FallbackReason):  # every reason exported from the start, at 0
        metrics.group_fallbacks.labels(reason=reason)
    return metrics


@dataclass
class Container:
    settings: IntakeSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    nc: Client
    relay: OutboxRelay
    service: IntakeService
    metrics: IntakeMetrics
    catalogue_admin: CatalogueAdmin
    refresher: CatalogueRefresher
    clock: Clock
    file_reader: FileReader
    account_sessions: AccountSessions
    account_admin: AccountAdmin
    hasher: Argon2Hasher
    principals: PrincipalCache

    async def close(self) -> None:
        await self.service.wait_written()  # a request whose client left is still written
        await self.refresher.stop()
        await self.relay.stop()
        await self.nc.drain()
        await self.engine.dispose()
        self.hasher.close()


async def build_container(settings: IntakeSettings, metrics: IntakeMetrics) -> Container:
    clock = clock_from_iso(settings.clock_start)
    engine = make_engine(settings.database_url, settings.db_pool, "intake")
    sessions = make_sessionmaker(engine)
    transactions = stores.transactions(sessions)
    catalogue = catalogue_from_texts(await current_files(transactions))  # the latest an admin published
    nc, relay = await outbox_relay(settings, sessions, metrics)
    service = intake_service(settings, transactions, catalogue, clock, relay, metrics)
    account_sessions, account_admin, hasher = account_use_cases(
        settings, sessions, lambda: service.catalogue, clock
    )
    return Container(
        settings,
        engine,
        sessions,
        nc,
        relay,
        service,
        metrics,
        CatalogueAdmin(transactions, service, clock, relay),
        CatalogueRefresher(sessions, service, settings.catalogue_refresh_seconds),
        clock,
        file_reader(settings),
        account_sessions,
        account_admin,
        hasher,
        PrincipalCache(settings.token_cache_seconds),
    )


async def outbox_relay(
    settings: IntakeSettings, sessions: async_sessionmaker[AsyncSession], metrics: IntakeMetrics
) -> tuple[Client, OutboxRelay]:
    """The NATS connection (intake's own user), its streams ensured, and the relay of intake's outbox."""
    nc = await connect(settings.nats_url, "intake")
    js = nc.jetstream()
    await ensure_streams(js, ["REPORTS", "CATALOGUE"], settings.stream_replicas)
    from intake.adapters.tables import outbox

    relay = OutboxRelay(
        sessions,
        outbox,
        JetStreamPublisher(js),
        metrics.outbox,
        settings.outbox_poll_seconds,
        type_prefix=settings.event_type_prefix,
    )
    return nc, relay


def intake_service(
    settings: IntakeSettings,
    transactions: Transactions,
    catalogue: Catalogue,
    clock: Clock,
    relay: OutboxRelay,
    metrics: IntakeMetrics,
) -> IntakeService:
    """Submitting, validating and revising reports with the deadline rule the settings choose."""
    return IntakeService(
        transactions,
        catalogue,
        clock,
        ZoneInfo(settings.timezone),
        settings.deadline_inclusive,
        settings.report_early_days,
        relay=relay,
        tally=metrics,
        meter=metrics,
        deadline_working_day=settings.deadline_working_day,
        group_commit=group_commit_policy(settings),
    )


def group_commit_policy(settings: IntakeSettings) -> GroupCommitPolicy | None:
    """The GROUP_COMMIT_* settings (None: one transaction per report)."""
    if not settings.group_commit:
        return None
    return GroupCommitPolicy(
        max_batch=settings.group_commit_max_reports,
        max_wait=settings.group_commit_max_wait_ms / 1000,
        writers=settings.group_commit_writers,
    )


def file_reader(settings: IntakeSettings) -> FileReader:
    """Reads imported files in child processes within the memory, time and concurrency limits."""
    return FileReader(
        settings.import_read_memory_mb, settings.import_read_seconds, settings.import_read_concurrency
    )


def account_use_cases(
    settings: IntakeSettings,
    sessions: async_sessionmaker[AsyncSession],
    catalogue: Callable[[], Catalogue],
    clock: Clock,
) -> tuple[AccountSessions, AccountAdmin, Argon2Hasher]:
    """Sign-in and sessions, and the admin's accounts (docs/accounts.md)."""
    hasher = Argon2Hasher(
        settings.password_hash_memory_kib,
        settings.password_hash_time_cost,
        settings.password_hash_concurrency,
    )
    policy = AuthPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
        max_failures=settings.login_max_failures,
        lock=timedelta(minutes=settings.login_lock_minutes),
    )
    transactions = pg_identity_transactions(sessions)
    tz = ZoneInfo(settings.timezone)
    signing_in = AccountSessions(transactions, hasher, clock, policy, tz)
    return signing_in, AccountAdmin(transactions, hasher, clock, catalogue, tz), hasher


def create_app(settings: IntakeSettings) -> FastAPI:
    configure_logging(settings.log_format, settings.log_level)
    fix_malloc_thresholds()  # a burst's heap is given back, not kept as RSS (adapters/malloc.py)
    metrics = intake_metrics()

    async def start() -> Container:
        container = await build_container(settings, metrics)
        container.relay.start()
        container.refresher.start()
        return container

    app = service_app(
        "BDHVS intake",
        "Reports of the 'Bình dân học vụ số' campaign: submit, validate, revise, publish.",
        metrics.registry,
        start,
        [
            reports.router,
            templates.router,
            files.router,
            catalogue_routes.router,
            calendar_routes.router,
            auth.router,
            sessions.router,
            accounts.router,
        ],
        error_body=problem_body,
        write_limit=(settings.max_concurrent_writes, settings.write_queue_seconds),
        responses=unavailable_responses(ProblemsOut),
    )
    install_error_handlers(app, metrics.reports_rejected)
    install_account_errors(app)
    # The import streams its body against IMPORT_MAX_BYTES itself.
    app.add_middleware(
        BodyLimit,
        limit=settings.json_max_bytes,
        exempt={"/api/v1/imports"},
        rejected=metrics.reports_rejected,
    )
    Instrumentator(registry=metrics.registry).instrument(app)
    return app
