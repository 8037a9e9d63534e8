"""Exports real tools wrote (tests/data/real, sources and licences in SOURCES.md), and the
layouts and habits of those tools: read right the first time, or refused with the reason."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_plan import SurveyOptions, plan_survey
from app.ingest.tabular import FileFormatError
from app.models import Department, Survey
from app.models.department import department_key
from app.services.surveys import import_survey
from tests.builders import write_csv

REAL = Path(__file__).parent / "data" / "real"
WALKABOUT = [sys.executable, "-m", "app.cli"]

# Every column a tool writes about the response rather than rating IT, in these files.
METADATA = {
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "ResponseID", "RecipientLastName",
    "RecipientFirstName", "RecipientEmail", "ExternalReference", "ExternalDataReference",
    "LocationLatitude", "LocationLongitude", "LocationAccuracy", "DistributionChannel",
    "UserLanguage", "ResponseSet", "Name", "EmailAddress", "V1", "V2", "V3", "V4", "V5", "V6",
    "V7", "V8", "V9", "V10", "_uuid", "_submission_time", "_tags", "_notes",
    "_validation_status", "meta/instanceID", "_gps_latitude", "_gps_longitude",
    "_gps_altitude", "_gps_precision", "_id", "_index", "_parent_table_name", "_parent_index",
    "Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
    "Date last action", "Total time", "RespondentID", "Timestamp", "participant_id",
    "redcap_survey_identifier", "prescreening_survey_timestamp", "prescreening_survey_complete",
    "email", "first_name", "last_name", "address", "telephone_1", "record_id", "name_first",
    "name_last", "telephone", "dob", "demographics_complete", "health_complete",
    "race_and_ethnicity_complete",
}  # fmt: skip
NO_BASIS_RATINGS = ["Q1", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4_1", "Q4_2", "Q4_3", "Q4_4"]

# file, department column, the rating items an analyst would take (None: none at all)
CORPUS = [
    ("qualtrics-new-qualtRics-sample.csv", "UserLanguage", None),
    ("qualtrics-legacy-qualtRics-sample.csv", "ResponseSet", None),
    ("qualtrics-2016-QualtricsTools-no-basis.csv", "ResponseSet", NO_BASIS_RATINGS),
    ("qualtrics-legacy-QualtricsTools-no-basis.csv", "ResponseSet", NO_BASIS_RATINGS),
    ("kobo-kobocat-tutorial.csv", "name", None),
    ("kobo-kobocat-sheets-tutorial.csv", "name", None),
    ("limesurvey-limonaid-998192.csv", "Start language", "LIME"),
    (
        "surveymonkey-fivethirtyeight-flying-etiquette-first-20.csv",
        "Location (Census Region)",
        None,
    ),
    ("surveymonkey-fivethirtyeight-steak-first-20.csv", "Location (Census Region)", None),
    ("googleforms-askamanager-salary-2021-first-20.csv", "Industry", None),
    ("redcap-REDCapR-survey.csv", "has_diabetes", None),
    ("redcap-REDCapR-simple.csv", "sex", None),
]


def _add_department(session: Session, name: str, headcount: int) -> None:
    session.add(Department(name=name, name_key=department_key(name), headcount=headcount))


def _ids(plan_columns) -> set[str]:  # type: ignore[no-untyped-def]
    return {n for c in plan_columns for n in c.names}


@pytest.mark.parametrize("file,department,ratings", CORPUS, ids=[c[0] for c in CORPUS])
def test_detection_takes_exactly_the_rating_items(file: str, department: str, ratings) -> None:
    options = SurveyOptions(department_column=department)
    if ratings == "LIME":
        # Worked out in test_limesurvey_export_read_as_an_analyst_would: 12 matrix items.
        plan = plan_survey(REAL / file, options, file)
        assert len(plan.ratings) == 12
        assert not _ids(r.column for r in plan.ratings) & METADATA
        return
    if ratings is None:
        # One answer each (a lone "2" is a ticked box as much as a rating), yes/no, choices,
        # salaries, ages, codes, or a scale no tool shares ("Yes, very rude"): nothing is
        # taken unless the analyst names it, and no metadata column is ever a candidate.
        with pytest.raises(FileFormatError, match="no rating columns found"):
            plan_survey(REAL / file, options, file)
        plan = plan_survey(REAL / file, options, file, require_ratings=False)
        assert not {c.id for c, _ in plan.left_out} & METADATA
        return
    plan = plan_survey(REAL / file, options, file)
    taken = [r.column.id for r in plan.ratings]
    assert taken == ratings
    assert not _ids(r.column for r in plan.ratings) & METADATA
    # -1 and -2 are Qualtrics' "No basis for evaluation" codes, not answers off the scale.
    notes = {r.column.id: r.note for r in plan.ratings}
    assert notes["Q4_2"] == "-2, -1 read as no answer"
    assert {c.id: why for c, why in plan.left_out}["Q2_1"] == "one number only (1): a ticked box"


def test_kobo_columns_left_out_say_why() -> None:
    file = "kobo-kobocat-tutorial.csv"
    with pytest.raises(FileFormatError):
        plan_survey(REAL / file, SurveyOptions(department_column="name"), file)
    plan = plan_survey(
        REAL / file, SurveyOptions(department_column="name", rating_columns=("has_children",)), file
    )
    assert plan.layout.format == "kobo"
    assert plan.timestamp is not None and plan.timestamp.id == "_submission_time"
    assert [r.column.id for r in plan.ratings] == ["has_children"]
    meta = {plan.layout.columns[i].id for i in plan.layout.meta}
    assert {"_uuid", "_gps_altitude", "meta/instanceID", "_validation_status"} <= meta


@pytest.mark.parametrize(
    "file",
    ["qualtrics-2016-QualtricsTools-no-basis.csv", "qualtrics-legacy-QualtricsTools-no-basis.csv"],
)
def test_qualtrics_test_responses_are_not_responses(session: Session, file: str) -> None:
    _add_department(session, "Default Response Set", 40)
    session.commit()
    # Status 2 is "Survey Test" on every one of the 15 rows (counted by hand).
    status = pd.read_csv(REAL / file, header=None, skiprows=3 if "2016" in file else 2, dtype=str)
    assert len(status) == 15
    with pytest.raises(FileFormatError, match=r"no responses to import \(all 15 rows are previews"):
        import_survey(
            session,
            path=REAL / file,
            name="s",
            options=SurveyOptions(department_column="ResponseSet"),
        )
    session.rollback()
    assert session.exec(select(Survey)).first() is None


QUALTRICS_ONE = [
    ("qualtrics-new-qualtRics-sample.csv", "UserLanguage", "DE"),
    ("qualtrics-legacy-qualtRics-sample.csv", "ResponseSet", "Standard-Antwortsatz"),
]


def _one_response_expected(file: str, department_column: str) -> tuple[str, float]:
    """The department and score of the file's one response, worked out with pandas."""
    header_rows = 3 if "new" in file else 2
    frame = pd.read_csv(REAL / file, header=0 if "new" in file else 1, dtype=str)
    frame = frame.iloc[header_rows - 1 :] if "new" in file else frame
    row = frame.iloc[-1]
    key = department_column if "new" in file else "ResponseSet"
    q1 = float(row["Q1" if "new" in file else "This is a multiple choice question."])
    # 2 on the smallest scale holding it, 1..5: (2 - 1) / (5 - 1) * 100 = 25.
    return row[key], (q1 - 1) / 4 * 100


