"""Huey's worker imports each app's `tasks` module (run_huey autodiscovers them): the jobs here."""

from tillit.compensation.jobs import run_statements  # noqa: F401
