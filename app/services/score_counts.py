"""Counts kept beside each survey, for rounds imported before they were kept: worked out
from the stored responses once, when the database is upgraded."""

import pandas as pd
from sqlalchemy import insert
from sqlmodel import Session, col, select

from analysis.response_counts import count_responses
from app.models import Survey, SurveyResponse, SurveyScoreCount


def backfill_score_counts(session: Session) -> int:
    """Count the responses of surveys imported before counts were kept (per department,
    completeness, wave and score), as the import counts them; returns how many surveys."""
    counted = select(SurveyScoreCount.survey_id).distinct()
    missing = session.exec(
        select(Survey.id)
        .where(col(Survey.responses) + col(Survey.partials) > 0)
        .where(col(Survey.id).not_in(counted))
    ).all()
    for survey_id in missing:
        rows = session.exec(
            select(
                SurveyResponse.department_id,
                SurveyResponse.submitted_at,
                SurveyResponse.is_complete,
                SurveyResponse.score,
            )
            .where(SurveyResponse.survey_id == survey_id)
            .order_by(col(SurveyResponse.id))
        ).all()
        frame = pd.DataFrame(rows, columns=["department", "submitted_at", "is_complete", "score"])
        frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
        session.execute(
            insert(SurveyScoreCount),
            [
                {
                    "survey_id": survey_id,
                    "department_id": int(department),
                    "is_complete": bool(complete),
                    "wave": int(wave),
                    "score": None if pd.isna(score) else float(score),
                    "count": int(count),
                }
                for department, complete, wave, score, count in count_responses(frame).itertuples(
                    index=False, name=None
                )
            ],
        )
    session.flush()
    return len(missing)
