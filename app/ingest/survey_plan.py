"""Pass one over a survey export: which columns hold what, and on which scale."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from app.ingest import timestamps
from app.ingest.scales import Scale, detect_scale, parse_extra_scale
from app.ingest.survey_layout import Column, SurveyLayout, build_layout, detect_format
from app.ingest.tabular import (
    CHUNK_ROWS,
    FileFormatError,
    Row,
    RowChunk,
    csv_dialect,
    iter_chunks,
)

MAX_DISTINCT = 64  # a column with more distinct answers is no rating question
TIMESTAMP_SAMPLE = 2000


@dataclass(frozen=True)
class SurveyOptions:
    """What the analyst said about the file (CLI options or the upload form)."""

    format: str = "auto"
    department_column: str | None = None
    rating_columns: tuple[str, ...] = ()
    submitted_column: str | None = None
    scales: tuple[str, ...] = ()
    round_date: str | None = None
    replace: bool = False
    skip_bad_rows: bool = False


@dataclass(frozen=True)
class RatingColumn:
    column: Column
    scale: Scale


@dataclass(frozen=True)
class SurveyPlan:
    layout: SurveyLayout
    department: Column
    ratings: tuple[RatingColumn, ...]
    timestamp: Column | None
    timestamp_format: str | None
    data_rows: int
    sample: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def width(self) -> int:
        return len(self.layout.columns)


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


def open_survey_chunks(
    path: Path, options: SurveyOptions, file_name: str, *, size: int = CHUNK_ROWS
) -> tuple[SurveyLayout, Iterator[RowChunk]]:
    """The layout and the data rows, `size` records at a time (header rows consumed)."""
    chunks = iter_chunks(path, display_name=file_name, size=size)
    first = next(chunks, None)
    if first is None:
        raise FileFormatError(f"{file_name}: the file is empty")
    while len(first) < 3 and (more := next(chunks, None)) is not None:
        first = RowChunk([*first.lines, *more.lines], first.cells + more.cells)
    cells = first.cells[:3]
    file_format = detect_format(cells) if options.format == "auto" else options.format
    layout = build_layout(cells, file_format, file_name)
    return layout, chain([first.without_first(layout.header_rows)], chunks)


def open_survey(
    path: Path, options: SurveyOptions, file_name: str
) -> tuple[SurveyLayout, Iterator[Row]]:
    """The layout and an iterator over the data rows (header rows consumed)."""
    layout, chunks = open_survey_chunks(path, options, file_name)
    return layout, (row for chunk in chunks for row in chunk.rows())


PLAN_CHUNK = 20_000


def _count_chunk(
    chunk: list[list[str]],
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


def _count_with_pandas(
    path: Path,
    layout: SurveyLayout,
    counters: dict[int, Counter[str]],
    times: list[str],
    timestamp: Column | None,
    sample: list[tuple[str, ...]],
    *,
    bounded: bool,
) -> int | None:
    """The first pass done by pandas' C parser (CSV only); None to fall back to Python.

    Only counting happens here; every row is still read and checked one by one in pass two,
    which names bad rows by their line.
    """
    import pandas as pd

    dialect = csv_dialect(path)
    if dialect is None:
        return None
    wanted = sorted(set(counters) | ({timestamp.index} if timestamp else set()))
    width = len(layout.columns)
    rows = 0
    try:
        with pd.read_csv(
            path,
            sep=dialect.delimiter,
            encoding=dialect.encoding,
            header=None,
            skiprows=layout.header_rows,
            names=list(range(width)),
            usecols=wanted,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            chunksize=200_000,
            engine="c",
            on_bad_lines="skip",
            skip_blank_lines=True,
        ) as reader:
            for chunk in reader:
                if not sample:
                    head = pd.read_csv(
                        path,
                        sep=dialect.delimiter,
                        encoding=dialect.encoding,
                        header=None,
                        skiprows=layout.header_rows,
                        nrows=5,
                        dtype=str,
                        keep_default_na=False,
                        na_filter=False,
                    )
                    sample.extend(tuple(r) for r in head.itertuples(index=False, name=None))
                rows += len(chunk)
                for index in list(counters):
                    counts = chunk[index].value_counts()  # few distinct answers: strip those
                    if len(counts) > MAX_DISTINCT:
                        counts = chunk[index].str.strip().value_counts()
                    counter = counters[index]
                    for answer, number in zip(counts.index, counts.tolist(), strict=True):
                        counter[answer.strip()] += number
                    if bounded and len(counters[index]) > MAX_DISTINCT:
                        del counters[index]
                if timestamp is not None and len(times) < TIMESTAMP_SAMPLE:
                    values = chunk[timestamp.index]
                    times.extend(values[values.str.strip() != ""].head(TIMESTAMP_SAMPLE).tolist())
                    del times[TIMESTAMP_SAMPLE:]
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        for counter in counters.values():
            counter.clear()
        times.clear()
        sample.clear()
        return None
    return rows


def plan_survey(path: Path, options: SurveyOptions, file_name: str) -> SurveyPlan:
    """Read the file once to choose the department, time and rating columns and scales."""
    try:
        extra = tuple(parse_extra_scale(spec) for spec in options.scales)
    except ValueError as exc:
        raise FileFormatError(str(exc)) from exc
    layout, rows = open_survey(path, options, file_name)
    department = _pick(layout, options.department_column, "--department-column", file_name)
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
            f"{file_name}: no department column found; name it with --department-column "
            f"(columns: {', '.join(c.id for c in layout.columns)})"
        )
    timestamp = _pick(layout, options.submitted_column, "--submitted-column", file_name)
    if timestamp is None and layout.timestamp is not None:
        timestamp = layout.columns[layout.timestamp]
    explicit = [
        _pick(layout, name, "--rating-columns", file_name) for name in options.rating_columns
    ]
    skip = set(layout.meta) | {department.index} | ({timestamp.index} if timestamp else set())
    candidates = [c.index for c in explicit if c] or [
        c.index for c in layout.columns if c.index not in skip
    ]
    counters: dict[int, Counter[str]] = {i: Counter() for i in candidates}
    times: list[str] = []
    sample: list[tuple[str, ...]] = []
    data_rows = 0
    counted = _count_with_pandas(
        path, layout, counters, times, timestamp, sample, bounded=not explicit
    )
    if counted is not None:
        data_rows = counted
    else:
        # Counted per chunk of rows: one Counter.update per column, not one step per cell.
        chunk: list[list[str]] = []
        for row in rows:
            data_rows += 1
            if len(sample) < 5:
                sample.append(tuple(row.cells))
            chunk.append(row.cells)
            if len(chunk) >= PLAN_CHUNK:
                _count_chunk(chunk, counters, times, timestamp, bounded=not explicit)
                chunk = []
        _count_chunk(chunk, counters, times, timestamp, bounded=not explicit)
    ratings = []
    for index in candidates:
        answers = counters.get(index)
        scale = detect_scale(answers, extra) if answers is not None else None
        if scale is not None:
            ratings.append(RatingColumn(layout.columns[index], scale))
        elif explicit:
            raise FileFormatError(
                f"{file_name}: column {layout.columns[index].id!r} is not on a known rating "
                "scale; give its labels with --scale (worst first)"
            )
    if not ratings:
        raise FileFormatError(
            f"{file_name}: no rating columns found; name them with --rating-columns, "
            "and give unusual labels with --scale"
        )
    timestamp_format = timestamps.detect_format(times) if timestamp is not None else None
    if timestamp is not None and times and timestamp_format is None:
        raise FileFormatError(
            f"{file_name}: column {timestamp.id!r}: dates in an unknown format "
            f"(for example {times[0]!r}); name another with --submitted-column"
        )
    return SurveyPlan(
        layout=layout,
        department=department,
        ratings=tuple(ratings),
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        data_rows=data_rows,
        sample=tuple(sample),
    )
