"""What the analyst said about a survey export: the options of the command line, the API's
fields and the upload form, checked as typed and stored as their fields."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.ingest import timestamps
from app.ingest.scales import parse_extra_scale
from app.ingest.survey_layout import FORMATS as LAYOUT_FORMATS
from app.ingest.tabular import FileFormatError

FORMATS = ("auto", *LAYOUT_FORMATS)


@dataclass(frozen=True)
class SurveyOptions:
    """What the analyst said about the file (CLI options, the API's fields or the upload
    form), always built by `from_inputs`."""

    format: str = "auto"
    department_column: str | None = None
    rating_columns: tuple[str, ...] = ()
    submitted_column: str | None = None
    scales: tuple[str, ...] = ()
    round_date: str | None = None
    replace: bool = False
    skip_bad_rows: bool = False
    # Names in the file that mean a department of the directory: (name in file, department).
    department_aliases: tuple[tuple[str, str], ...] = ()
    # Rating questions worded the other way, agreeing the worst answer: scored top down.
    reversed_columns: tuple[str, ...] = ()
    # Leave out the responses another round already holds (an export of all to date).
    new_responses_only: bool = False

    def digest(self) -> str:
        """What the file is read with: the same file under other options reads differently."""
        read = [
            self.format,
            self.department_column,
            list(self.rating_columns),
            self.submitted_column,
            list(self.scales),
            self.round_date,
            self.skip_bad_rows,
            [list(pair) for pair in self.department_aliases],
            *([list(self.reversed_columns)] if self.reversed_columns else []),
            *(["new responses only"] if self.new_responses_only else []),
        ]
        return hashlib.sha256(json.dumps(read).encode()).hexdigest()

    @classmethod
    def from_inputs(
        cls,
        *,
        format: str | None = "auto",
        department_column: str | None = None,
        rating_column: Iterable[str] = (),
        rating_columns: Iterable[str] = (),
        submitted_column: str | None = None,
        scale: Iterable[str] = (),
        round_date: str | None = None,
        replace: bool = False,
        skip_bad_rows: bool = False,
        department_aliases: Iterable[tuple[str, str]] = (),
        reversed_column: Iterable[str] = (),
        reversed_columns: Iterable[str] = (),
        new_responses_only: bool = False,
    ) -> "SurveyOptions":
        """The options from what a person typed: `rating_column` names one column each (a
        name may hold commas), `rating_columns` are comma lists; each `scale` is a comma list
        or a JSON array. Blank values mean "detect it"; a bad value is refused by name."""
        chosen = (format or "auto").strip().lower()
        if chosen not in FORMATS:
            raise FileFormatError(f"format {format!r} is not one of {', '.join(FORMATS)}")
        columns = _names(rating_column, rating_columns)
        turned = _names(reversed_column, reversed_columns)
        scales = tuple(s for s in (s.strip() for s in scale) if s)
        for spec in scales:
            try:
                parse_extra_scale(spec)
            except ValueError as exc:
                raise FileFormatError(str(exc)) from exc
        when = (round_date or "").strip() or None
        if when is not None:
            try:
                timestamps.parse_date(when)
            except ValueError as exc:
                raise FileFormatError(f"the round's date: {exc}") from exc
        return cls(
            format=chosen,
            department_column=(department_column or "").strip() or None,
            rating_columns=columns,
            submitted_column=(submitted_column or "").strip() or None,
            scales=scales,
            round_date=when,
            replace=replace,
            skip_bad_rows=skip_bad_rows,
            department_aliases=tuple(
                (name.strip(), target.strip())
                for name, target in department_aliases
                if name.strip() and target.strip()
            ),
            reversed_columns=turned,
            new_responses_only=new_responses_only,
        )

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> "SurveyOptions":
        """Options stored as their fields (`dataclasses.asdict`, through JSON): a saved
        mapping (some fields) or a job's options (all), checked again as typed input."""
        return cls.from_inputs(
            format=str(data.get("format", "auto")),
            department_column=data.get("department_column"),
            rating_column=data.get("rating_columns", ()),
            submitted_column=data.get("submitted_column"),
            scale=data.get("scales", ()),
            round_date=data.get("round_date"),
            replace=bool(data.get("replace", False)),
            skip_bad_rows=bool(data.get("skip_bad_rows", False)),
            department_aliases=[(str(a), str(b)) for a, b in data.get("department_aliases", ())],
            reversed_column=data.get("reversed_columns", ()),
            new_responses_only=bool(data.get("new_responses_only", False)),
        )


def _names(one_each: Iterable[str], comma_lists: Iterable[str]) -> tuple[str, ...]:
    """Column names as typed: one a value (a name may hold commas), or comma lists; blanks
    dropped, each once, in the order given."""
    names = [c.strip() for c in one_each if c.strip()]
    names += [c.strip() for spec in comma_lists for c in spec.split(",") if c.strip()]
    return tuple(dict.fromkeys(names))
