"""Uploading a survey export in the browser: keep it, preview the mapping, then import."""

import json
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.db import all_or_nothing
from app.ingest.row_errors import ErrorGroup, RowErrors
from app.ingest.survey_chunks import RowTally, parse_chunks
from app.ingest.survey_counts import running_against
from app.ingest.survey_options import SurveyOptions
from app.ingest.survey_plan import open_survey_chunks, plan_survey
from app.ingest.survey_redaction import is_not_kept, redact_survey_file
from app.models import Department, SurveyMapping, SurveyUpload, User
from app.models.department import department_key
from app.services.departments import add_departments
from app.services.earlier_rounds import EarlierRounds
from app.services.surveys import SurveyImportResult, find_survey, import_survey
from app.services.uploads import on_disk, own_upload, purge_expired_uploads

# A raw export holds e-mails, addresses and free text: it is kept only while its preview is
# being looked at, never in a backup (backups.py leaves the table out).
MAPPING_FIELDS = (
    "format",
    "department_column",
    "rating_columns",
    "submitted_column",
    "scales",
    "department_aliases",
    "reversed_columns",
)


@dataclass(frozen=True)
class Candidate:
    """A column the analyst may tick as a rating question: detected (with its scale) or left
    out (with why)."""

    id: str
    question: str
    scale: str | None
    note: str


@dataclass
class SurveyPreview:
    format: str
    columns: list[str]
    department_column: str
    timestamp_column: str | None
    rating_columns: list[tuple[str, str, str]]  # column id, question, scale
    completes: int = 0
    partials: int = 0
    previews: int = 0
    partials_without_department: int = 0  # stopped before the department question: left out
    sample: list[list[str]] = field(default_factory=list)
    problems: list[ErrorGroup] = field(default_factory=list)
    bad_rows: int = 0
    signature: str = ""
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # id, question, why
    notes: dict[str, str] = field(default_factory=dict)  # rating column id: codes read as none
    candidates: list[Candidate] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)  # the tool's own columns, never ratings
    unknown_departments: list[tuple[str, int]] = field(default_factory=list)  # name, rows
    departments: list[str] = field(default_factory=list)  # the directory's names
    times_unread: str = ""  # why the time column found by its name was not read
    times_unsure: str = ""  # the times read both ways round (day or month first)
    against: dict[str, str] = field(default_factory=dict)  # rating id: runs against the rest
    earlier: str = ""  # the responses another round already holds, said
    earlier_count: int = 0


def store_upload(
    session: Session,
    *,
    user: User,
    file_name: str,
    content: bytes,
    options: SurveyOptions | None = None,
    replaces: str = "",
) -> str:
    """Keep an uploaded file for preview with only the columns the mapping uses (`options`,
    else the one saved for files of its shape, else what detection finds), and never an
    identifying column's values (e-mails, names, addresses, IPs, ids: see survey_redaction);
    returns its id. The user's upload it `replaces` and expired uploads are removed. A file
    that cannot be read as a survey export is refused here."""
    purge_expired_uploads(session)
    with tempfile.TemporaryDirectory() as tmp:
        raw, kept = Path(tmp) / "raw", Path(tmp) / "kept"
        raw.write_bytes(content)
        if options is None:
            layout = open_survey_chunks(raw, SurveyOptions(), file_name)[1]
            options = saved_mapping(session, signature=layout.signature) or SurveyOptions()
        emptied = redact_survey_file(raw, kept, file_name, options)
        stored = kept.read_bytes()
    upload_id = secrets.token_urlsafe(24)
    assert user.id is not None
    if replaces:
        session.execute(
            delete(SurveyUpload).where(
                col(SurveyUpload.id) == replaces, col(SurveyUpload.user_id) == user.id
            )
        )
    session.add(
        SurveyUpload(
            id=upload_id,
            user_id=user.id,
            file_name=file_name[:255],
            content=stored,
            emptied=json.dumps(emptied),
        )
    )
    session.flush()
    return upload_id


def get_upload(session: Session, *, user: User, upload_id: str) -> SurveyUpload:
    """The user's own upload (admins: any)."""
    return own_upload(session, SurveyUpload, user=user, upload_id=upload_id, step="its preview")


def upload_columns(
    path: Path, upload: SurveyUpload, options: SurveyOptions
) -> tuple[list[str], list[str]]:
    """The upload's columns (to choose the department and submitted columns from), and
    those `options` names whose answers were not kept with the upload because the mapping
    it was uploaded with did not use them."""
    emptied = json.loads(upload.emptied)
    layout = open_survey_chunks(path, options, upload.file_name)[1]
    named = [options.department_column, options.submitted_column, *options.rating_columns]
    found = [c for name in named if name and (c := layout.find(name)) is not None]
    not_kept = [c.id for c in found if is_not_kept(emptied.get(c.id, ""))]
    return [c.id for c in layout.columns], not_kept


def saved_mapping(session: Session, *, signature: str) -> SurveyOptions | None:
    """The mapping an analyst saved for files of this shape, if any."""
    row = session.exec(select(SurveyMapping).where(SurveyMapping.signature == signature)).first()
    if row is None:
        return None
    return SurveyOptions.from_fields(json.loads(row.mapping))


def save_mapping(session: Session, *, signature: str, options: SurveyOptions) -> None:
    """Remember the mapping for the next file of the same shape."""
    mapping = json.dumps({k: v for k, v in asdict(options).items() if k in MAPPING_FIELDS})
    row = session.exec(select(SurveyMapping).where(SurveyMapping.signature == signature)).first()
    if row is None:
        row = SurveyMapping(signature=signature, mapping=mapping)
    row.mapping = mapping
    session.add(row)
    session.flush()


