"""Exercises of training notebook ``00_welcome_to_the_pmo``: a first look at a portfolio.

Three questions, each built on a :class:`~pmo_lib.model.Portfolio` and (for the last two) a
reporting month:

1. :class:`ProjectCount`: how many projects does the portfolio hold?
2. :class:`LargestBudget`: which project has the largest budget at completion (BAC)?
3. :class:`RedProjectCount`: how many projects are red at the month?

Build them one by one (``q1 = welcome.ProjectCount(portfolio)``) or all at once with
:func:`questions`. The solutions use the names the notebook uses: ``portfolio``, ``month`` and
``from pmo_lib import evm``.

Examples
--------
>>> from pmo_lib import SAMPLE_DATA, load_portfolio
>>> from pmo_lib.exercises import welcome
>>> q1, q2, q3 = welcome.questions(load_portfolio(SAMPLE_DATA))
>>> q1.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> all(q.check(q.solution_value()) for q in (q1, q2, q3))
True
>>> bool(q1.check(-1))
False
"""

from __future__ import annotations

import pandas as pd

from .. import evm
from ..model import Portfolio, parse_month
from . import ChoiceQuestion, NumberQuestion

__all__ = ["LargestBudget", "ProjectCount", "RedProjectCount", "questions"]


def _month(portfolio: Portfolio, month) -> pd.Period:
    """``month`` as a Period (the latest status month when None); raises if it has no status."""
    month = portfolio.latest_month if month is None else parse_month(month)
    portfolio.status_date(month)  # a clear MissingDataError when the month has no snapshot
    return month


class ProjectCount(NumberQuestion):
    """How many projects does the portfolio hold?

    Parameters
    ----------
    portfolio : Portfolio
    """

    prompt = "How many projects does the portfolio hold?"
    answer_format = "a whole number"
    hint_text = ("Each project is one row of the projects table, portfolio.projects; "
                 "len(...) counts the rows of a table.")
    solution_code = "len(portfolio.projects)"

    def __init__(self, portfolio: Portfolio):
        super().__init__()
        self.portfolio = portfolio

    def _expected(self) -> int:
        return len(self.portfolio.projects)

    def _advice(self, answer):
        pf = self.portfolio
        if answer == pf.projects["programme"].nunique():
            return "That is the number of programmes; count the projects inside them."
        if answer == len(pf.tasks):
            return "That is the number of tasks; count the projects (one row each)."
        return None


class LargestBudget(ChoiceQuestion):
    """Which project has the largest budget at completion (BAC)?

    BAC is the total baseline budget of a project's tasks (the performance measurement
    baseline), as :func:`pmo_lib.evm.project_performance` reports it. The project's ID and its
    name are both accepted; when projects tie, each of them is.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        A month with status data (default: the latest); BAC does not depend on it.
    """

    hint_text = ("evm.project_performance(portfolio, month) has one row per project and a "
                 "'bac' column; .idxmax() gives the row label (the project ID) of the "
                 "largest value.")
    solution_code = 'evm.project_performance(portfolio, month)["bac"].idxmax()'

    def __init__(self, portfolio: Portfolio, month=None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.prompt = ("Which project has the largest budget at completion (BAC)? "
                       "Answer with its ID.")
        example = portfolio.projects["id"].iloc[0] if len(portfolio.projects) else "P1"
        self.answer_format = f"a project ID such as {example!r}, or the project's name"

    def _bac(self) -> pd.Series:
        return evm.project_performance(self.portfolio, self.month)["bac"]

    def _expected(self) -> str:
        return str(self._bac().idxmax())

    def _accepted(self) -> set[str]:
        bac = self._bac()
        top = bac.index[bac == bac.max()]
        names = self.portfolio.projects.set_index("id")["name"]
        return {str(i) for i in top} | {str(names[i]) for i in top}

    def _advice(self, answer):
        projects = self.portfolio.projects
        key = self._norm(answer)
        match = projects[(projects["id"].map(self._norm) == key)
                         | (projects["name"].map(self._norm) == key)]
        if match.empty:
            return "No project has that ID or name; the IDs are in portfolio.projects['id']."
        approved = projects.set_index("id")["budget"]
        if match["id"].iloc[0] in set(approved.index[approved == approved.max()]):
            return ("That project has the largest approved budget in the projects table, "
                    "which includes the management reserve. BAC is the sum of the task "
                    "budgets: look at the 'bac' column of evm.project_performance.")
        return "That project's BAC is not the largest. Try again, or call .hint()."


class RedProjectCount(NumberQuestion):
    """How many projects are red at the month?

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        A month with status data (default: the latest).
    thresholds : RagThresholds, optional
        RAG thresholds (default: :class:`pmo_lib.evm.RagThresholds`).
    """

    answer_format = "a whole number"
    hint_text = ("evm.project_performance(portfolio, month) has a 'rag' column; compare it "
                 "with \"red\" and .sum() the True values.")
    solution_code = '(evm.project_performance(portfolio, month)["rag"] == "red").sum()'

    def __init__(self, portfolio: Portfolio, month=None,
                 thresholds: evm.RagThresholds | None = None):
        super().__init__()
        self.portfolio = portfolio
        self.month = _month(portfolio, month)
        self.thresholds = thresholds
        self.prompt = f"How many projects are red at the {self.month} status?"

    def _rag(self) -> pd.Series:
        return evm.project_performance(self.portfolio, self.month, self.thresholds)["rag"]

    def _expected(self) -> int:
        return int((self._rag() == "red").sum())

    def _advice(self, answer):
        counts = self._rag().value_counts()
        if answer == counts.get("amber", 0):
            return "That is the number of amber projects; count the red ones."
        if answer == counts.get("red", 0) + counts.get("amber", 0):
            return "That counts the amber projects too; count only the red ones."
        return None


def questions(portfolio: Portfolio, month=None,
              thresholds: evm.RagThresholds | None = None):
    """The three questions of the notebook, in order.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        The status month of questions 2 and 3 (default: the latest).
    thresholds : RagThresholds, optional
        RAG thresholds of question 3.

    Returns
    -------
    tuple of Question
        ``(ProjectCount, LargestBudget, RedProjectCount)``.
    """
    return (ProjectCount(portfolio), LargestBudget(portfolio, month),
            RedProjectCount(portfolio, month, thresholds))
