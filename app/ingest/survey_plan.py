"""Pass one over a survey export: which columns hold what, and on which scale."""

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path

from app.ingest import timestamps
from app.ingest.scale_detection import Detection, detect_scale
from app.ingest.scales import Scale, is_missing, parse_extra_scale
from app.ingest.survey_layout import Column, SurveyLayout, build_layout, detect_format
from app.ingest.survey_options import SurveyOptions
from app.ingest.tabular import (
    CHUNK_ROWS,
    CsvDialect,
    FileFormatError,
    RowChunk,
    file_dialect,
    is_blank,
    iter_chunks,
)

MAX_DISTINCT = 64  # a column with more distinct answers is no rating question
TIMESTAMP_SAMPLE = 2000
_ORDER = {"m": "month first", "d": "day first"}


@dataclass(frozen=True)
class RatingColumn:
    column: Column
    scale: Scale
    note: str = ""  # what was read as no answer (tool codes)


@dataclass(frozen=True)
class SurveyPlan:
    dialect: CsvDialect
    layout: SurveyLayout
    department: Column
    ratings: tuple[RatingColumn, ...]
    timestamp: Column | None
    timestamp_format: str | None
    data_rows: int
    sample: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    left_out: tuple[tuple[Column, str], ...] = ()  # candidates that are no rating, and why
    times_unsure: str = ""  # why the times' day and month order may be the wrong way round

    @property
    def width(self) -> int:
        return len(self.layout.columns)

    def data_chunks(
        self, path: Path, file_name: str, *, size: int = CHUNK_ROWS
    ) -> Iterator[RowChunk]:
        """Pass two's reader: the data rows, read as pass one read them (same dialect, same
        layout; nothing of the file is detected again)."""
        chunks = iter_chunks(path, display_name=file_name, size=size, dialect=self.dialect)
        return _skip_rows(chunks, self.layout.lead)


def _pick(layout: SurveyLayout, wanted: str | None, what: str, file_name: str) -> Column | None:
    if wanted is None:
        return None
    column = layout.find(wanted)
    if column is None:
        raise FileFormatError(
            f"{file_name}: no column matches {what} {wanted!r} "
            f"(columns: {', '.join(c.id for c in layout.columns)})"
        )
    return column


def _turned(
    ratings: list[RatingColumn], names: tuple[str, ...], layout: SurveyLayout, file_name: str
) -> list[RatingColumn]:
    """The ratings, those the analyst named as worded the other way scored top down."""
    turned = {c.index for n in names if (c := _pick(layout, n, "a reversed question", file_name))}
    rated = {r.column.index for r in ratings}
    if stray := [layout.columns[i].id for i in sorted(turned - rated)]:
        raise FileFormatError(
            f"{file_name}: only a rating question can be reversed: {', '.join(stray)} is not"
            " read as one; choose it as a rating question too"
        )
    return [
        replace(r, scale=replace(r.scale, reversed=True)) if r.column.index in turned else r
        for r in ratings
    ]


def open_survey_chunks(
    path: Path, options: SurveyOptions, file_name: str, *, size: int = CHUNK_ROWS
) -> tuple[CsvDialect, SurveyLayout, Iterator[RowChunk]]:
    """The file's dialect and layout, and its data rows `size` records at a time (header rows
    consumed). The file is opened once for all three."""
    dialect = file_dialect(path, file_name)
    chunks = iter_chunks(path, display_name=file_name, size=size, dialect=dialect)
    first = next(chunks, None)
    if first is None:
        raise FileFormatError(f"{file_name}: the file is empty")
    # The header rows are the first records that hold anything: blank lines before them or
    # between them (a sheet's empty top rows, a CSV written with a blank line after each
    # record) are passed over.
    while len(filled := _filled(first.cells, 3)) < 3 and (more := next(chunks, None)):
        first = RowChunk(
            [*first.lines, *more.lines],
            first.cells + more.cells,
            [*first.sheet_rows, *more.sheet_rows],
        )
    if not filled:
        raise FileFormatError(f"{file_name}: the file is empty")
    cells = [first.cells[i] for i in filled]
    file_format = detect_format(cells) if options.format == "auto" else options.format
    layout = build_layout(cells, file_format, file_name)
    layout = replace(layout, lead=filled[layout.header_rows - 1] + 1)
    return dialect, layout, chain([first.without_first(layout.lead)], chunks)


