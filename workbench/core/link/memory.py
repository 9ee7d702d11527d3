"""Hand freed memory back to the operating system between the big steps.

Linking and diagnosing a million returns allocate and free hundreds of megabytes of
temporary arrays. Allocators keep freed memory for reuse (Arrow's mimalloc/jemalloc pool;
glibc's heap for numpy), so the process's resident size would climb step after step.
Arrow's pools can release it: the system pool's release runs glibc's malloc_trim, which
also returns what numpy freed."""

from __future__ import annotations

import pyarrow as pa


def release_memory() -> None:
    pools = [pa.default_memory_pool()]
    try:
        pools.append(pa.system_memory_pool())
    except Exception:   # pragma: no cover - a build without the system pool
        pass
    for pool in pools:
        try:
            pool.release_unused()
        except Exception:   # pragma: no cover - nothing to release on this platform
            pass
