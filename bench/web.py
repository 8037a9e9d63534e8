"""Web under load: a leader's pages and walk posts with 32 connections on loopback, each
beside the app's own /healthz throughput measured the same way in the same run."""

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
SECONDS = 8.0
PASSWORD = "bench password 12345"  # noqa: S105 - a made-up login for the bench


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "WALKABOUT_DATABASE_URL": url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.asgi:app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the app did not start")


async def _load(
    base: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    post: bool = False,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    errors: set[str] = set()
    deadline = time.perf_counter() + SECONDS
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, headers=headers, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    if post:
                        response = await client.post(path, json=_walk())
                    else:
                        response = await client.get(path)
                except httpx.HTTPError as exc:
                    failures += 1
                    errors.add(type(exc).__name__)
                    continue
                latencies.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else None
    ok = sum(n for code, n in statuses.items() if code < 400)
    return {
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p99_ms": round(p99 * 1000, 1) if p99 else None,
        "statuses": statuses,
        "failed": failures + sum(n for code, n in statuses.items() if code >= 400),
        "ok": ok,
        "errors": sorted(errors),
    }


def _walk() -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "department": "Department 001",
        "visit_date": "2026-11-20",
        "conversations": [
            {"person_role": "clerk", "stated_score": 4, "observed_score": 3, "notes": "bench"}
        ],
    }


def _login(base: str, email: str) -> dict[str, str]:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        return dict(client.cookies)


def run_web(url: str, *, workers: int, leader: str, token: str, count_walks: Any) -> dict[str, Any]:
    process, base = start_server(url, workers)
    try:
        cookies = _login(base, leader)
        health = asyncio.run(_load(base, "/healthz"))
        walks = asyncio.run(_load(base, "/visits", cookies=cookies))
        form = asyncio.run(_load(base, "/visits/new", cookies=cookies))
        before = count_walks()
        posts = asyncio.run(
            _load(base, "/api/v1/visits", post=True, headers={"Authorization": f"Bearer {token}"})
        )
        stored = count_walks() - before
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return {
        "healthz": health,
        "walk_list": walks,
        "walk_form": form,
        "posts": posts,
        "walks_stored": stored,
        "posts_created": posts["statuses"].get(201, 0),
    }
