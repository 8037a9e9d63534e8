"""Web under load: a leader's pages and walk posts with 32 connections on loopback, each
beside the app's own /healthz throughput measured the same way in the same run."""

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def start_server(
    url: str, workers: int, *, module: str = "app.asgi:app", ping: str = "/healthz", **settings: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "WALKABOUT_DATABASE_URL": url}
    env.update({f"WALKABOUT_{name.upper()}": value for name, value in settings.items()})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            module,
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
            if httpx.get(f"{base}{ping}", timeout=1).status_code == 200:
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


# wrk (C, a few percent of a core) drives the load when it is installed (Debian: wrk), so the
# two cores go to the app; without it, the Python load generator below shares them.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end
sent = 0
function init(args)
  mode, run, token, cookie = args[1], args[2], args[3], args[4]
end
request = function()
  if mode ~= "post" then
    return wrk.format("GET", nil, {["Cookie"] = cookie})
  end
  sent = sent + 1
  local id = string.format("%s-%04x-%012x", run, number, sent)
  local body = '{"client_id":"' .. id .. '","department":"Department 001",' ..
    '"visit_date":"2026-11-20","conversations":[{"person_role":"clerk",' ..
    '"stated_score":4,"observed_score":3,"notes":"bench"}]}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token}, body)
end
created = 0
response = function(status, headers, body)
  if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local made, posted = 0, 0
  for _, thread in ipairs(threads) do
    made = made + thread:get("created")
    posted = posted + thread:get("sent")
  end
  io.write(string.format(
    '{"requests":%d,"microseconds":%d,"p99_us":%d,"errors":%d,"status_errors":%d,' ..
    '"created":%d,"sent":%d}\n',
    summary.requests, summary.duration, latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, made, posted))
end
"""


def _wrk(
    base: str, path: str, *, cookie: str = "", token: str = "", post: bool = False
) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8] + "-" + uuid.uuid4().hex[:4] + "-4" + uuid.uuid4().hex[:3]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{int(SECONDS)}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base + path,
                "--",
                "post" if post else "get",
                run,
                token,
                cookie,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds = figures["microseconds"] / 1e6
    failed = figures["errors"] + figures["status_errors"]
    return {
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "failed": failed,
        "ok": figures["requests"] - figures["status_errors"],
        "created": figures["created"],
        "sent": figures["sent"],
        "load_generator": "wrk",
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


LEADER_WALKS = 100


def _seed_walks(base: str, token: str, leader: str) -> None:
    """The bench leader's own history: 100 walks over five months, every fourth with an
    action they own, so the walk list shows a realistic page and not an empty one."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for i in range(LEADER_WALKS):
            walk = _walk()
            walk["department"] = f"Department {(i * 37) % 200:03d}"
            walk["visit_date"] = f"2026-{6 + i % 5:02d}-{1 + (i * 7) % 28:02d}"
            if i % 4 == 0:
                walk["actions"] = [
                    {"title": "Fix the printer", "owner": leader, "due_date": "2026-12-01"}
                ]
            response = client.post("/api/v1/visits", json=walk)
            if response.status_code != 201:
                raise SystemExit(f"seeding the leader's walks failed: {response.text}")


def _login(base: str, email: str) -> dict[str, str]:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        return dict(client.cookies)


class Trickle:
    """Other users writing while a page is measured: about `rate` posts a second, each sent
    on time by a small pool of its own even when an answer takes longer than the interval
    (one client posting in turn fell to half the rate once the server was loaded), for as
    long as the block runs."""

    def __init__(self, base: str, path: str, body: Any, headers: dict[str, str], rate: float):
        self.base, self.path, self.body, self.headers = base, path, body, headers
        self.interval = 1 / rate
        self.stop = threading.Event()
        self.sent = 0
        self.failed = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _post(self, client: httpx.Client) -> None:
        try:
            failed = client.post(self.path, json=self.body()).status_code >= 400
        except httpx.HTTPError:
            failed = True
        with self.lock:
            self.sent += 1
            self.failed += failed

    def _run(self) -> None:
        with (
            httpx.Client(base_url=self.base, headers=self.headers, timeout=30) as client,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            next_at = time.perf_counter()
            while not self.stop.is_set():
                pool.submit(self._post, client)
                next_at += self.interval
                self.stop.wait(max(0.0, next_at - time.perf_counter()))

    def __enter__(self) -> "Trickle":
        self.started = time.perf_counter()
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        self.per_second = round(self.sent / (time.perf_counter() - self.started), 1)


def _measure(base: str, path: str, **kwargs: Any) -> dict[str, Any]:
    if shutil.which("wrk"):
        return _wrk(base, path, **kwargs)
    cookie = kwargs.pop("cookie", "")
    headers = {"Cookie": cookie} if cookie else None
    return asyncio.run(_load(base, path, headers=headers))


WRITES_PER_SECOND = 10


def run_peer(workdir: Path) -> dict[str, Any]:
    """The peer's ping and 20-row list, the list while it takes 10 writes a second."""
    database = workdir / "peer.db"
    process, base = start_server(
        f"sqlite:///{database}",
        1,
        module="bench.peer:app",
        ping="/ping",
        peer_database=str(database),
    )
    try:
        ping = _measure(base, "/ping")
        with Trickle(base, "/items", dict, {}, WRITES_PER_SECOND) as writes:
            listing = _measure(base, "/items")
    finally:
        process.terminate()
        process.wait(timeout=20)
    listing["writes_per_second"] = writes.per_second
    return {"ping": ping, "list": listing}


def run_web(url: str, *, workers: int, leader: str, token: str, count_walks: Any) -> dict[str, Any]:
    # The app with one route added after all of its own (`bench.in_app`): the peer's page
    # behind the app's sign-in.
    process, base = start_server(url, workers, module="bench.in_app:app")
    auth = {"Authorization": f"Bearer {token}"}
    try:
        _seed_walks(base, token, leader)
        cookies = _login(base, leader)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        health = _measure(base, "/healthz")
        pages = {}
        for name, path in (
            ("walk_list", "/visits"),
            ("walk_form", "/visits/new"),
            ("peer_page_in_app", "/bench/peer-page"),
        ):
            # Other leaders' walks keep arriving while the page is measured.
            with Trickle(base, "/api/v1/visits", _walk, auth, WRITES_PER_SECOND) as writes:
                pages[name] = _measure(base, path, cookie=cookie)
            pages[name]["writes_per_second"] = writes.per_second
            pages[name]["writes_failed"] = writes.failed
        before = count_walks()
        if shutil.which("wrk"):
            posts = _wrk(base, "/api/v1/visits", token=token, post=True)
            posts["statuses"] = {201: posts["created"]}
            time.sleep(2)  # the posts still in flight when wrk stopped are answered
        else:
            posts = asyncio.run(_load(base, "/api/v1/visits", post=True, headers=auth))
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
        **pages,
        "posts": posts,
        "walks_stored": stored,
        "posts_created": posts["statuses"].get(201, 0),
        # wrk stops with requests in flight: every one it sent must be stored, once.
        "posts_sent": posts.get("sent", posts["statuses"].get(201, 0)),
    }
