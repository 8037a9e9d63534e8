"""CSRF protection (double-submit cookie, fastapi-csrf-protect) for every form."""

import hmac

from fastapi import Request
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadData, URLSafeTimedSerializer

from app.settings import Settings

CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 8 * 3600


class CsrfRejected(Exception):
    """A state-changing request came without a valid CSRF token."""


def configure_csrf(settings: Settings) -> None:
    """Load the library's (process-wide) configuration from our settings."""

    @CsrfProtect.load_config
    def _config() -> list[tuple[str, object]]:
        return [
            ("secret_key", settings.secret_key),
            ("cookie_key", "walkabout_csrf"),
            ("token_key", CSRF_FIELD),
            ("cookie_samesite", "lax"),
            ("cookie_secure", settings.environment != "development"),
            ("max_age", CSRF_MAX_AGE),
        ]


def csrf_token_for(request: Request) -> tuple[str, str | None]:
    """The token to put in forms, and a new signed cookie value when one must be set.

    The current cookie's token is reused while it is valid, so that two open tabs do not
    invalidate each other's forms.
    """
    protect = CsrfProtect()
    signed = request.cookies.get(protect._cookie_key)
    if signed:
        serializer = URLSafeTimedSerializer(protect._secret_key or "", salt="fastapi-csrf-token")
        try:
            return str(serializer.loads(signed, max_age=CSRF_MAX_AGE // 2)), None
        except BadData:
            pass
    token, signed_new = protect.generate_csrf_tokens()
    return token, signed_new


def set_csrf_cookie(response: object, signed: str) -> None:
    """Attach the signed CSRF cookie to a response."""
    CsrfProtect().set_csrf_cookie(signed, response)  # type: ignore[arg-type]


async def require_csrf(request: Request) -> None:
    """Dependency for state-changing form routes: 403 without a valid token."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        await request.form()
    try:
        await CsrfProtect().validate_csrf(request)
    except (CsrfProtectError, ValueError) as exc:
        raise CsrfRejected from exc


def csrf_header_valid(request: Request) -> bool:
    """The X-CSRF-Token header matches the signed cookie (JSON calls from our own pages)."""
    protect = CsrfProtect()
    signed = request.cookies.get(protect._cookie_key)
    header = request.headers.get(protect._header_name)
    if not signed or not header:
        return False
    serializer = URLSafeTimedSerializer(protect._secret_key or "", salt="fastapi-csrf-token")
    try:
        expected = serializer.loads(signed, max_age=CSRF_MAX_AGE)
    except BadData:
        return False
    return hmac.compare_digest(str(expected), header.strip())
