"""The audit log."""

from sqlmodel import Session

from app.models import AuditEvent


def record_event(session: Session, *, action: str, actor_id: int | None, detail: str = "") -> None:
    """Add an audit entry to the caller's transaction (the caller commits)."""
    session.add(AuditEvent(action=action, actor_id=actor_id, detail=detail[:1000]))
