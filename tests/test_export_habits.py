"""The habits of each survey tool, in files built like theirs (LimeSurvey's completion
date, Typeform's own columns, Alchemer's status, SurveyMonkey's response row, "don't know"
answers, label scales in other languages, timings and counts that are not ratings, bad
rows, headcounts): read right, or refused with the reason."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import Survey
from app.services.surveys import import_survey
from tests.builders import write_csv


def test_limesurvey_completion_comes_from_date_submitted(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    header = ["Response ID", "Date submitted", "Last page", "Start language", "Seed",
              "Date started", "Date last action", "Department", "How satisfied are you with IT?",
              "Question time: satisfaction",
              "How many days a week do you work on site?"]  # fmt: skip
    rows = [
        ["1", "2026-10-01 10:00:00", "3", "en", "274068858", "2026-10-01 09:58:00",
         "2026-10-01 10:00:00", "Finance", "Satisfied", "29.1", "3"],
        ["2", "", "1", "en", "483248171", "2026-10-01 10:01:00", "2026-10-01 10:02:00",
         "Finance", "Dissatisfied", "3.51", "5"],
        ["3", "2026-10-02 11:00:00", "3", "de", "152682427", "2026-10-02 10:52:00",
         "2026-10-02 11:00:00", "Legal", "I don't know", "2.43", "1"],
        ["4", "2026-10-02 12:00:00", "3", "en", "992318273", "2026-10-02 11:52:00",
         "2026-10-02 12:00:00", "Legal", "Very satisfied", "7.22", "2"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "results-survey123.csv", [header, *rows])
    result = import_survey(session, path=path, name="lime", options=SurveyOptions())
    assert result.format == "limesurvey"
    assert result.timestamp_column == "Date submitted"
    # Response 2 has no submission date: it stopped early, a partial.
    assert result.by_department == {"Finance": (1, 1), "Legal": (2, 0)}
    assert [(c, s) for c, _, s, _ in result.ratings] == [
        ("How satisfied are you with IT?",
         "Very dissatisfied, Dissatisfied, Neutral, Satisfied, Very satisfied"),
    ]  # fmt: skip
    left_out = {c: why for c, _, why in result.left_out}
    assert left_out == {
        "How many days a week do you work on site?": (
            "numbers in a question about a count, age, year or rank"
        ),
    }
    layout_meta = {"Last page", "Seed", "Question time: satisfaction", "Start language"}
    assert not layout_meta & {c for c, _, _, _ in result.ratings}


def test_typeform_s_columns_are_its_own_and_its_submit_date_times_the_answers(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Typeform writes `#` (the response's token), Response Type (completed or partial),
    Start, Stage and Submit Date (UTC) and Network ID (column names as in public code reading
    its exports). Before, no time column was found (no early and late answers to compare),
    and the token, dates and network id were listed as questions left out."""
    header = ["#", "Which department are you in?", "How satisfied are you with IT?",
              "Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)",
              "Network ID"]  # fmt: skip
    rows = [
        ["odw1", "Finance", "4", "completed", "2024-10-05 02:39:31", "", "2024-10-05 02:41:38",
         "653e97acae"],
        ["odw2", "Legal", "2", "completed", "2024-10-06 09:00:00", "", "2024-10-06 09:03:00",
         "1f0c2d9b7e"],
        ["odw3", "Legal", "3", "partial", "2024-10-06 10:00:00", "2024-10-06 10:01:00", "",
         "5a8e1c3f2d"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "responses.csv", [header, *rows])
    result = import_survey(session, path=path, name="typeform", options=SurveyOptions())
    assert (result.timestamp_column, str(result.round_date)) == ("Submit Date (UTC)", "2024-10-06")
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 1)}
    assert [c for c, _, _, _ in result.ratings] == ["How satisfied are you with IT?"]
    assert result.left_out == ()


