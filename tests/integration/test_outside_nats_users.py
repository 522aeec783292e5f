"""Outside systems' own NATS users on the real nats-server with deploy/nats's configuration.

`nats-user add` writes a user into the local stack's configuration and reloads the server; as that
user, every stream docs/events.md offers can be read (a consumer of its own, live subscriptions,
the last message), and everything else is refused: publishing, a stream it was not given, the DLQ,
the services' and other systems' consumers, other users' replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from bdhvs_local.nats_config import LocalNatsConfig
from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_local.nats_users import OFFERED_STREAMS, inbox_prefix
from bdhvs_shared.nats.streams import STREAM_SUBJECTS, ensure_streams

EVENTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kpi_subscriber.py"
ROW = re.compile(r"^\| `(?P<stream>[A-Z]+)` \| (?P<subjects>`[^|]+`) \|")


def offered_in_the_document() -> dict[str, list[str]]:
    """The table under "Offered to outside systems": stream -> its subjects."""
    text = EVENTS_DOC.read_text(encoding="utf-8")
    section = text.split("## Offered to outside systems", 1)[1].split("\n## ", 1)[0]
    rows = (ROW.match(line) for line in section.splitlines())
    return {m["stream"]: re.findall(r"`([^`]+)`", m["subjects"]) for m in rows if m}


def a_subject_of(stream: str) -> str:
    return STREAM_SUBJECTS[stream][0].replace(">", "outside.test")


@pytest.fixture
def local(tmp_path: Path) -> Iterator[tuple[LocalNatsConfig, EmbeddedNats]]:
    config = LocalNatsConfig(tmp_path / "nats")
    server = EmbeddedNats(config.directory, config_file=config.write(), env=config.environment()).start()
    yield config, server
    server.stop()


@contextlib.asynccontextmanager
async def connected(url: str, inbox: str = "_INBOX") -> AsyncIterator[Any]:
    """A connection; the permission errors the server sends are kept in `nc.refusals`."""
    refusals: asyncio.Queue[str] = asyncio.Queue()

    async def on_error(exc: Exception) -> None:
        await refusals.put(str(exc).lower())

    nc = await nats.connect(url, inbox_prefix=inbox, error_cb=on_error, max_reconnect_attempts=0)
    nc.refusals = refusals  # type: ignore[attr-defined]
    try:
        yield nc
    finally:
        await nc.close()


def as_user(server: EmbeddedNats, name: str, password: str) -> str:
    return f"nats://{name}:{password}@{server.host}:{server.port}"


async def refused(nc: Any, what: str) -> None:
    message = await asyncio.wait_for(nc.refusals.get(), timeout=10)
    assert f"permissions violation for {what}" in message


async def fill_every_stream(server: EmbeddedNats) -> None:
    """Make the streams and put one message on each (no credentials: the local stack's admin)."""
    async with connected(server.url) as nc:
        js = nc.jetstream()
        await ensure_streams(js, [*OFFERED_STREAMS, "DLQ"])
        for stream in [*OFFERED_STREAMS, "DLQ"]:
            await js.publish(a_subject_of(stream), stream.encode(), timeout=5)
        await js.add_consumer("KPI", ConsumerConfig(durable_name="notifier-kpi"))


def test_the_document_offers_exactly_the_streams_the_command_grants() -> None:
    offered = offered_in_the_document()
    assert sorted(offered) == sorted(OFFERED_STREAMS)
    for stream, subjects in offered.items():
        assert subjects == STREAM_SUBJECTS[stream], stream


async def test_an_outside_user_reads_every_offered_stream_and_nothing_else(
    local: tuple[LocalNatsConfig, EmbeddedNats],
) -> None:
    config, server = local
    await fill_every_stream(server)
    offered = list(offered_in_the_document())
    password = config.add_user("dashboard", offered)
    other = config.add_user("ops-kpi", ["KPI"])
    assert config.reload()
    await asyncio.sleep(0.5)  # the server applies the new configuration

    async with connected(as_user(server, "dashboard", password), inbox_prefix("dashboard")) as nc:
        js = nc.jetstream(timeout=3)
        for stream in offered:
            assert (await js.stream_info(stream)).state.messages == 1
            pull = await js.pull_subscribe(
                ">",
                durable="dashboard",
                stream=stream,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
            )
            [message] = await pull.fetch(1, timeout=5)
            assert message.data == stream.encode()
            await message.ack()
            last = await js.get_last_msg(stream, a_subject_of(stream), direct=True)
            assert last.data == stream.encode()
            live = await nc.subscribe(STREAM_SUBJECTS[stream][-1])
            async with connected(server.url) as admin:
                await admin.publish(STREAM_SUBJECTS[stream][-1].replace(">", "live"), b"now")
            assert (await live.next_msg(timeout=5)).data == b"now"
            await js.delete_consumer(stream, "dashboard")
        assert nc.refusals.empty()

        await nc.publish(a_subject_of("KPI"), b"forged")
        await refused(nc, "publish")
        await nc.subscribe("bdhvs.dlq.>")
        await refused(nc, "subscription")
        await nc.subscribe("_INBOX.>")  # nor other users' replies
        await refused(nc, "subscription")
        for denied, api in (
            (js.stream_info("DLQ"), "stream.info.dlq"),
            (js.delete_consumer("KPI", "notifier-kpi"), "consumer.delete.kpi.notifier-kpi"),
            (js.pull_subscribe(">", durable="ops-kpi", stream="KPI"), "consumer.info.kpi.ops-kpi"),
        ):
            with pytest.raises(nats.errors.TimeoutError):
                await denied
            await refused(nc, f'publish to "$js.api.{api}"')

    async with connected(as_user(server, "ops-kpi", other), inbox_prefix("ops-kpi")) as nc:
        js = nc.jetstream(timeout=3)
        assert (await js.stream_info("KPI")).state.messages >= 1
        with pytest.raises(nats.errors.TimeoutError):  # a stream it was not given
            await js.stream_info("REPORTS")
        await refused(nc, 'publish to "$js.api.stream.info.reports"')
        await nc.subscribe("bdhvs.report.>")
        await refused(nc, "subscription")

    assert config.remove_user("ops-kpi") and config.reload()
    await asyncio.sleep(0.5)
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(as_user(server, "ops-kpi", other), allow_reconnect=False, connect_timeout=2)


async def test_the_example_subscriber_runs_as_such_a_user_as_events_md_says(
    local: tuple[LocalNatsConfig, EmbeddedNats],
) -> None:
    config, server = local
    await fill_every_stream(server)
    password = config.add_user("dashboard", ["KPI"])
    assert config.reload()
    await asyncio.sleep(0.5)
    own = ["--url", as_user(server, "dashboard", password), "--inbox-prefix", "_INBOX_dashboard"]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(EXAMPLE), *own, "--durable", "dashboard", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    log = (config.directory / "nats-server.log").read_text(encoding="utf-8", errors="replace")
    assert [line for line in log.splitlines() if "Violation" in line] == []
