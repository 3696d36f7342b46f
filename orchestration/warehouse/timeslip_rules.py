"""The timeslip audit rules, as the dbt project declares them: the one list of the rules.

A rule is a model `int_timeslip_flags__<rule_id>` whose YAML declares it:

    config:
      meta:
        timeslip_rule:
          thresholds: [threshold, tertiary_threshold]  # needed when the rule is enabled
          shares: [threshold]  # of those, the shares from 0 to 1

dbt's macro `timeslip_rule_thresholds` reads the declarations from dbt's graph (the flags
mart's union, its `rule_id` accepted values, the test that an enabled rule has its
thresholds). The Python side reads them here, from the parsed manifest: the quality
gate's check per rule (`timeslip_rule_<rule_id>`, also a Dagster asset check) and the
reference validator (the rule ids of `timeslip_rules.csv` and `timeslip_waivers.csv`, the
thresholds an enabled rule needs, the thresholds that are shares). The MSP's switch,
severity and thresholds of each rule are its row of `timeslip_rules.csv`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from orchestration.config import ConfigError

RULE_META = "timeslip_rule"
RULE_MODEL_PREFIX = "int_timeslip_flags__"
# The threshold columns of timeslip_rules.csv.
THRESHOLD_COLUMNS = ("threshold", "secondary_threshold", "tertiary_threshold")


@dataclass(frozen=True)
class TimeslipRule:
    """One rule: the model that flags and the thresholds it reads."""

    rule_id: str
    # The columns of timeslip_rules.csv the rule needs when it is enabled.
    thresholds: tuple[str, ...]
    # Of those, the shares from 0 to 1 (where a percentage, 60 for 0.6, would be wrong).
    shares: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        return RULE_MODEL_PREFIX + self.rule_id


def declared_rules(manifest: Mapping[str, Any]) -> dict[str, TimeslipRule]:
    """The rules the models of a dbt manifest declare, in rule_id order."""
    project = manifest.get("metadata", {}).get("project_name")
    rules: dict[str, TimeslipRule] = {}
    for node in manifest.get("nodes", {}).values():
        meta = (node.get("config") or {}).get("meta") or {}
        if node.get("resource_type") != "model" or RULE_META not in meta:
            continue
        if project is not None and node.get("package_name") != project:
            continue
        name = str(node["name"])
        if not name.startswith(RULE_MODEL_PREFIX):
            raise ConfigError(
                f"dbt model {name} declares a {RULE_META}, but a rule model is named "
                f"{RULE_MODEL_PREFIX}<rule_id>"
            )
        declared = meta[RULE_META] or {}
        thresholds = tuple(declared.get("thresholds") or ())
        shares = tuple(declared.get("shares") or ())
        unknown = [c for c in thresholds if c not in THRESHOLD_COLUMNS]
        if unknown:
            raise ConfigError(
                f"dbt model {name}: {', '.join(unknown)} is not a threshold column of "
                f"timeslip_rules.csv ({', '.join(THRESHOLD_COLUMNS)})"
            )
        unread = [c for c in shares if c not in thresholds]
        if unread:
            raise ConfigError(
                f"dbt model {name}: share {', '.join(unread)} is not one of its thresholds"
            )
        rule_id = name.removeprefix(RULE_MODEL_PREFIX)
        rules[rule_id] = TimeslipRule(rule_id, thresholds, shares)
    return dict(sorted(rules.items()))


@cache
def timeslip_rules() -> dict[str, TimeslipRule]:
    """The rules of the dbt project, from its manifest (parsed first if it is stale)."""
    # Imported here: the warehouse project reads the reference spec, which reads this.
    from orchestration.warehouse.project import parsed_manifest

    return declared_rules(parsed_manifest())


def timeslip_rule_ids() -> tuple[str, ...]:
    """The ids of the rules of the dbt project, in order."""
    return tuple(timeslip_rules())
