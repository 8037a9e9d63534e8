"""Liveness with a database check."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.db import ReadSession
from app.services.health import database_answers

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: ReadSession) -> JSONResponse:
    """200 when the database answers, 503 when it does not."""
    if database_answers(session):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "error", "detail": "database unavailable"}, status_code=503)
