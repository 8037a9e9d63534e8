"""Which departments a leader is assigned to (they see every walk there)."""

from typing import Any

from sqlmodel import Session, col, false, select, true

from app.models import Department, LeaderDepartment, User
from app.models.department import department_key
from app.services.audit import record_event
from app.services.errors import NotFoundError, ServiceError
from app.services.users import find_user_by_email


def in_leaders_scope(user: User, *, department_id: Any, created_by: Any) -> Any:
    """The one rule for a leader's reach over walks and what they raised (ideas, priority
    decisions), as a condition: a leader's own and those of the departments they are
    assigned to; admins everything; other roles nothing."""
    return scope_of_role(user.role, user.id, department_id=department_id, created_by=created_by)


def scope_of_role(role: str, viewer: Any, *, department_id: Any, created_by: Any) -> Any:
    """`in_leaders_scope` for a role, the viewer's id a value or a bound parameter (a
    statement built once for each role takes the id when it runs)."""
    if role == "admin":
        return true()
    if role == "leader":
        assigned = select(LeaderDepartment.department_id).where(LeaderDepartment.user_id == viewer)
        return (created_by == viewer) | col(department_id).in_(assigned)
    return false()


def assign_departments(session: Session, *, email: str, departments: list[str]) -> list[str]:
    """Add assignments; returns every department the leader now covers."""
    user = find_user_by_email(session, email=email)
    if user is None or user.id is None:
        raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
    if user.role != "leader":
        raise ServiceError(f"{user.email} is a {user.role}; only leaders are assigned")
    known = {d.name_key: d for d in session.exec(select(Department))}
    missing = [name for name in departments if department_key(name) not in known]
    if missing:
        raise ServiceError(f"unknown department(s): {', '.join(missing)}")
    current = {
        row.department_id
        for row in session.exec(select(LeaderDepartment).where(LeaderDepartment.user_id == user.id))
    }
    for name in departments:
        department = known[department_key(name)]
        if department.id not in current and department.id is not None:
            session.add(LeaderDepartment(user_id=user.id, department_id=department.id))
            current.add(department.id)
    record_event(session, action="user.assign", actor_id=user.id, detail=", ".join(departments))
    session.flush()
    return sorted(
        d.name for d in session.exec(select(Department).where(col(Department.id).in_(current)))
    )
