"""One department, as an executive may see it: flags, themes heard, actions; no notes."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Action,
    Conversation,
    ConversationTheme,
    Department,
    Theme,
    Ticket,
    TicketCategory,
    Visit,
)
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
    ticketed = dict(
        session.exec(
            select(Theme.name, func.count())
            .join(TicketCategory, col(TicketCategory.theme_id) == Theme.id)
            .join(Ticket, col(Ticket.category) == TicketCategory.name)
            .where(
                Ticket.department_id == dept.id,
                col(Ticket.opened_at) >= datetime.combine(since, time(), UTC),
                col(Ticket.opened_at) < datetime.combine(today + timedelta(days=1), time(), UTC),
            )
            .group_by(col(Theme.name))
        ).all()
    )
    # Heard in person beside ticketed, per theme: a theme people raise on walks and never
    # in a ticket is one the desk does not see.
    versus = [(name, n, int(ticketed.get(name, 0))) for name, n in themes]
    versus += sorted(
        ((name, 0, int(n)) for name, n in ticketed.items() if name not in dict(themes)),
        key=lambda item: -item[2],
    )
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
        "heard_vs_ticketed": versus if themes or not conversations else [],
        "has_tickets": row.get("tickets") is not None,
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
