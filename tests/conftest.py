"""Shared test settings: no test ever touches the repo's ./data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# A test worker of pytest-xdist runs with a bare `__main__` (no file, no spec), which
# pyspark, once the spark extra is installed, takes for its own doctest runner: importing
# Great Expectations then ends the worker's process. Name the module so it is not mistaken.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = __file__


@pytest.fixture(autouse=True, scope="session")
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("xla-data")
    os.environ["XLA_DATA_DIR"] = str(data_dir)
    os.environ.pop("XLA_SEEDS_DIR", None)
    for name, value in {
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }.items():
        os.environ.setdefault(name, value)
    return data_dir
