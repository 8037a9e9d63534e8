"""Every real export in tests/data/real through the API and the command line: the responses
and partials per department it must import, counted with pandas from the file itself, or
the reason it is refused."""

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import get_engine
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
        add_department(session, name, 100)
    session.commit()
    answer = import_over_api(client, analyst_token, "real", file, form)
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
    with Session(get_engine(database_url)) as session:
        for name in expected:
            add_department(session, name, 100)
        session.commit()
    done = run(
        "import",
        "survey",
        str(REAL / file),
        "--name",
        "real",
        "--database-url",
        database_url,
        *_cli_args(form),
    )
    if outcome != 200:
        assert done.returncode != 0 and str(outcome) in done.stderr, done.stderr
        return
    assert done.returncode == 0, done.stderr
    responses = sum(v["responses"] for v in expected.values())
    partials = sum(v["partials"] for v in expected.values())
    assert f"{responses} complete responses, {partials} partial" in done.stdout
