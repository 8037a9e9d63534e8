"""Follow-up actions from walks: the leader's own list, the API's list, moving them on."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select  # more than four columns
from sqlmodel import Session, col

from app.models import ACTION_FINISHED, Action, Department, User, Visit
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.errors import NotFoundError, ServiceError
from app.services.visits import visible_visits

ACTION_STATUSES = ("open", "in_progress", "done", "cant_do")


OPEN = ("open", "in_progress")


@dataclass(frozen=True)
class ActionRow:
    id: int | None
    title: str
    department: str
    due_date: date | None
    status: str
    overdue: bool


# What an action's line shows, and the walk's department it came from.
_ACTIONS = (
    sa_select(
        col(Action.id),
        col(Action.visit_id),
        col(Department.name),
        col(Action.title),
        col(Action.owner_email),
        col(Action.due_date),
        col(Action.status),
    )
    .join(Visit, col(Visit.id) == Action.visit_id)
    .join(Department, col(Department.id) == Visit.department_id)
)
_KEYS = ("id", "visit_id", "department", "title", "owner", "due_date", "status")
_BY_DUE_DATE = (col(Action.due_date).is_(None), col(Action.due_date), col(Action.id))
FINISHED_SHOWN = 5  # finished actions the walk list keeps in view, the latest first
_MINE = _ACTIONS.where(col(Action.owner_id) == bindparam("owner"))
# Built once: see visits._SUMMARIES. Open ones by due date, so the overdue lead; finished ones
# the latest first (where one was tapped by mistake, its Undo is at hand), with how many
# there are in all.
_MINE_OPEN = _MINE.where(col(Action.status).in_(OPEN)).order_by(*_BY_DUE_DATE)
_MINE_FINISHED = (
    _MINE.add_columns(func.count().over())
    .where(col(Action.status).not_in(OPEN))
    .order_by(
        col(Action.completed_at).is_(None), col(Action.completed_at).desc(), col(Action.id).desc()
    )
)
_MINE_FINISHED_LATEST = _MINE_FINISHED.limit(FINISHED_SHOWN)


def my_actions(
    session: Session, *, user: User, all_finished: bool = False
) -> tuple[list[ActionRow], int]:
    """Actions this user owns: every open one, overdue first, then by due date; then the
    FINISHED_SHOWN finished most lately (all of them with `all_finished`). And how many
    finished ones that leaves out: a leader's list grows with every action they finish,
    and the walk list is read on a phone."""
    connection = session.connection()
    opened = connection.execute(_MINE_OPEN, {"owner": user.id}).all()
    query = _MINE_FINISHED if all_finished else _MINE_FINISHED_LATEST
    finished = connection.execute(query, {"owner": user.id}).all()
    rows = _action_rows([*opened, *(row[: len(_KEYS)] for row in finished)])
    return rows, (finished[0][-1] - len(finished) if finished else 0)


def _action_rows(rows: list[Any]) -> list[ActionRow]:
    """The lines of `_ACTIONS` rows, each open one past its due date marked overdue."""
    today = date.today()
    return [
        ActionRow(id_, title, department, due, status, bool(due and due < today and status in OPEN))
        for id_, _, department, title, _, due, status in rows
    ]


def list_actions(
    session: Session, *, user: User, status: str | None = None, owner: str | None = None
) -> list[dict[str, Any]]:
    """Actions of the walks this user may see, by due date; narrowed by status or owner."""
    where = [visible_visits(user)]
    if status:
        where.append(col(Action.status) == status)
    if owner:
        where.append(col(Action.owner_email) == owner.strip().lower())
    return _listed(session, *where)


def _listed(session: Session, *where: Any) -> list[dict[str, Any]]:
    query = _ACTIONS.where(*where).order_by(*_BY_DUE_DATE)
    return [dict(zip(_KEYS, row, strict=True)) for row in session.connection().execute(query)]


def set_action_status(
    session: Session, *, user: User, action_id: int, status: str
) -> dict[str, Any]:
    """Move an action on (its owner, or an admin)."""
    if status not in ACTION_STATUSES:
        raise ServiceError(f"unknown status {status!r}")
    action = session.get(Action, action_id)
    if action is None or (action.owner_id != user.id and user.role != "admin"):
        raise NotFoundError("no such action")
    action.status = status
    action.completed_at = utcnow() if status in ACTION_FINISHED else None
    session.add(action)
    record_event(
        session, action="action.status", actor_id=user.id, detail=f"action {action_id} -> {status}"
    )
    session.flush()
    return _listed(session, col(Action.id) == action_id)[0]
