"""Survey exports come in exactly, or not at all."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_plan import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import Survey, SurveyResponse
from app.services.departments import import_departments
from app.services.errors import ConflictError
from app.services.surveys import import_survey
from tests.builders import (
    AGAINST_ROWS,
    GENERIC,
    QUALTRICS,
    as_googleforms,
    as_msforms,
    as_surveymonkey,
    expected_counts,
    generic_rows,
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


def _directory(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,20\nLegal,10\n")
    import_departments(session, path=path)
    session.commit()


def test_bad_rows_refuse_the_whole_file(session: Session, tmp_path: Path) -> None:
    _directory(session, tmp_path)
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
    _directory(session, tmp_path)
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
    _directory(session, tmp_path)
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
    _directory(session, tmp_path)
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


def test_the_range_a_question_states_is_its_scale(session: Session, tmp_path: Path) -> None:
    """Nobody chose 6 or 7 on "a scale of 1 to 7", nor 0 on "(0-10)": the answers alone
    would make these 1..5 and 1..10, and a 5 would count as the best answer. A range the
    question states wins when it holds the answers; one that does not (a "1 to 5" answered
    up to 9) is passed over as before."""
    _directory(session, tmp_path)
    header = ["department", "On a scale of 1 to 7, how satisfied are you?",
              "How likely are you to recommend IT? (0-10)", "Rate IT from 1 to 5"]  # fmt: skip
    answers = [["1", "10", "1"], ["5", "5", "9"], ["3", "3", "2"]]
    path = write_csv(tmp_path / "n.csv", [header, *[["Finance", *a] for a in answers]])
    result = import_survey(session, path=path, name="n", options=SurveyOptions())
    session.commit()
    assert [s for _, s in result.rating_columns] == ["1..7", "0..10", "1..10"]
    stored = session.exec(select(SurveyResponse.ratings).order_by(col(SurveyResponse.id))).all()
    # On 0..100: 5 on 1..7 is 4/6 of the way; 5 on 0..10 is half; 9 on 1..10 is 8/9.
    assert [json.loads(r or "[]") for r in stored] == [
        [0.0, 100.0, 0.0],
        [66.6667, 50.0, 88.8889],
        [33.3333, 30.0, 11.1111],
    ]


def test_a_question_worded_the_other_way_is_scored_top_down(
    session: Session, tmp_path: Path
) -> None:
    """ "IT often lets me down": agreeing is the worst answer. Read as worded it would count
    every complaint as praise; the analyst names it and it is scored top down. The same file
    read so again is read again (its responses swapped), not "already imported"."""
    _directory(session, tmp_path)
    rows = [["department", "How satisfied are you with IT?", "IT often lets me down"],
            ["Finance", "Very satisfied", "Strongly agree"],
            ["Legal", "Dissatisfied", "Disagree"]]  # fmt: skip
    path = write_csv(tmp_path / "s.csv", rows)
    first = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert first.status == "imported"  # type: ignore[union-attr]
    options = SurveyOptions.from_inputs(reversed_columns=["IT often lets me down"])
    result = import_survey(session, path=path, name="s", options=options)
    session.commit()
    assert result.status == "replaced"  # type: ignore[union-attr]
    assert result.rating_columns[1] == (  # type: ignore[union-attr]
        "IT often lets me down",
        "reversed: Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree",
    )
    stored = session.exec(select(SurveyResponse.ratings).order_by(col(SurveyResponse.id))).all()
    assert [json.loads(r or "[]") for r in stored] == [[100.0, 0.0], [25.0, 75.0]]
    for named, message in [
        ("Nope", "no column matches a reversed question 'Nope'"),
        ("department", "only a rating question can be reversed: department is not read as one"),
    ]:
        with pytest.raises(FileFormatError, match=message):
            import_survey(
                session,
                path=path,
                name="t",
                options=SurveyOptions.from_inputs(reversed_columns=[named]),
            )


def test_a_question_running_against_the_others_is_pointed_out(
    session: Session, tmp_path: Path
) -> None:
    """ "IT often lets me down" falls as the other two rise: r = -0.970 with the mean of the
    other answers over the 10 responses (scipy's pearsonr on them gives -0.9704, one-sided
    p = 1.6e-6). Dragged down by it, the other two run against their rest too (-0.59 and
    -0.67), and are not named: once it is turned, they run with it (0.92, 0.82). Turned by
    the analyst, nothing is said; a question turned that runs against the two others is
    said to be turned wrongly. (Which way round a questionnaire runs is told by its
    majority: with three questions, two turned wrongly would name the third.)"""
    _directory(session, tmp_path)
    path = write_csv(tmp_path / "s.csv", AGAINST_ROWS)
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert result.warnings == (  # type: ignore[union-attr]
        "'IT often lets me down': its answers run against the other rating questions (r ="
        " -0.97 over 10 responses): if agreeing with it is the worst answer, it is worded the"
        " other way; say so, and it is scored top down",
    )
    turned = SurveyOptions.from_inputs(reversed_columns=["IT often lets me down"])
    assert import_survey(session, path=path, name="s", options=turned).warnings == ()  # type: ignore[union-attr]
    wrong = SurveyOptions.from_inputs(
        reversed_columns=["IT helps me do my job", "IT often lets me down"]
    )
    assert import_survey(session, path=path, name="s", options=wrong).warnings == (  # type: ignore[union-attr]
        "'IT helps me do my job' is scored as worded the other way, yet its answers run"
        " against the other rating questions (r = -0.92 over 10 responses): if agreeing with"
        " it is the best answer, it is not",
    )


def test_an_export_of_every_response_to_date_is_told_and_can_count_each_once(
    session: Session, tmp_path: Path
) -> None:
    """Q4's file holds Q3's three responses again (the tool exported every response to
    date): said, with where; left out when asked, so Q4 counts its own two; a file holding
    nothing new is refused, saying why. A response is the same by department and submission
    second (the half second of 11:00:00.5 dropped on both sides)."""
    _directory(session, tmp_path)
    q3 = [
        ["department", "submitted_at", "q1"],
        ["Finance", "2026-07-01 09:00:00", "Good"],
        ["Legal", "2026-07-02 10:00:00", "Poor"],
        ["Finance", "2026-07-03 11:00:00.5", "Fair"],
    ]
    q4 = [*q3, ["Finance", "2026-10-01 09:00:00", "Excellent"],
          ["Legal", "2026-07-02 10:00:00", "Good"]]  # fmt: skip
    import_survey(
        session, path=write_csv(tmp_path / "q3.csv", q3), name="Q3", options=SurveyOptions()
    )
    path = write_csv(tmp_path / "q4.csv", q4)
    told = import_survey(session, path=path, name="Q4", options=SurveyOptions())
    assert told.warnings == (  # type: ignore[union-attr]
        "4 of these 5 responses are already in round 'Q3' (the same department and submission"
        " time, to the second): an export of every response to date holds the earlier rounds"
        " again; leave those responses out to count each response once",
    )
    only_new = SurveyOptions(new_responses_only=True)
    result = import_survey(session, path=path, name="Q4", options=only_new)
    assert (result.status, result.warnings, result.by_department) == (  # type: ignore[union-attr]
        "replaced",
        (),
        {"Finance": (1, 0)},
    )
    assert result.summary().splitlines()[-1] == "  left out: 4 responses already in round 'Q3'"
    session.commit()
    q4_id = session.exec(select(Survey.id).where(Survey.name == "Q4")).one()
    assert (
        session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == q4_id)
        ).one()
        == 1
    )
    nothing_new = "q3.csv: no responses to import: all 3 are already in round 'Q3'"
    with pytest.raises(FileFormatError, match=nothing_new):
        import_survey(session, path=tmp_path / "q3.csv", name="Q3 again", options=only_new)


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
    _directory(session, tmp_path)
    path = write_csv(tmp_path / "free.csv", [["department", "comment"], ["Finance", "hello"]])
    with pytest.raises(FileFormatError, match="no rating columns found"):
        import_survey(session, path=path, name="f", options=SurveyOptions())


def test_stored_responses_read_back_as_written(session: Session, tmp_path: Path) -> None:
    """Times with offsets and fractions, blank times and unanswered questions are stored the
    same way on SQLite and PostgreSQL, whether a row went the bulk way or the careful one."""
    _directory(session, tmp_path)
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
