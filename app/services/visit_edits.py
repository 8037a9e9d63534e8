"""Editing a walk within seven days of logging it, keeping every change in a history."""

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.models import Department, User, Visit, VisitCreate, VisitEdit
from app.models.department import department_key
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.conversations import replace_conversations
from app.services.errors import NotFoundError, ServiceError
from app.services.service_catalogue import service_ids
from app.services.themes import resolve_themes
from app.services.visits import VisitInputError, visit_detail

EDIT_WINDOW = timedelta(days=7)
EDITED_FIELDS = (
    "department",
    "visit_date",
    "location",
    "manager_present",
    "setting",
    "conversations",
)


def editable_visit(session: Session, *, user: User, visit_id: int) -> Visit:
    """The walk, if this user may still edit it (its leader within 7 days, or an admin)."""
    visit = session.get(Visit, visit_id)
    if visit is None or (visit.leader_id != user.id and user.role != "admin"):
        raise NotFoundError("no such walk")
    if user.role != "admin" and utcnow() - visit.created_at > EDIT_WINDOW:
        raise ServiceError("a walk can be edited for 7 days after it was logged")
    return visit


def update_visit(
    session: Session, *, user: User, visit_id: int, data: VisitCreate
) -> dict[str, Any]:
    """Apply the edited walk (actions are kept) and record what changed."""
    visit = editable_visit(session, user=user, visit_id=visit_id)
    before = visit_detail(session, visit=visit, with_notes=True)
    department = session.exec(
        select(Department).where(Department.name_key == department_key(data.department))
    ).first()
    if department is None or department.id is None:
        raise VisitInputError("department", f"unknown department {data.department!r}")
    issues = [name for c in data.conversations for name in c.issues]
    theme_ids, _ = resolve_themes(session, names=issues, create_missing=False)
    for index, conversation in enumerate(data.conversations):
        for name in conversation.issues:
            if department_key(name) not in theme_ids:
                raise VisitInputError(f"conversations.{index}.issues", f"unknown theme {name!r}")
    visit.department_id = department.id
    visit.visit_date, visit.location = data.visit_date, data.location
    visit.manager_present, visit.setting = data.manager_present, data.setting
    visit.updated_at = utcnow()
    session.add(visit)
    assert visit.id is not None
    replace_conversations(
        session,
        visit_id=visit.id,
        conversations=data.conversations,
        theme_ids=theme_ids,
        service_ids=service_ids(session),
    )
    session.flush()
    after = visit_detail(session, visit=visit, with_notes=True)
    changes = {
        name: {"from": before[name], "to": after[name]}
        for name in EDITED_FIELDS
        if before[name] != after[name]
    }
    if changes:
        session.add(VisitEdit(visit_id=visit.id, user_id=user.id, changes=json.dumps(changes)))
        record_event(
            session,
            action="visit.edit",
            actor_id=user.id,
            detail=f"visit {visit.id}: {', '.join(changes)}",
        )
    session.commit()
    return after


def visit_history(session: Session, *, visit_id: int) -> list[dict[str, Any]]:
    """Every edit of a walk, oldest first: who, when, which parts changed."""
    rows = session.exec(
        select(VisitEdit, User.email)
        .join(User, col(User.id) == VisitEdit.user_id, isouter=True)
        .where(VisitEdit.visit_id == visit_id)
        .order_by(col(VisitEdit.at))
    ).all()
    return [
        {
            "at": edit.at,
            "by": email or "a removed user",
            "changed": sorted(json.loads(edit.changes)),
        }
        for edit, email in rows
    ]
