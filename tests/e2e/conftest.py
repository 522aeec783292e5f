from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bdhvs_local.smtp_catcher import SmtpCatcher
from support.processes import RunningSystem, running_system


@pytest.fixture
def system_env(database_url: str, clean_nats: str, smtp_server: SmtpCatcher) -> dict[str, str]:
    return {
        "NATS_URL": clean_nats,
        "DATABASE_URL": database_url,
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": str(smtp_server.port),
        "BDHVS_CLOCK_START": "2026-03-16T09:00:00+07:00",
        "LOG_FORMAT": "json",
        "LEDGER_ENABLED": "false",  # these tests count alert mails; the ledger has its own tests
        "NOTIFIER_ACK_SECRET": "e2e-test-ack-secret-8c21",
        "ALERT_GROUP_WAIT_SECONDS": "0",  # at once: grouping has its own (integration) tests
        "ALERT_TICK_SECONDS": "0.2",
    }


@pytest.fixture
def system(system_env: dict[str, str], tmp_path: Path) -> Iterator[RunningSystem]:
    with running_system(system_env, tmp_path / "logs") as running:
        running.cli("notifier", "recipients", "load")  # the demo directory: one address per unit
        yield running


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A 5xx or an undeclared status fails the run even where a test let it pass (issue 16)."""
    from support.fuzz_tally import TALLY

    if TALLY.server_errors or TALLY.undeclared:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz tests' last line (issue 16): `fuzz: N cases, E 5xx, U undeclared statuses`."""
    from support.fuzz_tally import TALLY

    if TALLY.cases:
        for line in [*TALLY.server_errors[:20], *TALLY.undeclared[:20]]:
            terminalreporter.write_line(f"fuzz: {line}")
        terminalreporter.write_line(TALLY.line())
