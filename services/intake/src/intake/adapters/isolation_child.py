"""The child process of `intake.adapters.isolation`: caps itself, reads one file from stdin, answers JSON.

Kept apart so that the child imports only the readers (not asyncio or the logging stack): its
start-up is most of the time an import takes.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

from intake.adapters.spreadsheets import ReadLimits, UnreadableFile, read_csv, read_xlsx

OUT_OF_MEMORY = 3  # the exit status when the child ran out of memory (or its answer is too large)
MAX_ANSWER = 16 * 1024 * 1024  # a 500-row sheet's JSON is well under 1 MB


def _limit_self(memory_mb: int, seconds: float) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime + seconds) + 1  # on top of the start-up's own CPU time
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main(arguments: list[str]) -> int:
    kind, memory_mb, seconds, max_rows, max_columns = arguments
    _limit_self(int(memory_mb), float(seconds))
    limits = ReadLimits(int(max_rows), int(max_columns))
    try:
        data = sys.stdin.buffer.read()
        try:
            table = read_xlsx(data, limits) if kind == "xlsx" else read_csv(data, limits)
            answer: dict[str, Any] = {
                "table": {
                    "sheet": table.sheet,
                    "form": table.form,
                    "period": table.period,
                    "keys": table.keys,
                    "rows": table.rows,
                }
            }
        except UnreadableFile as exc:
            answer = {"refused": {"code": exc.code, "params": exc.params}}
        text = json.dumps(answer, ensure_ascii=False, default=str).encode()
        del answer
    except MemoryError:
        return OUT_OF_MEMORY
    if len(text) > MAX_ANSWER:
        return OUT_OF_MEMORY
    sys.stdout.buffer.write(text)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
