"""An example subscriber to the KPI events: the current status of every unit and indicator.

Runnable as it is with nats-py alone (`pip install nats-py`); it does not need this repository's
code. It creates its own durable pull consumer on the KPI stream, starting from the last message
of every `bdhvs.kpi.attainment.<unit>.<indicator>` subject (each one a full snapshot), keeps the
newest snapshot per subject by its `sequence`, prints a line for each change, and acknowledges
each message after it is handled. Run it again later with the same --durable: it goes on from
where it stopped.

    NATS_URL=nats://dashboard:<password>@nats:4222 python examples/kpi_subscriber.py --once \
        --inbox-prefix _INBOX_dashboard --durable dashboard

--once stops when it has caught up (for a test or a cron job); without it, it follows until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

SUBJECTS = "bdhvs.kpi.attainment.>"


def line(snapshot: dict[str, Any]) -> str:
    """One unit and indicator for people: attainment, projection, status."""

    def percent(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    return (
        f"{snapshot['unit_code']:>5} {snapshot['indicator']:<3} "
        f"{percent(snapshot['attainment']):>7} → {percent(snapshot['projected_attainment']):>7} "
        f"{snapshot['status']} (seq {snapshot['sequence']})"
    )


async def follow(
    url: str, durable: str, once: bool, inbox: str = "_INBOX"
) -> dict[tuple[str, str], dict[str, Any]]:
    nc = await nats.connect(url, inbox_prefix=inbox)
    js = nc.jetstream()
    config = ConsumerConfig(
        durable_name=durable,
        filter_subject=SUBJECTS,
        deliver_policy=DeliverPolicy.LAST_PER_SUBJECT,
        ack_policy=AckPolicy.EXPLICIT,
        max_deliver=5,
    )
    sub = await js.pull_subscribe(SUBJECTS, durable=durable, stream="KPI", config=config)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        while True:
            try:
                messages = await sub.fetch(100, timeout=2)
            except (NatsTimeout, TimeoutError):  # nothing new for 2 s
                if once:
                    break
                continue
            for message in messages:
                snapshot = json.loads(message.data)
                key = (snapshot["unit_code"], snapshot["indicator"])
                known = latest.get(key)
                if known is None or snapshot["sequence"] > known["sequence"]:  # an older one changes nothing
                    latest[key] = snapshot
                    print(line(snapshot), flush=True)
                await message.ack()
    finally:
        await nc.close()
    return latest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"))
    parser.add_argument("--durable", default="example-subscriber", help="Your consumer's name (keep it).")
    parser.add_argument("--once", action="store_true", help="Stop when caught up.")
    parser.add_argument(
        "--inbox-prefix",
        default=os.environ.get("NATS_INBOX_PREFIX", "_INBOX"),
        help="_INBOX_<user> for a user of its own (`bdhvs_local nats-user add`).",
    )
    args = parser.parse_args()
    try:
        latest = asyncio.run(follow(args.url, args.durable, args.once, args.inbox_prefix))
    except KeyboardInterrupt:
        return
    print(f"{len(latest)} units × indicators known")


if __name__ == "__main__":
    main()
