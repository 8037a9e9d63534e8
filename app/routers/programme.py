"""The walk programme in the browser: schedules and coverage, a leader's calendar feed and
reminder choice."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from app.csrf import require_csrf
from app.db import ReadSession, WriteSession
from app.deps import get_app_settings, page_user, require_page_role
from app.models import ScheduleCreate, User
from app.pages import app_base_url, flash_redirect, render
from app.services.calendar import calendar_ics, feed_user, has_feed, new_feed, revoke_feed
from app.services.errors import NotFoundError, ServiceError
from app.services.heard import who_was_heard
from app.services.schedules import (
    coverage,
    coverage_by_quarter,
    create_schedule,
    delete_schedule,
    list_schedules,
    local_today,
    schedule_choices,
    set_reminders,
)
from app.settings import Settings

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
admins = require_page_role("admin")
COVERAGE_DAYS = 365


def _programme_page(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    *,
    error: str | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today(settings)
    views = list_schedules(session, user=user, settings=settings, today=today)
    since = today - timedelta(days=COVERAGE_DAYS)
    by_department, by_leader = coverage(views, since=since)
    by_quarter = coverage_by_quarter(views, since=since)
    context: dict[str, object] = {
        "views": views,
        "today": today,
        "since": since,
        "by_department": by_department,
        "by_leader": by_leader,
        "by_quarter": by_quarter,
        "error": error,
        "form": form or {"every_days": 28, "window_days": 14, "starts_on": today.isoformat()},
    }
    if user.role != "leader":
        context["heard"] = who_was_heard(session, user=user, today=today)
    if user.role == "admin":
        context["departments"], context["leaders"] = schedule_choices(session)
    return render(request, "programme/index.html", context, status_code=status_code)


@router.get("/programme")
def programme_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """A leader's schedules; for the others, coverage per department and per leader."""
    return _programme_page(request, session, user, settings)


@router.post("/programme/schedules", dependencies=[Depends(require_csrf)])
def add_schedule(
    request: Request,
    session: WriteSession,
    department: str = Form("", max_length=200),
    leaders: list[str] = Form([]),
    every_days: str = Form("", max_length=10),
    window_days: str = Form("", max_length=10),
    starts_on: str = Form("", max_length=20),
    admin: User = Depends(admins),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    form: dict[str, object] = {
        "department": department,
        "leaders": leaders,
        "every_days": every_days,
        "window_days": window_days,
        "starts_on": starts_on,
    }
    try:
        data = ScheduleCreate.model_validate(form)
        create_schedule(session, data=data, actor_id=admin.id)
    except ValidationError as exc:
        where = ", ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return _programme_page(
            request, session, admin, settings, error=where, form=form, status_code=422
        )
    except ServiceError as exc:
        return _programme_page(
            request, session, admin, settings, error=str(exc), form=form, status_code=422
        )
    return flash_redirect(request, "/programme", "schedule-added")


@router.post("/programme/schedules/{schedule_id}/delete", dependencies=[Depends(require_csrf)])
def remove_schedule(
    request: Request, schedule_id: int, session: WriteSession, admin: User = Depends(admins)
) -> Response:
    delete_schedule(session, schedule_id=schedule_id, actor_id=admin.id)
    return flash_redirect(request, "/programme", "schedule-removed")


def _account_page(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    *,
    feed_url: str | None = None,
) -> Response:
    return render(
        request,
        "programme/account.html",
        {
            "feed_url": feed_url,
            "has_feed": has_feed(session, user=user),
            "reminders_on": not user.reminders_off,
        },
    )


@router.get("/account/calendar")
def account_calendar(
    request: Request,
    session: ReadSession,
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """Your calendar feed and reminder e-mails."""
    return _account_page(request, session, user, settings)


@router.post("/account/calendar", dependencies=[Depends(require_csrf)])
def account_new_feed(
    request: Request,
    session: WriteSession,
    user: User = Depends(page_user),
    settings: Settings = Depends(get_app_settings),
) -> Response:
    token = new_feed(session, user=user)
    url = f"{app_base_url(request, settings)}/calendar/{token}.ics"
    return _account_page(request, session, user, settings, feed_url=url)


@router.post("/account/calendar/off", dependencies=[Depends(require_csrf)])
def account_revoke_feed(
    request: Request, session: WriteSession, user: User = Depends(page_user)
) -> Response:
    revoke_feed(session, user=user)
    return flash_redirect(request, "/account/calendar", "calendar-revoked")


@router.post("/account/reminders", dependencies=[Depends(require_csrf)])
def account_reminders(
    request: Request,
    session: WriteSession,
    on: bool = Form(False),
    user: User = Depends(page_user),
) -> Response:
    assert user.id is not None
    set_reminders(session, user_id=user.id, on=on)
    return flash_redirect(request, "/account/calendar", "reminders-on" if on else "reminders-off")


@router.get("/calendar/{token}.ics")
def calendar_feed(
    request: Request,
    token: str,
    session: ReadSession,
    settings: Settings = Depends(get_app_settings),
) -> Response:
    """The leader's walks and action due dates (no login: the address is the secret)."""
    user = feed_user(session, token=token[:100])
    if user is None:
        raise NotFoundError("no such calendar")
    body = calendar_ics(
        session, user=user, settings=settings, base_url=app_base_url(request, settings)
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="walkabout.ics"'},
    )
