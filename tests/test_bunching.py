"""The "I'm fine" flag's survey part: answers bunched on one polite option."""

from datetime import date

import pandas as pd
import pytest

from analysis.flags import _bunched_p
from analysis.references import Baseline
from analysis.report import build_report
from tests.builders import analysis_frames, plain_baseline

AS_OF = date(2026, 11, 23)
# A typical department's eight respondents: three on "good" (75), two on "fair" (50), one
# on each of the others.
TYPICAL = [0.0, 25.0, 50.0, 50.0, 75.0, 75.0, 75.0, 100.0]


def _base() -> Baseline:
    # Three polite options at 0.2, 0.5 and 0.3 of all answers; typical departments' share on
    # their polite mode at one half, no spread between them.
    return plain_baseline((0.2, 0.5, 0.3))


def test_bunching_worked_by_hand() -> None:
    """Five of six people on one polite option, options at 0.2 / 0.5 / 0.3: the chance that
    some option holds five of six is the sum of the binomial tails (exact past half),
    P(Bin(6, 0.2) >= 5) + P(Bin(6, 0.5) >= 5) + P(Bin(6, 0.3) >= 5) = 0.0016 + 0.109375 +
    0.010935 = 0.12191. Against typical departments (one half on the Freeman-Tukey scale,
    variance 1 / 6.5): asin(sqrt(5/7)) + asin(sqrt(6/7)) = 2.19005, z = 1.5788, p = 0.0572;
    the larger is the part's p. All six: 0.000064 + 0.015625 + 0.000729 = 0.016418."""
    five = pd.Series({"scored": 6, "polite_share": 5 / 6})
    assert _bunched_p(five, _base()) == pytest.approx(0.12191, abs=5e-6)
    six = pd.Series({"scored": 6, "polite_share": 1.0})
    assert _bunched_p(six, _base()) == pytest.approx(0.016418, abs=5e-7)
    # However many questions each answered, a share of people is what counts: 30 of 36
    # answers from six people weigh as five of six.
    assert _bunched_p(pd.Series({"scored": 6, "polite_share": 30 / 36}), _base()) == (
        pytest.approx(0.12191, abs=5e-6)
    )


def _organisation(target: list[float], questions: int, observed: float) -> tuple:
    """Eight departments of 60 whose 8 respondents answer TYPICAL, and 'Target' whose
    respondents answer `target`; each person gives the same answer to `questions` questions.
    Leaders heard 12 people in each: 50 everywhere, `observed` in Target."""
    rows, responses, answers, conversations = [], [], [], []
    when = pd.Timestamp("2026-10-05 09:00", tz="UTC")
    groups = {f"D{i}": TYPICAL for i in range(8)} | {"Target": target}
    for name, people in groups.items():
        rows.append((name, 60, None))
        for i, value in enumerate(people):
            responses.append((name, when + pd.Timedelta(hours=i), True, value))
            answers += [(name, value)] * questions
        for i in range(12):
            seen = observed if name == "Target" else [25.0, 50.0, 75.0][i % 3]
            conversations.append((name, f"{name}-{i // 4}", pd.Timestamp("2026-10-20"), 75.0, seen))
    return analysis_frames(rows, responses, answers, conversations)


def _flags(target: list[float], questions: int = 1, observed: float = 0.0) -> set[str]:
    report = build_report("round", *_organisation(target, questions, observed), as_of=AS_OF)
    row = next(d for d in report.to_dict()["departments"] if d["department"] == "Target")
    return {f["code"] for f in row["flags"]}


def test_a_department_all_on_good_while_leaders_see_trouble_is_flagged() -> None:
    assert "im_fine" in _flags([75.0] * 8)


def test_one_persons_many_answers_are_one_voice() -> None:
    """Five of eight people on "good" is not bunching for a group of eight (3 in 8 do so in a
    typical department), whether each answered one question or ten; counted as 50 of 80
    answers it would look overwhelming."""
    mixed = [75.0] * 5 + [25.0, 50.0, 100.0]
    assert "im_fine" not in _flags(mixed, questions=1)
    assert "im_fine" not in _flags(mixed, questions=10)
    assert "im_fine" in _flags([75.0] * 8, questions=10)


def test_bunching_on_poor_is_no_politeness() -> None:
    """Everyone on "poor" while leaders see worse still is a complaint, not "I'm fine"."""
    assert "im_fine" not in _flags([25.0] * 8, observed=0.0)
    assert "im_fine" not in _flags([0.0] * 8, observed=0.0)
