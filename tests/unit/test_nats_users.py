"""Outside systems' NATS users (bdhvs_local.nats_users, nats_config): names and streams refused with
why, the permissions read-only and scoped to the user, the users written where the marker says, and
their passwords kept out of the repository's files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bdhvs_local.nats_config import DEPLOY_NATS, LocalNatsConfig
from bdhvs_local.nats_users import MARKER, UserError, check_grant, permissions, render_accounts, user_entry


@pytest.mark.parametrize(
    ("name", "streams", "why"),
    [
        ("kpi", ["KPI"], "taken"),
        ("notifier-kpi", ["KPI"], "taken"),
        ("a.b", ["KPI"], "user name"),
        ("dash*", ["KPI"], "user name"),
        ("dashboard", ["DLQ"], "not offered"),
        ("dashboard", [], "at least one"),
    ],
)
def test_a_name_or_stream_it_cannot_have_is_refused_with_why(name: str, streams: list[str], why: str) -> None:
    with pytest.raises(UserError, match=why):
        check_grant(name, streams)


def test_streams_are_named_in_any_case_once() -> None:
    assert check_grant("dashboard", ["kpi", "KPI", "alerts"]) == ["ALERTS", "KPI"]


def test_the_permissions_read_only_its_streams_with_its_own_consumer_and_inbox() -> None:
    rules = permissions("dashboard", ["KPI"])
    publish, subscribe = rules["publish"]["allow"], rules["subscribe"]["allow"]
    assert subscribe == ["_INBOX_dashboard.>", "bdhvs.kpi.>"]
    assert not [s for s in publish if s.startswith("bdhvs.")]  # never an event
    consumers = [s for s in publish if s.startswith("$JS.API.CONSUMER.")]
    assert consumers and all(".KPI.dashboard" in s for s in consumers)
    assert not [s for s in publish if "REPORTS" in s or "DLQ" in s]


def test_the_users_go_after_the_marker_of_the_real_accounts_file() -> None:
    base = (DEPLOY_NATS / "accounts.conf").read_text(encoding="utf-8")
    line = user_entry("dashboard", "pw", ["KPI"])
    rendered = render_accounts(base, {"dashboard": line})
    assert rendered.index(MARKER) < rendered.index(line) < rendered.rindex("]")
    with pytest.raises(UserError, match="has no line"):
        render_accounts(base.replace(MARKER, ""), {"dashboard": line})


def test_a_deployment_s_line_names_an_environment_variable_not_a_password() -> None:
    assert "password: $NATS_USER_DASHBOARD_PASSWORD," in user_entry(
        "dashboard", "$NATS_USER_DASHBOARD_PASSWORD", ["KPI"]
    )


def test_the_local_configuration_is_private_and_outside_the_repository(tmp_path: Path) -> None:
    config = LocalNatsConfig(tmp_path / "nats")
    password = config.add_user("dashboard", ["KPI"])
    accounts = config.config_file.parent / "accounts.conf"
    assert password in accounts.read_text(encoding="utf-8")
    for path in (accounts, tmp_path / "nats" / "outside-users.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert password not in (DEPLOY_NATS / "accounts.conf").read_text(encoding="utf-8")
    assert "no_auth_user: admin" in config.config_file.read_text(encoding="utf-8")
    assert config.remove_user("dashboard") and password not in accounts.read_text(encoding="utf-8")
    assert not config.reload()  # no server runs: nothing to signal
