"""Ideas: logged on walks, moved through their life, listed per department."""

from typing import Any

from sqlmodel import Session, col, select, true

from app.models import Department, Idea, IdeaCreate, IdeaStatusChange, User
from app.models.idea import IDEA_TRANSITIONS
from app.models.types import utcnow
from app.services.assignments import in_leaders_scope
from app.services.audit import record_event
from app.services.errors import ConflictError, NotFoundError

TAKEN_FORWARD = ("awaiting_priority", "planned", "delivered")


def add_ideas(
    session: Session,
    *,
    ideas: list[IdeaCreate],
    visit_id: int | None,
    department_id: int,
    user: User,
) -> None:
    """Store ideas heard on a walk (the caller commits); a known client_id is skipped."""
    for idea in ideas:
        client_id = str(idea.client_id)
        if session.exec(select(Idea.id).where(Idea.client_id == client_id)).first() is None:
            session.add(
                Idea(
                    client_id=client_id,
                    visit_id=visit_id,
                    department_id=department_id,
                    what=idea.what,
                    benefit=idea.benefit,
                    who_else=idea.who_else,
                    created_by=user.id,
                )
            )


def change_idea_status(
    session: Session, *, user: User, idea_id: int, change: IdeaStatusChange
) -> Idea:
    """Move an idea on; only the next steps of its life are allowed, and only for the leader
    who heard it, leaders assigned to its department, and admins."""
    idea = session.exec(select(Idea).where(Idea.id == idea_id, visible_ideas(user))).first()
    if idea is None:
        raise NotFoundError("no such idea")
    allowed = IDEA_TRANSITIONS[idea.status]
    if change.status not in allowed:
        nexts = ", ".join(allowed) if allowed else "nothing (it is final)"
        raise ConflictError(
            f"an idea that is {idea.status} cannot become {change.status}; it can become {nexts}"
        )
    if change.status == "declined" and not change.reason.strip():
        raise ConflictError("say why it is declined: the reason is told back to the department")
    previous = idea.status
    idea.status, idea.updated_at = change.status, utcnow()
    if change.reason.strip():
        idea.reason = change.reason.strip()
    session.add(idea)
    record_event(
        session,
        action="idea.status",
        actor_id=user.id,
        detail=f"idea {idea_id}: {previous} -> {change.status}",
    )
    session.flush()
    return idea


def visible_ideas(user: User) -> Any:
    """Which ideas a user may read and move on: people's words, so a leader's own and their
    assigned departments', all for admins; analysts and executives read them all (contract)
    but move none."""
    if user.role in ("analyst", "executive"):
        return true()
    return in_leaders_scope(user, department_id=Idea.department_id, created_by=Idea.created_by)


def list_ideas(
    session: Session,
    *,
    user: User,
    department: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The ideas this user may read, newest first, with their department and next steps."""
    query = (
        select(Idea, Department.name)
        .join(Department, col(Department.id) == Idea.department_id)
        .where(visible_ideas(user))
    )
    if department:
        query = query.where(Department.name == department)
    if status:
        query = query.where(Idea.status == status)
    rows = session.exec(query.order_by(col(Idea.created_at).desc(), col(Idea.id).desc())).all()
    return [
        {
            "id": i.id,
            "client_id": i.client_id,
            "department": name,
            "what": i.what,
            "benefit": i.benefit,
            "who_else": i.who_else,
            "status": i.status,
            "reason": i.reason,
            "created_at": i.created_at.date().isoformat(),
            "next": list(IDEA_TRANSITIONS[i.status]),
        }
        for i, name in rows
    ]


def ideas_of_visit(session: Session, *, visit_id: int) -> list[Idea]:
    """The ideas a walk recorded, in the order they were heard."""
    return list(
        session.exec(select(Idea).where(Idea.visit_id == visit_id).order_by(col(Idea.id))).all()
    )


def idea_counts(session: Session) -> dict[str, dict[str, int]]:
    """Per department: ideas heard, and taken forward (awaiting priority, planned, delivered)."""
    counts: dict[str, dict[str, int]] = {}
    for status, name in session.exec(
        select(Idea.status, Department.name).join(
            Department, col(Department.id) == Idea.department_id
        )
    ):
        entry = counts.setdefault(name, {"heard": 0, "taken_forward": 0})
        entry["heard"] += 1
        entry["taken_forward"] += status in TAKEN_FORWARD
    return counts
