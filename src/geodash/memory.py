"""Giving back to the system the memory a one-off load used and freed.

glibc's allocator keeps the memory a program frees for its next allocations; after a load that
allocated much more than what it keeps (reading the territories of all France parses 4.7 million
vertices through WKB buffers, reprojection and validity checks), the server would hold that peak
for its whole life. Arrow, which pandas uses for its text columns, allocates through its own pool
(mimalloc or jemalloc), which keeps freed memory as well: checking 35 000 commune codes for
duplicates leaves about 10 MB there. :func:`release_free_memory` asks both to return their free
pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

__all__ = ["release_free_memory"]


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or ``None`` where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Return the allocators' free memory to the system (glibc's, and Arrow's pool once pyarrow is
    imported); ``False`` where glibc's cannot be asked."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
