"""The walk pages: the form works without JavaScript, errors sit next to their fields."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.models import Action, Visit
from tests.builders import walk_form
from tests.conftest import csrf_from


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_form_page_for_leaders_only(
    leader_client: TestClient, analyst_client: TestClient, directory
) -> None:
    page = leader_client.get("/visits/new")
    assert page.status_code == 200
    assert 'name="conversations-0-observed_score"' in page.text
    assert "plotly" not in page.text
    assert analyst_client.get("/visits/new").status_code == 403


def test_post_form_saves_and_redirects_once(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    data = walk_form(token)
    response = leader_client.post("/visits", data=data)
    assert response.status_code == 303 and response.headers["location"].startswith("/visits")
    assert leader_client.post("/visits", data=data).status_code == 303  # double tap
    assert _count(session, Visit) == 1
    walks = leader_client.get("/visits")
    assert "Replace printer" in walks.text and "overdue" in walks.text
    visit_id = session.exec(select(Visit.id)).one()
    detail = leader_client.get(f"/visits/{visit_id}")
    assert "&lt;b&gt;jams&lt;/b&gt; daily" in detail.text  # notes are escaped


def test_errors_come_back_next_to_fields_keeping_input(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    future = (date.today() + timedelta(days=10)).isoformat()
    data = walk_form(token, department="Atlantis", visit_date=future)
    del data["conversations-0-observed_score"]
    response = leader_client.post("/visits", data=data)
    assert response.status_code == 422
    assert "the visit date is in the future" in response.text
    assert 'value="Atlantis"' in response.text and 'value="clerk"' in response.text
    observed_error = re.search(
        r'conversations-0-observed-5.*?field-error">([^<]+)', response.text, re.S
    )
    assert observed_error and observed_error.group(1) == "required"
    data = walk_form(token, department="Atlantis")
    unknown = leader_client.post("/visits", data=data)
    assert unknown.status_code == 422 and "unknown department &#39;Atlantis&#39;" in unknown.text
    assert _count(session, Visit) == 0


def test_an_action_with_a_due_date_and_no_title_is_refused_at_its_title(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    response = leader_client.post("/visits", data=walk_form(token, **{"actions-0-title": ""}))
    assert response.status_code == 422
    title_error = re.search(r'id="actions-0-title".*?field-error">([^<]+)', response.text, re.S)
    assert title_error and title_error.group(1) == "required"
    # A block left blank (the owner is always filled in) is no action, and no error.
    blank = walk_form(token, **{"actions-0-title": "", "actions-0-due_date": ""})
    assert leader_client.post("/visits", data=blank).status_code == 303
    assert (_count(session, Visit), _count(session, Action)) == (1, 0)


def test_add_conversation_without_javascript(leader_client: TestClient, directory) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    response = leader_client.post("/visits", data=walk_form(token, add="conversation"))
    assert response.status_code == 200
    assert 'name="conversations-1-person_role"' in response.text
    assert 'value="clerk"' in response.text


def test_forged_form_is_refused(leader_client: TestClient, session: Session, directory) -> None:
    assert leader_client.post("/visits", data=walk_form("forged")).status_code == 403
    assert _count(session, Visit) == 0


def test_mark_action_done_full_page_and_fragment(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    leader_client.post("/visits", data=walk_form(token))
    action_id = session.exec(select(Action.id)).one()
    full = leader_client.post(
        f"/actions/{action_id}/status", data={"csrf_token": token, "status": "in_progress"}
    )
    assert full.status_code == 303
    fragment = leader_client.post(
        f"/actions/{action_id}/status",
        data={"csrf_token": token, "status": "done"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["vary"].split(", ")
    assert fragment.text.lstrip().startswith('<section class="card" id="my-actions">')
    assert "<html" not in fragment.text
    session.rollback()  # end the test's read snapshot to see the app's commit
    assert session.exec(select(Action.status)).one() == "done"


def test_undo_puts_a_done_action_back_as_it_was(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    leader_client.post("/visits", data=walk_form(token))
    action_id = session.exec(select(Action.id)).one()
    hx = {"HX-Request": "true"}
    done = leader_client.post(
        f"/actions/{action_id}/status",
        data={"csrf_token": token, "status": "done", "previous": "in_progress"},
        headers=hx,
    )
    assert done.status_code == 200
    undo = re.search(r'name="status" value="([a-z_]+)">\s*<button[^>]*>Undo', done.text)
    assert undo and undo.group(1) == "in_progress"
    leader_client.post(
        f"/actions/{action_id}/status", data={"csrf_token": token, "status": "in_progress"}
    )
    session.rollback()
    assert session.exec(select(Action.status)).one() == "in_progress"


def _walk_on(
    session: Session, leader, department: str, day: date, actions=(), role="clerk"
) -> None:  # type: ignore[no-untyped-def]
    from app.models import VisitCreate
    from app.services.visits import create_visit

    data = {
        "client_id": str(uuid.uuid4()),
        "department": department,
        "visit_date": day.isoformat(),
        "conversations": [{"person_role": role, "stated_score": 4, "observed_score": 4}],
        "actions": list(actions),
    }
    create_visit(session, leader=leader, data=VisitCreate.model_validate(data))


def test_due_a_visit_lists_the_twelve_waiting_longest_and_counts_them_all(
    leader_client: TestClient, session: Session, tmp_path
) -> None:
    from app.models import User
    from app.services.departments import import_departments

    names = [f"Dept {c}" for c in "ABCDEFGHIJKLMNOP"]  # 16 departments
    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\n" + "".join(f"{n},20\n" for n in names))
    import_departments(session, path=path)
    leader = session.exec(select(User).where(User.role == "leader")).one()
    today = date.today()
    walked = {  # days ago; the rest were never walked
        "Dept A": 91, "Dept B": 200, "Dept C": 30, "Dept D": 120, "Dept E": 89,
        "Dept F": 150, "Dept G": 150, "Dept H": 10,
    }  # fmt: skip
    for name, days in walked.items():
        _walk_on(session, leader, name, today - timedelta(days=days))
    session.commit()
    page = leader_client.get("/visits").text
    due = page.split("<h2>Due a visit", 1)[1].split("</section>", 1)[0]
    # Never walked first (by name), then the longest since the last walk; 90 days or less
    # (C, E, H) are not due. 13 are due, 12 are listed.
    listed = re.findall(r"<li>(Dept \w)", due)
    assert listed == [
        "Dept I", "Dept J", "Dept K", "Dept L", "Dept M", "Dept N", "Dept O", "Dept P",
        "Dept B", "Dept F", "Dept G", "Dept D",
    ]  # fmt: skip
    assert '<span class="muted">(13)</span>' in due
    assert "The 12 waiting longest of 13 departments not walked in the last 90 days." in due
    assert f"last {(today - timedelta(days=200)).isoformat()} (200 days)" in due


def test_the_walk_list_pages_through_every_walk_twenty_at_a_time(
    leader_client: TestClient, session: Session, make_user, directory
) -> None:
    from app.models import User

    leader = session.exec(select(User).where(User.role == "leader")).one()
    second = make_user("leader", "b@example.org")
    other = session.exec(select(User).where(User.email == second)).one()
    start = date(2026, 1, 1)
    for n in range(45):  # walk n on 1 January + n days: the newest is n = 44
        _walk_on(session, leader, "Finance", start + timedelta(days=n))
    _walk_on(session, other, "Library", start + timedelta(days=100))  # not theirs to see
    session.commit()

    def dates(page: str) -> list[str]:
        recent = page.split('<h2 id="recent">', 1)[1]
        return re.findall(r'<a href="/visits/\d+">(\d{4}-\d\d-\d\d) · Finance', recent)

    def day(n: int) -> str:
        return (start + timedelta(days=n)).isoformat()

    first = leader_client.get("/visits").text
    assert dates(first) == [day(n) for n in range(44, 24, -1)]
    assert "Walks 1 to 20 of 45, the newest first." in first
    assert "Library" not in first.split('<h2 id="recent">', 1)[1]
    assert '<a class="older" href="/visits?page=2#recent">Older walks</a>' in first
    assert "Newer walks" not in first
    second = leader_client.get("/visits?page=2").text
    assert dates(second) == [day(n) for n in range(24, 4, -1)]
    assert '<a href="/visits#recent">Newer walks</a>' in second
    assert '<a class="older" href="/visits?page=3#recent">Older walks</a>' in second
    last = leader_client.get("/visits?page=3").text
    assert dates(last) == [day(n) for n in range(4, -1, -1)]
    assert "Walks 41 to 45 of 45, the newest first." in last and "Older walks" not in last
    # Past the end (an old link, walks since removed): the last page; before the start: the first.
    assert dates(leader_client.get("/visits?page=99").text) == dates(last)
    assert dates(leader_client.get("/visits?page=0").text) == dates(first)
    assert dates(leader_client.get(f"/visits?page={10**40}").text) == dates(last)
    assert leader_client.get("/visits?page=two").status_code < 500


def test_my_actions_list_the_overdue_first_then_by_due_date_and_the_finished_last(
    leader_client: TestClient, session: Session, directory
) -> None:
    from app.models import User

    leader = session.exec(select(User).where(User.role == "leader")).one()
    today = date.today()

    def action(title: str, days: int | None) -> dict[str, str | None]:
        due = None if days is None else (today + timedelta(days=days)).isoformat()
        return {"title": title, "owner": leader.email, "due_date": due}

    _walk_on(session, leader, "Finance", today, [action("Later", 9), action("No date", None)])
    _walk_on(session, leader, "Library", today, [action("Done one", -30), action("Late", -2)])
    _walk_on(session, leader, "Warehouse", today, [action("Today", 0), action("Latest", -5)])
    done = session.exec(select(Action).where(Action.title == "Done one")).one()
    done.status = "done"
    session.commit()
    page = leader_client.get("/visits").text
    mine = page.split('id="my-actions"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<strong>([\w ]+)</strong>", mine) == [
        "Latest", "Late", "Today", "Later", "No date", "Done one",
    ]  # fmt: skip
    assert mine.count("badge sev-high") == 2  # overdue: Latest and Late, not the finished one


def test_my_actions_keep_the_five_finished_latest_and_say_how_many_before_them(
    leader_client: TestClient, session: Session, directory
) -> None:
    """A leader's list grows with every action they finish: every open one stays, the five
    finished most lately follow (the latest first), and the rest are counted, a tap away.
    The one just marked done comes first among the finished, with its Undo."""
    from app.models import User

    leader = session.exec(select(User).where(User.role == "leader")).one()
    today = date.today()
    actions = [{"title": f"Task {n:02d}", "owner": leader.email} for n in range(14)]
    _walk_on(session, leader, "Finance", today, actions)
    rows = session.exec(select(Action).order_by(col(Action.id))).all()
    for n, action in enumerate(rows[:12]):  # Task 00 finished first, Task 11 last
        action.status = "done" if n % 3 else "cant_do"
        action.completed_at = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=n)
    session.commit()

    def titles(page: str) -> list[str]:
        mine = page.split('id="my-actions"', 1)[1].split("</section>", 1)[0]
        return re.findall(r"<strong>([\w ]+)</strong>", mine)

    page = leader_client.get("/visits").text
    latest = [f"Task {n:02d}" for n in range(11, -1, -1)]
    assert titles(page) == ["Task 12", "Task 13", *latest[:5]]
    assert "7 finished actions before these." in page
    everything = leader_client.get("/visits?finished=all").text
    assert titles(everything) == ["Task 12", "Task 13", *latest]
    assert "before these" not in everything
    # In words, not the stored value: Task 00, 03, 06 and 09 could not be done.
    assert everything.count("· can&#39;t do</span>") == 4
    assert "cant" not in everything
    detail = leader_client.get(f"/visits/{rows[0].visit_id}").text
    assert detail.count("· can&#39;t do</span>") == 4

    token = csrf_from(page)
    done = leader_client.post(
        f"/actions/{rows[12].id}/status",
        data={"csrf_token": token, "status": "done", "previous": "open"},
        headers={"HX-Request": "true"},
    )
    assert titles(done.text) == ["Task 13", "Task 12", *latest[:4]]
    assert "8 finished actions before these." in done.text
    assert 'aria-label="Undo: Task 12 is not done"' in done.text

    # Opened in full, the list stays in full after a tap, with or without htmx.
    assert 'name="finished" value="all"' not in page
    assert everything.count('name="finished" value="all"') == 14
    undone = leader_client.post(
        f"/actions/{rows[12].id}/status",
        data={"csrf_token": token, "status": "open", "finished": "all"},
        headers={"HX-Request": "true"},
    )
    assert titles(undone.text) == ["Task 12", "Task 13", *latest]
    assert "before these" not in undone.text
    assert undone.text.count('name="finished" value="all"') == 14
    plain = leader_client.post(
        f"/actions/{rows[13].id}/status",
        data={"csrf_token": token, "status": "done", "finished": "all"},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"].startswith("/visits?finished=all")


def test_the_form_offers_the_departments_this_leader_walked_latest_first_then_the_rest(
    leader_client: TestClient, session: Session, make_user, tmp_path
) -> None:
    from app.models import User
    from app.services.departments import import_departments

    path = tmp_path / "departments.csv"
    path.write_text("department,headcount\n" + "".join(f"{n},20\n" for n in "EDCBA"))
    import_departments(session, path=path)
    leader = session.exec(select(User).where(User.role == "leader")).one()
    second = make_user("leader", "b@example.org")
    other = session.exec(select(User).where(User.email == second)).one()
    _walk_on(session, leader, "D", date(2026, 3, 1))
    _walk_on(session, leader, "B", date(2026, 5, 1))
    _walk_on(session, leader, "D", date(2026, 2, 1))  # D's latest stays 1 March
    _walk_on(session, other, "E", date(2026, 6, 1))  # another leader's walk: not theirs
    session.commit()
    page = leader_client.get("/visits/new").text
    listed = page.split('<datalist id="department-list">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'<option value="(\w)">', listed) == ["B", "D", "A", "C", "E"]


def test_the_roles_offered_are_the_leader_s_own_and_those_two_leaders_wrote(
    leader_client: TestClient, session: Session, make_user, directory
) -> None:
    """A name typed where the role belongs ("Jane Smith"), or a role one person holds, is
    offered back to the leader who wrote it and to no other leader: the form's list of
    roles is on every leader's phone."""
    from app.models import User

    leader = session.exec(select(User).where(User.role == "leader")).one()
    other = session.exec(select(User).where(User.email == make_user("leader", "b@x.org"))).one()
    _walk_on(session, other, "Finance", date(2026, 3, 1), role="Jane Smith")
    _walk_on(session, other, "Finance", date(2026, 3, 2), role="Nurse")
    _walk_on(session, leader, "Finance", date(2026, 3, 3), role="Nurse")
    _walk_on(session, leader, "Finance", date(2026, 3, 4), role="Porter")
    session.commit()

    def offered(client: TestClient) -> list[str]:
        page = client.get("/visits/new").text
        listed = page.split('<datalist id="role-suggestions">', 1)[1].split("</datalist>", 1)[0]
        return re.findall(r'<option value="([^"]+)">', listed)

    assert offered(leader_client) == ["Nurse", "Porter"]
    from tests.conftest import log_in

    second = TestClient(leader_client.app)
    log_in(second, "b@x.org")
    assert offered(second) == ["Nurse", "Jane Smith"]


def test_an_e_mail_address_as_the_role_is_refused_at_its_field(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    data = walk_form(token)
    data["conversations-0-person_role"] = "jane.smith@example.org"
    response = leader_client.post("/visits", data=data)
    assert response.status_code == 422
    said = re.search(r'id="conversations-0-person_role-error">([^<]+)<', response.text)
    assert said and said.group(1) == (
        "the person&#39;s role looks like an e-mail address: write their role, never who they are"
    )
    assert _count(session, Visit) == 0
