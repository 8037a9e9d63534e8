"""Admin in the browser: add a login (a one-time password the user replaces), change a role,
deactivate (sessions and tokens end at once), reset a password; the minimum group size."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ApiToken, AuditEvent, User, UserSession
from app.services.users import create_api_token
from tests.builders import QUALTRICS, load_sample
from tests.conftest import PASSWORD, csrf_from, log_in

NEW_PASSWORD = "a-long-password-of-mine"


def _post(client: TestClient, path: str, data: dict[str, str], page: str = "/admin/users"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token})


def _one_time_password(html: str) -> str:
    match = re.search(r'<p class="secret"><code>([^<]+)</code></p>', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def test_an_admin_adds_a_leader_who_chooses_a_password_and_signs_in(
    app, admin_client: TestClient, session: Session
) -> None:
    added = _post(
        admin_client, "/admin/users", {"email": " New.Lead@Example.org ", "role": "leader"}
    )
    assert added.status_code == 200
    assert "One-time password for new.lead@example.org" in added.text
    password = _one_time_password(added.text)
    assert len(password) == 16
    stored = session.exec(select(User).where(User.email == "new.lead@example.org")).one()
    assert stored.role == "leader" and stored.must_change_password
    assert password not in stored.password_hash
    # The same e-mail again, in another case: refused by name, nothing added.
    again = _post(admin_client, "/admin/users", {"email": "NEW.LEAD@example.org", "role": "admin"})
    assert again.status_code == 422
    assert "A user with the e-mail new.lead@example.org already exists" in again.text
    assert len(session.exec(select(User)).all()) == 2
    with TestClient(app, follow_redirects=False) as leader:
        assert log_in(leader, "new.lead@example.org", password).status_code == 303
        # Every page waits until they choose their own password.
        assert leader.get("/visits").headers["location"] == "/account/password"
        assert leader.get("/api/v1/visits").status_code == 403
        form = leader.get("/account/password")
        assert "Choose your password" in form.text
        short = leader.post(
            "/account/password",
            data={
                "current": password,
                "new": "short",
                "confirm": "short",
                "csrf_token": csrf_from(form.text),
            },
        )
        assert short.status_code == 422 and "Choose at least 12 characters." in short.text
        changed = leader.post(
            "/account/password",
            data={
                "current": password,
                "new": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "csrf_token": csrf_from(form.text),
            },
        )
        assert changed.headers["location"] == "/?flash=password-changed"
        assert leader.get("/visits").status_code == 200
    with TestClient(app, follow_redirects=False) as again_client:
        assert log_in(again_client, "new.lead@example.org", password).status_code == 401
        assert log_in(again_client, "new.lead@example.org", NEW_PASSWORD).status_code == 303


def test_deactivating_ends_sessions_and_tokens_at_once(
    app, admin_client: TestClient, leader_client: TestClient, session: Session
) -> None:
    token = create_api_token(session, email="leader@example.org")
    session.commit()
    assert leader_client.get("/visits").status_code == 200
    leader = session.exec(select(User).where(User.role == "leader")).one()
    done = _post(admin_client, f"/admin/users/{leader.id}/active", {"active": "false"})
    assert done.headers["location"] == "/admin/users?flash=user-deactivated"
    assert leader_client.get("/visits").status_code == 303  # to the login page
    api = TestClient(app).get("/api/v1/visits", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    session.rollback()  # a fresh snapshot: the app wrote through its own connections
    assert session.exec(select(UserSession).where(UserSession.user_id == leader.id)).all() == []
    assert all(t.revoked_at for t in session.exec(select(ApiToken)))
    with TestClient(app, follow_redirects=False) as fresh:
        assert log_in(fresh, "leader@example.org", PASSWORD).status_code == 401
    back = _post(admin_client, f"/admin/users/{leader.id}/active", {"active": "true"})
    assert back.headers["location"] == "/admin/users?flash=user-activated"
    with TestClient(app, follow_redirects=False) as fresh:
        assert log_in(fresh, "leader@example.org", PASSWORD).status_code == 303


def test_a_role_change_applies_at_the_next_page_and_the_last_admin_stays(
    admin_client: TestClient, leader_client: TestClient, session: Session
) -> None:
    leader = session.exec(select(User).where(User.role == "leader")).one()
    assert leader_client.get("/dashboard").status_code == 403
    changed = _post(admin_client, f"/admin/users/{leader.id}/role", {"role": "executive"})
    assert changed.headers["location"] == "/admin/users?flash=user-updated"
    assert leader_client.get("/dashboard").status_code == 200
    admin = session.exec(select(User).where(User.role == "admin")).one()
    demoted = _post(admin_client, f"/admin/users/{admin.id}/role", {"role": "leader"})
    assert demoted.status_code == 409
    assert "is the only active admin: make another admin first" in demoted.text
    off = _post(admin_client, f"/admin/users/{admin.id}/active", {"active": "false"})
    assert off.status_code == 409
    unknown = _post(admin_client, f"/admin/users/{leader.id}/role", {"role": "owner"})
    assert unknown.status_code == 409 and "unknown role &#39;owner&#39;" in unknown.text
    assert _post(admin_client, "/admin/users/999999/role", {"role": "leader"}).status_code == 404
    session.rollback()  # a fresh snapshot: the app wrote through its own connections
    assert session.get(User, admin.id).role == "admin"  # type: ignore[union-attr]
    events = [e.action for e in session.exec(select(AuditEvent)) if e.action.startswith("user.")]
    assert "user.role" in events


def test_a_reset_password_ends_sessions_and_must_be_replaced(
    app, admin_client: TestClient, leader_client: TestClient, session: Session
) -> None:
    leader = session.exec(select(User).where(User.role == "leader")).one()
    reset = _post(admin_client, f"/admin/users/{leader.id}/password", {})
    password = _one_time_password(reset.text)
    assert leader_client.get("/visits").status_code == 303  # signed out everywhere
    with TestClient(app, follow_redirects=False) as fresh:
        assert log_in(fresh, "leader@example.org", PASSWORD).status_code == 401
        assert log_in(fresh, "leader@example.org", password).status_code == 303
        assert fresh.get("/").headers["location"] == "/account/password"


def test_only_admins_manage_users_and_a_form_needs_its_token(
    leader_client: TestClient, admin_client: TestClient, session: Session
) -> None:
    token = csrf_from(leader_client.get("/visits").text)
    for path in ("/admin/users", "/admin/users/1/role", "/admin/settings"):
        response = leader_client.post(path, data={"csrf_token": token, "role": "admin"})
        assert response.status_code == 403, path
    assert admin_client.post("/admin/users", data={"email": "x@example.org"}).status_code == 403
    assert len(session.exec(select(User)).all()) == 2


def test_the_minimum_group_size_is_set_in_the_browser_for_every_report(
    admin_client: TestClient, executive_client: TestClient, session: Session
) -> None:
    load_sample(session, QUALTRICS, name="Autumn")
    before = executive_client.get("/api/v1/reports/Autumn").json()
    assert before["min_group_size"] == 5
    page = admin_client.get("/admin/settings")
    assert 'value="5"' in page.text
    for bad, words in (("2", "choose between 3 and 50"), ("five", "enter a whole number")):
        refused = _post(admin_client, "/admin/settings", {"min_group_size": bad}, "/admin/settings")
        assert refused.status_code == 422 and words in refused.text
    saved = _post(admin_client, "/admin/settings", {"min_group_size": "10"}, "/admin/settings")
    assert saved.headers["location"] == "/admin/settings?flash=settings-saved"
    after = executive_client.get("/api/v1/reports/Autumn").json()
    assert after["min_group_size"] == 10
    rows = {d["department"]: d for d in after["departments"]}
    # Strategy: 30 rated, shown at 10 as at 5; Board Office's 8 conversations no longer are.
    assert rows["Strategy"]["survey_score"] is not None
    assert rows["Board Office"]["observed_score"] is None
    assert {d["department"]: d for d in before["departments"]}["Board Office"][
        "observed_score"
    ] is not None
