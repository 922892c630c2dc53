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
