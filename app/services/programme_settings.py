"""The programme's settings an admin changes in the browser, kept in the database so every
worker and host reads the same; the deployment's settings are the defaults."""

from sqlmodel import Session

from app.models import ProgrammeSetting
from app.models.programme_setting import MIN_GROUP_SIZE_CEILING, MIN_GROUP_SIZE_FLOOR
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.errors import ServiceError
from app.settings import ROLES, Settings


def min_group_size(session: Session, *, settings: Settings) -> int:
    """The smallest group any figure may stand on: the admin's choice, else the setting."""
    row = session.get(ProgrammeSetting, 1)
    if row is not None and row.min_group_size is not None:
        return row.min_group_size
    return settings.min_group_size


def save_min_group_size(session: Session, *, value: str, actor_id: int | None) -> int:
    """Set the minimum group size from what an admin typed; refuses anything outside 3-50."""
    try:
        number = int(value.strip())
    except ValueError:
        raise ServiceError("Minimum group size: enter a whole number, such as 5.") from None
    if not MIN_GROUP_SIZE_FLOOR <= number <= MIN_GROUP_SIZE_CEILING:
        raise ServiceError(
            f"Minimum group size: choose between {MIN_GROUP_SIZE_FLOOR} and "
            f"{MIN_GROUP_SIZE_CEILING}; below {MIN_GROUP_SIZE_FLOOR} a figure can show one "
            "person's answer."
        )
    row = session.get(ProgrammeSetting, 1) or ProgrammeSetting(id=1)
    before = row.min_group_size
    row.min_group_size, row.updated_at, row.updated_by = number, utcnow(), actor_id
    session.add(row)
    record_event(
        session,
        action="settings.min_group_size",
        actor_id=actor_id,
        detail=f"{before if before is not None else 'default'} to {number}",
    )
    session.flush()
    return number


def two_step_roles(session: Session) -> set[str]:
    """The roles whose local accounts must sign in in two steps (the admin's setting)."""
    row = session.get(ProgrammeSetting, 1)
    return {r for r in (row.two_step_roles.split(",") if row else []) if r in ROLES}


def save_two_step_roles(session: Session, *, roles: list[str], actor_id: int | None) -> None:
    chosen = [r for r in ROLES if r in roles]
    row = session.get(ProgrammeSetting, 1) or ProgrammeSetting(id=1)
    row.two_step_roles = ",".join(chosen)
    row.updated_at = utcnow()
    row.updated_by = actor_id
    session.add(row)
    detail = ", ".join(chosen) or "none"
    record_event(session, action="settings.two_step_roles", actor_id=actor_id, detail=detail)
