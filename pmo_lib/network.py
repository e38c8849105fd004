"""Dependency analysis: the task network as a graph, driving logic, and what-if delays.

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

References
----------
PMI, *Practice Standard for Scheduling*, 3rd ed., 2019 (driving relationships, float).
Oracle, *Primavera P6 Professional: Driving relationships and the longest path*.
Hagberg, Schult & Swart, "Exploring network structure, dynamics, and function using
NetworkX", SciPy 2008.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem, UnknownReferenceError
from .model import Portfolio, parse_month
from .schedule import link_slack, schedule_portfolio

__all__ = [
    "DRIVERS",
    "TIE_RULES",
    "ImpactResult",
    "dependency_graph",
    "driving_chain",
    "driving_predecessors",
    "impact",
    "project_graph",
]

#: Values of ``driving_predecessors(...)["driven_by"]``: what sets a task's early date.
DRIVERS = ("logic", "complete", "data date", "start or constraint")
#: How :func:`driving_chain` treats a task with several driving predecessors.
TIE_RULES = ("all", "first")

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
        sel = status.loc[rows]
        by_pct = sel["task_id"].map(original) * (1.0 - sel["percent_complete"] / 100.0)
        remaining = sel["remaining_duration"].astype(float).fillna(by_pct)
        status.loc[rows, "remaining_duration"] = remaining + sel["task_id"].map(add)
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
