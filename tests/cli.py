"""The `walkabout` command line, run as the tests run it.

`run` invokes the same Typer app in the test's own process (typer's CliRunner): the same
parser, commands, output streams and exit codes as `python -m app.cli`, without starting
Python and importing the app again for each command (two to five seconds a command on a
two-core machine, a tenth of the whole suite). An error the command does not turn into a
message and an exit code is raised, not hidden in a return code. `run_process` starts the
real process, for what only a process shows: the installed entry point, the app's own
settings (its password cost), an import killed half-way."""

import subprocess
import sys

from typer.testing import CliRunner

from app.cli import main

WALKABOUT = [sys.executable, "-m", "app.cli"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WALKABOUT, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
