"""The analyst's survey upload: choose a file, check the detected mapping, import."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import require_page_role
from app.ingest.row_errors import ImportRefused
from app.ingest.survey_plan import FORMATS, SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import User
from app.pages import flash_redirect, render
from app.services.errors import ConflictError
from app.services.survey_uploads import (
    get_upload,
    import_upload,
    options_dict,
    preview_survey,
    saved_mapping,
    store_upload,
    upload_file,
)

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
analysts = require_page_role("analyst", "admin")


@router.get("/imports/survey")
def upload_page(request: Request, _user: User = Depends(analysts)) -> Response:
    return render(request, "imports/upload.html", {"formats": FORMATS, "error": None})


@router.post("/imports/survey", dependencies=[Depends(require_csrf)])
def upload_survey(
    request: Request,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    user: User = Depends(analysts),
) -> Response:
    content = file.file.read()
    if not content:
        return render(
            request,
            "imports/upload.html",
            {"formats": FORMATS, "error": "The file is empty."},
            status_code=422,
        )
    upload_id = store_upload(
        session, user=user, file_name=file.filename or "upload", content=content
    )
    from urllib.parse import urlencode

    return RedirectResponse(
        f"/imports/survey/{upload_id}?{urlencode({'name': name})}", status_code=303
    )


def _options(
    format: str,
    department_column: str,
    rating_columns: list[str],
    submitted_column: str,
    scale: str,
    date: str,
    replace: bool = False,
    skip_bad_rows: bool = False,
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
    )


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
    refused: ImportRefused | None = None,
    status_code: int = 200,
) -> Response:
    upload = get_upload(session, user=user, upload_id=upload_id)
    preview = None
    saved = False
    with upload_file(upload) as path:
        try:
            preview = preview_survey(
                session, path=path, options=options, file_name=upload.file_name
            )
            remembered = saved_mapping(session, signature=preview.signature) if use_saved else None
            if remembered is not None:
                options, saved = remembered, True
                preview = preview_survey(
                    session, path=path, options=options, file_name=upload.file_name
                )
        except FileFormatError as exc:
            error = error or str(exc)
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
            "refused": refused,
            "saved": saved,
        },
        block="preview",
        status_code=status_code,
    )


def _refused_page(
    request: Request,
    session: Session,
    user: User,
    upload_id: str,
    name: str,
    options: SurveyOptions,
    exc: Exception,
) -> Response:
    """The preview again with what was refused: the bad rows, or the one reason."""
    refused = exc if isinstance(exc, ImportRefused) else None
    error = None if refused else str(exc)
    return _preview_page(
        request,
        session,
        user,
        upload_id,
        name,
        options,
        use_saved=False,
        error=error,
        refused=refused,
        status_code=422,
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
    submitted_column: str = Query("", max_length=500),
    scale: str = Query("", max_length=2000),
    date: str = Query("", max_length=20),
    user: User = Depends(analysts),
) -> Response:
    try:
        options = _options(format, department_column, rating_columns, submitted_column, scale, date)
    except FileFormatError as exc:
        return _refused_page(request, session, user, upload_id, name, SurveyOptions(), exc)
    untouched = options == SurveyOptions(format="auto")
    return _preview_page(request, session, user, upload_id, name, options, use_saved=untouched)


@router.post("/imports/survey/{upload_id}/import", dependencies=[Depends(require_csrf)])
def import_preview(
    request: Request,
    upload_id: str,
    session: WriteSession,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    format: Annotated[str, Form(max_length=20)] = "auto",
    department_column: Annotated[str, Form(max_length=500)] = "",
    rating_columns: Annotated[list[str] | None, Form()] = None,
    submitted_column: Annotated[str, Form(max_length=500)] = "",
    scale: Annotated[str, Form(max_length=2000)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    replace: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    remember: Annotated[bool, Form()] = False,
    user: User = Depends(analysts),
) -> Response:
    try:
        options = _options(
            format,
            department_column,
            rating_columns or [],
            submitted_column,
            scale,
            date,
            replace,
            skip_bad_rows,
        )
    except FileFormatError as exc:
        return _refused_page(request, session, user, upload_id, name, SurveyOptions(), exc)
    try:
        result = import_upload(
            session, user=user, upload_id=upload_id, name=name, options=options, remember=remember
        )
    except (ImportRefused, ConflictError, FileFormatError) as exc:
        return _refused_page(request, session, user, upload_id, name, options, exc)
    from urllib.parse import quote

    code = "survey-unchanged" if result.status == "unchanged" else "survey-imported"
    return flash_redirect(request, f"/reports/{quote(result.survey)}", code)
