"""`intake accounts …`: the first admin, accounts for a demo, and the communes' CSV template.

Passwords: read from an environment variable (`--password-env`), typed (`--prompt`), or else a
one-time initial password is made and printed once on stdout (the person must change it at the
first sign-in). No password is ever an argument (it would show in `ps` and shell histories).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bdhvs_shared.auth.caller import Role
from intake.settings import IntakeSettings

T = TypeVar("T")

accounts_app = typer.Typer(
    help="People's accounts (sign-in): the first admin, the communes' CSV.", no_args_is_help=True
)


def _settings() -> IntakeSettings:
    return IntakeSettings()  # type: ignore[call-arg]  # read from the environment


async def _with_admin(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Run `work(admin, catalogue)` with the account use cases on the configured database."""
    from bdhvs_shared.catalogue import catalogue_from_texts
    from bdhvs_shared.clock import clock_from_iso
    from bdhvs_shared.db.engine import make_engine, make_sessionmaker
    from intake.bootstrap import account_use_cases
    from intake.service_layer.catalogue_admin import current_files

    settings = _settings()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            catalogue = catalogue_from_texts(await current_files(session))
        _, admin, hasher = account_use_cases(
            settings, sessions, lambda: catalogue, clock_from_iso(settings.clock_start)
        )
        try:
            return await work(admin, catalogue)
        finally:
            hasher.close()
    finally:
        await engine.dispose()


def _chosen_password(password_env: str, prompt: bool) -> str | None:
    if prompt:
        return str(typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True))
    return os.environ.get(password_env) or None


def _create(values: Mapping[str, object], chosen: str | None, if_missing: bool) -> None:
    from intake.domain.account_problems import AccountRefused
    from intake.service_layer.account_admin import Actor

    actor = Actor("cli")

    async def work(admin: Any, _: Any) -> str | None:
        username = str(values["username"]).strip().lower()
        if if_missing and any(a.username == username for a in await admin.listed()):
            return None
        _, initial = await admin.create(actor, values)
        if chosen is None:
            return str(initial)
        await admin.set_chosen_password(actor, username, chosen)
        return ""

    try:
        made = asyncio.run(_with_admin(work))
    except AccountRefused as exc:
        for p in exc.problems:
            print(f"{p.code}: {p.message}", file=sys.stderr)
        raise typer.Exit(1) from None
    if made is None:
        print(f"account {values['username']} exists: left as it is", file=sys.stderr)
    elif made:
        print(made)  # the one-time initial password, shown once
        print(f"created {values['username']}: change this password at the first sign-in", file=sys.stderr)
    else:
        print(f"created {values['username']} with the chosen password", file=sys.stderr)


PasswordEnv = Annotated[
    str, typer.Option(help="Environment variable holding the password; unset: a one-time password is printed")
]
Prompt = Annotated[bool, typer.Option(help="Type the password (hidden) instead")]
IfMissing = Annotated[bool, typer.Option(help="Do nothing (exit 0) when the username exists")]


@accounts_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="3–40 of a–z, 0–9, '.', '_', '-'")],
    display_name: Annotated[str, typer.Option(help="The person's name")] = "Quản trị viên",
    password_env: PasswordEnv = "INTAKE_ADMIN_PASSWORD",
    prompt: Prompt = False,
    if_missing: IfMissing = False,
) -> None:
    """Create an admin account (the first one, which then creates the others over the API)."""
    values = {"username": username, "display_name": display_name, "role": Role.ADMIN.value}
    _create(values, _chosen_password(password_env, prompt), if_missing)


@accounts_app.command("create")
def create(
    username: Annotated[str, typer.Option(help="3–40 of a–z, 0–9, '.', '_', '-'")],
    role: Annotated[Role, typer.Option(help="commune, agency, operator or admin")],
    display_name: Annotated[str, typer.Option(help="The person's name")],
    unit: Annotated[str | None, typer.Option(help="Unit code, required for role commune")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code, required for role agency")] = None,
    password_env: PasswordEnv = "INTAKE_ACCOUNT_PASSWORD",
    prompt: Prompt = False,
    if_missing: IfMissing = False,
) -> None:
    """Create one account of any role (an admin creates many with POST /api/v1/accounts/import)."""
    values = {
        "username": username,
        "display_name": display_name,
        "role": role.value,
        "unit_code": unit,
        "agency_code": agency,
    }
    _create(values, _chosen_password(password_env, prompt), if_missing)


@accounts_app.command("template")
def template(
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None,
) -> None:
    """The CSV of one clerk account per active commune and ward of the catalogue in force, to review
    (add email and phone) and import with POST /api/v1/accounts/import."""
    from zoneinfo import ZoneInfo

    from bdhvs_shared.clock import clock_from_iso
    from intake.adapters.account_csv import write_template

    settings = _settings()
    today = clock_from_iso(settings.clock_start).now().astimezone(ZoneInfo(settings.timezone)).date()

    async def work(_: Any, catalogue: Any) -> bytes:
        units = sorted((u for u in catalogue.units.values() if u.active_on(today)), key=lambda u: u.code)
        return write_template(units)

    data = asyncio.run(_with_admin(work))
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
