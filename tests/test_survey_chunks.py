"""Pass two reads rows a chunk at a time and maps them in bulk; on any file, at any chunk size,
it must give the responses, counts and errors that the rule applied row by row gives (the
reference below, written for this test only)."""

import csv
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.ingest import timestamps
from app.ingest.row_errors import RowErrors
from app.ingest.scales import is_missing, is_missing_code, label_key, parse_number
from app.ingest.survey_chunks import FALSE_WORDS, NOT_RESPONSES, RowTally, parse_chunks, utc_text
from app.ingest.survey_options import SurveyOptions
from app.ingest.survey_plan import SurveyPlan, open_survey_chunks, plan_survey
from app.ingest.tabular import FileFormatError, Row
from app.models.department import department_key

DEPARTMENTS = {department_key(n): i for i, n in enumerate(["Finance", "Human Resources"], 1)}
HEADER = ["respondent_id", "status", "finished", "department", "submitted_at", "q1", "q2"]
OPTIONS = SurveyOptions(rating_columns=("q1", "q2"), submitted_column="submitted_at")
TIMES = {
    "iso": [
        "2026-10-01 08:00:00",
        "2026-10-02T09:30:00Z",
        "2026-10-03T10:00:00+02:00",
        "2026-10-04",
        "2026-10-05 07:15:00.250000",
        "  2026-10-06 11:00:00 ",
    ],
    "%d/%m/%Y %H:%M": ["01/10/2026 08:00", "13/10/2026 17:45", " 02/11/2026 09:05"],
}
BAD_TIMES = ["", " ", "soon", "2026-13-45 99:00:00", "31/02/2026 10:00"]
RATINGS = ["Poor", "fair", " Good ", "VERY GOOD", "Excellent", "N/A", "", "Don't know"]
OFF_SCALE = ["Meh", "5 stars"]


_UNSEEN = object()
_OFF_SCALE = object()


class ParsedResponse(NamedTuple):
    line: int
    department_id: int
    submitted_at: datetime | None
    is_complete: bool
    ratings: tuple[float | None, ...]


def reference_rows(
    plan: SurveyPlan,
    rows: Iterator[Row],
    *,
    department_id: Callable[[str], int | None],
    errors: RowErrors,
    tally: RowTally,
) -> Iterator[ParsedResponse]:
    """The rule row by row, as plainly as it can be written: the chunked parser's oracle."""
    layout = plan.layout
    width = plan.width
    dept_index = plan.department.index
    time_index = plan.timestamp.index if plan.timestamp else None
    fmt = plan.timestamp_format or "iso"
    # Answers repeat: each distinct cell is read once per column (a large file has few).
    score_caches: list[dict[str, object]] = [{} for _ in plan.ratings]
    department_ids: dict[str, int | None] = {}
    rating_indices = [r.column.index for r in plan.ratings]
    for row in rows:
        cells = row.cells
        if not "".join(cells).strip():
            tally.blank += 1
            continue
        if len(cells) < width:
            errors.add(
                row.line,
                "",
                f"ragged row: {len(cells)} fields where the header has {width}",
                row.sheet_row,
            )
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.add(
                row.line,
                "",
                f"ragged row: {len(cells)} fields where the header has {width}",
                row.sheet_row,
            )
            continue
        if len(cells) != width:
            cells = cells[:width]
        if layout.status is not None and label_key(cells[layout.status]) in NOT_RESPONSES:
            tally.previews += 1
            continue
        complete = True
        if layout.finished is not None:
            complete = label_key(cells[layout.finished]) not in FALSE_WORDS
        bad = False
        name = cells[dept_index].strip()
        if name in department_ids:
            dept = department_ids[name]
        else:
            dept = department_ids[name] = department_id(name) if name else None
        if not name:
            if not complete:
                tally.partials_without_department += 1
                continue
            errors.add(row.line, plan.department.id, "the department is empty", row.sheet_row)
            bad = True
        elif dept is None:
            errors.add(row.line, plan.department.id, f"unknown department {name!r}", row.sheet_row)
            bad = True
        submitted = None
        if time_index is not None and cells[time_index].strip():
            submitted = timestamps.parse_with(cells[time_index], fmt)
            if submitted is None:
                errors.add(
                    row.line,
                    plan.timestamp.id if plan.timestamp else "",
                    f"{cells[time_index]!r} is not a date like the rest of the column",
                    row.sheet_row,
                )
                bad = True
        ratings: list[float | None] = []
        for position, (index, cache) in enumerate(zip(rating_indices, score_caches, strict=True)):
            value = cells[index]
            score = cache.get(value, _UNSEEN)
            if score is _UNSEEN:
                rating = plan.ratings[position]
                score = None if is_missing(value) else rating.scale.to_score(value)
                number = parse_number(value)
                if score is None and number is not None and is_missing_code(number):
                    pass  # a tool's code for no answer
                elif score is None and not is_missing(value):
                    score = _OFF_SCALE
                cache[value] = score
            if score is None:
                ratings.append(None)
                continue
            if score is _OFF_SCALE:
                rating = plan.ratings[position]
                errors.add(
                    row.line,
                    rating.column.id,
                    f"{value!r} is not on the scale ({rating.scale.describe()})",
                    row.sheet_row,
                )
                bad = True
                score = None
            ratings.append(score)  # type: ignore[arg-type]
        if bad or dept is None:
            continue
        yield ParsedResponse(row.line, dept, submitted, complete, tuple(ratings))


