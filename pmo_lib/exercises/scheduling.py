"""Exercises of training notebook ``02_scheduling_and_the_critical_path``: CPM by hand.

The questions are about a small teaching network, :func:`teaching_network`: moving a team to
a new office, eight tasks and ten links (one of them start-to-start with a lag). The notebook
builds its tables from the same function, so what the learner sees and what the checks
expect cannot drift apart. Every expected value is computed with :func:`pmo_lib.schedule.cpm`.

1. :class:`ProjectDuration`: how many working days does the project take?
2. :class:`TotalFloat`: the total float of a task (default ``"C"``).
3. :class:`FreeFloat`: the free float of a task (default ``"C"``).
4. :class:`CriticalTasks`: which tasks are critical? (a list of IDs)
5. :class:`EarlyStart`: the early start of a task (default ``"E"``, which follows its
   predecessor through a start-to-start link with a lag).

Build them one by one (``q1 = scheduling.ProjectDuration()``) or all at once with
:func:`questions`; each takes the network as ``tasks, links`` (default: the teaching network).
The solutions use the names the notebook uses: ``tasks``, ``links`` and
``from pmo_lib import schedule``.

Examples
--------
>>> from pmo_lib.exercises import scheduling
>>> tasks, links = scheduling.teaching_network()
>>> len(tasks), len(links)
(8, 10)
>>> q1, q2, q3, q4, q5 = scheduling.questions()
>>> q1.check(...)
Not attempted: replace the placeholder ... with your answer, then run the cell again.
>>> all(q.check(q.solution_value()) for q in (q1, q2, q3, q4, q5))
True
>>> bool(q4.check(["A", "B"]))
False
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from .. import schedule
from ..errors import ScheduleError
from . import NumberQuestion, SetQuestion

__all__ = [
    "CriticalTasks",
    "EarlyStart",
    "FreeFloat",
    "ProjectDuration",
    "TotalFloat",
    "questions",
    "teaching_network",
]


def teaching_network() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The small network of the scheduling module: moving a team to a new office.

    Returns
    -------
    tasks : DataFrame
        ``id`` (``"A"`` .. ``"H"``), ``name``, ``duration`` [d], ``milestone`` (all False).
    links : DataFrame
        ``pred``, ``succ``, ``type`` (FS, one SS), ``lag`` [d].

    Notes
    -----
    The fit-out (D) and the move planning (E) overlap: planning starts three working days
    after the fit-out starts (SS + 3). Configuring the IT (F) needs both the equipment (C)
    and the layout (B). The critical path is A → B → D → G → H, 22 working days; C has a
    total float of 7 days but a free float of 1 (F waits for B anyway), F of 6, E of 5.

    Examples
    --------
    >>> tasks, links = teaching_network()
    >>> tasks[["id", "duration"]].T.to_numpy().tolist()
    [['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], [3, 5, 4, 8, 4, 2, 4, 2]]
    >>> links.query("type != 'FS'")
      pred succ type  lag
    5    D    E   SS  3.0
    """
    tasks = pd.DataFrame({
        "id": list("ABCDEFGH"),
        "name": ["Agree the requirements", "Design the layout", "Order the IT equipment",
                 "Fit out the office", "Plan the move", "Configure the IT equipment",
                 "Install IT and furniture", "Move in"],
        "duration": [3, 5, 4, 8, 4, 2, 4, 2],
        "milestone": False,
    })
    links = pd.DataFrame({
        "pred": ["A", "A", "B", "B", "C", "D", "D", "F", "G", "E"],
        "succ": ["B", "C", "D", "F", "F", "E", "G", "G", "H", "H"],
        "type": ["FS", "FS", "FS", "FS", "FS", "SS", "FS", "FS", "FS", "FS"],
        "lag": [0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0],
    })
    return tasks, links


