"""Giving back to the system the memory a one-off load used and freed, and keeping a server's memory
from growing with the number of visitors served at once.

glibc's allocator keeps the memory a program frees for its next allocations; after a load that
allocated much more than what it keeps (reading the territories of all France parses 4.7 million
vertices through WKB buffers, reprojection and validity checks), the server would hold that peak
for its whole life. Arrow, which pandas uses for its text columns, allocates through its own pool
(mimalloc or jemalloc), which keeps freed memory as well: checking 35 000 commune codes for
duplicates leaves about 10 MB there. :func:`release_free_memory` asks both to return their free
pages.

A server must also not grow with the visitors it served. Python keeps its small objects (up to 512
bytes: most strings, tuples, small dicts) in blocks of 1 MB, each given back to the system only once
every object in it is gone: what runs in progress make at once takes blocks, and any object of
theirs that lives on (a value kept under a key a run made, an entry of pandas' bookkeeping of a
shared table, a session kept for its reconnection) holds its block for the server's life. So nothing
a run makes is kept where it can be helped (:class:`geodash.selection.Kept` keeps the key it stored),
and a page's largest parts, its map and its project table, are JSON text written once per view and sent
as they are (:class:`geodash.webmap.WebMap`, :class:`geodash.dashboard.Grid`). Streamlit runs each visitor's script in a thread of its own,
and glibc gives every thread that allocates while others live an arena of its own (up to 8 per
processor core), each keeping some of what its threads freed: :func:`limit_malloc_arenas` caps their
number for the server.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

__all__ = ["MALLOC_ARENAS", "limit_malloc_arenas", "release_free_memory"]

#: Arenas glibc's allocator may use for all the server's threads (glibc's own limit: 8 per core).
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter, from glibc's <malloc.h>


@functools.cache
def _libc():
    """glibc, or ``None`` where the C library is another (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return the allocators' free memory to the system (glibc's, and Arrow's pool once pyarrow is
    imported); ``False`` where glibc's cannot be asked."""
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let glibc's allocator use at most ``arenas`` arenas from now on (``mallopt(M_ARENA_MAX)``, as the
    ``MALLOC_ARENA_MAX`` environment variable does, which glibc reads only as the process starts);
    ``False`` where glibc cannot be asked.

    A server's visitors' runs each allocate in their own thread: ten at once leave ten arenas, each
    holding some of what its threads freed (a few MB in all, kept for the server's life). The
    interpreter's lock lets one thread run Python at a time, so they gain little from arenas of their
    own. Call it early, before the process has threads: glibc settles its limit once it has 8 arenas,
    and the arenas made before stay.
    """
    libc = _libc()
    return libc is not None and libc.mallopt(_M_ARENA_MAX, int(arenas)) == 1
