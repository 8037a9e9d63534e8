"""What an import counts as it writes: responses per department, answers per department
and value (kept beside the survey so the report need not unpack every response), and the
distinct answer patterns, each scored and written out once."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat

import numpy as np
import pandas as pd

from analysis.response_counts import count_responses
from analysis.stats import item_rest_correlations
from app.ingest.row_errors import RowError
from app.ingest.survey_chunks import ParsedChunk, RowTally
from app.ingest.survey_plan import RatingColumn

Ratings = tuple[float | None, ...]
# survey_id, department_id, submitted_at (naive UTC text), is_complete, score, ratings JSON
ResponseRow = tuple[int, int, str | None, bool, float | None, str]


# A question whose answers run against the others this much, and surely so, is said to.
AGAINST_R = -0.2
AGAINST_P = 0.01


def running_against(
    ratings: Iterable[RatingColumn], answered: Iterable[tuple[Ratings, int]]
) -> dict[str, str]:
    """Rating questions whose answers run against the questionnaire's other ratings (each
    column id: what to say), from the complete responses' answer patterns and how many gave
    each. Read as worded, a question worded the other way ("IT often lets me down") turns
    complaints into praise; its answers then fall as the others rise.

    One such question also drags the other questions' rest scores down, so they are found
    one at a time: the one running most surely against the rest, then the rest again with
    it turned round. It takes three questions to tell which one runs against the others."""
    columns = list(ratings)
    pairs = list(answered)
    if len(columns) < 3 or not pairs:
        return {}
    matrix = np.array([[np.nan if r is None else r for r in p] for p, _ in pairs], dtype=float)
    weights = [n for _, n in pairs]
    said: dict[str, str] = {}
    for _ in columns:
        found = item_rest_correlations(matrix, weights)
        against = [
            (result[0], position)
            for position, result in enumerate(found)
            if result is not None
            and result[0] <= AGAINST_R
            and result[1] < AGAINST_P
            and columns[position].column.id not in said
        ]
        if not against:
            break
        r, position = min(against)
        column, n = columns[position], found[position][2]  # type: ignore[index]
        matrix[:, position] = 100.0 - matrix[:, position]
        runs = (
            f"its answers run against the other rating questions (r = {r:.2f} over {n} responses)"
        )
        # In the scale's words, not agreement's: a frequency question can run against too.
        said[column.column.id] = (
            f"{column.column.label!r}: {runs}: if the top of its scale is the worst answer (a"
            " question worded the other way), say so, and it is scored top down"
            if not column.scale.reversed
            else f"{column.column.label!r} is scored top down, yet {runs}: if the top of its"
            " scale is the best answer, it is not worded the other way"
        )
    return said


def ratings_text(ratings: Ratings) -> str:
    """The JSON list of 0..100 ratings (null where unanswered), written without json.dumps."""
    return "[" + ",".join("null" if r is None else repr(round(r, 4)) for r in ratings) + "]"


class AnswerPatterns:
    """Few distinct answer patterns repeat across many rows: each gets a number, a score, its
    text, and a code per answer (-1 where unanswered) for counting in bulk."""

    def __init__(self) -> None:
        self.number: dict[Ratings, int] = {}
        self.score: list[float | None] = []
        self.text: list[str] = []
        self.values: list[float] = []  # each distinct answer value, rounded to 4 places
        self._value_code: dict[float, int] = {}
        self._codes: list[tuple[int, ...]] = []
        self._code_matrix = np.zeros((0, 0), dtype=np.int64)

    def numbers(self, chunk: ParsedChunk) -> np.ndarray:
        for ratings in set(chunk.ratings).difference(self.number):
            self.number[ratings] = len(self.text)
            answered = [r for r in ratings if r is not None]
            self.score.append(sum(answered) / len(answered) if answered else None)
            self.text.append(ratings_text(ratings))
            self._codes.append(tuple(self._code(r) for r in ratings))
        return np.fromiter(map(self.number.__getitem__, chunk.ratings), np.int64, len(chunk))

    def _code(self, value: float | None) -> int:
        if value is None:
            return -1
        rounded = round(value, 4)
        code = self._value_code.get(rounded)
        if code is None:
            code = self._value_code[rounded] = len(self.values)
            self.values.append(rounded)
        return code

    def codes(self) -> np.ndarray:
        """patterns x questions: each answer's value code, -1 where unanswered."""
        if len(self._code_matrix) != len(self._codes):
            self._code_matrix = np.array(self._codes, dtype=np.int64)
        return self._code_matrix

    def rows(
        self, survey_id: int, chunk: ParsedChunk, numbers: np.ndarray
    ) -> Iterator[ResponseRow]:
        listed = numbers.tolist()
        return zip(
            repeat(survey_id, len(chunk)),
            chunk.department_ids,
            chunk.submitted,
            chunk.complete,
            map(self.score.__getitem__, listed),
            map(self.text.__getitem__, listed),
            strict=True,
        )


