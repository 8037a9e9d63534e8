"""The walk form: turning posted fields into a VisitCreate, and errors back into fields."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.models import VisitCreate
from app.services.errors import plain_message

CONVERSATION_FIELDS = (
    "person_role",
    "stated_score",
    "observed_score",
    "unreported",
    "notes",
    "expected",
    "service",
    "teaching",
    "taught_people",
    "idea_what",
    "idea_benefit",
    "idea_who_else",
)
CONVERSATION_CHECKS = ("end_run", "expectation_mismatch")
DECISION_FIELDS = (
    "decision_title",
    "decision_owner_role",
    "decision_owner_email",
    "decision_capacity",
    "decision_competes_with",
)
DECISION_NAMES = ("title", "owner_role", "owner_email", "capacity", "competes_with")
ACTION_FIELDS = ("title", "owner", "due_date")
MAX_CONVERSATIONS = 50
MAX_ACTIONS = 20


@dataclass
class VisitForm:
    """What the form shows: the values typed so far and any messages per field."""

    values: dict[str, Any]
    conversations: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls, client_id: str | None = None) -> "VisitForm":
        """A new walk: today, one empty conversation, a fresh client_id."""
        return cls(
            values={
                "client_id": client_id or str(uuid.uuid4()),
                "visit_date": date.today().isoformat(),
                "department": "",
                "location": "",
                "manager_present": False,
                "setting": "",
                **dict.fromkeys(DECISION_FIELDS, ""),
            },
            conversations=[blank_conversation()],
            actions=[],
        )


def blank_conversation() -> dict[str, Any]:
    """An empty conversation block."""
    return {
        **dict.fromkeys(CONVERSATION_FIELDS, ""),
        "unreported": "0",
        "taught_people": "0",
        "issues": [],
        **dict.fromkeys(CONVERSATION_CHECKS, False),
    }


def _indices(form: FormData, prefix: str, limit: int) -> list[int]:
    pattern = re.compile(rf"^{prefix}-(\d+)-")
    found = {int(m.group(1)) for key in form if (m := pattern.match(key))}
    return sorted(i for i in found if i < limit)


def read_visit_form(form: FormData) -> VisitForm:
    """The posted walk, as typed (strings), in order."""
    values: dict[str, Any] = {
        "client_id": str(form.get("client_id", "")),
        "department": str(form.get("department", "")),
        "visit_date": str(form.get("visit_date", "")),
        "location": str(form.get("location", "")),
        "manager_present": form.get("manager_present") == "on",
        "setting": str(form.get("setting", "")),
        **{name: str(form.get(name, "")) for name in DECISION_FIELDS},
        "version": str(form.get("version", "")),  # an edit's: the walk as the form showed it
    }
    conversations = []
    for i in _indices(form, "conversations", MAX_CONVERSATIONS):
        item: dict[str, Any] = {
            name: str(form.get(f"conversations-{i}-{name}", "")) for name in CONVERSATION_FIELDS
        }
        item["issues"] = [str(v) for v in form.getlist(f"conversations-{i}-issues")]
        for check in CONVERSATION_CHECKS:
            item[check] = form.get(f"conversations-{i}-{check}") == "on"
        conversations.append(item)
    actions = [
        {name: str(form.get(f"actions-{i}-{name}", "")) for name in (*ACTION_FIELDS, "id")}
        for i in _indices(form, "actions", MAX_ACTIONS)
    ]
    # A block with neither a title nor a due date is no action (the owner is always filled
    # in); one with a due date and no title is refused at its title.
    actions = [a for a in actions if a["title"].strip() or a["due_date"].strip()]
    return VisitForm(values=values, conversations=conversations, actions=actions)


def _blank_to_none(value: str) -> str | None:
    return value.strip() or None


def _derived_id(client_id: str, name: str) -> str:
    # Records made from one form post get ids derived from the walk's: a resend repeats them.
    try:
        return str(uuid.uuid5(uuid.UUID(client_id), name))
    except ValueError:
        return client_id


def _conversation_body(c: dict[str, Any], client_id: str, index: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_role": c["person_role"],
        "stated_score": _blank_to_none(c["stated_score"]),
        "issues": c["issues"],
        "unreported": c["unreported"] or "0",
        "end_run": c["end_run"],
        "notes": c["notes"],
        "expectation_mismatch": c["expectation_mismatch"],
        "expected": c["expected"],
        "service": _blank_to_none(c["service"]),
        "teaching": c["teaching"],
        "taught_people": c["taught_people"] or "0",
        "ideas": [],
    }
    # Left out when blank, so that the message says it is required.
    if c["observed_score"]:
        body["observed_score"] = c["observed_score"]
    if c["idea_what"].strip():
        body["ideas"] = [
            {
                "client_id": _derived_id(client_id, f"idea-{index}"),
                "what": c["idea_what"].strip(),
                "benefit": c["idea_benefit"].strip(),
                "who_else": c["idea_who_else"].strip(),
            }
        ]
    return body


def add_block(walk: VisitForm, adding: object, *, owner: str) -> bool:
    """A post from an "add" button (no JavaScript): a blank conversation or action (for
    `owner`) is added to the form, and True says to show it again rather than save."""
    if adding == "conversation":
        walk.conversations.append(blank_conversation())
        return True
    if adding == "action":
        walk.actions.append({"title": "", "owner": owner, "due_date": ""})
        return True
    return False


def action_ids(walk: VisitForm) -> list[int | None]:
    """Which stored action each of the form's actions is (None: a new one)."""
    return [int(a["id"]) if a.get("id", "").isdigit() else None for a in walk.actions]


