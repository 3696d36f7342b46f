"""The dbt model graph flows one way: staging reads sources and seeds, intermediate
models read staging and intermediate models, marts read anything beneath them and other
marts; and one calendar spine makes the days every model needs.

Read from the project's parsed manifest, so a new model is held to it the day it is
added.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestration.warehouse.project import dbt_project

# A model's layer is the folder under models/; a layer may read only layers at or below it.
LAYERS = {"staging": 0, "intermediate": 1, "marts": 2}
SPINE = "int_date_spine"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(Path(dbt_project().manifest_path).read_text())


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }


def layer_violations(manifest: dict[str, Any]) -> list[str]:
    """Every edge from a model to a model of a higher layer, as `child reads parent`."""
    models = _models(manifest)
    found = []
    for node in models.values():
        layer = node["fqn"][1]
        for parent in node["depends_on"]["nodes"]:
            read = models.get(parent)
            if read and LAYERS[read["fqn"][1]] > LAYERS[layer]:
                found.append(f"{layer} {node['name']} reads {read['fqn'][1]} {read['name']}")
            if layer == "staging" and parent in models and models[parent]["fqn"][1] != "staging":
                found.append(f"staging {node['name']} reads {models[parent]['name']}")
    return sorted(found)


def test_every_model_is_in_a_layer(manifest: dict[str, Any]) -> None:
    for node in _models(manifest).values():
        assert node["fqn"][1] in LAYERS, f"{node['original_file_path']} is in no layer"


def test_no_model_reads_a_layer_above_its_own(manifest: dict[str, Any]) -> None:
    assert layer_violations(manifest) == []


def test_the_check_finds_an_intermediate_model_reading_a_mart(manifest: dict[str, Any]) -> None:
    edited = json.loads(json.dumps(manifest))
    models = _models(edited)
    spine = next(key for key, node in models.items() if node["name"] == SPINE)
    mart = next(key for key, node in models.items() if node["name"] == "fct_tickets")
    models[spine]["depends_on"]["nodes"].append(mart)
    assert layer_violations(edited) == [f"intermediate {SPINE} reads marts fct_tickets"]


def test_one_calendar_spine_makes_the_days(manifest: dict[str, Any]) -> None:
    """Only the spine turns a range of dates into rows; every model that needs days
    reads them from it, directly or through the business calendars."""
    models = _models(manifest)
    spinning = sorted(
        node["name"]
        for node in models.values()
        if "dateadd('day', 'day_offsets.n'" in node["raw_code"].replace('"', "'")
        or "day_offsets" in node["raw_code"]
    )
    assert spinning == [SPINE]
    readers = sorted(
        node["name"]
        for node in models.values()
        if any(
            models.get(parent, {}).get("name") == SPINE for parent in node["depends_on"]["nodes"]
        )
    )
    assert readers == ["dim_dates", "int_calendar_days"]
