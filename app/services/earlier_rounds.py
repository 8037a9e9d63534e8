"""Responses already imported in another round, found again in a new file.

A survey tool's export holds every response to date unless told otherwise (a Google Forms
sheet grows for good; Qualtrics and SurveyMonkey export "all responses" by default). Taken as
the next round, such a file counts the earlier rounds' answers again: the new round's scores
drift towards the old ones and its response rates swell. A response is the same response
when it is from the same department at the same submission second; nothing else of it is
needed, and nothing that tells who answered is kept to find it.
"""

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, ColumnElement, cast, extract, func, select
from sqlmodel import Session, col

from app.ingest.survey_chunks import ParsedChunk
from app.models import Survey, SurveyResponse

_SECOND_BITS = 34  # seconds since 1970 up to the year 2514; the department id above them


def _keys(department_ids: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return (department_ids.astype(np.int64) << _SECOND_BITS) | seconds.astype(np.int64)


def _within(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which of `values` are among the sorted `ordered`, by binary search (numpy's isin
    hashes the larger array afresh each time: 83 s over a million-response file)."""
    if not len(ordered):
        return np.zeros(len(values), dtype=np.bool_)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return np.asarray(ordered[at] == values)


@dataclass
class EarlierRounds:
    """Every timed response of the other rounds, as sorted keys, and the keys of a file's
    responses found among them."""

    keys: np.ndarray
    rounds: np.ndarray  # the survey id of each key
    names: dict[int, str]
    sizes: dict[int, int]  # each round's timed responses
    matched: list[np.ndarray] = field(default_factory=list)  # the file's, chunk by chunk

    @classmethod
    def load(cls, session: Session, *, besides: int | None = None) -> "EarlierRounds":
        """The responses of every round but `besides` (the round being imported)."""
        when = col(SurveyResponse.submitted_at)
        seconds: ColumnElement[Any] = extract("epoch", when)
        if session.get_bind().dialect.name == "postgresql":
            seconds = func.floor(seconds)  # SQLite's strftime('%s') drops the fraction too
        query = select(
            col(SurveyResponse.survey_id),
            col(SurveyResponse.department_id),
            cast(seconds, BigInteger),
        ).where(when.is_not(None))
        if besides is not None:
            query = query.where(col(SurveyResponse.survey_id) != besides)
        found = session.execute(query).all()
        # Through a flat iterator: numpy takes a list of rows one sequence at a time, 30 s
        # for two million of them, against 1 s this way.
        flat = itertools.chain.from_iterable(found)
        rows = np.fromiter(flat, dtype=np.int64, count=3 * len(found)).reshape(-1, 3)
        del found
        keys = _keys(rows[:, 1], rows[:, 2])
        order = np.argsort(keys, kind="stable")
        names = {i: n for i, n in session.execute(select(col(Survey.id), col(Survey.name)))}
        listed, counts = np.unique(rows[:, 0], return_counts=True)
        sizes = dict(zip(listed.tolist(), counts.tolist(), strict=True))
        return cls(keys=keys[order], rounds=rows[order, 0], names=names, sizes=sizes)

    def repeated(self, chunk: ParsedChunk) -> np.ndarray:
        """Which of the chunk's responses an earlier round holds (kept in `matched`)."""
        if not len(self.keys) or not len(chunk):
            return np.zeros(len(chunk), dtype=np.bool_)
        micro = np.array(chunk.submitted, dtype="datetime64[us]").astype(np.int64)
        timed = micro != np.iinfo(np.int64).min  # NaT: no submission time to match
        keys = _keys(np.asarray(chunk.department_ids, dtype=np.int64), micro // 1_000_000)
        hit = timed & _within(keys, self.keys)
        self.matched.append(keys[hit])
        return hit

    def _held(self) -> dict[int, int]:
        """The rounds the file holds again, and how many of each one's responses: those it
        holds at least half of. An export of every response to date holds all of an earlier
        round; a few departments and seconds shared with a survey that ran alongside (times
        kept to the minute make that likelier) are chance, and leave nothing out."""
        if not self.matched:
            return {}
        matched = np.sort(np.concatenate(self.matched))
        found = Counter(self.rounds[_within(self.keys, matched)].tolist())
        return {r: n for r, n in found.items() if 2 * n >= self.sizes[r]}

    def settle(self) -> None:
        """Keep only the rounds the file holds again, and forget what was matched: a pass that
        leaves their responses out comes next."""
        kept = np.isin(self.rounds, list(self._held()))
        self.keys, self.rounds, self.matched = self.keys[kept], self.rounds[kept], []

    def found(self) -> "HeldAgain":
        """What the file's pass found it holds of earlier rounds, worked out once."""
        held = self._held()
        if not held:
            return HeldAgain()
        keys = self.keys[np.isin(self.rounds, list(held))]  # still in order
        total = sum(np.count_nonzero(_within(part, keys)) for part in self.matched)
        ranked = sorted(held.items(), key=lambda pair: (-pair[1], self.names[pair[0]]))
        if len(ranked) == 1:
            return HeldAgain(int(total), f"round {self.names[ranked[0][0]]!r}")
        listed = [f"{n} in {self.names[survey]!r}" for survey, n in ranked[:3]]
        if len(ranked) > 3:
            listed.append(f"{sum(n for _, n in ranked[3:])} in {len(ranked) - 3} more")
        return HeldAgain(int(total), f"earlier rounds ({', '.join(listed)})")


@dataclass(frozen=True)
class HeldAgain:
    """What a file holds of earlier rounds."""

    total: int = 0  # the file's responses a round it holds again holds too
    where: str = ""  # those rounds, the one with most of its responses found first

    def warning(self, responses: int) -> str | None:
        """What to say of responses found again but kept; None when none were."""
        if not self.total:
            return None
        return (
            f"{self.total} of these {responses} responses are already in {self.where} (the"
            " same department and submission time, to the second): an export of every"
            " response to date holds the earlier rounds again; leave those responses out to"
            " count each response once"
        )


def keep_new(chunk: ParsedChunk, repeated: np.ndarray) -> ParsedChunk:
    """The chunk without the responses an earlier round holds."""
    if not repeated.any():
        return chunk
    kept = np.flatnonzero(~repeated).tolist()
    return ParsedChunk(
        department_ids=[chunk.department_ids[i] for i in kept],
        submitted=[chunk.submitted[i] for i in kept],
        complete=[chunk.complete[i] for i in kept],
        ratings=[chunk.ratings[i] for i in kept],
    )
