"""One generated MSP, run through `xla run` once per test session and published.

Two months of a small MSP (`generate(scale=0.1, months=2, seed=7)`). The BI tests read
its published warehouse; the concurrent-reader tests publish again on a copy of its
data folder, so that nothing else sees their changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from xla_lab.generate import generate


@dataclass(frozen=True)
class Workspace:
    data_dir: Path
    seeds_dir: Path

    @property
    def published(self) -> Path:
        return self.data_dir / "published" / "warehouse.duckdb"

    @property
    def build(self) -> Path:
        return self.data_dir / "build" / "warehouse.duckdb"

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(self.seeds_dir),
            **overrides,
        }

    def xla(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def records(self, sql: str, database: Path | None = None) -> list[dict[str, Any]]:
        """Rows of a query as dicts, read-only from the published (or another) file."""
        con = duckdb.connect(str(database or self.published), read_only=True)
        try:
            cursor = con.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()

    def copy(self, data_dir: Path) -> Workspace:
        """The same data folder, published release and build included, elsewhere."""
        shutil.copytree(self.data_dir, data_dir, symlinks=True)
        return Workspace(data_dir=data_dir, seeds_dir=self.seeds_dir)


_published: dict[str, Workspace] = {}


def published_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The session's generated MSP after its first `xla run`, which must publish."""
    if "msp" not in _published:
        root = tmp_path_factory.mktemp("published-msp")
        generate(root / "data" / "landing", scale=0.1, months=2, seed=7, seeds_dir=root / "seeds")
        workspace = Workspace(data_dir=root / "data", seeds_dir=root / "seeds")
        run = workspace.xla("run")
        assert run.returncode == 0, run.stdout + run.stderr
        _published["msp"] = workspace
    return _published["msp"]
