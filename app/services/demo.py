"""`walkabout demo`: a realistic organisation to explore, made through the real services."""

import secrets
import tempfile
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.ingest.survey_options import SurveyOptions
from app.ingest.ticket_plan import TicketOptions
from app.models import Action, CatalogueEntryCreate, Department, User, Visit, VisitCreate
from app.services.catalogue import save_catalogue_entry
from app.services.demo_data import LETS_ME_DOWN, write_survey, write_visits
from app.services.demo_tickets import write_tickets
from app.services.departments import import_departments
from app.services.import_jobs import record_import_job
from app.services.survey_publishing import publish_survey
from app.services.surveys import import_survey
from app.services.tickets import import_tickets
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
# The roles the department list names (for "who has not been heard"); some are never met
# on the demo's walks.
DEPARTMENT_ROLES = {
    "Finance": "Clerk; Analyst; Team lead; Manager; Payroll officer",
    "Customer Service": "Assistant; Team lead; Manager; Night-shift agent",
    "Warehouse": "Driver; Picker; Team lead",
    "Clinic": "Nurse; Assistant; Receptionist; Manager",
    "Laboratory": "Engineer; Analyst; Technician",
}
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
    _demo_sign_ins(session)
    today = date.today()
    analyst = find_user_by_email(session, email=logins[1][1])
    assert analyst is not None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "departments.csv"
        lines = ["department,headcount,division,roles"]
        lines += [f"{n},{h},{d},{DEPARTMENT_ROLES.get(n, '')}" for n, h, d in DEMO_DEPARTMENTS]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_departments(session, path=path)
        # Three published rounds make a trend; the newest import is a draft an analyst has
        # yet to check and publish, so executives do not see it.
        # The draft's export holds the autumn round's answers again (the tool exported every
        # response to date), left out at import, and adds a question worded the other way;
        # three people gave up before the department question (left out, and said).
        rounds = (
            ("Last year's survey", today - timedelta(days=410), 4, 0.06, True),
            ("Spring survey", today - timedelta(days=230), 1, 0.03, True),
            ("Autumn survey", today - timedelta(days=45), 2, 0.0, True),
            ("Winter pulse", today - timedelta(days=15), 5, -0.1, False),
        )
        for name, start, seed, shift, published in rounds:
            draft = not published
            survey = write_survey(
                folder / f"{seed}.csv",
                DEMO_DEPARTMENTS,
                start=start,
                seed=seed,
                shift=shift,
                earlier=folder / "2.csv" if draft else None,
                worded_the_other_way=draft,
                gave_up=3 if draft else 0,
            )
            options = SurveyOptions(
                reversed_columns=(LETS_ME_DOWN,) if draft else (), new_responses_only=draft
            )
            result = import_survey(session, path=survey, name=name, options=options)
            if published:
                publish_survey(session, name=name, actor_id=analyst.id)
            record_import_job(
                session,
                user=analyst,
                file_name=f"{name.lower().replace(' ', '-')}.csv",
                result=result,
            )
        leaders = [logins[0][1], *OTHER_LEADERS]
        visits = write_visits(folder / "visits.csv", DEMO_DEPARTMENTS, leaders, today=today, seed=3)
        import_visits(session, path=visits)
        tickets = write_tickets(folder / "incidents.csv", DEMO_DEPARTMENTS, today=today, seed=7)
        import_tickets(
            session, path=tickets, name="Service desk incidents", options=TicketOptions()
        )
    _demo_walk_with_actions(session, leader_email=logins[0][1], today=today)
    _demo_finished_actions(session, leader_email=logins[0][1], today=today)
    _demo_schedules(session, leaders=[logins[0][1], *OTHER_LEADERS], today=today)
    return logins


def _demo_schedules(session: Session, *, leaders: list[str], today: date) -> None:
    """Each leader walks two departments they know every four weeks (a fortnight's window,
    the current one opened three days ago), and one shared department nobody has walked
    lately: the programme shows done, missed and due occurrences."""
    from sqlmodel import col

    from app.models import ScheduleCreate, Visit
    from app.services.schedules import create_schedule

    starts_on = today - timedelta(days=3 + 28 * 3)
    for email in leaders:
        leader = find_user_by_email(session, email=email)
        assert leader is not None
        walked = session.exec(
            select(Department.name)
            .join(Visit, col(Visit.department_id) == Department.id)
            .where(Visit.leader_id == leader.id, Visit.visit_date >= starts_on)
            .group_by(col(Department.name))
            .order_by(func.count().desc(), col(Department.name))
            .limit(2)
        ).all()
        for name in walked:
            data = ScheduleCreate(
                department=name, leaders=[email], every_days=28, window_days=14, starts_on=starts_on
            )
            create_schedule(session, data=data, actor_id=None)
    walked_lately = set(
        session.exec(
            select(Department.name)
            .join(Visit, col(Visit.department_id) == Department.id)
            .where(Visit.visit_date >= starts_on)
        ).all()
    )
    quiet = next(
        (n for n, _, _ in DEMO_DEPARTMENTS if n not in walked_lately), DEMO_DEPARTMENTS[-1][0]
    )
    shared = ScheduleCreate(
        department=quiet, leaders=leaders[:2], every_days=28, window_days=14, starts_on=starts_on
    )
    create_schedule(session, data=shared, actor_id=None)


