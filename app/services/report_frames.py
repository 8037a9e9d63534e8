"""The one place where database rows become the frames `analysis/` takes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.models import (
    Conversation,
    ConversationTheme,
    Department,
    Survey,
    SurveyAnswerCount,
    SurveyDepartment,
    SurveyScoreCount,
    Theme,
    Ticket,
    TicketCategory,
    TicketExport,
    Visit,
)


@dataclass(frozen=True)
class ReportFrames:
    departments: pd.DataFrame
    responses: pd.DataFrame
    answers: pd.DataFrame
    conversations: pd.DataFrame


def _rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[Any]:
    # Column tuples, not model objects: plain SQLAlchemy execution.
    return list(session.execute(query).all())


def load_report_frames(session: Session, *, survey_id: int) -> ReportFrames:
    """Departments with the survey's frozen headcounts, its responses and all conversations."""
    dept_rows = _rows(
        session,
        select(
            col(Department.id),
            col(Department.name),
            col(Department.division),
            col(SurveyDepartment.headcount),
        )
        .join(SurveyDepartment, col(SurveyDepartment.department_id) == col(Department.id))
        .where(col(SurveyDepartment.survey_id) == survey_id)
        .order_by(col(Department.name)),
    )
    names = {row[0]: row[1] for row in dept_rows}
    departments = pd.DataFrame(
        {
            "department": pd.Series([r[1] for r in dept_rows], dtype="object"),
            "headcount": pd.Series([int(r[3]) for r in dept_rows], dtype="int64"),
            "division": pd.Series([r[2] for r in dept_rows], dtype="object"),
        }
    )
    responses = _load_responses(session, survey_id=survey_id, names=names)
    answer_rows = _rows(
        session,
        select(
            col(SurveyAnswerCount.department_id),
            col(SurveyAnswerCount.value),
            col(SurveyAnswerCount.count),
        ).where(col(SurveyAnswerCount.survey_id) == survey_id),
    )
    answers = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in answer_rows], dtype="object"),
            "value": pd.Series([r[1] for r in answer_rows], dtype="float64"),
            "count": pd.Series([r[2] for r in answer_rows], dtype="int64"),
        }
    )
    conversation_rows = _rows(
        session,
        select(
            col(Visit.department_id),
            col(Visit.id),
            col(Visit.visit_date),
            col(Conversation.stated_score),
            col(Conversation.observed_score),
            col(Visit.created_at),
            col(Conversation.end_run),
            col(Conversation.unreported),
        ).join(Conversation, col(Conversation.visit_id) == col(Visit.id)),
    )
    conversations = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in conversation_rows], dtype="object"),
            "visit": pd.Series([r[1] for r in conversation_rows], dtype="int64"),
            "visit_date": pd.to_datetime(
                pd.Series([r[2] for r in conversation_rows], dtype="object")
            ),
            "stated": pd.Series(
                [(r[3] - 1) * 25.0 if r[3] is not None else None for r in conversation_rows],
                dtype="float64",
            ),
            "observed": pd.Series([(r[4] - 1) * 25.0 for r in conversation_rows], dtype="float64"),
            # The UTC day the walk was logged: closed quarters count it only if on time.
            "logged_on": pd.to_datetime(
                pd.Series([r[5].date() for r in conversation_rows], dtype="object")
            ),
            "end_run": pd.Series([bool(r[6]) for r in conversation_rows], dtype="bool"),
            "unreported": pd.Series([int(r[7]) for r in conversation_rows], dtype="int64"),
        }
    )
    conversations = conversations[conversations["department"].notna()]
    return ReportFrames(departments, responses, answers, conversations)


