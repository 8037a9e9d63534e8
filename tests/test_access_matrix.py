"""Every route, called by every role, answers as this one table says."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Visit
from app.services.departments import import_departments
from app.services.users import create_api_token
from tests.builders import GENERIC, load_sample
from tests.conftest import log_in

ROLES = ("anonymous", "leader", "analyst", "executive", "admin")
# method, path -> status per role, in ROLES order. 303: to the login page.
PAGES = {
    ("GET", "/"): (303, 200, 200, 200, 200),
    ("GET", "/login"): (200, 200, 200, 200, 200),
    ("GET", "/healthz"): (200, 200, 200, 200, 200),
    ("GET", "/visits"): (303, 200, 403, 403, 200),
    ("GET", "/visits/new"): (303, 200, 403, 403, 200),
    ("GET", "/visits/{visit}"): (303, 200, 403, 403, 200),
    ("GET", "/visits/{visit}/edit"): (303, 200, 403, 403, 200),
    ("GET", "/csrf-token"): (303, 200, 200, 200, 200),
    ("GET", "/reports"): (303, 403, 200, 403, 200),
    ("GET", "/reports/S"): (303, 403, 200, 403, 200),
    ("GET", "/reports/S/export.csv"): (303, 403, 200, 200, 200),
    ("GET", "/reports/S/export.html"): (303, 403, 200, 200, 200),
    ("GET", "/reports/S/heatmap.png"): (303, 403, 200, 200, 200),
    ("GET", "/reports/S/export.pdf"): (303, 403, 200, 200, 200),
    ("GET", "/imports/survey"): (303, 403, 200, 403, 200),
    ("GET", "/imports/jobs/nope"): (303, 403, 404, 403, 404),
    ("GET", "/dashboard"): (303, 403, 200, 200, 200),
    ("GET", "/dashboard/department?survey=S&name=Legal"): (303, 403, 200, 200, 200),
    ("GET", "/admin/users"): (303, 403, 403, 403, 200),
    ("GET", "/admin/themes"): (303, 403, 403, 403, 200),
    ("GET", "/admin/settings"): (303, 403, 403, 403, 200),
    ("GET", "/account/password"): (303, 200, 200, 200, 200),
    ("GET", "/account/two-step"): (303, 200, 200, 200, 200),
    ("GET", "/login/two-step"): (303, 303, 303, 303, 303),  # no password given first
    ("GET", "/login/oidc"): (404, 404, 404, 404, 404),  # single sign-on is not set up here
    ("GET", "/login/oidc/callback"): (404, 404, 404, 404, 404),
    ("GET", "/programme"): (303, 200, 200, 200, 200),
    ("GET", "/account/calendar"): (303, 200, 200, 200, 200),
    ("GET", "/calendar/not-a-token.ics"): (404, 404, 404, 404, 404),
    ("GET", "/sw.js"): (200, 200, 200, 200, 200),
    ("GET", "/offline"): (200, 200, 200, 200, 200),
    ("GET", "/static/plotly-basic.min.js"): (200, 200, 200, 200, 200),
    ("GET", "/openapi.json"): (200, 200, 200, 200, 200),
    ("GET", "/api/docs"): (200, 200, 200, 200, 200),
    ("GET", "/ideas"): (303, 200, 403, 403, 200),
    ("GET", "/ideas/export.csv"): (303, 200, 403, 403, 200),
    ("GET", "/decisions"): (303, 200, 200, 200, 200),
    ("GET", "/decisions/export.csv"): (303, 200, 200, 200, 200),
    ("GET", "/services"): (303, 200, 200, 200, 200),
    ("GET", "/tickets"): (303, 403, 200, 403, 200),
    ("GET", "/tickets/uploads/not-an-upload"): (303, 403, 404, 403, 404),
}
API = {
    ("GET", "/api/v1/departments"): (401, 200, 200, 200, 200),
    ("GET", "/api/v1/visits"): (401, 200, 200, 403, 200),
    ("POST", "/api/v1/visits"): (401, 201, 403, 403, 201),
    ("POST", "/api/v1/surveys/New/import"): (401, 403, 422, 403, 422),
    ("GET", "/api/v1/reports/S"): (401, 403, 200, 200, 200),
    ("GET", "/api/v1/reports/S/heatmap"): (401, 403, 200, 200, 200),
    ("GET", "/api/v1/themes"): (401, 200, 200, 200, 200),
    ("GET", "/api/v1/surveys"): (401, 403, 200, 200, 200),
    ("GET", "/api/v1/visits/{visit}"): (401, 200, 200, 403, 200),
    ("GET", "/api/v1/actions"): (401, 200, 200, 403, 200),
    ("POST", "/api/v1/actions/999999/status"): (401, 404, 403, 403, 404),
    ("GET", "/api/v1/ideas"): (401, 200, 200, 200, 200),
    ("POST", "/api/v1/ideas/999999/status"): (401, 404, 403, 403, 404),
    ("GET", "/api/v1/priority-decisions"): (401, 200, 200, 200, 200),
    ("POST", "/api/v1/priority-decisions/999999/status"): (401, 404, 403, 403, 404),
    ("GET", "/api/v1/services"): (401, 200, 200, 200, 200),
    ("POST", "/api/v1/surveys/Nope/publish"): (401, 403, 404, 403, 404),
    ("POST", "/api/v1/surveys/Nope/withdraw"): (401, 403, 404, 403, 404),
    ("GET", "/api/v1/schedules"): (401, 200, 200, 200, 200),
    ("GET", "/api/v1/tickets"): (401, 403, 200, 403, 200),
    ("POST", "/api/v1/tickets/New/import"): (401, 403, 422, 403, 422),
    ("POST", "/api/v1/schedules"): (401, 403, 403, 403, 201),
    ("GET", "/api/v1/schedules/999999/occurrences"): (401, 404, 404, 404, 404),
}
STATUS_BODIES = {
    "actions": {"status": "done"},
    "ideas": {"status": "exploring"},
    "priority-decisions": {"status": "with_it"},
}
# Routes that only take posted forms (CSRF-checked, tested where they live) or uploads.
FORM_ONLY = {
    "/login",
    "/logout",
    "/visits",
    "/visits/{visit_id}/edit",
    "/imports/survey",
    "/imports/survey/{upload_id}",
    "/imports/survey/{upload_id}/import",
    "/imports/departments",
    "/actions/{action_id}/status",
    "/admin/themes",
    "/admin/themes/{theme_id}",
    "/ideas/{idea_id}/status",
    "/decisions/{decision_id}/status",
    "/services",
    "/reports/{survey:path}/publish",
    "/admin/users/{user_id}/role",
    "/admin/users/{user_id}/active",
    "/admin/users/{user_id}/password",
    "/reports/{survey:path}/withdraw",
    "/admin/settings/two-step",
    "/account/two-step/off",
    "/account/two-step/recovery-codes",
    "/admin/users/{user_id}/two-step-off",
    "/programme/schedules",
    "/programme/schedules/{schedule_id}/delete",
    "/account/calendar/off",
    "/account/reminders",
    "/tickets/upload",
    "/tickets/uploads/{upload_id}/import",
    "/tickets/categories",
    "/tickets/exports/{export_id}/delete",
}
UNDOCUMENTED = {"", "/static", "/vendor/swagger-ui", "/openapi.json"}


def test_the_table_covers_every_route(app) -> None:
    listed = {p.split("?")[0].replace("{visit}", "{visit_id}") for _, p in PAGES | API}
    listed = {
        p.replace("/S/", "/{survey}/")
        .replace("/reports/S", "/reports/{survey}")
        .replace("/surveys/S/", "/surveys/{name:path}/")
        .replace("/surveys/New/", "/surveys/{name:path}/")
        .replace("/surveys/Nope/", "/surveys/{name:path}/")
        .replace("/actions/999999/", "/actions/{action_id}/")
        .replace("/ideas/999999/", "/ideas/{idea_id}/")
        .replace("/priority-decisions/999999/", "/priority-decisions/{decision_id}/")
        .replace("/imports/jobs/nope", "/imports/jobs/{job_id}")
        .replace("/schedules/999999/", "/schedules/{schedule_id}/")
        .replace("/calendar/not-a-token.ics", "/calendar/{token}.ics")
        .replace("/tickets/New/", "/tickets/{name:path}/")
        .replace("/uploads/not-an-upload", "/uploads/{upload_id}")
        .replace("/reports/{survey}", "/reports/{survey:path}")
        for p in listed
    }
    routes = _paths(app.routes)
    assert "/api/v1/visits" in routes and "/visits/new" in routes  # the walk reaches routers
    missing = routes - listed - FORM_ONLY - UNDOCUMENTED
    assert missing == set()


def _paths(routes: list, prefix: str = "") -> set[str]:  # type: ignore[type-arg]
    """Every route's path, into included routers too."""
    found: set[str] = set()
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            found |= _paths(original.routes, prefix + route.include_context.prefix)
        else:
            found.add(prefix + getattr(route, "path", ""))
    return found


