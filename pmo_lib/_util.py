"""Small helpers shared by the engines (private: not part of the public API).

:func:`ratio` is the division every indicator uses (NaN, never ±inf, where it is undefined);
:func:`check_choice` checks a method name against its module-level tuple and lists the valid
ones (STYLE.md §3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataValidationError, MissingDataError, Problem

__all__ = ["check_choice", "ratio", "require_columns"]


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
