"""Reminder e-mails through a real SMTP server (aiosmtpd, started here): the digest's
content, once per person and week however many runs there are, and nothing marked sent
that the server did not accept."""

import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import main
from app.db import get_engine
from app.models import ReminderSent, User
from app.services.reminders import send_reminders
from app.services.users import create_api_token
from app.settings import Settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def programme(client: TestClient, session: Session, make_user, directory) -> date:  # type: ignore[no-untyped-def]
    """Lee shares a Finance schedule whose window is open today, and owns an action that
    was due three days ago; Lou has reminders off."""
    make_user("admin")
    make_user("leader")
    make_user("leader", "lou@example.org")
    admin = {"Authorization": f"Bearer {create_api_token(session, email='admin@example.org')}"}
    lee = {"Authorization": f"Bearer {create_api_token(session, email='leader@example.org')}"}
    session.commit()
    today = date.today()
    body = {
        "department": "Finance",
        "leaders": ["leader@example.org", "lou@example.org"],
        "every_days": 28,
        "window_days": 14,
        "starts_on": (today - timedelta(days=2)).isoformat(),
    }
    assert client.post("/api/v1/schedules", json=body, headers=admin).status_code == 201
    walk = {
        "client_id": str(uuid.uuid4()),
        "department": "Library",
        "visit_date": (today - timedelta(days=5)).isoformat(),
        "conversations": [{"person_role": "librarian", "observed_score": 2}],
        "actions": [{"title": "Replace the <b>scanner</b>", "owner": "leader@example.org",
                     "due_date": (today - timedelta(days=3)).isoformat()}],
    }  # fmt: skip
    assert client.post("/api/v1/visits", json=walk, headers=lee).status_code == 201
    lou = session.exec(select(User).where(User.email == "lou@example.org")).one()
    lou.reminders_off = True
    session.add(lou)
    session.commit()
    return today


def _settings(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="walkabout@example.org",
        base_url="https://walkabout.example.org",
    )


def test_the_digest_arrives_once_with_what_is_due(
    database_url: str, programme: date, inbox: tuple[Inbox, int], session: Session
) -> None:
    handler, port = inbox
    engine = get_engine(database_url)
    first = send_reminders(engine, settings=_settings(database_url, port), as_of=programme)
    assert [(m.kind, m.to) for m in first.sent] == [
        ("digest", "leader@example.org"),
        ("action_overdue", "leader@example.org"),
    ]
    assert first.failed == []
    digest, note = handler.messages
    assert digest["Subject"] == "Walkabout this week: 1 walk due and 1 overdue action"
    assert digest["To"] == "leader@example.org" and digest["From"] == "walkabout@example.org"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = digest.get_body(("html",)).get_content()  # type: ignore[union-attr]
    start, end = programme - timedelta(days=2), programme + timedelta(days=11)
    assert f"- Walk Finance: due, {start:%d %b} to {end:%d %b}" in text
    assert "Action overdue since" in text and "Replace the <b>scanner</b> (Library)" in text
    assert "https://walkabout.example.org/programme" in text
    assert "https://walkabout.example.org/account/calendar" in text  # turn them off
    assert "Replace the &lt;b&gt;scanner&lt;/b&gt;" in html and "<b>scanner" not in html
    assert note["Subject"].startswith("Walkabout: an action you own is overdue")
    # A second run, the same day or later that week, sends nothing more.
    again = send_reminders(engine, settings=_settings(database_url, port), as_of=programme)
    assert again.sent == [] and again.skipped == 2
    assert len(handler.messages) == 2


def test_two_runs_at_once_send_each_mail_once(
    database_url: str, programme: date, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    engine = get_engine(database_url)

    def run(_: int) -> int:
        return len(
            send_reminders(engine, settings=_settings(database_url, port), as_of=programme).sent
        )

    with ThreadPoolExecutor(4) as pool:
        sent = list(pool.map(run, range(4)))
    assert sum(sent) == 2
    assert sorted(m["Subject"][:30] for m in handler.messages) == [
        "Walkabout this week: 1 walk du",
        "Walkabout: an action you own i",
    ]


def test_a_mail_server_that_is_down_marks_nothing_sent(
    database_url: str, programme: date, inbox: tuple[Inbox, int], session: Session
) -> None:
    handler, port = inbox
    engine = get_engine(database_url)
    down = send_reminders(engine, settings=_settings(database_url, _free_port()), as_of=programme)
    assert down.sent == [] and len(down.failed) == 2
    session.rollback()
    assert session.exec(select(ReminderSent)).all() == []
    # The next run, with the server up, sends both.
    up = send_reminders(engine, settings=_settings(database_url, port), as_of=programme)
    assert len(up.sent) == 2 and len(handler.messages) == 2
    session.rollback()
    sent = session.exec(select(ReminderSent).where(col(ReminderSent.sent_at).is_not(None))).all()
    assert len(sent) == 2


def test_the_command_line_dry_run_sends_nothing(
    database_url: str, programme: date, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = inbox
    monkeypatch.setenv("WALKABOUT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WALKABOUT_SMTP_PORT", str(port))
    from app.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    args = ["reminders", "send", "--database-url", database_url, "--as-of", programme.isoformat()]
    dry = runner.invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would send digest to leader@example.org" in dry.output
    assert handler.messages == []
    real = runner.invoke(main, args)
    assert real.exit_code == 0, real.output
    assert "2 sent, 0 already sent, 0 failed" in real.output
    bad = runner.invoke(
        main, ["reminders", "send", "--database-url", database_url, "--as-of", "soon"]
    )
    assert bad.exit_code == 1 and "--as-of: 'soon' is not a date" in bad.output
    get_settings.cache_clear()
