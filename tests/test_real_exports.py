"""Exports real tools wrote (tests/data/real, sources and licences in SOURCES.md), and the
layouts and habits of those tools: read right the first time, or refused with the reason."""

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import get_engine
from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.survey_plan import plan_survey
from app.ingest.tabular import FileFormatError
from app.models import Survey
from app.services.surveys import import_survey
from tests.builders import add_department
from tests.cli import run
from tests.real_exports import (
    FLYING,
    LIME,
    REAL,
    RUDE,
    SALARY,
    STEAK,
    import_over_api,
)

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
    add_department(session, "Default Response Set", 40)
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
    with Session(get_engine(database_url)) as session:
        add_department(session, expected_department, 3)
        session.commit()
    done = run(
        "import",
        "survey",
        str(REAL / file),
        "--name",
        "one",
        "--database-url",
        database_url,
        "--department-column",
        department,
        "--rating-column",
        "Q1",
    )
    assert done.returncode == 0, done.stderr
    assert "1 complete responses, 0 partial, 0 previews/tests/spam skipped" in done.stdout
    assert "rating: Q1 (This is a multiple choice question.) [1..5]" in done.stdout
    with Session(get_engine(database_url)) as session:
        from app.models import SurveyResponse

        scores = [r.score for r in session.exec(select(SurveyResponse))]
    assert scores == [score]


@pytest.mark.parametrize("file,department,expected_department", QUALTRICS_ONE)
def test_named_rating_column_imports_through_the_api(
    analyst_token: str, client: TestClient, session: Session, file, department, expected_department
) -> None:
    add_department(session, expected_department, 3)
    session.commit()
    form = {"department_column": department, "rating_column": ["Q1"]}
    answer = import_over_api(client, analyst_token, "one", file, form)
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
    add_department(session, "en", 3)
    add_department(session, "nl-informal", 9)
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
    with Session(get_engine(database_url)) as session:
        for name, count in kept[region].value_counts().items():
            add_department(session, str(name), 10 * int(count))
        session.commit()
    done = run(
        "import",
        "survey",
        str(REAL / FLYING),
        "--name",
        "flying",
        "--database-url",
        database_url,
        "--department-column",
        region,
        "--scale",
        RUDE[0],
        "--scale",
        RUDE[1],
        "--skip-bad-rows",
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} complete responses" in done.stdout
    # Counted by hand: data records 1, 9, 12, 13, 17 and 20 have no region.
    assert (
        "Location (Census Region): the department is empty: 6 rows (rows 2, 10, 13-14, 18, 21)"
        in done.stdout
    )
    assert done.stdout.count("  rating: ") == 9
    assert "left out: Age: numbers in a question about a count, age, year or rank" in done.stdout
    with Session(get_engine(database_url)) as session:
        from app.models import SurveyResponse

        scored = [r.score for r in session.exec(select(SurveyResponse))]
    assert sorted(round(s, 4) for s in scored if s is not None) == expected
    assert scored.count(None) == unanswered


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
    add_department(session, "FALSE", 10)
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
