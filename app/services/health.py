"""Health checks."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session


def database_answers(session: Session) -> bool:
    """True when a trivial query succeeds."""
    try:
        session.connection().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