def _filled(records: Sequence[list[str]], count: int) -> list[int]:
    """The positions of the first `count` records that hold a non-blank cell."""
    found = (i for i, cells in enumerate(records) if not is_blank(cells))
    return list(islice(found, count))


def _skip_rows(chunks: Iterator[RowChunk], count: int) -> Iterator[RowChunk]:
    """The chunks without their first `count` records."""
    for chunk in chunks:
        if count >= len(chunk):
            count -= len(chunk)
            continue
        yield chunk.without_first(count)
        count = 0


def _count_chunk(
    chunk: Sequence[list[str]],
    counters: dict[int, Counter[str]],
    times: list[str],
    timestamp: Column | None,
    *,
    bounded: bool,
) -> None:
    for index in list(counters):
        counter = counters[index]
        counter.update(cells[index].strip() for cells in chunk if index < len(cells))
        if bounded and len(counter) > MAX_DISTINCT:
            del counters[index]
    if timestamp is not None and len(times) < TIMESTAMP_SAMPLE:
        where = timestamp.index
        times.extend(
            v
            for cells in chunk[:TIMESTAMP_SAMPLE]
            if where < len(cells) and (v := cells[where]).strip()
        )
        del times[TIMESTAMP_SAMPLE:]


_ITEM_ID = re.compile(r"^(Q\d+)_[-\d]+$", re.IGNORECASE)


def _stem(column: Column) -> str | None:
    """The question a matrix item belongs to: "Describe yourselves [Openness]" and
    "IT support - Speed" by their text, Qualtrics' "Q3_1" by its id."""
    label = column.label
    if " [" in label:
        return label.split(" [", 1)[0].strip()
    if " - " in label:
        return label.rsplit(" - ", 1)[0].strip()
    match = _ITEM_ID.match(column.id)
    return match.group(1).upper() if match else None


def _join_matrix_siblings(
    ratings: list[RatingColumn],
    left_out: list[tuple[Column, str]],
    counters: dict[int, Counter[str]],
) -> tuple[list[RatingColumn], list[tuple[Column, str]]]:
    """Items of a matrix share its scale: the widest range any of them was read on, and an
    item whose answers were all one number (a tick, on its own) is a rating when its
    siblings are."""
    ranges: dict[str, tuple[int, int]] = {}
    for rating in ratings:
        stem = _stem(rating.column)
        bounds = rating.scale.numeric
        if stem is None or bounds is None:
            continue
        low, high = ranges.get(stem, bounds)
        ranges[stem] = (min(low, bounds[0]), max(high, bounds[1]))
    if not ranges:
        return ratings, left_out
    kept: list[tuple[Column, str]] = []
    joined: list[RatingColumn] = []
    for column, why in left_out:
        stem = _stem(column)
        bounds = ranges.get(stem or "")
        answers = counters.get(column.index)
        if bounds is not None and answers is not None and why.startswith("one number only"):
            scale = Scale(name=f"numeric {bounds[0]}..{bounds[1]}", labels=(), numeric=bounds)
            if all(scale.to_score(v) is not None or is_missing(v) for v in answers):
                joined.append(RatingColumn(column, scale, "a matrix item, on its siblings' scale"))
                continue
        kept.append((column, why))
    widened = []
    for rating in ratings:
        bounds = ranges.get(_stem(rating.column) or "")
        if bounds is not None and rating.scale.numeric not in (None, bounds):
            scale = Scale(name=f"numeric {bounds[0]}..{bounds[1]}", labels=(), numeric=bounds)
            rating = RatingColumn(rating.column, scale, rating.note)
        widened.append(rating)
    # In the file's order, as the analyst reads it.
    return sorted([*widened, *joined], key=lambda r: r.column.index), kept


