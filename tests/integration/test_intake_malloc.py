"""Intake fixes glibc's malloc thresholds (adapters/malloc.py): a heap grown by a burst is given back.

In a fresh interpreter (the thresholds are the process's), a large block is freed (glibc raises its
thresholds to its size), then forty 256 KiB blocks are taken and freed, as a burst of requests does.
With glibc's raising thresholds, their 10 MiB stay in the heap, free but kept; fixed, they are
mapped and unmapped on their own and nothing is kept."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from intake.adapters.malloc import fix_malloc_thresholds

BURST = """
import ctypes, sys
from intake.adapters.malloc import fix_malloc_thresholds
if sys.argv[1] == "fixed":
    assert fix_malloc_thresholds({})
libc = ctypes.CDLL(None)
class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
blocks = [libc.malloc(256 << 10) for _ in range(40)]
for block in blocks:
    libc.free(block)
print(libc.mallinfo2().fordblks)
"""

glibc = pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc 2.33+ only (mallinfo2)")


def free_kept_after_a_burst(mode: str) -> int:
    """Bytes the heap keeps free after the burst, in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", BURST, mode], capture_output=True, text=True, check=True)
    return int(done.stdout)


@glibc
def test_with_glibcs_raising_thresholds_a_burst_stays_in_the_heap() -> None:
    """The control: what the fix is for happens without it."""
    assert free_kept_after_a_burst("default") >= 8 << 20


@glibc
def test_with_fixed_thresholds_the_burst_is_given_back() -> None:
    assert free_kept_after_a_burst("fixed") < 1 << 20


def test_the_operators_own_malloc_variables_are_left_alone() -> None:
    assert not fix_malloc_thresholds({"MALLOC_TRIM_THRESHOLD_": "1048576"})
    assert not fix_malloc_thresholds({"MALLOC_MMAP_THRESHOLD_": "1048576"})
