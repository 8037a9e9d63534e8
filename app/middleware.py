"""ASGI middleware: security headers and request body limits."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, framing and referrer headers to every response. `form_origin`: an
    origin a form may lead to besides this one (logging out of single sign-on continues at
    the identity provider, and CSP's form-action holds for the redirect too)."""

    def __init__(self, app: ASGIApp, form_origin: str = "") -> None:
        self.app = app
        self.headers = SECURITY_HEADERS
        if form_origin:
            csp = CSP.replace("form-action 'self'", f"form-action 'self' {form_origin}")
            self.headers = [(b"content-security-policy", csp.encode()), *SECURITY_HEADERS[1:]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # Pages and API answers may hold people's words: no browser or proxy keeps them (a
        # shared phone's back button included). Versioned static files may be kept.
        keep = scope["path"].startswith(("/static/", "/vendor/"))
        # A versioned address never changes content: the browser keeps it for a year.
        versioned = keep and b"v=" in scope.get("query_string", b"")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                if not keep and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                elif versioned and b"cache-control" not in present:
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """The request body went over the limit while streaming."""


class BodyLimitMiddleware:
    """Answers 413 for bodies over the limit, before reading them all.

    Upload paths (`upload_prefixes`) get the larger upload limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_body: int, max_upload: int, upload_paths: tuple[str, ...]
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_paths = upload_paths

    def _limit(self, path: str) -> int:
        if any(path.startswith(p) and path.endswith("/import") for p in self.upload_paths):
            return self.max_upload
        if path in self.upload_paths:
            return self.max_upload
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_413(send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_413(send, limit)


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body over the limit of {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
