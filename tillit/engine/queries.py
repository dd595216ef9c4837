"""Running the engine's SQL files: parameters bound, results as dictionaries."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from tillit.common.collection import collection_paused

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def execute(connection: duckdb.DuckDBPyConnection, name: str, parameters: dict[str, Any] | None = None) -> None:
    connection.execute(sql(name), parameters or {})


def _dictionaries(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [column[0] for column in result.description]
    with collection_paused():
        return [dict(zip(columns, row)) for row in result.fetchall()]


def rows(connection: duckdb.DuckDBPyConnection, name: str, parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of `sql/<name>.sql` as a dictionary (the result is read to its end)."""
    return _dictionaries(connection.execute(sql(name), parameters or {}))


def table_rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """Every row of a temporary table made by `materialise`."""
    return _dictionaries(connection.execute(f"SELECT * FROM {table}"))


def materialise(connection: duckdb.DuckDBPyConnection, table: str, name: str, parameters: dict[str, Any]) -> None:
    """Keep the result of `sql/<name>.sql` as a temporary table that later queries read."""
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql(name)}", parameters)
