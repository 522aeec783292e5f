"""What `make run` prints once the stack is up: the addresses, the catalogue, tokens, accounts, a try."""

from __future__ import annotations

import json
from pathlib import Path

from bdhvs_local.stack import Endpoints


def addresses(endpoints: Endpoints, run_dir: Path) -> None:
    from bdhvs_shared.catalogue import load_catalogue

    print("BDHVS is running:")
    for name, value in vars(endpoints).items():
        print(f"  {name:14} {value}")
    catalogue = (
        load_catalogue()
    )  # as shipped: an admin may have published a newer one (GET /api/v1/catalogue)
    kpis = [c for c, i in catalogue.indicators.items() if i.kpi]
    others = [c for c, i in catalogue.indicators.items() if not i.kpi]
    print(
        f"  catalogue      version {catalogue.version} (as shipped): {len(catalogue.units)} communes and "
        f"wards, KPIs {', '.join(kpis)}, operational indicators {', '.join(others)}, "
        f"forms {', '.join(catalogue.forms)}"
    )
    print(f"  mail is kept in {run_dir / 'mail'}; endpoints in {run_dir / 'endpoints.json'}")
    if endpoints.notifier_channels == "email":
        print(
            "  SMS and webhooks are off: set SMS_GATEWAY_URL + SMS_API_KEY + SMS_SECRET_KEY, "
            "WEBHOOK_SECRET to turn them on"
        )


def tokens(tokens: dict[str, str]) -> None:
    print("Demo tokens (also in .run/tokens.json):")
    for role, token in tokens.items():
        print(f"  {role:16} {token}")


def accounts(endpoints: Endpoints, extra_env: dict[str, str], run_dir: Path) -> None:
    """The first line `make run` prints: where to open the pages and whom to sign in as."""
    from bdhvs_local.demo_accounts import kept_demo_accounts

    people = kept_demo_accounts(run_dir, endpoints, extra_env)
    signs = ", ".join(f"{a['username']} / {a['password']} ({role})" for role, a in people.items())
    print(f"open {endpoints.web_url or endpoints.intake_url} and sign in as {signs}")
    print("  (demo accounts, also in .run/accounts.json; BDHVS_DEMO_PASSWORD chooses their password)")


def try_it(endpoints: Endpoints, tokens: dict[str, str], run_dir: Path) -> None:
    print("Try (two months of a commune's figures; d falls behind its target, an email follows):")
    for period, c, d in (("2026-02", 14000, 8500), ("2026-03", 15000, 9000)):
        values = {"c": {"numerator": c, "denominator": 18000}, "d": {"numerator": d, "denominator": 18000}}
        body = json.dumps({"unit_code": "09313", "form": "monthly", "period": period, "values": values})
        print(
            f"  curl -s -X POST {endpoints.intake_url}/api/v1/reports -H 'Authorization: Bearer "
            f"{tokens.get('commune:09313', '')}' -H 'Content-Type: application/json' -d '{body}'"
        )
    commune, operator = tokens.get("commune:09313", ""), tokens.get("operator", "")
    print(
        f"  curl -s '{endpoints.kpi_url}/api/v1/attainment?unit=09313' -H 'Authorization: Bearer {commune}'"
    )
    print(
        f"  curl -s '{endpoints.notifier_url}/api/v1/notifications' -H 'Authorization: Bearer {operator}'; "
        f"ls {run_dir / 'mail'}"
    )
