"""One list per concept: what is declared once is not copied out of step elsewhere.

The timeslip rules are the models that declare a `timeslip_rule` in their YAML
(`orchestration/warehouse/timeslip_rules.py`): the shipped `seeds/timeslip_rules.csv` has
a row for each of them and for nothing else, fills exactly the thresholds each reads, and
the flags mart and the gate take every one of them.

The contract's enums are `orchestration/contract.py`'s (the reference files' are
`orchestration/reference/spec.py`'s): every `accepted_values` test of the dbt models on a
column that carries one lists exactly its values, and docs/contract.md names each.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration.config import DBT_PROJECT_DIR, DEFAULT_SEEDS_DIR, REPO_ROOT, ConfigError
from orchestration.contract import EXTRACTS, LANDING_EXTRACTS
from orchestration.reference.spec import REFERENCE
from orchestration.warehouse.project import parsed_manifest
from orchestration.warehouse.timeslip_rules import (
    RULE_MODEL_PREFIX,
    THRESHOLD_COLUMNS,
    TimeslipRule,
    declared_rules,
)

RULES_SEED = DEFAULT_SEEDS_DIR / "timeslip_rules.csv"
FLAGS_MART = "fct_timeslip_flags"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return parsed_manifest()


@pytest.fixture(scope="module")
def rules(manifest: dict[str, Any]) -> dict[str, TimeslipRule]:
    return declared_rules(manifest)


def _models(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def _seed_rows(path: Path = RULES_SEED) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["rule_id"]: row for row in csv.DictReader(handle)}


def _difference(what: str, expected: set[str], found: set[str]) -> str:
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    return f"{what}: missing {missing}, not a rule {extra}"


# -- A. The timeslip rules -------------------------------------------------------------


def test_every_rule_model_declares_itself(manifest: dict[str, Any]) -> None:
    """A model named like a rule that forgot its `timeslip_rule` meta is in no list."""
    named = {
        n.removeprefix(RULE_MODEL_PREFIX)
        for n in _models(manifest)
        if n.startswith(RULE_MODEL_PREFIX)
    }
    declared = set(declared_rules(manifest))
    assert named == declared, _difference(
        "models int_timeslip_flags__* against the declared rules", declared, named
    )


def test_every_rule_has_a_seed_row_and_every_seed_row_a_rule(
    rules: dict[str, TimeslipRule],
) -> None:
    seeded = set(_seed_rows())
    assert seeded == set(rules), _difference(f"rule_ids of {RULES_SEED.name}", set(rules), seeded)


def test_the_seed_fills_exactly_the_thresholds_each_rule_reads(
    rules: dict[str, TimeslipRule],
) -> None:
    """A threshold the seed fills but the rule does not declare is read by nothing (or the
    YAML forgot it); one it declares but the seed leaves empty refuses the seed."""
    wrong = {}
    for rule_id, row in _seed_rows().items():
        filled = tuple(c for c in THRESHOLD_COLUMNS if row[c].strip())
        if rule_id in rules and set(filled) != set(rules[rule_id].thresholds):
            wrong[rule_id] = f"declares {rules[rule_id].thresholds}, the seed fills {filled}"
    assert wrong == {}


def test_the_flags_mart_takes_every_rule(
    manifest: dict[str, Any], rules: dict[str, TimeslipRule]
) -> None:
    """dbt learns the mart's inputs while parsing: its `-- depends_on` lines name them."""
    parents = {
        uid.split(".")[-1].removeprefix(RULE_MODEL_PREFIX)
        for uid in _models(manifest)[FLAGS_MART]["depends_on"]["nodes"]
        if uid.split(".")[-1].startswith(RULE_MODEL_PREFIX)
    }
    assert parents == set(rules), _difference(
        f"rule models {FLAGS_MART} reads", set(rules), parents
    )


def test_the_validator_takes_every_rule(rules: dict[str, TimeslipRule]) -> None:
    for file in ("timeslip_rules", "timeslip_waivers"):
        assert REFERENCE[file].column("rule_id").allowed_values() == tuple(rules)


def _manifest_of(**models: dict[str, Any] | None) -> dict[str, Any]:
    """A manifest of models, each with its `timeslip_rule` meta (None: no meta)."""
    return {
        "metadata": {"project_name": "xla_warehouse"},
        "nodes": {
            f"model.xla_warehouse.{name}": {
                "name": name,
                "resource_type": "model",
                "package_name": "xla_warehouse",
                "config": {"meta": {} if rule is None else {"timeslip_rule": rule}},
            }
            for name, rule in models.items()
        },
    }


