"""The errors PMO Kit raises, all in one place (as networkx keeps its ``exception.py``).

Every error is a :class:`PMOError`, so a notebook or script can catch them all with one
``except PMOError``. Messages say what a user needs to fix the problem: the file, the row
number (as a spreadsheet shows it: the header is row 1, the first data row is row 2), the
ID at fault and, where there is a closed list, the valid options.

Hierarchy::

    PMOError
    ├── DataValidationError        bad content in a data file (also a ValueError)
    │   ├── MissingDataError       a missing file or required column
    │   ├── UnknownReferenceError  a reference to an unknown ID (a link to an unknown task, ...)
    │   └── InfeasibleError        constraints no selection can meet (mandatory projects over budget)
    ├── ScheduleError              a network that cannot be scheduled (cycles, ...)
    ├── ReportError                a report that cannot be produced (no status for the month, ...)
    └── MissingDependencyError     an optional dependency is not installed (also an ImportError)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataValidationError",
    "InfeasibleError",
    "MissingDataError",
    "MissingDependencyError",
    "PMOError",
    "Problem",
    "ReportError",
    "ScheduleError",
    "UnknownReferenceError",
]

#: How many problems one error message lists before summarising the rest.
_MAX_LISTED = 20


class PMOError(Exception):
    """Base class of every error raised by PMO Kit."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell or row of a data file.

    Attributes
    ----------
    file : str
        File name, e.g. ``"tasks.csv"``.
    row : int or None
        Row number as a spreadsheet shows it (header = 1, first data row = 2);
        None when the problem concerns the whole file.
    id : str or None
        The ID of the entity on that row (task ID, link ``pred->succ``, ...).
    column : str or None
        The column at fault.
    message : str
        What is wrong, in plain words.
    sheet : str or None
        The sheet of a workbook at fault (Excel files), after the file name.
    """

    file: str
    row: int | None
    id: str | None
    column: str | None
    message: str
    sheet: str | None = None

    #: How the message names the entity (a subclass may say "task") and whether it names
    #: the column; class attributes, not fields.
    _id_word = "ID"
    _show_column = True

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.id is not None:
            where.append(f"{self._id_word} {self.id!r}")
        if self.column is not None and self._show_column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class DataValidationError(PMOError, ValueError):
    """A data file has content PMO Kit cannot use.

    Parameters
    ----------
    problems : list of Problem
        Every problem found (validation is not stopped at the first one).
    """

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._format())

    def _format(self) -> str:
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        lines = [f"{n} problems in the data:"]
        lines += [f"  - {p}" for p in self.problems[:_MAX_LISTED]]
        if n > _MAX_LISTED:
            lines.append(f"  ... and {n - _MAX_LISTED} more")
        return "\n".join(lines)


class MissingDataError(DataValidationError):
    """A required file or a required column is missing."""


class UnknownReferenceError(DataValidationError):
    """A row refers to an ID that does not exist (e.g. a link to an unknown task)."""


class ScheduleError(PMOError):
    """A schedule network cannot be computed (a dependency cycle, an impossible constraint...)."""


class ReportError(PMOError):
    """A report cannot be produced (unknown data path, invalid month, no status data...)."""


class InfeasibleError(DataValidationError):
    """No selection meets the constraints: the mandatory candidates (and those they require)
    exclude each other, or exceed a budget or a role's capacity; the message names them."""


class MissingDependencyError(PMOError, ImportError):
    """An optional dependency is not installed; the message names the extra to install
    (e.g. ``pip install "pmo-kit[cpsat]"``)."""
