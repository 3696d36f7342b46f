"""The dbt docs page of a release is generated again only when what it shows changed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.config import DEFAULT_SEEDS_DIR, Settings
from orchestration.warehouse import docs


def test_the_docs_page_is_generated_again_only_when_what_it_shows_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XLA_ENGINE", raising=False)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=DEFAULT_SEEDS_DIR)
    settings.build_dir.mkdir(parents=True)
    con = duckdb.connect(str(settings.build_db))
    con.execute("create table fct_tickets (ticket_id varchar)")
    con.close()
    generated: list[str] = []

    def generate(_: Settings) -> Path:
        generated.append("page")
        page = tmp_path / f"generated-{len(generated)}.html"
        page.write_text(f"<body>page {len(generated)}")
        return page

    monkeypatch.setattr(docs, "generate_docs", generate)

    def page() -> str:
        return docs.docs_page(settings).read_text()

    assert page() == "<body>page 1"
    assert page() == "<body>page 1" and len(generated) == 1  # nothing changed: reused
    con = duckdb.connect(str(settings.build_db))
    con.execute("alter table fct_tickets add column subject varchar")  # another catalog
    con.close()
    assert page() == "<body>page 2"
    (settings.build_dir / docs.CACHE_FOLDER / docs.CACHE_KEY).write_text("{not json")
    assert page() == "<body>page 3"  # a damaged record
    assert len(generated) == 3
