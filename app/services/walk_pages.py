"""What the leader's pages show: their walks, departments due a visit, their actions."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select  # more than four columns
from sqlmodel import Session, col, select

from app.models import Action, Department, Theme, User, Visit
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.errors import NotFoundError, ServiceError

DUE_AFTER_DAYS = 90
ACTION_STATUSES = ("open", "in_progress", "done", "cant_do")


@dataclass(frozen=True)
class DueDepartment:
    name: str
    last_visit: date | None

    @property
    def days(self) -> int | None:
        return (date.today() - self.last_visit).days if self.last_visit else None


@dataclass(frozen=True)
class ActionRow:
    id: int
    title: str
    department: str
    due_date: date | None
    status: str

    @property
    def overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < date.today()
            and self.status in ("open", "in_progress")
        )


def departments_for_form(session: Session, *, user: User) -> list[str]:
    """Department names, the ones this leader walked most recently first."""
    recent = session.exec(
        select(Department.name, func.max(Visit.visit_date))
        .join(Visit, col(Visit.department_id) == Department.id)
        .where(Visit.leader_id == user.id)
        .group_by(col(Department.name))
        .order_by(func.max(Visit.visit_date).desc())
    ).all()
    first = [name for name, _ in recent]
    seen = set(first)
    names = (
        session.connection()
        .execute(sa_select(col(Department.name)).order_by(col(Department.name)))
        .scalars()
    )
    return first + [name for name in names.all() if name not in seen]


def theme_names(session: Session) -> list[str]:
    """Active themes, alphabetically (the chips on the walk form)."""
    return [
        t.name
        for t in session.exec(select(Theme).where(col(Theme.is_active)).order_by(col(Theme.name)))
    ]


ROLE_SAMPLE = 2000


def role_suggestions(session: Session) -> list[str]:
    """Roles used in the most recent conversations, most common first (never names).
    A bounded sample: the form costs the same with 5,000 conversations or 5 million."""
    from app.models import Conversation

    recent = (
        select(col(Conversation.person_role).label("role"))
        .order_by(col(Conversation.id).desc())
        .limit(ROLE_SAMPLE)
        .subquery()
    )
    rows = (
        session.connection()
        .execute(
            sa_select(recent.c.role, func.count())
            .group_by(recent.c.role)
            .order_by(func.count().desc(), recent.c.role)
            .limit(30)
        )
        .all()
    )
    return [role for role, _ in rows]


def departments_due(session: Session, *, today: date | None = None) -> list[DueDepartment]:
    """Departments with no walk in the last 90 days, longest waiting first."""
    today = today or date.today()
    # One index seek per department (ix_visits_department_id_visit_date), not a scan of
    # every walk; names and dates only, no ORM objects.
    last_walk = (
        select(func.max(Visit.visit_date))
        .where(col(Visit.department_id) == col(Department.id))
        .correlate(Department)
        .scalar_subquery()
    )
    rows = session.connection().execute(select(col(Department.name), last_walk)).all()
    cutoff = today - timedelta(days=DUE_AFTER_DAYS)
    due = [DueDepartment(name, seen) for name, seen in rows if seen is None or seen < cutoff]
    return sorted(due, key=lambda d: (d.last_visit is not None, d.last_visit or date.min, d.name))


def my_actions(session: Session, *, user: User) -> list[ActionRow]:
    """Actions this user owns, overdue first, then by due date; done ones last."""
    rows = (
        session.connection()
        .execute(
            sa_select(
                col(Action.id),
                col(Action.title),
                col(Department.name),
                col(Action.due_date),
                col(Action.status),
            )
            .join(Visit, col(Visit.id) == Action.visit_id)
            .join(Department, col(Department.id) == Visit.department_id)
            .where(col(Action.owner_id) == user.id)
        )
        .all()
    )
    actions = [
        ActionRow(id or 0, title, dept, due, status) for id, title, dept, due, status in rows
    ]
    return sorted(
        actions,
        key=lambda a: (
            a.status in ("done", "cant_do"),
            not a.overdue,
            a.due_date or date.max,
            a.id,
        ),
    )


def set_action_status(session: Session, *, user: User, action_id: int, status: str) -> None:
    """Move an action on (its owner, or an admin)."""
    if status not in ACTION_STATUSES:
        raise ServiceError(f"unknown status {status!r}")
    action = session.get(Action, action_id)
    if action is None or (action.owner_id != user.id and user.role != "admin"):
        raise NotFoundError("no such action")
    action.status = status
    action.completed_at = utcnow() if status in ("done", "cant_do") else None
    session.add(action)
    record_event(
        session, action="action.status", actor_id=user.id, detail=f"action {action_id} -> {status}"
    )
    session.flush()
