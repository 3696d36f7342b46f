"""Releases: `published` is a link switched in one rename, old releases are pruned."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.config import Settings
from orchestration.publish import publisher


def _settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    settings.ensure_dirs()
    return settings


def _release(settings: Settings, name: str, content: str) -> Path:
    release = publisher.releases_dir(settings) / name
    release.mkdir(parents=True)
    (release / "warehouse.duckdb").write_text(content)
    return release


def test_published_is_a_link_switched_to_the_new_release(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = _release(settings, "20260101T000000Z-aaaaaaaa", "one")
    publisher._point_published_at(settings, first)
    assert settings.published_dir.is_symlink()
    assert settings.published_db.read_text() == "one"
    # A reader that opened the old file keeps it whole after the switch.
    with settings.published_db.open() as reader:
        second = _release(settings, "20260102T000000Z-bbbbbbbb", "two")
        publisher._point_published_at(settings, second)
        assert reader.read() == "one"
    assert settings.published_db.read_text() == "two"
    assert publisher.current_release(settings) == second.resolve()
    # The link is relative, so the data folder can be moved or mounted elsewhere.
    assert not Path(settings.published_dir.readlink()).is_absolute()


def test_a_published_folder_from_before_releases_is_kept_as_a_release(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.published_dir.mkdir()
    (settings.published_dir / "warehouse.duckdb").write_text("legacy")
    release = _release(settings, "20260101T000000Z-aaaaaaaa", "new")
    publisher._point_published_at(settings, release)
    assert settings.published_db.read_text() == "new"
    kept = publisher.releases_dir(settings) / "20260101T000000Z-aaaaaaaa-earlier"
    assert (kept / "warehouse.duckdb").read_text() == "legacy"


@pytest.mark.parametrize("keep", [1, 2, 3])
def test_pruning_keeps_the_newest_and_the_published_release(tmp_path: Path, keep: int) -> None:
    settings = _settings(tmp_path)
    names = [f"2026010{day}T000000Z-run{day}" for day in range(1, 6)]
    for name in names:
        _release(settings, name, name)
    # The published release is an older one (e.g. newer ones were never switched to).
    publisher._point_published_at(settings, publisher.releases_dir(settings) / names[1])
    (publisher.releases_dir(settings) / ".incoming-x").mkdir()
    publisher.prune_releases(settings, keep=keep)
    left = sorted(p.name for p in publisher.releases_dir(settings).iterdir())
    assert left == sorted({*names[-keep:], names[1], ".incoming-x"})
