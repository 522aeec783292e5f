"""The nats-server configuration of the local stack: deploy/nats's users and permissions, with the
outside systems' users, in the run directory (never in the repository: it holds their passwords).

    <run>/nats/conf/nats.conf       deploy/nats/nats.conf, and `no_auth_user: admin`
    <run>/nats/conf/accounts.conf   deploy/nats/accounts.conf with the outside systems' users
    <run>/nats/passwords.json       the services' users' passwords (the server needs them; 0600)
    <run>/nats/outside-users.json   each outside system: password and streams (0600)
    <run>/nats/nats-server.pid      the running server, to reload

The services of `make run` connect without credentials and act as `admin` (as they did on the
unauthenticated local server); an outside system connects with its own user and is held to it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bdhvs_local.nats_users import check_grant, render_accounts, user_entry

DEPLOY_NATS = Path(__file__).resolve().parents[3] / "nats"
SERVICE_USERS = ("admin", "intake", "kpi", "notifier", "subscriber")


@dataclass(frozen=True)
class LocalNatsConfig:
    directory: Path  # the embedded server's directory: <run>/nats
    source: Path = DEPLOY_NATS  # nats.conf and accounts.conf

    @property
    def config_file(self) -> Path:
        return self.directory / "conf" / "nats.conf"

    @property
    def pid_file(self) -> Path:
        return self.directory / "nats-server.pid"

    def write(self) -> Path:
        """Write the server's configuration from deploy/nats and the outside users; return nats.conf."""
        conf = self.config_file.parent
        conf.mkdir(parents=True, exist_ok=True)
        base = (self.source / "nats.conf").read_text(encoding="utf-8")
        self.config_file.write_text(
            base + "\n# make run: clients without credentials act as admin\nno_auth_user: admin\n",
            encoding="utf-8",
        )
        entries = {
            name: user_entry(name, user["password"], user["streams"]) for name, user in self.users().items()
        }
        accounts = render_accounts((self.source / "accounts.conf").read_text(encoding="utf-8"), entries)
        _private(conf / "accounts.conf", accounts)
        return self.config_file

    def environment(self) -> dict[str, str]:
        """The services' users' passwords the configuration refers to, made once and kept."""
        kept = self._read("passwords.json")
        if set(kept) != set(SERVICE_USERS):
            kept = {user: kept.get(user) or secrets.token_hex(16) for user in SERVICE_USERS}
            _private(self.directory / "passwords.json", json.dumps(kept, indent=2))
        return {f"NATS_{user.upper()}_PASSWORD": password for user, password in kept.items()}

    def users(self) -> dict[str, dict[str, Any]]:
        return self._read("outside-users.json")

    def add_user(self, name: str, streams: list[str], password: str | None = None) -> str:
        """Give outside system `name` read access to `streams` (replacing what it had); its password."""
        chosen = check_grant(name, streams)
        password = password or secrets.token_urlsafe(24)
        users = {**self.users(), name: {"password": password, "streams": chosen}}
        self._save_users(users)
        return password

    def remove_user(self, name: str) -> bool:
        users = self.users()
        found = users.pop(name, None) is not None
        self._save_users(users)
        return found

    def reload(self) -> bool:
        """Ask the running server to read its configuration again (SIGHUP); False if none runs."""
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, signal.SIGHUP)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return False
        return True

    def _save_users(self, users: dict[str, dict[str, Any]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        _private(self.directory / "outside-users.json", json.dumps(users, indent=2))
        self.write()

    def _read(self, name: str) -> dict[str, Any]:
        path = self.directory / name
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _private(path: Path, text: str) -> None:
    """Written readable by its owner only: it holds passwords."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text, encoding="utf-8")
