"""Tests of the resource levelling what-if (pmo_lib.widgets: levelling_case,
levelling_what_if and levelling_panel), built headlessly.

Hand-checked on the teaching example of notebook 05 (:func:`two_project_portfolio`; every
day a working day, day 0 = Mon 2 March 2026): WEB (rank 1) W1 2 d → W2 5 d → W3 2 d, RPT
(rank 2) R1 3 d → R2 2 d; Ana (capacity 1) on W1, W3, R1 and R2.

* As ranked, R1 waits for W1 (days 2–4), R2 days 5–6: RPT finishes on day 7 (Sun 8 Mar)
  instead of day 5, a slip of 2; WEB does not move (day 9, Tue 10 Mar).
* RPT first (RPT 1, WEB 2): W1 waits for R1 and R2 until day 5, WEB finishes on day 14
  (Sun 15 Mar), a slip of 5; RPT does not move. Equal ranks compete as one: the shortest
  schedule, the same as WEB first.
* Ana with capacity 2 (or 1 + one person added): nobody waits. Capacity 1.5 still cannot
  hold W1 and R1 (2 units) together: RPT slips 2.
* With a second analyst, Ben, on R1: nobody waits; when Ben leaves, Ana takes R1 over and RPT
  slips 2 again; when Ana leaves, Ben takes everything: the same.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
    widgets,
)
from pmo_lib.exercises import resources as training

SCHEDULES = 200  # the panel's default budget
SEED = 0


@pytest.fixture(scope="module")
def pair():
    return training.two_project_portfolio()


@pytest.fixture(scope="module")
def pair_case(pair):
    return widgets.levelling_case(pair, schedules=50, seed=SEED)


@pytest.fixture(scope="module")
def two_analysts(pair):
    """The teaching example with Ben, a second analyst, gathering the figures (R1)."""
    ben = pair.resources.iloc[[0]].assign(id="BEN", name="Ben")
    assignments = pair.assignments.copy()
    assignments.loc[assignments["task_id"] == "R1", "resource_id"] = "BEN"
    return dataclasses.replace(pair, resources=pd.concat([pair.resources, ben],
                                                         ignore_index=True),
                               assignments=assignments)


@pytest.fixture(scope="module")
def sample_case(request):
    return widgets.levelling_case(request.getfixturevalue("sample"), schedules=SCHEDULES,
                                  seed=SEED)


def _slips(what_if) -> dict:
    return what_if.table["what_if_slip"].to_dict()


# ----------------------------------------------------------------------------------------
# The case
# ----------------------------------------------------------------------------------------
def test_levelling_case_on_the_teaching_example(pair_case):
    case = pair_case
    assert case.month is None and "from the project start dates" in case.name
    assert (case.schedules, case.seed, case.warnings) == (50, SEED, ())
    assert case.priorities.to_dict() == {"WEB": 1, "RPT": 2}
    assert case.resources.to_dict("records") == [
        {"id": "ANA", "name": "Ana", "role": "Business Analyst", "capacity": 1.0,
         "open_tasks": 4, "delayed_tasks": 1}]
    projects = case.levelled.projects
    assert projects["slip"].to_dict() == {"WEB": 0, "RPT": 2}
    assert projects["levelled_finish"].to_dict() == {"WEB": pd.Timestamp("2026-03-10"),
                                                     "RPT": pd.Timestamp("2026-03-08")}


def test_levelling_case_on_the_sample(sample, sample_case):
    case = sample_case
    assert case.month == sample.latest_month and str(case.month) in case.name
    assert len(case.resources) == len(sample.resources)
    assert any("more units than the resource's capacity" in w for w in case.warnings)
    top = case.resources.sort_values("delayed_tasks", ascending=False).iloc[0]
    assert (top["id"], top["role"]) == ("R35", "Trainer")
    assert case.resources["delayed_tasks"].sum() == (
        case.levelled.tasks["delay_source"] == case.levelled.tasks.index).sum()
    assert case.priorities.to_dict() == dict(zip(sample.projects["id"],
                                                 sample.projects["priority"], strict=True))
    with pytest.raises(MissingDataError, match="no status snapshot for 2020-01"):
        widgets.levelling_case(sample, "2020-01")


# ----------------------------------------------------------------------------------------
# The what-if
# ----------------------------------------------------------------------------------------
def test_no_change_reproduces_the_case(pair_case):
    same = widgets.levelling_what_if(pair_case)
    assert tuple(same.table.columns) == widgets.LEVELLING_COLUMNS
    assert same.changes == () and same.warnings == ()
    assert (same.table["change"] == 0).all()
    assert same.table["what_if_finish"].equals(same.table["levelled_finish"])
    assert same.table["finish"].to_dict() == {"WEB": pd.Timestamp("2026-03-10"),
                                              "RPT": pd.Timestamp("2026-03-06")}


def test_flipping_the_priorities(pair_case):
    flip = widgets.levelling_what_if(pair_case, priorities={"RPT": 1, "WEB": 2})
    t = flip.table
    assert t["what_if_priority"].to_dict() == {"WEB": 2, "RPT": 1}
    assert t["priority"].to_dict() == {"WEB": 1, "RPT": 2}
    assert _slips(flip) == {"WEB": 5, "RPT": 0} and t["change"].to_dict() == {"WEB": 5,
                                                                              "RPT": -2}
    assert t.at["WEB", "what_if_finish"] == pd.Timestamp("2026-03-15")
    assert "over-booked by R2" in t.at["WEB", "reason"] and t.at["RPT", "reason"] == ""
    assert flip.changes == ("RPT: priority 2 → 1", "WEB: priority 1 → 2")
    # Equal ranks compete as one: the shortest schedule, WEB's chain untouched.
    tie = widgets.levelling_what_if(pair_case, priorities={"WEB": 2})
    assert _slips(tie) == {"WEB": 0, "RPT": 2} and tie.changes == ("WEB: priority 1 → 2",)


def test_capacity_and_people(pair_case):
    assert _slips(widgets.levelling_what_if(pair_case, capacities={"ANA": 2})) == {
        "WEB": 0, "RPT": 0}
    more = widgets.levelling_what_if(pair_case, added={"ANA": 1})
    assert _slips(more) == {"WEB": 0, "RPT": 0} and more.table["change"].tolist() == [0, -2]
    assert more.resources.set_index("id").at["ANA", "capacity"] == 2.0
    assert more.changes == ("ANA Ana: +1 person (capacity 2)",)
    assert more.table.at["RPT", "what_if_finish"] == pd.Timestamp("2026-03-06")
    # Capacity 0.5 + 1 person = 1.5: W1 and R1 (1 unit each) still cannot run together.
    both = widgets.levelling_what_if(pair_case, capacities={"ANA": 0.5}, added={"ANA": 1})
    assert _slips(both) == {"WEB": 0, "RPT": 2}
    assert both.changes == ("ANA Ana: capacity 1 → 0.5", "ANA Ana: +1 person (capacity 1.5)")
    # Half time alone: each task still needs a whole person; the kit warns and levels on.
    half = widgets.levelling_what_if(pair_case, capacities={"ANA": 0.5})
    assert _slips(half) == {"WEB": 0, "RPT": 2}
    assert any("need more units than the resource's capacity" in w for w in half.warnings)
    with pytest.raises(DataValidationError, match="'ANA' has no capacity but unfinished task"):
        widgets.levelling_what_if(pair_case, capacities={"ANA": 0})


def test_a_resource_leaves(pair_case, two_analysts):
    case = widgets.levelling_case(two_analysts, schedules=50, seed=SEED)
    assert case.levelled.projects["slip"].to_dict() == {"WEB": 0, "RPT": 0}
    for removed in ({"BEN": None}, ["BEN"], {"BEN": "ANA"}):
        gone = widgets.levelling_what_if(case, removed=removed)
        assert _slips(gone) == {"WEB": 0, "RPT": 2}, removed
        assert gone.resources["id"].tolist() == ["ANA"]
        assert gone.changes == ("BEN Ben removed: 1 assignment(s) go to ANA Ana",)
        assert "ANA Business Analyst over-booked by W1" in gone.table.at["RPT", "reason"]
    ana_leaves = widgets.levelling_what_if(case, removed=["ANA"])
    assert _slips(ana_leaves) == {"WEB": 0, "RPT": 2}
    assert ana_leaves.changes == ("ANA Ana removed: 3 assignment(s) go to BEN Ben",)
    assert set(ana_leaves.levelled.assignments["resource_id"]) == {"BEN"}
    with pytest.raises(DataValidationError, match="no other Business Analyst can take over"):
        widgets.levelling_what_if(pair_case, removed=["ANA"])
    with pytest.raises(DataValidationError, match="no other Business Analyst"):
        widgets.levelling_what_if(case, removed=["ANA", "BEN"])
    with pytest.raises(DataValidationError, match="BEN's work cannot go to 'ANA': it is removed"):
        widgets.levelling_what_if(case, removed={"BEN": "ANA", "ANA": "BEN"})
    with pytest.raises(DataValidationError, match="cannot go to 'ZED': it is not a resource"):
        widgets.levelling_what_if(case, removed={"BEN": "ZED"})


def test_what_if_errors(pair_case):
    with pytest.raises(UnknownReferenceError, match="unknown resource 'R99'; the resources are"):
        widgets.levelling_what_if(pair_case, capacities={"R99": 1})
    with pytest.raises(UnknownReferenceError, match="unknown resource 'R98'"):
        widgets.levelling_what_if(pair_case, added={"R98": 1})
    with pytest.raises(UnknownReferenceError, match="unknown resource 'R97'"):
        widgets.levelling_what_if(pair_case, removed=["R97"])
    for bad in (-1, "lots", np.nan, True):
        with pytest.raises(DataValidationError, match="a capacity must be a number >= 0"):
            widgets.levelling_what_if(pair_case, capacities={"ANA": bad})
    for bad in (-1, 1.5, "2", True):
        with pytest.raises(DataValidationError, match="people added must be a whole number"):
            widgets.levelling_what_if(pair_case, added={"ANA": bad})
    with pytest.raises(DataValidationError, match="capacities must map resource ids"):
        widgets.levelling_what_if(pair_case, capacities=[("ANA", 2)])
    with pytest.raises(UnknownReferenceError, match="unknown project 'ZZZ'"):
        widgets.levelling_what_if(pair_case, priorities={"ZZZ": 1})
    with pytest.raises(DataValidationError, match="rank must be a whole number"):
        widgets.levelling_what_if(pair_case, priorities={"WEB": 0})
    assert pair_case.resources["capacity"].tolist() == [1.0]  # the case is not changed


def test_moving_a_project_to_the_front_on_the_sample(sample_case):
    """Checked with the panel's default budget and seed, for every project of the sample:
    rank 1 never makes the project itself finish later (levelling is a heuristic, so this
    is a property of this data and seed, not a theorem)."""
    base = sample_case.levelled.projects
    for project in base.index:
        front = widgets.levelling_what_if(sample_case, priorities={project: 1})
        assert front.table.at[project, "what_if_slip"] <= base.at[project, "slip"], project
        if base.at[project, "priority"] == 1:
            assert front.changes == () and (front.table["change"] == 0).all()
    wms = widgets.levelling_what_if(sample_case, priorities={"WMS": 1})
    assert wms.table.at["WMS", "change"] < -100  # WMS waited for the trainer behind DAT
    assert (wms.table["change"] > 0).any()  # ... and others now wait


def test_people_and_leavers_on_the_sample(sample_case):
    base = sample_case.levelled.projects
    waiting = base.index[base["delay_resource"] == "R35"]
    assert set(waiting) == {"CRM", "DAT", "PLT", "WMS"}
    more = widgets.levelling_what_if(sample_case, added={"R35": 1})
    assert more.table.loc[waiting, "what_if_slip"].sum() < base.loc[waiting, "slip"].sum() / 2
    assert more.table.loc[["DAT", "WMS"], "change"].max() < -100
    with pytest.raises(DataValidationError, match="no other Trainer can take over R35's work"):
        widgets.levelling_what_if(sample_case, removed=["R35"])
    gone = widgets.levelling_what_if(sample_case, removed=["R16"])
    assert gone.changes[0].startswith("R16 Test automation team removed: ")
    assert gone.changes[0].endswith("go to R14 Laura Fischer")  # of R14 and R15 (both 1): R14
    assert "R16" not in set(gone.resources["id"])
    assert not (gone.levelled.tasks["delay_resource"] == "R16").any()


# ----------------------------------------------------------------------------------------
# The panel
# ----------------------------------------------------------------------------------------
def test_levelling_panel_on_the_teaching_example(pair):
    panel = widgets.levelling_panel(pair, schedules=50, heat_map=False)
    assert panel.error is None and panel.figures is panel.as_is
    assert _slips(panel.figures) == {"WEB": 0, "RPT": 2}
    assert panel.resource.value == "ANA" and panel.capacity.value == 1.0
    assert panel.people.value == 0 and not panel.remove.value
    assert panel.remove.disabled and panel.hand_to.options == ()  # Ana has no colleague
    assert panel.project.value == "RPT" and panel.rank.value == 2  # the one that slips most
    assert "Changes:</b> none" in panel._changes.value
    assert "08 Mar 2026" in panel._table.value and "+0" in panel._table.value
    assert bytes(panel._chart.value).startswith(b"\x89PNG")
    # One person more: nobody waits; back to none: the figures as they are.
    panel.people.value = 1
    assert panel.added == {"ANA": 1} and _slips(panel.figures) == {"WEB": 0, "RPT": 0}
    assert "+1 person (capacity 2)" in panel._changes.value and "-2" in panel._table.value
    panel.people.value = 0
    assert panel.added == {} and panel.figures.table.equals(panel.as_is.table)
    panel.capacity.value = 2.0
    assert panel.capacities == {"ANA": 2.0} and _slips(panel.figures)["RPT"] == 0
    panel.capacity.value = 1.0
    assert panel.capacities == {}
    # Priorities: RPT to 1 ties with WEB (no change), WEB to 2 flips them.
    panel.rank.value = 1
    assert panel.priorities == {"RPT": 1} and _slips(panel.figures) == {"WEB": 0, "RPT": 2}
    panel.project.value = "WEB"
    assert panel.rank.value == 1
    panel.rank.value = 2
    assert panel.priorities == {"RPT": 1, "WEB": 2}
    assert _slips(panel.figures) == {"WEB": 5, "RPT": 0}
    assert "15 Mar 2026" in panel._table.value and "+5" in panel._table.value
    assert "1 → <b>2</b>" in panel._table.value
    # The heat map switch redraws the chart; reset clears every change.
    small_chart = bytes(panel._chart.value)
    panel.heat_map.value = True
    assert bytes(panel._chart.value) != small_chart
    panel.capacity.value = 3.0
    panel.reset.click()
    assert (panel.capacities, panel.added, panel.removed, panel.priorities) == ({}, {}, {}, {})
    assert panel.capacity.value == 1.0 and panel.rank.value == 1  # WEB's registered rank
    assert panel.figures.table.equals(panel.as_is.table) and panel.error is None


def test_levelling_panel_removes_a_resource(two_analysts):
    panel = widgets.levelling_panel(two_analysts, schedules=50, heat_map=False)
    assert _slips(panel.figures) == {"WEB": 0, "RPT": 0}
    panel.resource.value = "BEN"
    assert not panel.remove.disabled and panel.hand_to.value == "ANA"
    panel.remove.value = True
    assert panel.removed == {"BEN": "ANA"} and _slips(panel.figures) == {"WEB": 0, "RPT": 2}
    assert "BEN Ben removed: 1 assignment(s) go to ANA Ana" in panel._changes.value
    panel.resource.value = "ANA"  # another resource: the removal stays
    assert not panel.remove.value and panel.removed == {"BEN": "ANA"}
    panel.resource.value = "BEN"
    assert panel.remove.value
    panel.remove.value = False
    assert panel.removed == {} and _slips(panel.figures) == {"WEB": 0, "RPT": 0}


def test_levelling_panel_keeps_the_last_figures_on_an_error(pair, monkeypatch):
    panel = widgets.levelling_panel(pair, schedules=50, heat_map=False)
    shown = panel.figures
    panel.capacity.value = 0.0  # W1 needs Ana: it could never be scheduled
    assert "has no capacity" in panel.error and "Not levelled" in panel._message.value
    assert panel.figures is shown
    panel.capacity.value = 2.0
    assert panel.error is None and panel._message.value == ""
    assert _slips(panel.figures)["RPT"] == 0

    def broken(*args, **kwargs):
        raise PMOError("levelling broken")

    monkeypatch.setattr(widgets, "levelling_what_if", broken)
    shown = panel.figures
    panel.people.value = 1
    assert panel.error == "levelling broken" and panel.figures is shown
    monkeypatch.undo()
    panel.people.value = 2
    assert panel.error is None and panel.added == {"ANA": 2}


def test_levelling_panel_controls_move_the_figures_on_the_sample(sample, sample_case):
    panel = widgets.levelling_panel(sample, schedules=SCHEDULES, seed=SEED)
    assert panel.resource.value == "R35"  # delays most tasks: listed first
    assert panel.project.value == sample_case.levelled.projects["slip"].idxmax()
    assert panel.figures.table.equals(widgets.levelling_what_if(sample_case).table)
    assert any("Note:" in line for line in panel._changes.value.split("<div"))
    panel.people.value = 1
    expected = widgets.levelling_what_if(sample_case, added={"R35": 1})
    assert panel.figures.table.equals(expected.table)
    panel.project.value = "WMS"
    panel.rank.value = 1
    both = widgets.levelling_what_if(sample_case, added={"R35": 1}, priorities={"WMS": 1})
    assert panel.figures.table.equals(both.table)
    assert panel.figures.changes == both.changes
    panel.resource.value = "R35"
    assert panel.remove.disabled  # the only trainer
    panel.reset.click()
    assert panel.figures.table.equals(panel.as_is.table)
