"""API: survey rounds, and importing an export into one."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from app.db import ReadSession, WriteSession
from app.deps import require_api_role
from app.ingest.survey_options import SurveyOptions
from app.models import SurveyPublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.models.report import SurveyImportPublic
from app.services.survey_publishing import publish_survey, sees_drafts, withdraw_survey
from app.services.surveys import import_survey, list_surveys
from app.services.uploads import on_disk, shown_name

router = APIRouter(prefix="/api/v1", tags=["surveys"], responses=ERROR_RESPONSES)


@router.get("/surveys", response_model=ItemList[SurveyPublic])
def get_surveys(
    session: ReadSession,
    user: User = Depends(require_api_role("analyst", "executive", "admin")),
) -> ItemList[SurveyPublic]:
    """The survey rounds imported, newest first, with their counts (executives: published
    rounds only)."""
    rounds = list_surveys(session, published_only=not sees_drafts(user.role))
    items = [SurveyPublic.model_validate(s) for s in rounds]
    return ItemList[SurveyPublic](items=items, total=len(items))


# `:path` (here and below): a round's name may hold a slash ("Pulse 09/2026"), sent as %2F or not.
@router.post("/surveys/{name:path}/import", response_model=SurveyImportPublic)
def post_survey_import(
    name: str,
    file: Annotated[UploadFile, File()],
    session: WriteSession,
    format: Annotated[str, Form(max_length=20)] = "auto",
    department_column: Annotated[str | None, Form(max_length=500)] = None,
    rating_columns: Annotated[str | None, Form(max_length=5000)] = None,
    rating_column: Annotated[list[str] | None, Form(max_length=500)] = None,
    reversed_columns: Annotated[str | None, Form(max_length=5000)] = None,
    submitted_column: Annotated[str | None, Form(max_length=500)] = None,
    scale: Annotated[list[str] | None, Form(max_length=2000)] = None,
    round_date: Annotated[str | None, Form(alias="date", max_length=20)] = None,
    replace: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    new_responses_only: Annotated[bool, Form()] = False,
    publish: Annotated[bool, Form()] = False,
    user: User = Depends(require_api_role("analyst", "admin")),
) -> SurveyImportPublic:
    """Import one survey export (multipart), with the command line's rules and options."""
    options = SurveyOptions.from_inputs(
        format=format,
        department_column=department_column,
        rating_column=rating_column or (),
        rating_columns=[rating_columns] if rating_columns else (),
        submitted_column=submitted_column,
        scale=scale or (),
        round_date=round_date,
        replace=replace,
        skip_bad_rows=skip_bad_rows,
        reversed_columns=[reversed_columns] if reversed_columns else (),
        new_responses_only=new_responses_only,
    )
    display = shown_name(file)
    with on_disk(file.file) as path:
        result = import_survey(
            session,
            path=path,
            name=name,
            options=options,
            display_name=display,
            actor_id=user.id,
        )
    if publish:
        publish_survey(session, name=result.survey, actor_id=user.id)
    return SurveyImportPublic(
        survey=result.survey,
        status=result.status,
        format=result.format,
        responses=result.responses,
        partials=result.partials,
        previews=result.previews,
        partials_without_department=result.partials_without_department,
        round_date=result.round_date.isoformat() if result.round_date else None,
        departments={
            k: {"responses": v[0], "partials": v[1]} for k, v in result.by_department.items()
        },
        skipped=[
            {"line": e.line, "row": e.sheet_row, "field": e.field, "message": e.message}
            for e in result.skipped
        ],
        ratings=[
            {"column": c, "question": q, "scale": scale, "note": note}
            for c, q, scale, note in result.ratings
        ],
        left_out=[{"column": c, "question": q, "why": why} for c, q, why in result.left_out],
        warnings=list(result.warnings),
        earlier_left_out=result.earlier_left_out,
    )


@router.post("/surveys/{name:path}/publish", response_model=SurveyPublic)
def post_survey_publish(
    name: str,
    session: WriteSession,
    user: User = Depends(require_api_role("analyst", "admin")),
) -> SurveyPublic:
    """Show a draft round to executives (publishing a published round changes nothing)."""
    return SurveyPublic.model_validate(publish_survey(session, name=name, actor_id=user.id))


@router.post("/surveys/{name:path}/withdraw", response_model=SurveyPublic)
def post_survey_withdraw(
    name: str,
    session: WriteSession,
    user: User = Depends(require_api_role("analyst", "admin")),
) -> SurveyPublic:
    """Make a round a draft again: executives no longer see it."""
    return SurveyPublic.model_validate(withdraw_survey(session, name=name, actor_id=user.id))
