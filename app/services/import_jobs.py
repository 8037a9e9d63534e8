"""Survey imports from the browser run as jobs: the request only records the job, a
background task runs the import in one transaction, and the job's row (in the database, so
any worker can show it) tells the page how far it has got and how it ended."""

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import ImportJob, User
from app.models.types import utcnow
from app.services.errors import ConflictError, NotFoundError
from app.services.survey_uploads import get_upload, import_upload
from app.services.surveys import SurveyImportResult

# A job that has said nothing for this long died with its worker: the import's transaction
# was rolled back with it, so nothing of it was kept.
STALE_AFTER = timedelta(minutes=15)
PROGRESS_EVERY_SECONDS = 1.0


def start_import_job(
    session: Session,
    *,
    user: User,
    upload_id: str,
    name: str,
    options: SurveyOptions,
    remember: bool,
    new_departments: tuple[tuple[str, int], ...] = (),
) -> ImportJob:
    """Record an import to run; the upload must still be there."""
    upload = get_upload(session, user=user, upload_id=upload_id)
    assert user.id is not None
    job = ImportJob(
        id=secrets.token_urlsafe(18),
        user_id=user.id,
        upload_id=upload_id,
        survey_name=name.strip(),
        file_name=upload.file_name,
        options=json.dumps({"options": asdict(options), "new_departments": new_departments}),
        remember=remember,
    )
    session.add(job)
    session.flush()
    return job


def recent_import_jobs(session: Session, *, user: User, limit: int = 10) -> list[ImportJob]:
    """The user's latest imports, newest first, to come back to."""
    return list(
        session.exec(
            select(ImportJob)
            .where(ImportJob.user_id == user.id)
            .order_by(col(ImportJob.created_at).desc())
            .limit(limit)
        )
    )


def done_result(result: SurveyImportResult) -> dict[str, Any]:
    """What a finished job keeps of its import, for its page."""
    return {
        "survey": result.survey,
        "status": result.status,
        "summary": result.summary(),
        "responses": result.responses,
        "partials": result.partials,
        "partials_without_department": result.partials_without_department,
        "warnings": list(result.warnings),
        "earlier_left_out": result.earlier_left_out,
        "earlier_rounds": result.earlier_rounds,
    }


def record_import_job(
    session: Session, *, user: User, file_name: str, result: SurveyImportResult
) -> ImportJob:
    """A job for an import that ran elsewhere (the demo's), so it is listed with the rest."""
    assert user.id is not None
    job = ImportJob(
        id=secrets.token_urlsafe(18),
        user_id=user.id,
        upload_id="",
        survey_name=result.survey,
        file_name=file_name,
        options="{}",
        status="done",
        done_rows=result.responses + result.partials,
        total_rows=result.responses + result.partials,
        message=json.dumps(done_result(result)),
    )
    session.add(job)
    session.flush()
    return job


def get_import_job(session: Session, *, user: User, job_id: str) -> ImportJob:
    """The user's own job (admins: any)."""
    job = session.get(ImportJob, job_id)
    if job is None or (job.user_id != user.id and user.role != "admin"):
        raise NotFoundError("no such import")
    return job


def job_state(job: ImportJob) -> str:
    """The job's status as the page shows it: a running job gone silent was interrupted."""
    if job.status in ("queued", "running") and job.updated_at < utcnow() - STALE_AFTER:
        return "interrupted"
    return job.status


def job_result(job: ImportJob) -> dict[str, Any]:
    """What the job ended with: the import's summary, or why it was refused."""
    return json.loads(job.message) if job.message else {}


def _progress_writer(engine: Engine, job_id: str) -> Callable[[int, int], None] | None:
    """Progress written beside the import's own transaction. SQLite lets one writer in at a
    time and the import is that writer, so there the page shows the job running, uncounted."""
    if engine.dialect.name == "sqlite":
        return None
    last = [0.0]

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and done < total:
            return
        last[0] = now
        with unit_of_work(engine) as session:
            session.execute(
                update(ImportJob)
                .where(col(ImportJob.id) == job_id)
                .values(done_rows=done, total_rows=total, updated_at=utcnow())
            )

    return write


def _finish(engine: Engine, job_id: str, status: str, result: dict[str, Any]) -> None:
    with unit_of_work(engine) as session:
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(status=status, message=json.dumps(result), updated_at=utcnow())
        )


def run_import_job(engine: Engine, job_id: str) -> None:
    """Run a recorded import to its end (a background task): done, refused with the reasons,
    or failed; the import itself is all or nothing."""
    with unit_of_work(engine) as session:
        job = session.get(ImportJob, job_id)
        if job is None or job.status != "queued":
            return
        job.status, job.updated_at = "running", utcnow()
        session.add(job)
    stored = json.loads(job.options)
    options = SurveyOptions.from_fields(stored["options"])
    new_departments = tuple((str(n), int(h)) for n, h in stored["new_departments"])
    try:
        with unit_of_work(engine) as session:
            user = session.get(User, job.user_id)
            if user is None:
                raise NotFoundError("the analyst who started this import is gone")
            result = import_upload(
                session,
                user=user,
                upload_id=job.upload_id,
                name=job.survey_name,
                options=options,
                remember=job.remember,
                new_departments=new_departments,
                progress=_progress_writer(engine, job_id),
            )
    except ImportRefused as exc:
        errors = exc.errors
        _finish(
            engine,
            job_id,
            "refused",
            {
                "reason": f"{errors.row_count} bad row{'s' if errors.row_count != 1 else ''}",
                "problems": [str(g) for g in errors.groups()],
            },
        )
        return
    except (FileFormatError, ConflictError, NotFoundError) as exc:
        _finish(engine, job_id, "refused", {"reason": str(exc), "problems": []})
        return
    except Exception as exc:  # the page must say it ended; the error is logged as well
        _finish(engine, job_id, "failed", {"reason": type(exc).__name__, "problems": []})
        raise
    _finish(engine, job_id, "done", done_result(result))
