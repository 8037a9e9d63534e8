"""Small builders for test data: sample folders, and the generic sample re-written in the
shapes other survey tools export."""

import csv
import io
import json
import math
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from analysis.frames import (
    ANSWER_COLUMNS,
    CONVERSATION_COLUMNS,
    DEPARTMENT_COLUMNS,
    RESPONSE_COLUMNS,
)
from analysis.references import Baseline, Reference, ShareReference
from app.ingest.survey_options import SurveyOptions
from app.models import Department
from app.models.department import department_key
from app.services.departments import import_departments
from app.services.survey_publishing import publish_survey
from app.services.surveys import import_survey
from app.services.visit_import import import_visits
from tests.conftest import SAMPLES

GENERIC = SAMPLES / "acme-generic"
QUALTRICS = SAMPLES / "acme-qualtrics"
# The README walkthrough's organisation.
NORTHWIND = Path(__file__).resolve().parent.parent / "examples" / "northwind"


def expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text())


def expected_counts(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        name: (d["responses"], d["partials"]) for name, d in expected(folder)["departments"].items()
    }


def load_sample(
    session: Session, folder: Path, name: str = "sample", *, published: bool = True
) -> None:
    """Departments, survey (published, unless a draft is asked for) and visits of a sample
    folder, through the real services."""
    import_departments(session, path=folder / "departments.csv")
    session.commit()
    meta = expected(folder)
    options = SurveyOptions(
        department_column=None
        if meta["format"] == "generic"
        else "Which department do you work in?"
    )
    import_survey(session, path=folder / "survey.csv", name=name, options=options)
    if published:
        publish_survey(session, name=name, actor_id=None)
    session.commit()
    import_visits(session, path=folder / "visits.csv")
    session.commit()


def generic_rows() -> tuple[list[str], list[list[str]]]:
    with (GENERIC / "survey.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def as_surveymonkey(path: Path) -> Path:
    header, rows = generic_rows()
    top = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Which department are you in?",
        "Please rate IT",
        "",
        "",
        "",
    ]
    sub = ["", "", "", "", "", "", "", "", "Response", "Overall", "Speed", "Understanding", "Tools"]
    out = [top, sub]
    for i, r in enumerate(rows):
        when = datetime.fromisoformat(r[2]).strftime("%m/%d/%Y %I:%M:%S %p")
        out.append(
            [
                r[0],
                "4321",
                when,
                when,
                f"10.0.0.{i % 250}",
                f"person{i}@example.org",
                "Ann",
                "Example",
                r[1],
                *r[3:7],
            ]
        )
    return write_csv(path, out)


def as_googleforms(path: Path) -> Path:
    header, rows = generic_rows()
    out = [
        [
            "Timestamp",
            "Email address",
            "What department do you work in?",
            "Overall",
            "Speed",
            "Understanding",
            "Tools",
        ]
    ]
    for r in rows:
        when = datetime.fromisoformat(r[2]).strftime("%d/%m/%Y %H:%M:%S")
        out.append([when, "someone@example.org", r[1], *r[3:7]])
    return write_csv(path, out)


def as_msforms(path: Path) -> Path:
    from openpyxl import Workbook

    header, rows = generic_rows()
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Id",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Your department",
            "Overall",
            "Speed",
            "Understanding",
            "Tools",
        ]
    )
    for i, r in enumerate(rows, 1):
        when = datetime.fromisoformat(r[2])
        sheet.append([i, when, when, "anonymous", "", r[1], *r[3:7]])
    book.save(path)
    return path


def add_department(session: Session, name: str, headcount: int) -> None:
    """A department in the directory, as an import of departments.csv adds it."""
    session.add(Department(name=name, name_key=department_key(name), headcount=headcount))


def analysis_frames(
    departments: list, responses: list, answers: list, conversations: list
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The report's four input frames from rows in the columns `analysis.frames` names."""
    return (
        pd.DataFrame(departments, columns=list(DEPARTMENT_COLUMNS)),
        pd.DataFrame(responses, columns=list(RESPONSE_COLUMNS)),
        pd.DataFrame(answers, columns=list(ANSWER_COLUMNS)),
        pd.DataFrame(conversations, columns=list(CONVERSATION_COLUMNS)),
    )


def plain_baseline(polite_options: tuple[float, ...] = ()) -> Baseline:
    """A typical department with every share at one half (2 asin(sqrt(0.5)) = pi / 2 on the
    Freeman-Tukey scale), every difference at 0 and no spread between departments;
    `polite_options`: each polite option's share of all answers."""
    share = ShareReference(0.5, Reference(math.pi / 2))
    plain = Reference(0.0)
    return Baseline(share, polite_options, share, share, share, share, plain, plain)


def walk_form(token: str, **extra: str) -> dict[str, str]:
    """The walk form as a browser without JavaScript posts it: one conversation, one action
    (`extra` adds or replaces fields)."""
    data = {
        "csrf_token": token,
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "visit_date": date.today().isoformat(),
        "location": "3rd floor",
        "conversations-0-person_role": "clerk",
        "conversations-0-stated_score": "4",
        "conversations-0-observed_score": "2",
        "conversations-0-issues": "Printing",
        "conversations-0-unreported": "1",
        "conversations-0-notes": "<b>jams</b> daily",
        "actions-0-title": "Replace printer",
        "actions-0-owner": "leader@example.org",
        "actions-0-due_date": (date.today() - timedelta(days=1)).isoformat(),
    }
    data.update(extra)
    return data


# Three agreement questions, the third worded the other way: its answers fall as the others
# rise (r = -0.97 with their mean over the 10 responses).
AGAINST_ROWS = [
    ["department", "IT helps me do my job", "IT responds quickly", "IT often lets me down"],
    *[["Finance" if n % 2 else "Legal", *answers] for n, answers in enumerate(
        [("Strongly agree", "Agree", "Strongly disagree"), ("Agree", "Agree", "Disagree"),
         ("Neither agree nor disagree", "Agree", "Neither agree nor disagree"),
         ("Disagree", "Neither agree nor disagree", "Agree"),
         ("Strongly disagree", "Disagree", "Strongly agree"),
         ("Disagree", "Strongly disagree", "Strongly agree"),
         ("Agree", "Strongly agree", "Disagree"), ("Strongly agree", "Strongly agree",
         "Strongly disagree"), ("Neither agree nor disagree", "Neither agree nor disagree",
         "Neither agree nor disagree"), ("Agree", "Neither agree nor disagree", "Disagree")]
    )],
]  # fmt: skip


def survey_directory(session: Session, tmp_path: Path) -> None:
    """Finance (20 people) and Legal (10): room for the small survey files' answers."""
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\nFinance,20\nLegal,10\n")
    import_departments(session, path=path)
    session.commit()
