"""How far the published reopen and reassignment counts agree with ServiceNow's own.

The warehouse derives both counts from each incident's audit log; ServiceNow keeps its
own counters on the incident. The published table `servicenow_counter_agreement` holds
the comparison per incident; this module sums it per client (each client's ServiceNow
instance counts in its own way) and names how many incidents disagree in each class
(docs/metrics/servicenow.md#counter-agreement).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.config import ConfigError

TABLE = "servicenow_counter_agreement"
COUNTERS = ("reopen", "reassignment")


@dataclass(frozen=True)
class CounterAgreement:
    """One counter of one client: incidents, how many agree, the disagreements by class."""

    counter: str
    incidents: int
    agreeing: int
    disagreements: tuple[tuple[str, int], ...]

    @property
    def rate(self) -> float:
        """The share of incidents on which the counts agree (1 when there are none)."""
        return self.agreeing / self.incidents if self.incidents else 1.0

    def lines(self) -> list[str]:
        head = (
            f"  {self.counter + '_count':20} {self.agreeing} of {self.incidents} agree "
            f"({100 * self.rate:.1f}%)"
        )
        return [head] + [f"    {name:32} {count:>6}" for name, count in self.disagreements]


@dataclass(frozen=True)
class ClientAgreement:
    """Both counters of one client's incidents."""

    client_id: str
    incidents: int
    counters: tuple[CounterAgreement, ...]

    def lines(self) -> list[str]:
        found = [f"{self.client_id}: {self.incidents} ServiceNow incidents"]
        for counter in self.counters:
            found += counter.lines()
        return found


def agreement(warehouse: Path) -> list[ClientAgreement]:
    """The agreement of each client's incidents, by client id, from a published warehouse."""
    if not warehouse.exists():
        raise ConfigError(f"{warehouse} does not exist; run `xla run` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        if TABLE not in tables:
            raise ConfigError(f"{warehouse} has no table {TABLE}; run `xla run` to rebuild it")
        totals = con.execute(
            f"select client_id, count(*), "
            f"count(*) filter (where reopen_agrees), count(*) filter (where reassignment_agrees) "
            f"from {TABLE} group by client_id order by client_id"
        ).fetchall()
        classes = con.execute(
            f"select client_id, 'reopen', reopen_disagreement, count(*) from {TABLE} "
            f"where not reopen_agrees group by all "
            f"union all "
            f"select client_id, 'reassignment', reassignment_disagreement, count(*) from {TABLE} "
            f"where not reassignment_agrees group by all "
            f"order by 1, 2, 4 desc, 3"
        ).fetchall()
    finally:
        con.close()
    found = []
    for client_id, incidents, *agreeing in totals:
        counters = tuple(
            CounterAgreement(
                counter=counter,
                incidents=incidents,
                agreeing=agreed,
                disagreements=tuple(
                    (name, count)
                    for client, kind, name, count in classes
                    if client == client_id and kind == counter
                ),
            )
            for counter, agreed in zip(COUNTERS, agreeing, strict=True)
        )
        found.append(ClientAgreement(client_id, incidents, counters))
    return found


def report(warehouse: Path) -> list[str]:
    """The agreement as printable lines, one block per client."""
    clients = agreement(warehouse)
    if not clients:
        return [f"No ServiceNow incidents in {warehouse}"]
    lines = [f"Agreement of the published counts with ServiceNow's own counters ({warehouse})"]
    for client in clients:
        lines += client.lines()
    return lines
