"""One department, as an executive may see it: flags, themes heard, actions; no notes."""

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Action, Conversation, ConversationTheme, Department, Theme, Visit
from app.models.department import department_key
from app.services.conversations import heard_between
from app.services.dashboard import heard_window
from app.services.errors import NotFoundError
from app.services.reports import cached_report


def department_drilldown(
    session: Session,
    *,
    survey: str,
    department: str,
    min_group_size: int,
    closed_quarters: bool = False,
    published_only: bool = False,
) -> dict[str, Any] | None:
    """The report row, the themes raised (only with k or more conversations) and actions."""
    day = date.today()
    since, today = heard_window(day, closed_quarters=closed_quarters)
    try:
        report = cached_report(
            session,
            survey=survey,
            as_of=day,
            min_group_size=min_group_size,
            closed_quarters=closed_quarters,
            published_only=published_only,
        )
    except NotFoundError:
        return None
    row = next(
        (
            d
            for d in report["departments"]
            if department_key(d["department"]) == department_key(department)
        ),
        None,
    )
    dept = session.exec(
        select(Department).where(Department.name_key == department_key(department))
    ).first()
    if row is None or dept is None:
        return None
    conversations = session.exec(
        select(func.count(col(Conversation.id)))
        .join(Visit, col(Visit.id) == Conversation.visit_id)
        .where(
            Visit.department_id == dept.id,
            heard_between(since, today, closed_quarters=closed_quarters),
        )
    ).one()
    themes: list[tuple[str, int]] = []
    if conversations >= min_group_size and not (closed_quarters and row["observed_score"] is None):
        themes = [
            (name, int(n))
            for name, n in session.exec(
                select(Theme.name, func.count())
                .join(ConversationTheme, col(ConversationTheme.theme_id) == Theme.id)
                .join(Conversation, col(Conversation.id) == ConversationTheme.conversation_id)
                .join(Visit, col(Visit.id) == Conversation.visit_id)
                .where(
                    Visit.department_id == dept.id,
                    heard_between(since, today, closed_quarters=closed_quarters),
                )
                .group_by(col(Theme.name))
                .order_by(func.count().desc())
            )
        ]
    actions = session.exec(
        select(Action)
        .join(Visit, col(Visit.id) == Action.visit_id)
        .where(Visit.department_id == dept.id)
        .order_by(col(Action.due_date))
    ).all()
    return {
        "row": row,
        "conversations": int(conversations),
        "themes": themes,
        "actions": [
            {
                "title": a.title,
                "due_date": a.due_date,
                "status": a.status,
                "overdue": a.due_date is not None
                and a.due_date < date.today()
                and a.status in ("open", "in_progress"),
            }
            for a in actions
        ],
    }
