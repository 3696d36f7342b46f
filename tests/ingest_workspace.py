"""A data folder for ingest tests: two reference files (client C001, engineer E001)."""

from __future__ import annotations

from pathlib import Path

from orchestration.config import Settings


def ingest_settings(root: Path) -> Settings:
    """An empty data folder under `root`, with the reference data an ingest reads."""
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "clients.csv").write_text("client_id,client_name\nC001,Acme\n")
    (seeds / "engineers.csv").write_text("engineer_id,engineer_name\nE001,Ann\n")
    settings = Settings(data_dir=root / "data", seeds_dir=seeds)
    settings.ensure_dirs()
    return settings
