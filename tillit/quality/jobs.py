"""Indicator runs in the background: after each import, and when a controller asks for one."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from huey.contrib.djhuey import db_task

from tillit.accounts.models import User
from tillit.common.periods import Month
from tillit.quality.selectors import TREND_MONTHS, measured_months
from tillit.quality.services import indicator_run

logger = logging.getLogger(__name__)


@db_task()
def run_indicators(month: str, user_id: int | None = None, reason: str = "manual") -> None:
    """Compute and store a month's indicators (a run again replaces the month's results)."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        indicator_run(actor=actor, month=Month.parse(month), reason=reason)
    except Exception:  # the run is marked failed with its error; the worker goes on
        logger.exception("The indicator run of %s failed", month)


def indicator_run_queue(*, actor: Any, month: Month, reason: str = "manual") -> None:
    """Queue a run once the caller's transaction has committed (it must see the new data)."""
    user_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: run_indicators(str(month), user_id, reason))


def refresh_after_delivery(sender: Any, *, delivery: Any, months: list[str] | None, **kwargs: Any) -> None:
    """Keep stored figures current: the months a visit delivery touched, or, after care data,
    every month measured within the trend window (deadlines reach back that far)."""
    if not settings.TILLIT_QUALITY_AUTORUN:
        return
    if months is None:
        recent = measured_months()[:TREND_MONTHS + 1]
        months = recent
    for month in months:
        indicator_run_queue(actor=None, month=Month.parse(month), reason="import")
