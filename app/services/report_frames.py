"""The one place where database rows become the frames `analysis/` takes."""

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlmodel import Session, col

from app.models import Conversation, Department, SurveyDepartment, SurveyResponse, Visit


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
    response_rows = _rows(
        session,
        select(
            col(SurveyResponse.department_id),
            col(SurveyResponse.submitted_at),
            col(SurveyResponse.is_complete),
            col(SurveyResponse.score),
            col(SurveyResponse.ratings),
        ).where(col(SurveyResponse.survey_id) == survey_id),
    )
    responses = pd.DataFrame(
        {
            "department": pd.Series([names.get(r[0]) for r in response_rows], dtype="object"),
            "submitted_at": pd.to_datetime(
                pd.Series([r[1] for r in response_rows], dtype="object"), utc=True
            ),
            "is_complete": pd.Series([bool(r[2]) for r in response_rows], dtype="bool"),
            "score": pd.Series([r[3] for r in response_rows], dtype="float64"),
        }
    )
    answer_departments: list[str | None] = []
    answer_values: list[float] = []
    for dept_id, _submitted, complete, _score, ratings in response_rows:
        if not complete or not ratings:
            continue
        for value in json.loads(ratings):
            if value is not None:
                answer_departments.append(names.get(dept_id))
                answer_values.append(float(value))
    answers = pd.DataFrame(
        {
            "department": pd.Series(answer_departments, dtype="object"),
            "value": pd.Series(answer_values, dtype="float64"),
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
        }
    )
    conversations = conversations[conversations["department"].notna()]
    return ReportFrames(departments, responses, answers, conversations)
