"""API: the walk programme's schedules and their occurrences."""

from fastapi import APIRouter, Depends

from app.db import ReadSession, WriteSession
from app.deps import get_app_settings, require_api_role
from app.models import OccurrencePublic, ScheduleCreate, SchedulePublic, User
from app.models.api import ERROR_RESPONSES, ItemList
from app.services.schedules import (
    Occurrence,
    ScheduleView,
    create_schedule,
    get_schedule,
    list_schedules,
)
from app.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["schedules"], responses=ERROR_RESPONSES)
readers = require_api_role("leader", "analyst", "executive", "admin")


def _occurrence(o: Occurrence) -> OccurrencePublic:
    return OccurrencePublic(
        due_from=o.due_from, due_until=o.due_until, status=o.status, visit_id=o.visit_id
    )


def _public(view: ScheduleView) -> SchedulePublic:
    assert view.schedule.id is not None
    return SchedulePublic(
        id=view.schedule.id,
        department=view.department,
        leaders=[email for _, email in view.leaders],
        every_days=view.schedule.every_days,
        window_days=view.schedule.window_days,
        starts_on=view.schedule.starts_on,
        next=_occurrence(view.next) if view.next else None,
    )


@router.post("/schedules", response_model=SchedulePublic, status_code=201)
def post_schedule(
    body: ScheduleCreate,
    session: WriteSession,
    user: User = Depends(require_api_role("admin")),
    settings: Settings = Depends(get_app_settings),
) -> SchedulePublic:
    """A department walked every `every_days` from `starts_on` by any of `leaders`, each
    occurrence open for `window_days` (admins)."""
    schedule = create_schedule(session, data=body, actor_id=user.id)
    assert schedule.id is not None
    return _public(get_schedule(session, user=user, schedule_id=schedule.id, settings=settings))


@router.get("/schedules", response_model=ItemList[SchedulePublic])
def get_schedules(
    session: ReadSession,
    user: User = Depends(readers),
    settings: Settings = Depends(get_app_settings),
) -> ItemList[SchedulePublic]:
    """Schedules with their next occurrence and its status: a leader's own, all for the
    other roles."""
    items = [_public(v) for v in list_schedules(session, user=user, settings=settings)]
    return ItemList[SchedulePublic](items=items, total=len(items))


@router.get("/schedules/{schedule_id}/occurrences", response_model=ItemList[OccurrencePublic])
def get_occurrences(
    schedule_id: int,
    session: ReadSession,
    user: User = Depends(readers),
    settings: Settings = Depends(get_app_settings),
) -> ItemList[OccurrencePublic]:
    """Every occurrence from the start through the next to open, oldest first."""
    view = get_schedule(session, user=user, schedule_id=schedule_id, settings=settings)
    items = [_occurrence(o) for o in view.occurrences]
    return ItemList[OccurrencePublic](items=items, total=len(items))