class _NetworkQuestion:
    """Mixin: a question on a network ``tasks, links`` (default: the teaching network)."""

    def _init_network(self, tasks, links, task=None):
        if tasks is None and links is None:
            tasks, links = teaching_network()
        elif tasks is None or links is None:
            raise ScheduleError("give both tasks and links, or neither (the teaching network)")
        self.tasks, self.links = tasks, links
        if task is not None:
            ids = tasks["id"].astype(str).tolist()
            if str(task) not in ids:
                raise ScheduleError(f"unknown task {task!r}; the network's tasks are "
                                    f"{', '.join(ids)}")
            self.task = str(task)

    def _schedule(self) -> pd.DataFrame:
        return schedule.cpm(self.tasks, self.links)

    def _name(self, task: str) -> str:
        names = self.tasks.set_index(self.tasks["id"].astype(str))
        return str(names.at[task, "name"]) if "name" in names else task


class _TaskValueQuestion(_NetworkQuestion, NumberQuestion):
    """A number of one task: its value in the column :attr:`column` of ``schedule.cpm``."""

    column: ClassVar[str]
    answer_format = "a number of working days"

    def __init__(self, task: str, tasks=None, links=None):
        super().__init__()
        self._init_network(tasks, links, task)
        self.prompt = self._prompt()
        self.solution_code = f'schedule.cpm(tasks, links).loc["{self.task}", "{self.column}"]'

    def _prompt(self) -> str:
        return (f"What is the {self.column.replace('_', ' ')} of task {self.task} "
                f"({self._name(self.task)}), in working days?")

    def _expected(self) -> float:
        return float(self._schedule().at[self.task, self.column])


class ProjectDuration(_NetworkQuestion, NumberQuestion):
    """How many working days does the whole project take (its early finish)?

    Parameters
    ----------
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).
    """

    prompt = "How many working days does the project take, from the first task to the last?"
    answer_format = "a number of working days"
    hint_text = ("Run the forward pass: schedule.cpm(tasks, links) gives each task's "
                 "early_finish; the project ends when its last task finishes.")
    solution_code = 'schedule.cpm(tasks, links)["early_finish"].max()'

    def __init__(self, tasks=None, links=None):
        super().__init__()
        self._init_network(tasks, links)

    def _expected(self) -> float:
        return float(self._schedule()["early_finish"].max())

    def _advice(self, answer):
        if answer == self.tasks["duration"].sum():
            return ("That is the sum of every duration, as if the tasks ran one after the "
                    "other. Tasks on different branches run at the same time: follow the "
                    "longest chain.")
        if answer == self.solution_value() - 1:
            return ("Close: count the days worked. A task of 3 days starting on day 0 "
                    "finishes at the end of day 2, so its early finish is 0 + 3 = 3.")
        return None


class TotalFloat(_TaskValueQuestion):
    """The total float of a task: how far it can slip without delaying the project.

    Parameters
    ----------
    task : str
        Task ID (default ``"C"``).
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).
    """

    column = "total_float"
    hint_text = ("Total float = late finish − early finish (or late start − early start). "
                 "You need both passes: schedule.cpm(tasks, links) gives them.")

    def __init__(self, task: str = "C", tasks=None, links=None):
        super().__init__(task, tasks, links)

    def _advice(self, answer):
        row = self._schedule().loc[self.task]
        if answer == row["free_float"] and row["free_float"] != row["total_float"]:
            return ("That is the free float: how far the task can slip without delaying its "
                    "successors. Total float asks about the end of the whole project.")
        if answer == -row["total_float"]:
            return "Check the sign: float is late minus early, never negative here."
        return None


