"""Rating scales: what an answer on one is worth, and the answers that mean "no answer".

The scales people use are listed in `known_scales`; which one a column holds is
`scale_detection`'s."""

import json
import re
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
    "nsp",
    "ns/nc",
    "skip",
    "skipped",
    "not answered",
    "no answer",
    "unsure",
    "not sure",
    "no opinion",
    "weiß nicht",
    "weiss nicht",
    "keine angabe",
    "ne sais pas",
    "je ne sais pas",
    "sans objet",
    "sans opinion",
    "no sé",
    "no lo sé",
    "no sabe",
    "no aplica",
    "weet niet",
    "weet ik niet",
    "geen mening",
    "não sei",
    "sem opinião",
    "não se aplica",
}
# "Don't know" families, in the languages surveys are written in: an answer holding one of
# these is no answer at all ("I don't know", "Unfamiliar (N/A)", "No basis for evaluation").
MISSING_PHRASES = (
    "n/a",
    "don't know",
    "dont know",
    "do not know",
    "not applicable",
    "no basis for",
    "prefer not to",
    "rather not",
    "unfamiliar",
    "cannot say",
    "can't say",
    "cannot judge",
    "keine angabe",
    "weiß nicht",
    "weiss nicht",
    "nicht beurteilen",
    "trifft nicht zu",
    "ne sais pas",
    "ne s'applique pas",
    "non applicable",
    "sans opinion",
    "no sé",
    "no lo sé",
    "no aplica",
    "no procede",
    "weet ik niet",
    "weet niet",
    "niet van toepassing",
    "geen mening",
    "não sei",
    "não se aplica",
    "sem opinião",
)
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\s*(?:[-–—:.)=]|\(|$)|\s+[A-Za-z])")


def label_key(value: str) -> str:
    """Matching key for labels: case, spacing and apostrophe style do not matter."""
    return " ".join(value.replace("’", "'").replace("‘", "'").split()).casefold()


def is_missing(value: str) -> bool:
    key = label_key(value)
    return key in MISSING or any(phrase in key for phrase in MISSING_PHRASES)


@dataclass(frozen=True)
class Scale:
    """An ordered scale; `points` maps a label key to its 0..100 value."""

    name: str
    labels: tuple[str, ...]
    numeric: tuple[int, int] | None = None
    # A question worded the other way ("IT often lets me down"): agreeing, the top of the
    # scale, is the worst answer, so it scores 0.
    reversed: bool = False

    def to_score(self, value: str) -> float | None:
        """0..100 for an answer on this scale, None when it is not on it."""
        if self.numeric is not None:
            low, high = self.numeric
            number = parse_number(value)
            if number is None or number < low or number > high:
                return None
            score: float | None = (number - low) / (high - low) * 100.0
        else:
            score = label_points(self).get(label_key(value))
        return 100.0 - score if self.reversed and score is not None else score

    def describe(self) -> str:
        read = (
            f"{self.numeric[0]}..{self.numeric[1]}"
            if self.numeric is not None
            else ", ".join(self.labels)
        )
        return f"reversed: {read}" if self.reversed else read


_POINTS_CACHE: dict[tuple[str, ...], dict[str, float]] = {}


def label_points(scale: Scale) -> dict[str, float]:
    points = _POINTS_CACHE.get(scale.labels)
    if points is None:
        top = len(scale.labels) - 1
        points = {label_key(label): i / top * 100.0 for i, label in enumerate(scale.labels)}
        _POINTS_CACHE[scale.labels] = points
    return points


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


# Tool codes for "no answer" in numeric exports: Qualtrics' -1 "No basis for evaluation" (and
# other negative codes), and the 99 / 999 that SPSS-style exports declare for "don't know".
NUMERIC_MISSING_CODES = frozenset({99.0, 999.0, 9999.0})


def is_missing_code(number: float) -> bool:
    """A numeric tool code that means "no answer" (negative codes, 99, 999)."""
    return number < 0 or number in NUMERIC_MISSING_CODES
