"""Department heatmaps: each cell's words, n, interval and colour, and the plotly figure.

Colour is worked out per measure: points, percentages and days never share one scale, and
"better" is always the same end of it (blue), whatever direction a measure runs.
"""

import html
import math
import numbers
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

METRIC_LABELS = {
    "survey_score": "Survey score",
    "observed_score": "Observed score",
    "gap": "Gap (survey - observed)",
    "response_rate": "Response rate",
    "days_since_visit": "Days since last visit",
}
# Higher is better for these; for the others (gap, days) higher is worse.
HIGHER_IS_BETTER = {"survey_score", "observed_score", "response_rate"}
# Colour-blind-safe diverging scale (ColorBrewer RdYlBu, 7 classes), worse red, better blue.
# app/static/app.css styles the classes tone-0 to tone-6 with the same colours.
PALETTE = ("#d73027", "#fc8d59", "#fee090", "#ffffbf", "#e0f3f8", "#91bfdb", "#4575b4")
UNITS = {"response_rate": "percentage points", "days_since_visit": "days"}


@dataclass(frozen=True)
class HeatmapCell:
    """One department's figure for one measure, as a heatmap shows it."""

    metric: str
    value: str  # the figure in words ("72", "64%", "31 days"), or why it is hidden
    n: int | None
    interval: str | None
    tone: float | None  # -1 (worst in this measure) to 1 (best); None when hidden
    comparison: str | None  # "8 points below the organisation", in words
    hidden: bool

    @property
    def tone_class(self) -> str:
        """The colour class (0 worst to 6 best, "none" when hidden) pages style by."""
        return "none" if self.tone is None else str(_tone_class(self.tone))


def _tone_class(tone: float) -> int:
    return min(len(PALETTE) - 1, max(0, round((tone + 1) / 2 * (len(PALETTE) - 1))))


def _number(value: object) -> float | None:
    """A cell's figure as a float, or None where the report left it out (null, NaN, NA)."""
    if not isinstance(value, numbers.Real) or math.isnan(value):  # numpy's numbers too
        return None
    return float(value)


def _shown(value: float, metric: str) -> str:
    if metric == "response_rate":
        return f"{value * 100:.0f}%"
    if metric == "gap":
        return _signed(value)
    if metric == "days_since_visit":
        return f"{value:.0f} day{'s' if round(value) != 1 else ''}"
    return f"{value:.0f}"


def _interval(interval: object, metric: str) -> str | None:
    if not isinstance(interval, list | tuple) or len(interval) != 2 or None in interval:
        return None
    low, high = (float(v) * (100 if metric == "response_rate" else 1) for v in interval)
    unit = "%" if metric == "response_rate" else ""
    if round(low) < 0:  # "−34 to −3", not "-34--3"
        return f"{_signed(low)} to {_signed(high)}{unit}"
    return f"{low:.0f}–{high:.0f}{unit}"


def _signed(number: float) -> str:
    return str(round(number)).replace("-", "\u2212")  # round(-0.3) is 0, never "−0"


def _scaled(value: float, metric: str) -> float:
    return value * 100 if metric == "response_rate" else value


def _comparison(difference: float, metric: str) -> str:
    unit = UNITS.get(metric, "points")
    if round(difference) == 0:
        return "level with the organisation"
    word = "above" if difference > 0 else "below"
    return f"{abs(difference):.0f} {unit} {word} the organisation"


