"""A survey export without what no mapping can use: the e-mails, names, addresses, phone
numbers, IP addresses, locations and respondent ids a tool writes beside the answers,
free-text answers (long, nearly all different: comments, which can name anyone), and
numbers no rating can be read from (ages, salaries, timings), and every other column the
mapping does not use (a gender or an age band beside the department would single people
out). What is left is what the mapping uses: the department, submitted time and rating
columns, and the tool's status columns that tell complete from partial. An upload is kept
this way for its preview; the columns stay (so the layout reads the same), their cells are
emptied, keeping any line breaks so every line and row keeps its number. A mapping that
wants a column not kept is previewed from the file chosen again."""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.ingest import timestamps
from app.ingest.scale_detection import detect_scale
from app.ingest.survey_layout import Column, SurveyLayout
from app.ingest.survey_options import SurveyOptions
from app.ingest.survey_plan import open_survey_chunks, plan_survey
from app.ingest.tabular import XLSX, FileFormatError, iter_chunks, normalise_header

_IDENTITY_KEYS = {
    "email", "e-mail", "emailaddress", "ipaddress", "ip", "ipaddr", "name", "firstname",
    "lastname", "fullname", "name_first", "name_last", "first_name", "last_name", "recipient",
    "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "externaldatareference", "locationlatitude", "locationlongitude", "latitude", "longitude",
    "address", "telephone", "phone", "phonenumber", "deviceid", "subscriberid", "simserial",
    "username", "respondentid", "responseid", "_uuid", "meta/instanceid", "token", "refurl",
    "referrerurl", "gps", "_recordid",
}  # fmt: skip
_IDENTITY_PATTERN = re.compile(r"^(customdata|_gps_|telephone_|e-?mail)")
_GROUP_WORDS = re.compile(
    r"department|team|unit|division|group|site|office|branch|service|directorate|location",
    re.IGNORECASE,
)


def is_identifying(column: Column) -> bool:
    """A column that says who answered (or from where), never what they said."""
    keys = [normalise_header(n) for n in column.names if n]
    keys += [k.replace("_", "") for k in keys]  # respondent_id, first_name
    return any(k in _IDENTITY_KEYS or _IDENTITY_PATTERN.match(k) for k in keys)


def _emptied(cell: str) -> str:
    """Nothing of the cell but its line breaks, so the file keeps its line numbers."""
    return "\n" * (cell.count("\n") + cell.count("\r") - cell.count("\r\n"))


# Free text: more different answers than any scale has, nearly all of them different, and
# long. A department column repeats its names, and they are short, so it is never emptied.
FREE_TEXT_DISTINCT = 64
FREE_TEXT_MEAN_CHARS = 25
_DISTINCT_CAP = 5000


@dataclass
class _ColumnText:
    filled: int = 0
    chars: int = 0
    distinct: set[str] = field(default_factory=set)
    capped: bool = False
    counts: Counter[str] = field(default_factory=Counter)  # while few enough to be a scale

    def add(self, value: str) -> None:
        text = value.strip()
        if not text:
            return
        self.filled += 1
        self.chars += len(text)
        if not self.capped:
            self.distinct.add(text)
            self.capped = len(self.distinct) >= _DISTINCT_CAP
        if len(self.distinct) <= FREE_TEXT_DISTINCT:
            self.counts[text] += 1

    def numbers_no_mapping_uses(self) -> bool:
        """Numbers no rating can be read from, even when named: ages, counts, salaries,
        timings (decimals, or beyond 0..10)."""
        if not self.counts or len(self.distinct) > FREE_TEXT_DISTINCT:
            return False
        reason = detect_scale(self.counts, explicit=True).reason
        return reason.startswith(("decimal numbers", "numbers outside"))

    def is_free_text(self) -> bool:
        if (
            len(self.distinct) <= FREE_TEXT_DISTINCT
            or self.chars < FREE_TEXT_MEAN_CHARS * self.filled
        ):
            return False
        return self.capped or len(self.distinct) >= 0.5 * self.filled


NOT_MAPPED = "not used by the mapping"


def mapped_columns(
    path: Path, layout: SurveyLayout, options: SurveyOptions, file_name: str
) -> tuple[set[int], dict[int, str]]:
    """The columns `options` maps (named, or detected where it names none) with the tool's
    own columns that say whether a response is complete; and why detection left each
    other candidate out."""
    used = {i for i in (layout.timestamp, layout.status, layout.finished) if i is not None}
    named = [options.department_column, options.submitted_column, *options.rating_columns]
    used |= {c.index for name in named if name and (c := layout.find(name)) is not None}
    try:
        plan = plan_survey(path, options, file_name, require_ratings=False)
    except FileFormatError:  # the preview says what is wrong; the named columns are kept
        return used, {}
    used |= {plan.department.index} | {r.column.index for r in plan.ratings}
    used |= {plan.timestamp.index} if plan.timestamp else set()
    return used, {c.index: why for c, why in plan.left_out}


def is_not_kept(why: str) -> bool:
    """An emptied column the analyst may still map, from the file chosen again."""
    return why.startswith(NOT_MAPPED)


def redact_survey_file(
    path: Path, out: Path, file_name: str, options: SurveyOptions | None = None
) -> dict[str, str]:
    """Write the export to `out` with the data cells emptied of every identifying or
    free-text column and of every column `options` does not map (a CSV, or a workbook for a
    workbook); returns each emptied column and why."""
    options = options or SurveyOptions()
    dialect, layout, chunks = open_survey_chunks(path, options, file_name)
    why = {c.index: "who answered" for c in layout.columns if is_identifying(c)}
    # Free text is looked for among the answers only: never the tool's own columns (times,
    # statuses), nor one that names the department or team the person is in.
    texts = {
        c.index: _ColumnText()
        for c in layout.columns
        if c.index not in why and c.index not in layout.meta and not _GROUP_WORDS.search(c.label)
    }
    for chunk in chunks:
        for cells in chunk.cells:
            for index, text in texts.items():
                if index < len(cells):
                    text.add(cells[index])
    why |= {
        index: "free text"
        for index, text in texts.items()
        if text.is_free_text() and timestamps.detect_format(sorted(text.distinct)[:200]) is None
    }
    why |= {
        index: "numbers no mapping can use"
        for index, text in texts.items()
        if index not in why and text.numbers_no_mapping_uses()
    }
    used, left_out = mapped_columns(path, layout, options, file_name)
    why |= {
        c.index: f"{NOT_MAPPED} ({left_out[c.index]})" if c.index in left_out else NOT_MAPPED
        for c in layout.columns
        if c.index not in why and c.index not in used
    }
    emptied = sorted(why)
    # The second pass reads the file as the first did, header rows and all, and writes it.
    records = (
        cells if number < layout.lead else _without(cells, emptied)
        for number, cells in enumerate(
            cells
            for chunk in iter_chunks(path, display_name=file_name, dialect=dialect)
            for cells in chunk.cells
        )
    )
    if dialect.encoding == XLSX:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for cells in records:
            sheet.append(cells)
        book.save(out)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            if dialect.preamble:  # kept, so that lines are numbered as in the file sent
                handle.write(f"sep={dialect.delimiter}\r\n")
            csv.writer(handle, delimiter=dialect.delimiter, lineterminator="\r\n").writerows(
                records
            )
    return {layout.columns[i].id: why[i] for i in emptied}


def _without(cells: list[str], emptied: list[int]) -> list[str]:
    if not emptied:
        return cells
    kept = list(cells)
    for index in emptied:
        if index < len(kept) and kept[index]:
            kept[index] = _emptied(kept[index])
    return kept
