"""Reference CPM: the textbook forward and backward passes in plain Python on a networkx graph.

The baseline of ``bench_cpm.py`` and the oracle of ``tests/test_schedule_properties.py``.
It has the semantics of :func:`pmo_lib.schedule.cpm` (see that module's docstring) for plain
networks: durations, the four link types with lags (negative = lead) and optional projects,
but no calendar, constraints, release dates or progress. It is written to be read, not to be
fast: one dict per date column and one loop per pass, in ``nx.topological_sort`` order.

Offsets are working days; finish offsets are exclusive (``EF = ES + duration``).

    >>> tasks = pd.DataFrame({"id": ["A", "B", "C"], "duration": [3, 2, 4]})
    >>> links = pd.DataFrame({"pred": ["A", "A"], "succ": ["B", "C"]})
    >>> reference_cpm(tasks, links)[["early_start", "late_start", "total_float"]]  # doctest: +NORMALIZE_WHITESPACE
        early_start  late_start  total_float
    id
    A           0.0         0.0          0.0
    B           3.0         5.0          2.0
    C           3.0         3.0          0.0
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd

__all__ = ["COLUMNS", "reference_cpm"]

#: The columns computed here, named as in :func:`pmo_lib.schedule.cpm`.
COLUMNS = ("early_start", "early_finish", "late_start", "late_finish", "total_float",
           "free_float")


def _graph(ids: list[str], links: pd.DataFrame | None) -> nx.DiGraph:
    """Tasks as nodes, links as edges carrying ``type`` (FS when missing) and ``lag`` [d]."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    if links is None or len(links) == 0:
        return graph
    types = links["type"] if "type" in links.columns else ["FS"] * len(links)
    lags = links["lag"] if "lag" in links.columns else [0.0] * len(links)
    for pred, succ, type_, lag in zip(links["pred"], links["succ"], types, lags, strict=True):
        type_ = "FS" if pd.isna(type_) else str(type_).strip().upper()
        lag = 0.0 if pd.isna(lag) else float(lag)
        graph.add_edge(str(pred), str(succ), type=type_, lag=lag)
    return graph


def _link_slack(link: dict, es: dict, ef: dict, pred: str, succ: str) -> float:
    """How far ``pred`` could slip before the link delays ``succ``'s early dates. [d]"""
    lag = link["lag"]
    if link["type"] == "FS":
        return es[succ] - lag - ef[pred]
    if link["type"] == "SS":
        return es[succ] - lag - es[pred]
    if link["type"] == "FF":
        return ef[succ] - lag - ef[pred]
    return ef[succ] - lag - es[pred]  # SF


def reference_cpm(tasks: pd.DataFrame, links: pd.DataFrame | None = None) -> pd.DataFrame:
    """Early and late dates and floats of an acyclic network, by the textbook passes.

    Parameters
    ----------
    tasks : DataFrame
        ``id`` (or the index), ``duration`` [d], optional ``project_id``.
    links : DataFrame, optional
        ``pred``, ``succ``, optional ``type`` (FS, SS, FF, SF; FS when absent) and ``lag`` [d].
        Assumed valid: known ids, no duplicates, no cycle (``nx.topological_sort`` raises).

    Returns
    -------
    DataFrame
        Indexed by task id (``id``), in the order of ``tasks``: :data:`COLUMNS` as floats.

    Notes
    -----
    Forward pass, predecessors first: ``ES = max(0, bounds)`` and ``EF = ES + d``, where a
    link ``p → s`` with lag ``L`` bounds ``s`` by FS ``ES ≥ EF_p + L``, SS ``ES ≥ ES_p + L``,
    FF ``EF ≥ EF_p + L``, SF ``EF ≥ ES_p + L``.
    A project's finish is the latest EF of its tasks (of all tasks without ``project_id``).
    Backward pass, successors first: ``LF = min(project finish, bounds)`` and ``LS = LF − d``,
    the bounds mirroring the links: FS ``LF ≤ LS_s − L``, SS ``LS ≤ LS_s − L``,
    FF ``LF ≤ LF_s − L``, SF ``LS ≤ LF_s − L``.
    ``total_float = LF − EF``; ``free_float`` = the least slack of the task's outgoing links
    and of its project finish (``finish − EF``), since the project finish bounds every task's
    finish as the backward pass does.
    """
    ids = [str(i) for i in (tasks["id"] if "id" in tasks.columns else tasks.index)]
    duration = dict(zip(ids, tasks["duration"].astype(float), strict=True))
    if "project_id" in tasks.columns:
        project = dict(zip(ids, tasks["project_id"], strict=True))
    else:
        project = dict.fromkeys(ids)
    graph = _graph(ids, links)
    order = list(nx.topological_sort(graph))

    # Forward pass.
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    for task in order:
        d = duration[task]
        start = 0.0
        for pred, link in graph.pred[task].items():
            lag = link["lag"]
            if link["type"] == "FS":
                start = max(start, ef[pred] + lag)
            elif link["type"] == "SS":
                start = max(start, es[pred] + lag)
            elif link["type"] == "FF":
                start = max(start, ef[pred] + lag - d)
            else:  # SF
                start = max(start, es[pred] + lag - d)
        es[task] = start
        ef[task] = start + d

    # Each project's finish.
    finish: dict[object, float] = {}
    for task in ids:
        finish[project[task]] = max(finish.get(project[task], -math.inf), ef[task])

    # Backward pass.
    ls: dict[str, float] = {}
    lf: dict[str, float] = {}
    for task in reversed(order):
        d = duration[task]
        late = finish[project[task]]
        for succ, link in graph.succ[task].items():
            lag = link["lag"]
            if link["type"] == "FS":
                late = min(late, ls[succ] - lag)
            elif link["type"] == "SS":
                late = min(late, ls[succ] - lag + d)
            elif link["type"] == "FF":
                late = min(late, lf[succ] - lag)
            else:  # SF
                late = min(late, lf[succ] - lag + d)
        lf[task] = late
        ls[task] = late - d

    # Floats.
    total_float = {task: lf[task] - ef[task] for task in ids}
    free_float = {}
    for task in ids:
        free = finish[project[task]] - ef[task]
        for succ, link in graph.succ[task].items():
            free = min(free, _link_slack(link, es, ef, task, succ))
        free_float[task] = free

    columns = dict(zip(COLUMNS, (es, ef, ls, lf, total_float, free_float), strict=True))
    return pd.DataFrame({name: [float(values[task]) for task in ids]
                         for name, values in columns.items()},
                        index=pd.Index(ids, name="id"))
