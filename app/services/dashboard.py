"""The executive dashboard: heatmaps, trend, coverage and where to walk next."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from analysis.suppression import published_quarter_end, quarters_window_start
from app.models import Action, Conversation, ConversationTheme, Department, Theme, Visit
from app.services.conversation_counts import conversation_counts
from app.services.conversations import heard_between
from app.services.heatmaps import Heatmap, dashboard_heatmap
from app.services.reports import cached_report
from app.services.surveys import list_surveys

COVERAGE_DAYS = 90
THEME_WINDOW_DAYS = 365


@dataclass(frozen=True)
class WalkSuggestion:
    department: str
    points: float
    reasons: tuple[str, ...]


@dataclass
class Dashboard:
    survey: str
    surveys: list[str]
    report: dict[str, Any]
    heatmap: Heatmap
    themes: dict[str, Any]
    trend: list[dict[str, Any]]
    rounds: list[dict[str, Any]]
    coverage: dict[str, Any]
    service: dict[str, Any] = field(default_factory=dict)
    next_walks: list[WalkSuggestion] = field(default_factory=list)

    @property
    def trend_chart(self) -> dict[str, Any]:
        """What the trend chart draws: the rounds, the organisation's raw, adjusted and
        observed scores, and each department's raw and adjusted (null where hidden)."""
        return {
            "rounds": [r["survey"] for r in self.rounds],
            "organisation": {
                key: [r[key] for r in self.rounds]
                for key in ("survey_score", "adjusted_score", "observed_score")
            },
            "departments": [
                {
                    "name": t["department"],
                    "survey_score": t["scores"],
                    "adjusted_score": t["adjusted"],
                }
                for t in self.trend
            ],
        }


def _theme_matrix(
    session: Session,
    *,
    departments: list[str],
    k: int,
    today: date,
    since: date,
    closed_quarters: bool,
) -> dict[str, Any]:
    """Departments x themes: how many conversations raised each, only where a department
    had at least k conversations (coded themes reach executives only then)."""
    totals = dict(
        session.exec(
            select(Department.name, func.count(col(Conversation.id)))
            .join(Visit, col(Visit.department_id) == Department.id)
            .join(Conversation, col(Conversation.visit_id) == Visit.id)
            .where(heard_between(since, today, closed_quarters=closed_quarters))
            .group_by(col(Department.name))
        ).all()
    )
    rows = session.exec(
        select(Department.name, Theme.name, func.count())
        .join(Visit, col(Visit.department_id) == Department.id)
        .join(Conversation, col(Conversation.visit_id) == Visit.id)
        .join(ConversationTheme, col(ConversationTheme.conversation_id) == Conversation.id)
        .join(Theme, col(Theme.id) == ConversationTheme.theme_id)
        .where(heard_between(since, today, closed_quarters=closed_quarters))
        .group_by(col(Department.name), col(Theme.name))
    ).all()
    themes = sorted({theme for _, theme, _ in rows})
    counts = {(d, t): n for d, t, n in rows}
    shown = [d for d in departments if totals.get(d, 0) >= k]
    z = [[counts.get((d, t), 0) for t in themes] for d in shown]
    return {
        "departments": shown,
        "themes": themes,
        "z": z,
        "conversations": [totals.get(d, 0) for d in shown],
    }


