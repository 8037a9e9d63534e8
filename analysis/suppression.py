"""Minimum group size: hide small groups, and enough others that none can be subtracted out."""

from datetime import date, timedelta

import pandas as pd


def suppressed_groups(responses: dict[str, int], min_group_size: int) -> dict[str, str]:
    """Which groups' scores to hide, with the reason: "small" or "complementary".

    A group with fewer than `min_group_size` responses is hidden. Where the hidden groups
    pool fewer than `min_group_size` responses (but some), a shown total would give their
    pooled score away by subtraction, so the next smallest shown group is hidden too, until
    the hidden pool holds at least `min_group_size`.
    """
    hidden = {name: "small" for name, n in responses.items() if n < min_group_size}
    pool = sum(responses[name] for name in hidden)
    shown = sorted((n, name) for name, n in responses.items() if name not in hidden)
    while 0 < pool < min_group_size and shown:
        count, name = shown.pop(0)
        hidden[name] = "complementary"
        pool += count
    return hidden


def last_quarter_end(day: date) -> date:
    """The last day of the last calendar quarter that has closed by `day` (`day` itself when
    it ends one)."""
    next_day = day + timedelta(days=1)
    return date(next_day.year, 3 * ((next_day.month - 1) // 3) + 1, 1) - timedelta(days=1)


def quarters_window_start(quarter_end: date, quarters: int = 4) -> date:
    """The first day of the `quarters` calendar quarters that end on `quarter_end`."""
    month = quarter_end.month - 3 * quarters + 1
    year = quarter_end.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def thin_quarters(conversations: pd.DataFrame, column: str, min_group_size: int) -> set[str]:
    """Departments with a calendar quarter holding 1 to k-1 values of `column`.

    Figures over whole closed quarters, shown only where every quarter holds none or at least
    k, can be subtracted from one another at will: any difference of two windows is a union of
    whole quarters, so it too holds none or at least k people.
    """
    known = conversations.dropna(subset=[column])
    if known.empty:
        return set()
    quarter = known["visit_date"].dt.to_period("Q")
    cells = known.groupby([known["department"], quarter]).size()
    thin = cells[(cells > 0) & (cells < min_group_size)]
    return {str(name) for name in thin.index.get_level_values(0)}
