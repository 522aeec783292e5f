"""What the routes take from the container, typed: `service: ServiceDep`.

The one place that reads the container (built in the lifespan by bootstrap.py), through the shared
`from_container`. It takes no query, header or body, so the OpenAPI documents do not change.
Routes read through the service layer (`service_layer.reads`), never a session; `service.projector`
is built on the catalogue in force now (the follower swaps it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bdhvs_shared.http import from_container
from kpi.service_layer.apply_report import KpiService

ServiceDep = Annotated[KpiService, Depends(from_container("service"))]
