"""Liveness with a database check."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.db import get_session
from app.services.health import database_answers

router = APIRouter()


@router.get("/healthz")
def healthz(session: Session = Depends(get_session)) -> JSONResponse:
    """200 when the database answers, 503 when it does not."""
    if database_answers(session):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "error", "detail": "database unavailable"}, status_code=503)
