"""What the ingest reads of the reference data: the value map in force and the known ids.

A run's ingest reads them from the run's snapshot, so that it validates with the same
reference data the build then uses. Code that looks at the landing folder between runs
(the sensor, the schedule, "is there anything to do?") reads the folder as it is, with the
same reader, and does not mind problems in it: the run will report them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from orchestration.config import DEFAULT_SEEDS_DIR
from orchestration.reference import snapshot
from orchestration.reference.spec import DEFAULT_HISTORY_START
from orchestration.reference.validate import validate_folder


@dataclass(frozen=True)
class Vocabulary:
    """The value map in force: per (source, field), each value as the source writes it
    with the contract's value it means. The contract's own values are in it too (unless
    the MSP maps one otherwise), so a value it lacks is neither the contract's nor mapped.
    """

    maps: Mapping[tuple[str, str], Mapping[str, str]]
    # The values value_map.csv itself maps, per (source, field), to name in a message.
    listed: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> Vocabulary:
        maps: dict[tuple[str, str], dict[str, str]] = {}
        listed: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            key = (row["source"], row["field"])
            maps.setdefault(key, {})[row["source_value"]] = row["canonical_value"]
            if row.get("origin") != "contract":
                listed.setdefault(key, []).append(row["source_value"])
        return cls(maps, {key: tuple(values) for key, values in listed.items()})

    def canonical(self, source: str, field: str, value: str) -> str | None:
        """The contract's value that `value` means for `source`, or None if it is unknown."""
        return self.maps.get((source, field), {}).get(value)

    def has_field(self, source: str, field: str) -> bool:
        return (source, field) in self.maps


HISTORY_START = date.fromisoformat(DEFAULT_HISTORY_START)


@dataclass(frozen=True)
class IngestReference:
    """The reference data a run's ingest validates with."""

    vocabulary: Vocabulary
    clients: frozenset[str]
    engineers: frozenset[str]
    # The first day the MSP's history can hold (msp_settings.csv `history_start`).
    history_start: date = HISTORY_START

    @classmethod
    def of_snapshot(cls, taken: snapshot.Snapshot) -> IngestReference:
        settings = {r["setting"]: r["value"] for r in snapshot.rows(taken, "msp_settings")}
        return cls(
            vocabulary=Vocabulary.from_rows(snapshot.rows(taken, "value_map")),
            clients=frozenset(r["client_id"] for r in snapshot.rows(taken, "clients")),
            engineers=frozenset(r["engineer_id"] for r in snapshot.rows(taken, "engineers")),
            history_start=date.fromisoformat(settings["history_start"]),
        )

    @classmethod
    def of_folder(cls, seeds_dir: Path) -> IngestReference:
        """The folder as it is now, read whatever problems it has."""
        validation = validate_folder(seeds_dir)
        tables = validation.tables
        try:
            history_start = date.fromisoformat(snapshot.settings_of(validation)["history_start"])
        except ValueError:
            history_start = HISTORY_START
        return cls(
            vocabulary=Vocabulary.from_rows(snapshot.complete_value_map(tables["value_map"].rows)),
            clients=frozenset(tables["clients"].values("client_id")),
            engineers=frozenset(tables["engineers"].values("engineer_id")),
            history_start=history_start,
        )


@cache
def shipped() -> IngestReference:
    """The reference data shipped in the repository's `seeds/`."""
    return IngestReference.of_folder(DEFAULT_SEEDS_DIR)
