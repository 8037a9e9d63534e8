"""Each role's home page."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.db import ReadSession
from app.deps import page_user
from app.models import User
from app.pages import render
from app.services.home import home_summary

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


@router.get("/")
def home(
    request: Request,
    session: ReadSession,
    user: User = Depends(page_user),
) -> Response:
    summary = home_summary(session, user=user)
    return render(request, f"home/{user.role}.html", {"summary": summary})
