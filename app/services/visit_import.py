"""`walkabout import visits`: backfilling walks from a spreadsheet, all or nothing."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session, select

from app.db import all_or_nothing
from app.ingest.header_map import require_columns
from app.ingest.row_errors import ImportRefused, RowErrors
from app.ingest.tabular import FileFormatError, iter_rows
from app.models import ConversationCreate, Department, User, Visit
from app.models.department import department_key
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.conversations import (
    conversation_signature,
    replace_conversations,
    signature_of,
)
from app.services.themes import resolve_themes

COLUMNS = (
    "visit_date",
    "department",
    "leader",
    "person_role",
    "stated_score",
    "observed_score",
    "issues",
    "unreported",
    "end_run",
    "notes",
)
TRUE_WORDS = {"true", "yes", "y", "1", "x"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


@dataclass(frozen=True)
class VisitImportResult:
    visits_created: int
    visits_replaced: int
    visits_unchanged: int
    conversations: int
    new_themes: tuple[str, ...]

    def summary(self) -> str:
        text = (
            f"visits: {self.visits_created} new, {self.visits_replaced} replaced, "
            f"{self.visits_unchanged} unchanged; {self.conversations} conversations"
        )
        if self.new_themes:
            text += f"\nnew themes added to the list: {', '.join(self.new_themes)}"
        return text


def _int(value: str) -> int | str:
    text = value.strip()
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else text


@all_or_nothing
def import_visits(
    session: Session, *, path: Path, display_name: str | None = None, actor_id: int | None = None
) -> VisitImportResult:
    """Replace the conversations of every visit the file names (date, department, leader)."""
    name = display_name or path.name
    rows = iter_rows(path, display_name=name)
    header = next(rows, None)
    if header is None:
        raise FileFormatError(f"{name}: the file is empty")
    cols = require_columns(header.cells, name, *COLUMNS[:6])
    optional = {c: i for c in COLUMNS[6:] if (i := _find(header.cells, c)) is not None}
    departments = {d.name_key: d for d in session.exec(select(Department))}
    errors = RowErrors(name)
    visits: dict[tuple[date, int, str], list[ConversationCreate]] = {}
    for row in rows:
        if not any(c.strip() for c in row.cells):
            continue
        cells = row.cells + [""] * (len(header.cells) - len(row.cells))
        record = {column: cells[index] for column, index in (cols | optional).items()}
        record.update({c: "" for c in COLUMNS if c not in record})
        get = record.__getitem__
        try:
            visit_date = date.fromisoformat(get("visit_date").strip())
        except ValueError:
            errors.add(
                row.line,
                "visit_date",
                f"{get('visit_date')!r} is not a date (YYYY-MM-DD)",
                row.sheet_row,
            )
            continue
        if visit_date > date.today():
            errors.add(row.line, "visit_date", f"{visit_date} is in the future", row.sheet_row)
            continue
        department = departments.get(department_key(get("department")))
        if department is None or department.id is None:
            errors.add(
                row.line, "department", f"unknown department {get('department')!r}", row.sheet_row
            )
            continue
        leader = " ".join(get("leader").split())
        if not leader:
            errors.add(row.line, "leader", "the leader is empty", row.sheet_row)
            continue
        end_run = get("end_run").strip().casefold()
        if end_run not in TRUE_WORDS | FALSE_WORDS:
            errors.add(
                row.line, "end_run", f"{get('end_run')!r} is not true or false", row.sheet_row
            )
            continue
        try:
            conversation = ConversationCreate.model_validate(
                {
                    "person_role": get("person_role"),
                    "stated_score": _int(get("stated_score")) or None,
                    "observed_score": _int(get("observed_score")),
                    "issues": [i.strip() for i in get("issues").split(";") if i.strip()],
                    "unreported": _int(get("unreported")) or 0,
                    "end_run": end_run in TRUE_WORDS,
                    "notes": get("notes").strip(),
                }
            )
        except ValidationError as exc:
            for problem in exc.errors():
                field = str(problem["loc"][0]) if problem["loc"] else ""
                errors.add(
                    row.line,
                    field,
                    problem["msg"].replace("Input should be", "must be"),
                    row.sheet_row,
                )
            continue
        visits.setdefault((visit_date, department.id, leader), []).append(conversation)
    if errors:
        raise ImportRefused(errors)
    all_issues = [i for convs in visits.values() for c in convs for i in c.issues]
    theme_ids, added = resolve_themes(session, names=all_issues, create_missing=True)
    leaders = {u.email: u.id for u in session.exec(select(User))}
    created = replaced = unchanged = 0
    for (visit_date, department_id, leader), conversations in visits.items():
        visit = session.exec(
            select(Visit).where(
                Visit.visit_date == visit_date,
                Visit.department_id == department_id,
                Visit.leader_name == leader,
            )
        ).first()
        if visit is None:
            visit = Visit(
                visit_date=visit_date,
                department_id=department_id,
                leader_name=leader,
                leader_id=leaders.get(leader.lower()),
                # A backfill is history: on record from its day (so it counts in its closed
                # quarter), and past the window in which a leader may edit it.
                created_at=datetime.combine(visit_date, time(12), UTC),
            )
            session.add(visit)
            session.flush()
            created += 1
        elif conversation_signature(session, visit_id=visit.id or 0) == signature_of(
            conversations, theme_ids
        ):
            unchanged += 1
            continue
        else:
            visit.updated_at = utcnow()
            session.add(visit)
            replaced += 1
        assert visit.id is not None
        replace_conversations(
            session, visit_id=visit.id, conversations=conversations, theme_ids=theme_ids
        )
    record_event(
        session,
        action="import.visits",
        actor_id=actor_id,
        detail=f"{name}: {created} new, {replaced} replaced",
    )
    session.flush()
    return VisitImportResult(
        visits_created=created,
        visits_replaced=replaced,
        visits_unchanged=unchanged,
        conversations=sum(len(c) for c in visits.values()),
        new_themes=tuple(added),
    )


def _find(header: list[str], column: str) -> int | None:
    from app.ingest.header_map import column_index

    return column_index(header, column)
