"""The service catalogue leaders open on a walk to explain what to expect from IT."""

from sqlmodel import Session, col, select

from app.models import CatalogueEntry, CatalogueEntryCreate
from app.models.department import department_key as service_key
from app.services.audit import record_event
from app.services.errors import ServiceError


def list_catalogue(session: Session, *, active_only: bool = True) -> list[CatalogueEntry]:
    """Catalogue entries by name."""
    query = select(CatalogueEntry).order_by(col(CatalogueEntry.name))
    if active_only:
        query = query.where(col(CatalogueEntry.is_active))
    return list(session.exec(query))


_ACTIVE_NAMES = (
    select(col(CatalogueEntry.name))
    .where(col(CatalogueEntry.is_active))
    .order_by(col(CatalogueEntry.name))
)


def catalogue_names(session: Session) -> list[str]:
    """The names of the services in the catalogue, by name (what the walk form offers)."""
    return list(session.connection().execute(_ACTIVE_NAMES).scalars())


def save_catalogue_entry(
    session: Session, *, data: CatalogueEntryCreate, actor_id: int | None
) -> CatalogueEntry:
    """Add a service, or update the one with the same name."""
    name = " ".join(data.name.split())
    if not name:
        raise ServiceError("a service needs a name")
    entry = session.exec(
        select(CatalogueEntry).where(CatalogueEntry.name_key == service_key(name))
    ).first()
    if entry is None:
        entry = CatalogueEntry(name=name, name_key=service_key(name))
    entry.name, entry.emergency = name, data.emergency
    entry.response_time, entry.resolution_time = data.response_time, data.resolution_time
    entry.how_to_ask, entry.is_active = data.how_to_ask, True
    session.add(entry)
    record_event(session, action="service.save", actor_id=actor_id, detail=name)
    session.flush()
    return entry


def catalogue_ids(session: Session) -> dict[str, int]:
    """Service ids by matching key."""
    return {e.name_key: e.id for e in session.exec(select(CatalogueEntry)) if e.id is not None}
