"""Department heatmaps as plotly figures (built here, shown or written elsewhere)."""

import html
import math

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
# Colour-blind-safe diverging scale (ColorBrewer RdYlBu), worse red, better blue.
DIVERGING = [
    [0.0, "#d73027"],
    [0.25, "#fc8d59"],
    [0.5, "#ffffbf"],
    [0.75, "#91bfdb"],
    [1.0, "#4575b4"],
]


def _cell_text(value: float | None, metric: str, n: int | None, hidden_label: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return hidden_label if metric != "days_since_visit" else "never"
    shown = f"{value * 100:.0f}%" if metric == "response_rate" else f"{value:.0f}"
    return f"{shown}<br>n={n}" if n is not None else shown


def _interval_text(interval: object, metric: str) -> str:
    if not isinstance(interval, list | tuple) or len(interval) != 2 or None in interval:
        return ""
    low, high = (float(v) for v in interval)
    if metric == "response_rate":
        return f"<br>95% interval {low * 100:.0f}%–{high * 100:.0f}%"
    return f"<br>95% interval {low:.0f}–{high:.0f}"


def department_heatmap(
    rows: pd.DataFrame,
    metrics: list[str],
    *,
    organisation: dict[str, float | None],
    relative: bool = True,
    counts: dict[str, str] | None = None,
    hidden_label: str = "hidden",
    intervals: dict[str, str] | None = None,
) -> go.Figure:
    """Departments (y) by metrics (x); colour is the difference from the organisation
    (relative) or the value itself (absolute), signed so that blue is better; a hidden cell
    is null. `rows` is indexed by department and holds one column per metric."""
    counts = counts or {}
    intervals = intervals or {}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for _department, row in rows.iterrows():
        z_row: list[float | None] = []
        text_row: list[str] = []
        hover_row: list[str] = []
        for metric in metrics:
            value = row.get(metric)
            missing = value is None or bool(pd.isna(value))
            n_column = counts.get(metric)
            n = int(row[n_column]) if n_column and not pd.isna(row.get(n_column)) else None
            hover_row.append(
                _interval_text(row.get(intervals.get(metric, "")), metric) if not missing else ""
            )
            if value is None or missing:
                text_row.append(_cell_text(None, metric, n, hidden_label))
                z_row.append(None)
                continue
            text_row.append(_cell_text(float(value), metric, n, hidden_label))
            number = float(value) * (100 if metric == "response_rate" else 1)
            reference = organisation.get(metric)
            if relative and reference is not None:
                number -= reference * (100 if metric == "response_rate" else 1)
            sign = 1 if metric in HIGHER_IS_BETTER else -1
            z_row.append(round(sign * number, 2))
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    limit = max([abs(v) for r in z for v in r if v is not None] or [1.0])
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
            colorscale=DIVERGING,
            zmid=0 if relative else None,
            zmin=-limit if relative else None,
            zmax=limit if relative else None,
            colorbar={"title": {"text": "vs organisation" if relative else "value"}},
            hoverongaps=False,
        )
    )
    figure.update_layout(
        title={
            "text": "Difference from the organisation (blue better, red worse)"
            if relative
            else "Values (blue better, red worse)"
        },
        yaxis={"autorange": "reversed"},
        margin={"l": 160, "r": 20, "t": 60, "b": 40},
        height=max(300, 28 * len(rows) + 120),
    )
    return figure
