"""Calibration's count of the flags the usual complainers raise: a department's flag is
theirs only where it goes away with them answering as they are."""

from datetime import date

import numpy as np

from analysis.calibration import Calibration, _count_complainers
from analysis.simulate import simulate_organisation


def _flagged_row(name: str, rated: int, *codes: str) -> dict:
    return {"department": name, "rated": rated, "flags": [{"code": c} for c in codes]}


def test_a_flag_is_the_usual_complainers_only_where_they_raised_it() -> None:
    """A department with usual complainers counts as flagged by them only where the same
    organisation, with them answering as they are, does not give it that survey flag; the
    report is built again only when such a department is flagged at all."""
    kinds = {"A": "grumbler", "B": "grumbler", "C": "grumbler", "D": "grumbler", "E": "clean"}
    rows = [
        _flagged_row("A", 9, "corroborated_complaints", "unvisited"),  # theirs or not: see honest
        _flagged_row("B", 12, "non_response_bias"),
        _flagged_row("C", 20),
        _flagged_row("D", 4, "non_response_bias"),  # under the minimum size: not counted here
        _flagged_row("E", 30, "im_fine"),
    ]
    honest = [
        _flagged_row("A", 9, "corroborated_complaints"),
        _flagged_row("B", 12),
        _flagged_row("C", 20, "im_fine"),  # a flag they would prevent is not one they raised
        _flagged_row("D", 4),
        _flagged_row("E", 30, "im_fine"),
    ]
    calls: list[bool] = []

    def report(as_they_are: bool) -> list[dict]:
        calls.append(as_they_are)
        return honest

    result = Calibration()
    _count_complainers(result, rows, kinds, 5, report)
    assert (result.by_complainers.hits, result.by_complainers.trials) == (1, 3)
    assert calls == [True]
    quiet = Calibration()
    _count_complainers(
        quiet, [_flagged_row("C", 20), _flagged_row("E", 30, "im_fine")], kinds, 5, report
    )
    assert (quiet.by_complainers.hits, quiet.by_complainers.trials, len(calls)) == (0, 1, 1)


def test_the_simulated_usual_complainers_carry_their_honest_answers() -> None:
    """Only an all-bottom answer of a department with usual complainers differs from the
    honest one beside it, and at most three people's do."""
    rng = np.random.default_rng(4)
    for _ in range(5):
        org = simulate_organisation(rng, as_of=date(2026, 11, 23))
        kinds = org.departments.set_index("department")["kind"]
        for frame, actual, honest in (
            (org.responses, "score", "honest_score"),
            (org.answers, "value", "honest_value"),
        ):
            changed = frame[frame[actual] != frame[honest]]
            assert (changed[actual] == 0).all()
            assert set(kinds[changed["department"]]) <= {"grumbler"}
        differing = org.responses[org.responses["score"] != org.responses["honest_score"]]
        assert differing.groupby("department").size().max() <= 3
    assert len(differing) > 0  # the seed's last organisation has some
