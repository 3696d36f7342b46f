"""Shared test settings: no test ever touches the repo's ./data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
