"""A leader's private calendar feed (iCalendar, RFC 5545, written by the icalendar
library): their scheduled walks as all-day events over each window, and the due dates of
the actions they own. The address carries a token only its owner has; a new one revokes it."""

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select as sa_select  # columns of two tables
from sqlmodel import Session, col, select

from app.models import Action, CalendarFeed, Department, User, Visit
from app.security import new_token, token_digest
from app.services.audit import record_event
from app.services.schedules import list_schedules
from app.settings import Settings

PAST_DAYS = 90  # occurrences kept in the feed after their window
UID_DOMAIN = "walkabout"


def new_feed(session: Session, *, user: User) -> str:
    """A new calendar address for the user (any earlier one stops working); the token is
    shown once."""
    assert user.id is not None
    token = new_token()
    digest = token_digest(token)
    feed = session.get(CalendarFeed, user.id) or CalendarFeed(user_id=user.id, token_hash=digest)
    feed.token_hash = digest
    feed.created_at = datetime.now(UTC)
    session.add(feed)
    record_event(session, action="calendar.new_link", actor_id=user.id)
    return token


def revoke_feed(session: Session, *, user: User) -> None:
    feed = session.get(CalendarFeed, user.id)
    if feed is not None:
        session.delete(feed)
        record_event(session, action="calendar.revoked", actor_id=user.id)


def has_feed(session: Session, *, user: User) -> bool:
    return session.get(CalendarFeed, user.id) is not None


def feed_user(session: Session, *, token: str) -> User | None:
    """The active user a calendar token belongs to."""
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_digest(token))
    ).first()
    user = session.get(User, feed.user_id) if feed else None
    return user if user is not None and user.is_active else None


def calendar_ics(session: Session, *, user: User, settings: Settings, base_url: str) -> bytes:
    """The user's walks and action due dates as an iCalendar file."""
    cal = Calendar()
    cal.add("prodid", "-//Walkabout//walk programme//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Walkabout")
    stamp = datetime.now(UTC).replace(microsecond=0)
    since = date.today() - timedelta(days=PAST_DAYS)
    for view in list_schedules(session, user=user, settings=settings, own=True):
        for occurrence in view.occurrences:
            if occurrence.due_until < since:
                continue
            event = Event()
            event.add("uid", f"schedule-{view.schedule.id}-{occurrence.due_from}@{UID_DOMAIN}")
            event.add("dtstamp", stamp)
            event.add("dtstart", occurrence.due_from)
            event.add("dtend", occurrence.due_until + timedelta(days=1))  # all-day, exclusive
            event.add("summary", f"Walk: {view.department}")
            event.add(
                "description",
                f"Walk {view.department} by {occurrence.due_until:%d %B %Y} "
                f"(due {occurrence.due_on:%d %B}); now {occurrence.status}.",
            )
            event.add("url", f"{base_url}/visits/new")
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    actions = session.execute(
        sa_select(col(Action.id), col(Action.title), col(Action.due_date), col(Department.name))
        .join(Visit, col(Visit.id) == Action.visit_id)
        .join(Department, col(Department.id) == Visit.department_id)
        .where(
            col(Action.owner_id) == user.id,
            col(Action.due_date).is_not(None),
            col(Action.status).in_(("open", "in_progress")),
        )
    )
    for action_id, title, due, department in actions:
        event = Event()
        event.add("uid", f"action-{action_id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"Action due: {title}")
        event.add("description", f"From a walk in {department}.")
        event.add("url", f"{base_url}/visits")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())
