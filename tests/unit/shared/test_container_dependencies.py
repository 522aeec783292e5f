"""The container's dependencies run on the event loop: FastAPI hands a plain `def` dependency to its
thread pool, a thread hand-off per dependency per request for an attribute read."""

from __future__ import annotations

import inspect

from bdhvs_shared.http import from_container


def test_a_container_dependency_is_a_coroutine_function() -> None:
    assert inspect.iscoroutinefunction(from_container("service"))
