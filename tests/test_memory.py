"""geodash.memory: memory freed after a large load goes back to the system."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
from geodash.memory import release_free_memory

def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024

blocks = [bytes(3000) + bytes([i % 256]) for i in range(100_000)]  # 300 MB in the allocator's heap
last = bytes(3000) + b"kept"  # allocated after them: the heap's top stays in use
loaded = rss()
del blocks
freed = rss()
released = release_free_memory()
print(loaded, freed, rss(), released)
"""


def test_memory_freed_by_a_load_goes_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    loaded, freed, after, released = out.split()
    if released != "True":
        pytest.skip("this C library cannot be asked to return free memory (not glibc)")
    loaded, freed, after = int(loaded), int(freed), int(after)
    assert freed > loaded - 100  # freeing alone keeps it (the allocator holds it for later use)
    assert after < freed - 200  # released: more than 200 of the 300 MB back to the system


ARROW_SCRIPT = """
import pyarrow as pa
from geodash.memory import release_free_memory

def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024

buffers = [pa.allocate_buffer(256 * 1024) for _ in range(800)]  # 200 MB in Arrow's pool
for b in buffers:  # written, so that its pages are resident
    memoryview(b).cast("B")[::4096] = bytes(len(range(0, b.size, 4096)))
loaded = rss()
del buffers, b
freed = rss()
release_free_memory()
print(pa.default_memory_pool().backend_name, loaded, freed, rss())
"""


def test_memory_freed_in_arrows_pool_goes_back_to_the_system():
    """pandas' text columns are Arrow arrays: their pool (mimalloc or jemalloc) keeps freed memory too."""
    out = subprocess.run([sys.executable, "-c", ARROW_SCRIPT], capture_output=True, text=True, check=True).stdout
    backend, loaded, freed, after = out.split()
    if backend == "system":
        pytest.skip("Arrow allocates with the C library here")
    loaded, freed, after = int(loaded), int(freed), int(after)
    assert freed > loaded - 100, out  # the pool keeps what was freed
    assert after < freed - 150, out  # released


ARENAS_SCRIPT = """
import ctypes, ctypes.util, sys, threading
from geodash.memory import limit_malloc_arenas

limited = limit_malloc_arenas(2) if sys.argv[1] == "limited" else None
together = threading.Barrier(7)

def visitor():  # a visitor's run: its own thread, allocating while the others live
    kept = [bytearray(100_000) for _ in range(5)]  # above Python's small objects: glibc's, in this thread's arena
    together.wait()
    together.wait()

threads = [threading.Thread(target=visitor) for _ in range(6)]
for t in threads:
    t.start()
together.wait()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
report = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(report))  # glibc's report: one <heap> element per arena
libc.fclose(ctypes.c_void_p(report))
together.wait()
for t in threads:
    t.join()
print(limited, open(sys.argv[2]).read().count("<heap nr="))
"""


def test_the_threads_of_visitors_share_few_allocation_arenas(tmp_path):
    """Six threads allocating at once: glibc gives each an arena of its own, unless they are capped."""
    out = {}
    for case in ("default", "limited"):
        run = [sys.executable, "-c", ARENAS_SCRIPT, case, str(tmp_path / f"{case}.xml")]
        out[case] = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    if out["limited"][0] != "True":
        pytest.skip("this C library cannot be asked to limit its arenas (not glibc)")
    assert int(out["default"][1]) > 2, out  # the main thread's arena and one per thread
    assert int(out["limited"][1]) <= 2, out
