"""Durable, atomic file writes: readers see either nothing or the whole file."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes under a temporary name, fsync them, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table as a Parquet file, durably and atomically."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_atomic(path, sink.getvalue().to_pybytes())
