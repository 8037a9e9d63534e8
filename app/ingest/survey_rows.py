"""Pass two over a survey export: every data row checked and turned into a response."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from app.ingest import timestamps
from app.ingest.row_errors import RowErrors
from app.ingest.scales import is_missing, label_key
from app.ingest.survey_plan import SurveyPlan
from app.ingest.tabular import Row

_UNSEEN = object()
_OFF_SCALE = object()
NOT_RESPONSES = {"survey preview", "1", "spam", "8"}
FALSE_WORDS = {"0", "false", "no", "n", "partial", "incomplete"}


class ParsedResponse(NamedTuple):
    line: int
    department_id: int
    submitted_at: datetime | None
    is_complete: bool
    ratings: tuple[float | None, ...]

    @property
    def score(self) -> float | None:
        answered = [r for r in self.ratings if r is not None]
        return sum(answered) / len(answered) if answered else None


@dataclass
class RowTally:
    previews: int = 0
    partials_without_department: int = 0
    blank: int = 0


def parse_rows(
    plan: SurveyPlan,
    rows: Iterator[Row],
    *,
    department_id: Callable[[str], int | None],
    errors: RowErrors,
    tally: RowTally,
) -> Iterator[ParsedResponse]:
    """Yield good rows; add each bad row to `errors` (with its line and field)."""
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
                row.line, "", f"ragged row: {len(cells)} fields where the header has {width}"
            )
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.add(
                row.line, "", f"ragged row: {len(cells)} fields where the header has {width}"
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
            errors.add(row.line, plan.department.id, "the department is empty")
            bad = True
        elif dept is None:
            errors.add(row.line, plan.department.id, f"unknown department {name!r}")
            bad = True
        submitted = None
        if time_index is not None and cells[time_index].strip():
            submitted = timestamps.parse_with(cells[time_index], fmt)
            if submitted is None:
                errors.add(
                    row.line,
                    plan.timestamp.id if plan.timestamp else "",
                    f"{cells[time_index]!r} is not a date like the rest of the column",
                )
                bad = True
        ratings: list[float | None] = []
        for position, (index, cache) in enumerate(zip(rating_indices, score_caches, strict=True)):
            value = cells[index]
            score = cache.get(value, _UNSEEN)
            if score is _UNSEEN:
                rating = plan.ratings[position]
                score = None if is_missing(value) else rating.scale.to_score(value)
                if score is None and not is_missing(value):
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
                )
                bad = True
                score = None
            ratings.append(score)  # type: ignore[arg-type]
        if bad or dept is None:
            continue
        yield ParsedResponse(row.line, dept, submitted, complete, tuple(ratings))
