"""glibc's malloc thresholds fixed, so that the heap a burst of requests grew is given back.

By default glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB) and
its trim threshold to twice that; blocks that size are then taken from the heap, and a free top
smaller than the raised threshold is never given back. After intake's first burst of concurrent
requests its heap stayed at its high-water mark: in the soak, RSS 111 MB before the first report,
144 MB at the end of the first minute and flat after, with 24 of the heap's 54 MB free but kept;
`malloc_trim(0)` gave back 22 MB (docs/chaos.md, "The soak's RSS"). Fixed thresholds (what the
MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ variables do) turn the raising off: a block of
128 KiB or more is mapped and unmapped on its own, a free top over 128 KiB is trimmed.

Left alone when either variable is set (the operator chose), and where the C library has no
`mallopt` (not glibc: nothing to do).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024  # glibc's default for both, kept fixed
VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")


def fix_malloc_thresholds(environ: Mapping[str, str] = os.environ, threshold: int = THRESHOLD) -> bool:
    """Fix both thresholds for this process; True when they were fixed here."""
    if any(name in environ for name in VARIABLES):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_TRIM_THRESHOLD, threshold) == 1 and mallopt(M_MMAP_THRESHOLD, threshold) == 1