def heatmap_cells(
    rows: pd.DataFrame,
    metrics: list[str],
    *,
    organisation: dict[str, float | None],
    relative: bool = True,
    counts: dict[str, str] | None = None,
    intervals: dict[str, str] | None = None,
    hidden_reasons: dict[tuple[str, str], str] | None = None,
) -> list[list[HeatmapCell]]:
    """Departments (rows) by measures: each cell's words and its tone, scaled within its own
    measure and signed so that better is positive. Relative: the difference from the
    organisation, the largest difference either way at the ends. Absolute: the value, the
    measure's best and worst departments at the ends. A null figure is hidden, with the
    reason from `hidden_reasons[(department, metric)]`."""
    counts = counts or {}
    intervals = intervals or {}
    hidden_reasons = hidden_reasons or {}
    signed: dict[str, list[float | None]] = {}
    for metric in metrics:
        sign = 1 if metric in HIGHER_IS_BETTER else -1
        reference = organisation.get(metric)
        column: list[float | None] = []
        for _, row in rows.iterrows():
            value = _number(row.get(metric))
            if value is None:
                column.append(None)
                continue
            number = _scaled(value, metric)
            if relative and reference is not None:
                number -= _scaled(reference, metric)
            column.append(sign * number)
        signed[metric] = column
    tones = {
        metric: _tones(signed[metric], centred=relative and organisation.get(metric) is not None)
        for metric in metrics
    }
    table = []
    for i, (department, row) in enumerate(rows.iterrows()):
        cells = []
        for metric in metrics:
            value = _number(row.get(metric))
            n_column = counts.get(metric)
            count = _number(row.get(n_column)) if n_column else None
            n = None if count is None else int(count)
            if value is None:
                reason = hidden_reasons.get((str(department), metric), "hidden")
                cells.append(HeatmapCell(metric, reason, n, None, None, None, True))
                continue
            reference = organisation.get(metric)
            comparison = (
                _comparison(_scaled(value, metric) - _scaled(reference, metric), metric)
                if reference is not None
                else None
            )
            cells.append(
                HeatmapCell(
                    metric,
                    _shown(value, metric),
                    n,
                    _interval(row.get(intervals.get(metric, "")), metric),
                    tones[metric][i],
                    comparison,
                    False,
                )
            )
        table.append(cells)
    return table


def _tones(values: list[float | None], *, centred: bool) -> list[float | None]:
    """Signed figures to -1..1: around zero by the largest distance (centred), or from the
    lowest to the highest."""
    present = [v for v in values if v is not None]
    if not present:
        return [None] * len(values)
    if centred:
        limit = max(abs(v) for v in present) or 1.0
        return [None if v is None else round(v / limit, 3) for v in values]
    low, high = min(present), max(present)
    middle, half = (low + high) / 2, (high - low) / 2 or 1.0
    return [None if v is None else round((v - middle) / half, 3) for v in values]


def department_heatmap(
    rows: pd.DataFrame,
    metrics: list[str],
    *,
    organisation: dict[str, float | None],
    relative: bool = True,
    counts: dict[str, str] | None = None,
    intervals: dict[str, str] | None = None,
    hidden_reasons: dict[tuple[str, str], str] | None = None,
) -> go.Figure:
    """Departments (y) by measures (x) as a plotly figure, coloured as `heatmap_cells` says
    (z is the tone, -1 worse to 1 better, null where hidden); `rows` is indexed by
    department and holds one column per measure."""
    cells = heatmap_cells(
        rows,
        metrics,
        organisation=organisation,
        relative=relative,
        counts=counts,
        intervals=intervals,
        hidden_reasons=hidden_reasons,
    )
    z = [[cell.tone for cell in row] for row in cells]
    text = [
        [
            cell.value if cell.n is None or cell.hidden else f"{cell.value}<br>n={cell.n}"
            for cell in row
        ]
        for row in cells
    ]
    hover = [
        [
            "".join(
                f"<br>{part}"
                for part in (cell.interval and f"95% interval {cell.interval}", cell.comparison)
                if part
            )
            for cell in row
        ]
        for row in cells
    ]
    steps = len(PALETTE) - 1
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[METRIC_LABELS.get(m, m) for m in metrics],
            # Plotly renders a subset of HTML in labels (links, bold): a department's name is
            # shown as written, never as markup.
            y=[html.escape(str(i), quote=False) for i in rows.index],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{text}%{customdata}<extra></extra>",
            colorscale=[[i / steps, colour] for i, colour in enumerate(PALETTE)],
            zmin=-1,
            zmax=1,
            showscale=False,  # one bar cannot span points, percentages and days
            hoverongaps=False,
        )
    )
    basis = "difference from the organisation" if relative else "the value"
    figure.update_layout(
        title={"text": f"Each measure coloured by {basis}: blue better, red worse"},
        yaxis={"autorange": "reversed"},
        margin={"l": 160, "r": 20, "t": 60, "b": 40},
        height=max(300, 28 * len(rows) + 120),
    )
    return figure
