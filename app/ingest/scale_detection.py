"""Which scale a column's answers are on, or why the column is no rating question."""

import re
from collections import Counter
from dataclasses import dataclass

from app.ingest.known_scales import KNOWN_SCALES
from app.ingest.scales import (
    Scale,
    is_missing,
    is_missing_code,
    label_key,
    label_points,
    parse_number,
)

DETECTION_SHARE = 0.9
NUMERIC_RANGES = ((1, 5), (1, 7), (1, 10), (0, 10))

# Numbers in a question about a count, an age, a year or a ranking are no rating.
_COUNT_WORDS = re.compile(
    r"\b(how many|number of|how old|ages?|aged|years?|born|birth|days?|hours?|minutes?|"
    r"seconds?|weeks?|months?|times|per (?:day|week|month)|rank|ranking|ranked|count|"
    r"quantity|amount|percent|percentage)\b",
    re.IGNORECASE,
)


# A range the question states ("On a scale of 1 to 7", "(0-10)", "de 1 à 7", "von 1 bis 5",
# "out of 10"): when nobody chose the top or the bottom, the answers alone would give a
# smaller scale, and a 5 on a 1-to-7 question would count as the best answer.
_STATED_RANGE = re.compile(
    r"(?<![\w.])([01])\s*(?:-|–|—|to|à|a|al|bis|tot)\s*(5|7|10)(?![\w.])", re.IGNORECASE
)
_OUT_OF = re.compile(r"\bout of (5|7|10)\b", re.IGNORECASE)


def _stated_range(question: str) -> tuple[int, int] | None:
    """The numeric range the question names, if it is one of NUMERIC_RANGES."""
    found = _STATED_RANGE.search(question)
    stated = (int(found[1]), int(found[2])) if found else None
    if stated is None and (out_of := _OUT_OF.search(question)):
        stated = (1, int(out_of[1]))
    return stated if stated in NUMERIC_RANGES else None


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


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
        points = label_points(scale)
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
    whose every label is used); then whole numbers, which take the range the question states
    ("1 to 7") if it holds them, else the smallest of 1..5, 1..7, 1..10, 0..10 holding them.
    Decimals, counts, ages, years, ranks, yes/no and a single repeated number are no ratings
    unless the analyst named the column.
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
    stated = _stated_range(question)
    fits = [stated] if stated is not None else []
    fits += [b for b in NUMERIC_RANGES if b[0] <= low and high <= b[1]]
    fits += [b for b in NUMERIC_RANGES if b[0] <= low and covered_by(b) >= DETECTION_SHARE * total]
    for bounds in fits:
        if covered_by(bounds) >= DETECTION_SHARE * total:
            scale = Scale(name=f"numeric {bounds[0]}..{bounds[1]}", labels=(), numeric=bounds)
            return Detection(scale, note)
    return Detection(None, f"numbers outside 0..10 (up to {high:g}): counts or codes")
