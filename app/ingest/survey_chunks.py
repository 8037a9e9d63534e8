"""Pass two a chunk of rows at a time: each column's distinct answers are read once, then the
rows are mapped in bulk, and the few rows that are wrong are named by their line from the same
arrays (the one parser of survey rows)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from operator import itemgetter
from typing import TypeVar

import numpy as np
import pandas as pd

from app.ingest import timestamps
from app.ingest.row_errors import RowErrors
from app.ingest.scales import is_missing, is_missing_code, label_key, parse_number
from app.ingest.survey_plan import SurveyPlan
from app.ingest.tabular import RowChunk

_OFF_SCALE = object()
_NO_DEPARTMENT = -1
_EMPTY_DEPARTMENT = -2
T = TypeVar("T")
# Qualtrics' Status: previews (1), tests (2), spam (8) and their combinations (9 preview spam,
# 12 imported spam, 17 offline preview) are not responses.
NOT_RESPONSES = {
    "survey preview",
    "survey test",
    "spam",
    "preview spam",
    "imported spam",
    "offline preview",
    "disqualified",  # Alchemer: screened out, not one of the people asked
    "1",
    "2",
    "8",
    "9",
    "12",
    "17",
}
PARTIAL_WORDS = {"partial", "incomplete"}
FALSE_WORDS = {"0", "false", "no", "n", *PARTIAL_WORDS}


@dataclass
class RowTally:
    """Rows that are not responses, and so not errors either."""

    previews: int = 0
    partials_without_department: int = 0
    blank: int = 0


def utc_text(value: datetime | None) -> str | None:
    """A time as naive UTC text with microseconds, the form SQLite keeps."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@dataclass