def test_alchemer_s_status_tells_partial_and_screened_out_responses(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Alchemer (SurveyGizmo) writes Status as Complete, Partial or Disqualified (its API's
    documented values) and Date Submitted: a partial counts as partial, a respondent the
    screener turned away is no response, and Date Submitted times the answers."""
    header = ["Response ID", "Time Started", "Date Submitted", "Status", "Department",
              "How satisfied are you with IT?", "SessionID", "User Agent"]  # fmt: skip
    rows = [
        ["1", "2026-10-01 09:58:00", "2026-10-01 10:00:00", "Complete", "Finance", "Satisfied",
         "1633098000_6156c3", "Mozilla/5.0"],
        ["2", "2026-10-01 10:01:00", "", "Partial", "Finance", "Dissatisfied",
         "1633098060_6156c4", "Mozilla/5.0"],
        ["3", "2026-10-02 10:52:00", "2026-10-02 10:53:00", "Disqualified", "Legal", "",
         "1633171920_6156c5", "Mozilla/5.0"],
        ["4", "2026-10-02 11:52:00", "2026-10-02 12:00:00", "Complete", "Legal",
         "Very satisfied", "1633175520_6156c6", "Mozilla/5.0"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "alchemer.csv", [header, *rows])
    result = import_survey(session, path=path, name="alchemer", options=SurveyOptions())
    assert (result.timestamp_column, str(result.round_date)) == ("Date Submitted", "2026-10-02")
    assert (result.by_department, result.previews) == ({"Finance": (1, 1), "Legal": (1, 0)}, 1)
    assert [c for c, _, _, _ in result.ratings] == ["How satisfied are you with IT?"]
    assert result.left_out == ()


def test_surveymonkey_old_export_with_its_response_row(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    top = ["RespondentID", "CollectorID", "StartDate", "EndDate", "IP Address", "Email Address",
           "First Name", "LastName", "Custom Data", "Which department?",
           "How would you rate IT support?", ""]  # fmt: skip
    sub = ["", "", "", "", "", "", "", "", "", "Response", "Speed", "Friendliness"]
    rows = [
        ["101", "9", "10/01/2026 09:00:00", "10/01/2026 09:04:00", "10.0.0.1", "", "", "", "",
         "Finance", "Good", "Excellent"],
        ["102", "9", "10/01/2026 09:10:00", "10/01/2026 09:14:00", "10.0.0.2", "", "", "", "",
         "Legal", "Poor", "Fair"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "Sheet_1.csv", [top, sub, *rows])
    result = import_survey(session, path=path, name="sm", options=SurveyOptions())
    assert result.format == "surveymonkey"
    assert [c for c, _, _, _ in result.ratings] == [
        "How would you rate IT support?",
        "How would you rate IT support?",
    ]
    assert [q for _, q, _, _ in result.ratings] == [
        "How would you rate IT support? - Speed",
        "How would you rate IT support? - Friendliness",
    ]
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}


@pytest.mark.parametrize(
    "dont_know",
    ["I don't know", "Unfamiliar (N/A)", "Keine Angabe", "No basis for evaluation", "Ne sais pas"],
)
def test_dont_know_answers_are_no_answer(
    session: Session, tmp_path: Path, two_departments: None, dont_know: str
) -> None:
    # A third of the answers are "don't know": the column is still a rating, and no row is bad.
    rows = [["department", "submitted_at", "q1"]]
    answers = ["Agree", dont_know, "Strongly agree", dont_know, "Disagree", "Agree"]
    rows += [["Finance", f"2026-10-0{i + 1} 10:00", a] for i, a in enumerate(answers)]
    path = write_csv(tmp_path / "s.csv", rows)
    result = import_survey(session, path=path, name="dk", options=SurveyOptions())
    session.commit()
    assert result.skipped == ()
    assert result.by_department == {"Finance": (6, 0)}
    from app.models import SurveyResponse

    scores = sorted(r.score for r in session.exec(select(SurveyResponse)) if r.score is not None)
    # Agree 75, Strongly agree 100, Disagree 25 on the 5-point agreement scale.
    assert scores == [25.0, 75.0, 75.0, 100.0]


@pytest.mark.parametrize(
    "labels,scale",
    [
        (
            ["Pas du tout d'accord", "D'accord", "Tout à fait d'accord", "Pas d'accord"],
            "Pas du tout d'accord",
        ),
        (["Sehr zufrieden", "Zufrieden", "Unzufrieden", "Neutral"], "Sehr unzufrieden"),
        (["Totalmente de acuerdo", "En desacuerdo", "De acuerdo"], "Totalmente en desacuerdo"),
        (["Helemaal eens", "Oneens", "Eens", "Neutraal"], "Helemaal oneens"),
        (["Concordo", "Discordo", "Concordo totalmente"], "Discordo totalmente"),
    ],
)
def test_label_scales_in_the_languages_surveys_are_written_in(
    session: Session, tmp_path: Path, two_departments: None, labels: list[str], scale: str
) -> None:
    rows = [["department", "q1"]] + [["Finance", label] for label in labels * 2]
    path = write_csv(tmp_path / "s.csv", rows)
    result = import_survey(session, path=path, name="lang", options=SurveyOptions())
    assert result.ratings[0][2].startswith(scale)


def test_timings_decimals_and_counts_are_never_ratings(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["department", "Q1_First Click", "Q1_Page Submit", "Q1_Click Count", "load", "q1",
             "Year of study"]]  # fmt: skip
    values = [("2.59", "4.1", "1", "0.5", "Good", "1"), ("3", "6.25", "3", "7", "Poor", "2"),
              ("1.02", "2.2", "2", "8", "Fair", "3"),
              ("4", "5", "1", "2", "Excellent", "4")]  # fmt: skip
    rows += [["Finance", *v] for v in values * 3]
    path = write_csv(tmp_path / "timings.csv", rows)
    result = import_survey(session, path=path, name="t", options=SurveyOptions())
    assert [c for c, _, _, _ in result.ratings] == ["q1"]
    assert {c: why for c, _, why in result.left_out} == {
        "load": "decimal numbers ('0.5'): timings or measures",
        "Year of study": "numbers in a question about a count, age, year or rank",
    }


def test_changed_options_or_replace_read_the_same_file_again(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["department", "q1", "q2"]] + [["Finance", "Good", "Agree"]] * 3
    path = write_csv(tmp_path / "s.csv", rows)
    first = import_survey(session, path=path, name="s", options=SurveyOptions())
    session.commit()
    assert (first.status, len(first.ratings)) == ("imported", 2)
    again = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert again.status == "unchanged"
    narrowed = import_survey(
        session, path=path, name="s", options=SurveyOptions(rating_columns=("q1",))
    )
    session.commit()
    assert (narrowed.status, [c for c, _, _, _ in narrowed.ratings]) == ("replaced", ["q1"])
    stored = session.exec(select(Survey)).one()
    assert json.loads(stored.questions) == [
        {"column": "q1", "question": "q1", "scale": "Poor, Fair, Good, Very good, Excellent"}
    ]
    forced = import_survey(
        session, path=path, name="s", options=SurveyOptions(rating_columns=("q1",), replace=True)
    )
    assert forced.status == "replaced"


def test_many_bad_rows_are_grouped_and_counted_by_rows(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["department", "q1"], ["Finance", "Good"]]
    rows += [["Compliance", "Good"]] * 312 + [["Finance", "Superb"], ["Risk", "Meh"]]
    path = write_csv(tmp_path / "s.csv", rows)
    with pytest.raises(Exception) as refused:
        import_survey(session, path=path, name="s", options=SurveyOptions())
    lines = str(refused.value).splitlines()
    # Risk's row is wrong twice (unknown department, off the scale) and counts once.
    assert lines[0] == "s.csv: 314 bad rows, nothing imported:"
    assert lines[1] == "  department: unknown department 'Compliance': 312 rows (rows 3-314)"
    assert len(lines) == 5


def test_more_responses_than_headcount_is_a_warning_not_a_crash(
    session: Session, tmp_path: Path, two_departments: None, analyst_client: TestClient
) -> None:
    rows = [["department", "submitted_at", "q1"]]
    rows += [["Legal", "2026-10-01 10:00", "Good"]] * 6 + [
        ["Finance", "2026-10-01 10:00", "Poor"]
    ] * 6
    path = write_csv(tmp_path / "s.csv", rows)
    result = import_survey(session, path=path, name="over", options=SurveyOptions())
    session.commit()
    assert result.warnings == (
        "Legal: 6 responses but a headcount of 4; its response rate is capped at 100%",
    )
    report = analyst_client.get("/api/v1/reports/over?format=json")
    assert report.status_code == 200, report.text
    legal = next(d for d in report.json()["departments"] if d["department"] == "Legal")
    assert legal["response_rate"] == 1.0
    assert legal["warnings"] == ["6 responses but a headcount of 4: the rate is capped at 100%"]
    assert analyst_client.get("/reports/over").status_code == 200
    assert analyst_client.get("/dashboard").status_code == 200


def test_blank_rows_by_the_thousand_are_skipped(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["department", "q1"], ["Finance", "Good"]] + [["", ""]] * 20_001 + [["Legal", "Poor"]]
    path = write_csv(tmp_path / "s.csv", rows)
    result = import_survey(session, path=path, name="gaps", options=SurveyOptions())
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}


def test_a_walks_file_is_not_a_survey(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["visit_date", "department", "leader", "role", "said", "observed", "observed_score",
             "themes", "end_run", "notes"],
            ["2026-10-01", "Finance", "lead@example.org", "Clerk", "I'm fine", "Queue", "2",
             "printing", "false", ""]] * 3  # fmt: skip
    path = write_csv(tmp_path / "visits.csv", rows)
    with pytest.raises(FileFormatError, match="walks file"):
        import_survey(session, path=path, name="w", options=SurveyOptions())


def test_names_holding_commas_and_a_column_without_a_header(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    rows = [["department", "", "How rude, if at all, was the desk?"]]
    rows += [
        ["Finance", "Good", "Yes, very rude"],
        ["Finance", "Poor", "No, not rude at all"],
        ["Legal", "Fair", "Yes, somewhat rude"],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    options = SurveyOptions.from_inputs(
        rating_column=["How rude, if at all, was the desk?", "column 2"],
        scale=['["Yes, very rude", "Yes, somewhat rude", "No, not rude at all"]'],
    )
    result = import_survey(session, path=path, name="commas", options=options)
    session.commit()
    rude = "Yes, very rude, Yes, somewhat rude, No, not rude at all"
    assert [(c, s) for c, _, s, _ in result.ratings] == [
        ("How rude, if at all, was the desk?", rude),
        ("column 2", "Poor, Fair, Good, Very good, Excellent"),
    ]
    from app.models import SurveyResponse

    # Row 1: rude 0 and Good 50 -> 25; row 2: 100 and 0 -> 50; row 3: 50 and 25 -> 37.5.
    scores = sorted(r.score for r in session.exec(select(SurveyResponse)))
    assert scores == [25.0, 37.5, 50.0]


ALCHEMER_HEADER = ["Response ID", "Date Submitted", "Status", "Department",
                   "How satisfied are you with IT?"]  # fmt: skip
# Two respondents gave up before the department question: their partial rows have no
# department to count them in.
ALCHEMER_ROWS = [
    ["1", "2026-10-01 10:00:00", "Complete", "Finance", "Satisfied"],
    ["2", "", "Partial", "", ""],
    ["3", "", "Partial", "Legal", "Dissatisfied"],
    ["4", "", "Partial", "", "Very satisfied"],
    ["5", "2026-10-02 12:00:00", "Complete", "Legal", "Very satisfied"],
]  # fmt: skip


def test_partials_stopped_before_the_department_are_left_out_and_said(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """A partial response with no department cannot be counted anywhere: it is left out,
    and the import says how many (before, the file's rows did not add up to what was
    reported). A complete response with no department is still a bad row."""
    path = write_csv(tmp_path / "alchemer.csv", [ALCHEMER_HEADER, *ALCHEMER_ROWS])
    result = import_survey(session, path=path, name="alchemer", options=SurveyOptions())
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 1)}
    assert (result.partials, result.partials_without_department) == (1, 2)
    assert (
        "  left out: 2 partial responses that stopped before the department question "
        "(no department to count them in)"
    ) in result.summary().splitlines()
    finished = ["6", "2026-10-03 10:00:00", "Complete", "", "Satisfied"]
    bad = write_csv(tmp_path / "bad.csv", [ALCHEMER_HEADER, *ALCHEMER_ROWS, finished])
    with pytest.raises(ImportRefused) as bad_row:
        import_survey(session, path=bad, name="bad", options=SurveyOptions())
    assert "Department: the department is empty: 1 row (row 7)" in str(bad_row.value)
    only = write_csv(tmp_path / "gave-up.csv", [ALCHEMER_HEADER, *ALCHEMER_ROWS[3:4]])
    with pytest.raises(FileFormatError) as refused:
        import_survey(session, path=only, name="gave up", options=SurveyOptions())
    assert str(refused.value) == (
        "gave-up.csv: no responses to import: 1 partial response that stopped before the "
        "department question (no department to count them in)"
    )