@pytest.fixture
def world(session: Session, make_user, tmp_path: Path) -> dict[str, object]:
    load_sample(session, GENERIC, name="S")
    session.commit()
    extra = tmp_path / "more.csv"
    extra.write_text("department,headcount\nLegal,65\n")
    import_departments(session, path=extra)
    session.commit()
    emails = {role: make_user(role) for role in ROLES[1:]}
    tokens = {role: create_api_token(session, email=email) for role, email in emails.items()}
    session.commit()
    return {"emails": emails, "tokens": tokens}


def _visit_body() -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid4()),
        "department": "Legal",
        "visit_date": "2026-11-02",
        "conversations": [{"person_role": "clerk", "observed_score": 3}],
    }


def test_every_route_for_every_role(app, session: Session, world) -> None:
    failures = []
    for index, role in enumerate(ROLES):
        with TestClient(app, follow_redirects=False) as client:
            headers = {}
            if role != "anonymous":
                log_in(client, world["emails"][role])  # type: ignore[index]
                headers = {"Authorization": f"Bearer {world['tokens'][role]}"}  # type: ignore[index]
            # A walk of the leader's own, for the walk pages.
            leader_visit = session.exec(
                select(Visit).where(Visit.leader_name == "leader@example.org")
            ).first()
            if leader_visit is None:
                with TestClient(app) as leader_api:
                    leader_api.post(
                        "/api/v1/visits",
                        json=_visit_body(),
                        headers={"Authorization": f"Bearer {world['tokens']['leader']}"},
                    )  # type: ignore[index]
                session.rollback()
                leader_visit = session.exec(
                    select(Visit).where(Visit.leader_name == "leader@example.org")
                ).one()
            for (method, path), statuses in PAGES.items():
                url = path.replace("{visit}", str(leader_visit.id))
                got = client.request(method, url).status_code
                if got != statuses[index]:
                    failures.append(f"{role} {method} {url}: {got}, expected {statuses[index]}")
            for (method, path), statuses in API.items():
                kwargs: dict[str, object] = {"headers": headers}
                if path == "/api/v1/visits" and method == "POST":
                    kwargs["json"] = _visit_body()
                if path == "/api/v1/schedules" and method == "POST":
                    kwargs["json"] = {"department": "Legal", "leaders": ["leader@example.org"],
                                      "every_days": 7, "window_days": 3,
                                      "starts_on": "2026-11-02"}  # fmt: skip
                if path.endswith("/status"):
                    kwargs["json"] = STATUS_BODIES[path.split("/")[3]]
                path = path.replace("{visit}", str(leader_visit.id))
                if path.endswith("/import"):
                    kwargs["files"] = {"file": ("s.csv", b"department\nnowhere\n", "text/csv")}
                with TestClient(app, follow_redirects=False) as api:
                    got = api.request(method, path, **kwargs).status_code  # type: ignore[arg-type]
                if got != statuses[index]:
                    failures.append(f"{role} {method} {path}: {got}, expected {statuses[index]}")
    assert failures == []
