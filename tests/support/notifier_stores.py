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
from support.databases import copy_of_template
from support.notifier_fakes import FakeDatabase


async def _stores(
    request: pytest.FixtureRequest, postgres_url: str, template_database: str
) -> AsyncIterator[Transactions]:
    if request.param == "memory":
        yield FakeDatabase().transaction
        return
    async with copy_of_template(postgres_url, template_database) as url:
        engine = make_engine(url, PoolSettings(size=2))
        yield stores.transactions(make_sessionmaker(engine))
        await engine.dispose()


def both_stores() -> Any:
    """A fixture named `transactions`, run once on the in-memory fake and once on PostgreSQL."""
    return pytest.fixture(params=["memory", "postgres"], name="transactions")(_stores)
