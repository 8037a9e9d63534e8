"""Heatmap cells: each measure on its own colour scale, better always the blue end."""

import pandas as pd

from analysis.heatmap import department_heatmap, heatmap_cells

ROWS = pd.DataFrame(
    {
        "survey_score": [40.0, 60.0, 70.0, None],
        "days_since_visit": [10, 30, 50, None],
        "gap": [-5.0, 0.0, 15.0, None],
        "rated": [12, 30, 8, 3],
    },
    index=["A", "B", "C", "D"],
)
ORGANISATION = {"survey_score": 60.0, "days_since_visit": None, "gap": None}


def test_relative_colours_each_measure_on_its_own_scale() -> None:
    cells = heatmap_cells(
        ROWS,
        ["survey_score", "days_since_visit", "gap"],
        organisation=ORGANISATION,
        relative=True,
        counts={"survey_score": "rated"},
        hidden_reasons={("D", "survey_score"): "fewer than 5 answered"},
    )
    # Survey, against the organisation's 60: -20, 0, +10; the largest distance (20) is an
    # end of the scale: tones -1, 0, 0.5.
    assert [row[0].tone for row in cells] == [-1.0, 0.0, 0.5, None]
    assert [row[0].tone_class for row in cells] == ["0", "3", "4", "none"]
    assert cells[0][0].comparison == "20 points below the organisation"
    assert cells[1][0].comparison == "level with the organisation"
    # Days have no organisation figure: fewest days is best (blue), most is worst.
    # Signed -10, -30, -50: middle -30, half-range 20.
    assert [row[1].tone for row in cells[:3]] == [1.0, 0.0, -1.0]
    assert cells[0][1].value == "10 days" and cells[3][1].value == "hidden"
    # Gap: a survey rosier than what was seen (+15) is worst; a negative gap is shown with
    # a true minus sign.
    assert [row[2].tone for row in cells[:3]] == [1.0, 0.5, -1.0]
    assert cells[0][2].value == "\u22125"
    hidden = cells[3][0]
    assert hidden.hidden and hidden.value == "fewer than 5 answered" and hidden.n == 3


def test_absolute_colours_run_from_worst_to_best_department() -> None:
    cells = heatmap_cells(ROWS, ["survey_score"], organisation=ORGANISATION, relative=False)
    # 40, 60, 70: middle 55, half-range 15. The worst score is red, never "better".
    assert [row[0].tone for row in cells] == [-1.0, 0.333, 1.0, None]
    assert cells[0][0].tone_class == "0" and cells[2][0].tone_class == "6"


def test_the_figure_carries_the_same_tones_and_no_shared_colour_bar() -> None:
    figure = department_heatmap(
        ROWS, ["survey_score", "gap"], organisation=ORGANISATION, relative=True
    )
    trace = figure.data[0]
    assert [list(r) for r in trace.z] == [[-1.0, 1.0], [0.0, 0.5], [0.5, -1.0], [None, None]]
    assert trace.zmin == -1 and trace.zmax == 1 and trace.showscale is False
