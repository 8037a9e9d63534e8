"""Reminder e-mails: a weekly digest to each leader (walks due, overdue actions they own)
and a note to an action's owner when it becomes overdue.

Each mail is one row of `reminders_sent` (kind, person, item, period), claimed by an
insert before it is sent: of two hosts running at the same minute one wins the insert and
the other skips. The row is marked sent once the mail server accepted the message, and
dropped when it did not, so the next run tries again; a claim left by a run that died is
taken over after STALE_CLAIM. Nothing is marked sent that was not accepted."""

import contextlib
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from html import escape

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.models import Action, Department, ReminderSent, User, Visit
from app.models.types import utcnow
from app.services.schedules import list_schedules
from app.settings import Settings

STALE_CLAIM = timedelta(minutes=15)
LOOK_AHEAD = timedelta(days=7)  # the digest names walks opening within a week


@dataclass(frozen=True)
class Mail:
    kind: str
    user_id: int
    item: str
    period: str
    to: str
    subject: str
    text: str
    html: str


@dataclass
class Outcome:
    sent: list[Mail] = field(default_factory=list)
    skipped: int = 0  # sent already, or another run has it
    failed: list[tuple[Mail, str]] = field(default_factory=list)
    planned: list[Mail] = field(default_factory=list)  # --dry-run


def _week(as_of: date) -> str:
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"


def _overdue_actions(session: Session, as_of: date) -> list[tuple[int, int, str, date, str]]:
    rows = session.exec(
        select(col(Action.id), col(Action.owner_id), col(Action.title), col(Action.due_date))
        .where(
            col(Action.owner_id).is_not(None),
            col(Action.due_date) < as_of,
            col(Action.status).in_(("open", "in_progress")),
        )
        .order_by(col(Action.due_date), col(Action.id))
    ).all()
    departments = dict(
        session.exec(
            select(Action.id, Department.name)
            .join(Visit, col(Visit.id) == Action.visit_id)
            .join(Department, col(Department.id) == Visit.department_id)
            .where(col(Action.id).in_([r[0] for r in rows]))
        ).all()
    )
    return [(a, o, t, d, departments.get(a, "")) for a, o, t, d in rows]  # type: ignore[misc]


def _footer(base: str) -> tuple[str, str]:
    link = f"{base}/account/calendar"
    return (
        f"\n\nYou get this because you walk for Walkabout. Turn reminders off: {link}\n",
        f'<p style="color:#555">You get this because you walk for Walkabout. '
        f'<a href="{escape(link)}">Turn reminders off</a>.</p>',
    )


def due_mails(session: Session, *, settings: Settings, as_of: date) -> list[Mail]:
    """What is due to be sent on `as_of` (the organisation's date), whether sent or not."""
    base = settings.base_url.rstrip("/") or "http://localhost:8000"
    text_footer, html_footer = _footer(base)
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.is_active), col(User.reminders_off).is_(False))
        )
    }
    overdue = _overdue_actions(session, as_of)
    mails: list[Mail] = []
    for user_id, user in sorted(users.items(), key=lambda p: p[1].email):
        assert user_id is not None
        walks = []
        if user.role in ("leader", "admin"):
            for view in list_schedules(
                session, user=user, settings=settings, today=as_of, own=True
            ):
                for o in view.occurrences:
                    opening = o.status == "upcoming" and o.due_from <= as_of + LOOK_AHEAD
                    if o.status in ("due", "overdue") or opening:
                        walks.append((view.department, o))
        mine = [a for a in overdue if a[1] == user_id]
        if not walks and not mine:
            continue
        lines, items = [], []
        for department, o in walks:
            when = f"{o.due_from:%d %b} to {o.due_until:%d %b}"
            lines.append(f"- Walk {department}: {o.status}, {when}")
            items.append(f"<li>Walk <strong>{escape(department)}</strong>: {o.status}, {when}</li>")
        for _, _, title, due, department in mine:
            lines.append(f"- Action overdue since {due:%d %b}: {title} ({department})")
            items.append(
                f"<li>Action overdue since {due:%d %b}: {escape(title)} ({escape(department)})</li>"
            )
        counts = []
        if walks:
            counts.append(f"{len(walks)} walk{'s' if len(walks) != 1 else ''} due")
        if mine:
            counts.append(f"{len(mine)} overdue action{'s' if len(mine) != 1 else ''}")
        subject = f"Walkabout this week: {' and '.join(counts)}"
        text = (
            f"Your walk programme for the week of {as_of:%d %B %Y}:\n\n"
            + "\n".join(lines)
            + f"\n\nYour walks: {base}/programme\nYour actions: {base}/visits"
            + text_footer
        )
        html = (
            f"<p>Your walk programme for the week of {as_of:%d %B %Y}:</p><ul>{''.join(items)}</ul>"
            f'<p><a href="{escape(base)}/programme">Your walks</a> · '
            f'<a href="{escape(base)}/visits">Your actions</a></p>{html_footer}'
        )
        mails.append(Mail("digest", user_id, "week", _week(as_of), user.email, subject, text, html))
        for action_id, _, title, due, department in mine:
            mails.append(
                Mail(
                    "action_overdue",
                    user_id,
                    f"action-{action_id}",
                    due.isoformat(),
                    user.email,
                    f"Walkabout: an action you own is overdue: {title[:80]}",
                    f'The action "{title}" from a walk in {department} was due on '
                    f"{due:%d %B %Y}.\n\nMove it on: {base}/visits{text_footer}",
                    f"<p>The action <strong>{escape(title)}</strong> from a walk in "
                    f"{escape(department)} was due on {due:%d %B %Y}.</p>"
                    f'<p><a href="{escape(base)}/visits">Move it on</a></p>{html_footer}',
                )
            )
    return mails


