"""Tests of the portfolio selection what-if (pmo_lib.widgets: selection_case and
selection_panel) and of its charts (pmo_lib.plots: efficient_frontier, score_breakdown), built
headlessly.

Hand-checked on four candidates (cost, value; alignment and risk on 1–5):

    A 6, 60 (5, 3)   B 5, 50 (2, 2)   C 5, 45 (4, 1)   D 4, 20 (1, 3)

* value: budget 10 → B + C = 95 (down the list by value: A, then only D fits, 80); 11 →
  A + B = 110; 15 → A + B + D = 130; 16 → A + B + C = 155; 20 → all, 175. The frontier's
  breakpoints: 0 (), 4 D 20, 5 B 50, 6 A 60, 9 B+D 70, 10 B+C 95, 11 A+B 110, 14 B+C+D 115,
  15 A+B+D 130, 16 A+B+C 155, 20 all 175.
* weighted score with alignment 4 and risk 1 (0.8 / 0.2; risk lower is better):
  A 0.8 × 1 + 0.2 × 0.5 = 0.9 (90 points), B 0.8 × 0.25 + 0.2 × 0.75 = 0.35 (35), C 0.8 ×
  0.75 + 0.2 × 1 = 0.8 (80), D 0 + 0.2 × 0.5 = 0.1 (10). Budget 11 → A + C = 170 points (the
  value would pick A + B); budget 10 → B + C = 115.
* with risk alone (alignment 0): A 50, B 75, C 100, D 50 points; budget 11 → B + C = 175;
  with C forced out, A + B and B + D tie at 125 and the cheaper B + D (cost 9) is chosen.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from pmo_lib import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
    plots,
    widgets,
)
from pmo_lib import portfolio as pf
from pmo_lib.errors import InfeasibleError

WEIGHTS = {"alignment": 4, "risk": 1}
SCALES = {"alignment": (1, 5), "risk": (1, 5)}


def _tiny(**columns) -> pd.DataFrame:
    table = pd.DataFrame({"id": ["A", "B", "C", "D"],
                          "name": ["Alpha", "Bravo", "Charlie", "Delta"],
                          "programme": ["X", "X", "Y", "Y"], "value": [60, 50, 45, 20],
                          "cost": [6, 5, 5, 4], "alignment": [5, 2, 4, 1], "risk": [3, 2, 1, 3]})
    for name, values in columns.items():
        table[name] = values
    return table


def _enumerate(table: pd.DataFrame, budget: float, value: str = "value") -> float:
    """The best value within the budget that keeps mandatory, requires and excludes."""
    t = table.set_index("id")
    best = -np.inf
    for k in range(len(t) + 1):
        for combo in itertools.combinations(t.index, k):
            s = set(combo)
            if t.loc[list(combo), "cost"].sum() > budget + 1e-9:
                continue
            if "mandatory" in t and not set(t.index[t["mandatory"].astype(bool)]) <= s:
                continue
            if "requires" in t and any(r and r not in s for c in combo
                                       for r in str(t.at[c, "requires"]).split(";")):
                continue
            if "excludes" in t and any(r and r in s for c in combo
                                       for r in str(t.at[c, "excludes"]).split(";")):
                continue
            best = max(best, float(t.loc[list(combo), value].sum()))
    return best


# ----------------------------------------------------------------------------------------
# The pure function
# ----------------------------------------------------------------------------------------
def test_selection_case_by_hand():
    case = widgets.selection_case(_tiny(), 10, weights=WEIGHTS, scales=SCALES)
    assert case.chosen == ("B", "C") and case.total == 95 and case.objective == "value"
    assert case.totals.to_dict() == {"count": 2, "cost": 10, "slack": 0, "value": 95,
                                     "points": 115}
    assert list(case.table.columns) == list(widgets.SELECTION_COLUMNS)
    assert case.table["points"].tolist() == [90.0, 35.0, 80.0, 10.0]
    assert case.table["rank"].tolist() == [1, 3, 2, 4]
    assert case.table["selected"].tolist() == [False, True, True, False]
    assert case.table["forced"].tolist() == ["", "", "", ""]
    assert case.table.at[0, "reason"] == "does not fit the budget (needs 6, 0 left)"
    assert case.weights.to_dict() == {"alignment": 0.8, "risk": 0.2}
    assert case.previous_budget is None and case.enters == case.leaves == ()
    assert case.changes.empty and case.currency == "EUR"
    assert "2 of 4 chosen" in repr(case)
    front = case.frontier
    assert front["budget"].tolist() == [0, 4, 5, 6, 9, 10, 11, 14, 15, 16, 20]
    assert front["value"].tolist() == [0, 20, 50, 60, 70, 95, 110, 115, 130, 155, 175]
    assert front.at[6, "enters"] == ("A",) and front.at[6, "leaves"] == ("C",)
    for budget, chosen in ((11, ("A", "B")), (15, ("A", "B", "D")), (16, ("A", "B", "C")),
                           (20, ("A", "B", "C", "D")), (3, ())):
        assert widgets.selection_case(_tiny(), budget, frontier=False).chosen == chosen


def test_selection_case_maximises_the_weighted_score():
    case = widgets.selection_case(_tiny(), 11, objective="score", weights=WEIGHTS,
                                  scales=SCALES, previous_budget=10)
    assert case.chosen == ("A", "C") and case.total == 170
    assert case.totals["value"] == 105 and case.totals["points"] == 170
    assert (case.enters, case.leaves) == (("A",), ("B",))
    assert case.changes.to_dict("records") == [
        {"id": "A", "change": "enters", "value": 90.0, "cost": 6.0,
         "reason": "does not fit the budget (needs 6, 0 left)"},
        {"id": "B", "change": "leaves", "value": 35.0, "cost": 5.0,
         "reason": "does not fit the budget (needs 5, 0 left)"}]
    assert case.frontier["value"].iloc[-1] == 215  # 90 + 35 + 80 + 10
    risk_only = widgets.selection_case(_tiny(), 11, objective="score", scales=SCALES,
                                       weights={"alignment": 0, "risk": 1}, frontier=False)
    assert risk_only.table["points"].tolist() == [50.0, 75.0, 100.0, 50.0]
    assert risk_only.chosen == ("B", "C") and risk_only.total == 175
    # An AhpResult or a Series gives the same weights.
    ahp = pf.ahp_weights([[1, 4], [1 / 4, 1]], criteria=["alignment", "risk"])
    same = widgets.selection_case(_tiny(), 11, objective="score", weights=ahp, scales=SCALES,
                                  frontier=False)
    assert same.chosen == ("A", "C") and np.allclose(same.weights, [0.8, 0.2])
    series = widgets.selection_case(_tiny(), 11, objective="score", scales=SCALES,
                                    weights=pd.Series(WEIGHTS), frontier=False)
    assert series.chosen == ("A", "C")


def test_force_in_out_and_free():
    tiny = _tiny(mandatory=[False, False, False, True])
    assert widgets.selection_case(tiny, 10, frontier=False).chosen == ("A", "D")
    freed = widgets.selection_case(tiny, 10, force={"D": "free"}, frontier=False)
    assert freed.chosen == ("B", "C") and freed.table["forced"].tolist() == [""] * 4
    forced = widgets.selection_case(_tiny(), 10, force={"A": "in"}, frontier=False)
    assert forced.chosen == ("A", "D") and forced.table.at[0, "forced"] == "in"
    out = widgets.selection_case(_tiny(), 10, force={"B": "out"})
    assert out.chosen == ("A", "D") and out.table.at[1, "forced"] == "out"
    assert out.table.at[1, "reason"] == "forced out" and not out.table.at[1, "selected"]
    assert len(out.table) == 4 and out.frontier["value"].iloc[-1] == 125  # A + C + D
    # A candidate that requires a forced-out one goes too, transitively.
    chain = _tiny(requires=["", "C", "D", ""])
    case = widgets.selection_case(chain, 20, force={"D": "out"}, frontier=False)
    assert case.chosen == ("A",)
    assert case.table.set_index("id")["reason"].to_dict() == {
        "A": "", "B": "requires C (forced out)", "C": "requires D (forced out)",
        "D": "forced out"}
    assert case.table["forced"].tolist() == ["", "out", "out", "out"]
    # An exclusion of a forced-out candidate goes with it (C excludes B).
    exclusive = _tiny(excludes=["", "", "B", ""])
    assert widgets.selection_case(exclusive, 10, frontier=False).chosen == ("A", "D")
    assert widgets.selection_case(exclusive, 9, force={"B": "out"},
                                  frontier=False).chosen == ("C", "D")


@pytest.mark.parametrize("budget", range(0, 22))
def test_selection_case_agrees_with_enumeration(budget):
    table = _tiny(mandatory=[False, False, False, False], requires=["", "", "D", ""],
                  excludes=["", "", "", "A"])
    case = widgets.selection_case(table, budget, frontier=False)
    assert case.total == _enumerate(table, budget)
    points = table.assign(value=case.table["points"]) if "points" in case.table else None
    assert points is None
    scored = widgets.selection_case(table, budget, objective="score", weights=WEIGHTS,
                                    scales=SCALES, frontier=False)
    assert scored.total == pytest.approx(_enumerate(
        table.assign(value=scored.table["points"].to_numpy()), budget))


def test_frontier_options_and_capacity():
    points = widgets.selection_case(_tiny(), 10, frontier=3)
    assert points.frontier["budget"].tolist() == [0.0, 10.0, 20.0]
    assert points.frontier["value"].tolist() == [0.0, 95.0, 175.0]
    assert widgets.selection_case(_tiny(), 10, frontier=False).frontier is None
    demand = pd.DataFrame({"candidate_id": ["B", "C"], "period": "Q1", "role": "Dev",
                           "units": [1.0, 1.0]})
    capacity = pd.DataFrame({"role": ["Dev"], "period": ["Q1"], "units": [1.0]})
    case = widgets.selection_case(_tiny(), 10, demand=demand, capacity=capacity)
    assert case.chosen == ("A", "D")  # B and C need the one developer both
    assert case.selection.capacity["demand"].tolist() == [0.0]
    assert "needs more Dev than is free in Q1" in case.table.at[2, "reason"] or \
        case.table.at[2, "reason"].startswith("does not fit")
    assert case.frontier["value"].iloc[-1] == 130  # A + B + D at most
    # The demand of a forced-out candidate is dropped with it.
    assert widgets.selection_case(_tiny(), 10, demand=demand, capacity=capacity,
                                  force={"B": "out"}, frontier=False).chosen == ("A", "D")


def test_a_previous_budget_that_did_not_fit_is_ignored():
    tiny = _tiny(mandatory=[True, False, False, False])
    case = widgets.selection_case(tiny, 11, previous_budget=3, frontier=False)
    assert case.chosen == ("A", "B") and case.enters == () and case.changes.empty


def test_selection_case_on_the_sample(sample):
    planning = sample.planning_round()
    c, demand, capacity = planning["candidates"], planning["demand"], planning["capacity"]
    case = widgets.selection_case(c, 14_500_000, demand=demand, capacity=capacity,
                                  frontier=False)
    direct = pf.select(c, 14_500_000, demand=demand, capacity=capacity)
    assert case.chosen == direct.chosen and case.total == direct.value
    assert case.table.loc[case.table["forced"] == "in", "id"].tolist() == ["EIN", "ESG"]
    assert case.table.loc[case.table["forced"] == "in", "selected"].all()
    freed = widgets.selection_case(c, 14_500_000, demand=demand, capacity=capacity,
                                   force={"EIN": "free", "ESG": "free"}, frontier=False)
    assert freed.total >= case.total


def test_selection_case_errors():
    with pytest.raises(DataValidationError, match="unknown objective 'npv'"):
        widgets.selection_case(_tiny(), 10, objective="npv")
    with pytest.raises(DataValidationError, match="give the criterion weights"):
        widgets.selection_case(_tiny(), 10, objective="score")
    with pytest.raises(MissingDataError, match="'value': required column is missing"):
        widgets.selection_case(_tiny().drop(columns="value"), 10)
    with pytest.raises(UnknownReferenceError, match=r"ID 'Z'.*not a candidate; candidates: "
                                                    "A, B, C, D"):
        widgets.selection_case(_tiny(), 10, force={"Z": "in"})
    with pytest.raises(DataValidationError, match="unknown choice for A 'maybe'"):
        widgets.selection_case(_tiny(), 10, force={"A": "maybe"})
    with pytest.raises(InfeasibleError, match=r"ID 'C'.*is mandatory but requires D "
                                              r"\(forced out\)"):
        widgets.selection_case(_tiny(requires=["", "", "D", ""]), 20,
                               force={"C": "in", "D": "out"})
    with pytest.raises(InfeasibleError, match="every candidate is forced out"):
        widgets.selection_case(_tiny(), 10, force=dict.fromkeys("ABCD", "out"))
    with pytest.raises(InfeasibleError, match="over the budget"):
        widgets.selection_case(_tiny(), 10, force={"A": "in", "B": "in"})
    with pytest.raises(DataValidationError, match="must be a number"):
        widgets.selection_case(_tiny(), -1)
    with pytest.raises(DataValidationError, match="ID 'B', column 'cost'"):
        widgets.selection_case(_tiny(cost=[6, -5, 5, 4]), 10)
    with pytest.raises(DataValidationError, match="outside the scale"):
        widgets.selection_case(_tiny(risk=[3, 2, 1, 9]), 10, weights=WEIGHTS, scales=SCALES)


def test_the_case_does_not_change_its_inputs():
    tiny = _tiny(mandatory=[False, False, False, True], requires=["", "C", "", ""])
    before = tiny.copy()
    widgets.selection_case(tiny, 10, objective="score", weights=WEIGHTS, scales=SCALES,
                           force={"C": "out", "D": "free"}, previous_budget=12)
    pd.testing.assert_frame_equal(tiny, before)


# ----------------------------------------------------------------------------------------
# The panel
# ----------------------------------------------------------------------------------------
def test_selection_panel_controls_move_the_case():
    panel = widgets.selection_panel(_tiny(), 10, weights=WEIGHTS, scales=SCALES)
    assert panel.error is None and panel.case.chosen == ("B", "C")
    assert panel.objective.value == "value" and panel.budget.max == 20.0
    assert panel.budget.step == 0.2 and set(panel.weights) == {"alignment", "risk"}
    assert panel.weights["alignment"].value == 80.0 and panel.weight_values == {
        "alignment": 80.0, "risk": 20.0}
    assert panel.choices == dict.fromkeys("ABCD", "free")
    assert "<b>2</b> of 4 selected" in panel._summary.value
    assert "Alpha" in panel._table.value and bytes(panel._chart.value).startswith(b"\x89PNG")
    # The budget: A + B, against 10 (what entered and left, and why).
    panel.budget.value = 11
    assert panel.case.chosen == ("A", "B") and panel.case.previous_budget == 10
    assert (panel.case.enters, panel.case.leaves) == (("A",), ("C",))
    assert "Against a budget of 10: +A, −C" in panel._summary.value
    assert "A enters (was out: does not fit the budget" in panel._summary.value
    # The objective: the weighted score picks A + C; still compared with a budget of 10.
    panel.objective.value = "score"
    assert panel.case.chosen == ("A", "C") and panel.case.total == 170
    assert panel.case.previous_budget == 10 and panel.frontier["value"].iloc[-1] == 215
    # The weights: risk alone picks B + C.
    panel.weights["alignment"].value = 0.0
    assert panel.case.chosen == ("B", "C") and panel.case.total == 175
    # Force C out: B + D (125, the cheaper of two ties).
    panel.force["C"].value = "out"
    assert panel.case.chosen == ("B", "D") and panel.case.table.at[2, "reason"] == "forced out"
    assert "color:#9e9e9e" in panel._table.value
    # Reset: the starting budget, objective, weights and choices.
    panel.reset.click()
    assert panel.budget.value == 10 and panel.objective.value == "value"
    assert panel.weights["alignment"].value == 80.0 and panel.choices["C"] == "free"
    assert panel.case.chosen == ("B", "C") and panel.case.previous_budget is None


def test_selection_panel_without_weights_and_with_mandates():
    tiny = _tiny(mandatory=[False, False, False, True])
    panel = widgets.selection_panel(tiny, 10)
    assert panel.objective is None and panel.weights == {} and panel.weight_values is None
    assert panel.choices == {"A": "free", "B": "free", "C": "free", "D": "in"}
    assert panel.case.chosen == ("A", "D")
    panel.force["D"].value = "free"
    assert panel.case.chosen == ("B", "C") and panel.case.previous_budget is None
    scored = widgets.selection_panel(tiny.drop(columns="value"), 11, weights=WEIGHTS,
                                     scales=SCALES)
    assert scored.objective.value == "score" and scored.case.objective == "score"
    assert [v for _, v in scored.objective.options] == ["score"]
    assert scored.case.chosen == ("A", "D")  # D is mandatory: A + D = 100 points


def test_the_frontier_is_solved_again_only_when_the_settings_change(monkeypatch):
    calls = []
    real = pf.frontier

    def counting(*args, **kwargs):
        calls.append(kwargs.get("points"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pf, "frontier", counting)
    panel = widgets.selection_panel(_tiny(), 10, weights=WEIGHTS, scales=SCALES, frontier=5)
    assert calls == [5] and len(panel.frontier) == 5
    panel.budget.value = 12
    panel.budget.value = 8
    assert calls == [5]  # a budget move reuses the frontier
    assert panel.case.frontier is panel.frontier
    panel.force["A"].value = "out"
    assert calls == [5, 5]
    panel.weights["risk"].value = 50.0
    assert len(calls) == 2  # the weights change the points, not the value maximised
    panel.objective.value = "score"
    assert len(calls) == 3


def test_selection_panel_keeps_the_last_case_on_an_error(monkeypatch):
    with pytest.raises(InfeasibleError, match="over the budget"):
        widgets.selection_panel(_tiny(), 5, force={"A": "in"})
    with pytest.raises(DataValidationError, match="give the criterion weights"):
        widgets.selection_panel(_tiny(), 10, objective="score")
    panel = widgets.selection_panel(_tiny(), 10)
    panel.force["A"].value = "in"
    assert panel.case.chosen == ("A", "D")
    shown = panel.case
    panel.force["B"].value = "in"  # A + B cost 11 > 10
    assert panel.error is not None and "over the budget" in panel.error
    assert "Not updated" in panel._message.value and panel.case is shown
    panel.budget.value = 11
    assert panel.error is None and panel._message.value == ""
    assert panel.case.chosen == ("A", "B")

    def broken(*args, **kwargs):
        raise PMOError("solver broken")

    monkeypatch.setattr(widgets, "selection_case", broken)
    shown = panel.case
    panel.budget.value = 12
    assert panel.error == "solver broken" and panel.case is shown


def test_selection_panel_on_the_sample(sample):
    planning = sample.planning_round()
    weights = {"strategic_alignment": 35, "value": 30, "risk": 15, "urgency": 20}
    scales = {"strategic_alignment": (1, 5), "risk": (1, 5), "urgency": (1, 5)}
    panel = widgets.selection_panel(planning["candidates"], 14_500_000, weights=weights,
                                    scales=scales, demand=planning["demand"],
                                    capacity=planning["capacity"], frontier=4)
    direct = pf.select(planning["candidates"], 14_500_000, demand=planning["demand"],
                       capacity=planning["capacity"])
    assert panel.case.chosen == direct.chosen and panel.budget.max >= 24_650_000
    assert panel.choices["EIN"] == panel.choices["ESG"] == "in"
    panel.budget.value = 10_000_000
    cut = pf.budget_change(planning["candidates"], 14_500_000, 10_000_000,
                           demand=planning["demand"], capacity=planning["capacity"])
    assert panel.case.leaves == cut.leaves and panel.case.enters == cut.enters
    assert panel.case.totals["cost"] <= 10_000_000


# ----------------------------------------------------------------------------------------
# The charts
# ----------------------------------------------------------------------------------------
def _axes():
    return Figure().subplots()


def test_efficient_frontier_chart():
    case = widgets.selection_case(_tiny(), 10)
    portfolios = pd.DataFrame({"cost": [6, 9], "value": [60, 70]})
    ax = plots.efficient_frontier(case.frontier, budget=10, selection=case.selection,
                                  portfolios=portfolios, others={"Greedy": (10, 80)},
                                  ax=_axes())
    line = next(a for a in ax.get_lines() if a.get_gid() == "frontier")
    assert line.get_xdata()[-1] > 20 and list(line.get_ydata()[:3]) == [0, 20, 50]
    budget = next(a for a in ax.get_lines() if a.get_gid() == "budget")
    assert list(budget.get_xdata()) == [10, 10]
    collections = {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}
    assert collections["Selected"].get_offsets().tolist() == [[10.0, 95.0]]
    assert collections["Greedy"].get_offsets().tolist() == [[10.0, 80.0]]
    assert collections["Other portfolios"].get_offsets().tolist() == [[6, 60], [9, 70]]
    assert len(collections["Budgets solved"].get_offsets()) == 11
    note = [t.get_text() for t in ax.texts if t.get_gid() == "changes"]
    assert note == ["Step reached, at 10 EUR: +C −D\nNext step, at 11 EUR: +A −C"]
    every = plots.efficient_frontier(case.frontier, changes="all", ax=_axes())
    assert len([t for t in every.texts if t.get_gid() == "changes"]) == 10
    assert not [t for t in plots.efficient_frontier(case.frontier, budget=10, changes="none",
                                                    ax=_axes()).texts]
    money = plots.efficient_frontier(case.frontier, value_currency="EUR", ax=_axes())
    assert money.yaxis.get_major_formatter()(2e6) == "2.0M EUR"
    with pytest.raises(DataValidationError, match="unknown choice 'some'"):
        plots.efficient_frontier(case.frontier, changes="some", ax=_axes())


def test_score_breakdown_chart():
    scored = pf.score(_tiny(), WEIGHTS, scales=SCALES)
    ax = plots.score_breakdown(scored, labels={"A": "A · Alpha"}, ax=_axes())
    bars = ax.containers
    assert [b.get_label() for b in bars] == ["alignment", "risk"]
    widths = np.array([[p.get_width() for p in b.patches] for b in bars]).sum(axis=0)
    assert np.allclose(widths, scored["score"]) and np.allclose(widths, [0.9, 0.8, 0.35, 0.1])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A · Alpha", "C", "B", "D"]
    with pytest.raises(DataValidationError, match="expected the table of"):
        plots.score_breakdown(_tiny(), ax=_axes())


def test_widgets_declare_the_new_names():
    for name in ("FORCE_CHOICES", "SELECTION_COLUMNS", "SELECTION_OBJECTIVES", "SelectionCase",
                 "SelectionPanel", "selection_case", "selection_panel"):
        assert name in widgets.__all__ and hasattr(widgets, name)
    for name in ("FRONTIER_CHANGES", "SELECTION_COLOURS", "efficient_frontier",
                 "score_breakdown"):
        assert name in plots.__all__ and hasattr(plots, name)
