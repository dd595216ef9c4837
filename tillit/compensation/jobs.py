"""Statement runs in the background, when a controller asks for one; and their progress.

The progress lives in Huey's own key-value store (the queue's SQLite file or Redis), which the
web and worker processes share; the page reads it to say "running: pricing" or "done".
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_task

from tillit.accounts.models import User
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.statements import statement_run

logger = logging.getLogger(__name__)


def _key(month: str) -> str:
    return f"tillit:statement-run:{month}"


def _report(month: str, **state: Any) -> None:
    HUEY.put(_key(month), {"month": month, "at": timezone.now().isoformat(), **state})


def statement_run_progress(month: Month) -> dict[str, Any] | None:
    """The month's latest run as the worker reported it: state queued/running/done/failed, stage,
    and when done how many statements were computed and how many changed."""
    return HUEY.get(_key(str(month)), peek=True)


@db_task()
def run_statements(month: str, user_id: int | None = None) -> None:
    """Compute the month's statements; each provider gets a new version only where something changed."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    _report(month, state="running", stage="")
    try:
        outcomes = statement_run(actor=actor, month=Month.parse(month),
                                 progress=lambda stage: _report(month, state="running", stage=stage))
    except ApplicationError as error:
        _report(month, state="failed", error=error.message)
    except Exception:  # the worker goes on; the page says the run failed
        logger.exception("The statement run of %s failed", month)
        _report(month, state="failed", error="")
    else:
        _report(month, state="done", statements=len(outcomes), changed=sum(1 for o in outcomes if o.changed))


def statement_run_queue(*, actor: Any, month: Month) -> None:
    """Queue a run once the caller's transaction has committed (it must see the new data)."""
    user_id = getattr(actor, "pk", None)

    def queue() -> None:
        _report(str(month), state="queued", stage="")
        run_statements(str(month), user_id)

    transaction.on_commit(queue)
