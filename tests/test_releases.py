"""Releases: `published` is a link switched in one rename, old releases are pruned."""

from __future__ import annotations

import dataclasses
import json
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


def test_the_published_release_says_which_publication_it_holds(tmp_path: Path) -> None:
    """A crash after the switch but before the audit record must not let an older record
    pass for the published one: the release carries its own."""
    settings = _settings(tmp_path)
    older = publisher.Publication(
        "run-1", "2026-01-01T00:00:00+00:00", "", [], {}, "v", "old", 1, 0
    )
    publisher.publications_dir(settings).mkdir(parents=True, exist_ok=True)
    (publisher.publications_dir(settings) / "run-1.json").write_text(
        json.dumps(dataclasses.asdict(older))
    )
    release = _release(settings, "20260102T000000Z-run2", "two")
    newer = dataclasses.replace(older, run_id="run-2", fingerprint="new")
    (release / publisher.RELEASE_RECORD).write_text(json.dumps(dataclasses.asdict(newer)))
    publisher._point_published_at(settings, release)
    assert publisher.latest_publication(settings) == newer


def _publication(run_id: str) -> publisher.Publication:
    return publisher.Publication(
        run_id, "2026-01-01T00:00:00+00:00", "", [], {}, "v", f"print-{run_id}", 1, 0
    )


def _recorded_release(settings: Settings, name: str, run_id: str, *, audited: bool) -> Path:
    release = _release(settings, name, run_id)
    text = json.dumps(dataclasses.asdict(_publication(run_id)), indent=2, sort_keys=True)
    (release / publisher.RELEASE_RECORD).write_text(text)
    if audited:
        publisher.publications_dir(settings).mkdir(parents=True, exist_ok=True)
        (publisher.publications_dir(settings) / f"{run_id}.json").write_text(text)
    return release


def test_recovery_finishes_a_switched_publication_and_drops_what_was_never_visible(
    tmp_path: Path,
) -> None:
    """What publications killed at each step leave: a half-assembled release, a release
    never linked, a temporary link, and a linked release without its audit record."""
    settings = _settings(tmp_path)
    earlier = _recorded_release(settings, "20260101T000000Z-run1", "run-1", audited=True)
    switched = _recorded_release(settings, "20260102T000000Z-run2", "run-2", audited=False)
    never_linked = _recorded_release(settings, "20260103T000000Z-run3", "run-3", audited=False)
    publisher._point_published_at(settings, switched)
    (publisher.releases_dir(settings) / ".incoming-20260104T000000Z-run4").mkdir()
    (settings.data_dir / ".published.20260104T000000Z-run4.tmp").symlink_to(never_linked)

    repairs = publisher.recover(settings)

    assert len(repairs) == 4, repairs
    left = sorted(p.name for p in publisher.releases_dir(settings).iterdir())
    assert left == [earlier.name, switched.name]
    assert not list(settings.data_dir.glob(".published.*"))
    assert publisher.current_release(settings) == switched.resolve()
    record = publisher.publications_dir(settings) / "run-2.json"
    assert record.read_text() == (switched / publisher.RELEASE_RECORD).read_text()
    assert publisher.latest_publication(settings) == _publication("run-2")
    assert publisher.recover(settings) == []  # nothing left to repair
