"""The department directory: listing and importing departments.csv."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.db import all_or_nothing
from app.ingest.header_map import column_index, require_columns
from app.ingest.row_errors import ImportRefused, RowErrors
from app.ingest.tabular import FileFormatError, iter_rows
from app.models import Department, User, Visit
from app.models.department import department_key
from app.services.audit import record_event
from app.services.heard import listed_roles


@dataclass(frozen=True)
class DepartmentImportResult:
    created: int
    updated: int
    unchanged: int


def list_departments(session: Session) -> list[Department]:
    """All departments, by name."""
    return list(session.exec(select(Department).order_by(Department.name)))  # type: ignore[arg-type]


def departments_by_key(session: Session) -> dict[str, Department]:
    """Departments keyed by their case- and space-insensitive name."""
    return {d.name_key: d for d in session.exec(select(Department))}


@all_or_nothing
def import_departments(
    session: Session, *, path: Path, display_name: str | None = None, actor_id: int | None = None
) -> DepartmentImportResult:
    """Upsert departments by name from a CSV/XLSX file, all or nothing."""
    name = display_name or path.name
    rows = iter_rows(path, display_name=name)
    header = next(rows, None)
    if header is None:
        raise FileFormatError(f"{name}: the file is empty")
    cols = require_columns(header.cells, name, "department", "headcount")
    division_col = column_index(header.cells, "division")
    roles_col = column_index(header.cells, "roles")  # optional: a file without keeps them
    errors = RowErrors(name)
    parsed: dict[str, tuple[str, int, str | None, str | None]] = {}
    for row in rows:
        if not any(c.strip() for c in row.cells):
            continue
        cells = row.cells + [""] * (len(header.cells) - len(row.cells))
        dept = " ".join(cells[cols["department"]].split())
        raw_headcount = cells[cols["headcount"]].strip()
        division = cells[division_col].strip() if division_col is not None else None
        roles = "; ".join(listed_roles(cells[roles_col])) if roles_col is not None else None
        if not dept:
            errors.add(row.line, "department", "the department name is empty", row.sheet_row)
            continue
        if len(dept) > 200:
            errors.add(
                row.line, "department", "the name is longer than 200 characters", row.sheet_row
            )
            continue
        try:
            headcount = int(float(raw_headcount.replace(",", ""))) if raw_headcount else -1
            if headcount < 0 or float(raw_headcount.replace(",", "")) != headcount:
                raise ValueError
        except ValueError:
            errors.add(
                row.line, "headcount", f"{raw_headcount!r} is not a whole number ≥ 0", row.sheet_row
            )
            continue
        if roles is not None and len(roles) > 1000:
            errors.add(row.line, "roles", "longer than 1000 characters", row.sheet_row)
            continue
        key = department_key(dept)
        if key in parsed:
            errors.add(row.line, "department", f"{dept!r} appears twice in the file", row.sheet_row)
            continue
        parsed[key] = (dept, headcount, (division or None) and division[:200], roles)
    if errors:
        raise ImportRefused(errors)
    existing = departments_by_key(session)
    created = updated = unchanged = 0
    for key, (dept, headcount, division, roles) in parsed.items():
        current = existing.get(key)
        if current is None:
            session.add(
                Department(
                    name=dept,
                    name_key=key,
                    headcount=headcount,
                    division=division,
                    roles=roles or None,
                )
            )
            created += 1
            continue
        kept_roles = current.roles if roles is None else (roles or None)
        now = (current.name, current.headcount, current.division, current.roles)
        if now == (dept, headcount, division, kept_roles):
            unchanged += 1
        else:
            current.name, current.headcount, current.division = dept, headcount, division
            current.roles = kept_roles
            session.add(current)
            updated += 1
    record_event(
        session,
        action="import.departments",
        actor_id=actor_id,
        detail=f"{name}: {created} new, {updated} updated",
    )
    session.flush()
    return DepartmentImportResult(created=created, updated=updated, unchanged=unchanged)


DUE_AFTER_DAYS = 90


@dataclass(frozen=True)
class DueDepartment:
    name: str
    last_visit: date | None

    @property
    def days(self) -> int | None:
        return (date.today() - self.last_visit).days if self.last_visit else None


def add_departments(
    session: Session, *, departments: tuple[tuple[str, int], ...], actor_id: int | None = None
) -> int:
    """Add departments by name and headcount (those already in the directory are left as
    they are); returns how many were added."""
    existing = departments_by_key(session)
    added = 0
    for raw, headcount in departments:
        name = " ".join(raw.split())
        if not name or headcount < 0 or department_key(name) in existing:
            continue
        department = Department(name=name, name_key=department_key(name), headcount=headcount)
        session.add(department)
        existing[department.name_key] = department
        added += 1
    if added:
        record_event(
            session,
            action="departments.add",
            actor_id=actor_id,
            detail=", ".join(f"{n} ({h})" for n, h in departments),
        )
        session.flush()
    return added


def _for_form() -> Any:
    walked = (
        sa_select(col(Visit.department_id), func.max(Visit.visit_date).label("last"))
        .where(col(Visit.leader_id) == bindparam("leader"))
        .group_by(col(Visit.department_id))
        .subquery()
    )
    return (
        sa_select(col(Department.name))
        .outerjoin(walked, walked.c.department_id == Department.id)
        .order_by(walked.c["last"].is_(None), walked.c["last"].desc(), col(Department.name))
    )


_FOR_FORM = _for_form()  # built once: see visits._SUMMARIES


def departments_for_form(session: Session, *, user: User) -> list[str]:
    """Department names, the ones this leader walked most recently first, then the rest by
    name (one query)."""
    return list(session.connection().execute(_FOR_FORM, {"leader": user.id}).scalars())


def _due() -> Any:
    # One index seek per department (ix_visits_department_id_visit_date), not a scan of
    # every walk; names and dates only, no ORM objects.
    last_walk = (
        sa_select(func.max(Visit.visit_date))
        .where(col(Visit.department_id) == col(Department.id))
        .correlate(Department)
        .scalar_subquery()
    )
    listed = sa_select(col(Department.name).label("name"), last_walk.label("last")).subquery()
    return (
        sa_select(listed.c.name, listed.c.last, func.count().over())
        .where(or_(listed.c.last.is_(None), listed.c.last < bindparam("cutoff")))
        .order_by(listed.c.last.is_not(None), listed.c.last, listed.c.name)
        .limit(bindparam("limit"))
    )


_DUE = _due()  # built once: see visits._SUMMARIES


def departments_due(
    session: Session, *, limit: int, today: date | None = None
) -> tuple[list[DueDepartment], int]:
    """The `limit` departments with no walk in the last 90 days that have waited longest
    (never walked first), and how many are due in all.

    The database filters, sorts and counts: on SQLite each result row handed to Python is a
    step that releases and retakes the GIL, and returning every department to sort here
    held the walk list to 160 requests a second under 32 connections (175 this way)."""
    cutoff = (today or date.today()) - timedelta(days=DUE_AFTER_DAYS)
    rows = session.connection().execute(_DUE, {"cutoff": cutoff, "limit": limit}).all()
    return [DueDepartment(name, last) for name, last, _ in rows], (rows[0][2] if rows else 0)
