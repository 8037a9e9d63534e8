"""The walk programme: occurrence statuses at the window's edges and in the organisation's
time zone, the schedules API with its role rules, the leader's calendar feed."""

import uuid
from datetime import UTC, date, datetime, timedelta

import icalendar
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Schedule
from app.services.schedules import local_today, occurrences
from app.services.users import create_api_token
from app.settings import Settings
from tests.conftest import csrf_from


def _statuses(schedule: Schedule, today: date, walks: list[tuple[date, int]] = ()) -> list[str]:  # type: ignore[assignment]
    return [o.status for o in occurrences(schedule, list(walks), today=today)]


def test_an_occurrence_is_upcoming_due_overdue_then_missed_or_done() -> None:
    # Every 7 days from Monday 2 March, open 5 days (Mon-Fri), due on the Wednesday.
    weekly = Schedule(department_id=1, every_days=7, window_days=5, starts_on=date(2026, 3, 2))
    assert _statuses(weekly, date(2026, 3, 1)) == ["upcoming"]
    assert _statuses(weekly, date(2026, 3, 2)) == ["due", "upcoming"]  # the window opens
    assert _statuses(weekly, date(2026, 3, 4)) == ["due", "upcoming"]  # the due date
    assert _statuses(weekly, date(2026, 3, 5)) == ["overdue", "upcoming"]
    assert _statuses(weekly, date(2026, 3, 6)) == ["overdue", "upcoming"]  # the last day
    assert _statuses(weekly, date(2026, 3, 7)) == ["missed", "upcoming"]  # closed, no walk
    # A walk on the window's last day does it; one the day after does not.
    assert _statuses(weekly, date(2026, 3, 7), [(date(2026, 3, 6), 11)]) == ["done", "upcoming"]
    late = _statuses(weekly, date(2026, 3, 10), [(date(2026, 3, 7), 12)])
    assert late == ["missed", "due", "upcoming"]
    found = occurrences(weekly, [(date(2026, 3, 9), 13)], today=date(2026, 3, 10))
    assert [(o.due_from, o.due_until, o.status, o.visit_id) for o in found] == [
        (date(2026, 3, 2), date(2026, 3, 6), "missed", None),
        (date(2026, 3, 9), date(2026, 3, 13), "done", 13),
        (date(2026, 3, 16), date(2026, 3, 20), "upcoming", None),
    ]


def test_dates_are_the_organisation_s_local_dates() -> None:
    # 11:30 UTC on 6 March: already Saturday 7 March in Auckland, still Friday in Los Angeles.
    instant = datetime(2026, 3, 6, 11, 30, tzinfo=UTC)
    weekly = Schedule(department_id=1, every_days=7, window_days=5, starts_on=date(2026, 3, 2))
    auckland = local_today(Settings(time_zone="Pacific/Auckland"), now=instant)
    los_angeles = local_today(Settings(time_zone="America/Los_Angeles"), now=instant)
    assert (auckland, los_angeles) == (date(2026, 3, 7), date(2026, 3, 6))
    assert _statuses(weekly, auckland)[0] == "missed"
    assert _statuses(weekly, los_angeles)[0] == "overdue"


