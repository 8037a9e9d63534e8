"""How files are laid out, as the tools and Excel write them: blank lines before or between
the header rows, a workbook's sheets, Excel's `sep=;` line, and submission times in the
forms Excel shows them (two-digit years, day numbers) or none a tool writes."""

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import SurveyResponse
from app.services.departments import import_departments
from app.services.surveys import import_survey
from tests.builders import QUALTRICS, expected_counts, write_csv


def test_blank_lines_before_and_between_header_rows_are_passed_over(
    session: Session, tmp_path: Path
) -> None:
    """A Qualtrics export re-saved by a script that writes a blank line after each record
    (Python's csv writer on Windows without newline=""), with two more on top: its three
    header rows are still found, and every response is read."""
    import_departments(session, path=QUALTRICS / "departments.csv")
    session.commit()
    with (QUALTRICS / "survey.csv").open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    spaced = [[], []] + [row for record in records for row in (record, [])]
    path = write_csv(tmp_path / "survey.csv", spaced)
    options = SurveyOptions(department_column="Which department do you work in?")
    result = import_survey(session, path=path, name="spaced", options=options)
    assert result.format == "qualtrics"
    want = expected_counts(QUALTRICS)
    assert result.by_department == {k: v for k, v in want.items() if v != (0, 0)}


def test_a_sheet_with_empty_rows_above_its_header(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Rows are named by the sheet's own row numbers, blank rows above the header counted."""
    book = Workbook()
    sheet = book.active
    for row in [[], [], [], ["department", "q1"], ["Finance", "Good"], ["Atlantis", "Poor"]]:
        sheet.append(row)
    book.save(tmp_path / "survey.xlsx")
    with pytest.raises(ImportRefused) as refused:
        import_survey(session, path=tmp_path / "survey.xlsx", name="s", options=SurveyOptions())
    assert [(e.line, e.field) for e in refused.value.errors.errors] == [(6, "department")]
    sheet["A6"] = "Legal"
    book.save(tmp_path / "survey.xlsx")
    result = import_survey(
        session, path=tmp_path / "survey.xlsx", name="s", options=SurveyOptions()
    )
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}


def test_a_workbook_whose_first_sheet_is_empty_says_which_sheet_is_read(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.create_sheet("Responses").append(["department", "q1"])
    book.save(tmp_path / "survey.xlsx")
    with pytest.raises(FileFormatError) as refused:
        import_survey(session, path=tmp_path / "survey.xlsx", name="s", options=SurveyOptions())
    assert str(refused.value) == (
        "survey.xlsx: the workbook's first sheet ('Notes') is empty, and only the first sheet"
        " is read (its sheets: Notes, Responses)"
    )


@pytest.mark.parametrize(
    "opened,done,round_date",
    [
        # Excel (US) shows Microsoft Forms' times with two-digit years, and writes them so.
        (
            ("7/2/20 11:00:22", "7/2/20 11:03:10"),
            ("7/13/20 9:00:01", "7/13/20 9:01:00"),
            "2020-07-13",
        ),
        # A European locale's day first; 13/07 shows which.
        (("2/7/20 11:00", "2/7/20 11:03"), ("13/7/20 9:00", "13/7/20 9:01"), "2020-07-13"),
    ],
)
def test_a_forms_sheet_saved_again_by_excel_keeps_its_times(
    session: Session, tmp_path: Path, two_departments: None, opened, done, round_date
) -> None:
    rows = [
        ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
         "Which department are you in?", "How satisfied are you with IT?"],
        ["1", *opened, "anonymous", "", "", "Finance", "Satisfied"],
        ["2", *done, "anonymous", "", "", "Legal", "Very dissatisfied"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "forms.csv", rows)
    result = import_survey(session, path=path, name="forms", options=SurveyOptions())
    assert (result.format, result.round_date.isoformat()) == ("msforms", round_date)  # type: ignore[union-attr]
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}