DEMO_SERVICES = (
    (
        "Laptops and desktops",
        "A whole team cannot work, or a clinic session is at risk",
        "30 minutes",
        "1 working day",
        "Service desk portal, or call 4000",
    ),
    (
        "Network and Wi-Fi",
        "A site or a ward is offline",
        "15 minutes",
        "4 hours",
        "Call 4000 at once for an outage; the portal otherwise",
    ),
    (
        "Business applications",
        "Payments, orders or patient records cannot be used",
        "15 minutes",
        "4 hours",
        "Call 4000; name the application and how many are stopped",
    ),
    (
        "Accounts and passwords",
        "Someone cannot start a shift",
        "1 hour",
        "same day",
        "Self-service reset at /reset, or the portal",
    ),
)


def _demo_services(session: Session) -> None:
    for name, emergency, response, resolution, how in DEMO_SERVICES:
        save_catalogue_entry(
            session,
            data=CatalogueEntryCreate(
                name=name,
                emergency=emergency,
                response_time=response,
                resolution_time=resolution,
                how_to_ask=how,
            ),
            actor_id=None,
        )


def _demo_sign_ins(session: Session) -> None:
    """How the other leaders sign in, as the admin's user list shows it: the CIO with a
    password and a code from an app, the desk manager through the organisation's single
    sign-on (no password here; the role follows the directory)."""
    from app.services.two_step import new_secret, seal
    from app.settings import get_settings

    cio = find_user_by_email(session, email=OTHER_LEADERS[0])
    desk = find_user_by_email(session, email=OTHER_LEADERS[1])
    assert cio is not None and desk is not None
    cio.totp_secret = seal(new_secret(), get_settings())
    desk.password_hash = ""  # nosec B105  # single sign-on only
    desk.oidc_subject = "https://login.demo.walkabout.example 3f2a9c71-deskmanager"
    session.add_all([cio, desk])
    session.flush()


def _demo_walk_with_actions(session: Session, *, leader_email: str, today: date) -> None:
    """One walk logged the way the phone does, with follow-up actions (one overdue)."""
    leader = find_user_by_email(session, email=leader_email)
    assert leader is not None
    _demo_services(session)
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
                        "expectation_mismatch": True,
                        "expected": "Thought a dead scanner would be fixed within the hour",
                        "service": "Network and Wi-Fi",
                        "ideas": [
                            {
                                "client_id": str(uuid.uuid4()),
                                "what": "Scan parcels at the door with phones, not fixed scanners",
                                "benefit": "No walking back to the bay to book a parcel in",
                                "who_else": "Goods-in at the Warehouse",
                            }
                        ],
                    },
                    {
                        "person_role": "team lead",
                        "stated_score": 3,
                        "observed_score": 2,
                        "issues": ["Service desk responsiveness"],
                        "unreported": 0,
                        "end_run": False,
                        "notes": "Tickets closed without asking whether the fix worked",
                        "teaching": "Showed how to follow a ticket in the portal",
                        "taught_people": 3,
                    },
                ],
                "priority_decisions": [
                    {
                        "client_id": str(uuid.uuid4()),
                        "title": "Route planning add-on for the dispatch system",
                        "owner_role": "Head of Logistics",
                        "owner_email": "head.logistics@demo.walkabout.example",
                        "capacity": "About 15 days of an analyst",
                        "competes_with": "Payroll upgrade in the same quarter",
                    }
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


FINISHED_ACTIONS = [
    ("Swap the label printer for one that takes the new rolls", "done"),
    ("Ask the network team about Wi-Fi in the meeting rooms", "done"),
    ("Show the team how to follow a ticket in the portal", "done"),
    ("Get a second monitor for the front desk", "cant_do"),
    ("Move the shared mailbox to the new licence", "done"),
    ("Check why the laptops lock after five minutes", "done"),
    ("Book a desk-side visit for the slow PCs", "done"),
]


def _demo_finished_actions(session: Session, *, leader_email: str, today: date) -> None:
    """The leader's earlier walks left actions they have since finished (a few they could not
    do) a few days after each walk: their walk list keeps the latest in view and counts the
    rest. History, written as the rows the status service leaves."""
    leader = find_user_by_email(session, email=leader_email)
    assert leader is not None and leader.id is not None
    walks = session.exec(
        select(Visit)
        .where(Visit.leader_id == leader.id, Visit.visit_date < today - timedelta(days=7))
        .order_by(col(Visit.visit_date).desc())
        .limit(14)
    ).all()
    now = datetime.now(UTC)
    for n, walk in enumerate(walks):
        walk_id, walked = walk.id, walk.visit_date
        assert walk_id is not None
        title, status = FINISHED_ACTIONS[n % len(FINISHED_ACTIONS)]
        finished = datetime.combine(walked + timedelta(days=2 + n % 5), time(15), UTC)
        session.add(
            Action(
                visit_id=walk_id,
                title=title,
                owner_id=leader.id,
                owner_email=leader.email,
                due_date=walked + timedelta(days=14),
                status=status,
                completed_at=min(finished, now),
            )
        )
