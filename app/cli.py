"""The `walkabout` command line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from app.db import DatabaseURLError, get_engine, normalise_url, unit_of_work
from app.ingest.row_errors import ImportRefused
from app.ingest.tabular import FileFormatError
from app.services.errors import ServiceError
from app.settings import DEV_SECRET, get_settings

main = typer.Typer(
    help="Walkabout: walk about, listen, and hold the survey to account.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Logins and API tokens.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import departments, survey exports, visits and ticket exports.", no_args_is_help=True
)
main.add_typer(db_app, name="db")
main.add_typer(users_app, name="users")
main.add_typer(import_app, name="import")
reminders_app = typer.Typer(help="Reminder e-mails of the walk programme.", no_args_is_help=True)
main.add_typer(reminders_app, name="reminders")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database URL (default: WALKABOUT_DATABASE_URL or a SQLite file under ./data/)",
    ),
]


def fail(message: str) -> None:
    """Print one clear error line and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def resolve_url(database_url: str | None) -> str:
    try:
        return normalise_url(database_url or get_settings().database_url)
    except DatabaseURLError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


@contextmanager
def database(database_url: str | None, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work on the chosen database (committed when the command's work ends), or
    a read-only session; known errors become one-line messages and nothing is written."""
    url = resolve_url(database_url)
    try:
        with unit_of_work(get_engine(url, read_only=read_only)) as session:
            yield session
    except ImportRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    except (ServiceError, FileFormatError) as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        first_line = str(exc.orig).splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        fail(f"database error: {first_line} (has `walkabout db upgrade` been run?)")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply Alembic migrations (idempotent)."""
    from app.migrate import upgrade_database

    url = resolve_url(database_url)
    try:
        upgrade_database(url)
    except Exception as exc:  # a database that cannot be reached, for instance
        fail(f"could not upgrade {url.split('@')[-1]}: {str(exc).splitlines()[0]}")
    typer.echo("database is up to date", err=True)


@db_app.command("backup")
def db_backup(file: Path, database_url: DatabaseUrl = None) -> None:
    """Write a consistent backup of the database to FILE (online)."""
    from app.services.backups import backup_database
    from app.services.errors import ServiceError

    try:
        size = backup_database(url=resolve_url(database_url), target=file)
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(f"backup written to {file} ({size} bytes)")


@db_app.command("restore")
def db_restore(file: Path, database_url: DatabaseUrl = None) -> None:
    """Replace the database's contents with a backup made by `walkabout db backup`."""
    from app.services.backups import restore_database
    from app.services.errors import ServiceError

    try:
        restore_database(url=resolve_url(database_url), source=file)
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(f"restored from {file}")


@users_app.command("create")
def users_create(
    email: str,
    role: Annotated[str, typer.Option("--role", help="leader|analyst|executive|admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a login."""
    from app.services.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database(database_url) as session:
        user = create_user(session, email=email, role=role, password=password)
    typer.echo(f"created {user.email} ({user.role})")


@users_app.command("token")
def users_token(email: str, database_url: DatabaseUrl = None) -> None:
    """Make a personal API token (stored hashed) and print it on the last line."""
    from app.services.users import create_api_token

    with database(database_url) as session:
        token = create_api_token(session, email=email)
    typer.echo(f"API token for {email.strip().lower()} (shown once):", err=True)
    typer.echo(token)


@users_app.command("revoke-tokens")
def users_revoke_tokens(email: str, database_url: DatabaseUrl = None) -> None:
    """Revoke every API token of a user."""
    from app.services.users import revoke_api_tokens

    with database(database_url) as session:
        count = revoke_api_tokens(session, email=email)
    typer.echo(f"revoked {count} token(s) of {email.strip().lower()}")


@users_app.command("assign")
def users_assign(
    email: str,
    departments: Annotated[list[str], typer.Argument(help="department names")],
    database_url: DatabaseUrl = None,
) -> None:
    """Assign a leader to departments: they then see every walk there."""
    from app.services.assignments import assign_departments

    with database(database_url) as session:
        names = assign_departments(session, email=email, departments=departments)
    typer.echo(f"{email.strip().lower()} now covers: {', '.join(names)}")


@import_app.command("departments")
def import_departments_cmd(file: Path, database_url: DatabaseUrl = None) -> None:
    """Upsert the department directory (by name)."""
    from app.services.departments import import_departments

    if not file.is_file():
        fail(f"{file}: no such file")
    with database(database_url) as session:
        result = import_departments(session, path=file)
    typer.echo(
        f"departments: {result.created} new, {result.updated} updated, {result.unchanged} unchanged"
    )


@import_app.command("survey")
def import_survey_cmd(
    file: Path,
    name: Annotated[str, typer.Option("--name", help="the survey round's name")],
    file_format: Annotated[
        str,
        typer.Option("--format", help="auto|generic|qualtrics|surveymonkey|googleforms|msforms"),
    ] = "auto",
    department_column: Annotated[
        str | None, typer.Option("--department-column", help="column id or question text")
    ] = None,
    rating_columns: Annotated[
        str | None, typer.Option("--rating-columns", help="COL[,COL...] (default: detected)")
    ] = None,
    rating_column: Annotated[
        list[str] | None,
        typer.Option(
            "--rating-column", help="one rating column (repeat it; names may hold commas)"
        ),
    ] = None,
    submitted_column: Annotated[str | None, typer.Option("--submitted-column")] = None,
    scale: Annotated[
        list[str] | None,
        typer.Option(
            "--scale",
            help="an extra ordered scale, worst first: LABEL1,LABEL2,... or a JSON array "
            "(repeatable)",
        ),
    ] = None,
    round_date: Annotated[str | None, typer.Option("--date", help="the round's date")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="swap the survey's responses")] = False,
    skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows")] = False,
    publish: Annotated[
        bool, typer.Option("--publish", help="show the round to executives at once")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import one survey's responses, all or nothing; a new round is a draft until published."""
    from app.ingest.survey_plan import SurveyOptions
    from app.services.survey_publishing import publish_survey
    from app.services.surveys import import_survey

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        options = SurveyOptions.from_inputs(
            format=file_format,
            department_column=department_column,
            rating_column=rating_column or (),
            rating_columns=[rating_columns] if rating_columns else (),
            submitted_column=submitted_column,
            scale=scale or (),
            round_date=round_date,
            replace=replace,
            skip_bad_rows=skip_bad_rows,
        )
    except FileFormatError as exc:
        fail(str(exc))
    from rich.progress import Progress

    from app.console import stderr_console

    with (
        database(database_url) as session,
        Progress(console=stderr_console(), transient=True) as bar,
    ):
        task = bar.add_task(f"importing {file.name}", total=None)
        result = import_survey(
            session,
            path=file,
            name=name,
            options=options,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        if publish:
            publish_survey(session, name=result.survey, actor_id=None)
    typer.echo(result.summary())
    if publish:
        typer.echo(f"{result.survey}: published; executives see it.")


@import_app.command("tickets")
def import_tickets_cmd(
    file: Path,
    name: Annotated[str, typer.Option("--name", help="the export's name (its period)")],
    file_format: Annotated[
        str, typer.Option("--format", help="auto|servicenow|jira|zendesk|freshservice|generic")
    ] = "auto",
    department_column: Annotated[
        str | None, typer.Option("--department-column", help="the column naming the department")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="swap the export's tickets")] = False,
    skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import service desk tickets for one period, all or nothing (no text or names kept)."""
    from app.ingest.ticket_plan import TicketOptions
    from app.services.tickets import import_tickets

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        options = TicketOptions.from_inputs(
            format=file_format,
            columns={"department": department_column},
            replace=replace,
            skip_bad_rows=skip_bad_rows,
        )
    except FileFormatError as exc:
        fail(str(exc))
    with database(database_url) as session:
        result = import_tickets(session, path=file, name=name, options=options)
    typer.echo(result.summary())


@import_app.command("visits")
def import_visits_cmd(file: Path, database_url: DatabaseUrl = None) -> None:
    """Import walkabout conversations in bulk (backfill from a spreadsheet)."""
    from app.services.visit_import import import_visits

    if not file.is_file():
        fail(f"{file}: no such file")
    with database(database_url) as session:
        result = import_visits(session, path=file)
    typer.echo(result.summary())


@main.command("analyze")
def analyze(
    survey: Annotated[str, typer.Option("--survey", help="the survey round's name")],
    output_format: Annotated[str, typer.Option("--format", help="json|csv|html")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The bias report for one survey round."""
    import json
    from datetime import date

    from app.services.programme_settings import min_group_size
    from app.services.reports import report_csv, survey_report

    if output_format not in ("json", "csv", "html"):
        fail(f"unknown --format {output_format!r} (json, csv or html)")
    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    with database(database_url, read_only=True) as session:
        typer.echo(f"analysing survey {survey!r}...", err=True)
        k = min_group_size(session, settings=get_settings())
        report = survey_report(session, survey=survey, as_of=when, min_group_size=k).to_dict()
        if output_format == "json":
            text = json.dumps(report, indent=2, ensure_ascii=False)
        elif output_format == "csv":
            text = report_csv(report)
        else:
            from app.services.report_html import report_html

            text = report_html(report)
        if out is None:
            typer.echo(text)
        else:
            tmp = out.with_name(out.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
            typer.echo(f"wrote {out}", err=True)


@main.command("calibrate")
def calibrate_cmd(
    organisations: Annotated[
        int, typer.Option("--organisations", help="how many to simulate", min=1, max=5000)
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="the simulation's seed")] = 1,
    like: Annotated[
        str | None,
        typer.Option("--like", help="simulate at the sizes of this survey round's own data"),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text|json")] = "text",
    database_url: DatabaseUrl = None,
) -> None:
    """How the report does on organisations with planted patterns: per flag, the share of
    planted departments found and the false flags per 100 quiet departments."""
    import json

    from analysis.calibration import calibrate, summary
    from analysis.simulate import Sizes
    from app.services.errors import NotFoundError
    from app.services.programme_settings import min_group_size
    from app.services.report_frames import load_report_frames
    from app.services.reports import survey_report
    from app.services.surveys import get_survey

    if output_format not in ("text", "json"):
        fail(f"unknown --format {output_format!r} (text or json)")
    sizes = None
    k = 5
    if like is not None:
        with database(database_url, read_only=True) as session:
            k = min_group_size(session, settings=get_settings())
            try:
                survey = get_survey(session, name=like)
            except NotFoundError as exc:
                fail(str(exc))
            assert survey.id is not None
            report = survey_report(session, survey=survey.name, as_of=None, min_group_size=k)
            answers = load_report_frames(session, survey_id=survey.id).answers
        try:
            sizes = Sizes.of_report(report.to_dict(), answers)
        except ValueError as exc:
            fail(f"--like {like!r}: {exc}")
    typer.echo(
        f"simulating {organisations} organisations"
        + (f" at the sizes of {like!r}" if like else "")
        + "...",
        err=True,
    )
    result = calibrate(organisations, seed=seed, min_group_size=k, like=sizes)
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(summary(result))


@reminders_app.command("send")
def reminders_send(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the day to send for (default: today, local)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list, send nothing")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Send the reminder e-mails that are due: weekly digests and overdue-action notes, each
    once, however many hosts run this at the same minute (run it from cron or a timer)."""
    from datetime import date

    from app.services.reminders import send_reminders
    from app.services.schedules import local_today

    settings = get_settings()
    try:
        day = date.fromisoformat(as_of) if as_of else local_today(settings)
    except ValueError:
        fail(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)")
        return
    if not dry_run and not settings.smtp_host:
        fail("WALKABOUT_SMTP_HOST is not set: there is no mail server to send through")
    engine = get_engine(resolve_url(database_url))
    outcome = send_reminders(engine, settings=settings, as_of=day, dry_run=dry_run)
    for mail in outcome.planned:
        typer.echo(f"would send {mail.kind} to {mail.to}: {mail.subject}")
    for mail in outcome.sent:
        typer.echo(f"sent {mail.kind} to {mail.to}")
    for mail, why in outcome.failed:
        typer.echo(f"not sent {mail.kind} to {mail.to}: {why} (tried again next run)", err=True)
    if not dry_run:
        typer.echo(
            f"{len(outcome.sent)} sent, {outcome.skipped} already sent, "
            f"{len(outcome.failed)} failed"
        )
    if outcome.failed:
        raise typer.Exit(code=1)


@main.command("demo")
def demo(database_url: DatabaseUrl = None) -> None:
    """Fill an empty database with a realistic demo organisation."""
    from app.services.demo import load_demo

    with database(database_url) as session:
        logins = load_demo(session)
    if logins is None:
        typer.echo("the database already holds data; demo not loaded")
        return
    typer.echo("Demo organisation loaded. Logins (shown once):")
    for role, email, password in logins:
        typer.echo(f"  {role:<10} {email:<28} {password}")


@main.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the web app."""
    import os

    import uvicorn

    os.environ["WALKABOUT_DATABASE_URL"] = resolve_url(database_url)
    settings = get_settings()
    if settings.environment == "development" and settings.secret_key == DEV_SECRET:
        typer.echo(
            "warning: development mode with the placeholder secret; set WALKABOUT_SECRET_KEY "
            "and WALKABOUT_ENVIRONMENT=production before anyone else uses this server",
            err=True,
        )
    # The app writes its own JSON request log (no addresses, no query strings).
    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        # The app trusts a proxy's X-Forwarded-For only from WALKABOUT_TRUSTED_PROXIES.
        proxy_headers=False,
        access_log=False,
    )


if __name__ == "__main__":
    main()