def plan_survey(
    path: Path, options: SurveyOptions, file_name: str, *, require_ratings: bool = True
) -> SurveyPlan:
    """Read the file once to choose the department, time and rating columns and scales
    (with `require_ratings=False`, a file with none is planned for the analyst to choose)."""
    try:
        extra = tuple(parse_extra_scale(spec) for spec in options.scales)
    except ValueError as exc:
        raise FileFormatError(str(exc)) from exc
    dialect, layout, chunks = open_survey_chunks(path, options, file_name)
    department = _pick(layout, options.department_column, "the department column", file_name)
    if department is None:
        department = next(
            (
                c
                for c in layout.columns
                if any("department" in n.casefold() for n in c.names)
                and c.index not in (layout.timestamp, layout.status, layout.finished)
            ),
            None,
        )
    if department is None:
        raise FileFormatError(
            f"{file_name}: no department column found; choose the department column "
            f"(columns: {', '.join(c.id for c in layout.columns)})"
        )
    timestamp = _pick(layout, options.submitted_column, "the submitted column", file_name)
    if timestamp is None and layout.timestamp is not None:
        timestamp = layout.columns[layout.timestamp]
    explicit = [
        _pick(layout, name, "a rating column", file_name) for name in options.rating_columns
    ]
    skip = set(layout.meta) | {department.index} | ({timestamp.index} if timestamp else set())
    candidates = [c.index for c in explicit if c] or [
        c.index for c in layout.columns if c.index not in skip
    ]
    counters: dict[int, Counter[str]] = {i: Counter() for i in candidates}
    times: list[str] = []
    sample: list[tuple[str, ...]] = []
    data_rows = 0
    # Counted a chunk at a time by the reader pass two uses: one Counter.update per column.
    for chunk in chunks:
        data_rows += len(chunk)
        sample.extend(tuple(cells) for cells in chunk.cells[: 5 - len(sample)])
        _count_chunk(chunk.cells, counters, times, timestamp, bounded=not explicit)
    ratings = []
    left_out: list[tuple[Column, str]] = []
    for index in candidates:
        column = layout.columns[index]
        answers = counters.get(index)
        found = (
            detect_scale(answers, extra, question=column.label, explicit=bool(explicit))
            if answers is not None
            else Detection(None, f"more than {MAX_DISTINCT} different answers: free text")
        )
        if found.scale is not None:
            ratings.append(RatingColumn(column, found.scale, found.reason))
        elif explicit:
            raise FileFormatError(
                f"{file_name}: column {column.id!r} is no rating ({found.reason}); "
                "give its labels as an extra scale, worst first"
            )
        else:
            left_out.append((column, found.reason))
    if not explicit:
        ratings, left_out = _join_matrix_siblings(ratings, left_out, counters)
    ratings = _turned(ratings, options.reversed_columns, layout, file_name)
    if not ratings and require_ratings:
        raise FileFormatError(
            f"{file_name}: no rating columns found; choose the rating columns, and give "
            "unusual labels as an extra scale"
        )
    timestamp_format = timestamps.detect_format(times) if timestamp is not None else None
    if timestamp is not None and times and timestamp_format is None:
        unread = f"dates in an unknown format (for example {times[0]!r})"
        if options.submitted_column is not None:  # the analyst's own choice: refused
            raise FileFormatError(
                f"{file_name}: column {timestamp.id!r}: {unread}; choose another submitted column"
            )
        # Found by its name only: the responses are read without their times (no late
        # answers to compare), and the column is shown as left out, with why.
        left_out.append((timestamp, f"{unread}: read without submission times"))
        timestamp = None
    unsure = ""
    if timestamp_format is not None:
        timestamp_format, example = timestamps.day_month_order(times, timestamp_format)
        if example is not None:
            read = timestamps.parse_with(example, timestamp_format)
            unsure = (
                f"submission times such as {example!r} are read {_ORDER[timestamp_format[1]]}"
                f" ({read:%d %B %Y}): nothing in the file shows whether the day or the month"
                " comes first; if that is the wrong way round, give the round date"
            )
    return SurveyPlan(
        dialect=dialect,
        layout=layout,
        department=department,
        ratings=tuple(ratings),
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        data_rows=data_rows,
        sample=tuple(sample),
        left_out=tuple(left_out),
        times_unsure=unsure,
    )
