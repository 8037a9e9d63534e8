"""Bulk reading without the cycle collector: a million parsed rows are a million new lists,
and the collector would walk them again and again (a third of an import's time, measured).
Rows hold no reference cycles, so nothing is kept that a collection would have freed."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cycle collector off for the block; back on after, if it was on before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
