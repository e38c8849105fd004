"""Dependency analysis: the task network as a graph, driving logic, what-if delays and the
dependencies between projects.

The schedule engine (:mod:`pmo_lib.schedule`) says *when* each task happens; this module says
*why*: which tasks depend on which (:func:`dependency_graph`), which projects depend on which
(:func:`project_graph`), which predecessor sets each task's date (:func:`driving_predecessors`,
:func:`driving_chain`) and what a delay to one task does to the rest of the portfolio
(:func:`impact`). Graphs are :mod:`networkx` directed graphs whose nodes are task ids (or
project ids), so every networkx algorithm (ancestors, descendants, paths, drawing) applies.

Driving links
-------------
A link is *driving* when its slack is zero: the successor's early date is set by it, so any
slip of the predecessor moves the successor day for day (Primavera P6 calls these the driving
relationships; MS Project's Task Inspector lists them as "predecessor tasks driving the start").
The slack of a link is the relationship free float of :func:`pmo_lib.schedule.link_slack`
[d]. A task can have several driving predecessors (a *tie*): each of them alone would set the
same date, so each must slip before the task moves.

Cross-project dependencies
--------------------------
A *cross-project link* is a link whose predecessor and successor belong to different
projects: project B waits on a deliverable or handover of project A (the Standard for
Program Management calls these component interdependencies, to be tracked by the programme
or portfolio office). :func:`dependency_map` lists them with, for each one:

* the predecessor's *driving end*: its finish for FS and FF links, its start for SS and SF
  (a milestone's start is its finish), at its baseline and forecast dates;
* the successor's *need date*: the latest date the predecessor's driving end can occur
  without pushing the successor past its baseline. In working-day offsets (a start offset is
  the morning of a working day, a finish offset is exclusive, as in :mod:`pmo_lib.schedule`),
  with the successor's baseline start ``BS_s`` and finish ``BF_s`` and the lag ``L``:
  FS ``need = BS_s − L`` (a finish), SS ``BS_s − L`` (a start), FF ``BF_s − L`` (a finish),
  SF ``BF_s − L`` (a start), each the mirror of the link's forward-pass bound;
* the *margin*: the working days from the driving end's forecast date to the need date on
  the portfolio calendar [d] (negative = the predecessor is forecast too late for the
  successor's baseline): P6's relationship free float with the successor held at its
  baseline dates instead of its early dates (``slack`` is the relationship free float
  against the forecast itself);
* a status (:data:`LINK_STATUSES`): ``"done"`` when the driving end has happened at the
  status month (the predecessor is complete; for a start end, it has started), else
  ``"late"`` (margin < 0), ``"at risk"`` (0 ≤ margin ≤ the ``margin`` threshold) or
  ``"on track"``.

:func:`project_dependencies` sums the map up per pair of projects, :func:`links_at_risk`
keeps the late and at-risk links worst first, and :func:`slip_impact` reschedules the
portfolio with each open handover ``days`` late (:func:`impact`) to show which projects
slip, and by how much.

References
----------
PMI, *Practice Standard for Scheduling*, 3rd ed., 2019 (driving relationships, float).
PMI, *The Standard for Program Management*, 4th ed., 2017 (component interdependencies).
PMI, *A Guide to the Project Management Body of Knowledge (PMBOK Guide)*, 6th ed., 2017,
§6.3 (external dependencies between projects).
Oracle, *Primavera P6 Professional: Driving relationships and the longest path*;
*Relationship free float and relationship total float*.
Hagberg, Schult & Swart, "Exploring network structure, dynamics, and function using
NetworkX", SciPy 2008.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd

from ._util import require_columns
from .errors import DataValidationError, Problem, UnknownReferenceError
from .model import Portfolio, parse_month
from .schedule import link_slack, schedule_portfolio

__all__ = [
    "DEPENDENCY_COLUMNS",
    "DRIVERS",
    "LINK_STATUSES",
    "TIE_RULES",
    "ImpactResult",
    "SlipImpact",
    "dependency_graph",
    "dependency_map",
    "driving_chain",
    "driving_predecessors",
    "impact",
    "links_at_risk",
    "project_dependencies",
    "project_graph",
    "slip_impact",
]

#: Values of ``driving_predecessors(...)["driven_by"]``: what sets a task's early date.
DRIVERS = ("logic", "complete", "data date", "start or constraint")
#: How :func:`driving_chain` treats a task with several driving predecessors.
TIE_RULES = ("all", "first")
#: Status of a cross-project link (:func:`dependency_map`), worst first.
LINK_STATUSES = ("late", "at risk", "on track", "done")
#: Columns of :func:`dependency_map`, in order.
DEPENDENCY_COLUMNS = ("pred_project", "pred_task", "pred_name", "succ_project", "succ_task",
                      "succ_name", "type", "lag", "pred_end", "pred_status", "pred_baseline",
                      "pred_forecast", "need_date", "margin", "baseline_margin", "succ_end",
                      "succ_status", "succ_baseline", "succ_forecast", "slack", "status")

_EPS = 1e-6  # offsets are sums of (possibly fractional) durations: compare with a tolerance


# ----------------------------------------------------------------------------------------
# Graphs
# ----------------------------------------------------------------------------------------
def dependency_graph(portfolio: Portfolio) -> nx.DiGraph:
    """The task network as a directed graph, cross-project links included.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    networkx.DiGraph
        One node per task (its id) with attributes ``project_id``, ``name``, ``duration``
        [d] and ``milestone``; one edge per link ``pred → succ`` with attributes ``type``
        (FS, SS, FF, SF) and ``lag`` [d] (negative = lead).

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> g = dependency_graph(load_portfolio("tests/data/mini"))
    >>> list(g.edges("M1", data=True))
    [('M1', 'B1', {'type': 'FS', 'lag': 0.0})]
    >>> g.nodes["B1"]["project_id"], sorted(nx.ancestors(g, "B1"))
    ('P2', ['A1', 'A2', 'M1'])
    """
    tasks = portfolio.tasks
    attrs = pd.DataFrame({
        "project_id": tasks["project_id"].to_numpy(),
        "name": tasks["name"].to_numpy(),
        "duration": tasks["duration"].astype(float).to_numpy(),
        "milestone": tasks["milestone"].astype(bool).to_numpy(),
    })
    graph = nx.DiGraph(name=portfolio.name)
    graph.add_nodes_from(zip(tasks["id"], attrs.to_dict("records"), strict=True))
    links = portfolio.links
    edge_attrs = pd.DataFrame({"type": links["type"].to_numpy(),
                               "lag": links["lag"].astype(float).to_numpy()})
    graph.add_edges_from(zip(links["pred"], links["succ"], edge_attrs.to_dict("records"),
                             strict=True))
    return graph


def project_graph(portfolio: Portfolio) -> nx.DiGraph:
    """Which project depends on which: the cross-project links grouped by project pair.

    Parameters
    ----------
    portfolio : Portfolio

    Returns
    -------
    networkx.DiGraph
        One node per project (its id) with attributes ``name`` and ``programme``; an edge
        ``P → Q`` when a task of ``Q`` depends on a task of ``P``, with attributes ``links``
        (list of ``(pred, succ, type, lag)`` tuples, sorted) and ``count`` (how many).
        Links inside a project are not edges.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> g = project_graph(load_portfolio("tests/data/mini"))
    >>> dict(g.edges[("P1", "P2")])
    {'links': [('M1', 'B1', 'FS', 0.0)], 'count': 1}
    """
    projects = portfolio.projects
    graph = nx.DiGraph(name=portfolio.name)
    graph.add_nodes_from(
        (pid, {"name": name, "programme": programme}) for pid, name, programme in
        zip(projects["id"], projects["name"], projects["programme"], strict=True))
    owner = portfolio.tasks.set_index("id")["project_id"]
    links = portfolio.links.assign(
        pred_project=portfolio.links["pred"].map(owner).to_numpy(),
        succ_project=portfolio.links["succ"].map(owner).to_numpy(),
        lag=portfolio.links["lag"].astype(float),
    )
    cross = links[links["pred_project"] != links["succ_project"]].sort_values(["pred", "succ"])
    cross = cross.assign(link=list(zip(cross["pred"], cross["succ"], cross["type"],
                                       cross["lag"].map(float), strict=True)))
    for (p, q), group in cross.groupby(["pred_project", "succ_project"], sort=True):
        graph.add_edge(p, q, links=list(group["link"]), count=len(group))
    return graph


# ----------------------------------------------------------------------------------------
# Driving logic
# ----------------------------------------------------------------------------------------
def _unknown_task(task_id, known: pd.Index, where: str) -> UnknownReferenceError:
    close = difflib.get_close_matches(str(task_id), [str(k) for k in known], n=3,
                                        cutoff=0.5)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return UnknownReferenceError(Problem(
        "task_id", None, str(task_id), None, f"unknown task: it is not in {where}{hint}"))


def driving_predecessors(schedule: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """For each task, the predecessor(s) whose links drive its early date.

    Parameters
    ----------
    schedule : DataFrame
        The output of :func:`~pmo_lib.schedule.cpm` or
        :func:`~pmo_lib.schedule.schedule_portfolio` (indexed by task id).
    links : DataFrame
        The links the schedule was computed with (``pred``, ``succ``, ``type``, ``lag``).

    Returns
    -------
    DataFrame
        Indexed by task id, in the schedule's order, with columns

        ``predecessors``
            tuple of the driving predecessors' ids (links with zero slack), sorted;
        ``types``
            tuple of the link types of those links, in the same order;
        ``count``
            how many driving predecessors (int);
        ``tie``
            True when more than one predecessor drives the task;
        ``driven_by``
            what sets the task's early date (:data:`DRIVERS`): ``"logic"`` (a driving
            link), ``"complete"`` (its actual dates), ``"data date"`` (unfinished work
            resumes at the data date) or ``"start or constraint"`` (nothing in the network
            holds it: its project's start, a release date or a date constraint).

    Notes
    -----
    A link drives when its slack (:func:`~pmo_lib.schedule.link_slack`) is zero: FS
    ``ES_s − lag − EF_p``, SS ``ES_s − lag − ES_p``, FF ``EF_s − lag − EF_p``, SF
    ``EF_s − lag − ES_p``; for a started successor ``ES_s`` is where its remaining work
    resumes. Links into complete tasks never drive.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> from pmo_lib.schedule import schedule_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> d = driving_predecessors(schedule_portfolio(pf, "2026-01"), pf.links)
    >>> d[["predecessors", "driven_by"]]
       predecessors     driven_by
    id
    A1           ()      complete
    A2           ()     data date
    M1        (A2,)         logic
    B1        (M1,)         logic
    """
    slack = link_slack(schedule, links)
    drive = slack[slack["driving"]].sort_values(["succ", "pred"])
    preds = drive.groupby("succ", sort=False)["pred"].agg(tuple)
    types = drive.groupby("succ", sort=False)["type"].agg(tuple)
    ids = schedule.index.astype(str)
    out = pd.DataFrame({
        "predecessors": pd.Series([preds.get(i, ()) for i in ids], index=ids, dtype=object),
        "types": pd.Series([types.get(i, ()) for i in ids], index=ids, dtype=object),
    })
    out["count"] = out["predecessors"].map(len).astype(int)
    out["tie"] = out["count"] > 1
    status = schedule["status"].to_numpy() if "status" in schedule else \
        np.full(len(schedule), "not started", dtype=object)
    data_date = schedule.attrs.get("data_date")
    resumes = schedule["early_finish"].to_numpy(float) - schedule["remaining"].to_numpy(float) \
        if "remaining" in schedule else schedule["early_start"].to_numpy(float)
    at_data_date = (np.abs(resumes - data_date) < _EPS) if data_date is not None \
        else np.zeros(len(schedule), bool)
    out["driven_by"] = np.select(
        [out["count"].to_numpy() > 0, status == "complete", at_data_date],
        ["logic", "complete", "data date"], "start or constraint")
    out.index.name = "id"
    return out[["predecessors", "types", "count", "tie", "driven_by"]]


def driving_chain(schedule: pd.DataFrame, links: pd.DataFrame, task_id: str, *,
                  ties: str = "all") -> list[str]:
    """The chain of tasks that drives a task's date, from its origin to the task.

    Walks back from ``task_id`` along driving links (zero slack) until it reaches tasks with
    no driving predecessor (see :func:`driving_predecessors`, column ``driven_by``, for what
    holds those).

    Parameters
    ----------
    schedule : DataFrame
        The output of :func:`~pmo_lib.schedule.cpm` or
        :func:`~pmo_lib.schedule.schedule_portfolio`.
    links : DataFrame
        The links the schedule was computed with.
    task_id : str
        The task whose date is explained.
    ties : {"all", "first"}
        At a task with several driving predecessors (a tie): ``"all"`` (default) follows
        every one of them, so the result is every task that drives ``task_id`` directly or
        indirectly; ``"first"`` follows only the tied predecessor with the smallest id, giving
        a single chain. Ties are listed by ``driving_predecessors(...)["tie"]``.

    Returns
    -------
    list of str
        Task ids in topological order (a task after all the tasks that drive it; tasks
        unordered by logic sorted by early start, then id), ending with ``task_id``. Just
        ``[task_id]`` when nothing drives it.

    Raises
    ------
    UnknownReferenceError
        ``task_id`` is not in the schedule (the message suggests close ids).
    DataValidationError
        ``ties`` is not one of :data:`TIE_RULES`.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> from pmo_lib.schedule import schedule_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> driving_chain(schedule_portfolio(pf), pf.links, "B1")
    ['A1', 'A2', 'M1', 'B1']
    """
    if ties not in TIE_RULES:
        raise DataValidationError(Problem("ties", None, None, None,
                                          f"unknown tie rule {ties!r}; use one of "
                                          f"{', '.join(TIE_RULES)}"))
    ids = schedule.index.astype(str)
    if str(task_id) not in set(ids):
        raise _unknown_task(task_id, ids, "the schedule")
    task_id = str(task_id)
    slack = link_slack(schedule, links)
    drive = slack[slack["driving"]]
    graph = nx.DiGraph()
    graph.add_node(task_id)
    if ties == "first":
        first = drive.sort_values(["succ", "pred"]).drop_duplicates("succ")
        graph.add_edges_from(zip(first["pred"], first["succ"], strict=True))
    else:
        graph.add_edges_from(zip(drive["pred"], drive["succ"], strict=True))
    keep = nx.ancestors(graph, task_id) | {task_id}
    sub = graph.subgraph(keep)
    early = schedule["early_start"].set_axis(ids)
    return list(nx.lexicographical_topological_sort(
        sub, key=lambda v: (float(early[v]), v)))


# ----------------------------------------------------------------------------------------
# What-if delay
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ImpactResult:
    """What a delay to one task does to the portfolio (see :func:`impact`).

    Attributes
    ----------
    task_id : str
        The delayed task.
    delay_days : float
        The delay added to its (remaining) duration. [d]
    month : Period or None
        The status month the portfolio was scheduled at (None: the plan, no progress).
    tasks : DataFrame
        Every task whose early finish moved, indexed by id: ``project_id``, ``name``,
        ``milestone``, ``finish_before``, ``finish_after`` (dates) and ``moved_by`` [d]
        (working days, > 0 = later), sorted by ``finish_before`` then id.
    milestones : DataFrame
        The rows of ``tasks`` that are milestones.
    projects : DataFrame
        Every project, indexed by id: ``name``, ``finish_before``, ``finish_after`` (dates of
        the project's last task) and ``slip`` [d] (working days).
    absorbed : DataFrame
        Unfinished tasks downstream of the delay that moved less than it (or not at all):
        ``project_id``, ``name``, ``milestone``, ``total_float`` and ``free_float`` [d] they
        had before the delay, ``moved_by`` [d] and ``absorbed`` [d] (delay − moved_by).
    before, after : DataFrame
        The two schedules (:func:`~pmo_lib.schedule.schedule_portfolio`).
    """

    task_id: str
    delay_days: float
    month: pd.Period | None
    tasks: pd.DataFrame
    milestones: pd.DataFrame
    projects: pd.DataFrame
    absorbed: pd.DataFrame
    before: pd.DataFrame
    after: pd.DataFrame

    @property
    def portfolio_slip(self) -> float:
        """The largest project slip. [d]"""
        return float(self.projects["slip"].max()) if len(self.projects) else 0.0


def _delayed(portfolio: Portfolio, month, delays: dict[str, float],
             before: pd.DataFrame) -> Portfolio:
    """The portfolio with each task's duration and remaining work at ``month`` increased.

    A not-started task gets ``duration + delay`` and keeps its early start from ``before``
    (its schedule without the delay): an ASAP task gets a start-no-earlier-than on that date,
    an SNET task's date moves up to it, so a task whose finish is held by an FF or SF link
    slips instead of starting earlier. A task in progress at ``month`` gets its remaining
    duration (the snapshot's, or ``duration × (1 − % complete)``) plus the delay; a complete
    task is unchanged (its actual dates stand).
    """
    add = pd.Series(delays, dtype=float)
    add = add[add > 0]
    tasks = portfolio.tasks.copy()
    extra = tasks["id"].map(add).fillna(0.0)
    original = tasks.set_index("id")["duration"].astype(float)
    tasks["duration"] = tasks["duration"].astype(float) + extra.to_numpy()

    # Keep the start of the delayed tasks that have not started.
    first = before["early_start"].reindex(tasks["id"]).to_numpy(float)
    pin = (extra.to_numpy() > 0) & (before["status"].reindex(tasks["id"]).to_numpy()
                                    == "not started")
    kind = tasks["constraint_type"].fillna("ASAP").to_numpy()
    pin &= np.isin(kind, ("ASAP", "SNET"))
    if pin.any():
        cal, origin = portfolio.calendar, before.attrs["start"]
        dates = cal.offset_to_date(np.floor(first[pin]).astype(np.int64), origin)
        current = pd.to_datetime(tasks.loc[pin, "constraint_date"]).to_numpy()
        keep = (kind[pin] == "SNET") & (current > np.asarray(dates))
        tasks.loc[pin, "constraint_date"] = np.where(keep, current, np.asarray(dates))
        tasks.loc[pin, "constraint_type"] = "SNET"

    status = portfolio.status
    if month is not None and len(status):
        status = status.copy()
        date = portfolio.status_date(month)
        rows = (status["status_date"] == date) & status["task_id"].isin(add.index) \
            & status["actual_finish"].isna()
        if rows.any():  # (an empty selection of a str column maps to object dtype)
            sel = status.loc[rows]
            by_pct = sel["task_id"].map(original) * (1.0 - sel["percent_complete"] / 100.0)
            remaining = sel["remaining_duration"].astype(float).fillna(by_pct)
            status.loc[rows, "remaining_duration"] = \
                (remaining + sel["task_id"].map(add)).astype(float)
    return replace(portfolio, tasks=tasks, status=status)


def _finish_offsets(schedule: pd.DataFrame) -> pd.Series:
    return pd.Series(schedule.attrs["project_finish"], dtype=float)


def impact(portfolio: Portfolio, task_id: str, delay_days: float, *, month=None,
           progress: str = "retained") -> ImpactResult:
    """Reschedule the portfolio with one task delayed, and report what moved.

    The task's duration (its remaining duration if it is in progress at ``month``) is
    increased by ``delay_days`` and the whole portfolio is scheduled again with
    :func:`~pmo_lib.schedule.schedule_portfolio`, cross-project links included.

    Parameters
    ----------
    portfolio : Portfolio
    task_id : str
        The task that slips.
    delay_days : float
        Working days added to its (remaining) duration; ``>= 0``. [d]
    month : str or Period, optional
        Status month: actuals and remaining work at its status date. Default: the plan.
    progress : {"retained", "override"}
        Out-of-sequence progress rule, passed to the engine.

    Returns
    -------
    ImpactResult
        ``tasks`` (every task whose early finish moved, with ``moved_by`` [d]),
        ``milestones`` (those that are milestones), ``projects`` (finish before and after,
        ``slip`` [d]) and ``absorbed`` (downstream tasks whose float took some or all of the
        delay), plus both schedules.

    Raises
    ------
    UnknownReferenceError
        ``task_id`` is not a task of the portfolio (the message suggests close ids).
    DataValidationError
        ``delay_days`` is negative or not a finite number; ``month`` has no status snapshot.
    ScheduleError
        The engine cannot schedule the portfolio (unknown ``progress``, ...).

    Warns
    -----
    UserWarning
        The task is complete at ``month``: a delay cannot move it, nothing moves.

    Notes
    -----
    The delayed task keeps its early start and finishes ``delay_days`` later: a not-started
    ASAP (or SNET) task is given a start-no-earlier-than its current early start, since
    otherwise CPM would let a task whose finish is held by an FF or SF link absorb a longer
    duration by starting earlier. (A task in progress keeps its actual start; if the rest of
    its work is held by an FF or SF link, it may still resume earlier, as in P6.)
    ``moved_by`` is the change of the early finish offset, in working days; it is the delay
    on the task itself and on everything its slip pushes day for day, less where float
    absorbs it; nothing moves earlier. *Downstream* means reachable from the task's finish: its FS and FF
    successors and everything that depends on them (``networkx.descendants``); an SS or SF
    successor of the task depends on its start, which a longer duration does not move.
    A downstream task moves ``delay − (float of its path from the delay)`` days, clipped at 0.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> r = impact(load_portfolio("tests/data/mini"), "A2", 3)
    >>> r.tasks["moved_by"].to_dict()
    {'A2': 3.0, 'M1': 3.0, 'B1': 3.0}
    >>> r.projects["slip"].to_dict()
    {'P1': 3.0, 'P2': 3.0}
    """
    known = pd.Index(portfolio.tasks["id"].astype(str))
    if str(task_id) not in set(known):
        raise _unknown_task(task_id, known, f"tasks.csv of {portfolio.name!r}")
    task_id = str(task_id)
    try:
        delay = float(delay_days)
    except (TypeError, ValueError):
        delay = float("nan")
    if not np.isfinite(delay) or delay < 0:
        raise DataValidationError(Problem(
            "delay_days", None, task_id, None,
            f"{delay_days!r} is not a delay: give a finite number of working days >= 0"))
    period = None
    if month is not None:
        portfolio.status_date(month)  # a month without a snapshot: MissingDataError
        period = parse_month(month)

    before = schedule_portfolio(portfolio, month, progress=progress)
    done = before.at[task_id, "status"] == "complete"
    if done and delay > 0:
        warnings.warn(f"task {task_id!r} is complete at {period}: a delay to it cannot move "
                      "anything", UserWarning, stacklevel=2)
    after = schedule_portfolio(_delayed(portfolio, month, {task_id: delay}, before), month,
                               progress=progress)
    after = after.reindex(before.index)

    moved = (after["early_finish"] - before["early_finish"]).round(6)
    info = before[["project_id", "name", "milestone"]]
    table = info.assign(finish_before=before["finish_date"], finish_after=after["finish_date"],
                        moved_by=moved)
    changed = (table[moved.abs() > _EPS].rename_axis("id").reset_index()
               .sort_values(["finish_before", "id"]).set_index("id"))
    milestones = changed[changed["milestone"].astype(bool)]

    projects = portfolio.projects.set_index("id")[["name"]]
    finish_before = before.groupby("project_id")["finish_date"].max()
    finish_after = after.groupby("project_id")["finish_date"].max()
    slip = (_finish_offsets(after) - _finish_offsets(before)).round(6)
    projects = projects.assign(finish_before=finish_before.reindex(projects.index),
                               finish_after=finish_after.reindex(projects.index),
                               slip=slip.reindex(projects.index).fillna(0.0))
    projects.index.name = "project_id"

    graph = dependency_graph(portfolio)
    from_finish = nx.subgraph_view(
        graph, filter_edge=lambda u, v: u != task_id or graph[u][v]["type"] in ("FS", "FF"))
    downstream = pd.Index(sorted(nx.descendants(from_finish, task_id)), name="id")
    down = before.loc[downstream]
    took = (down["status"] != "complete") & (moved[downstream] < delay - _EPS) & (not done)
    absorbed = info.loc[downstream[took.to_numpy()]].assign(
        total_float=down.loc[took, "total_float"], free_float=down.loc[took, "free_float"],
        moved_by=moved[downstream][took], absorbed=(delay - moved[downstream][took]).round(6))

    return ImpactResult(task_id=task_id, delay_days=delay, month=period, tasks=changed,
                        milestones=milestones, projects=projects, absorbed=absorbed,
                        before=before, after=after)


# ----------------------------------------------------------------------------------------
# Cross-project dependencies
# ----------------------------------------------------------------------------------------
_FROM_START = ("SS", "SF")  # links whose predecessor's driving end is its start
_TO_START = ("FS", "SS")    # links that bound the successor's start (else its finish)


def _threshold(margin) -> float:
    """The at-risk threshold as a float, or a DataValidationError naming it."""
    try:
        value = float(margin)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise DataValidationError(Problem(
            "margin", None, None, None, f"{margin!r} is not an at-risk threshold: give a "
            "finite number of working days >= 0"))
    return value


def _period(portfolio: Portfolio, month) -> pd.Period | None:
    """``month`` as a Period, after checking that it has a status snapshot."""
    if month is None:
        return None
    portfolio.status_date(month)  # no snapshot that month: MissingDataError listing them
    return parse_month(month)


def _link_map(portfolio: Portfolio, schedule: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The rows of :func:`dependency_map` from a schedule of the portfolio."""
    links = portfolio.links
    owner = schedule["project_id"]
    cross = links[links["pred"].map(owner).to_numpy() != links["succ"].map(owner).to_numpy()]
    slack = link_slack(schedule, cross)  # canonical type and lag, relationship free float
    p = schedule.loc[slack["pred"]]
    s = schedule.loc[slack["succ"]]
    kind = slack["type"].to_numpy(dtype=object)
    lag = slack["lag"].to_numpy(float)
    p_milestone = p["milestone"].to_numpy(bool)
    s_milestone = s["milestone"].to_numpy(bool)
    from_start = np.isin(kind, _FROM_START) & ~p_milestone  # a milestone's start = its finish
    to_start = np.isin(kind, _TO_START) & ~s_milestone

    cal, origin = portfolio.calendar, schedule.attrs["start"]

    def day(dates) -> np.ndarray:
        """Working-day number of each date (offset 0 = the schedule start)."""
        return np.asarray(cal.date_to_offset(pd.DatetimeIndex(dates), origin), dtype=float)

    def end_dates(frame: pd.DataFrame, at_start: np.ndarray, start: str,
                  finish: str) -> np.ndarray:
        return np.where(at_start, frame[start].to_numpy(), frame[finish].to_numpy())

    p_baseline = end_dates(p, from_start, "baseline_start", "baseline_finish")
    p_forecast = end_dates(p, from_start, "start_date", "finish_date")
    s_baseline = end_dates(s, to_start, "baseline_start", "baseline_finish")
    # The link's bound solved for the predecessor: its latest start offset (SS, SF) or
    # exclusive finish offset (FS, FF), from the successor's baseline start offset (the
    # morning of its day) or exclusive finish offset (the day after its last day).
    need = day(s_baseline) + np.where(to_start, 0.0, 1.0) - lag
    need_day = np.where(from_start, np.floor(need + _EPS), np.ceil(need - _EPS) - 1.0)
    need_date = np.asarray(cal.offset_to_date(need_day.astype(np.int64), origin),
                           dtype="datetime64[ns]") if len(need) else \
        np.zeros(0, "datetime64[ns]")
    margin = need_day - day(p_forecast)
    baseline_margin = need_day - day(p_baseline)

    p_status = p["status"].to_numpy(dtype=object)
    done = np.where(from_start, p_status != "not started", p_status == "complete")
    status = np.select([done, margin < -_EPS, margin <= threshold + _EPS],
                       ["done", "late", "at risk"], "on track").astype(object)

    out = pd.DataFrame({
        "pred_project": p["project_id"].to_numpy(dtype=object),
        "pred_task": slack["pred"].to_numpy(dtype=object),
        "pred_name": p["name"].to_numpy(dtype=object),
        "succ_project": s["project_id"].to_numpy(dtype=object),
        "succ_task": slack["succ"].to_numpy(dtype=object),
        "succ_name": s["name"].to_numpy(dtype=object),
        "type": kind,
        "lag": lag,
        "pred_end": np.where(from_start, "start", "finish").astype(object),
        "pred_status": p_status,
        "pred_baseline": p_baseline,
        "pred_forecast": p_forecast,
        "need_date": need_date,
        "margin": margin,
        "baseline_margin": baseline_margin,
        "succ_end": np.where(to_start, "start", "finish").astype(object),
        "succ_status": s["status"].to_numpy(dtype=object),
        "succ_baseline": s_baseline,
        "succ_forecast": end_dates(s, to_start, "start_date", "finish_date"),
        "slack": slack["slack"].to_numpy(float),
        "status": status,
    }, columns=list(DEPENDENCY_COLUMNS))
    for col in ("pred_baseline", "pred_forecast", "need_date", "succ_baseline",
                "succ_forecast"):
        out[col] = out[col].astype("datetime64[ns]")
    return out.sort_values(["pred_project", "succ_project", "pred_task", "succ_task"],
                           kind="stable").reset_index(drop=True)


def dependency_map(portfolio: Portfolio, month=None, *, margin: float = 10.0) -> pd.DataFrame:
    """Every cross-project link: the handover, when it is forecast, when it is needed.

    Schedules the portfolio at ``month`` (:func:`~pmo_lib.schedule.schedule_portfolio`) and
    compares, for each link whose predecessor and successor are in different projects, the
    predecessor's forecast driving end with the successor's need date (definitions in the
    module docstring, *Cross-project dependencies*).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month: actual dates and remaining work at its status date. Default: the plan
        (no progress: nothing is done).
    margin : float
        At-risk threshold: an open link whose margin is between 0 and ``margin`` (both
        included) is ``"at risk"``; above it, ``"on track"``. [d]

    Returns
    -------
    DataFrame
        One row per cross-project link, sorted by predecessor project, successor project,
        predecessor and successor task (RangeIndex), with the columns
        :data:`DEPENDENCY_COLUMNS`:

        ``pred_project``, ``pred_task``, ``pred_name``
            The project that delivers, the predecessor task (the deliverable or handover)
            and its name.
        ``succ_project``, ``succ_task``, ``succ_name``
            The project that waits, the successor task and its name.
        ``type``, ``lag``
            Link type (FS, SS, FF, SF) and lag [d] (negative = lead).
        ``pred_end``
            The predecessor's driving end, ``"finish"`` (FS, FF; and milestones) or
            ``"start"`` (SS, SF).
        ``pred_status``
            The predecessor at ``month``: not started, in progress or complete.
        ``pred_baseline``, ``pred_forecast``
            Baseline and forecast (actual once it happened) date of the driving end.
        ``need_date``
            The latest date of the driving end that keeps the successor on its baseline
            (a start date for a start end, a finish date for a finish end).
        ``margin``
            Working days from ``pred_forecast`` to ``need_date``; negative = late. [d]
        ``baseline_margin``
            Working days from ``pred_baseline`` to ``need_date``: the margin the baseline
            plan had. [d]
        ``succ_end``
            The end of the successor the link holds: ``"start"`` (FS, SS) or ``"finish"``
            (FF, SF; and milestones).
        ``succ_status``, ``succ_baseline``, ``succ_forecast``
            The successor's status at ``month`` and the baseline and forecast date of that
            end.
        ``slack``
            The link's relationship free float in the forecast schedule
            (:func:`~pmo_lib.schedule.link_slack`); 0 = the predecessor drives the
            successor's forecast now; NaN when the successor is complete. [d]
        ``status``
            :data:`LINK_STATUSES`: ``"done"``, ``"late"``, ``"at risk"``, ``"on track"``.

        ``attrs`` holds ``month`` (Period or None), ``status_date`` (Timestamp or None) and
        ``margin`` (the threshold).

    Raises
    ------
    MissingDataError
        ``month`` has no status snapshot (the message lists the months that have one).
    DataValidationError
        ``month`` is not a month; ``margin`` is negative or not a number.

    Notes
    -----
    In offsets (working days; a start offset is the morning of its day, a finish offset is
    exclusive: the morning after the last day), with the successor's baseline start and
    finish offsets ``BS_s``, ``BF_s`` and the lag ``L``, the predecessor's driving end must
    be at most::

        FS  EF_p <= BS_s − L        SS  ES_p <= BS_s − L
        FF  EF_p <= BF_s − L        SF  ES_p <= BF_s − L

    the forward-pass bounds of :func:`~pmo_lib.schedule.cpm` solved for the predecessor.
    ``need_date`` is the date of that bound (a finish offset ``f`` is the date of day
    ``f − 1``) and ``margin`` the working days from ``pred_forecast`` to ``need_date``: the
    relationship free float of P6 (``slack``) with the successor held at its baseline
    instead of its forecast, counted in whole days as the dates show them (work that ends
    part-way through a day, as remaining work from a percent complete can, ends on that
    day). A negative margin means the successor cannot keep its baseline: an unstarted
    successor held by the link is ``−margin`` working days past its baseline, or one day less
    when the predecessor finishes part-way through its forecast day (the successor then
    starts that same day). A milestone sits at the end of its day (its start is its finish). A successor that started
    before the handover (out of sequence) leaves the link open: its status is read off the
    margin.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> m = dependency_map(pf, "2026-01")
    >>> m[["pred_task", "succ_task", "pred_forecast", "need_date", "margin", "status"]]
      pred_task succ_task pred_forecast  need_date  margin status
    0        M1        B1    2026-01-27 2026-01-26    -1.0   late
    >>> dependency_map(pf, "2026-02")["status"].tolist()
    ['done']
    """
    threshold = _threshold(margin)
    period = _period(portfolio, month)
    schedule = schedule_portfolio(portfolio, month)
    out = _link_map(portfolio, schedule, threshold)
    out.attrs.update(month=period, margin=threshold,
                     status_date=None if month is None else portfolio.status_date(month))
    return out


def links_at_risk(portfolio: Portfolio, month, *, margin: float = 10.0) -> pd.DataFrame:
    """The cross-project links that are late or at risk, worst first.

    Parameters
    ----------
    portfolio : Portfolio
    month : str, Period or None
        Status month (None: the plan).
    margin : float
        At-risk threshold, as for :func:`dependency_map`. [d]

    Returns
    -------
    DataFrame
        The rows of :func:`dependency_map` with status ``"late"`` or ``"at risk"``, sorted by
        ``margin`` (most negative first), then predecessor and successor task (RangeIndex);
        same columns and ``attrs``.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`dependency_map`.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> links_at_risk(pf, "2026-01")[["pred_task", "succ_task", "margin"]]
      pred_task succ_task  margin
    0        M1        B1    -1.0
    """
    table = dependency_map(portfolio, month, margin=margin)
    risky = table[table["status"].isin(("late", "at risk"))]
    out = risky.sort_values(["margin", "pred_task", "succ_task"], kind="stable") \
        .reset_index(drop=True)
    out.attrs = dict(table.attrs)
    return out


#: Columns of :func:`project_dependencies`, in order.
_PAIR_COLUMNS = ("pred_project", "succ_project", "links", "late", "at_risk", "on_track", "done",
                 "worst_margin", "next_need", "status")


def project_dependencies(portfolio, month=None, *, margin: float | None = None
                         ) -> pd.DataFrame:
    """Which project waits on which: the cross-project links summed up per pair of projects.

    Parameters
    ----------
    portfolio : Portfolio or DataFrame
        The portfolio (then :func:`dependency_map` is computed at ``month``), or a table
        :func:`dependency_map` returned (then ``month`` and ``margin`` are those it was made
        with and must be left out).
    month : str or Period, optional
        Status month (default: the plan).
    margin : float, optional
        At-risk threshold, as for :func:`dependency_map` (default 10). [d]

    Returns
    -------
    DataFrame
        One row per ordered pair of projects with at least one link from the first to the
        second, sorted by ``pred_project`` then ``succ_project`` (RangeIndex):

        ``pred_project``, ``succ_project``
            The project that delivers and the one that waits on it.
        ``links``
            How many links.
        ``late``, ``at_risk``, ``on_track``, ``done``
            How many links have each status.
        ``worst_margin``
            The smallest margin of the open (not done) links; NaN when all are done. [d]
        ``next_need``
            The earliest need date of the open links (NaT when all are done).
        ``status``
            The worst status of its links (:data:`LINK_STATUSES`): ``"done"`` only when all
            are.

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`dependency_map`; a table without the columns of :func:`dependency_map`;
        ``month`` or ``margin`` given with a table.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> project_dependencies(pf, "2026-01")[["pred_project", "succ_project", "links",
    ...                                      "late", "worst_margin", "status"]]
      pred_project succ_project  links  late  worst_margin status
    0           P1           P2      1     1          -1.0   late
    """
    if isinstance(portfolio, pd.DataFrame):
        if month is not None or margin is not None:
            raise DataValidationError(Problem(
                "project_dependencies", None, None, None, "month and margin are those of the "
                "dependency map given: leave them out, or pass the portfolio"))
        table = portfolio
        require_columns(table, "dependency map", ("pred_project", "succ_project", "margin",
                                                  "need_date", "status"))
    else:
        table = dependency_map(portfolio, month, margin=10.0 if margin is None else margin)
    keys = ["pred_project", "succ_project"]
    rank = table["status"].map({s: k for k, s in enumerate(LINK_STATUSES)})
    open_ = table["status"] != "done"
    frame = table[keys].assign(
        links=1, late=(table["status"] == "late").astype(int),
        at_risk=(table["status"] == "at risk").astype(int),
        on_track=(table["status"] == "on track").astype(int),
        done=(~open_).astype(int), worst_margin=table["margin"].where(open_),
        next_need=table["need_date"].where(open_), rank=rank)
    out = frame.groupby(keys, sort=True).agg(
        links=("links", "sum"), late=("late", "sum"), at_risk=("at_risk", "sum"),
        on_track=("on_track", "sum"), done=("done", "sum"), worst_margin=("worst_margin", "min"),
        next_need=("next_need", "min"), rank=("rank", "min")).reset_index()
    out["status"] = np.asarray(LINK_STATUSES, dtype=object)[out["rank"].to_numpy(int)] \
        if len(out) else pd.Series(dtype=object)
    out = out[list(_PAIR_COLUMNS)]
    out.attrs = dict(table.attrs)
    return out


@dataclass(frozen=True, eq=False)
class SlipImpact:
    """What a slip of each cross-project handover does to the other projects
    (see :func:`slip_impact`).

    Attributes
    ----------
    days : float
        The slip given to each task. [d]
    month : Period or None
        The status month (None: the plan).
    tasks : DataFrame
        One row per slipped task, indexed by ``task_id`` (in the order slipped):
        ``project_id``, ``name``, ``status`` (at ``month``), ``own_slip`` (its own project's
        finish slip) [d], ``other_slip`` (the largest slip of another project) [d] and
        ``affected_projects`` (tuple of the other projects that slip, sorted by id).
    impacts : DataFrame
        One row per slipped task × other project that slips: ``task_id``, ``task_project``,
        ``project_id``, ``project_name``, ``finish_before``, ``finish_after`` (the affected
        project's forecast finish) and ``slip`` [d] (working days); by task, then largest
        slip first, then project (RangeIndex).
    matrix : DataFrame
        Project × project: row ``A`` (index ``from_project``, the projects of the slipped
        tasks), column ``B`` (``to_project``, every project): the largest slip of ``B``'s
        finish when one of ``A``'s slipped tasks slips by ``days`` [d]; 0 when it does not
        move. The diagonal is the project's own slip.
    results : mapping
        Task id → the :class:`ImpactResult` of :func:`impact`, to drill down.
    """

    days: float
    month: pd.Period | None
    tasks: pd.DataFrame
    impacts: pd.DataFrame
    matrix: pd.DataFrame
    results: Mapping[str, ImpactResult] = field(repr=False)


def _slip_tasks(portfolio: Portfolio, month, tasks) -> list[str]:
    """The tasks :func:`slip_impact` slips, checked."""
    known = pd.Index(portfolio.tasks["id"].astype(str))
    if tasks is None:
        owner = portfolio.tasks.set_index("id")["project_id"]
        links = portfolio.links
        cross = links[links["pred"].map(owner).to_numpy() != links["succ"].map(owner).to_numpy()]
        chosen = sorted(set(cross["pred"].astype(str)))
        if month is not None:  # a complete handover cannot slip any more
            snap = portfolio.snapshot(month)
            complete = set(snap.loc[snap["actual_finish"].notna(), "task_id"].astype(str))
            chosen = [t for t in chosen if t not in complete]
        return chosen
    items = [tasks] if isinstance(tasks, str) else list(tasks)
    chosen = list(dict.fromkeys(str(t) for t in items))
    unknown = [t for t in chosen if t not in set(known)]
    if unknown:
        raise UnknownReferenceError([_unknown_task(t, known, f"tasks.csv of {portfolio.name!r}")
                                     .problems[0] for t in unknown])
    return chosen


def slip_impact(portfolio: Portfolio, month=None, *, days: float = 20,
                tasks: Iterable[str] | str | None = None) -> SlipImpact:
    """What a slip of each cross-project handover does to every other project.

    Each task is slipped by ``days`` on its own with :func:`impact` (its duration, or its
    remaining duration when in progress, grows by ``days`` and the whole portfolio is
    rescheduled), and the finish of every project is compared with the forecast.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month (default: the plan).
    days : float
        The slip of each task, in working days; ``>= 0``. [d]
    tasks : iterable of str or str, optional
        The tasks to slip. Default: the predecessors of the cross-project links that are
        not complete at ``month`` (a finished handover cannot slip), sorted by id.

    Returns
    -------
    SlipImpact
        ``tasks`` (per task: its own project's slip, the largest slip of another project,
        which projects slip), ``impacts`` (task × affected project, ``slip`` [d]),
        ``matrix`` (project × project, the largest slip [d]) and the :class:`ImpactResult`
        of each task.

    Raises
    ------
    UnknownReferenceError
        A task in ``tasks`` is not in the portfolio (the message names every unknown one and
        suggests close ids).
    DataValidationError
        ``days`` is negative or not a finite number; ``month`` is not a month.
    MissingDataError
        ``month`` has no status snapshot.

    Warns
    -----
    UserWarning
        A task given in ``tasks`` is complete at ``month`` (nothing moves), from :func:`impact`.

    Notes
    -----
    The slip moves the task's finish (see :func:`impact`): it reaches other projects through
    FS and FF links from the task and from everything downstream of its finish; an SS or SF
    link hangs off the task's start, which a slip of its finish does not move. A project
    slips by the change of its finish offset; float on the way absorbs part or all of it, so
    ``0 <= slip <= days``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> r = slip_impact(load_portfolio("tests/data/mini"), days=3)
    >>> r.impacts[["task_id", "task_project", "project_id", "slip"]]
      task_id task_project project_id  slip
    0      M1           P1         P2   3.0
    >>> r.matrix
    to_project     P1   P2
    from_project
    P1            3.0  3.0
    """
    try:
        delay = float(days)
    except (TypeError, ValueError):
        delay = float("nan")
    if not np.isfinite(delay) or delay < 0:
        raise DataValidationError(Problem(
            "days", None, None, None,
            f"{days!r} is not a slip: give a finite number of working days >= 0"))
    period = _period(portfolio, month)
    chosen = _slip_tasks(portfolio, month, tasks)

    results: dict[str, ImpactResult] = {}
    rows, long = [], []
    for task in chosen:
        r = impact(portfolio, task, delay, month=month)
        results[task] = r
        own = r.before.at[task, "project_id"]
        projects = r.projects
        others = projects[(projects.index != own) & (projects["slip"] > _EPS)]
        rows.append((task, own, r.before.at[task, "name"], r.before.at[task, "status"],
                     float(projects.at[own, "slip"]),
                     float(projects.loc[projects.index != own, "slip"].max())
                     if len(projects) > 1 else 0.0, tuple(sorted(others.index))))
        long.append(others.assign(task_id=task, task_project=own).rename_axis("project_id")
                    .reset_index().rename(columns={"name": "project_name"}))
    table = pd.DataFrame(rows, columns=["task_id", "project_id", "name", "status", "own_slip",
                                        "other_slip", "affected_projects"]).set_index("task_id")
    impact_columns = ["task_id", "task_project", "project_id", "project_name", "finish_before",
                      "finish_after", "slip"]
    impacts = pd.concat(long, ignore_index=True)[impact_columns] if long else \
        pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c.startswith("finish")
                                   else float if c == "slip" else object)
                      for c in impact_columns})
    order = {t: k for k, t in enumerate(chosen)}
    impacts = impacts.sort_values(["task_id", "slip", "project_id"], ascending=[True, False, True],
                                  key=lambda s: s.map(order) if s.name == "task_id" else s,
                                  kind="stable").reset_index(drop=True)

    every = sorted(portfolio.projects["id"].astype(str))
    if results:
        slips = pd.DataFrame({t: r.projects["slip"] for t, r in results.items()}).T \
            .reindex(columns=every).fillna(0.0)
        matrix = slips.groupby(table["project_id"].reindex(slips.index).to_numpy()).max()
    else:
        matrix = pd.DataFrame(columns=every, dtype=float)
    matrix.index.name, matrix.columns.name = "from_project", "to_project"
    return SlipImpact(days=delay, month=period, tasks=table, impacts=impacts, matrix=matrix,
                      results=results)
