"""Exercises for the training notebooks: one object per question (Kaggle learntools style).

Each question is built on the data its notebook works with: a
:class:`~pmo_lib.model.Portfolio` (and usually a reporting month) for the portfolio questions
of :mod:`~pmo_lib.exercises.welcome`, a small task network (``tasks, links``; by default
:func:`~pmo_lib.exercises.scheduling.teaching_network`) for the scheduling questions of
:mod:`~pmo_lib.exercises.scheduling`. Every question offers three calls a learner can make
from a notebook cell:

``q.check(answer)``
    :class:`Feedback` that says *correct*, *incorrect* (with a nudge, never the expected
    value) or *not attempted* when the answer is still the placeholder ``...`` or ``None``.
``q.hint()``
    A hint, as :class:`Feedback`.
``q.solution()``
    The reference code, as :class:`Feedback` (the code, not the value).

The expected value is computed with ``pmo_lib`` from the data the question was built on
(:meth:`Question.solution_value`), so a question stays right when the data change. Numbers are
compared with a tolerance; text answers (IDs, names) without regard to case or surrounding
spaces; a collection of texts (:class:`SetQuestion`) as a set, in any order. Nothing is read or
computed when this package is imported.

One module per training notebook holds its questions: :mod:`~pmo_lib.exercises.welcome` for
``00_welcome_to_the_pmo``, :mod:`~pmo_lib.exercises.methodology` for
``01_methodologies_and_governance``, :mod:`~pmo_lib.exercises.scheduling` for
``02_scheduling_and_the_critical_path``, :mod:`~pmo_lib.exercises.earned_value` for
``03_earned_value_and_earned_schedule``, :mod:`~pmo_lib.exercises.risk` for
``04_risk_and_uncertainty``, :mod:`~pmo_lib.exercises.resources` for
``05_resources_and_levelling``, :mod:`~pmo_lib.exercises.portfolio` for
``06_portfolio_management``, :mod:`~pmo_lib.exercises.agile` for
``07_agile_delivery_metrics``.

Examples
--------
A question is a small subclass that says how to compute the expected value:

>>> from pmo_lib.exercises import NumberQuestion
>>> class TwoPlusTwo(NumberQuestion):
...     prompt = "What is 2 + 2?"
...     hint_text = "Count on your fingers."
...     solution_code = "2 + 2"
...     def _expected(self):
...         return 2 + 2
>>> q = TwoPlusTwo()
>>> q.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> q.check(4.0)
Correct!
>>> bool(q.check(5))
False

References
----------
Kaggle, *learntools*: the exercise checking framework of Kaggle Learn,
https://github.com/Kaggle/learntools.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = [
    "FEEDBACK_KINDS",
    "PLACEHOLDERS",
    "ChoiceQuestion",
    "Feedback",
    "NumberQuestion",
    "Question",
    "SetQuestion",
    "is_placeholder",
]

#: The kinds of :class:`Feedback` a question gives.
FEEDBACK_KINDS = ("correct", "incorrect", "not attempted", "hint", "solution")

#: Answers that mean "not attempted yet": the placeholders the notebooks put in answer cells.
PLACEHOLDERS = (Ellipsis, None)

_TITLES = {"correct": "Correct!", "incorrect": "Not quite.", "not attempted": "Not attempted:",
           "hint": "Hint:", "solution": "Solution:"}
_COLOURS = {"correct": "#2e7d32", "incorrect": "#c62828", "not attempted": "#616161",
            "hint": "#1565c0", "solution": "#6a1b9a"}


@dataclass(frozen=True)
class Feedback:
    """What a question says back: the result of a check, a hint or a solution.

    Shown as plain text (``repr``) in a console and as a coloured box in a notebook
    (``_repr_html_``). It is true only when the answer was correct, so a test or a notebook
    cell can write ``assert q.check(answer)``.

    Attributes
    ----------
    kind : str
        One of :data:`FEEDBACK_KINDS`.
    text : str
        The message (empty for a plain "Correct!").
    code : bool
        True when ``text`` is code (a solution), shown in a monospace block.
    """

    kind: str
    text: str = ""
    code: bool = False

    def __post_init__(self):
        if self.kind not in FEEDBACK_KINDS:
            raise ValueError(f"unknown feedback kind {self.kind!r}; use one of "
                             f"{', '.join(FEEDBACK_KINDS)}")

    @property
    def correct(self) -> bool:
        """True when the checked answer was correct."""
        return self.kind == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        if not self.text:
            return _TITLES[self.kind]
        sep = "\n" if self.code else " "
        return f"{_TITLES[self.kind]}{sep}{self.text}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.kind]
        body = html.escape(self.text)
        body = (f"<pre style='margin:0.3em 0 0 0'>{body}</pre>" if self.code
                else f" {body}" if body else "")
        return (f"<div style='border-left:4px solid {colour}; padding:0.3em 0.8em; "
                f"margin:0.2em 0'><span style='color:{colour}; font-weight:bold'>"
                f"{html.escape(_TITLES[self.kind])}</span>{body}</div>")


def is_placeholder(answer: Any) -> bool:
    """True when ``answer`` is an untouched placeholder (``...`` or ``None``).

    Examples
    --------
    >>> is_placeholder(...), is_placeholder(None), is_placeholder(0)
    (True, True, False)
    """
    return any(answer is p for p in PLACEHOLDERS)


def _kind_of(answer: Any) -> str:
    """A short plain-words name of the type of ``answer`` for feedback messages."""
    if isinstance(answer, pd.DataFrame):
        return "a table (DataFrame)"
    if isinstance(answer, pd.Series):
        return "a column (Series)"
    if isinstance(answer, (list, tuple, set, np.ndarray, pd.Index)):
        return f"a collection ({type(answer).__name__})"
    if isinstance(answer, str):
        return f"text ({answer!r})"
    if isinstance(answer, numbers.Number) and not isinstance(answer, bool):
        return f"a number ({_show(answer)})"
    return f"a value of type {type(answer).__name__}"


def _show(answer: Any) -> str:
    """``answer`` as a learner would type it (``5``, ``0.93``, ``'P1'``), for messages."""
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        value = float(answer)
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return repr(answer)


class Question:
    """Base class of an exercise question.

    A subclass sets the class attributes :attr:`prompt`, :attr:`hint_text` and
    :attr:`solution_code`, and implements ``_expected()`` (the reference value, computed with
    ``pmo_lib``) and ``_compare(answer, expected)``. It may implement ``_advice(answer)`` to
    return a nudge for a known wrong answer, or ``_wrong_type(answer)`` to reject an answer of
    the wrong kind with a message. The expected value is computed once, on first use.

    Attributes
    ----------
    prompt : str
        The question, in plain words.
    hint_text : str
        What :meth:`hint` says.
    solution_code : str
        The reference code :meth:`solution` shows; it uses the names the notebook uses.
    answer_format : str
        What kind of answer is expected, e.g. ``"a whole number"``.
    """

    prompt: str = ""
    hint_text: str = ""
    solution_code: str = ""
    answer_format: str = "a value"

    _UNSET: ClassVar[object] = object()

    def __init__(self):
        self._cache: Any = Question._UNSET

    # -- what subclasses provide --------------------------------------------------------
    def _expected(self) -> Any:
        raise NotImplementedError

    def _compare(self, answer: Any, expected: Any) -> bool:
        raise NotImplementedError

    def _wrong_type(self, answer: Any) -> str | None:
        """A message when ``answer`` is not the right kind of value, else None."""
        return None

    def _advice(self, answer: Any) -> str | None:
        """A nudge for a known wrong answer (never revealing the expected value), else None."""
        return None

    # -- the learner's calls --------------------------------------------------------------
    def solution_value(self) -> Any:
        """The reference answer, computed with ``pmo_lib`` (for tests and instructors)."""
        if self._cache is Question._UNSET:
            self._cache = self._expected()
        return self._cache

    def check(self, answer: Any) -> Feedback:
        """Check an answer.

        Parameters
        ----------
        answer
            The learner's answer; ``...`` or ``None`` mean not attempted yet.

        Returns
        -------
        Feedback
            ``correct``, ``incorrect`` (with a nudge) or ``not attempted``. The expected value
            is never part of the message.
        """
        if is_placeholder(answer):
            shown = "..." if answer is Ellipsis else "None"
            return Feedback("not attempted", f"replace the placeholder {shown} with your "
                            "answer, then run the cell again.")
        problem = self._wrong_type(answer)
        if problem is not None:
            return Feedback("incorrect", f"{problem} The answer should be "
                            f"{self.answer_format}.")
        if self._compare(answer, self.solution_value()):
            return Feedback("correct")
        advice = self._advice(answer)
        text = f"{_show(answer)} is not the answer."
        text += f" {advice}" if advice else " Try again, or call .hint() for a hint."
        return Feedback("incorrect", text)

    def hint(self) -> Feedback:
        """A hint towards the answer."""
        return Feedback("hint", self.hint_text)

    def solution(self) -> Feedback:
        """The reference code (run it to see the value)."""
        return Feedback("solution", self.solution_code, code=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {self.prompt} (answer: {self.answer_format})"

    def _repr_html_(self) -> str:
        return (f"<div style='border-left:4px solid #1565c0; padding:0.3em 0.8em'>"
                f"<b>{html.escape(type(self).__name__)}.</b> {html.escape(self.prompt)} "
                f"<i>(answer: {html.escape(self.answer_format)})</i></div>")


class NumberQuestion(Question):
    """A question whose answer is a number, compared with a tolerance.

    The answer is correct when ``math.isclose(answer, expected, rel_tol=rel_tol,
    abs_tol=abs_tol)``. Counts use the defaults, so ``3`` and ``3.0`` are both right and
    ``3.2`` is not.

    Attributes
    ----------
    rel_tol, abs_tol : float
        Relative and absolute tolerances (see :func:`math.isclose`).
    """

    answer_format = "a number"
    rel_tol: ClassVar[float] = 1e-6
    abs_tol: ClassVar[float] = 1e-9

    def _wrong_type(self, answer):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            extra = (" Pick a single value, e.g. with len(...), .sum() or .iloc[0]."
                     if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index, np.ndarray,
                                            list, tuple, set)) else "")
            return f"Your answer is {_kind_of(answer)}, not a number.{extra}"
        if not math.isfinite(float(answer)):
            return f"Your answer is {answer!r}, not a finite number."
        return None

    def _compare(self, answer, expected):
        return math.isclose(float(answer), float(expected), rel_tol=self.rel_tol,
                            abs_tol=self.abs_tol)


class ChoiceQuestion(Question):
    """A question whose answer is one text among several (an ID or a name).

    ``_expected()`` returns the reference answer (e.g. a project ID); ``_accepted()`` returns
    every text accepted as right (by default just that one; e.g. also the project's name, or
    every project of a tie). Text is compared without regard to case or surrounding spaces.
    """

    answer_format = "a text, e.g. an ID"

    @staticmethod
    def _norm(text: str) -> str:
        return " ".join(str(text).split()).casefold()

    def _accepted(self) -> set[str]:
        return {self.solution_value()}

    def _wrong_type(self, answer):
        if not isinstance(answer, str):
            extra = (" Pick a single value, e.g. with .idxmax() or .iloc[0]."
                     if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index, np.ndarray,
                                            list, tuple, set)) else "")
            return f"Your answer is {_kind_of(answer)}, not a text.{extra}"
        return None

    def _compare(self, answer, expected):
        return self._norm(answer) in {self._norm(e) for e in self._accepted()}


class SetQuestion(Question):
    """A question whose answer is a collection of texts (IDs), in any order.

    ``_expected()`` returns the reference collection. The answer may be a list, tuple, set,
    array, Index or a Series of texts; it is compared as a set, each text without regard to
    case or surrounding spaces, so ``["A", "B"]``, ``("b", "a")`` and ``{"A", "B", "A"}`` are
    the same answer. A wrong answer gets a nudge that says whether items are missing or extra,
    never which ones.

    Examples
    --------
    >>> class Primary(SetQuestion):
    ...     prompt = "Which colours are primary?"
    ...     def _expected(self):
    ...         return ["red", "yellow", "blue"]
    >>> q = Primary()
    >>> bool(q.check(["Blue", "red", "yellow"]))
    True
    >>> q.check(["red", "blue"])
    Not quite. ['red', 'blue'] is not the answer. Every item you listed is right, but some are missing.
    """

    answer_format = 'a list of texts, e.g. ["A", "B"]'

    @staticmethod
    def _items(answer) -> set[str]:
        return {ChoiceQuestion._norm(v) for v in answer}

    def _wrong_type(self, answer):
        if isinstance(answer, pd.DataFrame):
            return ("Your answer is a table (DataFrame), not a list. Keep its row labels, "
                    "e.g. with .index.")
        if isinstance(answer, pd.Series) and pd.api.types.is_bool_dtype(answer):
            return ("Your answer is a column of True/False values. Keep the labels where it "
                    "is True, e.g. with table.index[column].")
        if isinstance(answer, str) or not isinstance(
                answer, (list, tuple, set, frozenset, np.ndarray, pd.Index, pd.Series)):
            return f"Your answer is {_kind_of(answer)}, not a list."
        return None

    def _compare(self, answer, expected):
        return self._items(answer) == self._items(expected)

    def _advice(self, answer):
        given, expected = self._items(answer), self._items(self.solution_value())
        if not given:
            return "Your list is empty."
        if given < expected:
            return "Every item you listed is right, but some are missing."
        if given > expected:
            return "Every right item is there, but some you listed do not belong."
        return None
