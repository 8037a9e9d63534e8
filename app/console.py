"""Where the command line's progress goes: stderr, so stdout stays for results."""

from rich.console import Console


def stderr_console() -> Console:
    """A console on stderr (quiet when stderr is not a terminal)."""
    return Console(stderr=True)