def validate_visit_form(walk: VisitForm) -> VisitCreate | None:
    """The VisitCreate, or None with `walk.errors` filled in (field name -> message)."""
    values = walk.values
    client_id = values["client_id"]
    body: dict[str, Any] = {
        "client_id": client_id,
        "department": values["department"].strip(),
        "visit_date": values["visit_date"],
        "location": _blank_to_none(values["location"]),
        "manager_present": values["manager_present"],
        "setting": _blank_to_none(values["setting"]),
        "conversations": [
            _conversation_body(c, client_id, i) for i, c in enumerate(walk.conversations)
        ],
        "actions": [
            {"title": a["title"], "owner": a["owner"], "due_date": _blank_to_none(a["due_date"])}
            for a in walk.actions
        ],
    }
    if values.get("decision_title", "").strip():
        body["priority_decisions"] = [
            {
                "client_id": _derived_id(client_id, "decision"),
                "title": values["decision_title"].strip(),
                "owner_role": values.get("decision_owner_role", "").strip(),
                "owner_email": values.get("decision_owner_email", "").strip(),
                "capacity": values.get("decision_capacity", "").strip(),
                "competes_with": values.get("decision_competes_with", "").strip(),
            }
        ]
    try:
        return VisitCreate.model_validate(body)
    except ValidationError as exc:
        for error in exc.errors():
            name = form_field(".".join(str(p) for p in error["loc"]))
            walk.errors.setdefault(name, plain_message(error["msg"]))
        return None


def form_field(path: str) -> str:
    """`conversations.0.observed_score` -> `conversations-0-observed_score`."""
    return path.replace(".", "-")


# A walk backfilled from a spreadsheet has no client_id; its edit form gets one derived from
# the walk's id, the same each time the page opens, so an edit sent again from a page opened
# afresh (its first answer lost) adds no idea twice.
BACKFILLED = uuid.UUID("6f2c1d0e-8a59-4c1b-9d3e-2b7a4f5e9c10")


def visit_form_from(detail: dict[str, Any], decision: Any = None) -> VisitForm:
    """A stored walk, as the form shows it for editing, with its actions and its priority
    decision (ideas are added, never edited here: they live on the Ideas page)."""
    conversations = []
    for c in detail["conversations"]:
        item = blank_conversation()
        item.update(
            person_role=c["person_role"],
            stated_score="" if c["stated_score"] is None else str(c["stated_score"]),
            observed_score=str(c["observed_score"]),
            issues=c["issues"],
            unreported=str(c["unreported"]),
            end_run=c["end_run"],
            notes=c.get("notes", ""),
            expectation_mismatch=c.get("expectation_mismatch", False),
            expected=c.get("expected", ""),
            service=c.get("service") or "",
            teaching=c.get("teaching", ""),
            taught_people=str(c.get("taught_people", 0)),
        )
        conversations.append(item)
    return VisitForm(
        values={
            "client_id": detail["client_id"] or str(uuid.uuid5(BACKFILLED, str(detail["id"]))),
            "department": detail["department"],
            "visit_date": detail["visit_date"],
            "location": detail["location"] or "",
            "manager_present": bool(detail["manager_present"]),
            "setting": detail["setting"] or "",
            **dict.fromkeys(DECISION_FIELDS, ""),
            **(
                {f"decision_{name}": getattr(decision, name) for name in DECISION_NAMES}
                if decision is not None
                else {}
            ),
        },
        conversations=conversations,
        actions=[
            {
                "id": str(a["id"]),
                "title": a["title"],
                "owner": a["owner"],
                "due_date": a["due_date"] or "",
            }
            for a in detail["actions"]
        ],
    )
