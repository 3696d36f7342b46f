"""The event log of the instance a command records its runs in, kept connected.

Dagster's SQLite event log creates a SQLAlchemy engine, connects, commits and disposes of
the engine again for every event it stores. A run of the warehouse stores a few
thousand events (a check per dbt test, a materialization per model, each planned first),
and on a two-core machine that cost 15 of the 40 seconds a one-month demo spends in
Python: the same for ten rows as for ten million. `keep_connected` gives one instance's
event log one engine per database file for the life of the process instead, each
connection with SQLite's `synchronous=NORMAL` (in WAL mode, which Dagster sets: a power
cut may lose the last events stored, it cannot damage the file).

Only the instance of `xla run`, `xla backfill` and `xla demo` is changed; the Dagster UI
reads the same files with Dagster's own storage.
"""

from __future__ import annotations

import sqlite3
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine


def keep_connected(instance: dg.DagsterInstance) -> dg.DagsterInstance:
    """`instance` with its SQLite event log kept connected (other storages as they are)."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        SQLITE_BUSY_TIMEOUT_SECONDS,
        SqliteEventLogStorage,
    )

    storage = instance.event_log_storage
    if type(storage) is not SqliteEventLogStorage:
        return instance
    engines: dict[str, Engine] = {}

    @contextmanager
    def connect(self: Any, shard: str) -> Iterator[Connection]:
        # As Dagster's own `_connect`, under its lock, with the engine kept: connections
        # are used one at a time, whichever thread stores the event.
        with self._db_lock:
            engine = engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                event.listen(engine, "connect", _synchronous_normal)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    storage._connect = types.MethodType(connect, storage)  # type: ignore[method-assign]
    return instance


def _synchronous_normal(connection: sqlite3.Connection, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
