"""What the fuzz tests sent and got, for the line `make fuzz` ends with:
`fuzz: N cases, E 5xx, U undeclared statuses` (printed by tests/e2e/conftest.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

# `make fuzz` (the long form) raises the examples per operation; CI runs the short form.
EXAMPLES = int(os.environ.get("BDHVS_FUZZ_EXAMPLES", "0"))


def examples(short: int) -> int:
    return EXAMPLES or short


@dataclass
class FuzzTally:
    cases: int = 0
    server_errors: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)

    def record(self, what: str, status: int, declared: set[str]) -> bool:
        """Count one answer; False when its status is a 5xx or one the document does not declare."""
        self.cases += 1
        if status >= 500:
            self.server_errors.append(f"{status} {what}")
        if (
            str(status) not in declared
            and f"{str(status)[0]}XX" not in declared
            and "default" not in declared
        ):
            self.undeclared.append(f"{status} {what}")
            return False
        return status < 500

    def line(self) -> str:
        errors, undeclared = len(self.server_errors), len(self.undeclared)
        return f"fuzz: {self.cases} cases, {errors} 5xx, {undeclared} undeclared statuses"


TALLY = FuzzTally()


def declared_statuses(document: dict[str, Any], method: str, path: str) -> set[str]:
    return set(document["paths"][path][method.lower()]["responses"])
