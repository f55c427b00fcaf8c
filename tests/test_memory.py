"""sitegen.memory: glibc's allocator settings for the search index's processes."""

import subprocess
import sys

import pytest

from sitegen.memory import _libc

# Run in a fresh process: the settings last for the process that makes them.
PROBE = """
import ctypes
from sitegen.memory import large_blocks_mapped

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
large_blocks_mapped()
block = libc.malloc(8 << 20)  # below the mapping threshold: from the heap's top
libc.free(block)
print(libc.mallinfo2().keepcost)  # free bytes left at the heap's top
"""


def _kept() -> int:
    found = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    return int(found.stdout.strip())


def test_large_blocks_mapped_keeps_the_heaps_top_instead_of_giving_it_back_at_once() -> None:
    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        pytest.skip("glibc 2.33 or later only (mallinfo2): elsewhere the setting does nothing")
    # glibc gives the top back once 128 KiB of it are free when the mapping threshold is
    # set and the trim threshold is not: 8 MiB freed would go straight back to the system.
    assert _kept() >= 8 << 20
