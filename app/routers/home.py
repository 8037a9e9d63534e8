"""Each role's home page."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.db import ReadSession
from app.deps import get_app_settings, page_user
from app.models import User
from app.pages import render
from app.services.home import home_summary
from app.services.schedules import list_schedules
from app.settings import Settings

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API


@router.get("/")
def home(
    request: Request,
    session: ReadSession,
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    summary = home_summary(session, user=user)
    walks_due = []
    if user.role == "leader":  # the leader's schedules, most pressing first
        order = {"overdue": 0, "due": 1, "upcoming": 2}
        walks_due = sorted(
            (v for v in list_schedules(session, user=user, settings=settings) if v.next),
            key=lambda v: (order.get(v.next.status, 3), v.next.due_from),  # type: ignore[union-attr]
        )
    return render(request, f"home/{user.role}.html", {"summary": summary, "walks_due": walks_due})
