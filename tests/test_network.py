"""Dependency analysis: graphs, driving logic and what-if delays, on hand-checked networks.

Offsets are working days from offset 0; finish offsets are exclusive (EF = ES + duration).

tests/data/float_chain (no holidays; offset 0 = Mon 2 March 2026, 5 = Mon 9, 10 = Mon 16,
15 = Mon 23, 20 = Mon 30 March):

    X1 5 ─┬─> X2 10 ───────────────────┐
          └─> X3 3 ─┬─> X4 4 ──────────┼─> XM (milestone) ──> Y2 5 ──> YM (milestone)
                    └─(SS+1)─> X6 1 ───┘                  Y1 6 ──┘
Plan: X1 0-5, X2 5-15, X3 5-8, X4 8-12, X6 6-7, XM 15, Y1 0-6, Y2 15-20, YM 20.
Float: X3 and X4 3 (their path reaches XM at 12, not 15), X6 8, Y1 9; the rest 0.
Status 2026-03 (Fri 6 March, data date 5): X1 complete; Y1 started, 4 days remain -> 5-9.
"""

from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import (
    DataValidationError,
    PMOError,
    Portfolio,
    UnknownReferenceError,
    load_portfolio,
    network,
)
from pmo_lib.network import (
    ImpactResult,
    dependency_graph,
    driving_chain,
    driving_predecessors,
    impact,
    project_graph,
)
from pmo_lib.schedule import cpm, schedule_portfolio

CHAIN = Path(__file__).parent / "data" / "float_chain"
D = pd.Timestamp


@pytest.fixture(scope="module")
def chain():
    return load_portfolio(CHAIN)


