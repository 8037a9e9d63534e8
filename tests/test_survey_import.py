"""Survey exports come in exactly, or not at all."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import Survey, SurveyResponse
from app.services.departments import import_departments
from app.services.errors import ConflictError
from app.services.surveys import import_survey
from tests.builders import (
    GENERIC,
    QUALTRICS,
    as_googleforms,
    as_msforms,
    as_surveymonkey,
    expected_counts,
    generic_rows,
    survey_directory,
    write_csv,
)

QUALTRICS_OPTIONS = SurveyOptions(department_column="Which department do you work in?")


def _responses(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(SurveyResponse)).one())


@pytest.mark.parametrize(
    "folder,options", [(GENERIC, SurveyOptions()), (QUALTRICS, QUALTRICS_OPTIONS)]
)
def test_samples_import_exact_counts(session: Session, folder: Path, options) -> None:
    import_departments(session, path=folder / "departments.csv")
    session.commit()
    result = import_survey(session, path=folder / "survey.csv", name="s", options=options)
    session.commit()
    want = expected_counts(folder)
    got = {name: counts for name, counts in result.by_department.items()}
    assert {k: v for k, v in want.items() if v != (0, 0)} == got
    assert result.responses == sum(r for r, _ in want.values())


def test_qualtrics_skips_previews_and_counts_partials(session: Session) -> None:
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    result = import_survey(
        session, path=QUALTRICS / "survey.csv", name="q", options=QUALTRICS_OPTIONS
    )
    session.commit()
    assert (result.format, result.previews, result.partials) == ("qualtrics", 6, 6)
    assert [scale for _, scale in result.rating_columns] == [
        "Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree"
    ] * 4


@pytest.mark.parametrize(
    "builder,file_format",
    [
        (as_surveymonkey, "surveymonkey"),
        (as_googleforms, "googleforms"),
        (as_msforms, "msforms"),
    ],
)
def test_other_tools_exports(session: Session, tmp_path: Path, builder, file_format) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    suffix = ".xlsx" if file_format == "msforms" else ".csv"
    path = builder(tmp_path / f"export{suffix}")
    result = import_survey(session, path=path, name="x", options=SurveyOptions())
    session.commit()
    assert result.format == file_format
    assert result.by_department == {k: v for k, v in expected_counts(GENERIC).items()}
    assert len(result.rating_columns) == 4
    assert result.round_date is not None and result.round_date.isoformat() == "2026-10-24"


@pytest.mark.parametrize(
    "encoding,delimiter",
    [
        ("utf-8-sig", ","),
        ("utf-16", ","),
        ("cp1252", ";"),
        ("utf-8", "\t"),
    ],
)
def test_encodings_and_delimiters(session: Session, tmp_path: Path, encoding, delimiter) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    header, rows = generic_rows()
    path = write_csv(tmp_path / "s.csv", [header, *rows], encoding=encoding, delimiter=delimiter)
    result = import_survey(session, path=path, name="enc", options=SurveyOptions())
    session.commit()
    # "Réception" survives every encoding and is matched to the directory.
    assert result.by_department["Réception"] == (51, 0)
    assert result.responses == 1527


def _small_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    header = ["department", "submitted_at", "q1", "q2"]
    return write_csv(tmp_path / "small.csv", [header, *rows])


def test_bad_rows_refuse_the_whole_file(session: Session, tmp_path: Path) -> None:
    survey_directory(session, tmp_path)
    path = _small_file(
        tmp_path,
        [
            ["Finance", "2026-10-01 10:00", "Good", "Poor"],
            ["Nowhere", "2026-10-01 11:00", "Good", "Good"],
            ["finance ", "2026-10-01 12:00", "Superb", "Good"],
            ["Legal", "yesterday-ish", "Good", "Fair"],
            ["Legal", "2026-10-02 09:00", "Good"],
            *[["Finance", "2026-10-03 09:00", "Good", "Very good"]] * 20,
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_survey(session, path=path, name="bad", options=SurveyOptions())
    report = str(refused.value)
    assert report.splitlines() == [
        "small.csv: 4 bad rows, nothing imported:",
        "  department: unknown department 'Nowhere': 1 row (row 3)",
        "  q1: 'Superb' is not on the scale (Poor, Fair, Good, Very good, Excellent): "
        "1 row (row 4)",
        "  submitted_at: 'yesterday-ish' is not a date like the rest of the column: 1 row (row 5)",
        "  ragged row: 3 fields where the header has 4: 1 row (row 6)",
    ]
    assert _responses(session) == 0
    assert session.exec(select(Survey)).first() is None


def test_skip_bad_rows_imports_the_rest(session: Session, tmp_path: Path) -> None:
    survey_directory(session, tmp_path)
    path = _small_file(
        tmp_path,
        [
            ["Finance", "2026-10-01 10:00", "Good", "Poor"],
            ["Nowhere", "2026-10-01 11:00", "Good", "Good"],
            *[["Legal", "2026-10-03 09:00", "N/A", "Very good"]] * 6,
        ],
    )
    result = import_survey(
        session, path=path, name="skip", options=SurveyOptions(skip_bad_rows=True)
    )
    session.commit()
    assert result.responses == 7
    assert [str(e) for e in result.skipped] == ["row 3, department: unknown department 'Nowhere'"]
    assert "1 bad row(s) skipped" in result.summary()
    scores = session.exec(select(SurveyResponse.score)).all()
    # Good=50, Poor=0 -> 25; N/A is missing, Very good=75.
    assert sorted(scores) == [25.0] + [75.0] * 6


def test_same_file_twice_changes_nothing_and_other_file_needs_replace(
    session: Session, tmp_path: Path
) -> None:
    survey_directory(session, tmp_path)
    first = _small_file(tmp_path, [["Finance", "2026-10-01", "Good", "Good"]] * 6)
    assert (
        import_survey(session, path=first, name="r", options=SurveyOptions()).status == "imported"
    )
    again = import_survey(session, path=first, name="r", options=SurveyOptions())
    session.commit()
    assert again.status == "unchanged" and "nothing changed" in again.summary()
    assert _responses(session) == 6
    second = write_csv(
        tmp_path / "second.csv",
        [
            ["department", "submitted_at", "q1", "q2"],
            *[["Legal", "2026-10-05", "Poor", "Fair"]] * 7,
        ],
    )
    with pytest.raises(ConflictError, match="replace it to swap"):
        import_survey(session, path=second, name="r", options=SurveyOptions())
    replaced = import_survey(session, path=second, name="r", options=SurveyOptions(replace=True))
    session.commit()
    assert (replaced.status, replaced.responses) == ("replaced", 7)
    assert _responses(session) == 7


def test_numeric_scales_and_custom_labels(session: Session, tmp_path: Path) -> None:
    survey_directory(session, tmp_path)
    path = write_csv(
        tmp_path / "n.csv",
        [
            ["department", "submitted_at", "nps", "stars", "mood"],
            *[
                [
                    "Finance",
                    "2026-10-01",
                    str(i % 11),
                    str(1 + i % 5),
                    ["Meh", "Okay", "Great"][i % 3],
                ]
                for i in range(22)
            ],
        ],
    )
    result = import_survey(
        session, path=path, name="n", options=SurveyOptions(scales=("Meh,Okay,Great",))
    )
    session.commit()
    assert [s for _, s in result.rating_columns] == ["0..10", "1..5", "Meh, Okay, Great"]
    first = session.exec(select(SurveyResponse).order_by(SurveyResponse.id)).first()
    assert first is not None
    # 0 on 0..10 -> 0; 1 on 1..5 -> 0; Meh -> 0.
    assert json.loads(first.ratings or "[]") == [0.0, 0.0, 0.0]


def test_respondents_stay_anonymous(session: Session, tmp_path: Path, database_url: str) -> None:
    import_departments(session, path=GENERIC / "departments.csv")
    session.commit()
    import_survey(
        session, path=as_surveymonkey(tmp_path / "sm.csv"), name="anon", options=SurveyOptions()
    )
    session.commit()
    dump = " ".join(
        str(v) for row in session.execute(text("SELECT * FROM survey_responses")) for v in row
    )
    assert "@example.org" not in dump and "10.0.0." not in dump and "Ann" not in dump


def test_no_rating_columns_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    survey_directory(session, tmp_path)
    path = write_csv(tmp_path / "free.csv", [["department", "comment"], ["Finance", "hello"]])
    with pytest.raises(FileFormatError, match="no rating columns found"):
        import_survey(session, path=path, name="f", options=SurveyOptions())


def test_stored_responses_read_back_as_written(session: Session, tmp_path: Path) -> None:
    """Times with offsets and fractions, blank times and unanswered questions are stored the
    same way on SQLite and PostgreSQL, whether a row went the bulk way or the careful one."""
    survey_directory(session, tmp_path)
    path = _small_file(
        tmp_path,
        [
            ["Finance", "2026-10-01T10:00:00+02:00", "Good", "N/A"],
            ["Legal", "2026-10-01 23:59:59.123456", "Excellent", "Poor"],
            ["Finance", "", "", "Fair"],
            ["Legal", "2026-10-02T00:30:00Z", "Very good", "Very good", "", ""],  # long, blank
            *[["Finance", "2026-10-03", "Good", "Very good"]] * 20,
        ],
    )
    result = import_survey(session, path=path, name="times", options=SurveyOptions())
    session.commit()
    assert result.responses == 24
    stored = session.exec(
        select(SurveyResponse.submitted_at, SurveyResponse.score, SurveyResponse.ratings).order_by(
            col(SurveyResponse.score), col(SurveyResponse.submitted_at)
        )
    ).all()
    first = [(t.isoformat() if t else None, score, ratings) for t, score, ratings in stored[:4]]
    assert first == [
        (None, 25.0, "[null,25.0]"),
        ("2026-10-01T08:00:00+00:00", 50.0, "[50.0,null]"),
        ("2026-10-01T23:59:59.123456+00:00", 50.0, "[100.0,0.0]"),
        ("2026-10-03T00:00:00+00:00", 62.5, "[50.0,75.0]"),
    ]
    assert (stored[-1][0].isoformat(), stored[-1][1]) == ("2026-10-02T00:30:00+00:00", 75.0)
    assert result.round_date == date(2026, 10, 3)
