"""The survey preview: the mapping detected in an uploaded export, checked and changed by the
analyst, then imported in the background while a page follows the job."""

import json
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.ingest.survey_options import FORMATS, SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import User
from app.pages import render
from app.routers.imports import NEW_DEPARTMENT, analysts, form_options
from app.services.errors import NotFoundError
from app.services.import_jobs import (
    get_import_job,
    job_result,
    job_state,
    run_import_job,
    start_import_job,
)
from app.services.survey_uploads import (
    SurveyPreview,
    get_upload,
    options_dict,
    preview_survey,
    saved_mapping,
    upload_columns,
)
from app.services.uploads import on_disk

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


def _new_departments(
    alias_name: list[str], alias_target: list[str], alias_headcount: list[str]
) -> tuple[tuple[str, int], ...]:
    """The unknown names the analyst chose to add, with the headcount given for each."""
    added = []
    for name, target, headcount in zip(alias_name, alias_target, alias_headcount, strict=False):
        if target != NEW_DEPARTMENT:
            continue
        if not headcount.strip().isdigit() or len(name.strip()) > 200:
            raise FileFormatError(
                f"department {name!r}: give its headcount, a whole number of 0 or more"
            )
        added.append((name, int(headcount)))
    return tuple(added)


def _alias_rows(
    preview: SurveyPreview | None, options: SurveyOptions
) -> list[tuple[str, int | None]]:
    """The names to map: those the directory lacks (with their rows), then those already
    mapped to a department (no longer unknown, still changeable)."""
    if preview is None:
        return []
    rows: list[tuple[str, int | None]] = list(preview.unknown_departments)
    listed = {name for name, _ in rows}
    rows += [(name, None) for name, _ in options.department_aliases if name not in listed]
    return rows


def _preview_page(
    request: Request,
    session: Session,
    user: User,
    upload_id: str,
    name: str,
    options: SurveyOptions,
    *,
    use_saved: bool,
    error: str | None = None,
    status_code: int = 200,
    headcounts: dict[str, str] | None = None,
) -> Response:
    upload = get_upload(session, user=user, upload_id=upload_id)
    preview = None
    saved = False
    columns: list[str] = []
    not_kept: list[str] = []
    with on_disk(upload.content) as path:
        try:
            columns, not_kept = upload_columns(path, upload, options)
            if not not_kept:
                preview = preview_survey(
                    session, path=path, options=options, file_name=upload.file_name, name=name
                )
                remembered = (
                    saved_mapping(session, signature=preview.signature) if use_saved else None
                )
                if remembered is not None and not upload_columns(path, upload, remembered)[1]:
                    options, saved = remembered, True
                    preview = preview_survey(
                        session, path=path, options=options, file_name=upload.file_name, name=name
                    )
        except FileFormatError as exc:
            error = error or str(exc)
    if not_kept:
        error = error or (
            f"This mapping uses {', '.join(repr(c) for c in not_kept)}, whose answers were not "
            "kept with the upload: only the columns a mapping uses are kept. Choose the file "
            "again below to preview it this way."
        )
    return render(
        request,
        "imports/preview.html",
        {
            "upload": upload,
            "upload_id": upload_id,
            "name": name,
            "preview": preview,
            "options": options_dict(options),
            "formats": FORMATS,
            "error": error,
            "saved": saved,
            "new_department": NEW_DEPARTMENT,
            "headcounts": headcounts or {},
            "alias_rows": _alias_rows(preview, options),
            "emptied": json.loads(upload.emptied),
            "columns": columns,
            "not_kept": not_kept,
        },
        block="preview",
        status_code=status_code,
    )


def _mapping_refused(
    request: Request,
    session: Session,
    user: User,
    upload_id: str,
    name: str,
    exc: FileFormatError,
    headcounts: dict[str, str] | None = None,
) -> Response:
    """The preview again, with what is wrong in the chosen mapping (422): the file as first
    read, nothing imported."""
    return _preview_page(
        request,
        session,
        user,
        upload_id,
        name,
        SurveyOptions(),
        use_saved=False,
        error=str(exc),
        status_code=422,
        headcounts=headcounts,
    )


