"""The bias report for a survey round: built from the database, written as JSON/CSV/HTML."""

import csv
import hashlib
import io
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from analysis.report import Report, build_report
from analysis.suppression import published_quarter_end
from app.models import (
    Conversation,
    Department,
    ReportCache,
    Survey,
    TicketCategory,
    TicketExport,
    User,
    Visit,
)
from app.models.types import utcnow
from app.services.report_frames import load_desk_frames, load_report_frames
from app.services.survey_publishing import sees_drafts
from app.services.surveys import get_survey

CSV_COLUMNS = (
    "department",
    "division",
    "headcount",
    "responses",
    "partials",
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    "suppressed",
    "suppressed_reason",
    "survey_score",
    "survey_score_low",
    "survey_score_high",
    "early_score",
    "late_score",
    "visits",
    "conversations",
    "last_visit",
    "observed_score",
    "stated_score",
    "gap",
    "flags",
    # Added after the first release, at the end so scripts reading by position still work.
    "rated",
    "observed_suppressed_reason",
    "conversations_needed",
    "walk_value",
    "tickets",
    "tickets_per_100",
    "sla_met",
    "median_resolution_hours",
)


def sees_closed_quarters(user: User) -> bool:
    """Executives read conversations only over closed quarters (no two of their reports
    subtract to fewer than k people); analysts read coded conversations (contract)."""
    return user.role == "executive"


def survey_report(
    session: Session,
    *,
    survey: str,
    as_of: date | None,
    min_group_size: int,
    closed_quarters: bool = False,
    published_only: bool = False,
) -> Report:
    """The report for the named survey round, as of a date (default today); with
    `closed_quarters`, as an executive sees it (analysis.report.build_report)."""
    found = get_survey(session, name=survey, published_only=published_only)
    assert found.id is not None
    frames = load_report_frames(session, survey_id=found.id)
    desk = load_desk_frames(session, survey=found)
    return build_report(
        found.name,
        frames.departments,
        frames.responses,
        frames.answers,
        frames.conversations,
        as_of=as_of or date.today(),
        min_group_size=min_group_size,
        closed_quarters=closed_quarters,
        tickets=desk.tickets if desk else None,
        tickets_period=desk.period if desk else None,
        themes=desk.themes if desk else None,
    )


def neutralise_cell(value: Any) -> Any:
    """Cells starting with = + - @ (or tab/CR) are read as formulas by spreadsheets: defuse."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_csv(report: dict[str, Any]) -> str:
    """The department rows flat, flags joined by ';', formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["departments"]:
        rate_ci = row["response_rate_ci"] or [None, None]
        score_ci = row["survey_score_ci"] or [None, None]
        flat = {
            **row,
            "response_rate_low": rate_ci[0],
            "response_rate_high": rate_ci[1],
            "survey_score_low": score_ci[0],
            "survey_score_high": score_ci[1],
            "flags": ";".join(f["code"] for f in row["flags"]),
        }
        writer.writerow(
            [neutralise_cell("" if flat.get(c) is None else flat.get(c)) for c in CSV_COLUMNS]
        )
    return buffer.getvalue()


def filter_rows(
    rows: list[dict[str, Any]],
    *,
    flag: str | None,
    division: str | None,
    text: str | None,
    sort: str,
) -> list[dict[str, Any]]:
    """The report's department rows narrowed and ordered as the analyst asked."""
    if flag:
        rows = [r for r in rows if any(f["code"] == flag for f in r["flags"])]
    if division:
        rows = [r for r in rows if r["division"] == division]
    if text:
        needle = text.casefold()
        rows = [r for r in rows if needle in r["department"].casefold()]
    if sort == "flags":
        return sorted(rows, key=lambda r: (-len(r["flags"]), r["department"]))
    if sort in ("response_rate", "survey_score", "gap"):
        # Hidden or missing values go last; lowest rate/score first, largest gap first.
        sign = -1 if sort == "gap" else 1
        return sorted(rows, key=lambda r: (r[sort] is None, sign * (r[sort] or 0), r["department"]))
    if sort == "division":
        return sorted(rows, key=lambda r: (r["division"] or "~", r["department"]))
    return sorted(rows, key=lambda r: r["department"].casefold())


def rows_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Any list of records as CSV, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [neutralise_cell("" if row.get(c) is None else row.get(c)) for c in columns]
        )
    return buffer.getvalue()


def _fingerprint(
    session: Session, *, survey: Survey, as_of: date, min_group_size: int, closed_quarters: bool
) -> str:
    """Everything a report depends on: the round's import, the walks, the directory."""
    walks = session.exec(
        select(func.count(col(Visit.id)), func.max(col(Visit.id)), func.max(col(Visit.updated_at)))
    ).one()
    conversations = session.exec(
        select(func.count(col(Conversation.id)), func.max(col(Conversation.id)))
    ).one()
    directory = session.exec(
        select(Department.id, Department.name, Department.division).order_by(col(Department.id))
    ).all()
    desk = session.exec(
        select(TicketExport.id, TicketExport.imported_at).order_by(col(TicketExport.id))
    ).all()
    categories = session.exec(
        select(TicketCategory.id, TicketCategory.theme_id).order_by(col(TicketCategory.id))
    ).all()
    rounds = session.exec(
        select(col(Survey.id), col(Survey.round_date)).order_by(col(Survey.id))
    ).all()
    material = json.dumps(
        [
            survey.id,
            survey.imported_at.isoformat(),
            as_of.isoformat(),
            min_group_size,
            closed_quarters,
            [str(v) for v in walks],
            list(conversations),
            [list(d) for d in directory],
            [list(d) for d in desk],
            [list(c) for c in categories],
            [list(r) for r in rounds],
        ],
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def report_for(
    session: Session, *, user: User, survey: str, as_of: date | None, min_group_size: int
) -> dict[str, Any]:
    """The report as `user` may read it: an executive's over closed quarters and never a
    draft round (see `cached_report`)."""
    return cached_report(
        session,
        survey=survey,
        as_of=as_of,
        min_group_size=min_group_size,
        closed_quarters=sees_closed_quarters(user),
        published_only=not sees_drafts(user.role),
    )


def cached_report(
    session: Session,
    *,
    survey: str,
    as_of: date | None,
    min_group_size: int,
    closed_quarters: bool = False,
    published_only: bool = False,
) -> dict[str, Any]:
    """The report as JSON-ready data, worked out once per state of the data and kept in the
    database, so every worker answers the next request from it; with `published_only` a
    draft round is not found."""
    found = get_survey(session, name=survey, published_only=published_only)
    assert found.id is not None
    day = as_of or date.today()
    # An executive's report is the same all the while one quarter is the last published one.
    when = published_quarter_end(day) if closed_quarters else day
    key = _fingerprint(
        session,
        survey=found,
        as_of=when,
        min_group_size=min_group_size,
        closed_quarters=closed_quarters,
    )
    hit = session.get(ReportCache, key)
    if hit is not None:
        return json.loads(hit.payload)  # type: ignore[no-any-return]
    report = survey_report(
        session,
        survey=survey,
        as_of=day,
        min_group_size=min_group_size,
        closed_quarters=closed_quarters,
    ).to_dict()
    session.execute(
        delete(ReportCache).where(
            col(ReportCache.survey_id) == found.id,
            col(ReportCache.created_at) < utcnow() - timedelta(days=1),
        )
    )
    # Another worker may have stored the same report meanwhile: the first one stays.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(ReportCache)
        .values(key=key, survey_id=found.id, payload=json.dumps(report), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return report
