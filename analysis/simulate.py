"""Made-up organisations with planted patterns, for `walkabout calibrate`.

Each person has a latent satisfaction; a rating is that latent (plus the question's noise)
cut into the scale's options, a conversation's observed score the same latent on 1..5,
and what people *said* a politer version of it. The planted kinds follow the product's
description of each flag:

- clean: honest answers, the department's own level near the organisation's;
- grumbler: clean, plus two or three respondents who rate everything at the bottom (each
  answer also carries the honest one they would have given: `honest_score`, `honest_value`,
  so calibration can ask whether the flag is theirs);
- nrb: the unhappy answer far less, and later; conversations meet everyone;
- fine: answers bunch on the polite option, conversations find problems;
- complaints: many respondents rate IT poorly, conversations find the same.

A department's response rate, conversations and scale come from ranges (or from the sizes
of a real survey, `Sizes`), so the report is tried where the user's data sits.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

QUIET_KINDS = ("clean", "grumbler")
PLANTED = {"nrb": "non_response_bias", "fine": "im_fine", "complaints": "corroborated_complaints"}
SURVEY_START = datetime(2026, 10, 5, 8, 0)
# How far below typical (in a person's standard deviations, 0.8) a planted problem sits:
# the samples' patterns, from a clear case to a stark one.
SHIFT = {"complaints": (1.5, 2.5), "nrb": (0.8, 1.4), "fine": (1.2, 2.0)}


@dataclass(frozen=True)
class Sizes:
    """The sizes organisations are drawn at: each department a (headcount, rate, talks)."""

    headcounts: tuple[int, ...]
    response_rates: tuple[float, ...]
    conversations: tuple[int, ...]
    scale_points: int = 5

    @classmethod
    def of_report(cls, report: dict, answers: pd.DataFrame) -> "Sizes":
        """The sizes of a real round: its departments (report JSON) and its answers (the
        number of distinct answered values gives the scale, 5 where that is unclear)."""
        rows = [d for d in report["departments"] if d["headcount"] > 0]
        if not rows:
            raise ValueError("the survey has no department with a headcount")
        distinct = int(answers["value"].round(3).nunique()) if len(answers) else 0
        return cls(
            headcounts=tuple(int(d["headcount"]) for d in rows),
            response_rates=tuple(min(1.0, d["responses"] / d["headcount"]) for d in rows),
            conversations=tuple(int(d["conversations"]) for d in rows),
            scale_points=distinct if 3 <= distinct <= 11 else 5,
        )


@dataclass(frozen=True)
class Organisation:
    departments: pd.DataFrame  # department, headcount, division, kind
    responses: pd.DataFrame
    answers: pd.DataFrame
    conversations: pd.DataFrame
    scale_points: int


def _options(latent: np.ndarray, points: int) -> np.ndarray:
    """A latent satisfaction (0 typical, sd about 1) cut into options 0..points-1."""
    steps = points - 1
    return np.clip(np.rint(steps * 0.62 + steps * 0.26 * latent), 0, steps).astype(int)


def _sizes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    count = int(rng.integers(10, 61))
    headcounts = np.rint(np.exp(rng.uniform(np.log(5), np.log(400), count))).astype(int)
    base = rng.uniform(0.15, 0.80)
    rates = np.clip(base * np.exp(rng.normal(0, 0.2, count)), 0.05, 0.95)
    talks = rng.integers(0, 31, count)
    return headcounts, rates, talks, int(rng.choice([5, 7, 11]))


def _drawn_sizes(
    rng: np.random.Generator, like: Sizes
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    count = len(like.headcounts)
    pick = rng.integers(0, count, count)
    headcounts = np.maximum(1, np.asarray(like.headcounts)[pick])
    rates = np.clip(
        np.asarray(like.response_rates)[pick] * np.exp(rng.normal(0, 0.1, count)), 0.02, 1
    )
    talks = np.asarray(like.conversations)[pick]
    return headcounts, rates, talks, like.scale_points


def _kinds(rng: np.random.Generator, count: int, planted: bool = True) -> list[str]:
    """Between a tenth and two fifths of the departments carry a planted problem: the
    report compares each department with the typical one, so it cannot find a problem most
    departments share (the organisation's own figures show that). `planted` False: none."""
    problems = rng.uniform(0.1, 0.4) if planted else 0.0
    kinds = []
    for _ in range(count):
        if rng.random() < problems:
            kinds.append(str(rng.choice(["nrb", "fine", "complaints"])))
        else:
            kinds.append("grumbler" if rng.random() < 0.2 else "clean")
    return kinds


def simulate_organisation(
    rng: np.random.Generator, *, as_of: date, like: Sizes | None = None, planted: bool = True
) -> Organisation:
    headcounts, rates, talks, points = _drawn_sizes(rng, like) if like else _sizes(rng)
    kinds = _kinds(rng, len(headcounts), planted)
    questions = int(rng.integers(1, 7))
    level = rng.normal(0, 0.1, len(headcounts))  # honest differences between departments
    departments, responses, answers, conversations = [], [], [], []
    for d, kind in enumerate(kinds):
        name = f"Department {d + 1:02d}"
        headcount, rate = int(headcounts[d]), float(rates[d])
        departments.append((name, headcount, None, kind, float(level[d])))
        people = level[d] + rng.normal(0, 0.8, headcount)
        shift = rng.uniform(*SHIFT[kind]) if kind in SHIFT else 0.0
        people = people - shift
        chance = np.full(headcount, rate)
        if kind == "nrb":
            # The unhappy answer far less: people clearly below the department's usual
            # level answer a twentieth to a sixth as often as the others.
            low, high = rng.uniform(0.04, 0.12), rng.uniform(0.6, 0.9)
            happy = 1 / (1 + np.exp(-5 * (people - (level[d] - 0.6))))
            chance = rate * (low + (high - low) * happy)
        answered = np.flatnonzero(rng.random(headcount) < chance)
        # When they answered: at random, or for nrb mostly the unhappy later.
        lateness = rng.random(len(answered))
        if kind == "nrb":
            lateness = 0.2 * lateness + 0.8 * (1 - _ranks(people[answered]))
        polite_share = rng.uniform(0.75, 0.92)
        grumblers = set()
        if kind == "grumbler" and len(answered) >= 6:
            grumblers = set(rng.choice(answered, int(rng.integers(2, 4)), replace=False))
        for person, late in zip(answered, lateness, strict=True):
            if kind == "fine":
                # They answer as they speak: the polite option, else near it.
                polite = rng.random(questions) < polite_share
                said = people[person] + shift + rng.normal(0, 0.5, questions)
                honest = _options(said, points)
                options = np.where(polite, points - 2, honest)
            elif person in grumblers:
                options = np.zeros(questions, dtype=int)
            else:
                options = _options(people[person] + rng.normal(0, 0.5, questions), points)
            values = 100 * options / (points - 1)
            honest = values
            if person in grumblers:  # as they are (no draw: the others' draws stay as they were)
                honest = 100 * _options(np.full(questions, people[person]), points) / (points - 1)
            when = SURVEY_START + timedelta(minutes=float(late) * 20 * 24 * 60)
            responses.append((name, when, True, float(values.mean()), float(honest.mean())))
            answers += [(name, float(v), float(h)) for v, h in zip(values, honest, strict=True)]
        day = as_of
        # Leaders meet people at random, the same person again now and then.
        for i, met in enumerate(rng.integers(0, headcount, int(talks[d])).tolist()):
            if i % 4 == 0:
                day = as_of - timedelta(days=int(rng.integers(3, 170)))
            seen = people[met] + rng.normal(0, 0.4)
            said = seen + shift if kind == "fine" else seen + 0.3
            conversations.append((name, (name, day), pd.Timestamp(day), _talk(said), _talk(seen)))
    return Organisation(
        departments=pd.DataFrame(
            departments, columns=["department", "headcount", "division", "kind", "level"]
        ),
        responses=pd.DataFrame(
            responses,
            columns=["department", "submitted_at", "is_complete", "score", "honest_score"],
        ),
        answers=pd.DataFrame(answers, columns=["department", "value", "honest_value"]),
        conversations=pd.DataFrame(
            conversations, columns=["department", "visit", "visit_date", "stated", "observed"]
        ),
        scale_points=points,
    )


def _ranks(values: np.ndarray) -> np.ndarray:
    if len(values) < 2:
        return np.zeros(len(values))
    return values.argsort().argsort() / (len(values) - 1)


def _talk(latent: float) -> float:
    """A conversation score, 1..5 on the 0..100 footing."""
    return 25.0 * float(np.clip(np.rint(2.6 + 1.1 * latent), 0, 4))


DESK_PLANTED = {"quiet": "quiet_desk", "melon": "watermelon"}
TICKETS_PER_HEAD = 1.2  # over the period, in a typical department
SLA_MET = 0.8


def simulate_desk(
    rng: np.random.Generator, org: Organisation, *, as_of: date, days: int = 180
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """A service desk export for `org` over the `days` before `as_of`, the organisation's
    conversations with their end-runs and unreported issues, and the departments given a
    planted desk pattern (name -> "quiet" or "melon").

    Departments differ honestly in how often they ask (a log-normal spread of 0.2) and how
    well the desk serves them (SLA met 80%, spread 3 points). Planted: a quiet desk where
    conversations already find problems ("fine", "nrb"): a fifth to a half of the typical
    rate, and a third of its conversations end-runs or unreported issues; a watermelon where
    many rate IT poorly ("complaints"): 97% to 99.5% of tickets within SLA."""
    planted: dict[str, str] = {}
    tickets = []
    start = pd.Timestamp(as_of - timedelta(days=days), tz="UTC")
    for name, headcount, kind in zip(
        org.departments["department"].astype(str),
        org.departments["headcount"].astype(int),
        org.departments["kind"].astype(str),
        strict=True,
    ):
        rate = TICKETS_PER_HEAD * float(np.exp(rng.normal(0, 0.2)))
        sla = float(np.clip(rng.normal(SLA_MET, 0.03), 0.5, 0.95))
        if kind in ("fine", "nrb") and rng.random() < 0.5:
            planted[name] = "quiet"
            rate *= rng.uniform(0.2, 0.5)
        elif kind == "complaints" and rng.random() < 0.5:
            planted[name] = "melon"
            sla = rng.uniform(0.97, 0.995)
        count = int(rng.poisson(rate * headcount))
        opened = start + pd.to_timedelta(rng.uniform(0, days - 1, count), unit="D")
        hours = rng.exponential(20, count)
        met = (rng.random(count) < sla).astype(float)
        tickets += [
            (name, o, o + pd.Timedelta(hours=h), m, None)
            for o, h, m in zip(opened, hours, met, strict=True)
        ]
    frame = pd.DataFrame(
        tickets, columns=["department", "opened_at", "resolved_at", "sla_met", "theme"]
    )
    conversations = org.conversations.copy()
    quiet = conversations["department"].map(planted).eq("quiet").to_numpy()
    missed = rng.random(len(conversations)) < np.where(quiet, 0.33, 0.05)
    conversations["end_run"] = missed
    conversations["unreported"] = 0
    return frame, conversations, planted
