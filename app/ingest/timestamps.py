"""Submission times in the formats survey tools write, detected per file."""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone

# Tried in order; the first that reads every sampled value wins, so 03/04 is read the way
# the rest of the file shows (13/04 rules out month-first).
CANDIDATE_FORMATS = (
    "iso",
    "%m/%d/%Y %I:%M:%S %p",  # SurveyMonkey
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",  # Google Forms (US locale)
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",  # Google Forms and Excel (European locales)
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "google",  # Google Forms' own download: `2022/06/22 11:07:29 AM AST`, `... PM GMT+5:30`
    # Two-digit years: a sheet saved again as CSV by Excel writes its cells as they show
    # (Microsoft Forms' `7/2/20 11:03:10`, `9/9/26 18:01`).
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d.%m.%y %H:%M",
    "%m/%d/%y",
    "%d/%m/%y",
    "excel",  # a sheet's date cells shown as numbers: days since 1899-12-30
)
# Excel's day numbers from 1990 to 2100: a plain count or score is never read as one.
EXCEL_DAYS = (32874.0, 73051.0)
EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
# "Download responses (.csv)" in Google Forms writes each time in the form owner's zone,
# named after the clock time: an offset from GMT (`GMT+2`, `GMT-3:30`, `GMT`) is applied;
# an abbreviation (`AST`, `CET`) can name more than one zone, so its time is taken as
# written, as a time with no zone is.
_GOOGLE = re.compile(
    r"(\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2})( [AP]M)? "
    r"(?:(GMT)(?:([+-])(\d{1,2})(?::(\d{2}))?)?|[A-Z]{2,5})"
)


def _google(text: str) -> datetime | None:
    found = _GOOGLE.fullmatch(text)
    if found is None:
        return None
    clock, half, gmt, sign, hours, minutes = found.groups()
    if half:
        parsed = datetime.strptime(clock + half, "%Y/%m/%d %I:%M:%S %p")
    else:
        parsed = datetime.strptime(clock, "%Y/%m/%d %H:%M:%S")
    if gmt:
        offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        parsed = parsed.replace(tzinfo=timezone(-offset if sign == "-" else offset))
    return parsed


def parse_with(value: str, fmt: str) -> datetime | None:
    """The time in `value` as UTC (naive times are taken as UTC), or None."""
    text = value.strip()
    if not text:
        return None
    try:
        if fmt == "iso":
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        elif fmt == "excel":
            days = float(text)
            if not EXCEL_DAYS[0] <= days <= EXCEL_DAYS[1]:
                return None
            return EXCEL_EPOCH + timedelta(days=days)
        elif fmt == "google":
            found = _google(text)
            if found is None:
                return None
            parsed = found
        else:
            parsed = datetime.strptime(text, fmt)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# Service desks write a few more: ServiceNow's dd-mm-yyyy, Jira's 11/May/24 03:26 PM,
# Zendesk's time with its offset.
TICKET_FORMATS = (
    *CANDIDATE_FORMATS,
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%d-%m-%Y",
)


def detect_format(
    sample: Iterable[str], formats: tuple[str, ...] = CANDIDATE_FORMATS
) -> str | None:
    """The candidate format that reads the most sampled values (at least 90% of them);
    the earliest listed wins a tie. Values it cannot read then become row errors."""
    values = [v for v in sample if v.strip()]
    if not values:
        return None
    best: tuple[int, str] | None = None
    for fmt in formats:
        read = sum(parse_with(v, fmt) is not None for v in values)
        if read == len(values):
            return fmt
        if read >= 0.9 * len(values) and (best is None or read > best[0]):
            best = (read, fmt)
    return best[1] if best else None


def _swapped(fmt: str) -> str:
    """The same form with day and month in each other's place."""
    return fmt.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")


def _span(values: list[str], fmt: str) -> timedelta | None:
    """From the first time to the last, read with `fmt`; None if a value does not read."""
    times = [parse_with(v, fmt) for v in values]
    if any(t is None for t in times):
        return None
    read = [t for t in times if t is not None]
    return max(read) - min(read)


def day_month_order(
    sample: Iterable[str], fmt: str, formats: tuple[str, ...] = CANDIDATE_FORMATS
) -> tuple[str, str | None]:
    """The submission times' form once day and month are told apart, and an example value
    when nothing tells them apart.

    A file whose days all fall on the 1st to the 12th reads both ways (03/04: 4 March or
    3 April), and the first form listed would win unseen: a UK round run from 2 to 10 November
    would be dated 11 October. A round's answers arrive over days or weeks, so the reading
    whose times lie closer together is the file's; when both lie as close (every answer on
    one day, 03/04 and 04/03), the first form stays, with the example to show."""
    values = [v for v in sample if v.strip()]
    other = _swapped(fmt)
    if other == fmt or other not in formats:
        return fmt, None
    mine, theirs = _span(values, fmt), _span(values, other)
    if theirs is None or mine is None:
        return fmt, None
    if theirs < mine:
        return other, None
    differs = next((v for v in values if parse_with(v, fmt) != parse_with(v, other)), None)
    return fmt, differs if theirs == mine else None


def parse_date(value: str) -> date:
    """A round date from the command line or a form (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from exc
