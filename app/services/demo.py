"""`walkabout demo`: a realistic organisation to explore, made through the real services."""

import secrets
import tempfile
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Department, User
from app.services.departments import import_departments
from app.services.users import create_user

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
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "departments.csv"
        lines = ["department,headcount,division"]
        lines += [
            f"{name},{headcount},{division}" for name, headcount, division in DEMO_DEPARTMENTS
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_departments(session, path=path)
    return logins
