"""Files handed to the browser to save (exports)."""

from fastapi.responses import Response


def download(
    content: str | bytes, *, filename: str, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """A response the browser saves as `filename` rather than shows."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})},
    )
