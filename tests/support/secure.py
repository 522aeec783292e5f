"""The production permission set on real servers: deploy/nats/nats.conf and deploy/postgres/roles.sql."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_local.postgres_server import client_binary

ROOT = Path(__file__).resolve().parents[2]
NATS_CONFIG = ROOT / "deploy/nats/nats.conf"
ROLES_SQL = ROOT / "deploy/postgres/roles.sql"
NATS_USERS = ("admin", "intake", "kpi", "notifier", "subscriber")
SERVICES = ("intake", "kpi", "notifier")


@dataclass
class SecuredNats:
    server: EmbeddedNats
    passwords: dict[str, str]

    def url(self, user: str) -> str:
        return f"nats://{user}:{self.passwords[user]}@{self.server.host}:{self.server.port}"

    def violations(self) -> list[str]:
        """The server's log lines about refused publishes or subscriptions."""
        log = (self.server.data_dir / "nats-server.log").read_text(encoding="utf-8", errors="replace")
        return [line for line in log.splitlines() if "Violation" in line]


def start_secured_nats(data_dir: Path) -> SecuredNats:
    passwords = {user: secrets.token_hex(16) for user in NATS_USERS}
    env = {f"NATS_{user.upper()}_PASSWORD": password for user, password in passwords.items()}
    server = EmbeddedNats(data_dir, config_file=NATS_CONFIG, env=env).start()
    return SecuredNats(server, passwords)


def apply_roles(database_url: str) -> dict[str, str]:
    """Run roles.sql with psql as the admin; return each service's own SQLAlchemy URL."""
    admin = make_url(database_url)
    passwords = {name: secrets.token_hex(16) for name in SERVICES}
    variables = [arg for name, pw in passwords.items() for arg in ("-v", f"{name}_password={pw}")]
    result = subprocess.run(
        [
            client_binary("psql"),
            "-h",
            str(admin.host),
            "-p",
            str(admin.port),
            "-U",
            str(admin.username),
            "-d",
            str(admin.database),
            "-v",
            "ON_ERROR_STOP=1",
            *variables,
            "-f",
            str(ROLES_SQL),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {
        name: admin.set(username=name, password=pw).render_as_string(hide_password=False)
        for name, pw in passwords.items()
    }
