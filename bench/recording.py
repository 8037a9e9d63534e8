"""What every benchmark section shares: the figures recorded in this run, a `walkabout`
command measured in a child process, and the PostgreSQL database the sections use."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
results: dict[str, dict[str, object]] = {}


def cli(*args: str) -> dict[str, object]:
    """Run `walkabout ...` in a child process; its time and peak memory."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.measure", sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figure = json.loads(output.stdout)
    if figure["returncode"]:
        raise SystemExit(f"walkabout {' '.join(args)} failed: {figure['stderr']}")
    return figure


def record(name: str, **figures: object) -> None:
    results[name] = figures
    print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def postgres_bench_database() -> str | None:
    """A fresh `walkabout_bench` database on the local server, or None when none answers."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as connection:
            connection.execute("DROP DATABASE IF EXISTS walkabout_bench")
            connection.execute("CREATE DATABASE walkabout_bench")
    except Exception:
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/walkabout_bench"