def department_id(raw: str) -> int | None:
    return DEPARTMENTS.get(department_key(raw))


@st.composite
def data_row(draw: st.DrawFn, times: list[str]) -> list[str]:
    row = [
        draw(st.sampled_from(["r1", "line one\nline two", 'say "hi"', "a\r\nb"])),
        draw(st.sampled_from(["IP Address", "IP Address", "Survey Preview", "Spam"])),
        draw(st.sampled_from(["True", "True", "False", "0"])),
        draw(st.sampled_from(["Finance", " human resources ", "", "Facilities", "FINANCE"])),
        draw(st.sampled_from(times + times + BAD_TIMES)),
        draw(st.sampled_from(RATINGS * 4 + OFF_SCALE)),
        draw(st.sampled_from(RATINGS * 4 + OFF_SCALE)),
    ]
    shape = draw(st.sampled_from(["same"] * 6 + ["short", "long blank", "long", "blank"]))
    if shape == "short":
        return row[: draw(st.integers(0, len(row) - 1))]
    if shape == "long blank":
        return [*row, "", " "]
    if shape == "long":
        return [*row, "extra"]
    if shape == "blank":
        return [""] * len(row)
    return row


@st.composite
def survey_file(draw: st.DrawFn) -> tuple[list[list[str]], str, str, str]:
    style = draw(st.sampled_from(sorted(TIMES)))
    good = [
        ["g", "IP Address", "True", "Finance", TIMES[style][i % len(TIMES[style])], "Good", "Poor"]
        for i in range(30)
    ]
    rows = draw(st.lists(data_row(TIMES[style]), max_size=40))
    position = draw(st.integers(0, len(rows)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    return [HEADER, *rows[:position], *good, *rows[position:]], encoding, delimiter, style


def _write(rows: list[list[str]], encoding: str, delimiter: str, folder: str) -> Path:
    path = Path(folder) / "survey.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


@settings(max_examples=150, deadline=None)
@given(survey=survey_file(), size=st.integers(1, 25))
def test_chunks_and_rows_agree(survey: tuple[list[list[str]], str, str, str], size: int) -> None:
    rows, encoding, delimiter, _style = survey
    with tempfile.TemporaryDirectory() as folder:
        path = _write(rows, encoding, delimiter, folder)
        try:
            plan = plan_survey(path, OPTIONS, "survey.csv")
        except FileFormatError:
            assume(False)
            return
        one_by_one_errors, one_by_one_tally = RowErrors("survey.csv"), RowTally()
        _dialect, _layout, whole = open_survey_chunks(path, OPTIONS, "survey.csv")
        row_iter = (row for chunk in whole for row in chunk.rows())
        expected = [
            (p.department_id, utc_text(p.submitted_at), p.is_complete, p.ratings)
            for p in reference_rows(
                plan,
                row_iter,
                department_id=department_id,
                errors=one_by_one_errors,
                tally=one_by_one_tally,
            )
        ]
        errors, tally = RowErrors("survey.csv"), RowTally()
        chunks = plan.data_chunks(path, "survey.csv", size=size)
        got = []
        for chunk in parse_chunks(
            plan, chunks, department_id=department_id, errors=errors, tally=tally
        ):
            got += zip(
                chunk.department_ids, chunk.submitted, chunk.complete, chunk.ratings, strict=True
            )
    assert errors.errors == one_by_one_errors.errors
    assert tally == one_by_one_tally
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["a\nb\r\nc", "IP Address", "True", "Finance", "2026-10-01", "Good", "Poor"],
        ["r2", "IP Address", "True", "Nowhere", "2026-10-01", "Good", "Poor"],
        ["r3\rx", "IP Address", "True", "Finance", "2026-10-01", "Meh", "Poor"],
        *[["g", "IP Address", "True", "Finance", "2026-10-01", "Good", "Poor"]] * 20,
    ]
    path = _write(rows, "utf-8", ",", str(tmp_path))
    plan = plan_survey(path, OPTIONS, "survey.csv")
    errors = RowErrors("survey.csv")
    chunks = plan.data_chunks(path, "survey.csv", size=2)
    for _ in parse_chunks(
        plan, chunks, department_id=department_id, errors=errors, tally=RowTally()
    ):
        pass
    # Header on line 1; the first record spans lines 2-4, so the next starts on line 5.
    # In a spreadsheet those are rows 3 and 4: each record is one row.
    assert [(e.line, e.sheet_row, e.field, e.message) for e in errors.errors] == [
        (5, 3, "department", "unknown department 'Nowhere'"),
        (6, 4, "q1", "'Meh' is not on the scale (Poor, Fair, Good, Very good, Excellent)"),
    ]
    assert str(errors.errors[0]) == (
        "row 3 (line 5 of the text), department: unknown department 'Nowhere'"
    )
