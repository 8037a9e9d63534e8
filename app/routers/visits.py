"""The leader's pages: the walk form, their walks, actions due."""

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.csrf import csrf_token_for, require_csrf, set_csrf_cookie
from app.db import ReadSession, WriteSession
from app.deps import page_user, require_page_role
from app.models import User
from app.pages import flash_redirect, render
from app.services.actions import my_actions, set_action_status
from app.services.catalogue import catalogue_names
from app.services.conversations import role_suggestions
from app.services.departments import departments_due, departments_for_form
from app.services.ideas import ideas_of_visit
from app.services.priority_decisions import decisions_of_visit
from app.services.themes import theme_names
from app.services.users import action_owner_emails
from app.services.visit_edits import (
    EditConflict,
    edit_deadline,
    editable_visit,
    may_edit_visit,
    update_visit,
    visit_history,
    visit_version,
)
from app.services.visit_form import (
    VisitForm,
    action_ids,
    add_block,
    blank_conversation,
    read_visit_form,
    validate_visit_form,
    visit_form_from,
)
from app.services.visits import VisitInputError, create_visit, get_visit_for, visit_summaries

router = APIRouter(include_in_schema=False)  # pages: the OpenAPI document is the JSON API
walkers = require_page_role("leader", "admin")
DUE_SHOWN = 12  # departments listed under "Due a visit", those waiting longest
WALKS_SHOWN = 20  # walks a page of the walk list holds, the newest first


def _form_context(
    session: Session, user: User, visit: VisitForm, visit_id: int | None
) -> dict[str, Any]:
    return {
        "visit": visit,
        "form_action": f"/visits/{visit_id}/edit" if visit_id else "/visits",
        "editing": visit_id is not None,
        "visit_id": visit_id,
        # The phone keeps unsaved changes with it: past it they can no longer be saved.
        "edit_until": edit_deadline(session, user=user, visit_id=visit_id) if visit_id else None,
        "departments": departments_for_form(session, user=user),
        "themes": theme_names(session),
        "roles": role_suggestions(session, user=user),
        "owners": action_owner_emails(session),
        "user_email": user.email,
        "services": catalogue_names(session),
        "blank_conversation": blank_conversation(),
    }


def _form_page(
    request: Request,
    session: Session,
    user: User,
    visit: VisitForm,
    status_code: int = 200,
    visit_id: int | None = None,
) -> Response:
    return render(
        request,
        "visits/new.html",
        _form_context(session, user, visit, visit_id),
        block="visit_form",
        status_code=status_code,
    )


@router.get("/visits")
def visits_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(walkers),
    page: int = 1,
    finished: str = "",
) -> Response:
    page = min(max(page, 1), 100_000)  # a page number the database can take
    visits, total = visit_summaries(
        session, user=user, limit=WALKS_SHOWN, skip=(page - 1) * WALKS_SHOWN
    )
    if not visits and page > 1:  # a page past the end (walks removed, an old link)
        page = max(1, -(-total // WALKS_SHOWN))
        visits, total = visit_summaries(
            session, user=user, limit=WALKS_SHOWN, skip=(page - 1) * WALKS_SHOWN
        )
    due, due_total = departments_due(session, limit=DUE_SHOWN)
    context = {
        "visits": visits,
        "total": total,
        "page": page,
        "first_shown": (page - 1) * WALKS_SHOWN + 1,
        "older": total > page * WALKS_SHOWN,
        "due": due,
        "due_total": due_total,
        **_actions_context(session, user, everything=finished == "all"),
    }
    return render(request, "visits/index.html", context)


def _actions_context(session: Session, user: User, *, everything: bool) -> dict[str, Any]:
    """What the walk list's "My actions" block shows: the leader's actions, how many finished
    ones are left out, and whether the full list was asked for (its forms keep it so)."""
    actions, finished_earlier = my_actions(session, user=user, all_finished=everything)
    return {"actions": actions, "finished_earlier": finished_earlier, "all_finished": everything}


@router.get("/visits/new")
def new_visit_page(
    request: Request,
    session: ReadSession,
    user: User = Depends(walkers),
) -> Response:
    return _form_page(request, session, user, VisitForm.blank())


@router.post("/visits", dependencies=[Depends(require_csrf)])
async def submit_visit(
    request: Request,
    session: WriteSession,
    user: User = Depends(walkers),
) -> Response:
    # The form is read here (async); the database work runs in the thread pool, so a wait
    # for SQLite's write lock never blocks the event loop.
    form = await request.form()
    return await run_in_threadpool(_save_visit, request, session, user, form)


def _save_visit(request: Request, session: Session, user: User, form: FormData) -> Response:
    visit = read_visit_form(form)
    if add_block(visit, form.get("add"), owner=user.email):
        return _form_page(request, session, user, visit)
    data = validate_visit_form(visit)
    if data is not None:
        try:
            create_visit(session, leader=user, data=data)
        except VisitInputError as exc:
            visit.errors[exc.field.replace(".", "-")] = str(exc)
        else:
            return flash_redirect(request, "/visits", "walk-saved")
    return _form_page(request, session, user, visit, status_code=422)


@router.get("/visits/{visit_id}")
def visit_page(
    visit_id: int,
    request: Request,
    session: ReadSession,
    user: User = Depends(walkers),
) -> Response:
    visit = get_visit_for(session, user=user, visit_id=visit_id)
    can_edit = may_edit_visit(session, user=user, visit_id=visit_id)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "ideas": ideas_of_visit(session, visit_id=visit_id),
            "decisions": decisions_of_visit(session, visit_id=visit_id),
            "history": visit_history(session, visit_id=visit_id),
            "can_edit": can_edit,
        },
    )


