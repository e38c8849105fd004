"""CPM engine properties on random networks (hypothesis), with a plain-Python oracle.

The oracle is ``benchmarks/reference_cpm.py``: the textbook passes over a networkx graph.
Networks have 1-40 tasks with integer durations 0-20 (milestones included), links from lower
to higher row (so acyclic) of all four types with lags -5..10, and sometimes 1-3 projects.
With integer inputs every offset is an exact float, so results are compared exactly.
"""

import itertools
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib.model import LINK_TYPES
from pmo_lib.schedule import cpm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from reference_cpm import COLUMNS, reference_cpm

EXAMPLES = 200


@st.composite
def networks(draw, max_tasks: int = 40):
    """``(tasks, links)`` DataFrames of a random acyclic network."""
    n = draw(st.integers(1, max_tasks))
    # Ids whose sort order is not the row order: 7 is invertible modulo 101.
    ids = [f"T{(7 * i + 3) % 101:03d}" for i in range(n)]
    tasks = pd.DataFrame({"id": ids,
                          "duration": draw(st.lists(st.integers(0, 20), min_size=n,
                                                    max_size=n))})
    if draw(st.booleans()):
        k = draw(st.integers(1, 3))
        tasks["project_id"] = [f"P{p}" for p in draw(st.lists(st.integers(1, k), min_size=n,
                                                               max_size=n))]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          max_size=3 * n, unique_by=lambda p: (min(p), max(p))))
    pairs = [(min(p), max(p)) for p in pairs if p[0] != p[1]]
    types = draw(st.lists(st.sampled_from(LINK_TYPES), min_size=len(pairs),
                          max_size=len(pairs)))
    lags = draw(st.lists(st.integers(-5, 10), min_size=len(pairs), max_size=len(pairs)))
    links = pd.DataFrame({"pred": [ids[p] for p, _ in pairs], "succ": [ids[s] for _, s in pairs],
                          "type": pd.Series(types, dtype=object), "lag": lags})
    return tasks, links


def _gaps(result: pd.DataFrame, links: pd.DataFrame, *, late: bool = False) -> np.ndarray:
    """Each link's slack on the early (or late) dates: ≥ 0 when satisfied, 0 when it drives."""
    start, finish = ("late_start", "late_finish") if late else ("early_start", "early_finish")
    p, s = result.loc[links["pred"]], result.loc[links["succ"]]
    kind = links["type"].to_numpy()
    from_pred = np.where(np.isin(kind, ("FS", "FF")), p[finish], p[start])
    at_succ = np.where(np.isin(kind, ("FS", "SS")), s[start], s[finish])
    return at_succ - from_pred - links["lag"].to_numpy()


def _finish(result: pd.DataFrame) -> np.ndarray:
    """Each task's project finish, from ``attrs``."""
    pf = result.attrs["project_finish"]
    if "project_id" not in result:
        return np.full(len(result), pf[None])
    return result["project_id"].map(pf).to_numpy(float)


# ---------------------------------------------------------------------------------------
# The oracle itself, on hand-computed networks (tests/test_schedule.py has the working)
# ---------------------------------------------------------------------------------------
def test_reference_on_hand_computed_networks():
    """tests/test_schedule.py::test_ss_ff_sf_and_a_lead: R's link to S has a day of slack
    but R ends at the project finish, which caps its free float at 0."""
    tasks = pd.DataFrame({"id": list("PQRS"), "duration": [10, 6, 4, 3]})
    links = pd.DataFrame({"pred": list("PPQR"), "succ": list("QRSS"),
                          "type": ["SS", "FF", "FS", "SF"], "lag": [3, 2, -2, 1]})
    r = reference_cpm(tasks, links)
    assert r["early_start"].to_dict() == {"P": 0, "Q": 3, "R": 8, "S": 7}
    assert r["late_finish"].to_dict() == {"P": 10, "Q": 11, "R": 12, "S": 12}
    assert r["total_float"].to_dict() == {"P": 0, "Q": 2, "R": 0, "S": 2}
    assert r["free_float"].to_dict() == {"P": 0, "Q": 0, "R": 0, "S": 2}


def test_free_float_is_capped_by_the_project_finish():
    """A10 -(SS)-> C1 and B20 -> C: C 20-21, project finish 21.

    The SS link alone would let A slip 20 days, but A would then finish at 30, after the
    project: its free float is 21 - 10 = 11 (= its total float), in the engine and the oracle.
    """
    tasks = pd.DataFrame({"id": list("ABC"), "duration": [10, 20, 1]})
    links = pd.DataFrame({"pred": ["A", "B"], "succ": ["C", "C"], "type": ["SS", "FS"],
                          "lag": [0, 0]})
    for r in (reference_cpm(tasks, links), cpm(tasks, links)):
        assert r.loc["A", "total_float"] == r.loc["A", "free_float"] == 11


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------
@settings(max_examples=EXAMPLES)
@given(networks())
def test_engine_equals_the_reference(net):
    tasks, links = net
    fast, slow = cpm(tasks, links), reference_cpm(tasks, links)
    assert list(fast.index) == list(slow.index) == list(tasks["id"])
    for column in COLUMNS:
        np.testing.assert_array_equal(fast[column].to_numpy(), slow[column].to_numpy(),
                                      err_msg=column)


