"""House rules that keep the layers apart (CONVENTIONS.md)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_routers_hold_no_queries_or_commits() -> None:
    pattern = re.compile(r"select\(|\.commit\(|session\.exec\(")
    offenders = [
        f"{path.name}:{n}"
        for path in (ROOT / "app" / "routers").glob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_analysis_is_pure() -> None:
    forbidden = {"fastapi", "sqlmodel", "sqlalchemy", "app", "starlette"}
    offenders = []
    for path in (ROOT / "analysis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []


def test_no_create_all_and_no_cdn() -> None:
    code = "\n".join(p.read_text() for p in (ROOT / "app").rglob("*.py"))
    assert "create_all(" not in code
    templates = "\n".join(p.read_text() for p in (ROOT / "app" / "templates").rglob("*.html"))
    assert not re.search(r"https?://(cdn|unpkg|cdnjs)", templates)