def _load_responses(session: Session, *, survey_id: int, names: dict[Any, str]) -> pd.DataFrame:
    """A survey's responses as counted at import (per department, completeness, wave and
    score): a few thousand rows however many responses there are."""
    rows = _rows(
        session,
        select(
            col(SurveyScoreCount.department_id),
            col(SurveyScoreCount.is_complete),
            col(SurveyScoreCount.wave),
            col(SurveyScoreCount.score),
            col(SurveyScoreCount.count),
        ).where(col(SurveyScoreCount.survey_id) == survey_id),
    )
    frame = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in rows], dtype="object"),
            "is_complete": pd.Series([bool(r[1]) for r in rows], dtype="bool"),
            "wave": pd.Series([r[2] for r in rows], dtype="int64"),
            "score": pd.Series([r[3] for r in rows], dtype="float64"),
            "count": pd.Series([r[4] for r in rows], dtype="int64"),
        }
    )
    return frame[frame["department"].notna()].reset_index(drop=True)


FIRST_ROUND_DAYS = 365  # a first round's period: the year before it


@dataclass(frozen=True)
class DeskFrames:
    tickets: pd.DataFrame
    period: tuple[date, date]
    themes: pd.DataFrame


def round_period(session: Session, *, survey: Survey) -> tuple[date, date]:
    """The survey round's period: from the day after the round before it (a year, for the
    first) to its own date."""
    before = session.execute(
        select(col(Survey.round_date))
        .where(col(Survey.round_date) < survey.round_date)
        .order_by(col(Survey.round_date).desc())
        .limit(1)
    ).scalar()
    start = (
        before + timedelta(days=1)
        if before
        else survey.round_date - timedelta(days=FIRST_ROUND_DAYS)
    )
    return start, survey.round_date


def load_desk_frames(session: Session, *, survey: Survey) -> DeskFrames | None:
    """The tickets opened in the round's period, as far as the exports cover it, and the
    themes conversations raised; None where no export covers any of the period."""
    start, end = round_period(session, survey=survey)
    covered = session.execute(
        select(
            func.min(col(TicketExport.period_start)), func.max(col(TicketExport.period_end))
        ).where(col(TicketExport.period_start) <= end, col(TicketExport.period_end) >= start)
    ).one()
    if covered[0] is None:
        return None
    period = (max(start, covered[0]), min(end, covered[1]))
    names = dict(_rows(session, select(col(Department.id), col(Department.name))))
    ticket_rows = _rows(
        session,
        select(
            col(Ticket.department_id),
            col(Ticket.opened_at),
            col(Ticket.resolved_at),
            col(Ticket.sla_met),
            col(Theme.name),
        )
        .outerjoin(TicketCategory, col(TicketCategory.name) == col(Ticket.category))
        .outerjoin(Theme, col(Theme.id) == col(TicketCategory.theme_id))
        .where(
            col(Ticket.opened_at) >= _midnight(period[0]),
            col(Ticket.opened_at) < _midnight(period[1] + timedelta(days=1)),
        ),
    )
    tickets = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in ticket_rows], dtype="object"),
            "opened_at": pd.to_datetime(pd.Series([r[1] for r in ticket_rows]), utc=True),
            "resolved_at": pd.to_datetime(pd.Series([r[2] for r in ticket_rows]), utc=True),
            "sla_met": pd.Series(
                [np.nan if r[3] is None else float(r[3]) for r in ticket_rows], dtype="float64"
            ),
            "theme": pd.Series([r[4] for r in ticket_rows], dtype="object"),
        }
    )
    theme_rows = _rows(
        session,
        select(
            col(Visit.department_id),
            col(Visit.visit_date),
            col(Theme.name),
            col(Visit.created_at),
        )
        .join(Conversation, col(Conversation.visit_id) == col(Visit.id))
        .join(ConversationTheme, col(ConversationTheme.conversation_id) == col(Conversation.id))
        .join(Theme, col(Theme.id) == col(ConversationTheme.theme_id))
        .where(col(Visit.visit_date) >= period[0], col(Visit.visit_date) <= period[1]),
    )
    themes = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in theme_rows], dtype="object"),
            "visit_date": pd.to_datetime(pd.Series([r[1] for r in theme_rows], dtype="object")),
            "theme": pd.Series([r[2] for r in theme_rows], dtype="object"),
            "logged_on": pd.to_datetime(
                pd.Series([r[3].date() for r in theme_rows], dtype="object")
            ),
        }
    )
    return DeskFrames(tickets[tickets["department"].notna()], period, themes)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)
