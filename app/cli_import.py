"""`walkabout import`: departments, survey exports, ticket exports and walks, each all or
nothing."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli_common import DatabaseUrl, database, fail
from app.ingest.tabular import FileFormatError

import_app = typer.Typer(
    help="Import departments, survey exports, visits and ticket exports.", no_args_is_help=True
)


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
    reversed_columns: Annotated[
        str | None,
        typer.Option(
            "--reversed-columns",
            help="COL[,COL...]: rating questions worded the other way (agreeing is the worst"
            " answer), scored top down",
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
    new_responses_only: Annotated[
        bool,
        typer.Option(
            "--new-responses-only",
            help="leave out responses another round already holds (an export of every"
            " response to date)",
        ),
    ] = False,
    publish: Annotated[
        bool, typer.Option("--publish", help="show the round to executives at once")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import one survey's responses, all or nothing; a new round is a draft until published."""
    from app.ingest.survey_options import SurveyOptions
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
            reversed_columns=[reversed_columns] if reversed_columns else (),
            new_responses_only=new_responses_only,
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
