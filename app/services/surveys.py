"""Survey rounds: importing an export (all or nothing, idempotent) and listing rounds."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.db import all_or_nothing
from app.ingest import timestamps
from app.ingest.gc_pause import paused_gc
from app.ingest.row_errors import ImportRefused, RowError, RowErrors, group_lines
from app.ingest.survey_chunks import RowTally, parse_chunks
from app.ingest.survey_counts import AnswerPatterns, ImportCounts, running_against
from app.ingest.survey_options import SurveyOptions
from app.ingest.survey_plan import SurveyPlan, plan_survey
from app.ingest.tabular import FileFormatError
from app.models import (
    Department,
    Survey,
    SurveyAnswerCount,
    SurveyDepartment,
    SurveyResponse,
    SurveyScoreCount,
)
from app.models.department import department_key
from app.models.types import utcnow
from app.services.audit import record_event
from app.services.bulk_insert import response_writer
from app.services.earlier_rounds import EarlierRounds, keep_new
from app.services.errors import ConflictError, NotFoundError


def _partials_without_department(count: int) -> str:
    """How the import says the partial responses it could not place."""
    return (
        f"{count} partial response{'s' if count != 1 else ''} that stopped before the "
        "department question (no department to count them in)"
    )


@dataclass(frozen=True)
class SurveyImportResult:
    survey: str
    status: str  # imported | replaced | unchanged
    format: str
    responses: int = 0
    partials: int = 0
    previews: int = 0
    # Partial responses that stopped before the department question: no department to count
    # them in, so left out, and said.
    partials_without_department: int = 0
    round_date: date | None = None
    department_column: str = ""
    timestamp_column: str | None = None
    rating_columns: tuple[tuple[str, str], ...] = ()
    by_department: dict[str, tuple[int, int]] = field(default_factory=dict)
    skipped: tuple[RowError, ...] = ()
    signature: str | None = None  # the file's shape (None when nothing was read)
    # (column id, question, scale, what was read as no answer) of each rating taken
    ratings: tuple[tuple[str, str, str, str], ...] = ()
    left_out: tuple[tuple[str, str, str], ...] = ()  # (column id, question, why not)
    warnings: tuple[str, ...] = ()
    # Responses another round already held, left out (new responses only), and where.
    earlier_left_out: int = 0
    earlier_rounds: str = ""

    def summary(self) -> str:
        if self.status == "unchanged":
            return f"survey {self.survey!r}: this file is already imported; nothing changed"
        lines = [
            f"survey {self.survey!r} {self.status} ({self.format}): {self.responses} complete "
            f"responses, {self.partials} partial, {self.previews} previews/tests/spam skipped; "
            f"round date {self.round_date}",
            f"  department column: {self.department_column}",
            f"  submitted column: {self.timestamp_column or 'none'}",
        ]
        for column, question, scale, note in self.ratings:
            named = column if column == question else f"{column} ({question})"
            lines.append(f"  rating: {named} [{scale}]" + (f"; {note}" if note else ""))
        for column, question, why in self.left_out:
            named = column if column == question else f"{column} ({question})"
            lines.append(f"  left out: {named}: {why}")
        if self.partials_without_department:
            lines.append(
                f"  left out: {_partials_without_department(self.partials_without_department)}"
            )
        lines += [f"  warning: {w}" for w in self.warnings]
        if self.earlier_left_out:
            lines.append(
                f"  left out: {self.earlier_left_out} responses already in {self.earlier_rounds}"
            )
        if self.skipped:
            skipped = RowErrors(self.survey, list(self.skipped))
            lines.append(f"  {skipped.row_count} bad row(s) skipped:")
            lines += [f"  {line}" for line in group_lines(skipped.groups())]
        return "\n".join(lines)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same export imported twice is recognised."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_survey(session: Session, *, name: str) -> Survey | None:
    """The survey round with this name, if any."""
    return session.exec(select(Survey).where(Survey.name == name)).first()


def list_surveys(session: Session, *, published_only: bool = False) -> list[Survey]:
    """Every survey round (only the published ones for executives), newest first."""
    query = select(Survey).order_by(col(Survey.round_date).desc(), col(Survey.id).desc())
    if published_only:
        query = query.where(col(Survey.published_at).is_not(None))
    return list(session.exec(query))


def get_survey(session: Session, *, name: str, published_only: bool = False) -> Survey:
    """The named survey round, or NotFoundError (a draft, to those who see published rounds
    only, is not found either: its name tells them nothing)."""
    survey = find_survey(session, name=name)
    if survey is None or (published_only and survey.published_at is None):
        raise NotFoundError(f"no survey named {name!r}")
    return survey


@all_or_nothing
def import_survey(
    session: Session,
    *,
    path: Path,
    name: str,
    options: SurveyOptions,
    display_name: str | None = None,
    actor_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SurveyImportResult:
    """Import one survey export in a single transaction; refuse it whole on any bad row.

    `progress(done, total)` is called as rows are written (total = the file's data rows).
    """
    file_name = display_name or path.name
    name = name.strip()
    if not name or len(name) > 200:
        raise FileFormatError("the survey round needs a name of 1 to 200 characters")
    digest = file_digest(path)
    read_with = options.digest()
    existing = find_survey(session, name=name)
    same_file = existing is not None and existing.content_hash == digest
    if same_file and existing is not None and existing.options_hash == read_with:
        if not options.replace:
            return SurveyImportResult(survey=name, status="unchanged", format=existing.format)
    elif existing is not None and not same_file and not options.replace:
        raise ConflictError(
            f"survey {name!r} already holds a different file ({existing.file_name}); "
            "replace it to swap its responses for this one"
        )
    round_date = timestamps.parse_date(options.round_date) if options.round_date else None
    plan = plan_survey(path, options, file_name)
    # Held until commit: no department can go while its responses are written (the
    # responses table keeps no foreign keys; see SurveyResponse).
    locked = select(Department).with_for_update(key_share=True)
    departments = {d.name_key: d for d in session.exec(locked)}

    aliases = {
        department_key(name): department_key(target) for name, target in options.department_aliases
    }

    def department_id(raw: str) -> int | None:
        key = department_key(raw)
        found = departments.get(key) or departments.get(aliases.get(key, ""))
        return found.id if found else None

    survey = existing or Survey(
        name=name,
        round_date=date.today(),
        format=plan.layout.format,
        file_name=file_name[:255],
        content_hash=digest,
    )
    survey.format, survey.file_name, survey.content_hash = (
        plan.layout.format,
        file_name[:255],
        digest,
    )
    survey.options_hash = read_with
    survey.imported_at, survey.imported_by = utcnow(), actor_id
    survey.questions = json.dumps(
        [
            {"column": r.column.id, "question": r.column.label, "scale": r.scale.describe()}
            for r in plan.ratings
        ]
    )
    session.add(survey)
    session.flush()
    assert survey.id is not None
    if existing is not None:
        session.execute(delete(SurveyResponse).where(col(SurveyResponse.survey_id) == survey.id))
        session.execute(
            delete(SurveyDepartment).where(col(SurveyDepartment.survey_id) == survey.id)
        )
        session.execute(
            delete(SurveyAnswerCount).where(col(SurveyAnswerCount.survey_id) == survey.id)
        )
        session.execute(
            delete(SurveyScoreCount).where(col(SurveyScoreCount.survey_id) == survey.id)
        )
    earlier = EarlierRounds.load(session, besides=survey.id)
    counts = _insert_responses(
        session,
        progress=progress,
        plan=plan,
        path=path,
        options=options,
        survey_id=survey.id,
        department_id=department_id,
        file_name=file_name,
        earlier=earlier,
    )
    found = earlier.found()
    if counts.completes + counts.partials == 0:
        why = ""
        if options.new_responses_only and found.total:
            why = f": all {found.total} are already in {found.where}"
        elif counts.tally.previews:
            why = f" (all {counts.tally.previews} rows are previews, tests or spam)"
        elif counts.tally.partials_without_department:
            why = f": {_partials_without_department(counts.tally.partials_without_department)}"
        raise FileFormatError(f"{file_name}: no responses to import{why}")
    names = {d.id: d.name for d in departments.values()}
    warnings = over_headcount(counts, departments={d.id: d for d in departments.values()})
    warnings += [plan.times_unsure] if plan.times_unsure else []
    warnings += running_against(plan.ratings, counts.answered).values()
    repeated = found.warning(counts.completes + counts.partials)
    warnings += [repeated] if repeated and not options.new_responses_only else []
    survey.warnings = json.dumps(warnings)
    last = counts.last_submitted
    survey.round_date = round_date or (last.date() if last else date.today())
    survey.responses, survey.partials = counts.completes, counts.partials
    survey.previews, survey.skipped_rows = counts.tally.previews, len(counts.skipped)
    session.add(survey)
    session.execute(
        insert(SurveyDepartment),
        [
            {"survey_id": survey.id, "department_id": d.id, "headcount": d.headcount}
            for d in departments.values()
        ],
    )
    if counts.answers:
        session.execute(
            insert(SurveyAnswerCount),
            [
                {"survey_id": survey.id, "department_id": d, "value": v, "count": n}
                for (d, v), n in sorted(counts.answers.items())
            ],
        )
    if counts.by_score:
        session.execute(
            insert(SurveyScoreCount),
            [
                {
                    "survey_id": survey.id,
                    "department_id": d,
                    "is_complete": complete,
                    "wave": wave,
                    "score": score,
                    "count": n,
                }
                for d, complete, wave, score, n in counts.by_score
            ],
        )
    status = "replaced" if existing is not None else "imported"
    record_event(
        session,
        action="import.survey",
        actor_id=actor_id,
        detail=f"{name}: {file_name}, {counts.completes} responses ({status})",
    )
    session.flush()
    return SurveyImportResult(
        survey=name,
        status=status,
        signature=plan.layout.signature,
        format=plan.layout.format,
        responses=counts.completes,
        partials=counts.partials,
        previews=counts.tally.previews,
        partials_without_department=counts.tally.partials_without_department,
        round_date=survey.round_date,
        department_column=plan.department.label,
        timestamp_column=plan.timestamp.label if plan.timestamp else None,
        rating_columns=tuple((r.column.label, r.scale.describe()) for r in plan.ratings),
        ratings=tuple(
            (r.column.id, r.column.label, r.scale.describe(), r.note) for r in plan.ratings
        ),
        left_out=tuple((c.id, c.label, why) for c, why in plan.left_out),
        warnings=tuple(warnings),
        by_department={
            names[d]: (counts.by_department[(d, True)], counts.by_department[(d, False)])
            for d in sorted({d for d, _ in counts.by_department}, key=lambda d: names[d])
        },
        skipped=tuple(counts.skipped),
        earlier_left_out=found.total if options.new_responses_only else 0,
        earlier_rounds=found.where,
    )


def over_headcount(counts: ImportCounts, *, departments: dict[int | None, Department]) -> list[str]:
    """Departments with more responses than people: the headcount is out of date or the
    department column is wrong. The report caps their rate at 100% and marks it."""
    found = []
    for department in sorted(departments.values(), key=lambda d: d.name):
        key = department.id or 0
        answered = counts.by_department[(key, True)] + counts.by_department[(key, False)]
        if answered > department.headcount:
            found.append(
                f"{department.name}: {answered} responses but a headcount of "
                f"{department.headcount}; its response rate is capped at 100%"
            )
    return found


def _insert_responses(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None,
    plan: SurveyPlan,
    path: Path,
    options: SurveyOptions,
    survey_id: int,
    department_id: Callable[[str], int | None],
    file_name: str,
    earlier: EarlierRounds,
) -> ImportCounts:
    if options.new_responses_only and len(earlier.keys):
        # A first pass finds the rounds the file holds again; the one below leaves them out.
        chunks = plan.data_chunks(path, file_name)
        for chunk in parse_chunks(
            plan, chunks, department_id=department_id, errors=RowErrors(file_name), tally=RowTally()
        ):
            earlier.repeated(chunk)
        earlier.settle()
    counts = ImportCounts()
    errors = RowErrors(file_name)
    rows = plan.data_chunks(path, file_name)
    patterns = AnswerPatterns()
    with paused_gc(), response_writer(session) as write:
        for chunk in parse_chunks(
            plan, rows, department_id=department_id, errors=errors, tally=counts.tally
        ):
            if errors and not options.skip_bad_rows:
                continue  # keep reading to name every bad row, but write nothing more
            repeated = earlier.repeated(chunk)
            if options.new_responses_only:
                chunk = keep_new(chunk, repeated)
            if not len(chunk):
                continue  # a chunk of blank rows, previews or bad rows: nothing to write
            numbers = patterns.numbers(chunk)
            counts.add(chunk, numbers)
            write(patterns.rows(survey_id, chunk, numbers))
            if progress is not None:
                progress(counts.completes + counts.partials, plan.data_rows)
    if errors and not options.skip_bad_rows:
        session.rollback()
        raise ImportRefused(errors)
    counts.skipped = errors.errors
    counts.finish(patterns)
    return counts