@dataclass
class ImportCounts:
    """Kept while the rows are written (four small arrays per chunk); every count is worked
    out once from them by `finish`."""

    completes: int = 0
    partials: int = 0
    last_submitted: datetime | None = None
    tally: RowTally = field(default_factory=RowTally)
    by_department: Counter[tuple[int, bool]] = field(default_factory=Counter)
    answers: Counter[tuple[int, float]] = field(default_factory=Counter)  # complete ones only
    skipped: list[RowError] = field(default_factory=list)
    by_score: list[tuple[int, bool, int, float | None, int]] = field(default_factory=list)
    # Each answer pattern of the complete responses, and how many gave it.
    answered: list[tuple[Ratings, int]] = field(default_factory=list)
    # Per chunk: department, complete, pattern number and time (datetime64[us]) of each row.
    _kept: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, chunk: ParsedChunk, numbers: np.ndarray) -> None:
        complete = np.asarray(chunk.complete, dtype=np.bool_)
        self._kept.append(
            (
                np.asarray(chunk.department_ids, dtype=np.int64),
                complete,
                numbers,
                np.array(chunk.submitted, dtype="datetime64[us]"),
            )
        )
        completes = int(np.count_nonzero(complete))
        self.completes += completes
        self.partials += len(chunk) - completes

    def finish(self, patterns: AnswerPatterns) -> None:
        """Responses per department, answers per department and value, the latest time, and
        (department, complete, wave, score) counts with the waves as
        `analysis.response_counts` defines them (ties in time kept in file order)."""
        if not self._kept:
            return
        departments = np.concatenate([part[0] for part in self._kept])
        complete = np.concatenate([part[1] for part in self._kept])
        numbers = np.concatenate([part[2] for part in self._kept])
        times = np.concatenate([part[3] for part in self._kept])
        self._kept = []
        listed, dense = np.unique(departments, return_inverse=True)
        ids = listed.tolist()
        timed_rows = ~np.isnat(times)
        if timed_rows.any():
            self.last_submitted = times[timed_rows].max().astype(datetime).replace(tzinfo=UTC)
        per = np.bincount(dense * 2 + complete, minlength=2 * len(ids)).reshape(-1, 2)
        for department, (partial, full) in zip(ids, per.tolist(), strict=True):
            self.by_department[(department, True)] += full
            self.by_department[(department, False)] += partial
        self._count_answers(patterns, ids, dense[complete], numbers[complete])
        given = np.bincount(numbers[complete], minlength=len(patterns.text))
        # Patterns are numbered in the order they were first met, as the dict keeps them.
        self.answered = [
            (pattern, int(given[i])) for i, pattern in enumerate(patterns.number) if given[i]
        ]
        self.by_score = _score_counts(patterns, ids, dense, complete, numbers, times)

    def _count_answers(
        self, patterns: AnswerPatterns, ids: list[int], where: np.ndarray, numbers: np.ndarray
    ) -> None:
        codes = patterns.codes()[numbers]
        width = len(patterns.values)
        for question in range(codes.shape[1]):
            answered = codes[:, question] >= 0
            keys = where[answered] * width + codes[answered, question]
            tallied = np.bincount(keys, minlength=len(ids) * width)
            for key in np.flatnonzero(tallied).tolist():
                department, value = divmod(key, width)
                self.answers[(ids[department], patterns.values[value])] += int(tallied[key])


def _score_counts(
    patterns: AnswerPatterns,
    ids: list[int],
    dense: np.ndarray,
    complete: np.ndarray,
    numbers: np.ndarray,
    times: np.ndarray,
) -> list[tuple[int, bool, int, float | None, int]]:
    """(department, complete, wave, score, count) rows, counted by `count_responses`: the one
    definition of the waves, which the report and the backfill use too."""
    scores = np.array([np.nan if s is None else s for s in patterns.score], dtype=float)
    counted = count_responses(
        pd.DataFrame(
            {
                "department": np.asarray(ids, dtype=np.int64)[dense],
                "submitted_at": times,
                "is_complete": complete,
                "score": scores[numbers] if len(numbers) else np.array([], dtype=float),
            }
        )
    )
    return [
        (int(d), bool(c), int(w), None if pd.isna(score) else float(score), int(n))
        for d, c, w, score, n in counted.itertuples(index=False, name=None)
    ]
