"""`make run`'s people: an admin, an operator and the demo commune's clerk, created once in intake.

Their passwords come from BDHVS_DEMO_PASSWORD when it is set (at least 10 characters); otherwise each
gets a one-time initial password, printed once at the start that created it and kept nowhere (to be
changed at the first sign-in; `intake accounts reset-password --username …` makes a new one).
"""

from __future__ import annotations

from bdhvs_local.stack import Endpoints, _cli

PASSWORD_ENV = "BDHVS_DEMO_PASSWORD"


def demo_accounts(endpoints: Endpoints, extra_env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(username, role, password or why it is not shown) of each demo account."""
    env = {
        "DATABASE_URL": endpoints.database_url,
        "NATS_URL": "nats://unused:4222",
        **{k: v for k, v in extra_env.items() if k == "BDHVS_CLOCK_START"},  # the services' clock
    }
    out = _cli("intake", ["accounts", "create-demo", "--password-env", PASSWORD_ENV], env)
    lines = [line.split("\t") for line in out.splitlines() if line.count("\t") == 2]
    return [(name, role, password) for name, role, password in lines]
