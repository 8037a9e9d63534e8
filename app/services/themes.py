"""The shared theme list."""

from sqlmodel import Session, col, select

from app.models import Theme
from app.models.department import department_key as theme_key


def list_themes(session: Session, *, active_only: bool = True) -> list[Theme]:
    """Themes by name."""
    query = select(Theme).order_by(col(Theme.name))
    if active_only:
        query = query.where(col(Theme.is_active))
    return list(session.exec(query))


_ACTIVE_NAMES = select(col(Theme.name)).where(col(Theme.is_active)).order_by(col(Theme.name))


def theme_names(session: Session) -> list[str]:
    """The names of the themes in use, by name (what the walk form offers)."""
    return list(session.connection().execute(_ACTIVE_NAMES).scalars())


def resolve_themes(
    session: Session, *, names: list[str], create_missing: bool
) -> tuple[dict[str, int], list[str]]:
    """Theme ids by key for the given names, and the names that were new.

    With `create_missing` a name not on the list is added (backfills bring their own words);
    without it an unknown name is left out of the map for the caller to refuse.
    """
    known = {t.name_key: t for t in session.exec(select(Theme))}
    added: list[str] = []
    for name in names:
        key = theme_key(name)
        if key and key not in known and create_missing:
            theme = Theme(name=" ".join(name.split()), name_key=key)
            session.add(theme)
            session.flush()
            known[key] = theme
            added.append(theme.name)
    ids = {key: t.id for key, t in known.items() if t.id is not None}
    return ids, added


def find_theme(session: Session, *, name: str) -> Theme | None:
    """The theme of this name on the list (any case or spacing), retired or not."""
    clean = " ".join(name.split())
    return session.exec(select(Theme).where(Theme.name_key == theme_key(clean))).first()


def add_theme(session: Session, *, name: str, actor_id: int | None) -> Theme:
    """Add a theme to the shared list, or switch a retired one back on; a name already on
    the list (in any case or spacing) is refused by name."""
    from app.services.audit import record_event
    from app.services.errors import ConflictError, ServiceError

    clean = " ".join(name.split())
    if not clean or len(clean) > 100:
        raise ServiceError("a theme name of 1 to 100 characters is needed")
    theme = find_theme(session, name=clean)
    if theme is not None and theme.is_active:
        raise ConflictError(f"The list already has the theme “{theme.name}”; nothing was added.")
    if theme is None:
        theme = Theme(name=clean, name_key=theme_key(clean))
    theme.is_active = True
    session.add(theme)
    record_event(session, action="theme.add", actor_id=actor_id, detail=clean)
    session.flush()
    return theme


def set_theme_active(
    session: Session, *, theme_id: int, active: bool, actor_id: int | None
) -> None:
    """Retire a theme from the walk form (past conversations keep it), or bring it back."""
    from app.services.audit import record_event
    from app.services.errors import NotFoundError

    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFoundError("no such theme")
    theme.is_active = active
    session.add(theme)
    record_event(
        session,
        action="theme.retire" if not active else "theme.restore",
        actor_id=actor_id,
        detail=theme.name,
    )
    session.flush()