@pytest.mark.parametrize("file,department,expected_department", QUALTRICS_ONE)
def test_named_rating_column_imports_through_the_cli(
    database_url: str, file: str, department: str, expected_department: str
) -> None:
    name, score = _one_response_expected(file, department)
    assert (name, score) == (expected_department, 25.0)
    with Session(_engine(database_url)) as session:
        _add_department(session, expected_department, 3)
        session.commit()
    done = subprocess.run(
        [*WALKABOUT, "import", "survey", str(REAL / file), "--name", "one", "--database-url",
         database_url, "--department-column", department, "--rating-column", "Q1"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 complete responses, 0 partial, 0 previews/tests/spam skipped" in done.stdout
    assert "rating: Q1 (This is a multiple choice question.) [1..5]" in done.stdout
    with Session(_engine(database_url)) as session:
        from app.models import SurveyResponse

        scores = [r.score for r in session.exec(select(SurveyResponse))]
    assert scores == [score]


@pytest.fixture
def analyst_token(session: Session, make_user) -> str:  # type: ignore[no-untyped-def]
    from app.services.users import create_api_token

    token = create_api_token(session, email=make_user("analyst"))
    session.commit()
    return token


def _engine(url: str):  # type: ignore[no-untyped-def]
    from app.db import get_engine

    return get_engine(url)


@pytest.mark.parametrize("file,department,expected_department", QUALTRICS_ONE)
def test_named_rating_column_imports_through_the_api(
    analyst_token: str, client: TestClient, session: Session, file, department, expected_department
) -> None:
    _add_department(session, expected_department, 3)
    session.commit()
    with (REAL / file).open("rb") as handle:
        answer = client.post(
            "/api/v1/surveys/one/import",
            headers={"Authorization": f"Bearer {analyst_token}"},
            files={"file": (file, handle, "text/csv")},
            data={"department_column": department, "rating_column": ["Q1"]},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["format"] == "qualtrics"
    assert body["departments"] == {expected_department: {"responses": 1, "partials": 0}}
    assert body["ratings"] == [
        {
            "column": "Q1",
            "question": "This is a multiple choice question.",
            "scale": "1..5",
            "note": "",
        }
    ]


# --- the habits of each tool, in files built like theirs ------------------------------------


@pytest.fixture
def two_departments(session: Session) -> None:
    _add_department(session, "Finance", 30)
    _add_department(session, "Legal", 4)
    session.commit()


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


LIME = "limesurvey-limonaid-998192.csv"


def test_limesurvey_export_read_as_an_analyst_would(session: Session) -> None:
    frame = pd.read_csv(REAL / LIME, dtype=str, keep_default_na=False)
    personality = [c for c in frame.columns if c.startswith("Describe yourselves [")]
    dual = [
        c
        for c in frame.columns
        if c.startswith("Geef voor onderstaande") and (frame[c].str.strip() != "").any()
    ]
    assert (len(personality), len(dual)) == (5, 7)
    plan = plan_survey(REAL / LIME, SurveyOptions(department_column="Start language"), LIME)
    assert plan.layout.format == "limesurvey"
    # The matrices' items, each on its matrix's scale (1..7 reached by one Dutch item, 1..5
    # by the personality items); nothing of the tool's (last page, seed, timers, equation).
    assert {r.column.id for r in plan.ratings} == set(personality) | set(dual)
    scales = {r.column.id: r.scale.describe() for r in plan.ratings}
    assert {scales[c] for c in dual} == {"1..7"} and {scales[c] for c in personality} == {"1..5"}
    left_out = {c.id: why for c, why in plan.left_out}
    assert left_out["How old are you?"] == "numbers in a question about a count, age, year or rank"
    assert left_out["How many pets do you have  [cats]"].startswith("numbers in a question")
    _add_department(session, "en", 3)
    _add_department(session, "nl-informal", 9)
    session.commit()
    result = import_survey(
        session,
        path=REAL / LIME,
        name="lime",
        options=SurveyOptions(department_column="Start language"),
    )
    session.commit()
    # Complete means a "Date submitted": responses 1 and 9; the five others stopped early.
    complete = frame[frame["Date submitted"].str.strip() != ""]
    assert list(complete["Response ID"]) == ["1", "9"]
    assert result.by_department == {"en": (1, 0), "nl-informal": (1, 5)}
    # Response 9's score: its 12 answers on 0..100, averaged (worked out with pandas).
    row = frame[frame["Response ID"] == "9"].iloc[0]
    values = [(float(row[c]) - 1) / 6 * 100 for c in dual if row[c].strip()]
    values += [(float(row[c]) - 1) / 4 * 100 for c in personality if row[c].strip()]
    expected = sum(values) / len(values)
    assert len(values) == 12 and round(expected, 4) == 48.6111
    from app.models import SurveyResponse

    stored = [
        r.score
        for r in session.exec(select(SurveyResponse).where(SurveyResponse.is_complete))
        if r.score is not None
    ]
    assert stored == [pytest.approx(expected)]


FLYING = "surveymonkey-fivethirtyeight-flying-etiquette-first-20.csv"
RUDE = ['["Yes, very rude", "Yes, somewhat rude", "No, not rude at all"]',
        '["Yes, very rude", "Yes, somewhat rude", "No, not at all rude"]']  # fmt: skip


def test_surveymonkey_rudeness_items_on_the_analysts_scales(database_url: str) -> None:
    frame = pd.read_csv(REAL / FLYING, dtype=str, keep_default_na=False)
    rude_items = [c for c in frame.columns if "rude" in c]
    assert len(rude_items) == 9
    region = "Location (Census Region)"
    # Worked out with pandas: each answer on 0..100 (very rude 0, somewhat 50, not rude 100),
    # a response's score the mean of its answers; rows without a region are bad rows.
    points = {"Yes, very rude": 0.0, "Yes, somewhat rude": 50.0, "No, not rude at all": 100.0,
              "No, not at all rude": 100.0}  # fmt: skip
    kept = frame[frame[region] != ""]
    scores = kept[rude_items].apply(lambda col: col.map(points)).mean(axis=1)
    expected = sorted(round(s, 4) for s in scores.dropna())
    unanswered = int(scores.isna().sum())  # flew never, so answered none of the items
    assert unanswered == 2
    with Session(_engine(database_url)) as session:
        for name, count in kept[region].value_counts().items():
            _add_department(session, str(name), 10 * int(count))
        session.commit()
    done = subprocess.run(
        [*WALKABOUT, "import", "survey", str(REAL / FLYING), "--name", "flying", "--database-url",
         database_url, "--department-column", region, "--scale", RUDE[0], "--scale", RUDE[1],
         "--skip-bad-rows"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} complete responses" in done.stdout
    # Counted by hand: data records 1, 9, 12, 13, 17 and 20 have no region.
    assert (
        "Location (Census Region): the department is empty: 6 rows (rows 2, 10, 13-14, 18, 21)"
        in done.stdout
    )
    assert done.stdout.count("  rating: ") == 9
    assert "left out: Age: numbers in a question about a count, age, year or rank" in done.stdout
    with Session(_engine(database_url)) as session:
        from app.models import SurveyResponse

        scored = [r.score for r in session.exec(select(SurveyResponse))]
    assert sorted(round(s, 4) for s in scored if s is not None) == expected
    assert scored.count(None) == unanswered


STEAK = "surveymonkey-fivethirtyeight-steak-first-20.csv"


def test_surveymonkey_response_row_and_a_survey_without_ratings() -> None:
    options = SurveyOptions(department_column="Location (Census Region)")
    # Yes/no questions, a choice of lotteries, steak doneness: an analyst takes none as a
    # rating of anything, so the file is refused with the reason, not imported as scores.
    with pytest.raises(FileFormatError, match="no rating columns found"):
        plan_survey(REAL / STEAK, options, STEAK)
    plan = plan_survey(REAL / STEAK, options, STEAK, require_ratings=False)
    # The "Response" row is a header row, not a respondent from a department "Response".
    assert (plan.layout.format, plan.layout.header_rows, plan.data_rows) == ("surveymonkey", 2, 20)
    assert {c.id: why for c, why in plan.left_out}["Do you ever smoke cigarettes?"] == (
        "answers on no known scale ('No', 'Yes')"
    )
    assert "RespondentID" in {plan.layout.columns[i].id for i in plan.layout.meta}


SALARY = "googleforms-askamanager-salary-2021-first-20.csv"


def test_google_forms_sheet_with_salaries_and_bands_but_no_rating() -> None:
    options = SurveyOptions(department_column="Industry")
    with pytest.raises(FileFormatError, match="no rating columns found"):
        plan_survey(REAL / SALARY, options, SALARY)
    plan = plan_survey(REAL / SALARY, options, SALARY, require_ratings=False)
    assert (plan.layout.format, plan.timestamp_format, plan.data_rows) == (
        "googleforms",
        "%m/%d/%Y %H:%M:%S",
        20,
    )
    why = {c.id: reason for c, reason in plan.left_out}
    # "55,000" is a salary of fifty-five thousand, not a decimal or a rating of 55.
    assert why["Annual salary"] == "numbers outside 0..10 (up to 112000): counts or codes"
    assert why["How old are you?"] == "numbers in a question about a count, age, year or rank"
    assert why["Overall years of professional experience"].startswith("numbers in a question")


def test_redcap_rows_are_located_as_a_spreadsheet_shows_them(session: Session) -> None:
    file = "redcap-REDCapR-simple.csv"
    _add_department(session, "FALSE", 10)
    session.commit()
    # Records 3 and 4 (Tumtum, Marcus) say TRUE; each record's cells hold line breaks, so the
    # text lines run ahead of the rows (worked out with the csv module, which counts both).
    import csv

    with (REAL / file).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        starts = []
        while True:
            line = reader.line_num + 1
            if next(reader, None) is None:
                break
            starts.append(line)
    assert starts == [1, 2, 4, 6, 8, 13]
    with pytest.raises(ImportRefused) as refused:
        import_survey(
            session,
            path=REAL / file,
            name="r",
            options=SurveyOptions(department_column="sex", rating_columns=("ethnicity",)),
        )
    errors = refused.value.errors
    assert [(e.sheet_row, e.line) for e in errors.errors] == [(3, 4), (4, 6), (6, 13)]
    assert str(errors.errors[0]) == "row 3 (line 4 of the text), sex: unknown department 'TRUE'"


def _expected_by_department(file: str, column: str) -> dict[str, dict[str, int]]:
    """Responses and partials per department, counted with pandas from the file itself."""
    if file == LIME:
        frame = pd.read_csv(REAL / file, dtype=str, keep_default_na=False)
        done = frame["Date submitted"].str.strip() != ""
        return {
            str(name): {"responses": int((done & (frame[column] == name)).sum()),
                        "partials": int((~done & (frame[column] == name)).sum())}
            for name in frame[column].unique()
        }  # fmt: skip
    header = {"qualtrics-new-qualtRics-sample.csv": 0}.get(file)
    if header is not None:
        frame = pd.read_csv(REAL / file, dtype=str, keep_default_na=False).iloc[2:]
    elif "legacy" in file:
        frame = pd.read_csv(REAL / file, dtype=str, keep_default_na=False, header=1)
    else:
        frame = pd.read_csv(REAL / file, dtype=str, keep_default_na=False)
    counts = frame[frame[column] != ""][column].value_counts()
    return {str(name): {"responses": int(n), "partials": 0} for name, n in counts.items()}


# file -> the API's form for it, and what the import must answer
NO_RATINGS = "no rating columns found"
NO_RESPONSES = "no responses to import"
API_CASES = {
    "qualtrics-new-qualtRics-sample.csv": (
        {"department_column": "UserLanguage", "rating_column": ["Q1"]},
        200,
    ),
    "qualtrics-legacy-qualtRics-sample.csv": (
        {"department_column": "ResponseSet", "rating_column": ["Q1"]},
        200,
    ),
    LIME: ({"department_column": "Start language"}, 200),
    FLYING: (
        {"department_column": "Location (Census Region)", "scale": RUDE, "skip_bad_rows": "true"},
        200,
    ),
    "qualtrics-2016-QualtricsTools-no-basis.csv": (
        {"department_column": "ResponseSet"},
        NO_RESPONSES,
    ),
    "qualtrics-legacy-QualtricsTools-no-basis.csv": (
        {"department_column": "ResponseSet"},
        NO_RESPONSES,
    ),
    "kobo-kobocat-tutorial.csv": ({"department_column": "name"}, NO_RATINGS),
    "kobo-kobocat-sheets-tutorial.csv": ({"department_column": "name"}, NO_RATINGS),
    STEAK: ({"department_column": "Location (Census Region)"}, NO_RATINGS),
    SALARY: ({"department_column": "Industry"}, NO_RATINGS),
    "redcap-REDCapR-survey.csv": ({"department_column": "has_diabetes"}, NO_RATINGS),
    "redcap-REDCapR-simple.csv": ({"department_column": "sex"}, NO_RATINGS),
}


@pytest.mark.parametrize("file", sorted(API_CASES))
def test_every_real_export_through_the_api(
    analyst_token: str, client: TestClient, session: Session, file: str
) -> None:
    assert len(API_CASES) == 12 == len(list(REAL.glob("*.csv")))
    form, outcome = API_CASES[file]
    column = str(form["department_column"])
    expected = _expected_by_department(file, column)
    for name in expected:
        _add_department(session, name, 100)
    session.commit()
    with (REAL / file).open("rb") as handle:
        answer = client.post(
            "/api/v1/surveys/real/import",
            headers={"Authorization": f"Bearer {analyst_token}"},
            files={"file": (file, handle, "text/csv")},
            data=form,
        )
    if outcome == 200:
        assert answer.status_code == 200, answer.text
        assert answer.json()["departments"] == expected
    else:
        assert answer.status_code == 422
        assert str(outcome) in answer.text


def _cli_args(form: dict) -> list[str]:
    """The API form's fields as the command line takes them."""
    args = ["--department-column", str(form["department_column"])]
    for column in form.get("rating_column", []):
        args += ["--rating-column", column]
    for scale in form.get("scale", []):
        args += ["--scale", scale]
    if form.get("skip_bad_rows"):
        args.append("--skip-bad-rows")
    return args


@pytest.mark.sqlite_only  # the API test reads every file on both backends
@pytest.mark.parametrize("file", sorted(API_CASES))
def test_every_real_export_through_the_cli(database_url: str, file: str) -> None:
    form, outcome = API_CASES[file]
    expected = _expected_by_department(file, str(form["department_column"]))
    with Session(_engine(database_url)) as session:
        for name in expected:
            _add_department(session, name, 100)
        session.commit()
    done = subprocess.run(
        [*WALKABOUT, "import", "survey", str(REAL / file), "--name", "real", "--database-url",
         database_url, *_cli_args(form)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if outcome != 200:
        assert done.returncode != 0 and str(outcome) in done.stderr, done.stderr
        return
    assert done.returncode == 0, done.stderr
    responses = sum(v["responses"] for v in expected.values())
    partials = sum(v["partials"] for v in expected.values())
    assert f"{responses} complete responses, {partials} partial" in done.stdout
