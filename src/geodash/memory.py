"""Giving back to the system the memory a one-off load used and freed.

glibc's allocator keeps the memory a program frees for its next allocations; after a load that
allocated much more than what it keeps (reading the territories of all France parses 4.7 million
vertices through WKB buffers, reprojection and validity checks), the server would hold that peak
for its whole life. :func:`release_free_memory` asks the allocator to return its free pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

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
    """Return the allocator's free memory to the system; ``False`` where that cannot be asked."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
