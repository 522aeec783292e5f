"""The stream dump lives in `bdhvs_shared.nats.stream_backup` (the service images run it too); these
names stay importable from here for `backup`, `dlq` and the tests."""

from bdhvs_shared.nats.stream_backup import (
    Record,
    read_records,
    read_stream,
    read_streams,
    republish,
    republish_streams,
    write_records,
)

__all__ = [
    "Record",
    "read_records",
    "read_stream",
    "read_streams",
    "republish",
    "republish_streams",
    "write_records",
]