def test_rules_are_read_from_the_model_declarations() -> None:
    found = declared_rules(
        _manifest_of(
            int_timeslip_flags__zeta={"thresholds": ["threshold", "tertiary_threshold"]},
            int_timeslip_flags__alpha={"thresholds": []},
            int_timeslip_flags__beta={"thresholds": ["threshold"], "shares": ["threshold"]},
            int_timeslip_flags__not_a_rule=None,
            fct_anything=None,
        )
    )
    assert found == {
        "alpha": TimeslipRule("alpha", ()),
        "beta": TimeslipRule("beta", ("threshold",), ("threshold",)),
        "zeta": TimeslipRule("zeta", ("threshold", "tertiary_threshold")),
    }
    assert list(found) == ["alpha", "beta", "zeta"]


@pytest.mark.parametrize(
    ("models", "reason"),
    [
        ({"int_flags__overlap": {"thresholds": []}}, "a rule model is named"),
        ({"int_timeslip_flags__x": {"thresholds": ["limit"]}}, "limit is not a threshold"),
        (
            {
                "int_timeslip_flags__x": {
                    "thresholds": ["threshold"],
                    "shares": ["secondary_threshold"],
                }
            },
            "share secondary_threshold is not one of its thresholds",
        ),
    ],
)
def test_a_wrong_declaration_is_refused(models: dict[str, Any], reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        declared_rules(_manifest_of(**models))


# -- B. The contract's enums -------------------------------------------------------------


def _contract_enums() -> dict[str, tuple[str, ...]]:
    """The enum columns of the extracts, by name: each name means one list of values."""
    enums: dict[str, tuple[str, ...]] = {}
    for extract in LANDING_EXTRACTS.values():
        for column in extract.columns:
            if column.type == "enum":
                values = enums.setdefault(column.name, column.contract_values)
                assert values == column.contract_values, f"enum {column.name} has two meanings"
    return enums


CONTRACT_ENUMS = _contract_enums()


@cache
def _accepted_values() -> tuple[tuple[str, str, str, list[Any] | str], ...]:
    """(yml file, model, column, values) of every `accepted_values` test of the models."""
    found = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                for test in column.get("data_tests") or column.get("tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"] or {}
                        values = (spec.get("arguments") or spec).get("values")
                        where = str(path.relative_to(DBT_PROJECT_DIR))
                        found.append((where, model["name"], column["name"], values))
    return tuple(found)


def _expected(model: str, column: str) -> tuple[str, ...] | None:
    """The values the contract gives a column of a dbt model, None if it gives none."""
    source, _, name = model.partition("__")
    if source == "stg_reference" and name in REFERENCE:
        spec = REFERENCE[name]
        if column in spec.column_names and spec.column(column).type == "enum":
            return spec.column(column).allowed_values()
        return None
    return CONTRACT_ENUMS.get(column)


def test_accepted_values_are_the_contracts() -> None:
    wrong = []
    for where, model, column, values in _accepted_values():
        expected = _expected(model, column)
        if expected is None:
            continue
        if not isinstance(values, list):
            wrong.append(f"{where} {model}.{column}: values {values!r} is not a list")
            continue
        listed = {str(v) for v in values}
        if listed != set(expected):
            wrong.append(
                f"{where} {model}.{column}: missing {sorted(set(expected) - listed)}, "
                f"not in the contract {sorted(listed - set(expected))}"
            )
    assert wrong == [], "\n".join(wrong)


def test_every_enum_of_the_psa_extracts_is_tested_in_staging() -> None:
    tested = {(model, column) for _, model, column, _ in _accepted_values()}
    untested = [
        f"stg_psa__{extract.name}.{column.name}"
        for extract in EXTRACTS.values()
        for column in extract.columns
        if column.type == "enum" and (f"stg_psa__{extract.name}", column.name) not in tested
    ]
    assert untested == []


def test_docs_contract_names_every_value_of_an_enum() -> None:
    text = (REPO_ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    extracts = re.search(r"^## 2\. .*?(?=^## |\Z)", text, re.S | re.M)
    assert extracts is not None
    unnamed = {
        name: [v for v in values if f"`{v}`" not in extracts.group(0)]
        for name, values in CONTRACT_ENUMS.items()
    }
    assert {name: values for name, values in unnamed.items() if values} == {}
