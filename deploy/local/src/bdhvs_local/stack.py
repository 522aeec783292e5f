"""The whole system on one machine: what `make run` starts, in order, and stops in reverse."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_local.nats_config import LocalNatsConfig
from bdhvs_local.nats_server import EmbeddedNats
from bdhvs_local.ports import taken
from bdhvs_local.postgres_server import EmbeddedPostgres
from bdhvs_local.services import ServiceProcess, migrate_all
from bdhvs_local.smtp_catcher import SmtpCatcher

DEMO_TOKENS = (
    ("commune", "09313", "Cán bộ xã Chi Lăng (demo)"),
    ("operator", None, "Sở KH&CN (demo)"),
    ("admin", None, "Quản trị (demo)"),
)


class PortsTaken(RuntimeError):
    pass


@dataclass
class Endpoints:
    intake_url: str
    kpi_url: str
    notifier_url: str
    nats_url: str
    database_url: str
    smtp_host: str
    smtp_port: int
    notifier_channels: str  # email always; sms and webhook only when the environment configures them
    web_url: str = ""  # the people's pages (empty when the stack runs without the web service)


@dataclass
class Stack:
    run_dir: Path
    ports: dict[str, int] = field(
        default_factory=lambda: {"intake": 8000, "kpi": 8001, "notifier": 8002, "web": 8003}
    )
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    smtp: SmtpCatcher | None = None
    endpoints: Endpoints | None = None
    servers: dict[str, int] = field(default_factory=dict)  # the embedded servers' process ids
    nats: EmbeddedNats | None = None  # the embedded servers, when the environment names none
    postgres: EmbeddedPostgres | None = None
    _exit: ExitStack = field(default_factory=ExitStack)

    def start(self) -> Endpoints:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Endpoints:
        self._refuse_taken_ports()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        nats_url = os.environ.get("NATS_URL") or self._embedded_nats()
        database_url = os.environ.get("DATABASE_URL") or self._embedded_postgres()
        smtp_host, smtp_port = self._smtp()
        env = {
            "NATS_URL": nats_url,
            "DATABASE_URL": database_url,
            "SMTP_HOST": smtp_host,
            "SMTP_PORT": str(smtp_port),
            # kpi and notifier ask intake who a token belongs to
            "AUTH_URL": f"http://127.0.0.1:{self.ports['intake']}",
            "NOTIFIER_ACK_SECRET": os.environ.get("NOTIFIER_ACK_SECRET") or self._ack_secret(),
            "NOTIFIER_PUBLIC_URL": f"http://127.0.0.1:{self.ports['notifier']}",
            **self._web_env(),
            **self.extra_env,
        }
        migrate_all(env)
        _cli("notifier", ["recipients", "load-demo-if-empty"], env)
        # stops whichever processes run then: the supervisor may have replaced some
        self._exit.callback(self._stop_services)
        for name, port in self.ports.items():
            self.services[name] = ServiceProcess(
                name, port, env, self.run_dir / "logs" / f"{name}.log"
            ).start()
        for service in self.services.values():
            service.wait_ready()
        self.endpoints = Endpoints(
            intake_url=self.services["intake"].url,
            kpi_url=self.services["kpi"].url,
            notifier_url=self.services["notifier"].url,
            nats_url=nats_url,
            database_url=database_url,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            notifier_channels=",".join(notifier_channels({**os.environ, **env})),
            web_url=self.services["web"].url if "web" in self.services else "",
        )
        (self.run_dir / "endpoints.json").write_text(json.dumps(vars(self.endpoints), indent=2))
        return self.endpoints

    def demo_tokens(self) -> dict[str, str]:
        """One token per role, created once and kept in .run/tokens.json (data survive restarts)."""
        path = self.run_dir / "tokens.json"
        if path.exists():
            return dict(json.loads(path.read_text()))
        env = {
            "DATABASE_URL": self.endpoints.database_url if self.endpoints else "",
            "NATS_URL": "nats://unused:4222",
            **{k: v for k, v in self.extra_env.items() if k == "BDHVS_CLOCK_START"},  # the services' clock
        }
        tokens: dict[str, str] = {}
        for role, unit, label in DEMO_TOKENS:
            args = ["token", "create", "--role", role, "--label", label] + (["--unit", unit] if unit else [])
            tokens[role if unit is None else f"{role}:{unit}"] = _cli("intake", args, env).strip()
        path.write_text(json.dumps(tokens, indent=2))
        path.chmod(0o600)
        return tokens

    def _web_env(self) -> dict[str, str]:
        """The web service calls the three APIs; its cookie key is made once and kept in .run/."""
        if "web" not in self.ports:
            return {}
        return {
            "INTAKE_URL": f"http://127.0.0.1:{self.ports['intake']}",
            "KPI_URL": f"http://127.0.0.1:{self.ports['kpi']}",
            "NOTIFIER_URL": f"http://127.0.0.1:{self.ports['notifier']}",
            "WEB_SECRET": os.environ.get("WEB_SECRET") or self._kept_secret("web_secret"),
            "NOTIFIER_ACK_PAGE_URL": f"http://127.0.0.1:{self.ports['web']}/xac-nhan-canh-bao",
        }

    def _refuse_taken_ports(self) -> None:
        """Another stack (a second `make run` or `make demo`) on our ports would answer our readiness
        checks while our services fail to bind: we would fill and read the other one."""
        busy = [f"{name} {port} ({name.upper()}_PORT)" for name, port in self.ports.items() if taken(port)]
        if busy:
            raise PortsTaken(
                "these ports are in use, by another stack or program: "
                + ", ".join(busy)
                + "; stop it, or choose other ports with the variables named"
            )

    def _kept_secret(self, name: str) -> str:
        path = self.run_dir / name
        if not path.exists():
            path.write_text(secrets.token_hex(24))
            path.chmod(0o600)
        return path.read_text().strip()

    def _ack_secret(self) -> str:
        """The key of the alert emails' acknowledge links, made once and kept in .run/ (a restart keeps
        the links already sent working)."""
        path = self.run_dir / "notifier_ack_secret"
        if not path.exists():
            path.write_text(secrets.token_hex(24))
            path.chmod(0o600)
        return path.read_text().strip()

    def _stop_services(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()

    # Each server's stop is registered before it starts: a Ctrl-C (or a failure) while it starts must
    # not leave it running (pg_ctl detaches PostgreSQL, so the terminal's Ctrl-C does not reach it).
    def _embedded_nats(self) -> str:
        """nats-server with deploy/nats's users and the outside systems' (`nats-user add`)."""
        config = LocalNatsConfig(self.run_dir / "nats")
        nats = self.nats = EmbeddedNats(
            config.directory, config_file=config.write(), env=config.environment()
        )
        self._exit.callback(nats.stop)
        nats.start()
        if nats.pid is not None:
            self.servers["nats-server"] = nats.pid
        return nats.url

    def _embedded_postgres(self) -> str:
        postgres = self.postgres = EmbeddedPostgres(self.run_dir / "postgres")
        self._exit.callback(postgres.stop)
        postgres.start()
        if postgres.pid is not None:
            self.servers["PostgreSQL"] = postgres.pid
        return postgres.url

    def _smtp(self) -> tuple[str, int]:
        if os.environ.get("SMTP_HOST"):
            return os.environ["SMTP_HOST"], int(os.environ.get("SMTP_PORT", "25"))
        self.smtp = SmtpCatcher(self.run_dir / "mail").start()
        self._exit.callback(self.smtp.stop)
        return self.smtp.host, self.smtp.port

    def stop(self) -> None:
        self._exit.close()  # services first, then SMTP, PostgreSQL, NATS (reverse order of start)


def notifier_channels(env: dict[str, str]) -> list[str]:
    """What the notifier will deliver on: SMS and webhooks are off unless configured (no local fake)."""
    sms = bool(env.get("SMS_GATEWAY_URL") and env.get("SMS_API_KEY") and env.get("SMS_SECRET_KEY"))
    return ["email", *(["sms"] if sms else []), *(["webhook"] if env.get("WEBHOOK_SECRET") else [])]


def _cli(service: str, args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", service, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service} {' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout
