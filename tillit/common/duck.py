"""DuckDB connections with the limits Tillit runs under (2 cores, a bounded share of memory)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def connect(*, memory_limit: str | None = None, temp_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to `temp_directory` rather than exceed `memory_limit`."""
    connection = duckdb.connect(config={"threads": os.cpu_count() or 2})
    connection.execute(f"SET memory_limit = '{memory_limit or os.environ.get('TILLIT_DUCKDB_MEMORY', '1GB')}'")
    if temp_directory is not None:
        temp_directory.mkdir(parents=True, exist_ok=True)
        connection.execute("SET temp_directory = ?", [str(temp_directory)])
    # Timestamps are UTC wall-clock values in the ledger; never let a session zone shift them.
    connection.execute("SET TimeZone = 'UTC'")
    # DuckDB draws progress bars on stdout even when it is a file: keep command output clean.
    connection.execute("SET enable_progress_bar = false")
    return connection


def one(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None) -> tuple:
    """The single row a query returns, with the result read to its end (DuckDB 2 requires it)."""
    rows = connection.execute(sql, parameters or []).fetchall()
    return rows[0] if rows else ()
