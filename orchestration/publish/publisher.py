"""Publish the build as a release: `published/warehouse.duckdb` and what goes beside it.

The marts and seeds the dbt project builds are copied into a new DuckDB file in a new
release folder (views, which read the lake, and intermediate tables stay behind: a BI
reader sees only marts), the audit tables are added, the reports and the auditors' site
are written beside it, and `published` — a symbolic link to the current release — is
switched to the new folder in one rename. A reader that already has the old file open
keeps reading its consistent old copy; a new reader sees the new release; nobody ever
sees half of one, or a warehouse from one run beside reports from another.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa

from orchestration import engine
from orchestration.config import DBT_PROJECT_DIR, REPO_ROOT, Settings
from orchestration.faults import maybe_crash
from orchestration.files import write_atomic
from orchestration.ingest import ledger
from orchestration.publish import closed_months
from orchestration.publish.bi_file import (  # noqa: F401  (the BI file's names, as before)
    AUDIT_DOCS,
    PUBLISHED_STORAGE_VERSION,
    PublishedRelation,
)
from orchestration.publish.free_text import publish_free_text
from orchestration.quality import results
from orchestration.reference import snapshot


@dataclass(frozen=True)
class Publication:
    """One publication of the warehouse: what went in and what the checks said."""

    run_id: str
    published_at: str
    as_of: str
    inputs: list[dict[str, object]]
    seeds: dict[str, str]
    code_version: str
    fingerprint: str
    checks_total: int
    checks_warned: int


def code_version() -> str:
    """The package version plus a digest of the code and dbt project that build the numbers."""
    try:
        base = version("xla-warehouse")
    except PackageNotFoundError:
        base = "0+unknown"
    digest = hashlib.sha256()
    roots = [REPO_ROOT / "orchestration", DBT_PROJECT_DIR]
    for root in roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(REPO_ROOT)
            if (
                path.is_file()
                and path.suffix in (".py", ".sql", ".yml", ".yaml")
                and not {"target", "logs", "__pycache__"} & set(relative.parts)
            ):
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    return f"{base}+{digest.hexdigest()[:12]}"


def inputs_of(
    settings: Settings, seeds: dict[str, str] | None = None
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """The ingested files, and the reference files a build is made from: `seeds` (the
    SHA-256 of each file the run's snapshot was taken from), or by default the files of
    the reference folder as it is now."""
    files = [
        {"file": e.file_name, "sha256": e.sha256, "rows": e.rows_in}
        for e in sorted(
            ledger.load(settings).values(), key=lambda e: (e.extract_date, e.file_name, e.sha256)
        )
    ]
    if seeds is None:
        seeds = snapshot.current_sources(settings.seeds_dir)
    return files, dict(sorted(seeds.items()))


def fingerprint(
    settings: Settings, as_of_override: str, seeds: dict[str, str] | None = None
) -> str:
    """A digest of everything that determines the published marts."""
    files, seeds = inputs_of(settings, seeds)
    payload = {
        "files": sorted(str(f["sha256"]) for f in files),
        "seeds": seeds,
        "code": code_version(),
        "as_of": as_of_override,
        "free_text": publish_free_text(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def publications_dir(settings: Settings) -> Path:
    return settings.audit_dir / "publications"


def publications(settings: Settings) -> list[Publication]:
    """Every publication so far, oldest first."""
    found = [
        Publication(**json.loads(p.read_text())) for p in publications_dir(settings).glob("*.json")
    ]
    return sorted(found, key=lambda p: (p.published_at, p.run_id))


RELEASE_RECORD = "publication.json"


def latest_publication(settings: Settings) -> Publication | None:
    """The publication the published release holds now, if any: read from the release
    itself, so a crash between switching `published` and recording the publication in
    the audit folder cannot make an older record pass for the published one."""
    if not settings.published_db.exists():
        return None
    record = settings.published_dir / RELEASE_RECORD
    if record.exists():
        return Publication(**json.loads(record.read_text()))
    found = publications(settings)
    return found[-1] if found else None


def is_current(
    settings: Settings, as_of_override: str, seeds: dict[str, str] | None = None
) -> Publication | None:
    """The latest publication if it was made from exactly today's inputs (with the
    reference files `seeds`, by default those of the reference folder now)."""
    latest = latest_publication(settings)
    if latest and latest.fingerprint == fingerprint(settings, as_of_override, seeds):
        return latest
    return None


def _publications_table(items: list[Publication]) -> pa.Table:
    return pa.table(
        {
            "run_id": [p.run_id for p in items],
            "published_at": pa.array(
                [datetime.fromisoformat(p.published_at) for p in items],
                pa.timestamp("us", tz="UTC"),
            ),
            "as_of": pa.array(
                [datetime.fromisoformat(p.as_of) if p.as_of else None for p in items],
                pa.timestamp("us", tz="UTC"),
            ),
            "input_files": pa.array([len(p.inputs) for p in items], pa.int64()),
            "inputs": [json.dumps(p.inputs) for p in items],
            "seeds": [json.dumps(p.seeds, sort_keys=True) for p in items],
            "code_version": [p.code_version for p in items],
            "fingerprint": [p.fingerprint for p in items],
            "checks_total": pa.array([p.checks_total for p in items], pa.int64()),
            "checks_warned": pa.array([p.checks_warned for p in items], pa.int64()),
        }
    )


def _ingested_files_table(settings: Settings) -> pa.Table:
    entries = sorted(ledger.load(settings).values(), key=lambda e: (e.ingested_at, e.file_name))
    return pa.table(
        {
            "file_name": [e.file_name for e in entries],
            "extract": [e.extract for e in entries],
            "extract_date": pa.array(
                [date.fromisoformat(e.extract_date) for e in entries], pa.date32()
            ),
            "sha256": [e.sha256 for e in entries],
            "rows_in": pa.array([e.rows_in for e in entries], pa.int64()),
            "rows_loaded": pa.array([e.rows_loaded for e in entries], pa.int64()),
            "rows_quarantined": pa.array([e.rows_quarantined for e in entries], pa.int64()),
            "archive_file": [e.archive_file for e in entries],
            "run_id": [e.run_id for e in entries],
            "ingested_at": pa.array(
                [datetime.fromisoformat(e.ingested_at) for e in entries],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _one_line(text: str | None) -> str:
    # dbt descriptions are Markdown wrapped to the width of the YAML; a BI tool shows a
    # comment as one tooltip, where those line breaks would only break the sentence.
    return " ".join((text or "").split())


def is_published(kind: str | None, layer: str | None, materialized: str | None) -> bool:
    """Whether a dbt node is copied into the BI file: every seed, and every mart (a model
    of the `marts` layer) built as a table."""
    return kind == "seed" or (
        kind == "model" and layer == "marts" and materialized in ("table", "incremental")
    )


def published_relations(manifest: dict[str, Any]) -> list[PublishedRelation]:
    """The tables of this dbt project that BI tools read: its marts and its seeds.

    Staging views (which read the lake), intermediate tables (working state of the
    marts) and relations left in the build file by earlier versions of the project are
    not published. Each carries its description and its columns' descriptions from the
    manifest, where dbt has already rendered the `{{ doc(...) }}` blocks.
    """
    found = []
    for node in manifest.get("nodes", {}).values():
        kind, layer = node.get("resource_type"), node.get("fqn", [None, None])[1]
        if is_published(kind, layer, node.get("config", {}).get("materialized")):
            columns = tuple(
                (column.get("name") or key, _one_line(column.get("description")))
                for key, column in node.get("columns", {}).items()
            )
            found.append(
                PublishedRelation(
                    schema=node["schema"],
                    name=node.get("alias") or node["name"],
                    description=_one_line(node.get("description")),
                    columns=tuple((name, text) for name, text in columns if text),
                )
            )
    return sorted(found, key=lambda relation: (relation.schema, relation.name))


# What a release holds beside the warehouse (reports, the auditors' site, docs) is
# written by callables handed to `publish`; each gets the release folder and the
# publication, before anything is visible, and may return a remark on what it wrote.
ReleaseWriter = Callable[[Path, Publication], str | None]


def releases_dir(settings: Settings) -> Path:
    return settings.data_dir / "releases"


def publish(
    settings: Settings,
    run_id: str,
    as_of_override: str,
    checks: list[results.CheckResult],
    relations: Sequence[PublishedRelation],
    writers: Sequence[ReleaseWriter] = (),
    seeds: dict[str, str] | None = None,
    reference: Path | None = None,
) -> Publication:
    """Publish this run's build as a new release and point `published/` at it, atomically.

    The release folder is assembled aside (the warehouse file, then whatever `writers`
    add), flushed to disk, renamed into `releases/`, and `published` — a symbolic link —
    is replaced in one rename. A reader sees the whole previous release or the whole
    new one, never a warehouse from one run beside reports from another; a reader that
    already has the old file open keeps its consistent copy. `seeds` are the reference
    files the build was made from (default: the reference folder as it is now), and
    `reference` the run's snapshot of them (default: the reference folder).

    Before anything is visible, the figures of closed months are compared with what was
    reported for them: the months reported first now, and the restatements of those
    reported before, are recorded with the audit history (`closed_months`).
    """
    files, seeds = inputs_of(settings, seeds)
    with engine.current(settings).reader() as build:
        ((as_of_value,),) = build.query("select max(as_of) from run_parameters")
    now = datetime.now(UTC)
    publication = Publication(
        run_id=run_id,
        published_at=now.isoformat(timespec="seconds"),
        as_of=as_of_value.astimezone(UTC).isoformat() if as_of_value else "",
        inputs=files,
        seeds=seeds,
        code_version=code_version(),
        fingerprint=fingerprint(settings, as_of_override, seeds),
        checks_total=len(checks),
        checks_warned=sum(1 for c in checks if c.severity == "warn" and not c.passed),
    )
    release_id = f"{now:%Y%m%dT%H%M%S}Z-{run_id[:8]}"
    recover(settings)
    with engine.current(settings).reader() as build:
        closed = closed_months.record(settings, publication, reference or settings.seeds_dir, build)
    incoming = releases_dir(settings) / f".incoming-{release_id}"
    incoming.mkdir(parents=True)
    _write_warehouse(
        settings,
        incoming / settings.published_db.name,
        relations,
        publication,
        closed_months.tables(closed),
    )
    (incoming / RELEASE_RECORD).write_text(
        json.dumps(asdict(publication), indent=2, sort_keys=True)
    )
    maybe_crash("publish.assembling")
    for writer in writers:
        writer(incoming, publication)
    _fsync_tree(incoming)
    release = releases_dir(settings) / release_id
    os.replace(incoming, release)
    _fsync(release.parent)
    maybe_crash("publish.before_switch")
    _point_published_at(settings, release)
    maybe_crash("publish.before_record")
    record = publications_dir(settings) / f"{run_id}.json"
    write_atomic(record, json.dumps(asdict(publication), indent=2, sort_keys=True).encode())
    prune_releases(settings)
    return publication


def _write_warehouse(
    settings: Settings,
    path: Path,
    relations: Sequence[PublishedRelation],
    publication: Publication,
    closed: dict[str, pa.Table] | None = None,
) -> None:
    """The BI file (and, on Spark, the published schema): the marts and seeds of the
    build with their descriptions, plus the audit tables."""
    audit_tables = {
        "audit_check_results": results.history(settings),
        "audit_publications": _publications_table([*publications(settings), publication]),
        "audit_ingested_files": _ingested_files_table(settings),
        **(closed or {}),
    }
    engine.current(settings).publish(path, relations, audit_tables)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            _fsync(path)
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        _fsync(path)
    _fsync(root)


def _point_published_at(settings: Settings, release: Path) -> None:
    """Make `published` a symbolic link to `release`, replacing the old link in one rename."""
    link = settings.published_dir
    tmp = link.with_name(f".{link.name}.{release.name}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, link.parent), tmp)
    if link.is_dir() and not link.is_symlink():
        # A data folder from before releases: its published folder becomes a release.
        os.replace(link, releases_dir(settings) / f"{release.name}-earlier")
    os.replace(tmp, link)
    _fsync(link.parent)


def recover(settings: Settings) -> list[str]:
    """Finish or undo whatever a publication killed half-way left; say what was done.

    Called by a run that holds the data folder's lock, before anything else. A
    publication writes, in order: the release under `releases/.incoming-*`, the release
    renamed into `releases/`, a temporary link renamed over `published`, the audit
    record `audit/publications/<run>.json`. So:

    - `.incoming-*` folders and temporary links were never visible: removed;
    - a release that `published` points at without its audit record was published by a
      run killed just after the switch: the record is written from the release's own
      `publication.json` (the same bytes the run would have written);
    - any other release with a `publication.json` and no audit record was never
      published (killed before the switch): removed, as the next run publishes again.

    A ledger record that cannot be read (cut short by a full disk) is rebuilt too.
    """
    done: list[str] = ledger.repair(settings)
    root = releases_dir(settings)
    for stale in sorted(root.glob(".incoming-*")):
        shutil.rmtree(stale, ignore_errors=True)
        done.append(f"removed {stale.name}, a release never completed")
    for stale in sorted(settings.data_dir.glob(f".{settings.published_dir.name}.*.tmp")):
        stale.unlink(missing_ok=True)
        done.append(f"removed {stale.name}, a link never switched")
    current = current_release(settings)
    for release in sorted(root.iterdir()) if root.exists() else []:
        record = release / RELEASE_RECORD
        if release.name.startswith(".") or not release.is_dir() or not record.exists():
            continue
        publication = Publication(**json.loads(record.read_text()))
        audit = publications_dir(settings) / f"{publication.run_id}.json"
        if audit.exists():
            continue
        if current is not None and release.resolve() == current:
            write_atomic(audit, json.dumps(asdict(publication), indent=2, sort_keys=True).encode())
            done.append(f"recorded publication {publication.run_id} of {release.name}")
        else:
            shutil.rmtree(release, ignore_errors=True)
            done.append(f"removed {release.name}, a release never published")
    done.extend(closed_months.forget_unpublished(settings))
    if done and root.exists():
        prune_releases(settings)
    return done


def current_release(settings: Settings) -> Path | None:
    """The release `published` points at, if any."""
    link = settings.published_dir
    return link.resolve() if link.is_symlink() and link.exists() else None


def prune_releases(settings: Settings, keep: int | None = None) -> None:
    """Remove all but the newest `keep` releases (XLA_KEEP_RELEASES, default 3).

    The published release is always kept. A reader with a removed release's file open
    keeps reading it until it closes it.
    """
    keep = keep if keep is not None else int(os.environ.get("XLA_KEEP_RELEASES") or "3")
    current = current_release(settings)
    found = sorted(
        (p for p in releases_dir(settings).iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in found[: max(len(found) - max(keep, 1), 0)]:
        if current is None or old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
