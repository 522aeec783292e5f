"""`intake token create --expires-in`: how long a token lives, as people write it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.domain.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        (" 30D ", timedelta(days=30)),
        ("3660d", timedelta(days=3660)),
    ],
)
def test_hours_days_and_weeks_are_read(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a duration"),
        ("90", "not a duration"),  # a unit is required
        ("d", "not a duration"),
        ("3m", "not a duration"),  # months or minutes? refused: write days or hours
        ("1y", "not a duration"),
        ("1.5d", "not a duration"),
        ("-5d", "not a duration"),
        ("1d12h", "not a duration"),
        ("0d", "positive"),
        ("3661d", "ten years"),
        ("999999w", "ten years"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration(text)


def test_the_command_refuses_a_wrong_duration_before_touching_the_database() -> None:
    from typer.testing import CliRunner

    from intake.entrypoints.cli import app

    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "NATS_URL": "nats://127.0.0.1:9"}
    result = CliRunner().invoke(app, ["token", "create", "--role", "operator", "--expires-in", "3m"], env=env)
    assert result.exit_code == 2 and "not a duration" in result.output
