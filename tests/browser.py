"""A live server and headless Debian Chromium for browser tests."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
    database_url: str, *, port: int | None = None, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """Run the real app under uvicorn in a child process (on `port`, with more WALKABOUT_
    settings if given); yields its base URL."""
    port = port or _free_port()
    env = {**os.environ, "WALKABOUT_DATABASE_URL": database_url, **(settings or {})}
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
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the app did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def browser_page(**context_options: object) -> Iterator[object]:
    """A fresh page in headless Chromium (phone size unless told otherwise)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(
            viewport=context_options.pop("viewport", PHONE),  # type: ignore[arg-type]
            **context_options,
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
