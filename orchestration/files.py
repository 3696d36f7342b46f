"""Durable, atomic file writes: readers see either nothing or the whole file."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration import faults


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes under a temporary name, fsync them, then rename over `path`.

    A write that fails (a full disk) leaves no temporary file behind, and its error names
    the file it was writing.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if faults.disk_is_full():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        # The error itself, saying where: the innermost cause is what a run's line shows.
        raise naming(error, path) from None


def naming(error: OSError, path: Path) -> OSError:
    """The same error, saying which file it concerns (a full disk's error names none)."""
    if error.filename:
        return error
    return type(error)(error.errno, f"{error.strerror or error} (writing {path})")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table as a Parquet file, durably and atomically."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_atomic(path, sink.getvalue().to_pybytes())


def replace_dir(target: Path, build: Callable[[Path], None]) -> None:
    """Build a folder beside `target`, then swap it in by renames; readers never see half.

    A folder cannot be renamed over a non-empty one, so the old folder is first renamed
    aside, the new one into place, and the old one removed: between the two renames
    (microseconds) `target` is absent, but never partly written. Leftovers of a process
    that died mid-way are removed on the next call.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in target.parent.glob(f".{target.name}.*.old"):
        shutil.rmtree(stale, ignore_errors=True)
    fresh = target.parent / f".{target.name}.{os.getpid()}.tmp"
    fresh.mkdir()
    try:
        build(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.{os.getpid()}.old"
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """`source` at `target` as it is: a hard link where the file system allows (the
    same bytes, no copy), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