class FreeFloat(_TaskValueQuestion):
    """The free float of a task: how far it can slip without delaying any successor.

    Parameters
    ----------
    task : str
        Task ID (default ``"C"``).
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).
    """

    column = "free_float"
    hint_text = ("Free float = the earliest early start of the task's successors minus the "
                 "task's early finish (for finish-to-start links without lag). The "
                 "free_float column of schedule.cpm(tasks, links) has it.")

    def __init__(self, task: str = "C", tasks=None, links=None):
        super().__init__(task, tasks, links)

    def _advice(self, answer):
        row = self._schedule().loc[self.task]
        if answer == row["total_float"] and row["free_float"] != row["total_float"]:
            return ("That is the total float (delay to the project's end). Free float asks "
                    "how far the task can slip before its own successors have to move.")
        return None


class CriticalTasks(_NetworkQuestion, SetQuestion):
    """Which tasks are critical (zero total float)?

    Parameters
    ----------
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).
    """

    prompt = ("Which tasks are critical? Answer with the list of their IDs, "
              'e.g. ["A", "C"], in any order.')
    answer_format = 'a list of task IDs, e.g. ["A", "C"]'
    hint_text = ("A task is critical when its total float is zero: any delay to it delays "
                 "the project. schedule.cpm(tasks, links) has a 'critical' column of "
                 "True/False; s.index[s['critical']] keeps the IDs where it is True.")
    solution_code = ('s = schedule.cpm(tasks, links)\n'
                     'list(s.index[s["critical"]])')

    def __init__(self, tasks=None, links=None):
        super().__init__()
        self._init_network(tasks, links)

    def _expected(self) -> list[str]:
        s = self._schedule()
        return list(s.index[s["critical"]])

    def _advice(self, answer):
        advice = super()._advice(answer)
        if advice and "missing" in advice:
            advice += " Remember the first and the last task."
        if advice and "do not belong" in advice:
            advice += (" A task with even one day of total float is not critical, however "
                       "long it is.")
        return advice


class EarlyStart(_TaskValueQuestion):
    """The early start of a task (default ``"E"``, after a start-to-start link with a lag).

    Parameters
    ----------
    task : str
        Task ID (default ``"E"``).
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).
    """

    column = "early_start"
    answer_format = "a working-day offset (day 0 = the project's first day)"
    hint_text = ("Start-to-start with lag L: the successor may start L days after its "
                 "predecessor STARTS (not finishes). Early start = predecessor's early "
                 "start + L, unless another link pushes it later.")

    def __init__(self, task: str = "E", tasks=None, links=None):
        super().__init__(task, tasks, links)

    def _prompt(self) -> str:
        into = self.links[self.links["succ"].astype(str) == self.task]
        how = ", ".join(f"{r.type} from {r.pred}" + (f" with lag {r.lag:g}" if r.lag else "")
                        for r in into.itertuples())
        return (f"What is the early start of task {self.task} ({self._name(self.task)};"
                f" links in: {how or 'none'}), as a working-day offset?")

    def _advice(self, answer):
        s = self._schedule()
        into = self.links[self.links["succ"].astype(str) == self.task]
        for r in into.itertuples():
            pred = str(r.pred)
            lag = float(r.lag) if pd.notna(r.lag) else 0.0
            if r.type == "SS" and answer == s.at[pred, "early_finish"] + lag:
                return ("That counts the lag from the predecessor's finish (finish-to-start)."
                        " Start-to-start counts it from the predecessor's start.")
            if r.type == "SS" and lag and answer == s.at[pred, "early_start"] and \
                    answer != self.solution_value():
                return "Do not forget the lag."
        return None


def questions(tasks=None, links=None):
    """The five questions of the notebook, in order.

    Parameters
    ----------
    tasks, links : DataFrame, optional
        The network (default: :func:`teaching_network`).

    Returns
    -------
    tuple of Question
        ``(ProjectDuration, TotalFloat("C"), FreeFloat("C"), CriticalTasks,
        EarlyStart("E"))``.
    """
    return (ProjectDuration(tasks, links), TotalFloat("C", tasks, links),
            FreeFloat("C", tasks, links), CriticalTasks(tasks, links),
            EarlyStart("E", tasks, links))
