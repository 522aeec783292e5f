"""Durable pull consumers, provisioned explicitly (create or update).

nats-py ignores `config=` when a durable already exists, so a changed
max_deliver in code would silently not apply: the owner provisions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy


@dataclass(frozen=True)
class DurableConsumer:
    stream: str
    durable: str
    filter_subject: str
    max_deliver: int = 8
    ack_wait_seconds: float = 30.0
    max_ack_pending: int = 1000

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            filter_subject=self.filter_subject,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.max_deliver,
            ack_wait=self.ack_wait_seconds,
            max_ack_pending=self.max_ack_pending,
        )


async def ensure_consumer(js: JetStreamContext, consumer: DurableConsumer) -> None:
    # The server's CONSUMER.DURABLE.CREATE creates, or updates an existing durable
    # whose changes are allowed (max_deliver, ack_wait, max_ack_pending).
    await js.add_consumer(consumer.stream, consumer.config())