@router.get("/imports/survey/{upload_id}")
def preview_page(
    request: Request,
    upload_id: str,
    session: ReadSession,
    name: str = Query("", max_length=200),
    format: str = Query("auto", max_length=20),
    department_column: str = Query("", max_length=500),
    rating_columns: list[str] = Query([]),
    reversed_columns: list[str] = Query([]),
    submitted_column: str = Query("", max_length=500),
    scale: str = Query("", max_length=2000),
    date: str = Query("", max_length=20),
    alias_name: list[str] = Query([]),
    alias_target: list[str] = Query([]),
    alias_headcount: list[str] = Query([]),
    user: User = Depends(analysts),
) -> Response:
    try:
        options = form_options(
            format,
            department_column,
            rating_columns,
            submitted_column,
            scale,
            date,
            alias_name,
            alias_target,
            reversed_columns=reversed_columns,
        )
    except FileFormatError as exc:
        return _mapping_refused(request, session, user, upload_id, name, exc)
    untouched = options == SurveyOptions(format="auto")
    headcounts = dict(zip(alias_name, alias_headcount, strict=False))
    return _preview_page(
        request,
        session,
        user,
        upload_id,
        name,
        options,
        use_saved=untouched,
        headcounts=headcounts,
    )


@router.post("/imports/survey/{upload_id}/import", dependencies=[Depends(require_csrf)])
def import_preview(
    request: Request,
    upload_id: str,
    session: WriteSession,
    background: BackgroundTasks,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    format: Annotated[str, Form(max_length=20)] = "auto",
    department_column: Annotated[str, Form(max_length=500)] = "",
    rating_columns: Annotated[list[str] | None, Form()] = None,
    reversed_columns: Annotated[list[str] | None, Form()] = None,
    submitted_column: Annotated[str, Form(max_length=500)] = "",
    scale: Annotated[str, Form(max_length=2000)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    alias_name: Annotated[list[str] | None, Form()] = None,
    alias_target: Annotated[list[str] | None, Form()] = None,
    alias_headcount: Annotated[list[str] | None, Form()] = None,
    replace: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    new_responses_only: Annotated[bool, Form()] = False,
    remember: Annotated[bool, Form()] = False,
    user: User = Depends(analysts),
) -> Response:
    """Start the import in the background and show its progress page."""
    names, targets = alias_name or [], alias_target or []
    try:
        options = form_options(
            format,
            department_column,
            rating_columns or [],
            submitted_column,
            scale,
            date,
            names,
            targets,
            replace,
            skip_bad_rows,
            reversed_columns=reversed_columns or [],
            new_responses_only=new_responses_only,
        )
        added = _new_departments(names, targets, alias_headcount or [])
    except FileFormatError as exc:
        headcounts = dict(zip(names, alias_headcount or [], strict=False))
        return _mapping_refused(request, session, user, upload_id, name, exc, headcounts)
    job = start_import_job(
        session,
        user=user,
        upload_id=upload_id,
        name=name,
        options=options,
        remember=remember,
        new_departments=added,
    )
    # Runs once the job's row is committed and this response has gone.
    background.add_task(run_import_job, request.app.state.engine, job.id)
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}")
def import_job_page(
    request: Request, job_id: str, session: ReadSession, user: User = Depends(analysts)
) -> Response:
    """How far the import has got; the page polls itself until the job ends."""
    job = get_import_job(session, user=user, job_id=job_id)
    state = job_state(job)
    result = job_result(job)
    upload_left = False
    if state in ("refused", "failed", "interrupted"):
        try:
            get_upload(session, user=user, upload_id=job.upload_id)
            upload_left = True
        except NotFoundError:
            upload_left = False
    return render(
        request,
        "imports/job.html",
        {"job": job, "state": state, "result": result, "upload_left": upload_left},
        block="job",
    )
