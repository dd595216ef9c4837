"""Kolada syncs in the background: the page queues one and follows its stage.

Thin, idempotent wrappers around the services: a sync that is done or failed is not run again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from huey.contrib.djhuey import db_task

from tillit.benchmarks.models import KoladaSync
from tillit.benchmarks.services import load_directory, sync_fail, sync_request, sync_run
from tillit.common.errors import ApplicationError

logger = logging.getLogger(__name__)


def sync_queue(*, actor: Any, options: dict[str, Any] | None = None) -> KoladaSync:
    """Record a sync from Kolada's API and hand it to the worker."""
    sync = sync_request(actor=actor, options=options)
    run_kolada_sync(sync.pk)
    return sync


@db_task()
def run_kolada_sync(sync_id: int) -> None:
    """Run one sync; every outcome, even a crash, ends on the sync so the page can say it."""
    sync = KoladaSync.objects.select_related("requested_by").filter(pk=sync_id).first()
    if sync is None or sync.state in (KoladaSync.State.DONE, KoladaSync.State.FAILED):
        return
    KoladaSync.objects.filter(pk=sync.pk).update(state=KoladaSync.State.RUNNING)

    def progress(stage: str) -> None:
        KoladaSync.objects.filter(pk=sync.pk).update(stage=stage)

    try:
        if sync.source == KoladaSync.Source.FILES:
            load_directory(actor=sync.requested_by, directory=Path(sync.options["directory"]), sync=sync)
        else:
            sync_run(sync=sync, progress=progress)
    except ApplicationError as error:
        sync_fail(sync=sync, message=error.message)
    except Exception:  # the page must never wait forever on a job that died
        logger.exception("Kolada sync %s failed", sync.pk)
        sync_fail(sync=sync, message="The sync stopped because of an internal error; the administrators can find "
                                     "it in the worker's log.")