def _net(durations: dict, links: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    tasks = pd.DataFrame({"id": list(durations), "duration": list(durations.values())})
    links = pd.DataFrame([(p, s, t, lag) for p, s, t, lag in links],
                         columns=["pred", "succ", "type", "lag"])
    return tasks, links


# ---------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------
def test_dependency_graph_mini(mini):
    g = dependency_graph(mini)
    assert sorted(g.nodes) == ["A1", "A2", "B1", "M1"]
    assert sorted(g.edges) == [("A1", "A2"), ("A2", "M1"), ("M1", "B1")]
    assert g.nodes["M1"] == {"project_id": "P1", "name": "Built", "duration": 0.0,
                             "milestone": True}
    assert g.nodes["A2"]["duration"] == 10.0 and not g.nodes["A2"]["milestone"]
    assert g.edges["M1", "B1"] == {"type": "FS", "lag": 0.0}      # the cross-project link


def test_dependency_graph_sample(sample):
    g = dependency_graph(sample)
    assert g.number_of_nodes() == len(sample.tasks) == 663
    assert g.number_of_edges() == len(sample.links) == 865
    assert nx.is_directed_acyclic_graph(g)
    types = pd.Series([t for _, _, t in g.edges(data="type")]).value_counts()
    assert types.to_dict() == sample.links["type"].value_counts().to_dict()


def test_project_graph_mini(mini):
    g = project_graph(mini)
    assert sorted(g.nodes) == ["P1", "P2"]
    assert g.nodes["P2"] == {"name": "Deploy", "programme": "Alpha"}
    assert list(g.edges(data=True)) == [
        ("P1", "P2", {"links": [("M1", "B1", "FS", 0.0)], "count": 1})]


def test_project_graph_sample(sample):
    g = project_graph(sample)
    owner = sample.tasks.set_index("id")["project_id"]
    cross = sample.links[sample.links["pred"].map(owner) != sample.links["succ"].map(owner)]
    assert len(cross) >= 10
    assert sum(c for _, _, c in g.edges(data="count")) == len(cross) == 16
    assert g.number_of_nodes() == 11 and nx.number_of_selfloops(g) == 0
    # README: DCM's wave 4 feeds the ERP's first integration test; the ERP feeds WMS.
    assert g.edges["DCM", "ERP"]["count"] == 2
    assert ("ERP-0082", "WMS-0032", "FS", 0.0) in g.edges["ERP", "WMS"]["links"]
    assert ("ERP-0044", "DAT-0013", "FS", -10.0) in g.edges["ERP", "DAT"]["links"]
    assert "ERP" in nx.ancestors(g, "WMS")


# ---------------------------------------------------------------------------------------
# Driving predecessors and chains
# ---------------------------------------------------------------------------------------
def test_driving_predecessors_with_a_tie():
    """A3 and B3 both finish at 3 and feed C2 (a tie); C -> D4; E1 -> D has slack 4.

    C 3-5, D 5-9. Links: A->C 0, B->C 0, C->D 0, E->D 5 - 1 = 4.
    """
    tasks, links = _net({"A": 3, "B": 3, "C": 2, "D": 4, "E": 1},
                        [("A", "C", "FS", 0), ("B", "C", "FS", 0), ("C", "D", "FS", 0),
                         ("E", "D", "FS", 0)])
    s = cpm(tasks, links)
    d = driving_predecessors(s, links)
    assert list(d.index) == ["A", "B", "C", "D", "E"]
    assert d["predecessors"].to_dict() == {"A": (), "B": (), "C": ("A", "B"), "D": ("C",),
                                           "E": ()}
    assert d["types"].to_dict()["C"] == ("FS", "FS")
    assert d["count"].to_dict() == {"A": 0, "B": 0, "C": 2, "D": 1, "E": 0}
    assert list(d.index[d["tie"]]) == ["C"]
    assert d["driven_by"].to_dict() == {"A": "start or constraint", "B": "start or constraint",
                                        "C": "logic", "D": "logic", "E": "start or constraint"}
    assert driving_chain(s, links, "D") == ["A", "B", "C", "D"]          # both tied branches
    assert driving_chain(s, links, "D", ties="first") == ["A", "C", "D"]  # smallest id
    assert driving_chain(s, links, "E") == ["E"]


def test_driving_with_ss_ff_sf_links():
    """P10 -(SS+3)-> Q6; P -(FF+2)-> R4; Q -(FS-2)-> S3; R -(SF+1)-> S; R -(SF+3)-> T2.

    As in test_schedule: P 0-10, Q 3-9, R 8-12, S 7-10 (slack of R->S: 10 - 1 - 8 = 1).
    T: EF >= ES_R + 3 = 11, so T 9-11 and R->T drives.
    """
    tasks, links = _net({"P": 10, "Q": 6, "R": 4, "S": 3, "T": 2},
                        [("P", "Q", "SS", 3), ("P", "R", "FF", 2), ("Q", "S", "FS", -2),
                         ("R", "S", "SF", 1), ("R", "T", "SF", 3)])
    s = cpm(tasks, links)
    assert s["early_start"].to_dict() == {"P": 0, "Q": 3, "R": 8, "S": 7, "T": 9}
    d = driving_predecessors(s, links)
    assert d["predecessors"].to_dict() == {"P": (), "Q": ("P",), "R": ("P",), "S": ("Q",),
                                           "T": ("R",)}
    assert d["types"].to_dict() == {"P": (), "Q": ("SS",), "R": ("FF",), "S": ("FS",),
                                    "T": ("SF",)}
    assert not d["tie"].any()
    assert driving_chain(s, links, "S") == ["P", "Q", "S"]
    assert driving_chain(s, links, "T") == ["P", "R", "T"]


def test_driving_with_progress(mini):
    """Mini at 2026-01: A1 complete, A2 resumes at the data date, M1 and B1 follow by logic;
    A1 -> A2 no longer drives (A2's remaining work waits for the data date, not for A1)."""
    s = schedule_portfolio(mini, "2026-01")
    d = driving_predecessors(s, mini.links)
    assert d["driven_by"].to_dict() == {"A1": "complete", "A2": "data date", "M1": "logic",
                                        "B1": "logic"}
    assert driving_chain(s, mini.links, "B1") == ["A2", "M1", "B1"]
    plan = schedule_portfolio(mini)
    assert driving_chain(plan, mini.links, "B1") == ["A1", "A2", "M1", "B1"]


def test_driving_on_the_float_chain(chain):
    s = schedule_portfolio(chain)
    d = driving_predecessors(s, chain.links)
    assert d.loc["XM", "predecessors"] == ("X2",)              # X4 and X6 have float
    assert d.loc["Y2", "predecessors"] == ("XM",)              # Y1 has 9 days of slack
    assert d.loc["X6", "predecessors"] == ("X3",) and d.loc["X6", "types"] == ("SS",)
    assert driving_chain(s, chain.links, "YM") == ["X1", "X2", "XM", "Y2", "YM"]


def test_driving_chain_errors(mini):
    s = schedule_portfolio(mini)
    with pytest.raises(UnknownReferenceError, match=r"'A3'.*unknown task.*did you mean 'A2', 'A1'"):
        driving_chain(s, mini.links, "A3")
    with pytest.raises(DataValidationError, match=r"unknown tie rule 'longest'.*all, first"):
        driving_chain(s, mini.links, "B1", ties="longest")


# ---------------------------------------------------------------------------------------
# Impact of a delay
# ---------------------------------------------------------------------------------------
def test_impact_beyond_the_float(chain):
    """X3 + 5 days: X3 5-13, X4 13-17 (both +5); XM waits for max(X2 15, X4 17) = 17 (+2);
    Y2 17-22 and YM 22 (+2). The X3 -> X4 path had 3 days of float: 3 absorbed, 2 pass on.
    X6 hangs off X3's start (SS) and does not move."""
    r = impact(chain, "X3", 5)
    assert isinstance(r, ImpactResult) and r.task_id == "X3" and r.delay_days == 5.0
    assert r.tasks["moved_by"].to_dict() == {"X3": 5.0, "X4": 5.0, "XM": 2.0, "Y2": 2.0,
                                             "YM": 2.0}
    assert r.tasks.loc["X3", "finish_before"] == D("2026-03-11")
    assert r.tasks.loc["X3", "finish_after"] == D("2026-03-18")
    assert r.tasks.loc["XM", "finish_after"] == D("2026-03-24")
    assert list(r.tasks.columns) == ["project_id", "name", "milestone", "finish_before",
                                     "finish_after", "moved_by"]
    assert r.milestones["moved_by"].to_dict() == {"XM": 2.0, "YM": 2.0}
    assert r.projects["slip"].to_dict() == {"X": 2.0, "Y": 2.0}
    assert r.projects.loc["Y", "finish_before"] == D("2026-03-27")
    assert r.projects.loc["Y", "finish_after"] == D("2026-03-31")
    assert r.portfolio_slip == 2.0
    assert r.absorbed["absorbed"].to_dict() == {"XM": 3.0, "Y2": 3.0, "YM": 3.0}
    assert r.absorbed["moved_by"].to_dict() == {"XM": 2.0, "Y2": 2.0, "YM": 2.0}
    assert "X6" not in r.tasks.index and "X6" not in r.absorbed.index


def test_impact_within_the_float(chain):
    """X3 + 2 days (float 3): only X3 and X4 move; XM, Y2 and YM absorb all of it."""
    r = impact(chain, "X3", 2)
    assert r.tasks["moved_by"].to_dict() == {"X3": 2.0, "X4": 2.0}
    assert r.milestones.empty
    assert r.projects["slip"].to_dict() == {"X": 0.0, "Y": 0.0}
    assert r.absorbed["absorbed"].to_dict() == {"XM": 2.0, "Y2": 2.0, "YM": 2.0}
    assert r.absorbed["moved_by"].to_dict() == {"XM": 0.0, "Y2": 0.0, "YM": 0.0}
    assert r.absorbed["total_float"].to_dict() == {"XM": 0.0, "Y2": 0.0, "YM": 0.0}
    assert list(r.absorbed.columns) == ["project_id", "name", "milestone", "total_float",
                                        "free_float", "moved_by", "absorbed"]


def test_impact_on_a_task_with_float_and_no_successor_effect(chain):
    """Y1 (float 9 in the plan) + 4 days: Y1 moves 4, Y2 not at all (9 days of slack)."""
    r = impact(chain, "Y1", 4)
    assert r.tasks["moved_by"].to_dict() == {"Y1": 4.0}
    assert r.absorbed["absorbed"].to_dict() == {"Y2": 4.0, "YM": 4.0}
    assert r.projects["slip"].to_dict() == {"X": 0.0, "Y": 0.0}


def test_impact_on_a_task_in_progress(chain):
    """At 2026-03 Y1 has 4 days left from the data date 5 (EF 9). +10 days: EF 19.
    Y2 waits for max(XM 15, Y1 19) = 19: 19-24 (+4); the 6 days of slack absorb the rest."""
    r = impact(chain, "Y1", 10, month="2026-03")
    assert r.month == pd.Period("2026-03", "M")
    assert r.before.loc["Y1", "early_finish"] == 9 and r.after.loc["Y1", "early_finish"] == 19
    assert r.tasks["moved_by"].to_dict() == {"Y1": 10.0, "Y2": 4.0, "YM": 4.0}
    assert r.projects["slip"].to_dict() == {"X": 0.0, "Y": 4.0}
    assert r.absorbed["absorbed"].to_dict() == {"Y2": 6.0, "YM": 6.0}


def test_impact_on_a_complete_task_warns_and_moves_nothing(chain):
    with pytest.warns(UserWarning, match=r"'X1' is complete at 2026-03"):
        r = impact(chain, "X1", 5, month="2026-03")
    assert r.tasks.empty and r.absorbed.empty
    assert (r.projects["slip"] == 0).all()


def test_impact_mini_crosses_projects(mini):
    r = impact(mini, "A1", 2)
    assert r.tasks["moved_by"].to_dict() == {"A1": 2.0, "A2": 2.0, "M1": 2.0, "B1": 2.0}
    assert r.projects["slip"].to_dict() == {"P1": 2.0, "P2": 2.0}
    assert r.absorbed.empty


def test_impact_sample_crosses_projects(sample):
    """The ERP's second test cycle (ERP-0082) feeds the warehouse system (WMS-0032)."""
    r = impact(sample, "ERP-0082", 30, month="2026-04")
    assert r.tasks.loc["ERP-0082", "moved_by"] == 30
    assert (r.tasks["moved_by"] <= 30 + 1e-9).all() and (r.tasks["moved_by"] > 0).all()
    down = nx.descendants(dependency_graph(sample), "ERP-0082")
    assert set(r.tasks.index) - {"ERP-0082"} <= down
    assert "WMS" in set(r.tasks["project_id"])
    assert set(r.absorbed.index) <= down
    assert (r.absorbed["moved_by"] < 30).all()
    assert r.projects.loc["DCM", "slip"] == 0


def test_impact_errors(chain):
    with pytest.raises(UnknownReferenceError, match=r"'X9'.*unknown task.*did you mean"):
        impact(chain, "X9", 5)
    with pytest.raises(PMOError, match="X9"):
        impact(chain, "X9", 5)
    with pytest.raises(DataValidationError, match=r"-1 is not a delay"):
        impact(chain, "X3", -1)
    with pytest.raises(DataValidationError, match="not a delay"):
        impact(chain, "X3", float("nan"))
    with pytest.raises(PMOError, match="no status snapshot for 2025-01"):
        impact(chain, "X3", 1, month="2025-01")


def test_impact_at_a_month_on_a_portfolio_built_in_code(chain):
    """A portfolio built in code has pandas ``str`` columns: delaying a task with no open
    status row (X3 has not started at 2026-03) used to fail writing an empty selection."""
    built = replace(chain, status=chain.status.astype({"task_id": "str"}))
    r = impact(built, "X3", 5, month="2026-03")
    assert r.tasks["moved_by"].to_dict() == \
        impact(chain, "X3", 5, month="2026-03").tasks["moved_by"].to_dict() == \
        {"X3": 5.0, "X4": 5.0, "XM": 2.0, "Y2": 2.0, "YM": 2.0}


def test_module_exports():
    assert set(network.__all__) >= {"dependency_graph", "project_graph", "driving_predecessors",
                                    "driving_chain", "impact", "ImpactResult", "dependency_map",
                                    "links_at_risk", "project_dependencies", "slip_impact",
                                    "SlipImpact", "LINK_STATUSES", "DEPENDENCY_COLUMNS"}


# ---------------------------------------------------------------------------------------
# Properties on random networks
# ---------------------------------------------------------------------------------------
@st.composite
def _random_portfolio(draw):
    """Up to 12 tasks in two projects; links only from a lower to a higher number (a DAG)."""
    n = draw(st.integers(2, 12))
    durations = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          max_size=2 * n, unique=True))
    pairs = sorted({(a, b) for a, b in pairs if a < b})
    types = draw(st.lists(st.sampled_from(["FS", "FS", "SS", "FF", "SF"]),
                          min_size=len(pairs), max_size=len(pairs)))
    lags = draw(st.lists(st.integers(-2, 3), min_size=len(pairs), max_size=len(pairs)))
    ids = [f"T{i:02d}" for i in range(n)]
    projects = pd.DataFrame({
        "id": ["P", "Q"], "name": ["P", "Q"], "programme": "X", "manager": "M", "sponsor": "S",
        "methodology": "waterfall", "start_date": D("2026-03-02"), "budget": 1.0,
        "priority": 1})
    tasks = pd.DataFrame({
        "id": ids, "project_id": ["P" if i % 2 == 0 else "Q" for i in range(n)], "name": ids,
        "wbs": ids, "duration": np.asarray(durations, float),
        "baseline_start": D("2026-03-02"), "baseline_finish": D("2026-03-02"), "budget": 1.0,
        "milestone": np.asarray(durations) == 0, "constraint_type": "ASAP",
        "constraint_date": pd.NaT})
    links = pd.DataFrame({"pred": [ids[a] for a, _ in pairs], "succ": [ids[b] for _, b in pairs],
                          "type": types, "lag": np.asarray(lags, float)},
                         columns=["pred", "succ", "type", "lag"])
    return Portfolio(projects=projects, tasks=tasks, links=links, name="random")


