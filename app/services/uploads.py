"""What the browser's and the API's uploads share: a file's name as shown, its bytes as a
file on disk for the readers that stream from a path, and a kept upload found for its
owner before it expires."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

from fastapi import UploadFile
from sqlalchemy import delete
from sqlmodel import Session, col

from app.models import SurveyUpload, TicketUpload, User
from app.models.types import utcnow
from app.services.errors import NotFoundError

KEEP_UPLOADS = timedelta(minutes=30)


def shown_name(file: UploadFile, default: str = "upload") -> str:
    """The uploaded file's own name without any folder, as stored and shown (255 at most)."""
    return Path(file.filename or default).name[:255]


@contextmanager
def on_disk(source: bytes | BinaryIO) -> Iterator[Path]:
    """`source` (bytes, or a file object read to its end) as a file in a private temporary
    folder, removed with the folder when the block ends."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        if isinstance(source, bytes):
            path.write_bytes(source)
        else:
            with path.open("wb") as out:
                shutil.copyfileobj(source, out)
        yield path


def purge_expired_uploads(session: Session) -> None:
    """Remove the kept survey and ticket exports past their 30 minutes."""
    for model in (SurveyUpload, TicketUpload):
        session.execute(delete(model).where(col(model.created_at) < utcnow() - KEEP_UPLOADS))


class _KeptUpload(Protocol):
    user_id: int
    created_at: datetime


Upload = TypeVar("Upload", bound=_KeptUpload)


def own_upload(
    session: Session, model: type[Upload], *, user: User, upload_id: str, step: str
) -> Upload:
    """The user's own kept upload (admins: any), while it is kept for `step` ("its
    preview", "its mapping"); otherwise NotFoundError saying to upload the file again."""
    upload = session.get(model, upload_id)
    if upload is None or (upload.user_id != user.id and user.role != "admin"):
        raise NotFoundError("that upload is gone; upload the file again")
    if upload.created_at < utcnow() - KEEP_UPLOADS:
        raise NotFoundError(
            f"that upload has expired (an export is kept 30 minutes for {step}); "
            "upload the file again"
        )
    return upload
