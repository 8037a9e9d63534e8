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


# A closed quarter reaches executives only once it can no longer change: walks dated in it
# count if logged within LATE_LOGGING_DAYS after it ended, and a walk can be edited for
# EDIT_DAYS after it is logged (app.services.visit_edits). So executives see a quarter from
# PUBLISH_DELAY_DAYS after its end, and what they see of it never changes after that: no
# late walk or edit can be read off the difference of two views.
LATE_LOGGING_DAYS = 14
EDIT_DAYS = 7
PUBLISH_DELAY_DAYS = LATE_LOGGING_DAYS + EDIT_DAYS + 1  # from the day after the last edit could end


def published_quarter_end(day: date) -> date:
    """The last day of the last quarter executives see on `day`: closed, and final."""
    return last_quarter_end(day - timedelta(days=PUBLISH_DELAY_DAYS))


def quarter_end_of(day: date) -> date:
    """The last day of the calendar quarter holding `day`."""
    month = 3 * ((day.month - 1) // 3) + 3
    return last_quarter_end(date(day.year + month // 12, month % 12 + 1, 1))


def on_record(conversations: pd.DataFrame) -> pd.DataFrame:
    """The conversations a closed quarter holds for executives: those logged (`logged_on`)
    within LATE_LOGGING_DAYS after the end of their walk's quarter."""
    if "logged_on" not in conversations.columns or conversations.empty:
        return conversations
    quarters = conversations["visit_date"].dt.to_period("Q").dt.end_time.dt.normalize()
    cutoff = quarters + pd.Timedelta(days=LATE_LOGGING_DAYS)
    return conversations[conversations["logged_on"] <= cutoff]


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
