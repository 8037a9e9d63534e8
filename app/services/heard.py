"""Who the walks have heard, and who not: conversations per department against its share of
the people, the roles heard against the roles the department list names, and how
representative the walks are: the R-indicator of Schouten, Cobben and Bethlehem (2009),
as the report gives it for the survey, with conversations in place of responses, and the
coefficient of variation of those propensities (S over their mean), which, unlike R, does
not sit near 1 whenever few people are heard (Schouten, Cobben, Lundquist and Wagner 2016).

Executives see the four closed quarters their report stands on (fixed periods, logged in
time: no two of their views differ by one walk); the others see the last 365 days."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from analysis.stats import r_indicator
from analysis.suppression import (
    LATE_LOGGING_DAYS,
    published_quarter_end,
    quarter_end_of,
    quarters_window_start,
)
from app.models import Conversation, Department, User, Visit
from app.services.reports import sees_closed_quarters

FEW_HEARD = 0.5  # a department's share of conversations below half its share of people


def role_key(role: str) -> str:
    return " ".join(role.casefold().split())


def listed_roles(text: str | None) -> list[str]:
    """The roles a department list names for a department (separated by ; | or ,)."""
    if not text:
        return []
    for separator in "|,":
        text = text.replace(separator, ";")
    return list(dict.fromkeys(r.strip() for r in text.split(";") if r.strip()))


@dataclass
class DepartmentHeard:
    name: str
    headcount: int
    conversations: int = 0
    roles: list[str] = field(default_factory=list)  # as the department list names them
    unheard: list[str] = field(default_factory=list)  # of those, the ones no one was heard in
    people_share: float = 0.0
    conversation_share: float = 0.0


@dataclass(frozen=True)
class Heard:
    since: date
    until: date
    departments: list[DepartmentHeard]
    r_indicator: float | None
    variation: float | None  # S(rho) / mean(rho); 0 when every department is heard alike
    gaps: list[str]


def _window(user: User, today: date) -> tuple[date, date, bool]:
    if sees_closed_quarters(user):
        until = published_quarter_end(today)
        return quarters_window_start(until), until, True
    return today - timedelta(days=364), today, False


def who_was_heard(session: Session, *, user: User, today: date) -> Heard:
    """Conversations and roles heard per department over the user's window, with the gaps."""
    since, until, on_record_only = _window(user, today)
    departments = {
        int(d.id or 0): DepartmentHeard(d.name, d.headcount, roles=listed_roles(d.roles))
        for d in session.exec(select(Department).order_by(col(Department.name)))
    }
    heard_roles: dict[int, set[str]] = defaultdict(set)
    rows = session.exec(
        select(
            col(Visit.department_id),
            col(Visit.visit_date),
            col(Visit.created_at),
            col(Conversation.person_role),
        )
        .join(Conversation, col(Conversation.visit_id) == Visit.id)
        .where(col(Visit.visit_date) >= since, col(Visit.visit_date) <= until)
    )
    for department_id, visit_date, created_at, person_role in rows:
        logged_by = quarter_end_of(visit_date) + timedelta(days=LATE_LOGGING_DAYS)
        if on_record_only and created_at.date() > logged_by:
            continue  # logged too late to count in a published quarter
        if department_id in departments:
            departments[department_id].conversations += 1
            heard_roles[department_id].add(role_key(person_role))
    people = sum(d.headcount for d in departments.values())
    conversations = sum(d.conversations for d in departments.values())
    gaps = []
    for department_id, d in departments.items():
        d.people_share = d.headcount / people if people else 0.0
        d.conversation_share = d.conversations / conversations if conversations else 0.0
        d.unheard = [r for r in d.roles if role_key(r) not in heard_roles[department_id]]
        if d.headcount == 0:
            continue
        if d.conversations == 0:
            gaps.append(f"No one heard in {d.name} in this period ({d.headcount} people).")
            continue
        if conversations and d.conversation_share < FEW_HEARD * d.people_share:
            gaps.append(
                f"{d.name}: {d.conversation_share:.0%} of conversations for "
                f"{d.people_share:.0%} of the people."
            )
        if d.unheard:
            gaps.append(f"{d.name}: no {_or(d.unheard)} heard in this period.")
    listed = list(departments.values())
    r = r_indicator([d.headcount for d in listed], [d.conversations for d in listed])
    if r is None or conversations == 0:
        return Heard(since, until, listed, None, None, gaps)
    mean = sum(min(d.conversations, d.headcount) for d in listed) / people
    return Heard(since, until, listed, r, (1 - r) / 2 / mean, gaps)


def _or(roles: list[str]) -> str:
    return roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " or " + roles[-1]
