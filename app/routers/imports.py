"""The analyst's survey upload: the department list, and a survey export to preview
(`import_preview` shows the detected mapping and imports it)."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import FORMATS, SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import User
from app.pages import flash_redirect, render
from app.services.departments import import_departments, list_departments
from app.services.import_jobs import (
    job_state,
    recent_import_jobs,
)
from app.services.survey_uploads import (
    store_upload,
)
from app.services.uploads import on_disk, shown_name

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
analysts = require_page_role("analyst", "admin")


NEW_DEPARTMENT = "__new__"


def _upload_page(
    request: Request,
    session: Session,
    user: User,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    departments = list_departments(session)
    return render(
        request,
        "imports/upload.html",
        {
            "formats": FORMATS,
            "error": error,
            "departments": len(departments),
            "people": sum(d.headcount for d in departments),
            "jobs": [(job, job_state(job)) for job in recent_import_jobs(session, user=user)],
        },
        status_code=status_code,
    )


@router.get("/imports/survey")
def upload_page(request: Request, session: ReadSession, user: User = Depends(analysts)) -> Response:
    return _upload_page(request, session, user)


@router.post("/imports/departments", dependencies=[Depends(require_csrf)])
def upload_departments(
    request: Request,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    user: User = Depends(analysts),
) -> Response:
    """The department list with headcounts, from the browser (as `import departments`)."""
    name = shown_name(file, "departments.csv")
    with on_disk(file.file) as path:
        try:
            import_departments(session, path=path, display_name=name, actor_id=user.id)
        except (ImportRefused, FileFormatError) as exc:
            return _upload_page(request, session, user, error=str(exc), status_code=422)
    return flash_redirect(request, "/imports/survey", "departments-imported")


@router.post("/imports/survey", dependencies=[Depends(require_csrf)])
def upload_survey(
    request: Request,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    format: Annotated[str | None, Form(max_length=20)] = None,
    department_column: Annotated[str, Form(max_length=500)] = "",
    rating_columns: Annotated[list[str] | None, Form()] = None,
    reversed_columns: Annotated[list[str] | None, Form()] = None,
    submitted_column: Annotated[str, Form(max_length=500)] = "",
    scale: Annotated[str, Form(max_length=2000)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    alias_name: Annotated[list[str] | None, Form()] = None,
    alias_target: Annotated[list[str] | None, Form()] = None,
    alias_headcount: Annotated[list[str] | None, Form()] = None,
    replaces: Annotated[str, Form(max_length=100)] = "",
    user: User = Depends(analysts),
) -> Response:
    """A new export, or the same one chosen again for a mapping that uses columns the first
    upload did not keep (the form then carries that mapping, and the upload it replaces)."""
    content = file.file.read()
    if not content:
        return _upload_page(request, session, user, error="The file is empty.", status_code=422)
    mapping: dict[str, str | list[str]] = {
        "format": format or "auto",
        "department_column": department_column,
        "rating_columns": rating_columns or [],
        "reversed_columns": reversed_columns or [],
        "submitted_column": submitted_column,
        "scale": scale,
        "date": date,
        "alias_name": alias_name or [],
        "alias_target": alias_target or [],
    }
    try:
        options = None
        if format is not None:  # the preview's form: its mapping, as the preview reads it
            options = form_options(
                format,
                department_column,
                rating_columns or [],
                submitted_column,
                scale,
                date,
                alias_name or [],
                alias_target or [],
                reversed_columns=reversed_columns or [],
            )
        upload_id = store_upload(
            session,
            user=user,
            file_name=shown_name(file),
            content=content,
            options=options,
            replaces=replaces,
        )
    except FileFormatError as exc:
        return _upload_page(request, session, user, error=str(exc), status_code=422)
    from urllib.parse import urlencode

    mapping["alias_headcount"] = alias_headcount or []
    query = {"name": name} | ({k: v for k, v in mapping.items() if v} if options else {})
    return RedirectResponse(
        f"/imports/survey/{upload_id}?{urlencode(query, doseq=True)}", status_code=303
    )


def form_options(
    format: str,
    department_column: str,
    rating_columns: list[str],
    submitted_column: str,
    scale: str,
    date: str,
    alias_name: list[str],
    alias_target: list[str],
    replace: bool = False,
    skip_bad_rows: bool = False,
    *,
    reversed_columns: list[str],
    new_responses_only: bool = False,
) -> SurveyOptions:
    return SurveyOptions.from_inputs(
        format=format,
        department_column=department_column,
        rating_column=rating_columns,  # ticked one by one: a name may hold commas
        submitted_column=submitted_column,
        scale=[scale],
        round_date=date,
        replace=replace,
        skip_bad_rows=skip_bad_rows,
        reversed_column=reversed_columns,  # ticked one by one, as the ratings are
        new_responses_only=new_responses_only,
        # A name added as a new department maps to itself once it is in the directory.
        department_aliases=[
            (a, a if t == NEW_DEPARTMENT else t)
            for a, t in zip(alias_name, alias_target, strict=False)
        ],
    )
