"""Outside systems' NATS users: one per system, read-only on the streams it is given.

The streams offered to outside systems are those `docs/events.md` lists under "Offered to outside
systems" (a test compares the two). A user may read them three ways and nothing else:
- live, by subscribing to the streams' subjects;
- with its own consumer on each stream it is given, named after the user (pull or push; the
  services' consumers and other systems' consumers are not its own);
- the last message of a subject (direct get) and the stream's info.
Replies come back on its own inbox prefix, `_INBOX_<user>`, so no other user reads them (and it
reads no one else's). It publishes no event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bdhvs_shared.nats.streams import STREAM_SUBJECTS

OFFERED_STREAMS = ("KPI", "REPORTS", "ALERTS", "CATALOGUE")
# The users and durable consumers of deploy/nats/accounts.conf: an outside system may not take their names.
RESERVED_NAMES = frozenset(
    {"admin", "intake", "kpi", "notifier", "subscriber", "kpi-reports", "notifier-kpi", "notifier-reports"}
)
NAME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")  # one NATS subject token: no dots, no wildcards
MARKER = "# @outside-systems"  # the line of accounts.conf after which the users are written


class UserError(ValueError):
    """A name or a stream the command refuses, with why."""


def inbox_prefix(name: str) -> str:
    return f"_INBOX_{name}"


def check_grant(name: str, streams: Iterable[str]) -> list[str]:
    """The name and streams as given, or why not."""
    if not NAME.match(name):
        raise UserError(f"user name {name!r}: 2-32 of a-z, 0-9, '-', '_', starting with a letter")
    if name in RESERVED_NAMES:
        raise UserError(f"user name {name!r} is taken by a service or its consumer")
    chosen = sorted({s.upper() for s in streams})
    if not chosen:
        raise UserError("give at least one stream (--stream)")
    unknown = [s for s in chosen if s not in OFFERED_STREAMS]
    if unknown:
        raise UserError(
            f"not offered to outside systems: {', '.join(unknown)} (offered: {', '.join(OFFERED_STREAMS)})"
        )
    return chosen


def permissions(name: str, streams: Iterable[str]) -> dict[str, Any]:
    """The nats-server permissions of an outside system `name` reading `streams`."""
    publish = ["$JS.API.INFO", "$JS.API.STREAM.NAMES"]
    subscribe = [f"{inbox_prefix(name)}.>"]
    for stream in streams:
        publish += [
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.API.DIRECT.GET.{stream}",
            f"$JS.API.DIRECT.GET.{stream}.>",
            f"$JS.API.STREAM.MSG.GET.{stream}",
            # its own consumer only: created (legacy durable or named, with or without a filter),
            # read, deleted, pulled from, acknowledged, flow-controlled
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}",
            f"$JS.API.CONSUMER.CREATE.{stream}.{name}",
            f"$JS.API.CONSUMER.CREATE.{stream}.{name}.>",
            f"$JS.API.CONSUMER.INFO.{stream}.{name}",
            f"$JS.API.CONSUMER.DELETE.{stream}.{name}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{name}",
            f"$JS.ACK.{stream}.{name}.>",
            f"$JS.FC.{stream}.{name}.>",
        ]
        subscribe += STREAM_SUBJECTS[stream]
    return {"publish": {"allow": publish}, "subscribe": {"allow": subscribe}}


def user_entry(name: str, password: str, streams: Iterable[str]) -> str:
    """The user's line in accounts.conf (JSON is valid nats-server configuration). `password` is the
    password itself, or a `$VARIABLE` the server reads from its environment."""
    secret = password if password.startswith("$") else json.dumps(password)
    rules = json.dumps(permissions(name, streams))
    return f'{{user: "{name}", password: {secret}, permissions: {rules}}}'


def render_accounts(base: str, entries: Mapping[str, str]) -> str:
    """accounts.conf with `entries` (name -> user_entry) written after the marker line."""
    lines = base.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.strip() == MARKER), None)
    if at is None:
        raise UserError(f"the accounts file has no line {MARKER!r}")
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    added = [f"{indent}{entries[name]}\n" for name in sorted(entries)]
    return "".join(lines[: at + 1] + added + lines[at + 1 :])


def environment_variable(name: str) -> str:
    """Where a deployment keeps the user's password (Kubernetes, compose): NATS_USER_<NAME>_PASSWORD."""
    return f"NATS_USER_{name.upper().replace('-', '_')}_PASSWORD"