def _auth(session: Session, email: str) -> dict[str, str]:
    token = create_api_token(session, email=email)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _walk(client: TestClient, headers: dict[str, str], department: str, on: date) -> int:
    body = {
        "client_id": str(uuid.uuid4()),
        "department": department,
        "visit_date": on.isoformat(),
        "conversations": [{"person_role": "clerk", "observed_score": 3}],
    }
    made = client.post("/api/v1/visits", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_schedules_api_with_its_role_rules(
    client: TestClient, session: Session, make_user, directory
) -> None:  # type: ignore[no-untyped-def]
    for role, email in (("admin", None), ("leader", None), ("leader", "lou@example.org"),
                        ("executive", None), ("analyst", None)):  # fmt: skip
        make_user(role, email)
    admin, lee, lou = (_auth(session, e) for e in ("admin@example.org", "leader@example.org",
                                                   "lou@example.org"))  # fmt: skip
    executive = _auth(session, "executive@example.org")
    today = date.today()
    start = today - timedelta(days=20)
    body = {"department": "finance", "leaders": ["leader@example.org", "LOU@example.org"],
            "every_days": 10, "window_days": 5, "starts_on": start.isoformat()}  # fmt: skip
    assert client.post("/api/v1/schedules", json=body, headers=lee).status_code == 403
    made = client.post("/api/v1/schedules", json=body, headers=admin)
    assert made.status_code == 201, made.text
    schedule = made.json()
    assert schedule["department"] == "Finance"
    assert schedule["leaders"] == ["leader@example.org", "lou@example.org"]
    other = client.post(
        "/api/v1/schedules",
        json=body | {"department": "Library", "leaders": ["lou@example.org"]},
        headers=admin,
    ).json()
    # A walk by Lou inside the first window does it for both leaders.
    visit_id = _walk(client, lou, "Finance", start + timedelta(days=2))
    got = client.get(f"/api/v1/schedules/{schedule['id']}/occurrences", headers=lee)
    assert got.status_code == 200
    items = got.json()["items"]
    assert items[0] == {"due_from": start.isoformat(),
                        "due_until": (start + timedelta(days=4)).isoformat(),
                        "status": "done", "visit_id": visit_id}  # fmt: skip
    assert items[1]["status"] == "missed"  # days 10-14: no walk
    assert items[2]["due_from"] == (start + timedelta(days=20)).isoformat()
    assert items[2]["status"] == "due"
    # Lee sees the schedule he shares, not Lou's own; the executive sees the coverage.
    mine = client.get("/api/v1/schedules", headers=lee).json()
    assert [s["id"] for s in mine["items"]] == [schedule["id"]]
    assert mine["items"][0]["next"]["status"] == "due"
    assert (
        client.get(f"/api/v1/schedules/{other['id']}/occurrences", headers=lee).status_code == 404
    )
    everyone = client.get("/api/v1/schedules", headers=executive).json()
    assert {s["id"] for s in everyone["items"]} == {schedule["id"], other["id"]}
    # Bad input names the field and changes nothing.
    for change, words in (
        ({"department": "Atlantis"}, "no department named 'Atlantis'"),
        ({"leaders": ["executive@example.org"]}, "executive@example.org is not an active leader"),
        ({"window_days": 11}, "longer than the 10 days between walks"),
    ):
        refused = client.post("/api/v1/schedules", json=body | change, headers=admin)
        assert refused.status_code == 422 and words in refused.text, refused.text
    session.rollback()
    assert len(session.exec(select(Schedule)).all()) == 2


def test_the_calendar_feed_holds_the_walks_and_actions_and_a_new_link_revokes_it(
    client: TestClient, leader_client: TestClient, session: Session, make_user, directory
) -> None:  # type: ignore[no-untyped-def]
    make_user("admin")
    admin = _auth(session, "admin@example.org")
    start = date.today() - timedelta(days=3)
    body = {"department": "Warehouse", "leaders": ["leader@example.org"], "every_days": 14,
            "window_days": 7, "starts_on": start.isoformat()}  # fmt: skip
    assert client.post("/api/v1/schedules", json=body, headers=admin).status_code == 201
    lee = _auth(session, "leader@example.org")
    walk = {
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "visit_date": date.today().isoformat(),
        "conversations": [{"person_role": "clerk", "observed_score": 2}],
        "actions": [{"title": "Fix the scanner", "owner": "leader@example.org",
                     "due_date": (date.today() + timedelta(days=5)).isoformat()}],
    }  # fmt: skip
    assert client.post("/api/v1/visits", json=walk, headers=lee).status_code == 201
    page = leader_client.get("/account/calendar").text
    made = leader_client.post("/account/calendar", data={"csrf_token": csrf_from(page)})
    assert made.status_code == 200
    url = made.text.split('<p class="secret"><code>', 1)[1].split("</code>", 1)[0]
    path = url.removeprefix("http://testserver")
    feed = client.get(path)  # no login: the address is the secret
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = [
        (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"))
        for e in calendar.walk("VEVENT")
    ]
    due = date.today() + timedelta(days=5)
    assert events == [
        ("Walk: Warehouse", start, start + timedelta(days=7)),  # all day, end exclusive
        ("Walk: Warehouse", start + timedelta(days=14), start + timedelta(days=21)),
        ("Action due: Fix the scanner", due, due + timedelta(days=1)),
    ]
    assert all(e.get("uid") and e.get("dtstamp") for e in calendar.walk("VEVENT"))
    # A new link revokes the old one; turning it off leaves none.
    again = leader_client.post("/account/calendar", data={"csrf_token": csrf_from(page)})
    assert client.get(path).status_code == 404
    new_path = again.text.split('<p class="secret"><code>', 1)[1].split("</code>", 1)[0]
    new_path = new_path.removeprefix("http://testserver")
    assert client.get(new_path).status_code == 200
    leader_client.post("/account/calendar/off", data={"csrf_token": csrf_from(page)})
    assert client.get(new_path).status_code == 404


def test_admins_add_schedules_on_the_programme_page_and_leaders_see_them_at_home(
    admin_client: TestClient, leader_client: TestClient, session: Session, directory
) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/programme").text
    assert "Add a schedule" in page and 'value="leader@example.org"' in page
    form = {"csrf_token": csrf_from(page), "department": "Library",
            "leaders": ["leader@example.org"], "every_days": "14", "window_days": "30",
            "starts_on": date.today().isoformat()}  # fmt: skip
    refused = admin_client.post("/programme/schedules", data=form)
    assert refused.status_code == 422
    assert "longer than the 14 days between walks" in refused.text
    assert 'value="30"' in refused.text  # what was typed stays
    bad_number = admin_client.post("/programme/schedules", data=form | {"every_days": "often"})
    assert bad_number.status_code == 422 and "every_days" in bad_number.text
    added = admin_client.post("/programme/schedules", data=form | {"window_days": "7"})
    assert added.status_code == 303
    coverage = admin_client.get("/programme").text
    assert "Coverage over the last year" in coverage and '<th scope="row">Library</th>' in coverage
    home = leader_client.get("/").text
    assert "Walks due" in home and "<strong>Library</strong>" in home
    assert 'class="badge status-due">due<' in home
    assert "You get" not in home
    mine = leader_client.get("/programme").text
    assert "Your schedules" in mine and "Add a schedule" not in mine
    # Reminders can be turned off, and on again.
    account = leader_client.get("/account/calendar").text
    off = leader_client.post("/account/reminders", data={"csrf_token": csrf_from(account)})
    assert off.status_code == 303
    session.rollback()
    from app.models import User

    assert session.exec(select(User.reminders_off).where(User.email == "leader@example.org")).one()


def test_coverage_over_time_counts_each_quarter_s_occurrences() -> None:
    from app.services.schedules import ScheduleView, coverage, coverage_by_quarter

    # Every 30 days from 1 August, open 10 days; walked in the first and third windows.
    monthly = Schedule(id=1, department_id=1, every_days=30, window_days=10,
                       starts_on=date(2026, 8, 1))  # fmt: skip
    walks = [(date(2026, 8, 3), 1), (date(2026, 10, 1), 2)]
    view = ScheduleView(
        monthly,
        "Finance",
        [(7, "lee@example.org"), (8, "lou@example.org")],
        occurrences(monthly, walks, today=date(2026, 11, 2)),
    )
    # Windows open 1 Aug (done), 31 Aug (missed), 30 Sep (done, walked 1 Oct),
    # 30 Oct (due on 2 Nov: open 30 Oct - 8 Nov, due up to 3 Nov), 29 Nov (upcoming).
    quarters = coverage_by_quarter([view], since=date(2026, 1, 1))
    assert {q: (c.done, c.missed, c.due, c.overdue) for q, c in quarters.items()} == {
        "2026 Q3": (2, 1, 0, 0),
        "2026 Q4": (0, 0, 1, 0),
    }
    assert quarters["2026 Q3"].share_done == 2 / 3
    by_department, by_leader = coverage([view], since=date(2026, 9, 1))
    assert (by_department["Finance"].done, by_department["Finance"].due) == (1, 1)
    assert list(by_leader) == ["lee@example.org", "lou@example.org"]
