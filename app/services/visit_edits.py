"""Editing a walk within seven days of logging it, keeping every change in a history."""

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.models import User, Visit, VisitCreate, VisitEdit
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.conversations import replace_conversations
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.visits import resolve_visit_references, visit_detail

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
        raise ForbiddenError("a walk can be edited for 7 days after it was logged")
    return visit


def may_edit_visit(session: Session, *, user: User, visit_id: int) -> bool:
    """Whether this user may still edit the walk."""
    try:
        editable_visit(session, user=user, visit_id=visit_id)
    except ServiceError:
        return False
    return True


def update_visit(
    session: Session, *, user: User, visit_id: int, data: VisitCreate
) -> dict[str, Any]:
    """Apply the edited walk (actions are kept) and record what changed."""
    visit = editable_visit(session, user=user, visit_id=visit_id)
    before = visit_detail(session, visit=visit, with_notes=True)
    refs = resolve_visit_references(session, data=data)
    visit.department_id = refs.department_id
    visit.visit_date, visit.location = data.visit_date, data.location
    visit.manager_present, visit.setting = data.manager_present, data.setting
    visit.updated_at = utcnow()
    session.add(visit)
    assert visit.id is not None
    replace_conversations(
        session,
        visit_id=visit.id,
        conversations=data.conversations,
        theme_ids=refs.theme_ids,
        catalogue_ids=refs.catalogue_ids,
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
    session.flush()
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