class ParsedChunk:
    """The good responses of one chunk of rows, column by column."""

    department_ids: list[int] = field(default_factory=list)
    submitted: list[str | None] = field(default_factory=list)  # utc_text
    complete: list[bool] = field(default_factory=list)
    ratings: list[tuple[float | None, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.department_ids)


class _Lookups:
    """What each distinct cell means, per column, kept across the chunks of one file."""

    def __init__(self, plan: SurveyPlan, department_id: Callable[[str], int | None]) -> None:
        self.plan = plan
        self.department_id = department_id
        self.departments: dict[str, int] = {}
        self.previews: dict[str, bool] = {}
        self.finished: dict[str, bool] = {}
        self.scores: list[dict[str, object]] = [{} for _ in plan.ratings]

    def department(self, raw: str) -> int:
        name = raw.strip()
        if not name:
            return _EMPTY_DEPARTMENT
        found = self.department_id(name)
        return _NO_DEPARTMENT if found is None else found

    def score(self, position: int, raw: str) -> object:
        if is_missing(raw):
            return None
        scale = self.plan.ratings[position].scale
        score = scale.to_score(raw)
        if score is None and scale.numeric is not None:
            number = parse_number(raw)
            if number is not None and is_missing_code(number):
                return None  # a tool's code for no answer (-1, 99)
        return _OFF_SCALE if score is None else score


def _mapped(values: tuple[str, ...], cache: dict[str, T], meaning: Callable[[str], T]) -> list[T]:
    """Each value's meaning, worked out once per distinct value."""
    for value in set(values).difference(cache):
        cache[value] = meaning(value)
    return list(map(cache.__getitem__, values))


def parse_chunks(
    plan: SurveyPlan,
    chunks: Iterable[RowChunk],
    *,
    department_id: Callable[[str], int | None],
    errors: RowErrors,
    tally: RowTally,
) -> Iterator[ParsedChunk]:
    """The file's good responses a chunk at a time; bad rows go to `errors`."""
    lookups = _Lookups(plan, department_id)
    for chunk in chunks:
        yield _parse_chunk(chunk, lookups, errors=errors, tally=tally)


def _parse_times(values: tuple[str, ...], fmt: str) -> tuple[list[str | None], np.ndarray]:
    """Each value as utc_text (None when blank), and which ones did not read."""
    parsed = pd.to_datetime(
        np.asarray(values, dtype=object),
        format="ISO8601" if fmt == "iso" else fmt,
        utc=True,
        errors="coerce",
    )
    micro = parsed.tz_convert(None).to_numpy().astype("datetime64[us]")
    unread = np.isnat(micro)
    text: list[str | None] = [
        f"{s[:10]} {s[11:]}" for s in np.datetime_as_string(micro, unit="us").tolist()
    ]
    bad = np.zeros(len(values), dtype=np.bool_)
    for i in np.flatnonzero(unread).tolist():
        # pandas is stricter than the row reader about a few forms; ask the row reader.
        when = timestamps.parse_with(values[i], fmt) if values[i].strip() else None
        text[i] = utc_text(when)
        bad[i] = when is None and bool(values[i].strip())
    return text, bad


def _regular_cells(
    chunk: RowChunk, width: int, tally: RowTally
) -> tuple[list[list[str]], np.ndarray, list[tuple[int, str, str]]]:
    """The chunk's rows cut to the header's width (trailing blank cells dropped), which of them
    are data, and the ragged ones as (position, field, message)."""
    cells = chunk.cells
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    usable = np.ones(len(cells), dtype=np.bool_)
    problems: list[tuple[int, str, str]] = []
    irregular = np.flatnonzero(lengths != width).tolist()
    if irregular:
        cells = list(cells)
        for i in irregular:
            row = cells[i]
            if not "".join(row).strip():
                tally.blank += 1
                usable[i] = False
            elif len(row) > width and not "".join(row[width:]).strip():
                cells[i] = row[:width]
            else:
                problems.append(
                    (i, "", f"ragged row: {len(row)} fields where the header has {width}")
                )
                usable[i] = False
    return cells, usable, problems


def _parse_chunk(
    chunk: RowChunk, lookups: _Lookups, *, errors: RowErrors, tally: RowTally
) -> ParsedChunk:
    plan = lookups.plan
    layout = plan.layout
    cells, usable, problems = _regular_cells(chunk, plan.width, tally)
    positions = np.flatnonzero(usable)
    wanted = [plan.department.index]
    if layout.status is not None:
        wanted.append(layout.status)
    if layout.finished is not None:
        wanted.append(layout.finished)
    if plan.timestamp is not None:
        wanted.append(plan.timestamp.index)
    wanted += [r.column.index for r in plan.ratings]
    picked = list(map(itemgetter(*wanted), (cells[i] for i in positions.tolist())))
    if len(wanted) == 1:
        picked = [(value,) for value in picked]
    count = len(picked)
    columns: dict[int, tuple[str, ...]] = (
        dict(zip(wanted, zip(*picked, strict=True), strict=True))
        if count
        else {i: () for i in wanted}
    )

    keep = np.ones(count, dtype=np.bool_)
    if layout.status is not None:
        preview = np.array(
            _mapped(
                columns[layout.status],
                lookups.previews,
                lambda v: label_key(v) in NOT_RESPONSES,
            ),
            dtype=np.bool_,
        )
        tally.previews += int(preview.sum())
        keep &= ~preview
    departments = np.array(
        _mapped(columns[plan.department.index], lookups.departments, lookups.department),
        dtype=np.int64,
    )
    if layout.finished is not None:
        if layout.finished_when_filled:
            finished: Callable[[str], bool] = lambda v: bool(v.strip())  # noqa: E731
        elif layout.finished == layout.status:
            # A status that says partial (Alchemer's); its codes (Qualtrics' 0) are not.
            finished = lambda v: label_key(v) not in PARTIAL_WORDS  # noqa: E731
        else:
            finished = lambda v: label_key(v) not in FALSE_WORDS  # noqa: E731
        complete = np.array(
            _mapped(columns[layout.finished], lookups.finished, finished), dtype=np.bool_
        )
    else:
        complete = np.ones(count, dtype=np.bool_)
    empty = keep & (departments == _EMPTY_DEPARTMENT)
    for i in np.flatnonzero(empty).tolist():
        # A row with no department: a blank line, a partial that stopped early, or an error.
        if not "".join(cells[positions[i]]).strip():
            tally.blank += 1
            keep[i] = False
        elif not complete[i]:
            tally.partials_without_department += 1
            keep[i] = False
    wrong = departments < 0
    submitted: list[str | None] = [None] * count
    unread = np.zeros(count, dtype=np.bool_)
    if plan.timestamp is not None:
        submitted, unread = _parse_times(
            columns[plan.timestamp.index], plan.timestamp_format or "iso"
        )
        wrong |= unread
    scores = []
    off_scale = []
    for position, rating in enumerate(plan.ratings):
        cache = lookups.scores[position]
        values = columns[rating.column.index]
        scores.append(_mapped(values, cache, partial(lookups.score, position)))
        if any(cache[v] is _OFF_SCALE for v in set(values)):
            bad = np.fromiter((s is _OFF_SCALE for s in scores[-1]), dtype=np.bool_, count=count)
            off_scale.append((position, bad))
            wrong |= bad
    # One tuple per row, empty when no rating question was found (a preview shows that).
    ratings: list[tuple[float | None, ...]] = (
        list(zip(*scores, strict=True)) if scores else [()] * count
    )

    for i in np.flatnonzero(keep & wrong).tolist():
        problems += _row_problems(plan, columns, departments, unread, off_scale, i, positions[i])
    sheet_rows = chunk.sheet_rows
    for position, field_id, message in sorted(problems, key=lambda p: p[0]):
        errors.add(chunk.lines[position], field_id, message, sheet_rows[position])

    good = keep & ~wrong
    result = ParsedChunk()
    if good.all():
        result.department_ids = departments.tolist()
        result.complete = complete.tolist()
        result.submitted = submitted
        result.ratings = ratings
    else:
        chosen = np.flatnonzero(good).tolist()
        result.department_ids = departments[chosen].tolist()
        result.complete = complete[chosen].tolist()
        result.submitted = [submitted[i] for i in chosen]
        result.ratings = [ratings[i] for i in chosen]
    return result


def _row_problems(
    plan: SurveyPlan,
    columns: dict[int, tuple[str, ...]],
    departments: np.ndarray,
    unread: np.ndarray,
    off_scale: list[tuple[int, np.ndarray]],
    i: int,
    position: int,
) -> list[tuple[int, str, str]]:
    """What is wrong with data row `i` (at `position` in its chunk), field by field."""
    found = []
    department = departments[i]
    if department == _EMPTY_DEPARTMENT:
        found.append((position, plan.department.id, "the department is empty"))
    elif department == _NO_DEPARTMENT:
        name = columns[plan.department.index][i].strip()
        found.append((position, plan.department.id, f"unknown department {name!r}"))
    if plan.timestamp is not None and unread[i]:
        value = columns[plan.timestamp.index][i]
        found.append(
            (position, plan.timestamp.id, f"{value!r} is not a date like the rest of the column")
        )
    for rating_position, bad in off_scale:
        if bad[i]:
            rating = plan.ratings[rating_position]
            value = columns[rating.column.index][i]
            found.append(
                (
                    position,
                    rating.column.id,
                    f"{value!r} is not on the scale ({rating.scale.describe()})",
                )
            )
    return found
