"""Priority decisions: what IT cannot take on now, waiting on the business owner to decide."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.models import Department, PriorityDecision, PriorityDecisionCreate, User
from app.models.priority_decision import DECISION_TRANSITIONS
from app.models.types import utcnow
from app.services.assignments import in_leaders_scope
from app.services.audit import record_event
from app.services.errors import ConflictError, NotFoundError

OPEN = ("with_it", "awaiting_business", "deferred")


def add_decisions(
    session: Session,
    *,
    decisions: list[PriorityDecisionCreate],
    visit_id: int | None,
    department_id: int,
    user: User,
) -> None:
    """Store the decisions a walk raised (the caller commits); a known client_id is skipped."""
    for item in decisions:
        client_id = str(item.client_id)
        if (
            session.exec(
                select(PriorityDecision.id).where(PriorityDecision.client_id == client_id)
            ).first()
            is None
        ):
            session.add(
                PriorityDecision(
                    client_id=client_id,
                    visit_id=visit_id,
                    department_id=department_id,
                    title=item.title,
                    owner_role=item.owner_role,
                    owner_email=str(item.owner_email).lower(),
                    capacity=item.capacity,
                    competes_with=item.competes_with,
                    status=item.status,
                    created_by=user.id,
                )
            )


def decisions_of_visit(session: Session, *, visit_id: int) -> list[PriorityDecision]:
    """The priority decisions a walk raised."""
    return list(
        session.exec(
            select(PriorityDecision)
            .where(PriorityDecision.visit_id == visit_id)
            .order_by(col(PriorityDecision.id))
        ).all()
    )


def edit_visit_decision(
    session: Session,
    *,
    visit_id: int,
    department_id: int,
    decision: PriorityDecisionCreate | None,
    user: User,
) -> bool:
    """The walk's decision as edited: changed while the business has not answered, added when
    there was none, removed when its title was cleared. Returns whether anything changed."""
    stored = next(iter(decisions_of_visit(session, visit_id=visit_id)), None)
    if stored is not None and stored.status not in ("with_it", "awaiting_business"):
        return False  # answered: the walk's edit no longer changes it
    if stored is None:
        if decision is None:
            return False
        add_decisions(
            session, decisions=[decision], visit_id=visit_id, department_id=department_id, user=user
        )
        return True
    if decision is None:
        session.delete(stored)
        return True
    fields = ("title", "owner_role", "owner_email", "capacity", "competes_with")
    before = [getattr(stored, name) for name in fields]
    stored.title, stored.owner_role = decision.title, decision.owner_role
    stored.owner_email = str(decision.owner_email).lower()
    stored.capacity, stored.competes_with = decision.capacity, decision.competes_with
    stored.department_id = department_id
    session.add(stored)
    return before != [getattr(stored, name) for name in fields]


def change_decision_status(
    session: Session, *, user: User, decision_id: int, status: str, note: str = ""
) -> PriorityDecision:
    """Record the business's answer (or hand it back to IT for sizing): for the leader who
    raised it, leaders assigned to its department, and admins."""
    decision = session.exec(
        select(PriorityDecision).where(
            PriorityDecision.id == decision_id,
            in_leaders_scope(
                user,
                department_id=PriorityDecision.department_id,
                created_by=PriorityDecision.created_by,
            ),
        )
    ).first()
    if decision is None:
        raise NotFoundError("no such priority decision")
    allowed = DECISION_TRANSITIONS.get(decision.status, ())
    if status not in allowed:
        nexts = ", ".join(allowed) if allowed else "nothing (it is decided)"
        raise ConflictError(
            f"a decision that is {decision.status} cannot become {status}; it can become {nexts}"
        )
    previous = decision.status
    decision.status = status
    if note.strip():
        decision.decision_note = note.strip()
    decision.decided_at = utcnow() if status.startswith("decided") else None
    session.add(decision)
    record_event(
        session,
        action="decision.status",
        actor_id=user.id,
        detail=f"decision {decision_id}: {previous} -> {status}",
    )
    session.flush()
    return decision


def list_decisions(session: Session, *, open_only: bool = True) -> list[dict[str, Any]]:
    """Decisions by business owner, the longest waiting first."""
    query = select(PriorityDecision, Department.name).join(
        Department, col(Department.id) == PriorityDecision.department_id
    )
    if open_only:
        query = query.where(col(PriorityDecision.status).in_(OPEN))
    today = date.today()
    rows = session.exec(
        query.order_by(col(PriorityDecision.owner_email), col(PriorityDecision.created_at))
    ).all()
    return [
        {
            "id": d.id,
            "client_id": d.client_id,
            "department": name,
            "title": d.title,
            "owner_role": d.owner_role,
            "owner_email": d.owner_email,
            "capacity": d.capacity,
            "competes_with": d.competes_with,
            "status": d.status,
            "note": d.decision_note,
            "age_days": (today - d.created_at.date()).days,
            "next": list(DECISION_TRANSITIONS.get(d.status, ())),
        }
        for d, name in rows
    ]


def decision_counts(session: Session) -> dict[str, int]:
    """How many open decisions wait on the business, and how many on IT."""
    rows = session.exec(
        select(PriorityDecision.status).where(col(PriorityDecision.status).in_(OPEN))
    ).all()
    return {
        "waiting_on_business": sum(s in ("awaiting_business", "deferred") for s in rows),
        "waiting_on_it": sum(s == "with_it" for s in rows),
    }
