"""Garbage collection paused around bulk conversions of query results.

Turning a few hundred thousand result rows into tuples and dictionaries allocates millions of
objects that all survive until the conversion ends; each allocation burst makes Python's
collector walk every object alive so far, which costs more than the conversion itself and
never finds garbage (the values hold no cycles).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage-collection passes inside the block (the collector's state is restored after)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
