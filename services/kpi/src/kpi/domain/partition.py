"""Which part of the REPORTS stream a rebuild worker replays (pure).

`kpi rebuild --workers N` replays the stream in N processes, each the reports of the units whose
code hashes to it (the subjects `bdhvs.report.accepted.<unit>`). Every fold of a replay is per unit
(observations per unit, indicator, form and period; receipts per unit, form and period), so the
parts' results are disjoint and their union is the whole replay's, whatever N is.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Partition:
    index: int = 0
    count: int = 1

    def holds(self, unit_code: str) -> bool:
        # crc32, not hash(): the same in every process (str hashes are salted per process).
        return self.count == 1 or zlib.crc32(unit_code.encode()) % self.count == self.index


WHOLE = Partition()


def partitions(count: int) -> list[Partition]:
    return [Partition(i, count) for i in range(count)]
