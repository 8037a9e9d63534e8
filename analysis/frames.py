"""The frames the analysis takes, and their columns.

- departments: department (str), headcount (int), division (str or None)
- responses: department (str), submitted_at (datetime64, NaT allowed), is_complete (bool),
  score (float 0..100, NaN when no rating was answered); or counted, as
  `analysis.response_counts` describes: department, is_complete, wave, score, count
- answers: department (str), value (float 0..100), optionally count (int): the answered
  ratings of complete responses, one row each or counted per value (bunching, extremes)
- conversations: department (str), visit (hashable id), visit_date (datetime64),
  stated (float 0..100 or NaN), observed (float 0..100)
"""

import pandas as pd

DEPARTMENT_COLUMNS = ("department", "headcount", "division")
RESPONSE_COLUMNS = ("department", "submitted_at", "is_complete", "score")
ANSWER_COLUMNS = ("department", "value")
CONVERSATION_COLUMNS = ("department", "visit", "visit_date", "stated", "observed")


def check_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Refuse a frame that lacks a column the analysis needs."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks column(s): {', '.join(missing)}")
