"""Reading large delivery files in the background, with the stage reported as it goes.

Jobs take ids, are idempotent (a finished job is not run again) and are thin wrappers around
the services: the work is DECIDERS[kind].load, the same as `tillit import`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from huey.contrib.djhuey import db_task

from tillit.common.errors import ApplicationError
from tillit.deliveries.importers import DECIDERS
from tillit.deliveries.models import UploadJob

logger = logging.getLogger(__name__)


def incoming_dir() -> Path:
    path = Path(settings.DATA_DIR) / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_job_create(*, actor: Any, kind: str, path: Path, file_name: str, organisation: Any,
                      options: dict[str, Any]) -> UploadJob:
    """Record the received file and queue it for the worker."""
    job = UploadJob.objects.create(
        kind=kind, file_name=file_name, path=str(path), options=options,
        requested_by=actor if getattr(actor, "pk", None) else None, organisation=organisation,
    )
    run_upload_job(job.pk)
    return job


@db_task()
def run_upload_job(job_id: int) -> None:
    """Load the job's file; every outcome, even a crash, ends on the job so the page can say it.

    (db_task closes stale database connections around the task, as a long-lived worker needs.)
    """
    job = UploadJob.objects.select_related("requested_by", "organisation").filter(pk=job_id).first()
    if job is None or job.state in (UploadJob.State.DONE, UploadJob.State.FAILED):
        return
    UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.RUNNING, stage="reading")
    provider = getattr(job.organisation, "provider", None) if job.organisation else None
    try:
        result = DECIDERS[job.kind].load(
            actor=job.requested_by, path=Path(job.path), file_name=job.file_name, provider=provider,
            complete=bool(job.options.get("complete")), period=None,
            accept_valid=bool(job.options.get("accept_valid")),
            progress=lambda stage: UploadJob.objects.filter(pk=job.pk).update(stage=stage),
        )
    except ApplicationError as error:
        UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.FAILED, message=error.message)
    except Exception:  # the page must never wait forever on a job that died
        logger.exception("upload job %s failed", job.pk)
        UploadJob.objects.filter(pk=job.pk).update(
            state=UploadJob.State.FAILED, message="The file could not be loaded because of an internal error; "
                                                  "the administrators can find it in the worker's log."
        )
    else:
        UploadJob.objects.filter(pk=job.pk).update(
            state=UploadJob.State.DONE, stage="", delivery=result.delivery, already_delivered=result.already_delivered
        )
    finally:
        Path(job.path).unlink(missing_ok=True)  # the delivery keeps its own copy
