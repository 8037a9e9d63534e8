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
