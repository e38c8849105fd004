"""Exercises of training notebook ``03_earned_value_and_earned_schedule``: EVM by hand.

The questions use the tiny example of the notebook, :func:`fence` (building a garden fence:
PV 3,000, EV 2,500, AC 2,800, BAC 4,000 at the end of week 3, with the weekly cumulative PV of
:func:`fence_pv`), and one question uses a :class:`~pmo_lib.model.Portfolio` at a status
month. Every expected value is computed with :func:`pmo_lib.evm.indicators`,
:func:`pmo_lib.evm.earned_schedule` or :func:`pmo_lib.evm.project_performance`.

1. :class:`FenceCPI`: the cost performance index of the fence.
2. :class:`FenceEAC`: its estimate at completion by an EAC method (default ``"cpi"``).
3. :class:`FenceEarnedSchedule`: its earned schedule, in weeks.
4. :class:`LowestCPIProject`: which project of the portfolio has the lowest CPI?

Build them one by one or all at once with :func:`questions`. The solutions use the names the
notebook uses: ``fence`` (the dict of :func:`fence`), ``fence_pv``, ``portfolio``, ``month``
and ``from pmo_lib import evm``.

Examples
--------
>>> from pmo_lib.exercises import earned_value
>>> q1, q2, q3 = earned_value.FenceCPI(), earned_value.FenceEAC(), earned_value.FenceEarnedSchedule()
>>> q1.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> bool(q1.check(2500 / 2800)), bool(q2.check(4480)), bool(q3.check(8 / 3))
(True, True, True)
>>> bool(q1.check(2800 / 2500))
False
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import evm
from .._util import check_choice
from ..model import Portfolio
from . import ChoiceQuestion, NumberQuestion
from .welcome import _month

__all__ = [
    "FenceCPI",
    "FenceEAC",
    "FenceEarnedSchedule",
    "LowestCPIProject",
    "fence",
    "fence_pv",
    "questions",
]


def fence() -> dict[str, float]:
    """The tiny example: a garden fence at the end of week 3 of 5.

    Returns
    -------
    dict
        ``pv`` 3,000, ``ev`` 2,500, ``ac`` 2,800, ``bac`` 4,000 [cur] and ``at`` 3 [weeks].

    Examples
    --------
    >>> fence()
    {'pv': 3000.0, 'ev': 2500.0, 'ac': 2800.0, 'bac': 4000.0, 'at': 3.0}
    """
    return {"pv": 3000.0, "ev": 2500.0, "ac": 2800.0, "bac": 4000.0, "at": 3.0}


def fence_pv() -> pd.Series:
    """The fence's cumulative planned value at the end of weeks 1 to 5 (the last is BAC).

    Examples
    --------
    >>> fence_pv().tolist()
    [500.0, 1500.0, 3000.0, 3700.0, 4000.0]
    """
    return pd.Series([500.0, 1500.0, 3000.0, 3700.0, 4000.0],
                     index=pd.RangeIndex(1, 6, name="week"), name="pv")


#: The EAC methods a question can ask about (``new_etc`` needs a new estimate, not a formula).
_FORMULA_METHODS = ("cpi", "additive", "cpi_spi")


class _FenceQuestion(NumberQuestion):
    """A number of the fence; answers within 0.5 % are right (rounded to 2-3 digits)."""

    rel_tol = 5e-3

    def __init__(self, values: dict | None = None):
        super().__init__()
        self.values = dict(fence() if values is None else values)

    def _indicators(self, method: str = "cpi") -> dict:
        v = self.values
        return evm.indicators(v["pv"], v["ev"], v["ac"], v["bac"], method=method)


class FenceCPI(_FenceQuestion):
    """The cost performance index (CPI) of the fence.

    Parameters
    ----------
    values : dict, optional
        ``pv``, ``ev``, ``ac``, ``bac`` (default: :func:`fence`).
    """

    prompt = "What is the cost performance index (CPI) of the fence?"
    answer_format = "a ratio, e.g. 0.95"
    hint_text = ("CPI compares what the work done was worth (EV) with what it cost (AC). "
                 "Below 1 means over budget.")
    solution_code = ('evm.indicators(fence["pv"], fence["ev"], fence["ac"], '
                     'fence["bac"])["cpi"]')

    def _expected(self) -> float:
        return self._indicators()["cpi"]

    def _advice(self, answer):
        r = self._indicators()
        if np.isclose(answer, 1 / r["cpi"], rtol=self.rel_tol):
            return "Upside down: CPI = EV / AC, earned value on top."
        if np.isclose(answer, r["spi"], rtol=self.rel_tol):
            return "That is the SPI (EV / PV), the schedule index. CPI is about cost."
        return None


class FenceEAC(_FenceQuestion):
    """The estimate at completion (EAC) of the fence by one of :data:`pmo_lib.evm.EAC_METHODS`.

    Parameters
    ----------
    method : str
        EAC method (default ``"cpi"``: BAC / CPI); not ``"new_etc"``.
    values : dict, optional
        ``pv``, ``ev``, ``ac``, ``bac`` (default: :func:`fence`).
    """

    answer_format = "an amount of money"

    def __init__(self, method: str = "cpi", values: dict | None = None):
        super().__init__(values)
        check_choice(method, _FORMULA_METHODS, "FenceEAC", "method", "EAC method")
        self.method = method
        self.prompt = (f"What is the estimate at completion (EAC) of the fence, by the "
                       f"{method!r} method?")
        self.hint_text = {
            "cpi": "If the fence keeps costing what it has so far, the budget is spent at the "
                   "rate CPI: divide the budget (BAC) by CPI.",
            "additive": "What is spent stays spent (AC); the work left (BAC − EV) costs what "
                        "it was budgeted at.",
            "cpi_spi": "What is spent stays spent (AC); the work left (BAC − EV) costs more "
                       "when both CPI and SPI are low: divide it by CPI × SPI.",
        }[method]
        self.solution_code = ('evm.indicators(fence["pv"], fence["ev"], fence["ac"], '
                              f'fence["bac"], method="{method}")["eac"]')

    def _expected(self) -> float:
        return self._indicators(self.method)["eac"]

    def _advice(self, answer):
        if np.isclose(answer, self.values["bac"], rtol=self.rel_tol):
            return "That is the budget itself; EAC forecasts what the fence will really cost."
        for other in ("cpi", "additive", "cpi_spi"):
            if other != self.method and np.isclose(answer, self._indicators(other)["eac"],
                                                   rtol=self.rel_tol):
                return f"That is the EAC of the {other!r} method; check the formula asked."
        if np.isclose(answer, self._indicators(self.method)["etc"], rtol=self.rel_tol):
            return "That is the estimate to complete (ETC); add what was already spent (AC)."
        return None


class FenceEarnedSchedule(_FenceQuestion):
    """The earned schedule (ES) of the fence at the end of week 3, in weeks.

    Parameters
    ----------
    values : dict, optional
        ``ev`` and ``at`` (default: :func:`fence`).
    pv_cumulative : array-like, optional
        Cumulative PV per week (default: :func:`fence_pv`).
    """

    prompt = ("At the end of week 3 the fence has earned EV = 2,500. When was that value "
              "planned to be earned? (the earned schedule, in weeks)")
    answer_format = "a number of weeks, e.g. 2.5"
    hint_text = ("Find the week where the planned value crosses EV: the cumulative PV of "
                 "week 2 is below EV, that of week 3 above. ES = 2 + the fraction of week 3's "
                 "planned value (PV₃ − PV₂) already earned (EV − PV₂).")
    solution_code = 'evm.earned_schedule(fence_pv, fence["ev"], at=fence["at"])["es"]'

    def __init__(self, values: dict | None = None, pv_cumulative=None):
        super().__init__(values)
        self.pv_cumulative = fence_pv() if pv_cumulative is None else pv_cumulative

    def _expected(self) -> float:
        return evm.earned_schedule(self.pv_cumulative, self.values["ev"],
                                   at=self.values["at"])["es"]

    def _advice(self, answer):
        if np.isclose(answer, self.values["at"]):
            return ("That is the actual time (AT). The fence is behind: its work was planned "
                    "to be earned earlier.")
        r = evm.indicators(self.values["pv"], self.values["ev"], self.values["ac"],
                           self.values["bac"])
        if np.isclose(answer, r["spi"] * self.values["at"], rtol=self.rel_tol):
            return ("That is AT × SPI, a straight-line guess. Earned schedule reads the PV "
                    "curve: interpolate inside the week where PV crosses EV.")
        return None


class LowestCPIProject(ChoiceQuestion):
    """Which project of the portfolio has the lowest CPI at the month?

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month (default: the latest).
    """

    answer_format = "a project ID (or its name)"
    hint_text = ("evm.project_performance(portfolio, month) has a 'cpi' column, one row per "
                 "project; .idxmin() gives the row label (the project ID) of its smallest value.")
    solution_code = 'evm.project_performance(portfolio, month)["cpi"].idxmin()'

    def __init__(self, portfolio: Portfolio, month=None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.prompt = (f"Which project has the lowest cost performance index (CPI) at the "
                       f"{self.month} status?")

    def _performance(self) -> pd.DataFrame:
        return evm.project_performance(self.portfolio, self.month)

    def _expected(self) -> str:
        return str(self._performance()["cpi"].idxmin())

    def _accepted(self) -> set[str]:
        perf = self._performance()
        lowest = perf.index[np.isclose(perf["cpi"], perf["cpi"].min())]
        return {str(p) for p in lowest} | {str(perf.at[p, "name"]) for p in lowest}

    def _advice(self, answer):
        perf = self._performance()
        norm = self._norm(answer)
        ids = {self._norm(p): p for p in perf.index} | {
            self._norm(n): p for p, n in perf["name"].items()}
        if norm not in ids:
            return "That is not a project of the portfolio; use an ID from the table."
        if ids[norm] == perf["cpi"].idxmax():
            return "That project has the highest CPI; look for the lowest."
        if ids[norm] == perf["spi"].idxmin():
            return "That project has the lowest SPI (schedule); the question is about cost."
        return None


def questions(portfolio: Portfolio, month=None):
    """The four questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of question 4 (default: the latest).

    Returns
    -------
    tuple of Question
        ``(FenceCPI, FenceEAC("cpi"), FenceEarnedSchedule, LowestCPIProject)``.
    """
    return (FenceCPI(), FenceEAC("cpi"), FenceEarnedSchedule(),
            LowestCPIProject(portfolio, month))
