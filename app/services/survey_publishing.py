"""Publishing a survey round: a draft (an import, a test round) reaches executives only when
an analyst says it is ready, and can be withdrawn again."""

from sqlmodel import Session

from app.models import Survey
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.surveys import get_survey


def publish_survey(session: Session, *, name: str, actor_id: int | None) -> Survey:
    """Show the round to executives; publishing a published round changes nothing."""
    survey = get_survey(session, name=name)
    if survey.published_at is None:
        survey.published_at, survey.published_by = utcnow(), actor_id
        session.add(survey)
        record_event(session, action="survey.publish", actor_id=actor_id, detail=survey.name)
        session.flush()
    return survey


def withdraw_survey(session: Session, *, name: str, actor_id: int | None) -> Survey:
    """Make the round a draft again: executives no longer see it."""
    survey = get_survey(session, name=name)
    if survey.published_at is not None:
        survey.published_at, survey.published_by = None, None
        session.add(survey)
        record_event(session, action="survey.withdraw", actor_id=actor_id, detail=survey.name)
        session.flush()
    return survey


def sees_drafts(role: str) -> bool:
    """Analysts and admins read draft rounds; executives only published ones."""
    return role in ("analyst", "admin")
