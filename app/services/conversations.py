"""Writing a visit's conversations, shared by the walk form, the API and the backfill; and
which walks count over a window."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, distinct, func, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from analysis.suppression import LATE_LOGGING_DAYS, quarter_end_of
from app.models import Conversation, ConversationCreate, ConversationTheme, User, Visit
from app.models.department import department_key as theme_key


def replace_conversations(
    session: Session,
    *,
    visit_id: int,
    conversations: list[ConversationCreate],
    theme_ids: dict[str, int],
    catalogue_ids: dict[str, int] | None = None,
    new_visit: bool = False,
) -> None:
    """Swap a visit's conversations for these (themes and services already resolved to ids);
    a visit created in this transaction has none to remove."""
    if not new_visit:
        old = select(Conversation.id).where(Conversation.visit_id == visit_id)
        session.execute(
            delete(ConversationTheme).where(col(ConversationTheme.conversation_id).in_(old))
        )
        session.execute(delete(Conversation).where(col(Conversation.visit_id) == visit_id))
    for position, item in enumerate(conversations):
        row = Conversation(
            visit_id=visit_id,
            position=position,
            person_role=item.person_role,
            stated_score=item.stated_score,
            observed_score=item.observed_score,
            unreported=item.unreported,
            end_run=item.end_run,
            notes=item.notes,
            expectation_mismatch=item.expectation_mismatch,
            expected=item.expected,
            service_id=(catalogue_ids or {}).get(theme_key(item.service)) if item.service else None,
            teaching=item.teaching,
            taught_people=item.taught_people,
        )
        session.add(row)
        themes = {
            theme_ids[theme_key(name)] for name in item.issues if theme_key(name) in theme_ids
        }
        if themes:
            session.flush()  # the row's id, for its theme links
            session.execute(
                insert(ConversationTheme),
                [{"conversation_id": row.id, "theme_id": t} for t in sorted(themes)],
            )


def conversation_signature(session: Session, *, visit_id: int) -> list[tuple[object, ...]]:
    """A visit's conversations as comparable tuples (to tell an unchanged re-import)."""
    rows = session.exec(
        select(Conversation)
        .where(Conversation.visit_id == visit_id)
        .order_by(col(Conversation.position))
    ).all()
    theme_rows = session.exec(
        select(ConversationTheme).where(
            col(ConversationTheme.conversation_id).in_([r.id for r in rows])
        )
    ).all()
    themes: dict[int, set[int]] = {}
    for link in theme_rows:
        themes.setdefault(link.conversation_id, set()).add(link.theme_id)
    return [
        (
            r.person_role,
            r.stated_score,
            r.observed_score,
            r.unreported,
            r.end_run,
            r.notes,
            tuple(sorted(themes.get(r.id or 0, set()))),
        )
        for r in rows
    ]


def signature_of(
    conversations: list[ConversationCreate], theme_ids: dict[str, int]
) -> list[tuple[object, ...]]:
    """The same tuples for conversations about to be written."""
    return [
        (
            c.person_role,
            c.stated_score,
            c.observed_score,
            c.unreported,
            c.end_run,
            c.notes,
            tuple(sorted({theme_ids[theme_key(n)] for n in c.issues if theme_key(n) in theme_ids})),
        )
        for c in conversations
    ]


ROLE_SAMPLE = 2000


def _role_counts() -> Any:
    recent = (
        sa_select(col(Conversation.person_role).label("role"), col(Visit.leader_id).label("by"))
        .join(Visit, col(Visit.id) == col(Conversation.visit_id))
        .order_by(col(Conversation.id).desc())
        .limit(ROLE_SAMPLE)
        .subquery()
    )
    mine = func.max(case((recent.c.by == bindparam("leader"), 1), else_=0))
    return (
        sa_select(recent.c.role, func.count())
        .group_by(recent.c.role)
        .having(or_(func.count(distinct(recent.c.by)) >= 2, mine == 1))
        .order_by(func.count().desc(), recent.c.role)
        .limit(30)
    )


_ROLE_COUNTS = _role_counts()  # built once: see visits._SUMMARIES


def role_suggestions(session: Session, *, user: User) -> list[str]:
    """Roles used in the most recent conversations, most common first: the leader's own, and
    those at least two leaders wrote. What one leader typed once (a name where a role
    belongs, a role only one person holds) is never offered to the others.
    A bounded sample: the form costs the same with 5,000 conversations or 5 million."""
    return [role for role, _ in session.connection().execute(_ROLE_COUNTS, {"leader": user.id})]


def heard_between(since: date, until: date, *, closed_quarters: bool) -> ColumnElement[bool]:
    """Walks dated from `since` to `until`; over closed quarters only those logged in time
    for their quarter (analysis.suppression.on_record), so a late walk never changes one."""
    dated = and_(col(Visit.visit_date) >= since, col(Visit.visit_date) <= until)
    if not closed_quarters:
        return dated
    quarters = []
    start = since
    while start <= until:
        end = quarter_end_of(start)
        cutoff = datetime.combine(end + timedelta(days=LATE_LOGGING_DAYS + 1), time(), UTC)
        quarters.append(
            and_(
                col(Visit.visit_date) >= start,
                col(Visit.visit_date) <= end,
                col(Visit.created_at) < cutoff,
            )
        )
        start = end + timedelta(days=1)
    return and_(dated, or_(*quarters))
