"""The peer's page inside Walkabout: 20 rows (departments), ORM objects and a small Jinja
template, as in `bench.peer`, behind the sign-in every Walkabout page takes and through the
app's own middleware. Measured beside the walk list and /healthz in the same server, it
tells how much of a page's cost is the app's (its middleware, its sign-in) and how much is
the page's own.

    WALKABOUT_DATABASE_URL=sqlite:////tmp/w.db uvicorn bench.in_app:app
"""

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import DictLoader, Environment, select_autoescape
from sqlmodel import col, select

from app.asgi import app
from app.db import ReadSession
from app.deps import page_user
from app.models import Department, User

PATH = "/bench/peer-page"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Departments</title></head>
<body><main><h1>Departments</h1>
<table><thead><tr><th>#</th><th>Name</th><th>Headcount</th></tr></thead>
<tbody>{% for d in rows %}
<tr><td>{{ d.id }}</td><td>{{ d.name }}</td><td>{{ d.headcount }}</td></tr>{% endfor %}
</tbody></table></main></body></html>"""
templates = Environment(loader=DictLoader({"page.html": PAGE}), autoescape=select_autoescape())


@app.get(PATH, response_class=HTMLResponse, include_in_schema=False)
def peer_page(request: Request, session: ReadSession, user: User = Depends(page_user)) -> str:
    rows = session.exec(select(Department).order_by(col(Department.id).desc()).limit(20)).all()
    return templates.get_template("page.html").render(rows=rows)
