"""The walk programme: schedules per department, their occurrences and coverage.

An occurrence opens on `starts_on + n * every_days` and stays open `window_days`; its due
date is the middle of that window. It is upcoming before it opens, due until its due date,
overdue after it while the window is still open, missed once the window has closed with no
walk, and done when one of the schedule's leaders walked the department inside the window.
Dates are the organisation's local dates (WALKABOUT_TIME_ZONE)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.models import Department, Schedule, ScheduleCreate, ScheduleLeader, User, Visit
from app.models.department import department_key
from app.services.audit import record_event
from app.services.errors import NotFoundError, ServiceError
from app.settings import Settings

STATUSES = ("upcoming", "due", "overdue", "missed", "done")


def local_today(settings: Settings, now: datetime | None = None) -> date:
    """Today (or the day of `now`, an aware time) in the organisation's time zone."""
    zone = ZoneInfo(settings.time_zone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


@dataclass(frozen=True)
class Occurrence:
    due_from: date
    due_until: date
    status: str
    visit_id: int | None = None

    @property
    def due_on(self) -> date:
        return self.due_from + timedelta(days=(self.due_until - self.due_from).days // 2)


def _status(due_from: date, due_until: date, today: date, visit_id: int | None) -> str:
    if visit_id is not None:
        return "done"
    if today < due_from:
        return "upcoming"
    if today > due_until:
        return "missed"
    due_on = due_from + timedelta(days=(due_until - due_from).days // 2)
    return "due" if today <= due_on else "overdue"


@dataclass(frozen=True)
class ScheduleView:
    schedule: Schedule
    department: str
    leaders: list[tuple[int, str]]  # user id, e-mail
    occurrences: list[Occurrence]  # from the start to the next not yet open

    @property
    def next(self) -> Occurrence | None:
        """The occurrence a leader should look at: the open one, else the next to open."""
        return next(
            (o for o in self.occurrences if o.status in ("due", "overdue", "upcoming")), None
        )


def occurrences(
    schedule: Schedule, walks: list[tuple[date, int]], *, today: date, until: date | None = None
) -> list[Occurrence]:
    """Every occurrence from the start through the first that opens after `today` (or
    through `until`); `walks` are the (date, visit id) of the schedule's leaders' walks in
    the department, in date order."""
    every = timedelta(days=schedule.every_days)
    window = timedelta(days=schedule.window_days - 1)
    found = []
    start = schedule.starts_on
    last = until or today
    while True:
        end = start + window
        visit = next((v for d, v in walks if start <= d <= end), None)
        found.append(Occurrence(start, end, _status(start, end, today, visit), visit))
        if start > last:
            break
        start += every
    return found


def _views(session: Session, schedules: list[Schedule], *, today: date) -> list[ScheduleView]:
    if not schedules:
        return []
    ids = [s.id for s in schedules]
    leaders: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for schedule_id, user_id, email in session.exec(
        select(ScheduleLeader.schedule_id, User.id, User.email)
        .join(User, col(User.id) == ScheduleLeader.user_id)
        .where(col(ScheduleLeader.schedule_id).in_(ids))
        .order_by(col(User.email))
    ):
        leaders[schedule_id].append((int(user_id), email))  # type: ignore[arg-type]
    departments = dict(
        session.exec(
            select(Department.id, Department.name).where(
                col(Department.id).in_({s.department_id for s in schedules})
            )
        ).all()
    )
    walks: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    leader_ids = {u for rows in leaders.values() for u, _ in rows}
    for department_id, leader_id, visit_date, visit_id in session.exec(
        select(col(Visit.department_id), col(Visit.leader_id), col(Visit.visit_date), col(Visit.id))
        .where(
            col(Visit.department_id).in_({s.department_id for s in schedules}),
            col(Visit.leader_id).in_(leader_ids),
        )
        .order_by(col(Visit.visit_date), col(Visit.id))
    ):
        walks[(department_id, leader_id)].append((visit_date, visit_id))  # type: ignore[index, arg-type]
    views = []
    for schedule in schedules:
        assert schedule.id is not None
        ours = sorted(
            w for u, _ in leaders[schedule.id] for w in walks.get((schedule.department_id, u), [])
        )
        views.append(
            ScheduleView(
                schedule,
                departments.get(schedule.department_id, ""),
                leaders[schedule.id],
                occurrences(schedule, ours, today=today),
            )
        )
    return views


def list_schedules(
    session: Session,
    *,
    user: User,
    settings: Settings,
    today: date | None = None,
    schedule_id: int | None = None,
    own: bool = False,
) -> list[ScheduleView]:
    """Schedules with their occurrences: a leader's own; every one for admins, executives
    and analysts (the coverage). With `own`, only those the user walks, whatever their
    role; with `schedule_id`, that one alone."""
    query = select(Schedule).order_by(col(Schedule.id))
    if own or user.role == "leader":
        query = query.join(ScheduleLeader, col(ScheduleLeader.schedule_id) == Schedule.id).where(
            ScheduleLeader.user_id == user.id
        )
    if schedule_id is not None:
        query = query.where(Schedule.id == schedule_id)
    return _views(session, list(session.exec(query)), today=today or local_today(settings))


def get_schedule(
    session: Session, *, user: User, schedule_id: int, settings: Settings, today: date | None = None
) -> ScheduleView:
    """One schedule the user may see, with its occurrences."""
    found = list_schedules(
        session, user=user, settings=settings, today=today, schedule_id=schedule_id
    )
    if not found:
        raise NotFoundError(f"no schedule {schedule_id}")
    return found[0]


def create_schedule(session: Session, *, data: ScheduleCreate, actor_id: int | None) -> Schedule:
    """A new schedule; the department and every leader must exist (leaders, or admins who
    walk)."""
    if data.window_days > data.every_days:
        raise ServiceError(
            f"window_days: a window of {data.window_days} days is longer than the "
            f"{data.every_days} days between walks"
        )
    department = session.exec(
        select(Department).where(Department.name_key == department_key(data.department))
    ).first()
    if department is None or department.id is None:
        raise ServiceError(f"department: no department named {data.department!r}")
    users = []
    for email in dict.fromkeys(e.strip().lower() for e in data.leaders):
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None or not user.is_active or user.role not in ("leader", "admin"):
            raise ServiceError(f"leaders: {email} is not an active leader")
        users.append(user)
    schedule = Schedule(
        department_id=department.id,
        every_days=data.every_days,
        window_days=data.window_days,
        starts_on=data.starts_on,
        created_by=actor_id,
    )
    session.add(schedule)
    session.flush()
    assert schedule.id is not None
    for user in users:
        assert user.id is not None
        session.add(ScheduleLeader(schedule_id=schedule.id, user_id=user.id))
    record_event(
        session,
        action="schedule.created",
        actor_id=actor_id,
        detail=f"{department.name} every {data.every_days} days from {data.starts_on}",
    )
    session.flush()
    return schedule


def schedule_choices(session: Session) -> tuple[list[str], list[str]]:
    """The departments and the active leaders (and admins) a schedule can name."""
    departments = list(session.exec(select(Department.name).order_by(col(Department.name))))
    leaders = list(
        session.exec(
            select(User.email)
            .where(col(User.role).in_(("leader", "admin")), col(User.is_active))
            .order_by(col(User.email))
        )
    )
    return departments, leaders


def set_reminders(session: Session, *, user_id: int, on: bool) -> None:
    """The person's choice of reminder e-mails."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("no such user")
    user.reminders_off = not on
    session.add(user)
    record_event(session, action="reminders.on" if on else "reminders.off", actor_id=user_id)


def delete_schedule(session: Session, *, schedule_id: int, actor_id: int | None) -> None:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None:
        raise NotFoundError(f"no schedule {schedule_id}")
    session.delete(schedule)
    record_event(session, action="schedule.deleted", actor_id=actor_id, detail=str(schedule_id))


@dataclass
class Coverage:
    """Occurrences that have opened, by how they stand."""

    done: int = 0
    missed: int = 0
    overdue: int = 0
    due: int = 0

    def add(self, status: str) -> None:
        if status in ("done", "missed", "overdue", "due"):
            setattr(self, status, getattr(self, status) + 1)

    @property
    def share_done(self) -> float | None:
        closed = self.done + self.missed
        return self.done / closed if closed else None


def coverage_by_quarter(views: list[ScheduleView], *, since: date) -> dict[str, Coverage]:
    """The occurrences opened since `since`, by the calendar quarter they opened in, oldest
    first: whether the programme keeps up over time."""
    quarters: dict[str, Coverage] = defaultdict(Coverage)
    for view in views:
        for o in view.occurrences:
            if o.due_from >= since and o.status != "upcoming":
                quarters[f"{o.due_from.year} Q{(o.due_from.month - 1) // 3 + 1}"].add(o.status)
    return dict(sorted(quarters.items()))


def coverage(
    views: list[ScheduleView], *, since: date
) -> tuple[dict[str, Coverage], dict[str, Coverage]]:
    """Per department and per leader, the occurrences opened since `since`."""
    departments: dict[str, Coverage] = defaultdict(Coverage)
    leaders: dict[str, Coverage] = defaultdict(Coverage)
    for view in views:
        for occurrence in view.occurrences:
            if occurrence.due_from < since or occurrence.status == "upcoming":
                continue
            departments[view.department].add(occurrence.status)
            for _, email in view.leaders:
                leaders[email].add(occurrence.status)
    return dict(sorted(departments.items())), dict(sorted(leaders.items()))
