"""The events name the province that publishes them: EVENT_TYPE_PREFIX sets `ce-type`'s prefix
(real PostgreSQL and NATS; intake's outbox relay, as kpi's and the notifier's)."""

from __future__ import annotations

import asyncpg

from bdhvs_shared.events.cloudevents import with_type_prefix
from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import eventually, running
from support.bus import stream_messages
from support.events import REPORT_BODY
from support.intake import auth


async def test_another_provinces_prefix_is_on_every_published_event(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    settings = IntakeSettings(
        nats_url=clean_nats,
        database_url=database_url,
        event_type_prefix="vn.hatinh",
        BDHVS_CLOCK_START="2026-03-14T09:00:00+07:00",
    )
    app = create_app(settings)
    async with running(app) as client:
        container = app.state.container
        async with container.sessions() as session, session.begin():
            token = await create_token(session, Role.COMMUNE, "09313", "test", container.clock.now())
        reply = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(token))
        assert reply.status_code == 201, reply.text
        messages = await eventually(
            lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.>"), lambda m: len(m) == 1
        )
    assert messages[0].headers["ce-type"] == "vn.hatinh.bdhvs.report.accepted.v1"
    assert not any("bacninh" in value for value in messages[0].headers.values())


def test_the_prefix_swap_leaves_other_headers_alone() -> None:
    staged = {"ce-type": "vn.bacninh.bdhvs.kpi.status.v1", "ce-source": "/bdhvs/kpi"}
    assert with_type_prefix(staged, "vn.hatinh") == {
        "ce-type": "vn.hatinh.bdhvs.kpi.status.v1",
        "ce-source": "/bdhvs/kpi",
    }
    assert with_type_prefix(staged, "vn.bacninh") is staged
