"""The rows a run accepted into the lake, as its Great Expectations suites read them.

They are kept on disk, one Parquet file per landing file, until the suites run, and read
back one extract at a time: a run's memory holds one extract's accepted rows, not the
whole run's (a year of an MSP's history is tens of millions of values).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.contract import LANDING_EXTRACTS

FOLDER = "accepted"


class AcceptedRows:
    """Accepted rows by extract, spilled under `parent` (created on the first rows)."""

    def __init__(self, parent: Path | None = None) -> None:
        self._parent = parent
        self._folder: Path | None = None
        self._files: dict[str, list[tuple[Path, int]]] = {name: [] for name in LANDING_EXTRACTS}
        # Other ingests of the same run whose files these rows include.
        self._others: list[AcceptedRows] = []

    def add(self, extract: str, frame: pd.DataFrame) -> None:
        if self._folder is None:
            if self._parent is None:
                raise ValueError("accepted rows need a folder to be kept in")
            self._parent.mkdir(parents=True, exist_ok=True)
            self._folder = Path(tempfile.mkdtemp(prefix="run-", dir=self._parent))
        path = self._folder / f"{extract}_{len(self._files[extract]):06d}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        self._files[extract].append((path, len(frame)))

    def rows(self, extract: str) -> int:
        return sum(rows for _, rows in self._files[extract])

    def frame(self, extract: str) -> pd.DataFrame | None:
        """One extract's accepted rows in the order they were ingested; None if none."""
        files = self._files[extract]
        if not files:
            return None
        return pd.concat([pd.read_parquet(path) for path, _ in files], ignore_index=True)

    def extend(self, other: AcceptedRows) -> None:
        """Take in another ingest's rows of the same run (kept where that one keeps them)."""
        for name, files in other._files.items():
            self._files[name] += files
        self._others.append(other)

    def discard(self) -> None:
        """Delete the files, once the suites have read them."""
        for other in self._others:
            other.discard()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._files = {name: [] for name in LANDING_EXTRACTS}
