"""Responses counted per department, completeness, submission wave and score: everything the
report needs from a million responses, in a few thousand rows.

The waves: a department's complete, scored responses that carry a submission time, in time
order (ties in the order given), split into thirds; the first third is early (1), the last
third late (3), the rest middle (2). Partial, unscored and untimed responses are in no wave (0).
"""

import numpy as np
import pandas as pd

NO_WAVE, EARLY, MIDDLE, LATE = 0, 1, 2, 3
COUNTED_COLUMNS = ("department", "is_complete", "wave", "score", "count")


def wave_of(rank: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The wave of each response from its 0-based rank in time and its department's size."""
    third = size // 3
    return np.where(rank < third, EARLY, np.where(rank >= size - third, LATE, MIDDLE))


def count_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per response (department, submitted_at, is_complete, score) to counted rows."""
    frame = pd.DataFrame(
        {
            "department": responses["department"].astype("object"),
            "is_complete": responses["is_complete"].astype(bool),
            "wave": np.full(len(responses), NO_WAVE, dtype=np.int64),
            "score": pd.to_numeric(responses["score"]).astype(float),
        },
        index=responses.index,
    )
    timed = frame["is_complete"] & frame["score"].notna() & responses["submitted_at"].notna()
    ordered = (
        responses.loc[timed, ["department", "submitted_at"]]
        .reset_index(drop=True)
        .assign(row=np.flatnonzero(timed.to_numpy()))
        .sort_values(["department", "submitted_at"], kind="stable")
    )
    if len(ordered):
        rank = ordered.groupby("department", sort=False).cumcount().to_numpy()
        size = ordered.groupby("department", sort=False)["row"].transform("size").to_numpy()
        waves = frame["wave"].to_numpy().copy()
        waves[ordered["row"].to_numpy()] = wave_of(rank, size)
        frame["wave"] = waves
    counted = (
        frame.groupby(["department", "is_complete", "wave", "score"], dropna=False, sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return counted.astype(
        {"department": "object", "is_complete": bool, "wave": np.int64, "count": np.int64}
    )


def weighted_measures(counted: pd.DataFrame) -> pd.DataFrame:
    """Per department: n, mean and sample variance (ddof 1) of the scores in `counted`."""
    weights = counted["count"].astype(float)
    scores = counted["score"].astype(float)
    group = counted["department"]
    n = weights.groupby(group).sum()
    mean = (weights * scores).groupby(group).sum() / n
    spread = (weights * (scores - group.map(mean)) ** 2).groupby(group).sum()
    variance = (spread / (n - 1)).where(n >= 2)
    return pd.DataFrame({"n": n, "mean": mean, "var": variance})
