"""The report reads responses as counted at import (per department, completeness, wave and
score). Those counts must be exactly what counting every stored response gives, on both
backends, and the migration's backfill of older surveys must count the same way."""

import random
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, text
from sqlmodel import Session

from analysis.response_counts import count_responses
from app.ingest.survey_options import SurveyOptions
from app.migrate import upgrade_database
from app.models import SurveyScoreCount
from app.services.departments import import_departments
from app.services.report_frames import load_report_frames
from app.services.surveys import import_survey
from tests.builders import write_csv

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["Poor", "Fair", "Good", "Very good", "Excellent", "N/A"]


def _survey(tmp_path: Path, seed: int) -> Path:
    rng = random.Random(seed)
    rows = [["department", "finished", "submitted_at", "q1", "q2"]]
    sizes = {"Finance": 61, "Legal": 2, "People": 17, "Estates": 9}
    for department, size in sizes.items():
        for _ in range(size):
            # Few distinct times: many ties, which keep file order within a department.
            when = rng.choice(["", "2026-10-01 09:00", "2026-10-02 09:00", "2026-10-03 10:30"])
            rows.append(
                [
                    department,
                    rng.choice(["True", "True", "True", "False"]),
                    when,
                    rng.choice(LABELS),
                    rng.choice(LABELS),
                ]
            )
    rng.shuffle(rows[1:])
    return write_csv(tmp_path / f"survey-{seed}.csv", rows)


def _counted_from_every_response(session: Session, survey_id: int) -> pd.DataFrame:
    rows = session.execute(
        text(
            "SELECT d.name, r.submitted_at, r.is_complete, r.score FROM survey_responses r "
            "JOIN departments d ON d.id = r.department_id WHERE r.survey_id = :s ORDER BY r.id"
        ),
        {"s": survey_id},
    ).all()
    frame = pd.DataFrame(rows, columns=["department", "submitted_at", "is_complete", "score"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    return _sorted(count_responses(frame))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["department", "is_complete", "wave", "score", "count"]
    frame = frame[columns].astype({"is_complete": bool, "wave": int, "count": int})
    return frame.sort_values(columns[:4], na_position="first").reset_index(drop=True)


def _stored(session: Session, survey_id: int) -> pd.DataFrame:
    return _sorted(load_report_frames(session, survey_id=survey_id).responses)


def _import(session: Session, tmp_path: Path) -> list[int]:
    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nFinance,200\nLegal,10\nPeople,40\nEstates,30\n")
    import_departments(session, path=directory)
    session.commit()
    ids = []
    for seed in (1, 2):
        import_survey(
            session, path=_survey(tmp_path, seed), name=f"round {seed}", options=SurveyOptions()
        )
        session.commit()
        ids.append(
            session.execute(
                text("SELECT id FROM surveys WHERE name = :n"), {"n": f"round {seed}"}
            ).scalar_one()
        )
    return ids


def test_counts_kept_at_import_equal_counting_every_response(
    session: Session, tmp_path: Path
) -> None:
    for survey_id in _import(session, tmp_path):
        stored = _stored(session, survey_id)
        pd.testing.assert_frame_equal(stored, _counted_from_every_response(session, survey_id))
        assert set(stored["wave"]) == {0, 1, 2, 3}
        assert int(stored["count"].sum()) == 89


def test_upgrade_counts_surveys_imported_before_counts_were_kept(
    session: Session, tmp_path: Path, database_url: str
) -> None:
    survey_ids = _import(session, tmp_path)
    before = {s: _stored(session, s) for s in survey_ids}
    session.execute(delete(SurveyScoreCount))  # as a database from before revision 0008
    session.commit()
    upgrade_database(database_url)
    session.rollback()
    for survey_id in survey_ids:
        pd.testing.assert_frame_equal(_stored(session, survey_id), before[survey_id])
    upgrade_database(database_url)  # nothing more to count: the same rows, not twice
    session.rollback()
    for survey_id in survey_ids:
        pd.testing.assert_frame_equal(_stored(session, survey_id), before[survey_id])
