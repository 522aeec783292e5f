"""Helpers of the browser tests: the running stack, people to sign in as, axe-core."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.clock import FileClock
from support.processes import RunningSystem


@dataclass
class WebStack:
    system: RunningSystem
    url: str
    secret: str
    smtp: SmtpCatcher
    clock: Path | None = None  # the services' file clock (BDHVS_CLOCK_START=file:…)
    _tokens: dict[str, str] = field(default_factory=dict)

    def advance(self, delta: timedelta) -> None:
        """Move every service's clock on (only forward: the tests after see the later time)."""
        assert self.clock is not None, "this stack runs on a fixed clock"
        FileClock.write(self.clock, FileClock(self.clock).now() + delta)

    def api_token(self, role: str, unit: str | None = None) -> str:
        """An API token (systems' kind), made once per role and unit."""
        key = f"{role}:{unit or ''}"
        if key not in self._tokens:
            args = ["token", "create", "--role", role] + (["--unit", unit] if unit else [])
            self._tokens[key] = self.system.cli("intake", *args)
        return self._tokens[key]

    def account(self, role: str, unit: str | None = None, must_change: bool = False) -> tuple[str, str]:
        """A person's account (username, password), made once with `intake accounts create`; with
        `must_change` it has a one-time password that must be changed at the first sign-in."""
        key = f"account:{role}:{unit or ''}:{must_change}"
        if key not in self._tokens:
            username = f"{role}.{unit or 'tinh'}{'.moi' if must_change else ''}"
            password = "" if must_change else f"Mat-khau-{role}-2026"
            args = ["accounts", "create", "--username", username, "--role", role]
            args += ["--display-name", f"Người dùng {role} {unit or ''}".strip()]
            args += ["--unit", unit] if unit else []
            env = {**os.environ, **self.system.env, "INTAKE_ACCOUNT_PASSWORD": password}
            result = subprocess.run(
                [sys.executable, "-m", "intake", *args], env=env, capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, result.stderr
            self._tokens[key] = f"{username}\n{password or result.stdout.strip()}"
        username, password = self._tokens[key].split("\n")
        return username, password

    def submit(self, unit: str, period: str, values: dict[str, Any], form: str = "monthly") -> httpx.Response:
        token = self.api_token("commune", unit)
        return httpx.post(
            f"{self.system.url('intake')}/api/v1/reports",
            headers={"Authorization": f"Bearer {token}"},
            json={"unit_code": unit, "form": form, "period": period, "values": values},
            timeout=20,
        )

    def template(self, unit: str, period: str, form: str = "monthly") -> openpyxl.Workbook:
        reply = httpx.get(
            f"{self.system.url('intake')}/api/v1/templates/{form}",
            params={"period": period, "unit": unit},
            headers={"Authorization": f"Bearer {self.api_token('commune', unit)}"},
            timeout=20,
        )
        reply.raise_for_status()
        return openpyxl.load_workbook(io.BytesIO(reply.content))


def columns(sheet: Any) -> tuple[int, dict[str, int]]:
    """The template's key row and each column key's column number."""
    key_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "unit_code")
    return key_row, {sheet.cell(key_row, c).value: c for c in range(1, sheet.max_column + 1)}


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now (axe ships inside the package: works offline)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


def sign_in(page: Any, stack: WebStack, username: str, password: str, next_path: str = "") -> None:
    """Sign in through the page, as a person does."""
    page.goto(f"{stack.url}/dang-nhap" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def with_session(context: Any, stack: WebStack, role: str, unit: str | None = None, name: str = "") -> None:
    """Put a signed session cookie in the browser, as the sign-in page does, for an API token."""
    from bdhvs_shared.auth.caller import Role
    from web.domain.session import Session, Viewer, seal

    viewer = Viewer(f"{role}-{unit or 'tinh'}", name or f"Người dùng {role}", Role(role), unit)
    value = seal(stack.secret.encode(), Session(stack.api_token(role, unit), viewer))
    context.add_cookies([{"name": "bdhvs_session", "value": value, "url": stack.url}])
