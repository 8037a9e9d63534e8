"""The importers meet hostile files: each is refused with a clear message, quickly."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.ingest.row_errors import ImportRefused
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import FileFormatError
from app.models import SurveyResponse
from app.services.departments import import_departments
from app.services.surveys import import_survey
from app.services.visit_import import import_visits


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (600 * 1024 * 1024))


HOSTILE = {
    "empty.csv": lambda p: p.write_bytes(b""),
    "binary.csv": lambda p: p.write_bytes(bytes(range(256)) * 400),
    "one-long-line.csv": lambda p: p.write_bytes(b"department," + b"x" * (10 * 1024 * 1024)),
    "bomb.xlsx": _zip_bomb,
    "not-really.xlsx": lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100),
    "wide.csv": lambda p: p.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n"),
    "mixed-encodings.csv": lambda p: p.write_bytes(
        b"department,submitted_at,q1\nFinance,2026-10-01,Good\n"
        + b"Legal,2026-10-02,Tr\xe8s bien\n" * 3
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_survey_files_are_refused(session: Session, tmp_path: Path, name: str) -> None:
    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nFinance,10\nLegal,10\n")
    import_departments(session, path=directory)
    session.commit()
    path = tmp_path / name
    HOSTILE[name](path)
    start = time.monotonic()
    with pytest.raises((FileFormatError, ImportRefused)) as refused:
        import_survey(session, path=path, name="hostile", options=SurveyOptions())
    assert time.monotonic() - start < 30
    message = str(refused.value)
    assert name in message or "line" in message
    assert "\n" not in message.splitlines()[0]
    session.rollback()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0


@pytest.mark.parametrize("name", ["empty.csv", "binary.csv", "bomb.xlsx", "wide.csv"])
def test_hostile_visit_and_department_files_are_refused(
    session: Session, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    HOSTILE[name](path)
    for importer in (import_departments, import_visits):
        with pytest.raises((FileFormatError, ImportRefused)):
            importer(session, path=path)


def test_formula_cells_are_data_not_formulas(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\n\"=cmd|' /C calc'!A0\",10\n+Ops,4\n@Sales,3\n")
    import_departments(session, path=path)
    session.commit()
    from app.models import Department

    names = sorted(d.name for d in session.exec(select(Department)))
    assert names == ["+Ops", "=cmd|' /C calc'!A0", "@Sales"]
    from app.services.reports import neutralise_cell

    assert [neutralise_cell(n) for n in names] == ["'+Ops", "'=cmd|' /C calc'!A0", "'@Sales"]


def test_survey_with_excel_formula_text_is_read_as_text(session: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    directory = tmp_path / "departments.csv"
    directory.write_text("department,headcount\nFinance,10\n")
    import_departments(session, path=directory)
    session.commit()
    book = Workbook()
    sheet = book.active
    sheet.append(["department", "submitted_at", "q1"])
    for _ in range(6):
        sheet.append(["Finance", "2026-10-01", "Good"])
    sheet.append(['=HYPERLINK("http://evil")', "2026-10-01", "Good"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "formula.xlsx"
    path.write_bytes(buffer.getvalue())
    # A formula cell counts for its saved value (none here), never runs: the row is refused.
    with pytest.raises(
        ImportRefused, match=r"department: the department is empty: 1 row \(row 8\)"
    ):
        import_survey(session, path=path, name="f", options=SurveyOptions())
