"""Which tool wrote a ticket export and which column holds what: the tools' own headers,
the options an analyst chose, and the columns a mapping may use (never text or people).

Column names follow what the tools write (see tests/data/tickets/README.md for the
sources): ServiceNow list exports, Jira Service Management CSV (Issue key, Created,
custom fields as "Custom field (Name)"), Zendesk (Id, Created at, Solved at, Organization,
Group) and Freshservice (Ticket Id, Created Date, Resolved Time, Department, Resolution
Status).
"""

import hashlib
import json
import re
from dataclasses import dataclass

from app.ingest.tabular import FileFormatError, Row, normalise_header

# What each field is called on the screen and in messages.
FIELDS = {
    "department": "department",
    "opened": "opened",
    "resolved": "resolved",
    "category": "category",
    "priority": "priority",
    "sla": "SLA met",
    "number": "ticket number",
}
REQUIRED = ("department", "opened")
FORMATS = ("servicenow", "jira", "zendesk", "freshservice", "generic")

_GENERIC = {
    "number": ("ticket_id", "ticket", "number", "id", "key"),
    "opened": ("opened_at", "opened", "created_at", "created", "date"),
    "resolved": ("resolved_at", "resolved", "solved_at", "closed_at"),
    "department": ("department", "caller_department", "requester_department"),
    "category": ("category", "theme", "type"),
    "priority": ("priority",),
    "sla": ("sla_met", "made_sla", "made sla", "within_sla", "within sla", "sla met", "sla"),
}
# Per tool, the headers it writes for each field, most specific first.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "servicenow": {
        "number": ("number",),
        "opened": ("opened_at", "opened", "sys_created_on", "created"),
        "resolved": ("resolved_at", "resolved", "closed_at", "closed"),
        "department": (
            "caller_id.department",
            "caller_id.department.name",
            "u_department",
            "caller.department",
            "department",
        ),
        "category": ("category", "u_category"),
        "priority": ("priority",),
        "sla": ("made_sla", "made sla"),
    },
    "jira": {
        "number": ("issue key", "key"),
        "opened": ("created",),
        "resolved": ("resolved", "resolution date"),
        "department": (
            "custom field (department)",
            "department",
            "custom field (organizations)",
            "organizations",
            "reporter organization",
        ),
        "category": (
            "custom field (request type)",
            "request type",
            "custom field (customer request type)",
            "customer request type",
            "issue type",
        ),
        "priority": ("priority",),
        "sla": ("custom field (sla met)", "sla met", "made sla"),
    },
    "zendesk": {
        "number": ("id", "ticket id"),
        "opened": ("created at", "created"),
        "resolved": ("solved at", "solved"),
        "department": (
            "department [list]",
            "department",
            "requester organization",
            "organization",
            "group",
        ),
        "category": ("category [list]", "category", "ticket type", "ticket form"),
        "priority": ("priority",),
        "sla": ("sla met", "sla"),
    },
    "freshservice": {
        "number": ("ticket id",),
        "opened": ("created date", "created time", "created at"),
        "resolved": ("resolved time", "resolved date", "resolved at"),
        "department": ("department", "requester department", "group"),
        "category": ("category",),
        "priority": ("priority",),
        "sla": ("resolution status",),
    },
    "generic": _GENERIC,
}
# Headers only one tool writes: the tool whose headers a file holds most of wrote it.
SIGNATURES = {
    "servicenow": {
        "opened_at",
        "made_sla",
        "caller_id",
        "caller_id.department",
        "u_department",
        "incident_state",
        "sys_created_on",
        "short_description",
        "assignment_group",
    },
    "jira": {"issue key", "issue id", "issue type", "project key", "custom field (request type)"},
    "zendesk": {"requester", "requester id", "requester domain", "solved at", "via", "submitter"},
    "freshservice": {
        "ticket id",
        "created date",
        "resolved time",
        "resolution status",
        "requester email",
        "due by time",
        "first response status",
    },
}

EMPTY = {"", "?", "-", "n/a", "na", "null", "none", "(empty)"}

# Headers that hold a ticket's text or say who raised, handled or watched it: never offered
# to a mapping and emptied in an upload kept for its preview.
_PERSONAL = re.compile(
    r"descr|summar|subject|comment|note|caller|requester|reporter|assigned|assignee|opened.?by|"
    r"resolved.?by|closed.?by|created.?by|updated.?by|e-?mail|name|phone|watcher|creator|"
    r"submitter|agent|attach|title|tag|label|work.?log|resolution.?(code|note)|text",
    re.IGNORECASE,
)
_GROUPING = re.compile(r"department|organi[sz]ation|group|location|site|office", re.IGNORECASE)
FREE_TEXT_MEAN_CHARS = 40


