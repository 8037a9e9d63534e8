"""What each role's home page shows."""

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Department, User


@dataclass(frozen=True)
class HomeSummary:
    departments: int
    headcount: int
    users_by_role: dict[str, int] = field(default_factory=dict)


def home_summary(session: Session, *, user: User) -> HomeSummary:
    """Counts for the home page of this user's role."""
    departments, headcount = session.exec(
        select(func.count(Department.id), func.coalesce(func.sum(Department.headcount), 0))  # type: ignore[arg-type]
    ).one()
    by_role: dict[str, int] = {}
    if user.role == "admin":
        rows = session.exec(select(User.role, func.count()).group_by(User.role)).all()
        by_role = {role: int(n) for role, n in rows}
    return HomeSummary(
        departments=int(departments), headcount=int(headcount), users_by_role=by_role
    )
