"""The rows a run accepted into the lake, as its Great Expectations suites read them.

The suites read the lake files the run wrote, one extract at a time, rather than rows
held in memory since each file was validated: a run's memory holds one extract's
accepted rows, not the whole run's (a year of an MSP's history is tens of millions of
values), and the suites judge exactly what entered the lake.
"""

from __future__ import annotations

import ctypes
import gc
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest.expectations import suite_columns
from orchestration.ingest.validate import canonical_view
from orchestration.reference.view import Vocabulary


@dataclass(frozen=True)
class _LakeFile:
    path: Path
    rows: int
    # The value map the file was validated with: the suites read its statuses,
    # priorities and channels as the warehouse will, in the contract's words.
    vocabulary: Vocabulary


@dataclass
class AcceptedRows:
    """The lake files a run wrote, by extract."""

    files: dict[str, list[_LakeFile]] = field(
        default_factory=lambda: {name: [] for name in LANDING_EXTRACTS}
    )

    def add(self, extract: str, lake_file: Path, rows: int, vocabulary: Vocabulary) -> None:
        self.files[extract].append(_LakeFile(lake_file, rows, vocabulary))

    def rows(self, extract: str) -> int:
        return sum(f.rows for f in self.files[extract])

    def frame(self, extract: str) -> pd.DataFrame | None:
        """One extract's accepted rows, the columns its suite reads, in the order they were
        ingested; None if there are none."""
        contract = LANDING_EXTRACTS[extract]
        columns = suite_columns(contract)
        frames = [
            canonical_view(
                contract, pq.read_table(f.path, columns=columns).to_pandas(), f.vocabulary
            )
            for f in self.files[extract]
        ]
        return pd.concat(frames, ignore_index=True) if frames else None

    def extend(self, other: AcceptedRows) -> None:
        """Take in another ingest's files of the same run."""
        for name, files in other.files.items():
            self.files[name] += files


def release_memory() -> None:
    """Give the memory of freed frames back to the operating system: the allocators keep
    it otherwise, and the run's process would hold its largest extract's rows while dbt
    runs beside it. Where the C library has no `malloc_trim`, only Arrow's pool is asked."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    # The process's own symbols: the C library it runs on, found without a search.
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)
