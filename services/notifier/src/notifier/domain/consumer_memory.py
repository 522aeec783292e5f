"""What the notifier's consumers remember between messages (pure), so that a message that changes
nothing for the notifier costs no transaction.

Both memories are negative filters: they only ever answer "this message changes nothing"; what they
do not know goes to the database, so they are correct when empty (after a restart) and are filled
only from what a committed transaction decided. A skipped message records no processed id: applied
again (a redelivery) it changes nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from notifier.domain.alerts import BAD_STATUSES

K = TypeVar("K")
V = TypeVar("V")

LIMIT = 200_000  # entries; the oldest are dropped beyond it (a miss only costs a transaction)


def changes_nothing(known: tuple[str, int] | None, sequence: int, status: str) -> bool:
    """A KPI update changes nothing when it is the very next one after the known (status, sequence) of
    its unit and indicator, with the same status, and that status is not a bad one (so no violation is
    open: an open one takes every update's figures).

    The very next one: sequences grow by one per unit and indicator, so no update lies between the
    known one and this one, and none that arrives late can be outdated by this one; the stored
    sequence may stay behind it (a late copy of a skipped update finds the same status).
    """
    return (
        known is not None and sequence == known[1] + 1 and status == known[0] and status not in BAD_STATUSES
    )


@dataclass
class StatusMemory:
    """The last status and sequence of each unit and indicator, as committed or skipped."""

    limit: int = LIMIT
    _known: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def skips(self, unit_code: str, indicator: str, sequence: int, status: str) -> bool:
        """True when the update changes nothing (`changes_nothing`); it then becomes the known one."""
        key = (unit_code, indicator)
        if not changes_nothing(self._known.get(key), sequence, status):
            return False
        self._known[key] = (status, sequence)
        return True

    def learn(self, unit_code: str, indicator: str, status: str, sequence: int) -> None:
        """A committed transaction stored this status and sequence (newer than any before)."""
        key = (unit_code, indicator)
        known = self._known.get(key)
        if known is None or sequence > known[1]:
            _put(self._known, key, (status, sequence), self.limit)


@dataclass
class ArrivalMemory:
    """(form, period, unit) whose report's arrival is recorded and whose ledger items are cancelled, with
    the id of the report event that did it: another revision of that report changes nothing in the
    ledger (its rows never become pending again), and that event again is a redelivery."""

    limit: int = LIMIT
    _taken: dict[tuple[str, str, str], UUID] = field(default_factory=dict)

    def taken_by(self, form: str, period: str, unit_code: str) -> UUID | None:
        return self._taken.get((form, period, unit_code))

    def learn(self, form: str, period: str, unit_code: str, event_id: UUID) -> None:
        """A committed transaction took the report (this event, or an earlier one for a redelivery)."""
        if (form, period, unit_code) not in self._taken:
            _put(self._taken, (form, period, unit_code), event_id, self.limit)


def _put(entries: dict[K, V], key: K, value: V, limit: int) -> None:
    entries.pop(key, None)
    entries[key] = value  # the newest last: the dict's order is the age
    while len(entries) > limit:
        del entries[next(iter(entries))]
