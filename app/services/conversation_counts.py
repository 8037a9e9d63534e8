"""Counts for the dashboard: end-runs, expectation mismatches, teaching, ideas, decisions."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, func, select
from sqlmodel import Session, col

from app.models import Conversation, Department, Visit
from app.services.conversations import heard_between
from app.services.ideas import idea_counts
from app.services.priority_decisions import decision_counts

WINDOW_DAYS = 365


def conversation_counts(
    session: Session,
    *,
    min_group_size: int,
    today: date | None = None,
    since: date | None = None,
    only: set[str] | None = None,
    closed_quarters: bool = False,
) -> dict[str, Any]:
    """Per department (with at least k conversations in the last year, or since `since`;
    only those in `only` when given) and overall."""
    until = today or date.today()
    since = since or until - timedelta(days=WINDOW_DAYS)
    # Plain SQLAlchemy: six aggregate columns, returned as tuples.
    rows = session.execute(
        select(
            col(Department.name),
            func.count(col(Conversation.id)),
            func.sum(func.cast(col(Conversation.end_run), Integer)),
            func.sum(func.cast(col(Conversation.expectation_mismatch), Integer)),
            func.sum(func.cast(col(Conversation.teaching) != "", Integer)),
            func.sum(col(Conversation.taught_people)),
        )
        .join(Visit, col(Visit.department_id) == Department.id)
        .join(Conversation, col(Conversation.visit_id) == Visit.id)
        .where(heard_between(since, until, closed_quarters=closed_quarters))
        .group_by(col(Department.name))
        .order_by(col(Department.name))
    ).all()
    ideas = idea_counts(session)
    departments = [
        {
            "department": name,
            "conversations": int(n),
            "end_runs": int(end_runs or 0),
            "mismatches": int(mismatches or 0),
            "teaching": int(teaching or 0),
            "people_taught": int(taught or 0),
            "ideas_heard": ideas.get(name, {}).get("heard", 0),
            "ideas_taken_forward": ideas.get(name, {}).get("taken_forward", 0),
        }
        for name, n, end_runs, mismatches, teaching, taught in rows
        if n >= min_group_size and (only is None or name in only)
    ]
    return {
        "departments": departments,
        "ideas_heard": sum(v["heard"] for v in ideas.values()),
        "ideas_taken_forward": sum(v["taken_forward"] for v in ideas.values()),
        **decision_counts(session),
    }
