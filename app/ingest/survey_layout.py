"""Recognising a survey export: its format, header rows and metadata columns."""

import ast
import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field

from app.ingest.tabular import FileFormatError, normalise_header

FORMATS = (
    "generic",
    "qualtrics",
    "surveymonkey",
    "googleforms",
    "msforms",
    "limesurvey",
    "kobo",
)

# Columns that identify people or describe the response rather than rate IT: never ratings,
# and never stored (respondents stay anonymous).
_META_WORDS = (
    "id",
    "respondent",
    "respondentid",
    "responseid",
    "recordid",
    "_recordid",
    "userid",
    "collector",
    "collectorid",
    "ipaddress",
    "ip",
    "email",
    "e-mail",
    "name",
    "firstname",
    "lastname",
    "recipient",
    "externalreference",
    "externaldatareference",
    "duration",
    "progress",
    "finished",
    "status",
    "latitude",
    "longitude",
    "locationlatitude",
    "locationlongitude",
    "language",
    "userlanguage",
    "channel",
    "distributionchannel",
    "startdate",
    "enddate",
    "recordeddate",
    "starttime",
    "completiontime",
    "timestamp",
    "submittedat",
    "submitted",
    "lastmodifiedtime",
    "date",
    "time",
    "customdata",
    "custom data",
    # Qualtrics (new, 2016 and legacy layouts)
    "duration(inseconds)",
    "responseset",
    "responsesetid",
    "emailaddress",
    "ipaddr",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "locationaccuracy",
    "responsetype",
    # LimeSurvey
    "responseid",
    "submitdate",
    "datesubmitted",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestarted",
    "datestamp",
    "datelastaction",
    "token",
    "refurl",
    "referrerurl",
    "interviewtime",
    "totaltime",
    # Typeform ("#" is the response's token, "Network ID" the respondent's network), Jotform
    "#",
    "networkid",
    "startdate(utc)",
    "stagedate(utc)",
    "submitdate(utc)",
    "submissiondate",
    # Alchemer (SurveyGizmo)
    "timestarted",
    "sessionid",
    "useragent",
    "referer",
    "contactid",
    # SurveyMonkey, Microsoft Forms, Google Forms
    "lastmodifiedtime",
    "emailaddress",
    "score",
    "totalpoints",
    # KoboToolbox (the rest begin with "_" or "meta/")
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "simid",
    "phonenumber",
    "username",
    "audit",
)
# Names that mark a column as the tool's own, whatever follows: timings and click counts,
# embedded data, system fields, LimeSurvey's equations and timers.
_META_PATTERN = re.compile(
    r"^(_|meta/|q_|customdata|\{|questiontime:|grouptime:|timing-|redcap_|name_)"
    r"|(firstclick|lastclick|pagesubmit|clickcount|_complete|_timestamp|_name)$"
    r"|(e-?mail|latitude|longitude|ipaddress|telephone|phone|address|dateofbirth|^dob$)"
)


@dataclass(frozen=True)
class Column:
    index: int
    names: tuple[str, ...]  # the column id and question texts from every header row

    @property
    def label(self) -> str:
        """The most descriptive name: the question text when there is one."""
        texts = [n for n in self.names if n and not n.startswith("{")]
        return max(texts, key=len) if texts else f"column {self.index + 1}"

    @property
    def id(self) -> str:
        return self.names[0] if self.names and self.names[0] else f"column {self.index + 1}"

    def matches(self, wanted: str) -> bool:
        """By id or any header text; a column with no header by the name it is shown under
        ("column 3")."""
        key = normalise_header(wanted)
        if any(normalise_header(n) == key for n in self.names if n):
            return True
        return not any(self.names) and key == normalise_header(self.id)


@dataclass(frozen=True)
class SurveyLayout:
    format: str
    header_rows: int
    columns: tuple[Column, ...]
    timestamp: int | None
    status: int | None = None
    finished: int | None = None
    finished_when_filled: bool = False  # LimeSurvey: complete when the cell holds a date
    meta: frozenset[int] = field(default_factory=frozenset)
    lead: int = 0  # the file's records before its first data row: header rows, blank lines

    def find(self, wanted: str) -> Column | None:
        for column in self.columns:
            if column.matches(wanted):
                return column
        return None

    @property
    def signature(self) -> str:
        """What makes two exports 'the same shape': their format and header rows."""
        names = [list(c.names) for c in self.columns]
        return hashlib.sha256(json.dumps([self.format, names]).encode()).hexdigest()


def _key(text: str) -> str:
    return normalise_header(text)


def _is_meta(column: Column) -> bool:
    """The tool's own column (ids, times, contact details, timings), never a rating."""
    keys = [_key(n) for n in column.names if n]
    return any(k in _META_WORDS or k.endswith("_id") or _META_PATTERN.search(k) for k in keys)


def _first(columns: list[Column], *names: str) -> int | None:
    keys = [_key(n) for n in names]
    for key in keys:
        for column in columns:
            if any(_key(n) == key for n in column.names if n):
                return column.index
    return None


def _import_id_value(cell: str) -> object:
    """The parsed `{"ImportId": ...}` cell: JSON (new layout) or Python's quoting (2016)."""
    text = cell.strip()
    if not text.startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        with contextlib.suppress(ValueError, SyntaxError):
            return ast.literal_eval(text)
    return None


def _import_id(cell: str) -> str:
    """`{"ImportId": "QID2_1"}` -> `QID2_1`, so columns can be named by it too."""
    value = _import_id_value(cell)
    return str(value.get("ImportId", "")) if isinstance(value, dict) else cell


def _is_import_id_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    hits = 0
    for cell in filled:
        value = _import_id_value(cell)
        hits += isinstance(value, dict) and "ImportId" in value
    return hits >= 0.5 * len(filled)


