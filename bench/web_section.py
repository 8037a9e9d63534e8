"""The web section of `make bench`: the peer's list against its ping, then a leader's walk
list and walk form against /healthz, on SQLite and on PostgreSQL with four workers."""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.data import departments_file
from bench.recording import ROOT, cli, postgres_bench_database, record


def _walk_counter(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    engine = create_engine(url)

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM visits")).scalar_one())

    return count


def _users(url: str) -> tuple[str, str]:
    leader = "leader@bench.example"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "users",
            "create",
            leader,
            "--role",
            "leader",
            "--password-stdin",
            "--database-url",
            url,
        ],
        input="bench password 12345\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    token = (
        subprocess.run(
            [sys.executable, "-m", "app.cli", "users", "token", leader, "--database-url", url],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return leader, token


def _page_figures(entry: dict[str, Any], health: float) -> dict[str, object]:
    return {
        "requests_per_second": entry["requests_per_second"],
        "p99_ms": entry["p99_ms"],
        "failed": entry["failed"],
        "share_of_healthz": round(entry["requests_per_second"] / health, 2),
    }


def _record_web(name: str, figures: dict[str, object], peer_ratio: float) -> None:
    health = figures["healthz"]["requests_per_second"]  # type: ignore[index]
    for page in ("walk_list", "walk_form", "peer_page_in_app"):
        entry = figures[page]
        share = round(entry["requests_per_second"] / health, 3)  # type: ignore[index]
        record(
            f"{name}_{page}",
            **_page_figures(entry, health),  # type: ignore[arg-type]
            healthz_requests_per_second=health,
            # /healthz's own tail, measured without the writes: how much of the page's p99
            # is the server's queue (worker processes share connections unevenly) and not
            # the page.
            healthz_p99_ms=figures["healthz"]["p99_ms"],  # type: ignore[index]
            writes_per_second_meanwhile=entry["writes_per_second"],  # type: ignore[index]
            peer_list_share_of_its_ping=peer_ratio,
            against_peer=round(share / peer_ratio, 2),
            goal=">= the peer's list/ping share (moonshot 1.5x), p99 <= 250 ms, 0 failed"
            if page != "peer_page_in_app"
            # Not a goal: the peer's own page inside the app, for how much of a page's cost
            # is the app's middleware and sign-in.
            else "none: bench/in_app.py, the peer's page behind the app's sign-in",
        )
    posts = figures["posts"]  # type: ignore[index]
    record(
        f"{name}_walk_posts",
        per_second=posts["requests_per_second"],
        p99_ms=posts["p99_ms"],
        failed=posts["failed"],
        sent=figures["posts_sent"],
        answered_201=figures["posts_created"],
        stored=figures["walks_stored"],
        # wrk may stop after making its last request and before sending it: every walk
        # answered 201 must be stored, and nothing beyond what was made.
        none_lost_or_doubled=figures["posts_created"]  # type: ignore[operator]
        <= figures["walks_stored"]
        <= figures["posts_sent"],
        goal=">= 200/s on SQLite; answered_201 <= stored <= sent",
    )


def bench_peer(workdir: Path) -> float:
    """A plain FastAPI + SQLModel + Jinja list page against its own ping, in this run."""
    from bench.web import run_peer

    figures = run_peer(workdir)
    ping, listing = figures["ping"], figures["list"]
    ratio = round(listing["requests_per_second"] / ping["requests_per_second"], 3)
    record(
        "peer_list_page",
        ping_requests_per_second=ping["requests_per_second"],
        list_requests_per_second=listing["requests_per_second"],
        list_p99_ms=listing["p99_ms"],
        list_failed=listing["failed"],
        writes_per_second_meanwhile=listing["writes_per_second"],
        list_share_of_ping=ratio,
        note="bench/peer.py: 20 rows, ORM objects, a Jinja template; ping runs SELECT 1",
    )
    return ratio


def bench_web(workdir: Path) -> None:
    from bench.web import run_web

    peer_ratio = bench_peer(workdir)
    database = workdir / "web.db"
    shutil.copy(workdir / "organisation.db", database)
    url = f"sqlite:///{database}"
    leader, token = _users(url)
    _record_web(
        "web_sqlite",
        run_web(url, workers=1, leader=leader, token=token, count_walks=_walk_counter(url)),
        peer_ratio,
    )
    pg = postgres_bench_database()
    if pg is None:
        print("PostgreSQL does not answer on 127.0.0.1:5432: multi-process run skipped")
        return
    cli("db", "upgrade", "--database-url", pg)
    cli("import", "departments", str(departments_file()), "--database-url", pg)
    leader, token = _users(pg)
    _record_web(
        "web_postgres_4_workers",
        run_web(pg, workers=4, leader=leader, token=token, count_walks=_walk_counter(pg)),
        peer_ratio,
    )