def is_personal(header: str) -> bool:
    """A column of text or of people (a caller's department is not: it groups people)."""
    name = header.split(".")[-1] if header.count(".") else header
    if _GROUPING.search(name):
        return False
    return bool(_PERSONAL.search(header))


@dataclass(frozen=True)
class TicketOptions:
    format: str = "auto"
    columns: tuple[tuple[str, str], ...] = ()  # (field, column) chosen by the analyst
    replace: bool = False
    skip_bad_rows: bool = False

    @classmethod
    def from_inputs(
        cls,
        *,
        format: str = "auto",
        columns: dict[str, str | None] | None = None,
        replace: bool = False,
        skip_bad_rows: bool = False,
    ) -> "TicketOptions":
        """Options from the command line, the API or the mapping form, checked."""
        if format not in ("auto", *FORMATS):
            raise FileFormatError(
                f"unknown ticket format {format!r} (use auto, {', '.join(FORMATS)})"
            )
        chosen = []
        for name, column in (columns or {}).items():
            if name not in FIELDS:
                raise FileFormatError(f"unknown ticket field {name!r}")
            if column and column.strip():
                chosen.append((name, column.strip()))
        return cls(format, tuple(sorted(chosen)), replace, skip_bad_rows)

    def digest(self) -> str:
        """What the file is read with: the same file read otherwise is imported again."""
        material = json.dumps([self.format, list(self.columns)])
        return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class TicketLayout:
    format: str
    header: list[str]
    columns: dict[str, int]  # field -> position

    def column_name(self, name: str) -> str | None:
        index = self.columns.get(name)
        return None if index is None else self.header[index]


def detect_format(header: list[str]) -> str:
    """The tool whose own headers the file holds most of (two at least), else generic."""
    keys = {normalise_header(h) for h in header}
    scores = {
        tool: len(keys & {normalise_header(s) for s in signature})
        for tool, signature in SIGNATURES.items()
    }
    best = max(scores, key=lambda tool: scores[tool])
    return best if scores[best] >= 2 else "generic"


def _find(header: list[str], names: tuple[str, ...], taken: set[int]) -> int | None:
    keys = [normalise_header(h) for h in header]
    for name in names:
        key = normalise_header(name)
        for index, found in enumerate(keys):
            if found == key and index not in taken:
                return index
    return None


def detect_columns(header: list[str], options: TicketOptions, file_name: str) -> TicketLayout:
    """Which column holds each field: the analyst's choice, else the tool's own name; a
    field found nowhere is left out (the mapping step shows what was found)."""
    tool = detect_format(header) if options.format == "auto" else options.format
    chosen = dict(options.columns)
    columns: dict[str, int] = {}
    for name in FIELDS:
        if name in chosen:
            index = _find(header, (chosen[name],), set())
            if index is None:
                raise FileFormatError(
                    f"{file_name}: no column {chosen[name]!r} for the {FIELDS[name]} "
                    f"(found: {', '.join(h for h in header if h) or 'none'})"
                )
        else:
            index = _find(header, COLUMNS[tool][name], set(columns.values()))
            if index is None and tool != "generic":
                index = _find(header, _GENERIC[name], set(columns.values()))
            if index is None and name == "department":
                index = next(
                    (i for i, h in enumerate(header) if "department" in h.casefold()), None
                )
        if index is not None and name != "number" and is_personal(header[index]):
            if name in chosen:
                raise FileFormatError(
                    f"{file_name}: the column {header[index]!r} holds text or people's names; "
                    f"it cannot be the {FIELDS[name]}"
                )
            index = None
        if index is not None:
            columns[name] = index
    return TicketLayout(tool, header, columns)


def missing_fields(layout: TicketLayout) -> list[str]:
    """The fields an import needs that no column holds, as the screen names them."""
    return [FIELDS[n] for n in REQUIRED if n not in layout.columns]


def plan_columns(header: list[str], options: TicketOptions, file_name: str) -> TicketLayout:
    """The columns to import from; refuses a file where a needed field has none."""
    layout = detect_columns(header, options, file_name)
    missing = missing_fields(layout)
    if missing:
        raise FileFormatError(
            f"{file_name}: line 1: no column for the {' or the '.join(missing)} "
            f"(read as {layout.format}; found: {', '.join(h for h in header if h) or 'none'}); "
            "choose the column"
        )
    return layout


def cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    text = cells[index].strip()
    return "" if text.casefold() in EMPTY else text


def offered_columns(header: list[str], sample: list[Row]) -> list[int]:
    """The columns a mapping may use: not text, not people, not free text (by the sample)."""
    offered = []
    for index, name in enumerate(header):
        if not name.strip() or is_personal(name):
            continue
        values = [v for r in sample if (v := cell(r.cells, index))]
        mean = sum(len(v) for v in values) / len(values) if values else 0
        if mean > FREE_TEXT_MEAN_CHARS:
            continue
        offered.append(index)
    return offered
