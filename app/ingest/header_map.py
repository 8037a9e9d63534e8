"""Finding named columns in a header row, forgiving case and spaces."""

from app.ingest.tabular import FileFormatError, normalise_header


def column_index(header: list[str], *names: str) -> int | None:
    """Position of the first column called any of `names`, or None."""
    keys = [normalise_header(h) for h in header]
    for name in names:
        key = normalise_header(name)
        if key in keys:
            return keys.index(key)
    return None


def require_columns(header: list[str], file_name: str, *names: str) -> dict[str, int]:
    """Positions of every required column; names the missing ones otherwise."""
    found = {name: column_index(header, name) for name in names}
    missing = [name for name, index in found.items() if index is None]
    if missing:
        raise FileFormatError(
            f"{file_name}: line 1: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(h for h in header if h) or 'none'})"
        )
    return {name: index for name, index in found.items() if index is not None}
