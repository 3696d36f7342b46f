"""How well the timeslip rules find what the generator planted.

The generator's answer key names every planted timeslip anomaly by rule and subject;
`fct_timeslip_flags` names every flag the same way. Per rule: what was planted, what was
flagged, the true positives, precision and recall, and the flags on engineers the
generator planted nothing on (who should have few or none).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from xla_lab.generate.generator import generate


@dataclass(frozen=True)
class RuleScore:
    """One rule's flags against the answer key."""

    rule_id: str
    planted: int
    flagged: int
    true_positives: int
    flags_on_clean_engineers: int
    missed: tuple[str, ...]  # planted subjects not flagged
    unexpected: tuple[str, ...]  # flagged subjects not planted

    @property
    def precision(self) -> float:
        """Share of flags that are planted anomalies (1.0 when nothing was flagged)."""
        return self.true_positives / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        """Share of planted anomalies that were flagged (1.0 when nothing was planted)."""
        return self.true_positives / self.planted if self.planted else 1.0


@dataclass(frozen=True)
class Scorecard:
    """Every rule's score, and the engineers the generator planted nothing on."""

    scores: list[RuleScore]
    clean_engineers: tuple[str, ...]

    @property
    def flags_on_clean_engineers(self) -> int:
        return sum(s.flags_on_clean_engineers for s in self.scores)


def planted_engineers(answer_key: dict[str, object]) -> set[str]:
    """Engineers with a habit or a planted anomaly in the answer key."""
    anomalies = answer_key["timeslip_anomalies"]
    habits = answer_key.get("engineer_habits", {})
    assert isinstance(anomalies, list) and isinstance(habits, dict)
    return set(habits) | {a["engineer_id"] for a in anomalies}


def score_flags(
    answer_key: dict[str, object], flags: Iterable[tuple[str, str, str]]
) -> list[RuleScore]:
    """Score (rule_id, subject_id, engineer_id) flags against a generator answer key."""
    anomalies = answer_key["timeslip_anomalies"]
    assert isinstance(anomalies, list)
    planted: dict[str, set[str]] = {}
    for anomaly in anomalies:
        planted.setdefault(anomaly["rule_id"], set()).add(anomaly["subject_id"])
    with_anomalies = planted_engineers(answer_key)
    flagged: dict[str, set[str]] = {}
    clean: dict[str, int] = {}
    for rule_id, subject_id, engineer_id in flags:
        flagged.setdefault(rule_id, set()).add(subject_id)
        if engineer_id not in with_anomalies:
            clean[rule_id] = clean.get(rule_id, 0) + 1
    scores = []
    for rule_id in sorted(set(planted) | set(flagged)):
        wanted, found = planted.get(rule_id, set()), flagged.get(rule_id, set())
        scores.append(
            RuleScore(
                rule_id=rule_id,
                planted=len(wanted),
                flagged=len(found),
                true_positives=len(wanted & found),
                flags_on_clean_engineers=clean.get(rule_id, 0),
                missed=tuple(sorted(wanted - found)),
                unexpected=tuple(sorted(found - wanted)),
            )
        )
    return scores


def format_table(scores: list[RuleScore]) -> str:
    """The scores as a Markdown table, with a total row."""
    lines = [
        "| rule | planted | flagged | true positives | precision | recall "
        "| flags on clean engineers |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.rule_id} | {s.planted} | {s.flagged} | {s.true_positives} "
            f"| {s.precision:.0%} | {s.recall:.0%} | {s.flags_on_clean_engineers} |"
        )
    total = RuleScore(
        rule_id="all rules",
        planted=sum(s.planted for s in scores),
        flagged=sum(s.flagged for s in scores),
        true_positives=sum(s.true_positives for s in scores),
        flags_on_clean_engineers=sum(s.flags_on_clean_engineers for s in scores),
        missed=(),
        unexpected=(),
    )
    lines.append(
        f"| **{total.rule_id}** | {total.planted} | {total.flagged} | {total.true_positives} "
        f"| {total.precision:.0%} | {total.recall:.0%} | {total.flags_on_clean_engineers} |"
    )
    return "\n".join(lines)


def score_demo(
    workdir: Path,
    *,
    seed: int = 42,
    scale: float = 1.0,
    months: int = 1,
    start: date = date(2026, 1, 1),
) -> Scorecard:
    """Generate a demo MSP into `workdir`, run the pipeline on it, score the flags.

    `xla run` does the ingest and the build exactly as a user's run would; the flags
    are read from the build file, which exists whether or not the gate publishes.
    """
    data_dir, seeds_dir = workdir / "data", workdir / "seeds"
    key_path = workdir / "answer_key.json"
    generate(
        data_dir / "landing",
        scale=scale,
        months=months,
        seed=seed,
        start=start,
        seeds_dir=seeds_dir,
        answer_key_path=key_path,
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env={**os.environ, "XLA_DATA_DIR": str(data_dir), "XLA_SEEDS_DIR": str(seeds_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    build = data_dir / "build" / "warehouse.duckdb"
    if completed.returncode not in (0, 3) or not build.exists():
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-40:])
        raise RuntimeError(f"xla run failed (exit {completed.returncode}):\n{tail}")
    con = duckdb.connect(str(build), read_only=True)
    try:
        flags = con.execute(
            "select rule_id, subject_id, engineer_id from main.fct_timeslip_flags"
        ).fetchall()
        # Engineers who worked in the period at all.
        working = {
            row[0]
            for row in con.execute(
                "select distinct engineer_id from staging.stg_psa__timeslips"
            ).fetchall()
        }
    finally:
        con.close()
    answer_key = json.loads(key_path.read_text(encoding="utf-8"))
    with (seeds_dir / "engineers.csv").open(newline="", encoding="utf-8") as handle:
        roster = {row["engineer_id"] for row in csv.DictReader(handle)}
    clean = sorted((roster & working) - planted_engineers(answer_key))
    return Scorecard(scores=score_flags(answer_key, flags), clean_engineers=tuple(clean))
