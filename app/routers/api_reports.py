"""API: survey import and the bias report."""

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from app.db import WriteSession
from app.deps import require_api_role
from app.ingest.row_errors import ImportRefused
from app.ingest.survey_plan import SurveyOptions
from app.models import User
from app.services.errors import ServiceError
from app.services.heatmaps import HEATMAP_METRICS, report_heatmap
from app.services.reports import cached_report
from app.services.surveys import import_survey

router = APIRouter(prefix="/api/v1", tags=["surveys and reports"])


@router.post("/surveys/{name}/import")
def post_survey_import(
    name: str,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    format: Annotated[str, Form(max_length=20)] = "auto",
    department_column: Annotated[str | None, Form(max_length=500)] = None,
    rating_columns: Annotated[str | None, Form(max_length=5000)] = None,
    submitted_column: Annotated[str | None, Form(max_length=500)] = None,
    scale: Annotated[str | None, Form(max_length=2000)] = None,
    round_date: Annotated[str | None, Form(alias="date", max_length=20)] = None,
    replace: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    user: User = Depends(require_api_role("analyst", "admin")),
) -> dict[str, Any]:
    """Import one survey export (multipart), with the command line's rules and options."""
    options = SurveyOptions(
        format=format,
        department_column=department_column or None,
        rating_columns=tuple(c.strip() for c in (rating_columns or "").split(",") if c.strip()),
        submitted_column=submitted_column or None,
        scales=(scale,) if scale else (),
        round_date=round_date or None,
        replace=replace,
        skip_bad_rows=skip_bad_rows,
    )
    display = Path(file.filename or "upload").name[:255]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        try:
            result = import_survey(
                session,
                path=path,
                name=name,
                options=options,
                display_name=display,
                actor_id=user.id,
            )
        except ValueError as exc:  # an option the file cannot take (a date, a scale)
            if isinstance(exc, ImportRefused):
                raise
            raise ServiceError(str(exc)) from exc
    return {
        "survey": result.survey,
        "status": result.status,
        "format": result.format,
        "responses": result.responses,
        "partials": result.partials,
        "previews": result.previews,
        "round_date": result.round_date.isoformat() if result.round_date else None,
        "departments": {
            k: {"responses": v[0], "partials": v[1]} for k, v in result.by_department.items()
        },
        "skipped": [
            {"line": e.line, "field": e.field, "message": e.message} for e in result.skipped
        ],
    }


@router.get("/reports/{survey}")
def get_report(
    request: Request,
    survey: str,
    session: WriteSession,
    as_of: date | None = None,
    _user: User = Depends(require_api_role("analyst", "executive", "admin")),
) -> dict[str, Any]:
    """The bias report (contract section 4); small groups already hidden."""
    return cached_report(
        session,
        survey=survey,
        as_of=as_of,
        min_group_size=request.app.state.settings.min_group_size,
    )


@router.get("/reports/{survey}/heatmap")
def get_heatmap(
    request: Request,
    survey: str,
    session: WriteSession,
    metric: str = Query("gap", pattern="^(" + "|".join(HEATMAP_METRICS) + ")$"),
    relative: bool = True,
    as_of: date | None = None,
    _user: User = Depends(require_api_role("analyst", "executive", "admin")),
) -> dict[str, Any]:
    """One metric per department as a plotly figure (plain JSON arrays; hidden cells null)."""
    report = cached_report(
        session,
        survey=survey,
        as_of=as_of,
        min_group_size=request.app.state.settings.min_group_size,
    )
    return report_heatmap(report, metrics=[metric], relative=relative)