def _is_response_row(first_rows: list[list[str]]) -> bool:
    """SurveyMonkey's second header row: blank under the respondent's columns, "Response"
    (or an answer option) under each question."""
    if len(first_rows) < 2 or not first_rows[1] or first_rows[1][0].strip():
        return False
    return any(_key(c) in ("response", "open-endedresponse") for c in first_rows[1])


def _is_qualtrics_legacy(first_rows: list[list[str]]) -> bool:
    """Qualtrics' legacy layout: V1, V2 ... ids over a row of names that starts ResponseID."""
    if len(first_rows) < 2:
        return False
    ids = [c.strip() for c in first_rows[0][:3]]
    names = {_key(c) for c in first_rows[1]}
    return ids == ["V1", "V2", "V3"] and "responseid" in names


def detect_format(first_rows: list[list[str]]) -> str:
    """Which export a file is, from its first rows."""
    head = [_key(c) for c in first_rows[0]] if first_rows else []
    if len(first_rows) >= 3 and _is_import_id_row(first_rows[2]):
        return "qualtrics"
    if _is_qualtrics_legacy(first_rows):
        return "qualtrics"
    if "respondentid" in head and ("collectorid" in head or _is_response_row(first_rows)):
        return "surveymonkey"
    if {"lastpage", "startlanguage"} <= set(head) or {"datesubmitted", "lastpage"} <= set(head):
        return "limesurvey"
    if "_uuid" in head and "_submission_time" in head:
        return "kobo"
    if head[:3] == ["id", "starttime", "completiontime"]:
        return "msforms"
    if head and head[0] == "timestamp":
        return "googleforms"
    return "generic"


# The columns of Walkabout's own walks file (`import visits`): such a file is no survey.
_WALKS_COLUMNS = {"visit_date", "leader", "observed_score"}


def build_layout(first_rows: list[list[str]], file_format: str, file_name: str) -> SurveyLayout:
    """Header rows, column names and metadata columns for the given format."""
    if first_rows and {_key(c) for c in first_rows[0]} >= _WALKS_COLUMNS:
        raise FileFormatError(
            f"{file_name}: this is a walks file (visit_date, leader, observed_score), not a "
            "survey export; import it as walks"
        )
    if file_format not in FORMATS:
        raise FileFormatError(f"unknown format {file_format!r} (one of auto, {', '.join(FORMATS)})")
    header_rows = {"qualtrics": 3, "surveymonkey": 2}.get(file_format, 1)
    legacy = file_format == "qualtrics" and _is_qualtrics_legacy(first_rows)
    if legacy:
        header_rows = 2
    if len(first_rows) < header_rows:
        raise FileFormatError(
            f"{file_name}: a {file_format} export has {header_rows} header rows; "
            f"the file has {len(first_rows)} line(s)"
        )
    width = max(len(r) for r in first_rows[:header_rows])
    headers = [r + [""] * (width - len(r)) for r in first_rows[:header_rows]]
    if file_format == "surveymonkey":
        # Matrix questions name the question once, over its first sub-column.
        question = ""
        filled = []
        for cell in headers[0]:
            question = cell or question
            filled.append(question)
        sub = headers[1]
        names = [
            (
                filled[i],
                f"{filled[i]} - {sub[i]}" if sub[i] and sub[i] != "Response" else "",
                sub[i],
            )
            for i in range(width)
        ]
        columns = [Column(i, tuple(n for n in names[i] if n) or ("",)) for i in range(width)]
    else:
        if file_format == "qualtrics" and not legacy:
            headers[2] = [_import_id(cell) for cell in headers[2]]
        columns = [
            Column(i, tuple(h[i].strip() for h in headers if h[i].strip()) or ("",))
            for i in range(width)
        ]
    if file_format == "qualtrics":
        timestamp = _first(columns, "RecordedDate", "EndDate", "Recorded Date", "End Date")
        status = _first(columns, "Status", "Response Type")
        finished = _first(columns, "Finished")
    elif file_format == "surveymonkey":
        timestamp = _first(columns, "End Date", "Start Date")
        status, finished = None, None
    elif file_format == "msforms":
        timestamp = _first(columns, "Completion time", "Start time")
        status, finished = None, None
    elif file_format == "googleforms":
        timestamp = _first(columns, "Timestamp")
        status, finished = None, None
    elif file_format == "limesurvey":
        # A response is complete once it has a submission date.
        timestamp = _first(columns, "submitdate", "Date submitted")
        status, finished = None, timestamp
    elif file_format == "kobo":
        timestamp = _first(columns, "_submission_time", "end")
        status, finished = None, None
    else:
        timestamp = _first(
            columns,
            "submitted_at",
            "submitted",
            "timestamp",
            "Submit Date (UTC)",  # Typeform
            "Submission Date",  # Jotform
            "Date Submitted",
            "completed_at",
            "completion time",
            "end date",
            "enddate",
            "recordeddate",
            "date",
            "submitted on",
            "response date",
            "time",
        )
        status = _first(columns, "status")
        # Typeform's Response Type: completed or partial. Else a status that says so
        # (Alchemer's Complete, Partial, Disqualified).
        finished = _first(
            columns, "finished", "complete", "completed", "is_complete", "Response Type"
        )
        finished = status if finished is None else finished
    meta = frozenset(c.index for c in columns if _is_meta(c)) | frozenset(
        i for i in (timestamp, status, finished) if i is not None
    )
    return SurveyLayout(
        format=file_format,
        header_rows=header_rows,
        columns=tuple(columns),
        timestamp=timestamp,
        status=status,
        finished=finished,
        finished_when_filled=file_format == "limesurvey",
        meta=meta,
    )
