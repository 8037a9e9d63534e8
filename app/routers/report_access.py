"""The report for a route: the cached report, or a 404 naming the missing round."""

from datetime import date
from typing import Any

from fastapi import HTTPException, Request
from sqlmodel import Session

from app.services.errors import NotFoundError
from app.services.reports import cached_report


def report_or_404(
    request: Request, session: Session, survey: str, as_of: date | None
) -> dict[str, Any]:
    """The round's report at the app's minimum group size; 404 for an unknown round."""
    try:
        return cached_report(
            session,
            survey=survey,
            as_of=as_of,
            min_group_size=request.app.state.settings.min_group_size,
        )
    except NotFoundError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
