"""Small helpers shared by the engines (private: not part of the public API).

:func:`ratio` is the division every indicator uses (NaN, never ±inf, where it is undefined);
:func:`check_choice` checks a method name against its module-level tuple and lists the valid
ones (STYLE.md §3).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd

from .errors import DataValidationError, MissingDataError, Problem

__all__ = ["check_choice", "ratio", "require_columns", "silenced"]


def ratio(num, den):
    """num / den, NaN where den is 0 or either side is NaN (never ±inf).

    Examples
    --------
    >>> ratio([1.0, 1.0, 0.0], [2.0, 0.0, 0.0]).tolist()
    [0.5, nan, nan]
    """
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(num, den, out=out, where=(den != 0) & np.isfinite(den))
    out[~np.isfinite(out)] = np.nan  # a denominator so small the ratio overflows
    return out + 0.0  # no negative zeros


def check_choice(value, choices, function: str, parameter: str, what: str) -> None:
    """Raise a DataValidationError listing ``choices`` when ``value`` is not one of them.

    Examples
    --------
    >>> check_choice("median", ("cpi", "additive"), "indicators", "method", "EAC method")
    Traceback (most recent call last):
    ...
    pmo_lib.errors.DataValidationError: indicators, column 'method': unknown EAC method \
'median'; use one of 'cpi', 'additive'
    """
    if value not in choices:
        raise DataValidationError(Problem(
            function, None, None, parameter,
            f"unknown {what} {value!r}; use one of {', '.join(map(repr, choices))}"))


def require_columns(df, table: str, columns, what: str = "table") -> None:
    """A DataValidationError unless ``df`` is a DataFrame, and a MissingDataError naming every
    column of ``columns`` it lacks (row 1: the header)."""
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(Problem(table, None, None, None,
                                          f"expected a DataFrame, got {type(df).__name__}"))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "no columns"
        raise MissingDataError([Problem(table, 1, None, c, f"required column is missing; the "
                                        f"{what} has {have}") for c in missing])


@contextlib.contextmanager
def silenced(stream: str = "stdout") -> Iterator[None]:
    """Send the process's standard output or error *file descriptor* to the null device.

    For noise written below Python by compiled code or by child processes, which inherit the
    descriptor (a solver's console output, a Jupyter kernel's shutdown messages), and which
    ``contextlib.redirect_stdout`` cannot catch. Python's own stream is flushed first. Where
    the stream has no real descriptor (captured by a test runner), nothing is changed.

    Parameters
    ----------
    stream : {"stdout", "stderr"}
    """
    original = sys.__stdout__ if stream == "stdout" else sys.__stderr__
    try:
        fd = original.fileno()
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):  # no real descriptor
        yield
        return
    with contextlib.suppress(Exception):
        getattr(sys, stream).flush()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    getattr(sys, stream).flush()
                os.dup2(saved, fd)
    finally:
        os.close(saved)
