"""Editing a saved walk: within seven days, with its history kept; actions, the decision
and new ideas included; sent again, it changes nothing more."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Action, Idea, PriorityDecision, Visit, VisitEdit
from tests.builders import walk_form
from tests.conftest import csrf_from


def _saved_walk(client: TestClient, session: Session) -> tuple[str, int]:
    """A walk the leader saved from the form: the form's CSRF token and the walk's id."""
    token = csrf_from(client.get("/visits/new").text)
    client.post("/visits", data=walk_form(token))
    return token, session.exec(select(Visit.id)).one()


def test_edit_within_seven_days_keeps_history(
    leader_client: TestClient, session: Session, directory
) -> None:
    token, visit_id = _saved_walk(leader_client, session)
    form = leader_client.get(f"/visits/{visit_id}/edit")
    assert form.status_code == 200 and 'value="clerk"' in form.text
    # The phone keeps unsaved changes with the moment they can no longer be saved.
    logged = session.exec(select(Visit.created_at)).one()
    closes = (logged + timedelta(days=7)).isoformat(timespec="seconds")
    assert f'data-edit-until="{closes}"' in form.text
    action_id = session.exec(select(Action.id)).one()
    assert f'name="actions-0-id" value="{action_id}"' in form.text
    edited = walk_form(
        token,
        department="Warehouse",
        **{"conversations-0-observed_score": "1", "actions-0-id": str(action_id)},
    )
    response = leader_client.post(f"/visits/{visit_id}/edit", data=edited)
    assert response.status_code == 303
    detail = leader_client.get(f"/visits/{visit_id}")
    assert "Warehouse" in detail.text and "changed conversations, department" in detail.text
    # Eight days on, the walk is closed to its leader.
    session.rollback()
    visit = session.get(Visit, visit_id)
    assert visit is not None
    from app.models.types import utcnow

    visit.created_at = utcnow() - timedelta(days=8)
    session.add(visit)
    session.commit()
    assert leader_client.get(f"/visits/{visit_id}/edit").status_code == 403
    assert leader_client.post(f"/visits/{visit_id}/edit", data=edited).status_code == 403


def test_edit_covers_actions_the_decision_and_new_ideas(
    leader_client: TestClient, session: Session, directory
) -> None:
    token = csrf_from(leader_client.get("/visits/new").text)
    decision = {
        "decision_title": "A second scanner",
        "decision_owner_role": "Head of Finance",
        "decision_owner_email": "head@example.org",
    }
    leader_client.post("/visits", data=walk_form(token, **decision))
    visit_id = session.exec(select(Visit.id)).one()
    form = leader_client.get(f"/visits/{visit_id}/edit").text
    assert 'value="A second scanner"' in form and 'value="Replace printer"' in form
    edited = walk_form(
        token,
        **{
            **decision,
            "decision_title": "Two more scanners",
            "actions-0-id": str(session.exec(select(Action.id)).one()),
            "actions-0-title": "Replace the printer on floor 3",
            "actions-1-title": "Tell the team",
            "actions-1-owner": "leader@example.org",
            "actions-1-due_date": "",
            "conversations-0-idea_what": "A shared scanner queue",
        },
    )
    assert leader_client.post(f"/visits/{visit_id}/edit", data=edited).status_code == 303
    session.rollback()
    assert sorted(session.exec(select(Action.title)).all()) == [
        "Replace the printer on floor 3",
        "Tell the team",
    ]
    assert session.exec(select(PriorityDecision.title)).all() == ["Two more scanners"]
    assert session.exec(select(Idea.what)).all() == ["A shared scanner queue"]
    detail = leader_client.get(f"/visits/{visit_id}").text
    for shown in (
        "Two more scanners",
        "Head of Finance",
        "A shared scanner queue",
        "Tell the team",
    ):
        assert shown in detail
    assert "changed actions, priority decision" in detail
    # The same edit again adds nothing; an action removed from the form is removed.
    assert leader_client.post(f"/visits/{visit_id}/edit", data=edited).status_code == 303
    del edited["actions-1-title"], edited["actions-1-owner"], edited["actions-1-due_date"]
    assert leader_client.post(f"/visits/{visit_id}/edit", data=edited).status_code == 303
    session.rollback()
    assert session.exec(select(Action.title)).all() == ["Replace the printer on floor 3"]
    assert len(session.exec(select(Idea.id)).all()) == 1


def test_a_backfilled_walk_edited_twice_from_pages_opened_afresh_gains_one_idea(
    leader_client: TestClient, session: Session, directory
) -> None:
    """A walk backfilled from a spreadsheet has no client_id. Its edit page gives it the same
    one each time, so the leader who saves an idea, loses the answer and saves again from
    the edit page opened afresh adds the idea once."""
    token = csrf_from(leader_client.get("/visits/new").text)
    leader_client.post("/visits", data=walk_form(token))
    visit = session.exec(select(Visit)).one()
    visit.client_id = None
    session.add(visit)
    session.commit()
    pages = [leader_client.get(f"/visits/{visit.id}/edit").text for _ in range(2)]
    given = [re.search(r'name="client_id" value="([^"]+)"', page) for page in pages]
    assert given[0] and given[1] and given[0].group(1) == given[1].group(1)
    for found in given:
        assert found is not None
        edited = walk_form(
            token,
            client_id=found.group(1),
            **{
                "actions-0-id": str(session.exec(select(Action.id)).one()),
                "conversations-0-idea_what": "A shared scanner queue",
            },
        )
        assert leader_client.post(f"/visits/{visit.id}/edit", data=edited).status_code == 303
    session.rollback()
    assert session.exec(select(Idea.what)).all() == ["A shared scanner queue"]
    assert session.get(Visit, visit.id).client_id is None  # type: ignore[union-attr]


def test_an_admin_edits_a_walk_with_no_deadline_for_the_phone(
    leader_client: TestClient, admin_client: TestClient, session: Session, directory
) -> None:
    token, visit_id = _saved_walk(leader_client, session)
    form = admin_client.get(f"/visits/{visit_id}/edit")
    assert form.status_code == 200 and 'value="clerk"' in form.text
    assert "data-edit-until" not in form.text


def _version(page: str) -> str:
    match = re.search(r'name="version" value="([^"]+)"', page)
    assert match, "the edit form carries no version"
    return match.group(1)


def test_an_edit_opened_before_another_was_saved_does_not_undo_it(
    leader_client: TestClient, admin_client: TestClient, session: Session, directory
) -> None:
    """The leader opens the edit form; an admin saves a change meanwhile. The leader's save
    is refused with their changes shown, naming who changed the walk, until they save again
    having seen it; the admin's change is never undone without a word."""
    token, visit_id = _saved_walk(leader_client, session)  # at the 3rd floor
    action_id = str(session.exec(select(Action.id)).one())
    opened = _version(leader_client.get(f"/visits/{visit_id}/edit").text)
    admin_page = admin_client.get(f"/visits/{visit_id}/edit").text
    admin_form = walk_form(
        csrf_from(admin_page),
        location="Stores",
        version=_version(admin_page),
        **{"actions-0-id": action_id},
    )
    assert admin_client.post(f"/visits/{visit_id}/edit", data=admin_form).status_code == 303
    mine = walk_form(token, location="Canteen", version=opened, **{"actions-0-id": action_id})
    refused = leader_client.post(f"/visits/{visit_id}/edit", data=mine)
    assert refused.status_code == 409
    assert re.search(
        r"This walk was changed by admin@example\.org at \d{4}-\d\d-\d\d \d\d:\d\d UTC, after"
        r" you opened it\. Your changes are below, not saved",
        refused.text,
    )
    assert 'value="Canteen"' in refused.text
    session.rollback()
    assert session.get(Visit, visit_id).location == "Stores"  # type: ignore[union-attr]
    assert len(session.exec(select(VisitEdit)).all()) == 1  # the admin's alone
    # Saved again from the form that came back: the leader's change replaces the admin's.
    again = walk_form(token, location="Canteen", version=_version(refused.text))
    again["actions-0-id"] = action_id
    assert leader_client.post(f"/visits/{visit_id}/edit", data=again).status_code == 303
    session.rollback()
    assert session.get(Visit, visit_id).location == "Canteen"  # type: ignore[union-attr]
    # The same form sent twice (an answer lost on the way) changes nothing, and goes through.
    assert leader_client.post(f"/visits/{visit_id}/edit", data=again).status_code == 303
    assert len(session.exec(select(VisitEdit)).all()) == 2


def test_a_change_made_outside_the_edit_form_is_nobody_named(
    leader_client: TestClient, session: Session, directory
) -> None:
    """The walk's own earlier edit is not blamed for a change made since by other means (a
    walks file imported again)."""
    from app.models.types import utcnow

    token, visit_id = _saved_walk(leader_client, session)
    action_id = str(session.exec(select(Action.id)).one())
    first = walk_form(token, location="Canteen", **{"actions-0-id": action_id})
    assert leader_client.post(f"/visits/{visit_id}/edit", data=first).status_code == 303
    opened = _version(leader_client.get(f"/visits/{visit_id}/edit").text)
    session.rollback()  # a fresh snapshot, after the app's own writes
    visit = session.get(Visit, visit_id)
    assert visit is not None
    visit.location, visit.updated_at = "Imported", utcnow()
    session.add(visit)
    session.commit()
    mine = walk_form(token, location="Stores", version=opened, **{"actions-0-id": action_id})
    refused = leader_client.post(f"/visits/{visit_id}/edit", data=mine)
    assert refused.status_code == 409
    assert "This walk was changed by someone at " in refused.text
