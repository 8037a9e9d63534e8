"""The walk form: turning posted fields into a VisitCreate, and errors back into fields."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.models import VisitCreate

CONVERSATION_FIELDS = ("person_role", "stated_score", "observed_score", "unreported", "notes")
ACTION_FIELDS = ("title", "owner", "due_date")
MAX_CONVERSATIONS = 50
MAX_ACTIONS = 20


@dataclass
class WalkForm:
    """What the form shows: the values typed so far and any messages per field."""

    values: dict[str, Any]
    conversations: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> "WalkForm":
        """A new walk: today, one empty conversation, a fresh client_id."""
        return cls(
            values={
                "client_id": str(uuid.uuid4()),
                "visit_date": date.today().isoformat(),
                "department": "",
                "location": "",
                "manager_present": False,
                "setting": "",
            },
            conversations=[blank_conversation()],
            actions=[],
        )


def blank_conversation() -> dict[str, Any]:
    return {
        "person_role": "",
        "stated_score": "",
        "observed_score": "",
        "issues": [],
        "unreported": "0",
        "end_run": False,
        "notes": "",
    }


def _indices(form: FormData, prefix: str, limit: int) -> list[int]:
    pattern = re.compile(rf"^{prefix}-(\d+)-")
    found = {int(m.group(1)) for key in form if (m := pattern.match(key))}
    return sorted(i for i in found if i < limit)


def read_walk_form(form: FormData) -> WalkForm:
    """The posted walk, as typed (strings), in order."""
    values = {
        "client_id": str(form.get("client_id", "")),
        "department": str(form.get("department", "")),
        "visit_date": str(form.get("visit_date", "")),
        "location": str(form.get("location", "")),
        "manager_present": form.get("manager_present") == "on",
        "setting": str(form.get("setting", "")),
    }
    conversations = []
    for i in _indices(form, "conversations", MAX_CONVERSATIONS):
        item: dict[str, Any] = {
            name: str(form.get(f"conversations-{i}-{name}", "")) for name in CONVERSATION_FIELDS
        }
        item["issues"] = [str(v) for v in form.getlist(f"conversations-{i}-issues")]
        item["end_run"] = form.get(f"conversations-{i}-end_run") == "on"
        conversations.append(item)
    actions = [
        {name: str(form.get(f"actions-{i}-{name}", "")) for name in ACTION_FIELDS}
        for i in _indices(form, "actions", MAX_ACTIONS)
    ]
    # A blank action row is left out rather than refused.
    actions = [a for a in actions if any(v.strip() for v in a.values())]
    return WalkForm(values=values, conversations=conversations, actions=actions)


def _blank_to_none(value: str) -> str | None:
    return value.strip() or None


def validate_walk_form(walk: WalkForm) -> VisitCreate | None:
    """The VisitCreate, or None with `walk.errors` filled in (field name -> message)."""
    body = {
        "client_id": walk.values["client_id"],
        "department": walk.values["department"].strip(),
        "visit_date": walk.values["visit_date"],
        "location": _blank_to_none(walk.values["location"]),
        "manager_present": walk.values["manager_present"],
        "setting": _blank_to_none(walk.values["setting"]),
        "conversations": [
            {
                "person_role": c["person_role"],
                "stated_score": _blank_to_none(c["stated_score"]),
                # Left out when blank, so that the message says it is required.
                **({"observed_score": c["observed_score"]} if c["observed_score"] else {}),
                "issues": c["issues"],
                "unreported": c["unreported"] or "0",
                "end_run": c["end_run"],
                "notes": c["notes"],
            }
            for c in walk.conversations
        ],
        "actions": [
            {"title": a["title"], "owner": a["owner"], "due_date": _blank_to_none(a["due_date"])}
            for a in walk.actions
        ],
    }
    try:
        return VisitCreate.model_validate(body)
    except ValidationError as exc:
        for error in exc.errors():
            name = form_field(".".join(str(p) for p in error["loc"]))
            walk.errors.setdefault(name, friendly(error["msg"]))
        return None


def form_field(path: str) -> str:
    """`conversations.0.observed_score` -> `conversations-0-observed_score`."""
    return path.replace(".", "-")


def friendly(message: str) -> str:
    """Pydantic's wording, made plain for a form."""
    message = message.removeprefix("Value error, ")
    replacements = {
        "Input should be a valid integer, unable to parse string as an integer": "choose a number",
        "Field required": "required",
        "Input should be a valid date or datetime, input is too short": "enter a date",
        "List should have at least 1 item after validation, not 0": "add at least one",
    }
    return replacements.get(message, message)


def walk_form_from(detail: dict[str, Any]) -> WalkForm:
    """A stored walk, as the form shows it for editing."""
    return WalkForm(
        values={
            "client_id": detail["client_id"] or str(uuid.uuid4()),
            "department": detail["department"],
            "visit_date": detail["visit_date"],
            "location": detail["location"] or "",
            "manager_present": bool(detail["manager_present"]),
            "setting": detail["setting"] or "",
        },
        conversations=[
            {
                "person_role": c["person_role"],
                "stated_score": "" if c["stated_score"] is None else str(c["stated_score"]),
                "observed_score": str(c["observed_score"]),
                "issues": c["issues"],
                "unreported": str(c["unreported"]),
                "end_run": c["end_run"],
                "notes": c.get("notes", ""),
            }
            for c in detail["conversations"]
        ],
        actions=[],
    )
