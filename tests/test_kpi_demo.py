"""The generator's planted clients, as `xla run` publishes them.

The generator plants `watermelon` clients (SLA always inside target, customers unhappy)
and `happy` ones (SLA inside target, customers happy) and names them in its answer key.
One month at scale 1 gives each of them enough survey responses to be judged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from orchestration.config import DBT_PROJECT_DIR
from xla_lab.generate import generate

pytestmark = pytest.mark.slow

# The whole month of the generated period, in every client's time zone.
MONTH = "2026-01-01"
SLA_FACT = DBT_PROJECT_DIR / "models" / "marts" / "sla" / "fct_ticket_sla.sql"
SLA_FACT_IS_A_STAND_IN = SLA_FACT.read_text(encoding="utf-8").startswith("-- STUB")


@pytest.fixture(scope="module")
def client_months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Generate seed 42, scale 1, one month; run the pipeline; read the month per client."""
    root = tmp_path_factory.mktemp("planted")
    answer_key = root / "answer_key.json"
    generate(
        root / "data" / "landing",
        scale=1,
        months=1,
        seed=42,
        seeds_dir=root / "seeds",
        answer_key_path=answer_key,
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env={
            **os.environ,
            "XLA_DATA_DIR": str(root / "data"),
            "XLA_SEEDS_DIR": str(root / "seeds"),
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    profiles = json.loads(answer_key.read_text())["client_profiles"]
    con = duckdb.connect(str(root / "data" / "published" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select client_id, xla_status, is_watermelon from fct_client_months "
            f"where month = '{MONTH}'"
        ).fetchall()
    finally:
        con.close()
    return {
        client_id: {"profile": profiles[client_id], "xla_status": status, "watermelon": melon}
        for client_id, status, melon in rows
    }


def _of(client_months: dict[str, dict[str, object]], profile: str) -> dict[str, dict]:
    found = {c: m for c, m in client_months.items() if m["profile"] == profile}
    assert found, f"the generator planted no {profile} client"
    return found


def test_planted_watermelons_miss_their_xla(client_months: dict[str, dict[str, object]]) -> None:
    watermelons = _of(client_months, "watermelon")
    assert {c: m["xla_status"] for c, m in watermelons.items()} == dict.fromkeys(
        watermelons, "missed"
    )


def test_happy_clients_are_not_watermelons(client_months: dict[str, dict[str, object]]) -> None:
    happy = _of(client_months, "happy")
    assert {c: (m["xla_status"], m["watermelon"]) for c, m in happy.items()} == dict.fromkeys(
        happy, ("met", False)
    )


@pytest.mark.skipif(
    SLA_FACT_IS_A_STAND_IN, reason="fct_ticket_sla is a stand-in: sla_met needs the SLA engine"
)
def test_planted_watermelons_are_watermelons(client_months: dict[str, dict[str, object]]) -> None:
    watermelons = _of(client_months, "watermelon")
    assert {c: m["watermelon"] for c, m in watermelons.items()} == dict.fromkeys(watermelons, True)
