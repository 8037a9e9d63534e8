"""The `walkabout` command line."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli_common import DatabaseUrl, database, fail, resolve_url
from app.cli_import import import_app
from app.db import get_engine
from app.settings import DEV_SECRET, get_settings

main = typer.Typer(
    help="Walkabout: walk about, listen, and hold the survey to account.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Logins and API tokens.", no_args_is_help=True)
main.add_typer(db_app, name="db")
main.add_typer(users_app, name="users")
main.add_typer(import_app, name="import")
reminders_app = typer.Typer(help="Reminder e-mails of the walk programme.", no_args_is_help=True)
main.add_typer(reminders_app, name="reminders")


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
