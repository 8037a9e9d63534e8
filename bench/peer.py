"""The bench's peer: a plain FastAPI + SQLModel + Jinja app, written the way the frameworks'
tutorials write one, with a page listing 20 rows and a ping route that asks the database for
`SELECT 1` as Walkabout's /healthz does. Its list/ping ratio, measured in the same run, is
the bar the walk list and walk form are held to.

    WALKABOUT_PEER_DATABASE=/tmp/peer.db uvicorn bench.peer:app
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import DictLoader, Environment, select_autoescape
from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel, create_engine, select

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Items</title></head>
<body><main><h1>Latest items</h1>
<table><thead><tr><th>#</th><th>Title</th><th>Owner</th><th>Created</th></tr></thead>
<tbody>{% for item in items %}
<tr><td>{{ item.id }}</td><td>{{ item.title }}</td><td>{{ item.owner }}</td>
<td>{{ item.created_at.strftime("%Y-%m-%d %H:%M") }}</td></tr>{% endfor %}
</tbody></table></main></body></html>"""


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    owner: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


engine = create_engine(
    f"sqlite:///{os.environ.get('WALKABOUT_PEER_DATABASE', 'peer.db')}",
    connect_args={"check_same_thread": False},
)
SQLModel.metadata.create_all(engine)
with Session(engine) as seed:
    if seed.exec(select(Item)).first() is None:
        seed.add_all(Item(title=f"Item {n}", owner=f"user{n % 7}") for n in range(100))
        seed.commit()

templates = Environment(loader=DictLoader({"items.html": PAGE}), autoescape=select_autoescape())
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@app.get("/ping")
def ping(session: Session = Depends(get_session)) -> dict[str, str]:
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok"}


@app.get("/items", response_class=HTMLResponse)
def items(request: Request, session: Session = Depends(get_session)) -> str:
    rows = session.exec(select(Item).order_by(Item.id.desc()).limit(20)).all()  # type: ignore[union-attr]
    return templates.get_template("items.html").render(items=rows)


@app.post("/items", status_code=201)
def add_item(session: Session = Depends(get_session)) -> dict[str, int | None]:
    item = Item(title="posted", owner="bench")
    session.add(item)
    session.commit()
    return {"id": item.id}
