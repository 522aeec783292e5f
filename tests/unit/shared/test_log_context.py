"""Log lines carry the event and correlation ids: while a message is handled, and in an HTTP request."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from sqlalchemy import MetaData

from bdhvs_shared.db.outbox import stage
from bdhvs_shared.db.tables import outbox_table
from bdhvs_shared.events.cloudevents import headers_for
from bdhvs_shared.logs import configure_logging
from bdhvs_shared.nats.logcontext import LogContext
from bdhvs_shared.request_log import RequestLogContext
from support.events import report_accepted

log = structlog.get_logger("test")


class Metadata:
    consumer = "kpi-reports"


class JetStreamMessage:
    """The parts of a nats-py message the middleware reads."""

    def __init__(self, headers: dict[str, str], subject: str) -> None:
        self.headers = headers
        self.subject = subject
        self.metadata = Metadata()


class FakeSession:
    async def execute(self, *_: Any) -> None:
        return None


def json_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


@pytest.fixture(autouse=True)
def clean_context() -> None:
    structlog.contextvars.clear_contextvars()


async def test_a_handled_message_logs_its_event_and_correlation_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json")
    event = report_accepted("09313", "2026-03", {"c": (1, 2)})
    subject = "bdhvs.report.accepted.09313"
    msg = JetStreamMessage(headers_for(event, subject), subject)

    async with LogContext(msg, context=None):
        log.warning("handler failed, will retry")
    log.info("after the message")

    inside, after = json_lines(capsys.readouterr().err)
    assert inside["event_id"] == str(event.event_id)
    assert inside["correlation_id"] == str(event.correlation_id)
    assert (inside["subject"], inside["consumer"]) == (subject, "kpi-reports")
    assert "event_id" not in after and "correlation_id" not in after


async def test_a_request_logs_its_request_id_and_the_correlation_id_it_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json")
    event = report_accepted("09313", "2026-03", {"c": (1, 2)})
    app = FastAPI()
    app.add_middleware(RequestLogContext)

    @app.post("/reports")
    async def submit() -> dict[str, str]:
        await stage(FakeSession(), outbox_table(MetaData()), [(event, "bdhvs.report.accepted.09313")])  # type: ignore[arg-type]
        log.info("report accepted")
        return {}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        reply = await client.post("/reports", headers={"X-Request-ID": "abc123"})
        second = await client.post("/reports")
    assert reply.headers["x-request-id"] == "abc123"
    assert len(second.headers["x-request-id"]) == 32  # generated when the caller sent none

    lines = json_lines(capsys.readouterr().err)
    accepted = [line for line in lines if line["event"] == "report accepted"]
    summaries = [line for line in lines if line["event"] == "request handled"]
    assert accepted[0]["request_id"] == summaries[0]["request_id"] == "abc123"
    assert accepted[0]["correlation_id"] == summaries[0]["correlation_id"] == str(event.correlation_id)
    assert summaries[0]["status"] == 200 and summaries[0]["path"] == "/reports"
    assert summaries[1]["request_id"] == second.headers["x-request-id"]
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks past the request
