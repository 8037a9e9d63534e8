"""Uploading a survey export in the browser: keep it, preview the mapping, then import."""

import json
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.db import all_or_nothing
from app.ingest.row_errors import ErrorGroup, RowErrors
from app.ingest.survey_chunks import RowTally, parse_chunks
from app.ingest.survey_plan import SurveyOptions, plan_survey
from app.models import Department, SurveyMapping, SurveyUpload, User
from app.models.department import department_key
from app.models.types import utcnow
from app.services.errors import NotFoundError
from app.services.surveys import SurveyImportResult, import_survey

# A raw export holds e-mails, addresses and free text: it is kept only while its preview is
# being looked at, never in a backup (backups.py leaves the table out).
KEEP_UPLOADS = timedelta(minutes=30)
MAPPING_FIELDS = ("format", "department_column", "rating_columns", "submitted_column", "scales")


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
    sample: list[list[str]] = field(default_factory=list)
    problems: list[ErrorGroup] = field(default_factory=list)
    bad_rows: int = 0
    signature: str = ""
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # id, question, why
    notes: dict[str, str] = field(default_factory=dict)  # rating column id: codes read as none


def purge_expired_uploads(session: Session) -> None:
    """Remove the raw uploads past their 30 minutes."""
    session.execute(
        delete(SurveyUpload).where(col(SurveyUpload.created_at) < utcnow() - KEEP_UPLOADS)
    )


def store_upload(session: Session, *, user: User, file_name: str, content: bytes) -> str:
    """Keep an uploaded file for preview; returns its id. Expired uploads are removed."""
    purge_expired_uploads(session)
    upload_id = secrets.token_urlsafe(24)
    assert user.id is not None
    session.add(
        SurveyUpload(id=upload_id, user_id=user.id, file_name=file_name[:255], content=content)
    )
    session.flush()
    return upload_id


def get_upload(session: Session, *, user: User, upload_id: str) -> SurveyUpload:
    """The user's own upload (admins: any)."""
    upload = session.get(SurveyUpload, upload_id)
    if upload is None or (upload.user_id != user.id and user.role != "admin"):
        raise NotFoundError("that upload is gone; upload the file again")
    if upload.created_at < utcnow() - KEEP_UPLOADS:
        raise NotFoundError(
            "that upload has expired (an export is kept 30 minutes for its preview); "
            "upload the file again"
        )
    return upload


@contextmanager
def upload_file(upload: SurveyUpload) -> Iterator[Path]:
    """The upload as a file on disk, for the readers that stream from a path."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        path.write_bytes(upload.content)
        yield path


def saved_mapping(session: Session, *, signature: str) -> SurveyOptions | None:
    """The mapping an analyst saved for files of this shape, if any."""
    row = session.exec(select(SurveyMapping).where(SurveyMapping.signature == signature)).first()
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row.mapping)
    return SurveyOptions.from_inputs(
        format=str(data.get("format", "auto")),
        department_column=data.get("department_column"),
        rating_column=data.get("rating_columns", ()),
        submitted_column=data.get("submitted_column"),
        scale=data.get("scales", ()),
    )


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
    session: Session, *, path: Path, options: SurveyOptions, file_name: str
) -> SurveyPreview:
    """What an import would do, without writing: columns, scales, counts and bad rows."""
    plan = plan_survey(path, options, file_name)
    departments = {d.name_key: d.id for d in session.exec(select(Department))}
    errors = RowErrors(file_name)
    tally = RowTally()
    completes = partials = 0
    rows = plan.data_chunks(path, file_name)
    for chunk in parse_chunks(
        plan,
        rows,
        department_id=lambda raw: departments.get(department_key(raw)),
        errors=errors,
        tally=tally,
    ):
        complete = sum(chunk.complete)
        completes += complete
        partials += len(chunk) - complete
    return SurveyPreview(
        format=plan.layout.format,
        columns=[c.id for c in plan.layout.columns],
        department_column=plan.department.id,
        timestamp_column=plan.timestamp.id if plan.timestamp else None,
        rating_columns=[(r.column.id, r.column.label, r.scale.describe()) for r in plan.ratings],
        completes=completes,
        partials=partials,
        previews=tally.previews,
        sample=[list(r) for r in plan.sample],
        problems=errors.groups(),
        bad_rows=errors.row_count,
        signature=plan.layout.signature,
        left_out=[(c.id, c.label, why) for c, why in plan.left_out],
        notes={r.column.id: r.note for r in plan.ratings if r.note},
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
) -> SurveyImportResult:
    """Import a previewed upload; the upload is removed once it is in."""
    upload = get_upload(session, user=user, upload_id=upload_id)
    with upload_file(upload) as path:
        result = import_survey(
            session,
            path=path,
            name=name,
            options=options,
            display_name=upload.file_name,
            actor_id=user.id,
        )
        if remember and result.signature is not None:
            save_mapping(session, signature=result.signature, options=options)
    session.delete(upload)
    session.flush()
    return result


def options_dict(options: SurveyOptions) -> dict[str, Any]:
    """The options as the form shows them."""
    return {
        "format": options.format,
        "department_column": options.department_column or "",
        "rating_columns": list(options.rating_columns),
        "submitted_column": options.submitted_column or "",
        "scale": options.scales[0] if options.scales else "",
        "date": options.round_date or "",
    }
