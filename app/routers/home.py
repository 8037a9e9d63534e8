"""Each role's home page."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import get_session
from app.deps import page_user
from app.models import User
from app.pages import render
from app.services.home import home_summary

router = APIRouter()


@router.get("/")
def home(
    request: Request, user: User = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    summary = home_summary(session, user=user)
    return render(request, f"home/{user.role}.html", {"summary": summary})