def test_google_forms_own_download_keeps_its_times_and_their_zone(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Google Forms' "Download responses (.csv)" writes `2022/06/22 11:07:29 AM AST` (seen
    in GeckoRobotics/gecko-sustainability, components/Form.tsx): an offset from GMT is
    applied, an abbreviation is taken as written. They were read as no dates at all."""
    rows = [["Timestamp", "Which department are you in?", "How satisfied are you with IT?"],
            ["2022/06/22 11:07:29 PM GMT+2", "Finance", "Satisfied"],
            ["2022/06/23 1:15:00 AM GMT-5:30", "Legal", "Very dissatisfied"],
            ["2022/06/22 9:00:00 AM GMT", "Legal", "Satisfied"]]  # fmt: skip
    path = write_csv(tmp_path / "forms.csv", rows)
    result = import_survey(session, path=path, name="forms", options=SurveyOptions())
    assert (result.format, result.timestamp_column) == ("googleforms", "Timestamp")  # type: ignore[union-attr]
    stored = session.exec(
        select(SurveyResponse.submitted_at).order_by(col(SurveyResponse.submitted_at))
    ).all()
    assert [when.isoformat() for when in stored if when] == [
        "2022-06-22T09:00:00+00:00",
        "2022-06-22T21:07:29+00:00",
        "2022-06-23T06:45:00+00:00",
    ]
    assert str(result.round_date) == "2022-06-23"  # type: ignore[union-attr]
    rows = [rows[0], ["2022/06/22 11:07:29 AM AST", "Finance", "Satisfied"]]
    path = write_csv(tmp_path / "forms-ast.csv", rows)
    result = import_survey(session, path=path, name="forms 2", options=SurveyOptions())
    assert str(result.round_date) == "2022-06-22"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("times", "stored", "round_date"),
    [
        # A UK round from 2 to 10 November: read month first, its answers would scatter
        # from February to October and the round be dated 11 October.
        (
            ["02/11/2026 09:00:00", "10/11/2026 16:45:00", "05/11/2026 12:00:00"],
            ["2026-11-02T09:00:00", "2026-11-05T12:00:00", "2026-11-10T16:45:00"],
            "2026-11-10",
        ),
        # The same days in a US file.
        (
            ["11/02/2026 09:00:00", "11/10/2026 16:45:00", "11/05/2026 12:00:00"],
            ["2026-11-02T09:00:00", "2026-11-05T12:00:00", "2026-11-10T16:45:00"],
            "2026-11-10",
        ),
        # Spread over months whichever way: the shorter reading (1 Dec to 12 Jan, 42 days,
        # against 12 January to 1 December) is the file's.
        (
            ["12/01/2026 09:00:00", "01/12/2025 10:00:00"],
            ["2025-12-01T10:00:00", "2026-01-12T09:00:00"],
            "2026-01-12",
        ),
    ],
)
def test_day_and_month_are_told_apart_by_how_close_the_answers_lie(
    session: Session, tmp_path: Path, two_departments: None, times, stored, round_date
) -> None:
    rows = [["Timestamp", "department", "q1"]]
    rows += [[when, "Finance" if n % 2 else "Legal", "Good"] for n, when in enumerate(times)]
    path = write_csv(tmp_path / "survey.csv", rows)
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    read = session.exec(
        select(SurveyResponse.submitted_at).order_by(col(SurveyResponse.submitted_at))
    ).all()
    assert [when.isoformat()[:19] for when in read if when] == stored
    assert (str(result.round_date), result.warnings) == (round_date, ())  # type: ignore[union-attr]


def test_times_that_read_as_well_either_way_are_said_to(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Every answer on one day, 03/04: nothing tells 3 April from 4 March. Month first (the
    tools' default) stays, and the import says so and how to set it right."""
    rows = [["Timestamp", "department", "q1"], ["03/04/2026 09:00:00", "Finance", "Good"],
            ["03/04/2026 11:30:00", "Legal", "Poor"]]  # fmt: skip
    path = write_csv(tmp_path / "survey.csv", rows)
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert str(result.round_date) == "2026-03-04"  # type: ignore[union-attr]
    assert result.warnings == (  # type: ignore[union-attr]
        "submission times such as '03/04/2026 09:00:00' are read month first (04 March 2026):"
        " nothing in the file shows whether the day or the month comes first; if that is the"
        " wrong way round, give the round date",
    )
    options = SurveyOptions(round_date="2026-04-03", replace=True)
    again = import_survey(session, path=path, name="s", options=options)
    assert str(again.round_date) == "2026-04-03"  # type: ignore[union-attr]


def test_excel_s_sep_line_names_the_delimiter_and_is_no_row(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """`sep=;` on the first line (written for Excel, which reads it and shows no row for
    it): the delimiter is taken from it, and a bad row is named by its line in the file
    and its row as Excel shows it."""
    path = tmp_path / "survey.csv"
    path.write_text("sep=;\r\ndepartment;q1\r\nFinance;Good\r\nAtlantis;Poor\r\n")
    with pytest.raises(ImportRefused) as refused:
        import_survey(session, path=path, name="s", options=SurveyOptions())
    errors = refused.value.errors.errors
    assert [(e.line, e.sheet_row, e.field) for e in errors] == [(4, 3, "department")]
    path.write_text("sep=;\r\ndepartment;q1\r\nFinance;Good\r\nLegal;Poor\r\n")
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}


def test_a_sheet_s_dates_shown_as_day_numbers_are_read(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """Excel shows a date cell formatted as a plain number as its day count (46300.5 is
    2026-10-05 at noon); the round's date comes from them."""
    book = Workbook()
    sheet = book.active
    for row in [["Timestamp", "department", "q1"], [46300.5, "Finance", "Good"],
                [46310.25, "Legal", "Poor"]]:  # fmt: skip
        sheet.append(row)
    book.save(tmp_path / "survey.xlsx")
    result = import_survey(
        session, path=tmp_path / "survey.xlsx", name="s", options=SurveyOptions()
    )
    assert (result.timestamp_column, str(result.round_date)) == ("Timestamp", "2026-10-15")


def test_times_no_tool_writes_are_left_out_unless_the_column_was_chosen(
    session: Session, tmp_path: Path, two_departments: None
) -> None:
    """A column found by its name ("Timestamp") whose values are no dates: the responses
    come in without their times, the column shown as left out; chosen by the analyst, it is
    refused as before."""
    rows = [["Timestamp", "department", "q1"], ["last week", "Finance", "Good"],
            ["Monday", "Legal", "Poor"]]  # fmt: skip
    path = write_csv(tmp_path / "survey.csv", rows)
    result = import_survey(session, path=path, name="s", options=SurveyOptions())
    assert result.by_department == {"Finance": (1, 0), "Legal": (1, 0)}
    assert result.timestamp_column is None
    assert ("Timestamp", "Timestamp", "dates in an unknown format (for example 'last week'):"
            " read without submission times") in result.left_out  # fmt: skip
    with pytest.raises(FileFormatError, match="choose another submitted column"):
        import_survey(
            session,
            path=path,
            name="t",
            options=SurveyOptions(submitted_column="Timestamp"),
        )
