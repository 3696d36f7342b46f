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


# The tests' extract dates run from 2016 on, in data folders made as they go: the
# partitions are fixed at import, so their first date is set, not taken from a data
# folder (test_orchestration.py tests that default on folders of its own).
os.environ.setdefault("XLA_PARTITIONS_START", "2016-01-01")


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


# The files that take longest, started first: with `--dist loadfile` each file runs whole
# on one worker, and a long file picked up last keeps the suite waiting on one worker
# while the others have nothing left to do. The rest keep their collection order. Each
# worker is handed two files at the start, so two short ones follow the two longest,
# rather than a third long file queued behind the longest of all.
LONGEST_FIRST = (
    "tests/reliability/test_crashes.py",
    "tests/reliability/test_one_delivery.py",
    "tests/test_contract_doc.py",
    "tests/test_generate.py",
    "tests/test_pipeline.py",
    "tests/test_field_ready.py",
    "tests/reliability/test_determinism.py",
    "tests/test_concurrent_reader.py",
    "tests/test_servicenow.py",
    "tests/reliability/test_bad_reference.py",
    "tests/test_demo.py",
    "tests/reliability/test_hostile_text.py",
    "tests/test_kpi_demo.py",
    "tests/test_timeslip_rule_scores.py",
    "tests/test_incremental.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
