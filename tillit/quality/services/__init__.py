"""Writes of the quality app: declarations and indicator runs."""

from tillit.quality.services.declarations import (
    quality_declaration_standard, quality_rule_delete, quality_rule_set, quality_terms_update,
)
from tillit.quality.services.runs import indicator_run, indicator_runs

__all__ = [
    "indicator_run", "indicator_runs", "quality_declaration_standard", "quality_rule_delete", "quality_rule_set",
    "quality_terms_update",
]
