"""What the intake use cases refuse. `Forbidden` and `KeyReused` have one HTTP handler each
(`entrypoints/http/errors.py`); a route answers `NeedsConfirmation` with the warnings to confirm."""

from __future__ import annotations

from intake.domain.problems import Problem


class Forbidden(Exception):
    """The caller may not submit for this unit."""


class KeyReused(Exception):
    """The idempotency key was used before for a different request."""


class NeedsConfirmation(Exception):
    """The figures break the units' history (warnings); nothing was stored until the clerk confirms.

    `by_item`: the warnings to confirm for each submitted report, in order (empty for one that needs none).
    """

    def __init__(self, by_item: list[list[Problem]]) -> None:
        self.by_item = by_item
        super().__init__(", ".join(w.code for w in self.warnings))

    @property
    def warnings(self) -> list[Problem]:
        return [w for item in self.by_item for w in item]
