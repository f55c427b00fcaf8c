"""Handing freed memory back to the system, where glibc's allocator would keep it.

A large build's peak is what its processes hold at once, and glibc keeps freed heap for
reuse: after a stage lets go of hundreds of megabytes, `release_memory` returns them, and
`large_blocks_mapped` makes every large block a mapping of its own, returned when freed.
Elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from functools import lru_cache

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc has both
    except (OSError, AttributeError):  # not glibc
        return None
    return libc


def release_memory() -> None:
    """Collect garbage and hand the freed heap back to the system (malloc_trim)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def large_blocks_mapped(size: int = 16 << 20) -> None:
    """Allocate blocks of `size` bytes or more as mappings of their own, for good, and keep
    up to four times that free at the heap's top (`release_memory` still gives it back).

    glibc otherwise raises that threshold up to 32 MiB after such a block is freed, and
    numpy's arrays of tens of megabytes then fragment the heap, which never shrinks. (At
    1 MiB, the search index's processes spent 5 s more in page faults at 10,000 documents.)
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, size)
        # Setting one threshold stops glibc from adjusting the other: the heap was then
        # given back whenever 128 KiB at its top were free, and taken again page by page
        # (the index's processes at 10,000 documents: 750,000-820,000 page faults; with
        # 64 MiB kept, half as many and ~1.5 s less system time, 26 MB more at their peak).
        libc.mallopt(M_TRIM_THRESHOLD, 4 * size)
