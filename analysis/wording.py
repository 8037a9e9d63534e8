"""How the flags' evidence sentences write their numbers."""


def pct(value: float) -> str:
    return f"{round(value * 100):.0f}%"


def points(value: float) -> str:
    return f"{abs(round(value)):.0f}"