def _claim(engine: Engine, mail: Mail) -> int | None:
    """This run's claim on the mail, or None when it is sent or another run holds it."""
    try:
        with unit_of_work(engine) as session:
            claim = ReminderSent(
                kind=mail.kind, user_id=mail.user_id, item=mail.item, period=mail.period
            )
            session.add(claim)
            session.flush()
            return claim.id
    except IntegrityError:
        pass
    with unit_of_work(engine) as session:
        row = session.exec(
            select(ReminderSent).where(
                ReminderSent.kind == mail.kind,
                ReminderSent.user_id == mail.user_id,
                ReminderSent.item == mail.item,
                ReminderSent.period == mail.period,
            )
        ).first()
        if row is None or row.sent_at is not None:
            return None
        now = utcnow()
        taken = session.execute(
            update(ReminderSent)
            .where(
                col(ReminderSent.id) == row.id,
                col(ReminderSent.sent_at).is_(None),
                col(ReminderSent.claimed_at) < now - STALE_CLAIM,
            )
            .values(claimed_at=now)
        )
        return row.id if taken.rowcount else None  # type: ignore[attr-defined]


def _message(mail: Mail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    message.add_alternative(f"<!doctype html><html><body>{mail.html}</body></html>", subtype="html")
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        server.starttls(context=ssl.create_default_context())
    if settings.smtp_username:
        server.login(settings.smtp_username, settings.smtp_password)
    return server


def send_reminders(
    engine: Engine, *, settings: Settings, as_of: date, dry_run: bool = False
) -> Outcome:
    """Send what is due and not sent yet."""
    with Session(engine) as session:
        mails = due_mails(session, settings=settings, as_of=as_of)
    outcome = Outcome()
    if dry_run:
        with Session(engine) as session:
            sent = {
                (r.kind, r.user_id, r.item, r.period)
                for r in session.exec(
                    select(ReminderSent).where(col(ReminderSent.sent_at).is_not(None))
                )
            }
        outcome.planned = [m for m in mails if (m.kind, m.user_id, m.item, m.period) not in sent]
        return outcome
    server: smtplib.SMTP | None = None
    try:
        for mail in mails:
            claim = _claim(engine, mail)
            if claim is None:
                outcome.skipped += 1
                continue
            try:
                if server is None:
                    server = _connect(settings)
                server.send_message(_message(mail, settings))
            except (OSError, smtplib.SMTPException) as exc:
                with unit_of_work(engine) as session:  # not accepted: the next run tries again
                    session.execute(
                        delete(ReminderSent).where(
                            col(ReminderSent.id) == claim, col(ReminderSent.sent_at).is_(None)
                        )
                    )
                outcome.failed.append((mail, str(exc) or type(exc).__name__))
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    server = None  # reconnect for the next one
                continue
            with unit_of_work(engine) as session:
                session.execute(
                    update(ReminderSent)
                    .where(col(ReminderSent.id) == claim)
                    .values(sent_at=utcnow())
                )
            outcome.sent.append(mail)
    finally:
        if server is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                server.quit()
    return outcome