def _coverage(session: Session, *, today: date) -> dict[str, Any]:
    since = today - timedelta(days=COVERAGE_DAYS)
    by_department = dict(
        session.exec(
            select(Department.name, func.count(col(Visit.id)))
            .join(Visit, col(Visit.department_id) == Department.id)
            .where(Visit.visit_date >= since, Visit.visit_date <= today)
            .group_by(col(Department.name))
        ).all()
    )
    by_leader = session.exec(
        select(Visit.leader_name, func.count())
        .where(Visit.visit_date >= since, Visit.visit_date <= today)
        .group_by(col(Visit.leader_name))
        .order_by(func.count().desc())
    ).all()
    last = dict(
        session.exec(
            select(Department.name, func.max(Visit.visit_date))
            .join(Visit, col(Visit.department_id) == Department.id, isouter=True)
            .group_by(col(Department.name))
        ).all()
    )
    open_actions = session.exec(
        select(Department.name, col(Action.due_date))
        .join(Visit, col(Visit.id) == Action.visit_id)
        .join(Department, col(Department.id) == Visit.department_id)
        .where(col(Action.status).in_(("open", "in_progress")))
    ).all()
    overdue: dict[str, int] = {}
    for name, due in open_actions:
        if due is not None and due < today:
            overdue[name] = overdue.get(name, 0) + 1
    not_recent = sorted(
        ((name, seen) for name, seen in last.items() if seen is None or seen < since),
        key=lambda item: (item[1] is not None, item[1] or date.min),
    )
    return {
        "walks_by_department": by_department,
        "walks_by_leader": list(by_leader),
        "last_visit": last,
        "not_recent": not_recent,
        "open_actions": len(open_actions),
        "overdue_actions": sum(overdue.values()),
        "overdue_by_department": overdue,
    }


def where_to_walk(
    report: dict[str, Any], coverage: dict[str, Any], *, today: date
) -> list[WalkSuggestion]:
    """Departments ranked by what a walk would teach (the report's `walk_value`: how much a
    walk would lower the chance of a wrong call about the department, in people), then by
    low response, time since the last walk and overdue actions, each with its reasons."""
    org_rate = report["overall"].get("response_rate") or 0
    suggestions = []
    for row in report["departments"]:
        value = row.get("walk_value") or 0.0
        points, reasons = 10 * value, []
        needed = row.get("conversations_needed")
        if needed:
            reasons.append(
                f"about {needed} more conversation{'s' if needed != 1 else ''} would tell "
                "whether the survey reads rosier than what is seen"
            )
        elif value >= 0.5:
            reasons.append("a walk would teach more here: survey and what is seen are unsettled")
        rate = row.get("response_rate")
        if rate is not None and rate < org_rate - 0.05:
            points += (org_rate - rate) * 100
            reasons.append(f"only {rate * 100:.0f}% answered (organisation {org_rate * 100:.0f}%)")
        seen = coverage["last_visit"].get(row["department"])
        days = (today - seen).days if seen else None
        if days is None:
            points += 40
            reasons.append("never walked")
        elif days > COVERAGE_DAYS:
            points += min(days, 365) / 10
            reasons.append(f"last walked {days} days ago")
        overdue = coverage["overdue_by_department"].get(row["department"], 0)
        if overdue:
            points += 10 * overdue
            reasons.append(f"{overdue} overdue action{'s' if overdue != 1 else ''}")
        if reasons:
            suggestions.append(WalkSuggestion(row["department"], round(points, 1), tuple(reasons)))
    return sorted(suggestions, key=lambda s: -s.points)


def heard_window(today: date, *, closed_quarters: bool) -> tuple[date, date]:
    """The first and last day what leaders heard counts over: the year up to `today`, or for
    executives the four closed, final quarters the report stands on (its window and rule)."""
    if closed_quarters:
        end = published_quarter_end(today)
        return quarters_window_start(end), end
    return today - timedelta(days=THEME_WINDOW_DAYS), today


