"""`walkabout demo`: a realistic organisation to explore, made through the real services."""

import secrets
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from app.ingest.survey_plan import SurveyOptions
from app.models import Department, User, VisitCreate
from app.services.demo_data import write_survey, write_visits
from app.services.departments import import_departments
from app.services.surveys import import_survey
from app.services.users import create_user, find_user_by_email
from app.services.visit_import import import_visits
from app.services.visits import create_visit

DEMO_DEPARTMENTS = [
    ("Finance", 84, "Corporate"),
    ("Human Resources", 41, "Corporate"),
    ("Legal", 23, "Corporate"),
    ("Procurement", 37, "Corporate"),
    ("Customer Service", 156, "Operations"),
    ("Warehouse", 118, "Operations"),
    ("Logistics", 72, "Operations"),
    ("Facilities", 6, "Operations"),
    ("Sales", 95, "Commercial"),
    ("Marketing", 48, "Commercial"),
    ("Research", 63, "Commercial"),
    ("Clinic", 131, "Services"),
    ("Laboratory", 54, "Services"),
    ("Records", 29, "Services"),
]
DEMO_ROLES = ("leader", "analyst", "executive", "admin")
OTHER_LEADERS = ("cio@demo.walkabout.example", "deskmanager@demo.walkabout.example")


def database_is_empty(session: Session) -> bool:
    """True when no user and no department exist yet."""
    users = session.exec(select(func.count()).select_from(User)).one()
    departments = session.exec(select(func.count()).select_from(Department)).one()
    return int(users) == 0 and int(departments) == 0


def load_demo(session: Session) -> list[tuple[str, str, str]] | None:
    """Fill an empty database; returns (role, e-mail, password) per login, or None."""
    if not database_is_empty(session):
        return None
    logins = []
    for role in DEMO_ROLES:
        email = f"{role}@demo.walkabout.example"
        password = secrets.token_urlsafe(12)
        create_user(session, email=email, role=role, password=password)
        logins.append((role, email, password))
    for email in OTHER_LEADERS:
        create_user(session, email=email, role="leader", password=secrets.token_urlsafe(16))
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "departments.csv"
        lines = ["department,headcount,division"]
        lines += [f"{n},{h},{d}" for n, h, d in DEMO_DEPARTMENTS]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_departments(session, path=path)
        rounds = (
            ("Spring survey", today - timedelta(days=230), 1, 0.03),
            ("Autumn survey", today - timedelta(days=45), 2, 0.0),
        )
        for name, start, seed, shift in rounds:
            survey = write_survey(
                folder / f"{seed}.csv", DEMO_DEPARTMENTS, start=start, seed=seed, shift=shift
            )
            import_survey(session, path=survey, name=name, options=SurveyOptions())
        leaders = [logins[0][1], *OTHER_LEADERS]
        visits = write_visits(folder / "visits.csv", DEMO_DEPARTMENTS, leaders, today=today, seed=3)
        import_visits(session, path=visits)
    _demo_walk_with_actions(session, leader_email=logins[0][1], today=today)
    return logins


def _demo_walk_with_actions(session: Session, *, leader_email: str, today: date) -> None:
    """One walk logged the way the phone does, with follow-up actions (one overdue)."""
    leader = find_user_by_email(session, email=leader_email)
    assert leader is not None
    create_visit(
        session,
        leader=leader,
        data=VisitCreate.model_validate(
            {
                "client_id": str(uuid.uuid4()),
                "department": "Logistics",
                "visit_date": (today - timedelta(days=2)).isoformat(),
                "location": "Loading bay office",
                "manager_present": False,
                "setting": "open",
                "conversations": [
                    {
                        "person_role": "dispatcher",
                        "stated_score": 4,
                        "observed_score": 2,
                        "issues": ["Devices", "Network and VPN"],
                        "unreported": 2,
                        "end_run": True,
                        "notes": "Scanner drops Wi-Fi in the yard; calls a friend in IT",
                    },
                    {
                        "person_role": "team lead",
                        "stated_score": 3,
                        "observed_score": 2,
                        "issues": ["Service desk responsiveness"],
                        "unreported": 0,
                        "end_run": False,
                        "notes": "Tickets closed without asking whether the fix worked",
                    },
                ],
                "actions": [
                    {
                        "title": "Survey Wi-Fi coverage in the yard",
                        "owner": leader_email,
                        "due_date": (today - timedelta(days=1)).isoformat(),
                    },
                    {
                        "title": "Agree ticket closure check with the service desk",
                        "owner": leader_email,
                        "due_date": (today + timedelta(days=14)).isoformat(),
                        "status": "in_progress",
                    },
                ],
            }
        ),
    )