def preview_survey(
    session: Session, *, path: Path, options: SurveyOptions, file_name: str, name: str = ""
) -> SurveyPreview:
    """What an import would do, without writing: columns, scales, counts, the department
    names the directory does not know, and bad rows."""
    plan = plan_survey(path, options, file_name, require_ratings=False)
    known = list(session.exec(select(Department).order_by(col(Department.name))))
    departments = {d.name_key: d.id for d in known}
    aliases = {department_key(a): department_key(b) for a, b in options.department_aliases}
    unknown: dict[str, set[str]] = {}  # each name the directory lacks: the file's spellings

    def department_id(raw: str) -> int | None:
        key = department_key(raw)
        found = departments.get(key) or departments.get(aliases.get(key, ""))
        if found is None:
            unknown.setdefault(key, set()).add(raw.strip())
        return found

    errors = RowErrors(file_name)
    tally = RowTally()
    completes = partials = 0
    answered: Counter[tuple[float | None, ...]] = Counter()
    replaced = find_survey(session, name=name.strip()) if name.strip() else None
    earlier = EarlierRounds.load(session, besides=replaced.id if replaced else None)
    rows = plan.data_chunks(path, file_name)
    for chunk in parse_chunks(plan, rows, department_id=department_id, errors=errors, tally=tally):
        earlier.repeated(chunk)
        complete = sum(chunk.complete)
        completes += complete
        partials += len(chunk) - complete
        answered.update(r for r, whole in zip(chunk.ratings, chunk.complete, strict=True) if whole)
    groups = errors.groups()
    by_message = {g.message: len(g.rows) for g in groups if g.field == plan.department.id}
    missing = []
    for spellings in unknown.values():
        per_spelling = {s: by_message.get(f"unknown department {s!r}", 0) for s in spellings}
        # Shown as most rows spell it; the rows of every spelling counted.
        shown = max(sorted(per_spelling), key=lambda s: per_spelling[s])
        missing.append((shown, sum(per_spelling.values())))
    missing.sort(key=lambda pair: (-pair[1], pair[0]))
    hidden = {plan.department.index} | ({plan.timestamp.index} if plan.timestamp else set())
    rated = {r.column.index: r for r in plan.ratings}
    why_not = {c.index: why for c, why in plan.left_out}
    found = earlier.found()
    return SurveyPreview(
        format=plan.layout.format,
        columns=[c.id for c in plan.layout.columns],
        department_column=plan.department.id,
        timestamp_column=plan.timestamp.id if plan.timestamp else None,
        rating_columns=[(r.column.id, r.column.label, r.scale.describe()) for r in plan.ratings],
        completes=completes,
        partials=partials,
        previews=tally.previews,
        partials_without_department=tally.partials_without_department,
        sample=[list(r) for r in plan.sample],
        problems=groups,
        bad_rows=errors.row_count,
        signature=plan.layout.signature,
        left_out=[(c.id, c.label, why) for c, why in plan.left_out],
        notes={r.column.id: r.note for r in plan.ratings if r.note},
        candidates=[
            Candidate(
                id=c.id,
                question=c.label,
                scale=rated[c.index].scale.describe() if c.index in rated else None,
                note=rated[c.index].note if c.index in rated else why_not.get(c.index, ""),
            )
            for c in plan.layout.columns
            if c.index not in plan.layout.meta and c.index not in hidden
        ],
        metadata=[plan.layout.columns[i].id for i in sorted(plan.layout.meta)],
        unknown_departments=missing,
        departments=[d.name for d in known],
        times_unread=next(
            (f"{c.id}: {why}" for c, why in plan.left_out if c.index == plan.layout.timestamp),
            "",
        ),
        times_unsure=plan.times_unsure,
        against=running_against(plan.ratings, answered.items()),
        earlier=found.warning(completes + partials) or "",
        earlier_count=found.total,
    )


@all_or_nothing
def import_upload(
    session: Session,
    *,
    user: User,
    upload_id: str,
    name: str,
    options: SurveyOptions,
    remember: bool,
    new_departments: tuple[tuple[str, int], ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> SurveyImportResult:
    """Import a previewed upload, adding the departments the analyst added on the way; the
    upload is removed once it is in."""
    upload = get_upload(session, user=user, upload_id=upload_id)
    add_departments(session, departments=new_departments, actor_id=user.id)
    with on_disk(upload.content) as path:
        result = import_survey(
            session,
            path=path,
            name=name,
            options=options,
            display_name=upload.file_name,
            actor_id=user.id,
            progress=progress,
        )
        if remember and result.signature is not None:
            save_mapping(session, signature=result.signature, options=options)
    # A query, not session.delete: a purge elsewhere may have removed the row meanwhile.
    session.execute(delete(SurveyUpload).where(col(SurveyUpload.id) == upload_id))
    session.flush()
    return result


def options_dict(options: SurveyOptions) -> dict[str, Any]:
    """The options as the form shows them."""
    return {
        "format": options.format,
        "department_column": options.department_column or "",
        "rating_columns": list(options.rating_columns),
        "reversed_columns": list(options.reversed_columns),
        "submitted_column": options.submitted_column or "",
        "scale": options.scales[0] if options.scales else "",
        "date": options.round_date or "",
        "aliases": dict(options.department_aliases),
    }