@router.get("/visits/{visit_id}/edit")
def edit_visit_page(
    visit_id: int,
    request: Request,
    session: ReadSession,
    user: User = Depends(walkers),
) -> Response:
    stored = editable_visit(session, user=user, visit_id=visit_id)
    decision = next(iter(decisions_of_visit(session, visit_id=visit_id)), None)
    visit = visit_form_from(get_visit_for(session, user=user, visit_id=visit_id), decision)
    visit.values["version"] = visit_version(stored)
    return _form_page(request, session, user, visit, visit_id=visit_id)


@router.post("/visits/{visit_id}/edit", dependencies=[Depends(require_csrf)])
async def submit_edit(
    visit_id: int,
    request: Request,
    session: WriteSession,
    user: User = Depends(walkers),
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_save_edit, request, session, user, visit_id, form)


def _save_edit(
    request: Request, session: Session, user: User, visit_id: int, form: FormData
) -> Response:
    visit = read_visit_form(form)
    if add_block(visit, form.get("add"), owner=user.email):
        return _form_page(request, session, user, visit, visit_id=visit_id)
    data = validate_visit_form(visit)
    if data is not None:
        try:
            update_visit(
                session,
                user=user,
                visit_id=visit_id,
                data=data,
                action_ids=action_ids(visit),
                version=visit.values["version"] or None,
            )
        except VisitInputError as exc:
            visit.errors[exc.field.replace(".", "-")] = str(exc)
        except EditConflict as exc:
            # The form comes back as typed, now of the walk as it stands: saved again, it
            # replaces the other change, knowingly.
            visit.errors["version"] = str(exc)
            visit.values["version"] = exc.version
            return _form_page(request, session, user, visit, status_code=409, visit_id=visit_id)
        else:
            return flash_redirect(request, f"/visits/{visit_id}", "walk-updated")
    return _form_page(request, session, user, visit, status_code=422, visit_id=visit_id)


@router.post("/actions/{action_id}/status", dependencies=[Depends(require_csrf)])
def action_status(
    action_id: int,
    request: Request,
    session: WriteSession,
    status: str = Form(..., max_length=20),
    previous: str = Form("", max_length=20),
    finished: str = Form("", max_length=20),
    user: User = Depends(page_user),
) -> Response:
    set_action_status(session, user=user, action_id=action_id, status=status)
    everything = finished == "all"  # the list stays as the leader had opened it
    if request.headers.get("HX-Request") == "true":
        # "Undo" puts the action back the way it was before this tap.
        undo = {action_id: previous} if previous in ("open", "in_progress") else {}
        context = {**_actions_context(session, user, everything=everything), "undo_status": undo}
        return render(request, "visits/index.html", context, block="actions")
    back = "/visits?finished=all" if everything else "/visits"
    return flash_redirect(request, back, "action-updated")


@router.get("/csrf-token")
def csrf_token(request: Request, user: User = Depends(page_user)) -> Response:
    """A fresh token for the offline outbox, which sends long after the page was loaded, and
    whose session it is (the outbox sends a walk only with its owner's)."""
    token, signed = csrf_token_for(request)
    response = JSONResponse(
        {"token": token, "user": user.id}, headers={"Cache-Control": "no-store"}
    )
    if signed is not None:
        set_csrf_cookie(response, signed)
    return response
