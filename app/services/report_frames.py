"""The one place where database rows become the frames `analysis/` takes."""

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlmodel import Session, col

from app.models import (
    Conversation,
    Department,
    SurveyAnswerCount,
    SurveyDepartment,
    SurveyScoreCount,
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
