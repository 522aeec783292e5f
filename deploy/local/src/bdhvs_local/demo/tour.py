"""What `make demo` prints at the end: where to look, who to sign in as, and a short tour."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bdhvs_local.demo.plan import Plan
from bdhvs_local.stack import Endpoints


def statuses(endpoints: Endpoints, token: str, indicator: str = "d") -> dict[str, str]:
    """unit code → kpi's status of the indicator, for every unit kpi follows."""
    reply = httpx.get(
        f"{endpoints.kpi_url}/api/v1/attainment",
        params={"indicator": indicator},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    reply.raise_for_status()
    return {row["unit_code"]: row["status"] for row in reply.json()}


def completeness(endpoints: Endpoints, token: str, period: str, form: str = "monthly") -> dict[str, Any]:
    reply = httpx.get(
        f"{endpoints.kpi_url}/api/v1/completeness",
        params={"form": form, "period": period},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    reply.raise_for_status()
    return dict(reply.json())


def show(
    endpoints: Endpoints, tokens: dict[str, str], plan: Plan, run_dir: Path, web_url: str | None
) -> None:
    operator = tokens["operator"]
    found = statuses(endpoints, operator)
    months = sorted({r.body["period"] for r in plan.reports if r.body["form"] == "monthly"})
    print("Where to look:")
    print(f"  web            {web_url or '(services/web is not part of this build: use the APIs below)'}")
    for name in ("intake_url", "kpi_url", "notifier_url"):
        print(f"  {name:14} {getattr(endpoints, name)}")
    print(f"  mail           {run_dir / 'mail'} (the notifier's reminders, notices and alerts)")
    print(f"  SMS            {run_dir / 'sms'} (the loopback gateway's messages)")
    print(f"  tokens         {run_dir / 'demo' / 'tokens.json'} (every clerk's, the operator's, the admin's)")
    counts = Counter(found.values())
    print("Statuses of KPI d: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    print("A short tour:")
    off = sorted(code for code, status in found.items() if status == "off_track")
    if off:
        print(
            f"  off track: {off[0]}  curl -s '{endpoints.kpi_url}/api/v1/attainment?unit={off[0]}' "
            f"-H 'Authorization: Bearer {operator}'"
        )
    march = next((m for m in months if m.endswith("-03")), months[0] if months else None)
    if march:
        missing = [u["unit_name"] for u in completeness(endpoints, operator, march)["missing"]][:5]
        print(
            f"  missed {march}: {', '.join(missing) or 'nobody'}  ({endpoints.kpi_url}/api/v1/completeness"
            f"?form=monthly&period={march})"
        )
    if months:
        print(
            f"  consolidated report for {months[-1]}: {endpoints.kpi_url}/api/v1/consolidated"
            f"?period={months[-1]}&format=html (operator token)"
        )
    if plan.merge:
        print(f"  merge: {' + '.join(plan.merge.sources)} → {plan.merge.into} from {plan.merge.effective}")
    print(f"  notifications: {endpoints.notifier_url}/api/v1/notifications (operator token)")
