"""Progress bars for long work (prediction, evaluation, comparison, benchmarks, data building, training).

A bar (tqdm: count, rate, ETA) goes to stderr only when a person is watching: stderr is a terminal, the ``CI``
environment variable is unset and nobody asked for quiet (``--quiet`` sets :func:`set_quiet`, or ``MICROLLM_QUIET``
is set). ``MICROLLM_PROGRESS=1`` forces bars on (a log that wants them), ``MICROLLM_PROGRESS=0`` off. Whatever
the bars do, long commands still print one summary line at the end (:func:`summary`, even under ``--quiet``), so
logs and CI keep a record; :func:`note` is for the chatter that ``--quiet`` drops.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_QUIET = False


def set_quiet(quiet: bool) -> None:
    """Silence (or allow) bars and summary lines for this process; the CLI's ``--quiet`` calls it."""
    global _QUIET
    _QUIET = bool(quiet)


def is_quiet() -> bool:
    """True under ``--quiet`` or ``MICROLLM_QUIET`` (any non-empty value but ``0``)."""
    return _QUIET or os.environ.get("MICROLLM_QUIET", "") not in ("", "0")


def bars_enabled() -> bool:
    """Whether progress bars are drawn now (see the module docstring for the rules)."""
    forced = os.environ.get("MICROLLM_PROGRESS", "").strip().lower()
    if forced in ("0", "false", "no", "off"):
        return False
    if is_quiet():
        return False
    if forced in ("1", "true", "yes", "on"):
        return True
    if os.environ.get("CI"):  # CI logs keep every redraw of a bar as a line of its own
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stderr
        return False


def new_bar(**kwargs):
    """A tqdm bar on stderr (callers check :func:`bars_enabled` first); kwargs go to tqdm."""
    from tqdm.auto import tqdm  # tqdm ships with transformers; imported only when a bar is drawn

    return tqdm(file=sys.stderr, dynamic_ncols=True, mininterval=0.5, smoothing=0.1, **kwargs)


def progress(items: Iterable[T], desc: str = "", total: int | None = None, unit: str = "row") -> Iterator[T]:
    """Iterate over ``items`` behind a bar with rate and ETA, or plainly when bars are off."""
    if not bars_enabled():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    bar = new_bar(total=total, desc=desc, unit=unit)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()


class _NoBar:
    """The bar interface when bars are off: every call does nothing."""

    def update(self, n: int = 1) -> None:
        """Nothing to draw."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Nothing to draw."""

    def close(self) -> None:
        """Nothing to close."""


@contextmanager
def bar(total: int | None, desc: str = "", unit: str = "row", initial: int = 0):
    """A bar updated by hand (``b.update(n)``, ``b.set_postfix_str(...)``), for loops that are not one iterable."""
    b = new_bar(total=total, desc=desc, unit=unit, initial=initial) if bars_enabled() else _NoBar()
    try:
        yield b
    finally:
        b.close()


def summary(message: str) -> None:
    """The one line a long command prints when it ends, quiet or not (to stderr, so stdout stays data)."""
    print(message, file=sys.stderr, flush=True)


def note(message: str) -> None:
    """An informational line on stderr (what is loading, where files went), dropped under quiet."""
    if not is_quiet():
        print(message, file=sys.stderr, flush=True)
