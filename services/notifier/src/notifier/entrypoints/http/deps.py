"""What the routes take from the container, typed: `sessions: SessionsDep`, `clock: ClockDep`…

The one place that reads the container (built in the lifespan by bootstrap.py), through the shared
`from_container`.
None of these takes a query, header or body, so the OpenAPI documents do not change.
`SessionsDep` is the session factory, not an open session: a route opens one for exactly as long
as it needs it (`async with sessions() as session`), as before.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.http import from_container
from notifier.service_layer.alerts import AlertService
from notifier.service_layer.directory_admin import DirectoryAdmin
from notifier.service_layer.ports import Transactions

SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(from_container("sessions"))]
ClockDep = Annotated[Clock, Depends(from_container("clock"))]
AlertsDep = Annotated[AlertService, Depends(from_container("alerts"))]
DirectoryDep = Annotated[DirectoryAdmin, Depends(from_container("directory"))]
AckSecretDep = Annotated[bytes, Depends(from_container("ack_secret"))]
TransactionsDep = Annotated[Transactions, Depends(from_container("transactions"))]
AckPageDep = Annotated[str, Depends(from_container("ack_page_url"))]