def build_dashboard(
    session: Session,
    *,
    survey: str | None,
    min_group_size: int,
    relative: bool = True,
    sort: str = "division",
    today: date | None = None,
    closed_quarters: bool = False,
    published_only: bool = False,
) -> Dashboard | None:
    """Everything the dashboard shows for one round (the newest when none is named); with
    `closed_quarters` (executives) as it stood at the end of the last closed quarter."""
    rounds = list_surveys(session, published_only=published_only)
    if not rounds:
        return None
    chosen = next((s for s in rounds if s.name == survey), rounds[0])
    day = today or date.today()
    since, today = heard_window(day, closed_quarters=closed_quarters)
    report = cached_report(
        session,
        survey=chosen.name,
        as_of=day,  # the day looked from: the report finds its own last published quarter
        min_group_size=min_group_size,
        closed_quarters=closed_quarters,
    )
    report["departments"] = _sorted(report["departments"], sort)
    heatmap = dashboard_heatmap(report, relative=relative)
    history = []
    for past in sorted(rounds, key=lambda s: (s.round_date, s.id or 0)):
        past_report = (
            report
            if past.name == chosen.name
            else cached_report(
                session,
                survey=past.name,
                as_of=today,
                min_group_size=min_group_size,
                closed_quarters=closed_quarters,
            )
        )
        history.append((past, past_report))
    trend = _trend(history, [d["department"] for d in report["departments"]])
    heard = [d["department"] for d in report["departments"]]
    if closed_quarters:
        # The report's rule: only departments whose every quarter held none or at least k
        # conversations show what was heard there.
        heard = [d["department"] for d in report["departments"] if d["observed_score"] is not None]
    coverage = _coverage(session, today=today)
    return Dashboard(
        survey=chosen.name,
        surveys=[s.name for s in rounds],
        report=report,
        heatmap=heatmap,
        themes=_theme_matrix(
            session,
            departments=heard,
            k=min_group_size,
            today=today,
            since=since,
            closed_quarters=closed_quarters,
        ),
        trend=trend,
        rounds=[
            {
                "survey": s.name,
                "date": s.round_date.isoformat(),
                "survey_score": r["overall"]["survey_score"],
                "adjusted_score": r["overall"]["adjusted_score"],
                "observed_score": r["overall"]["observed_score"],
                "response_rate": r["overall"]["response_rate"],
            }
            for s, r in history
        ],
        coverage=coverage,
        service=conversation_counts(
            session,
            min_group_size=min_group_size,
            today=today,
            since=since if closed_quarters else None,
            only=set(heard) if closed_quarters else None,
            closed_quarters=closed_quarters,
        ),
        next_walks=where_to_walk(report, coverage, today=today)[:8],
    )


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "gap":
        return sorted(rows, key=lambda r: (r["gap"] is None, -(r["gap"] or 0), r["department"]))
    if sort == "size":
        return sorted(rows, key=lambda r: (-r["headcount"], r["department"]))
    return sorted(rows, key=lambda r: (r.get("division") or "~", r["department"]))


def _adjusted(row: dict[str, Any]) -> float | None:
    """A department's score if everyone had answered, as the report adjusts the whole: those
    who did not answer stand in as what leaders observed there (only where both are shown)."""
    survey, observed, rate = row["survey_score"], row["observed_score"], row["response_rate"]
    if survey is None or observed is None or rate is None:
        return None
    rate = min(rate, 1.0)
    return round(rate * survey + (1 - rate) * observed, 1)


def _trend(
    history: list[tuple[Any, dict[str, Any]]], departments: list[str]
) -> list[dict[str, Any]]:
    """Each department's shown score per round (and its adjusted score), with the change from
    the previous and the first round where both are shown."""
    rows_by_round = {s.name: {d["department"]: d for d in r["departments"]} for s, r in history}
    names = [s.name for s, _ in history]
    rows = []
    for department in departments:
        found = [rows_by_round[name].get(department) for name in names]
        values = [row["survey_score"] if row else None for row in found]
        shown = [v for v in values if v is not None]
        rows.append(
            {
                "department": department,
                "scores": values,
                "adjusted": [_adjusted(row) if row else None for row in found],
                "vs_previous": round(values[-1] - values[-2], 1)
                if len(values) > 1 and values[-1] is not None and values[-2] is not None
                else None,
                "vs_first": round(values[-1] - shown[0], 1)
                if len(shown) > 1 and values[-1] is not None
                else None,
            }
        )
    return rows
