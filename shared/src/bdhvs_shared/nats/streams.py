"""The streams, declared in one place; each service ensures the ones it touches.

FastStream's auto-declare merges subjects and lets services fight over a
stream's config, so subscribers use `declare=False` and these definitions are
the only source of stream config. Ensuring is create-or-update with the same
config, so it does not matter which service gets there first.
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

# De-duplication window: longer than any outbox relay retry horizon (2 min by default).
DUPLICATE_WINDOW_SECONDS = 15 * 60

STREAM_SUBJECTS: dict[str, list[str]] = {
    "REPORTS": ["bdhvs.report.>"],
    "KPI": ["bdhvs.kpi.>"],
    "ALERTS": ["bdhvs.alert.>", "bdhvs.notification.>"],
    "DLQ": ["bdhvs.dlq.>"],
    "CATALOGUE": ["bdhvs.catalogue.>"],
}


def stream_config(name: str, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=name,
        subjects=STREAM_SUBJECTS[name],
        retention=RetentionPolicy.LIMITS,  # several services consume and replay: not a work queue
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        allow_direct=True,  # lets subscribers read the last message per subject cheaply
    )


async def ensure_streams(js: JetStreamContext, names: list[str], replicas: int = 1) -> None:
    for name in names:
        config = stream_config(name, replicas)
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)
