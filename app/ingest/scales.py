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
DETECTION_SHARE = 0.9
NUMERIC_RANGES = ((1, 5), (1, 7), (1, 10), (0, 10))
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
    labelled("quality", "Poor", "Fair", "Good", "Excellent"),
    labelled("agreement", "Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    labelled("satisfaction", "Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"),
    labelled(
        "satisfaction",
        "Not at all satisfied",
        "Slightly satisfied",
        "Moderately satisfied",
        "Very satisfied",
        "Extremely satisfied",
    ),
    # French
    labelled(
        "agreement",
        "Pas du tout d'accord",
        "Pas d'accord",
        "Ni d'accord ni pas d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ),
    labelled(
        "agreement",
        "Pas du tout d'accord",
        "Plutôt pas d'accord",
        "Plutôt d'accord",
        "Tout à fait d'accord",
    ),
    labelled(
        "satisfaction", "Très insatisfait", "Insatisfait", "Neutre", "Satisfait", "Très satisfait"
    ),
    labelled(
        "satisfaction", "Pas du tout satisfait", "Peu satisfait", "Satisfait", "Très satisfait"
    ),
    labelled("quality", "Très mauvais", "Mauvais", "Moyen", "Bon", "Très bon"),
    labelled("quality", "Mauvais", "Passable", "Bon", "Très bon", "Excellent"),
    # German
    labelled(
        "agreement",
        "Stimme überhaupt nicht zu",
        "Stimme nicht zu",
        "Weder noch",
        "Stimme zu",
        "Stimme voll und ganz zu",
    ),
    labelled(
        "agreement",
        "Stimme überhaupt nicht zu",
        "Stimme eher nicht zu",
        "Teils/teils",
        "Stimme eher zu",
        "Stimme voll und ganz zu",
    ),
    labelled(
        "satisfaction", "Sehr unzufrieden", "Unzufrieden", "Neutral", "Zufrieden", "Sehr zufrieden"
    ),
    labelled(
        "satisfaction",
        "Sehr unzufrieden",
        "Eher unzufrieden",
        "Teils/teils",
        "Eher zufrieden",
        "Sehr zufrieden",
    ),
    labelled("quality", "Sehr schlecht", "Schlecht", "Mittelmäßig", "Gut", "Sehr gut"),
    labelled("quality", "Mangelhaft", "Ausreichend", "Befriedigend", "Gut", "Sehr gut"),
    # Spanish
    labelled(
        "agreement",
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ),
    labelled(
        "satisfaction",
        "Muy insatisfecho",
        "Insatisfecho",
        "Neutral",
        "Satisfecho",
        "Muy satisfecho",
    ),
    labelled("quality", "Muy malo", "Malo", "Regular", "Bueno", "Muy bueno"),
    labelled("quality", "Malo", "Regular", "Bueno", "Muy bueno", "Excelente"),
    # Dutch
    labelled("agreement", "Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"),
    labelled("agreement", "Zeer oneens", "Oneens", "Neutraal", "Eens", "Zeer eens"),
    labelled(
        "satisfaction", "Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden"
    ),
    labelled("quality", "Slecht", "Matig", "Voldoende", "Goed", "Uitstekend"),
    labelled("quality", "Zeer slecht", "Slecht", "Neutraal", "Goed", "Zeer goed"),
    # Portuguese
    labelled(
        "agreement",
        "Discordo totalmente",
        "Discordo",
        "Não concordo nem discordo",
        "Concordo",
        "Concordo totalmente",
    ),
    labelled(
        "agreement",
        "Discordo totalmente",
        "Discordo parcialmente",
        "Não concordo nem discordo",
        "Concordo parcialmente",
        "Concordo totalmente",
    ),
    labelled(
        "satisfaction",
        "Muito insatisfeito",
        "Insatisfeito",
        "Neutro",
        "Satisfeito",
        "Muito satisfeito",
    ),
    labelled("quality", "Muito ruim", "Ruim", "Regular", "Bom", "Muito bom"),
    labelled("quality", "Péssimo", "Ruim", "Regular", "Bom", "Ótimo"),
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


# Tool codes for "no answer" in numeric exports: Qualtrics' -1 "No basis for evaluation" (and
# other negative codes), and the 99 / 999 that SPSS-style exports declare for "don't know".
NUMERIC_MISSING_CODES = frozenset({99.0, 999.0, 9999.0})
# Numbers in a question about a count, an age, a year or a ranking are no rating.
_COUNT_WORDS = re.compile(
    r"\b(how many|number of|how old|ages?|aged|years?|born|birth|days?|hours?|minutes?|"
    r"seconds?|weeks?|months?|times|per (?:day|week|month)|rank|ranking|ranked|count|"
    r"quantity|amount|percent|percentage)\b",
    re.IGNORECASE,
)


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def is_missing_code(number: float) -> bool:
    """A numeric tool code that means "no answer" (negative codes, 99, 999)."""
    return number < 0 or number in NUMERIC_MISSING_CODES


def _any_number(value: str) -> float | None:
    """Any number written in the cell ('4', '2.59', '2,59', '4 - Good'), decimals included."""
    text = value.strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")  # "55,000" is fifty-five thousand, not 55.0
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return parse_number(text)


@dataclass(frozen=True)
class Detection:
    """What a column's answers are: a scale, or why it is no rating question."""

    scale: Scale | None
    reason: str = ""  # why not; with a scale, what was read as no answer


def _examples(values: list[str]) -> str:
    return ", ".join(repr(v) for v in values[:3])


def _pick_labelled(answered: dict[str, int], total: int, scales: tuple[Scale, ...]) -> Scale | None:
    """The scale covering most answers; on a tie one whose every label is used (a 4-point
    survey is not read as a 5-point one), else the first listed."""
    best: tuple[int, bool, Scale] | None = None
    keys = {label_key(v) for v in answered}
    for scale in scales:
        points = _label_points(scale)
        covered = sum(n for v, n in answered.items() if label_key(v) in points)
        if covered < DETECTION_SHARE * total:
            continue
        full = set(points) <= keys
        if best is None or (covered, full) > (best[0], best[1]):
            best = (covered, full, scale)
    return best[2] if best else None


def detect_scale(
    counts: Counter[str],
    extra: tuple[Scale, ...] = (),
    *,
    question: str = "",
    explicit: bool = False,
) -> Detection:
    """The scale that ≥ 90% of a column's answers fall on, or why there is none.

    "Don't know" answers and tool codes for no answer are left out first. An extra scale the
    analyst gave wins; then the known labelled scales (the one covering most answers, then one
    whose every label is used); then whole numbers, which take the smallest of 1..5,
    1..7, 1..10, 0..10 holding them. Decimals, counts, ages, years, ranks, yes/no and a
    single repeated number are no ratings unless the analyst named the column.
    """
    answered = {v: n for v, n in counts.items() if not is_missing(v)}
    total = sum(answered.values())
    if total == 0:
        return Detection(None, "no answers")
    chosen = _pick_labelled(answered, total, extra) or _pick_labelled(answered, total, KNOWN_SCALES)
    if chosen is not None:
        return Detection(chosen)
    numbers = {v: x for v in answered if (x := _any_number(v)) is not None}
    if sum(answered[v] for v in numbers) < DETECTION_SHARE * total:
        words = sorted((v for v in answered if v not in numbers), key=lambda v: -answered[v])
        return Detection(None, f"answers on no known scale ({_examples(words)})")
    decimals = [v for v, x in numbers.items() if not x.is_integer()]
    if decimals:
        return Detection(None, f"decimal numbers ({_examples(decimals)}): timings or measures")
    codes = sorted({x for x in numbers.values() if is_missing_code(x)})
    kept = {v: x for v, x in numbers.items() if not is_missing_code(x)}
    note = ", ".join(f"{x:g}" for x in codes) + " read as no answer" if codes else ""
    total -= sum(answered[v] for v, x in numbers.items() if is_missing_code(x))
    if not kept:
        return Detection(None, "only codes for no answer")
    distinct = set(kept.values())
    if not explicit:
        if _COUNT_WORDS.search(question):
            return Detection(None, "numbers in a question about a count, age, year or rank")
        if len(distinct) < 2:
            return Detection(None, f"one number only ({next(iter(distinct)):g}): a ticked box")
        if distinct <= {0.0, 1.0}:
            return Detection(None, "only 0 and 1: yes/no or ticked boxes")
        if min(distinct) == 0 and max(distinct) < 5:
            # Read on 0..10 these would all sit at the bottom: codes for categories.
            top = f"{max(distinct):g}"
            return Detection(None, f"small codes from 0 (0..{top}): categories, not a rating")
    low, high = min(distinct), max(distinct)

    def covered_by(bounds: tuple[int, int]) -> int:
        return sum(answered[v] for v, x in kept.items() if bounds[0] <= x <= bounds[1])

    # The smallest range holding every answer; else one holding nearly all of them, whose
    # stray answers then become row errors.
    fits = [b for b in NUMERIC_RANGES if b[0] <= low and high <= b[1]]
    fits += [b for b in NUMERIC_RANGES if b[0] <= low and covered_by(b) >= DETECTION_SHARE * total]
    for bounds in fits:
        if covered_by(bounds) >= DETECTION_SHARE * total:
            scale = Scale(name=f"numeric {bounds[0]}..{bounds[1]}", labels=(), numeric=bounds)
            return Detection(scale, note)
    return Detection(None, f"numbers outside 0..10 (up to {high:g}): counts or codes")
