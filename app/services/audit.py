"""The audit log."""

from sqlmodel import Session

from app.models import AuditEvent


def record_event(session: Session, *, action: str, actor_id: int | None, detail: str = "") -> None:
    """Add an audit entry to the caller's transaction (the caller commits)."""
    session.add(AuditEvent(action=action, actor_id=actor_id, detail=detail[:1000]))


def record_export(session: Session, *, actor_id: int | None, detail: str) -> None:
    """Log an export (the route takes a write session for it)."""
    record_event(session, action="export", actor_id=actor_id, detail=detail)
