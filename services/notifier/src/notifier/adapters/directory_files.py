"""The directory's files shipped with the package (adapters/data/): the demo contacts and the
default routing rules."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from notifier.domain.routing import Rule, read_rules

DEMO_FILE = Path(__file__).parent / "data" / "recipients.demo.csv"
DEFAULT_RULES = "routing.default.csv"


def default_rules() -> list[Rule]:
    """The rule set shipped with the package, seeded when the table is empty."""
    return read_rules(files("notifier.adapters").joinpath("data", DEFAULT_RULES).read_text(encoding="utf-8"))
