"""How far the published reopen and reassignment counts agree with ServiceNow's own.

The warehouse derives both counts from each incident's audit log; ServiceNow keeps its
own counters on the incident. The published table `servicenow_counter_agreement` holds
the comparison per incident, and `servicenow_counter_agreement_clients` counts it per
client (each client's ServiceNow instance counts in its own way) and kind of
disagreement; this module reads and words that count
(docs/metrics/servicenow.md#counter-agreement).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.config import ConfigError

SUMMARY = "servicenow_counter_agreement_clients"
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
        if SUMMARY not in tables:
            raise ConfigError(f"{warehouse} has no table {SUMMARY}; run `xla run` to rebuild it")
        rows = con.execute(
            f"select client_id, counter, agreement, incidents, client_incidents from {SUMMARY}"
            " order by client_id, counter, agreement = 'agrees' desc, incidents desc, agreement"
        ).fetchall()
    finally:
        con.close()
    found = []
    for client_id in sorted({row[0] for row in rows}):
        mine = [row for row in rows if row[0] == client_id]
        counters = tuple(
            CounterAgreement(
                counter=counter,
                incidents=mine[0][4],
                agreeing=next((n for _, c, a, n, _ in mine if c == counter and a == "agrees"), 0),
                disagreements=tuple(
                    (agreement, n)
                    for _, c, agreement, n, _ in mine
                    if c == counter and agreement != "agrees"
                ),
            )
            for counter in COUNTERS
        )
        found.append(ClientAgreement(client_id, mine[0][4], counters))
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
