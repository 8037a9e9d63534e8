"""A real OpenID provider for the sign-in tests: node's oidc-provider (tests/oidc, installed
by `make test` with npm ci), started on 127.0.0.1 with the clients and accounts a test
gives. Skips, saying why, where node or the package is missing."""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import _free_port

FOLDER = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "walkabout"
CLIENT_SECRET = "walkabout-test-client-secret"  # noqa: S105  # nosec B105
OTHER_CLIENT_ID = "another-app"  # a second app at the same provider, for the wrong audience


def client(client_id: str, app_base: str) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{app_base}/login/oidc/callback"],
        "post_logout_redirect_uris": [f"{app_base}/login?flash=logged-out"],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }


@contextmanager
def openid_provider(app_base: str, accounts: Path) -> Iterator[str]:
    """The provider's issuer URL, with this app's client and another app's registered; its
    directory is the JSON file `accounts` (login: {"groups": [...], "email": ...})."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the OpenID provider cannot run (apt install nodejs)")
    if not (FOLDER / "node_modules" / "oidc-provider").exists():
        pytest.skip("the OpenID provider is not installed: make test runs npm ci in tests/oidc")
    port = _free_port()
    env = {
        **os.environ,
        "OP_PORT": str(port),
        "OP_CLIENTS": json.dumps([client(CLIENT_ID, app_base), client(OTHER_CLIENT_ID, app_base)]),
        "OP_ACCOUNTS_FILE": str(accounts),
    }
    process = subprocess.Popen(
        [node, str(FOLDER / "provider.mjs")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except httpx.TransportError as exc:
                if process.poll() is not None:
                    why = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"the OpenID provider did not start: {why}") from exc
                time.sleep(0.05)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def sign_in_at_provider(authorize_url: str, login: str) -> str:
    """Go through the provider's own login page as a person would (it takes any password)
    and return where it sends the browser back to."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        return _through_login_page(browser, authorize_url, login)


def _through_login_page(browser: httpx.Client, authorize_url: str, login: str) -> str:
    response = browser.get(authorize_url)
    while response.status_code in (302, 303) and "/interaction/" in response.headers["location"]:
        response = browser.get(httpx.URL(authorize_url).join(response.headers["location"]))
    form_action = response.text.split('action="', 1)[1].split('"', 1)[0]
    response = browser.post(
        httpx.URL(authorize_url).join(form_action),
        data={"prompt": "login", "login": login, "password": "anything"},
    )
    while response.status_code in (302, 303):
        location = str(httpx.URL(authorize_url).join(response.headers["location"]))
        if "/login/oidc/callback" in location:
            return location
        response = browser.get(location)
    raise AssertionError(f"the provider did not send the browser back: {response.status_code}")
