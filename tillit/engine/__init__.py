"""The engine: DuckDB SQL over the visit ledger and the reference tables, returning aggregates.

Each indicator is one `.sql` file in `sql/` whose header cites its definition
(docs/indicators.md). The engine computes; the quality app stores what it returns, and pages
read the stored results, never the ledger.
"""
