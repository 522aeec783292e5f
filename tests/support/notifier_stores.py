"""The contract tests' fixture: the notifier's stores in memory and on PostgreSQL, the same tests on both.

Each tests/integration/test_notifier_*_store.py (and test_notifier_alert_queue.py) takes it with
`transactions = both_stores()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from notifier.adapters import stores
from notifier.service_layer.ports import Transactions
from support.notifier_fakes import FakeDatabase


async def _stores(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Transactions]:
    if request.param == "memory":
        yield FakeDatabase().transaction
        return
    engine = make_engine(database_url, PoolSettings(size=2))
    yield stores.transactions(make_sessionmaker(engine))
    await engine.dispose()


def both_stores() -> Any:
    """A fixture named `transactions`, run once on the in-memory fake and once on PostgreSQL."""
    return pytest.fixture(params=["memory", "postgres"], name="transactions")(_stores)
