"""The calibration section of `make bench`: the report on 200 simulated organisations.

Not a speed figure: how often the flags find what was planted and how often they raise a
false alarm, with 95% intervals, beside the quality bar the method is held to."""

import time
from collections.abc import Callable

from analysis.calibration import calibrate, summary

ORGANISATIONS = 200
SEED = 2026
BAR_FOUND = 0.95  # share of planted departments found, each survey flag
BAR_FALSE_PER_100 = 0.5  # false flags per 100 quiet departments (1 per 200)


def bench_calibration(record: Callable[..., None]) -> None:
    started = time.perf_counter()
    result = calibrate(ORGANISATIONS, seed=SEED)
    seconds = time.perf_counter() - started
    print(summary(result), flush=True)
    for code, tally in result.found.items():
        low, high = tally.interval or (0.0, 0.0)
        record(
            f"calibrate_found_{code}",
            share=round(tally.share or 0.0, 3),
            ci=[round(low, 3), round(high, 3)],
            planted=tally.trials,
            untestable=result.untestable[code],
            # what the report leaves undecided on quiet departments: the price of "found"
            quiet_untestable_per_100=round(100 * (result.quiet_untestable[code].share or 0.0), 1),
            bar=BAR_FOUND,
            meets_bar=(tally.share or 0.0) >= BAR_FOUND,
        )
    quiet = result.quiet
    low, high = quiet.interval or (0.0, 0.0)
    record(
        "calibrate_false_flags",
        per_100_quiet=round(100 * (quiet.share or 0.0), 3),
        ci=[round(100 * low, 3), round(100 * high, 3)],
        quiet_departments=quiet.trials,
        usual_complainers_flagged=result.grumblers.hits,
        # ... of which the complainers raised (not raised with them answering as they are)
        flagged_by_usual_complainers=result.by_complainers.hits,
        usual_complainers=result.grumblers.trials,
        under_minimum_size_flagged=result.small_flagged.hits,
        bar=BAR_FALSE_PER_100,
        meets_bar=100 * (quiet.share or 0.0) <= BAR_FALSE_PER_100,
    )
    record(
        "calibrate_severity_true_share",
        **{
            s: round(t.share, 3) if t.share is not None else None
            for s, t in result.severity.items()
        },
        organisations=ORGANISATIONS,
        seconds=round(seconds, 1),
    )
