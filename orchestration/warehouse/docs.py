"""The dbt docs site of a build, published in each release as `docs/index.html`.

`dbt docs generate --static` writes one self-contained page with the manifest and the
catalog inside it, so the site opens from disk with no server and no network. It runs
after the build with the build's own target folder and vars, so it reuses the build's
manifest and parse state and rebuilds nothing (`--no-compile`): it only reads the build
file's catalog, in a process of its own that ends, and so lets go of the file, before the
release is published.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from html import escape
from importlib.metadata import version
from pathlib import Path

from orchestration import engine
from orchestration.config import DBT_PROJECT_DIR, Settings, dbt_environment, engine_name
from orchestration.files import write_atomic
from orchestration.publish.publisher import Publication, ReleaseWriter, code_version
from orchestration.warehouse.project import dbt_executable

DOCS_FOLDER = "docs"
STATIC_PAGE = "static_index.html"
# What `dbt docs generate` writes into the target folder; removed first, so that a page
# left by an earlier run can never be published as this one's.
GENERATED = (STATIC_PAGE, "index.html", "catalog.json")
TIMEOUT_SECONDS = 600


class DocsError(RuntimeError):
    """`dbt docs generate` failed; the reason is dbt's last line."""


def target_dir(settings: Settings) -> Path:
    """The dbt target folder of the build: its manifest, run results and parse state."""
    return settings.build_dir / "dbt_target"


# The page of the last generation and what it was generated from, kept in the build
# folder: the page is a function of the project and of the build's tables and columns,
# which most runs leave as they were.
CACHE_FOLDER = "docs_page"
CACHE_KEY = "key.json"


def docs_key(settings: Settings) -> str | None:
    """What the docs page is made of: the code and dbt versions and every table and
    column of the DuckDB build (dbt's catalog of it has no statistics); None on another
    engine, whose page is always generated again. The run's `as_of` is not part of it:
    the page documents models and tests, whose code does not name it, so a nightly run
    that adds a day keeps the page."""
    if engine_name() != "duckdb" or not settings.build_db.exists():
        return None
    with engine.current(settings).reader() as build:
        columns = build.query(
            "select table_schema, table_name, column_name, data_type, ordinal_position"
            " from information_schema.columns where table_catalog = current_database()"
            " order by all"
        )
    payload = {
        "code": code_version(),
        "dbt": version("dbt-core"),
        "columns": [list(map(str, column)) for column in columns],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def docs_page(settings: Settings) -> Path:
    """The static docs page of the latest build: the last one generated when nothing it is
    made of changed since (`docs_key`), else a new one."""
    cache = settings.build_dir / CACHE_FOLDER
    key = docs_key(settings)
    page = cache / STATIC_PAGE
    if key is not None and page.is_file() and _cached_key(cache) == key:
        return page
    generated = generate_docs(settings)
    if key is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / CACHE_KEY).unlink(missing_ok=True)
        shutil.copyfile(generated, page)
        write_atomic(cache / CACHE_KEY, json.dumps({"key": key}).encode())
    return generated


def _cached_key(cache: Path) -> str | None:
    try:
        return str(json.loads((cache / CACHE_KEY).read_text())["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def generate_docs(settings: Settings) -> Path:
    """Generate the static docs page of the latest build and return its path. dbt
    compiles no model for the page, so it needs none of the run's parameters."""
    target = target_dir(settings)
    for name in GENERATED:
        (target / name).unlink(missing_ok=True)
    completed = subprocess.run(
        [
            dbt_executable(),
            "docs",
            "generate",
            "--static",
            "--no-compile",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--quiet",
        ],
        cwd=DBT_PROJECT_DIR,
        env={
            **os.environ,
            **dbt_environment(settings),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    page = target / STATIC_PAGE
    if completed.returncode != 0 or not page.is_file():
        lines = (completed.stdout + completed.stderr).strip().splitlines()
        reason = lines[-1].strip() if lines else f"exit {completed.returncode}"
        raise DocsError(f"dbt docs generate failed: {reason}")
    return page


def release_docs_writer(settings: Settings) -> ReleaseWriter:
    """Writes the dbt docs site of the build into a release, as `<release>/docs/index.html`."""

    def write(release: Path, publication: Publication) -> None:
        page = docs_page(settings)
        folder = release / DOCS_FOLDER
        folder.mkdir()
        html = page.read_text(encoding="utf-8")
        (folder / "index.html").write_text(with_release_note(html, publication), encoding="utf-8")

    return write


def release_note(publication: Publication) -> str:
    """The line at the top of the published docs: the run they document, and that it is
    the published one, as of its publication."""
    run, at = escape(publication.run_id), escape(publication.published_at)
    as_of = escape(publication.as_of or "unknown")
    return (
        '<div style="font: 14px/1.5 system-ui, sans-serif; padding: .4rem 1rem; '
        'background: #e9f6ec; border-bottom: 1px solid #1a7f37; color: #1f2328">'
        f"Data documentation of the warehouse published by run <code>{run}</code> on {at}, "
        f"as_of {as_of}.</div>"
    )


def with_release_note(html: str, publication: Publication) -> str:
    """dbt's static docs page with the release note first in its body."""
    head, body, rest = html.partition("<body>")
    if not body:
        raise DocsError("dbt docs generate wrote a page without a <body>")
    return head + body + release_note(publication) + rest