@settings(max_examples=40)
@given(pf=_random_portfolio(), pick=st.integers(0, 11), delay=st.integers(0, 8))
def test_impact_properties(pf, pick, delay):
    task = pf.tasks["id"].iloc[pick % len(pf.tasks)]
    r = impact(pf, task, delay)
    moved = r.tasks["moved_by"]
    # A longer duration never pulls anything earlier, nor pushes anything further than itself.
    assert ((moved > 0) & (moved <= delay + 1e-9)).all()
    if delay:
        assert moved[task] == delay
    down = nx.descendants(dependency_graph(pf), task)
    assert set(moved.index) - {task} <= down
    assert set(r.absorbed.index) <= down
    assert (r.absorbed["absorbed"] > 0).all()
    assert not set(r.absorbed.index) & set(moved[moved >= delay - 1e-9].index)
    slip = r.projects["slip"]
    assert ((slip >= 0) & (slip <= delay + 1e-9)).all()
    # A project slips by its furthest-moved task (its finish is its latest early finish).
    late = r.after.groupby("project_id")["early_finish"].max()
    assert (late - r.before.groupby("project_id")["early_finish"].max()).round(6).to_dict() \
        == slip.to_dict()


@settings(max_examples=40)
@given(pf=_random_portfolio())
def test_driving_chain_properties(pf):
    s = schedule_portfolio(pf)
    d = driving_predecessors(s, pf.links)
    for task in s.index:
        chain = driving_chain(s, pf.links, task)
        assert chain[-1] == task and len(set(chain)) == len(chain)
        # Every task of the chain but the origins is driven by an earlier task of the chain.
        seen = set()
        for t in chain:
            preds = set(d.loc[t, "predecessors"])
            assert preds <= set(chain)
            assert preds <= seen
            seen.add(t)
        single = driving_chain(s, pf.links, task, ties="first")
        assert single[-1] == task and set(single) <= set(chain)
        assert all(a in d.loc[b, "predecessors"] for a, b in pairwise(single))
