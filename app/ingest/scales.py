"""Rating scales: the ordered label scales people use, numeric 1..k, and detection."""

import json
import re
from collections import Counter
from dataclasses import dataclass

MISSING = {
    "",
    "n/a",
    "na",
    "n.a.",
    "none",
    "-",
    "--",
    "-99",
    "don't know",
    "dont know",
    "do not know",
    "not applicable",
    "prefer not to say",
    "no opinion",
    "unsure",
    "not sure",
    "skip",
    "skipped",
    "not answered",
    "no answer",
    "weiß nicht",
    "ne sais pas",
    "nsp",
}
DETECTION_SHARE = 0.9
NUMERIC_RANGES = ((1, 5), (1, 7), (1, 10), (0, 10))
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\s*(?:[-–—:.)=]|\(|$)|\s+[A-Za-z])")


def label_key(value: str) -> str:
    """Matching key for labels: case, spacing and apostrophe style do not matter."""
    return " ".join(value.replace("’", "'").replace("‘", "'").split()).casefold()


def is_missing(value: str) -> bool:
    return label_key(value) in MISSING


@dataclass(frozen=True)
class Scale:
    """An ordered scale; `points` maps a label key to its 0..100 value."""

    name: str
    labels: tuple[str, ...]
    numeric: tuple[int, int] | None = None

    def to_score(self, value: str) -> float | None:
        """0..100 for an answer on this scale, None when it is not on it."""
        if self.numeric is not None:
            low, high = self.numeric
            number = parse_number(value)
            if number is None or number < low or number > high:
                return None
            return (number - low) / (high - low) * 100.0
        return _label_points(self).get(label_key(value))

    def describe(self) -> str:
        if self.numeric is not None:
            return f"{self.numeric[0]}..{self.numeric[1]}"
        return ", ".join(self.labels)


_POINTS_CACHE: dict[tuple[str, ...], dict[str, float]] = {}


def _label_points(scale: Scale) -> dict[str, float]:
    points = _POINTS_CACHE.get(scale.labels)
    if points is None:
        top = len(scale.labels) - 1
        points = {label_key(label): i / top * 100.0 for i, label in enumerate(scale.labels)}
        _POINTS_CACHE[scale.labels] = points
    return points


def labelled(name: str, *labels: str) -> Scale:
    return Scale(name=name, labels=labels)


KNOWN_SCALES: tuple[Scale, ...] = (
    labelled("quality", "Poor", "Fair", "Good", "Very good", "Excellent"),
    labelled(
        "satisfaction",
        "Very dissatisfied",
        "Dissatisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
    ),
    labelled(
        "satisfaction",
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
    labelled("agreement", "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    labelled("quality", "Very poor", "Poor", "Fair", "Good", "Very good"),
    labelled("quality", "Very poor", "Poor", "Average", "Good", "Excellent"),
    labelled("quality", "Terrible", "Poor", "Average", "Good", "Excellent"),
    labelled(
        "satisfaction",
        "Extremely dissatisfied",
        "Moderately dissatisfied",
        "Slightly dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Slightly satisfied",
        "Moderately satisfied",
        "Extremely satisfied",
    ),
    labelled(
        "satisfaction",
        "Extremely dissatisfied",
        "Somewhat dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Somewhat satisfied",
        "Extremely satisfied",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
    labelled(
        "agreement",
        "Strongly disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Strongly agree",
    ),
    labelled("likelihood", "Very unlikely", "Unlikely", "Neutral", "Likely", "Very likely"),
    labelled("quality", "Very bad", "Bad", "Neutral", "Good", "Very good"),
)


def parse_number(value: str) -> float | None:
    """A whole number from '4', '4.0' or '4 - Good'; None otherwise."""
    text = value.strip()
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        match = _LEADING_NUMBER.match(text)
        if not match:
            return None
        number = float(match.group(1))
    if not number.is_integer():
        return None
    return number


def parse_extra_scale(spec: str) -> Scale:
    """An extra scale, worst first: `LABEL1,LABEL2,...`, or a JSON array of labels for labels
    that hold commas (`["Yes, very rude", "Yes, somewhat rude", "No"]`)."""
    if spec.lstrip().startswith("["):
        try:
            parsed = json.loads(spec)
        except ValueError as exc:
            raise ValueError(f"a scale given as a JSON array is not valid JSON: {spec!r}") from exc
        if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
            raise ValueError(f"a scale given as a JSON array must list labels: {spec!r}")
        labels = tuple(p.strip() for p in parsed if p.strip())
    else:
        labels = tuple(part.strip() for part in spec.split(",") if part.strip())
    if len(labels) < 2:
        raise ValueError(f"a scale needs at least two labels, worst first (got {spec!r})")
    if len({label_key(label) for label in labels}) != len(labels):
        raise ValueError(f"a scale repeats a label: {spec!r}")
    return Scale(name="custom", labels=labels)


def detect_scale(counts: Counter[str], extra: tuple[Scale, ...] = ()) -> Scale | None:
    """The scale that ≥ 90% of a column's non-missing answers fall on, if any.

    Labelled scales win over numbers; among labelled scales the one covering the most answers
    (the first listed on a tie); numbers take the smallest range holding every answer.
    """
    answered = {v: n for v, n in counts.items() if not is_missing(v)}
    total = sum(answered.values())
    if total == 0:
        return None
    best: tuple[int, Scale] | None = None
    for scale in (*extra, *KNOWN_SCALES):
        points = _label_points(scale)
        covered = sum(n for v, n in answered.items() if label_key(v) in points)
        if covered >= DETECTION_SHARE * total and (best is None or covered > best[0]):
            best = (covered, scale)
    if best is not None:
        return best[1]
    numbers = {v: number for v in answered if (number := parse_number(v)) is not None}
    if sum(answered[v] for v in numbers) < DETECTION_SHARE * total:
        return None
    low, high = min(numbers.values()), max(numbers.values())

    def covered_by(bounds: tuple[int, int]) -> int:
        return sum(answered[v] for v, x in numbers.items() if bounds[0] <= x <= bounds[1])

    # The smallest range holding every answer; else one holding nearly all of them, whose
    # stray answers then become row errors.
    fits = [b for b in NUMERIC_RANGES if b[0] <= low and high <= b[1]]
    fits += [b for b in NUMERIC_RANGES if b[0] <= low and covered_by(b) >= DETECTION_SHARE * total]
    for bounds in fits:
        if covered_by(bounds) >= DETECTION_SHARE * total:
            return Scale(name=f"numeric {bounds[0]}..{bounds[1]}", labels=(), numeric=bounds)
    return None
