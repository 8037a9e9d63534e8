"""Editing a walk within seven days of logging it, keeping every change in a history."""

import json
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from analysis.suppression import EDIT_DAYS
from app.db import all_or_nothing
from app.models import Action, ActionCreate, User, Visit, VisitCreate, VisitEdit
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.conversations import replace_conversations
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.ideas import add_ideas
from app.services.priority_decisions import edit_visit_decision
from app.services.visits import action_owners, resolve_visit_references, visit_detail

EDIT_WINDOW = timedelta(days=EDIT_DAYS)  # closed quarters wait for it (analysis.suppression)
EDITED_FIELDS = (
    "department",
    "visit_date",
    "location",
    "manager_present",
    "setting",
    "conversations",
    "actions",
)


def editable_visit(session: Session, *, user: User, visit_id: int) -> Visit:
    """The walk, if this user may still edit it (its leader within 7 days, or an admin)."""
    visit = session.get(Visit, visit_id)
    if visit is None or (visit.leader_id != user.id and user.role != "admin"):
        raise NotFoundError("no such walk")
    if user.role != "admin" and utcnow() - visit.created_at > EDIT_WINDOW:
        raise ForbiddenError("a walk can be edited for 7 days after it was logged")
    return visit


def edit_deadline(session: Session, *, user: User, visit_id: int) -> datetime | None:
    """When this user's edits to the walk close (None: an admin, whose never do)."""
    visit = session.get(Visit, visit_id)
    if visit is None or user.role == "admin":
        return None
    return visit.created_at + EDIT_WINDOW


def may_edit_visit(session: Session, *, user: User, visit_id: int) -> bool:
    """Whether this user may still edit the walk."""
    try:
        editable_visit(session, user=user, visit_id=visit_id)
    except ServiceError:
        return False
    return True


class EditConflict(ConflictError):
    """The walk was changed after the edit form was opened: saving the form would undo that
    change without a word. `version` is the walk's version now."""

    def __init__(self, message: str, version: str) -> None:
        super().__init__(message)
        self.version = version


def visit_version(visit: Visit) -> str:
    """What an edit form carries of the walk it showed: the time of its last change."""
    return visit.updated_at.isoformat()


def _conflict(session: Session, visit: Visit, version: str) -> EditConflict:
    """The refusal, naming the last edit made since `version` (a change made otherwise, such
    as a walks file imported again, is someone's)."""
    try:
        since = datetime.fromisoformat(version)
    except ValueError:
        since = visit.updated_at
    last = session.exec(
        select(VisitEdit.at, User.email)
        .join(User, col(User.id) == VisitEdit.user_id, isouter=True)
        .where(VisitEdit.visit_id == visit.id, col(VisitEdit.at) > since)
        .order_by(col(VisitEdit.id).desc())
        .limit(1)
    ).first()
    who = last[1] if last and last[1] else "someone"
    when = (last[0] if last else visit.updated_at).strftime("%Y-%m-%d %H:%M UTC")
    return EditConflict(
        f"This walk was changed by {who} at {when}, after you opened it. Your changes are "
        "below, not saved: check them against the walk as it is now, then save again to "
        "replace it.",
        visit_version(visit),
    )


@all_or_nothing
def update_visit(
    session: Session,
    *,
    user: User,
    visit_id: int,
    data: VisitCreate,
    action_ids: list[int | None] | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Apply the edited walk and record what changed. `action_ids` names the stored action
    each of `data.actions` is (None: a new one); stored actions not named are removed.
    `version`: the walk's as the edit form showed it; when the walk has changed since, an
    edit that changes anything raises EditConflict and stores nothing (the same form sent
    twice changes nothing, and goes through)."""
    visit = editable_visit(session, user=user, visit_id=visit_id)
    before = visit_detail(session, visit=visit, with_notes=True)
    refs = resolve_visit_references(session, data=data)
    _edit_actions(
        session,
        visit_id=visit_id,
        actions=data.actions,
        action_ids=action_ids or [None] * len(data.actions),
    )
    visit.department_id = refs.department_id
    visit.visit_date, visit.location = data.visit_date, data.location
    visit.manager_present, visit.setting = data.manager_present, data.setting
    session.add(visit)
    assert visit.id is not None
    replace_conversations(
        session,
        visit_id=visit.id,
        conversations=data.conversations,
        theme_ids=refs.theme_ids,
        catalogue_ids=refs.catalogue_ids,
    )
    # Ideas typed into the edit are added (ids derived from the walk's: a resend adds none).
    add_ideas(
        session,
        ideas=[i for c in data.conversations for i in c.ideas],
        visit_id=visit.id,
        department_id=refs.department_id,
        user=user,
    )
    decision_changed = edit_visit_decision(
        session,
        visit_id=visit.id,
        department_id=refs.department_id,
        decision=next(iter(data.priority_decisions), None),
        user=user,
    )
    session.flush()
    after = visit_detail(session, visit=visit, with_notes=True)
    changes = {
        name: {"from": before[name], "to": after[name]}
        for name in EDITED_FIELDS
        if before[name] != after[name]
    }
    if decision_changed:
        changes["priority_decision"] = {"from": None, "to": None}
    # The walk's version is moved on only below: here it is still the stored one.
    if changes and version is not None and version != visit_version(visit):
        raise _conflict(session, visit, version)
    if changes:
        # One time for both: the walk's new version is this edit's.
        visit.updated_at = now = utcnow()
        session.add(visit)
        session.add(
            VisitEdit(visit_id=visit.id, user_id=user.id, at=now, changes=json.dumps(changes))
        )
        record_event(
            session,
            action="visit.edit",
            actor_id=user.id,
            detail=f"visit {visit.id}: {', '.join(changes)}",
        )
    session.flush()
    return after


def _edit_actions(
    session: Session,
    *,
    visit_id: int,
    actions: list[ActionCreate],
    action_ids: list[int | None],
) -> None:
    stored = {
        a.id: a for a in session.exec(select(Action).where(Action.visit_id == visit_id)).all()
    }
    kept = set()
    owners = action_owners(session, actions=actions)
    for action, action_id, owner in zip(actions, action_ids, owners, strict=True):
        row = stored.get(action_id) if action_id is not None else None
        if row is None:
            row = Action(
                visit_id=visit_id,
                title=action.title,
                owner_id=owner.id,
                owner_email=owner.email,
                due_date=action.due_date,
            )
        else:
            kept.add(action_id)
            row.title, row.due_date = action.title, action.due_date
            row.owner_id, row.owner_email = owner.id, owner.email
        session.add(row)
    for action_id, row in stored.items():
        if action_id not in kept:
            session.delete(row)


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
