"""The whole system as processes (intake, kpi, notifier, web) and one real Chromium, for the browser tests.

One stack and one browser serve every test of this folder (the stack is made once: its own NATS server,
its own database copied from the migrated template); each test opens fresh browser contexts. The clock
is set to 16 March 2026, 09:00 (the monthly report for 2026-03 is due before the 20th); it is a file
clock every service reads, so a test can move it on (`WebStack.advance`: a session's idle limit, the
end of a lock) instead of waiting. Chromium is
Debian's package (`playwright install` cannot download a browser here): it is installed with apt-get
when /usr/bin/chromium is missing (docs/web.md).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.engine import make_url

from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_local.ports import free_port
from bdhvs_local.services import ServiceProcess
from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.clock import FileClock
from support.databases import dsn
from support.processes import RunningSystem, running_system
from support.web import WebStack

CHROMIUM = "/usr/bin/chromium"
CLOCK_START = "2026-03-16T09:00:00+07:00"
WEB_SECRET = "e2e-web-secret-5d0c9a7f"


def _ensure_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        pytest.skip("no Chromium and no apt-get to install it")
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"],
        check=True,
        capture_output=True,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (root needs --no-sandbox)."""
    return {**browser_type_launch_args, "executable_path": _ensure_chromium(), "args": ["--no-sandbox"]}


@pytest.fixture(scope="module")
def browser(browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """One Chromium per test module, not per session: Playwright's sync API runs an event loop in this
    thread while it is open, and the asyncio tests that follow (other folders) need it closed."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**browser_type_launch_args)
        yield launched
        launched.close()


class _Template:
    """A database copied from the migrated template for the whole session (dropped at the end)."""

    def __init__(self, postgres_url: str, template: str) -> None:
        self.postgres_url, self.template = postgres_url, template
        self.name = f"web_{uuid.uuid4().hex[:12]}"

    async def _run(self, sql: str) -> None:
        conn = await asyncpg.connect(dsn(self.postgres_url))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def __enter__(self) -> str:
        asyncio.run(self._run(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))
        return make_url(self.postgres_url).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        asyncio.run(self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def web_stack(
    postgres_url: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebStack]:
    root = tmp_path_factory.mktemp("web-stack")
    clock = root / "clock"
    FileClock.write(clock, datetime.fromisoformat(CLOCK_START))
    nats = EmbeddedNats(root / "nats").start()
    smtp = SmtpCatcher(root / "mail").start()
    try:
        with _Template(postgres_url, template_database) as database_url:
            env = {
                "NATS_URL": nats.url,
                "DATABASE_URL": database_url,
                "SMTP_HOST": smtp.host,
                "SMTP_PORT": str(smtp.port),
                "BDHVS_CLOCK_START": f"file:{clock}",
                "LOG_FORMAT": "json",
                "LEDGER_ENABLED": "false",
                "NOTIFIER_ACK_SECRET": "e2e-web-ack-secret-1b7e",
                "ALERT_GROUP_WAIT_SECONDS": "0",
                "ALERT_TICK_SECONDS": "0.2",
                "AUTH_CACHE_SECONDS": "1",
                "SESSION_IDLE_MINUTES": "30",
                "LOGIN_LOCK_MINUTES": "15",
                "LOGIN_MAX_FAILURES": "5",
            }
            web_port = free_port()
            env["NOTIFIER_ACK_PAGE_URL"] = f"http://127.0.0.1:{web_port}/xac-nhan-canh-bao"
            with running_system(env, root / "logs") as system:
                system.cli("notifier", "recipients", "load")
                web = _start_web(system, web_port, root / "logs" / "web.log")
                try:
                    yield WebStack(system, web.url, WEB_SECRET, smtp, clock)
                finally:
                    web.stop()
    finally:
        smtp.stop()
        nats.stop()


def _start_web(system: RunningSystem, port: int, log: Path) -> ServiceProcess:
    env = {
        **system.env,
        "INTAKE_URL": system.url("intake"),
        "KPI_URL": system.url("kpi"),
        "NOTIFIER_URL": system.url("notifier"),
        "WEB_SECRET": WEB_SECRET,
        "LIVE_POLL_SECONDS": "1",
    }
    web = ServiceProcess("web", port, env, log).start()
    web.wait_ready()
    return web
