"""A live server and headless Debian Chromium for browser tests."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PHONE = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium is not installed (apt-get install chromium); .ci/run installs it",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    database_url: str,
    *,
    port: int | None = None,
    settings: dict[str, str] | None = None,
    process: bool = False,
    wrap: Callable[[Any], Any] | None = None,
) -> Iterator[str]:
    """Run the real app under uvicorn (on `port`, with more WALKABOUT_ settings if given);
    yields its base URL. `wrap` puts an ASGI layer of the test's around the app (a slow
    network, say); only in a thread.

    In a thread of the test process: the app is imported already, where a process of its
    own spends four seconds importing it again (eight on a loaded two-core machine), for
    each of the browser tests. `process=True` gives the server a process of its own, as the
    tests of many clients at once want: the app's own password cost (conftest lowers it in
    the test process) and no share of the test's interpreter."""
    port = port or _free_port()
    base = f"http://127.0.0.1:{port}"
    if process:
        assert wrap is None, "wrap needs the app in this process"
        with _server_process(database_url, port, settings or {}):
            yield base
        return
    import uvicorn

    from app.main import create_app
    from app.settings import Settings

    named = {
        key.removeprefix("WALKABOUT_").lower(): value for key, value in (settings or {}).items()
    }
    app = create_app(Settings(**{**named, "database_url": database_url}))
    if wrap is not None:
        app = wrap(app)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            if not thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        else:
            raise RuntimeError("the app did not start")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def _server_process(database_url: str, port: int, settings: dict[str, str]) -> Iterator[None]:
    env = {**os.environ, "WALKABOUT_DATABASE_URL": database_url, **settings}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the app did not start")
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


_shared: dict[str, Any] = {}


def _browser() -> Any:
    """This test process's headless Chromium, started on first use (a second and a half
    here) and again if it died; each test gets a context of its own in it, with its own
    cookies, storage, service workers and cache, as a new browser profile would."""
    browser = _shared.get("browser")
    if browser is None or not browser.is_connected():
        if "playwright" not in _shared:
            from playwright.sync_api import sync_playwright

            _shared["playwright"] = sync_playwright().start()
        browser = _shared["playwright"].chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        _shared["browser"] = browser
    return browser


def close_browser() -> None:
    """Close the test process's Chromium, if one was started."""
    if "browser" in _shared:
        _shared.pop("browser").close()
    if "playwright" in _shared:
        _shared.pop("playwright").stop()


@contextmanager
def browser_page(**context_options: object) -> Iterator[Any]:
    """A fresh page in a fresh context of headless Chromium (phone size unless told
    otherwise)."""
    context = _browser().new_context(
        viewport=context_options.pop("viewport", PHONE),
        **context_options,
    )
    try:
        yield context.new_page()
    finally:
        context.close()
