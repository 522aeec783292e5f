"""The events name the province that publishes them: EVENT_TYPE_PREFIX sets `ce-type`'s prefix
(real PostgreSQL and NATS; intake's outbox relay, as kpi's and the notifier's)."""

from __future__ import annotations

import asyncpg

from bdhvs_shared.events.cloudevents import with_type_prefix
from support.apps import eventually
from support.bus import stream_messages
from support.events import REPORT_BODY
from support.intake import auth, intake_settings, intake_with_tokens


async def test_another_provinces_prefix_is_on_every_published_event(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    settings = intake_settings(clean_nats, database_url, event_type_prefix="vn.hatinh")
    async with intake_with_tokens(settings) as (client, tokens):
        reply = await client.post("/api/v1/reports", json=REPORT_BODY, headers=auth(tokens["commune"]))
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