@settings(max_examples=EXAMPLES)
@given(networks())
def test_dates_floats_and_links_are_consistent(net):
    tasks, links = net
    r = cpm(tasks, links)
    es, ef, ls, lf = (r[c].to_numpy() for c in ("early_start", "early_finish", "late_start",
                                               "late_finish"))
    d = tasks["duration"].to_numpy(float)
    tf, ff = r["total_float"].to_numpy(), r["free_float"].to_numpy()
    finish = _finish(r)
    np.testing.assert_array_equal(ef, es + d)
    np.testing.assert_array_equal(lf, ls + d)
    assert (es >= 0).all()
    assert (es <= ls).all()
    np.testing.assert_array_equal(tf, lf - ef)
    np.testing.assert_array_equal(tf, ls - es)
    assert (tf >= 0).all()
    assert (ff >= 0).all() and (ff <= tf).all()
    assert (lf <= finish).all()
    # The project finish is its latest early finish.
    latest = pd.Series(ef).groupby(r.get("project_id", pd.Series(0, index=r.index)).to_numpy())
    np.testing.assert_array_equal(np.sort(latest.max().to_numpy()),
                                  np.sort(list(r.attrs["project_finish"].values())))
    # Every link holds on the early dates and on the late dates.
    assert (_gaps(r, links) >= 0).all()
    assert (_gaps(r, links, late=True) >= 0).all()
    # Free float is the least slack: of the outgoing links and of the project finish.
    slack = pd.Series(_gaps(r, links)).groupby(links["pred"].to_numpy()).min()
    expected = np.minimum(finish - ef, slack.reindex(r.index, fill_value=np.inf).to_numpy())
    np.testing.assert_array_equal(ff, expected)


@settings(max_examples=EXAMPLES)
@given(networks())
def test_critical_tasks_exist_in_every_project(net):
    tasks, links = net
    r = cpm(tasks, links)
    np.testing.assert_array_equal(r["critical"], r["total_float"] <= 0)
    np.testing.assert_array_equal(r["near_critical"],
                                  (r["total_float"] > 0) & (r["total_float"] <= 10))
    ends = r["early_finish"].to_numpy() == _finish(r)
    assert r["critical"][ends].all()  # whatever finishes a project is critical
    projects = r["project_id"] if "project_id" in r else pd.Series("", index=r.index)
    assert r["critical"].groupby(projects).any().all()


@settings(max_examples=EXAMPLES)
@given(networks())
def test_longest_path_is_a_driving_chain_spanning_each_project(net):
    """The longest path, as defined: the tasks that reach their project finish via links
    with zero slack (driving). Each project finish is then explained by a chain of such
    links that starts at offset 0: replaying the chain's durations and lags from 0 alone
    gives the project finish, so the chain spans the whole project duration.
    """
    tasks, links = net
    r = cpm(tasks, links)
    finish = dict(zip(r.index, _finish(r), strict=True))
    driving = nx.DiGraph()
    driving.add_nodes_from(r.index)
    for (_, link), gap in zip(links.iterrows(), _gaps(r, links), strict=True):
        if gap == 0:
            driving.add_edge(link["pred"], link["succ"], type=link["type"], lag=link["lag"])
    ends = {t for t in r.index if r.at[t, "early_finish"] == finish[t]}
    expected = set(ends).union(*(nx.ancestors(driving, t) for t in ends))
    on_path = set(r.index[r["longest_path"]])
    assert on_path == expected
    assert r.loc[list(on_path), "critical"].all()

    dur = tasks.set_index("id")["duration"]
    for end in ends:
        chain = [end]  # walk back through driving links to a task nothing drives
        while driving.in_degree(chain[-1]):
            chain.append(min(driving.predecessors(chain[-1])))
        chain.reverse()
        assert r.at[chain[0], "early_start"] == 0, chain
        start, fin = 0, dur[chain[0]]
        for p, s in itertools.pairwise(chain):
            link = driving.edges[p, s]
            base = fin if link["type"] in ("FS", "FF") else start
            if link["type"] in ("FS", "SS"):
                start = base + link["lag"]
                fin = start + dur[s]
            else:
                fin = base + link["lag"]
                start = fin - dur[s]
            assert (start, fin) == (r.at[s, "early_start"], r.at[s, "early_finish"]), chain
        assert fin == finish[end], chain


@settings(max_examples=EXAMPLES)
@given(networks(), st.data())
def test_row_order_does_not_matter(net, data):
    tasks, links = net
    base = cpm(tasks, links)
    task_order = data.draw(st.permutations(range(len(tasks))), label="task rows")
    link_order = data.draw(st.permutations(range(len(links))), label="link rows")
    shuffled = cpm(tasks.iloc[task_order], links.iloc[link_order])
    assert list(shuffled.index) == list(tasks["id"].iloc[task_order])
    pd.testing.assert_frame_equal(shuffled.loc[base.index], base, check_exact=True)
    assert shuffled.attrs["project_finish"] == base.attrs["project_finish"]
