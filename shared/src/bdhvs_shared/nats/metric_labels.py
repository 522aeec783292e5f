"""FastStream's Prometheus middleware, with each series labelled by the kind of event, not the subject.

FastStream names the `handler` (consumed) and `destination` (published) labels after the message's
subject. Ours carry the unit code and the indicator, so every unit × indicator made its own series of
each histogram: after four months of the demo the notifier's /metrics was 45 thousand lines (6.8 MB),
and it grows with every unit and indicator. `subjects.family` keeps one series per kind of event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.nats.prometheus.provider import settings_provider_factory
from faststream.prometheus import ConsumeAttrs, PrometheusMiddleware
from nats.aio.msg import Msg
from prometheus_client import CollectorRegistry

from bdhvs_shared.events.subjects import family


class _ByFamily:
    """FastStream's own provider for the message, with the subject reduced to its family."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.messaging_system: str = inner.messaging_system

    def get_consume_attrs_from_message(self, msg: Any) -> ConsumeAttrs:
        attrs: ConsumeAttrs = self._inner.get_consume_attrs_from_message(msg)
        return {**attrs, "destination_name": family(attrs["destination_name"])}

    def get_publish_destination_name_from_cmd(self, cmd: Any) -> str:
        return family(self._inner.get_publish_destination_name_from_cmd(cmd))


def _by_family(msg: Msg | Sequence[Msg] | None) -> _ByFamily | None:
    inner = settings_provider_factory(msg)
    return None if inner is None else _ByFamily(inner)


def prometheus_middleware(registry: CollectorRegistry, app_name: str) -> PrometheusMiddleware[Any, Any]:
    return PrometheusMiddleware(settings_provider_factory=_by_family, registry=registry, app_name=app_name)
