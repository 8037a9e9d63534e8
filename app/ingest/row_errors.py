"""Collecting bad rows so a file is refused with every problem named at once, counted by
rows and located as the analyst sees them: the spreadsheet row (a CSV record counts once,
whatever line breaks its cells hold) and, where it differs, the line of the text."""

from collections import defaultdict
from dataclasses import dataclass, field

GROUP_LIMIT = 20  # groups listed in a report; the rest are counted


@dataclass(frozen=True)
class RowError:
    line: int  # the line of the text where the record starts (the sheet row in .xlsx)
    field: str
    message: str
    row: int = 0  # the spreadsheet row: records counted from 1, header rows included

    @property
    def sheet_row(self) -> int:
        return self.row or self.line

    def where(self) -> str:
        text = f"row {self.sheet_row}"
        if self.line != self.sheet_row:
            text += f" (line {self.line} of the text)"
        return text

    def __str__(self) -> str:
        return f"{self.where()}" + (f", {self.field}" if self.field else "") + f": {self.message}"


def row_ranges(rows: list[int], limit: int = 6) -> str:
    """`4-9, 12, 20-1,361`: sorted rows as runs, the first `limit` runs named (… for more)."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    named = [f"{a:,}" if a == b else f"{a:,}-{b:,}" for a, b in runs[:limit]]
    return ", ".join(named) + (" …" if len(runs) > limit else "")


@dataclass(frozen=True)
class ErrorGroup:
    """One kind of problem (same field, same message) and every row that has it."""

    field: str
    message: str
    rows: tuple[int, ...]

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        count = len(self.rows)
        noun = "row" if count == 1 else "rows"
        place = "row" if count == 1 else "rows"
        return f"{where}{self.message}: {count:,} {noun} ({place} {row_ranges(list(self.rows))})"


@dataclass
class RowErrors:
    file_name: str
    errors: list[RowError] = field(default_factory=list)

    def add(self, line: int, field_name: str, message: str, row: int = 0) -> None:
        self.errors.append(RowError(line, field_name, message, row))

    def __bool__(self) -> bool:
        return bool(self.errors)

    @property
    def row_count(self) -> int:
        """How many rows are bad (a row with two problems counts once)."""
        return len({e.sheet_row for e in self.errors})

    def groups(self) -> list[ErrorGroup]:
        """The problems grouped by field and message, the most frequent first."""
        rows: dict[tuple[str, str], list[int]] = defaultdict(list)
        for error in self.errors:
            rows[(error.field, error.message)].append(error.sheet_row)
        return sorted(
            (ErrorGroup(f, m, tuple(r)) for (f, m), r in rows.items()),
            key=lambda g: (-len(g.rows), g.rows[0]),
        )

    def report(self, limit: int = GROUP_LIMIT) -> str:
        count = self.row_count
        lines = [
            f"{self.file_name}: {count:,} bad row{'s' if count != 1 else ''}, nothing imported:"
        ]
        lines += group_lines(self.groups(), limit)
        return "\n".join(lines)


def group_lines(groups: list[ErrorGroup], limit: int = GROUP_LIMIT) -> list[str]:
    """A report's lines: a group each, then how many more kinds of problem there are."""
    lines = [f"  {g}" for g in groups[:limit]]
    if len(groups) > limit:
        rest = groups[limit:]
        rows = sum(len(g.rows) for g in rest)
        lines.append(f"  ... and {len(rest)} more kinds of problem in {rows:,} rows")
    return lines


class ImportRefused(ValueError):
    """A file with bad rows, refused whole; `errors` names each one."""

    def __init__(self, errors: RowErrors) -> None:
        super().__init__(errors.report())
        self.errors = errors
