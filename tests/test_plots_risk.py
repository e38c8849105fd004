"""Risk charts draw the simulation they are given (checked on the artists, not by eye)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pmo_lib import DataValidationError, plots
from pmo_lib.simulation import simulate


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result():
    tasks = pd.DataFrame({"id": ["A", "B", "C", "D"], "duration": [10.0, 8.0, 5.0, 3.0],
                          "duration_min": [8.0, 6.0, 5.0, 2.0],
                          "duration_max": [16.0, 14.0, 5.0, 3.0]})
    links = pd.DataFrame({"pred": ["A", "B", "C"], "succ": ["C", "C", "D"]})
    risks = pd.DataFrame({"id": ["R1"], "probability": [0.3], "schedule_impact": [4.0],
                          "cost_impact": [5000.0], "affected_tasks": ["B"]})
    return simulate(tasks, links, iterations=2_000, seed=7, risks=risks, rates=1000.0,
                    start="2026-03-02")


def _vlines(ax):
    return {line.get_gid(): line.get_xdata()[0] for line in ax.get_lines() if line.get_gid()}


def test_risk_histogram_finish(result):
    ax = plots.risk_histogram(result, bins=30)
    bars = [p for p in ax.patches]
    assert len(bars) == 30 and sum(p.get_height() for p in bars) == result.iterations
    marks = _vlines(ax)
    assert marks == {"deterministic": result.deterministic, "P50": result.percentile(50),
                     "P80": result.percentile(80)}
    (twin,) = [a for a in ax.get_shared_x_axes().get_siblings(ax) if a is not ax]
    (curve,) = [line for line in twin.get_lines() if line.get_gid() == "cumulative"]
    np.testing.assert_array_equal(curve.get_xdata(), np.sort(result.finish))
    assert curve.get_ydata()[-1] == 1 and curve.get_ydata()[0] == 1 / result.iterations
    labels = ax.get_legend_handles_labels()[1]
    assert any(label.startswith("P80: ") and "2026" in label for label in labels)
    assert "2,000 iterations" in ax.get_title(loc="left")


def test_risk_histogram_cost(result):
    ax = plots.risk_histogram(result, of="cost", currency="GBP", title="Cost risk")
    assert _vlines(ax)["deterministic"] == result.deterministic_cost
    assert _vlines(ax)["P80"] == result.percentile(80, of="cost")
    assert ax.xaxis.get_major_formatter()(25_000) == "25k GBP"
    assert ax.get_title(loc="left") == "Cost risk"
    with pytest.raises(DataValidationError, match="unknown quantity"):
        plots.risk_histogram(result, of="duration")


def test_tornado(result):
    ax = plots.tornado(result, n=3)
    (bars,) = ax.containers
    table = result.tornado(3)
    widths = [p.get_width() for p in bars.patches]
    np.testing.assert_allclose(widths, table["sensitivity"].to_numpy())
    ys = [p.get_y() + p.get_height() / 2 for p in bars.patches]
    assert ys == sorted(ys, reverse=True)  # the strongest at the top
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                     strict=True))
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == table.index.tolist()
    assert bars.get_label() == "Sensitivity"
    assert table.index[0] == "A"


def test_jcl_scatter(result):
    date = result.percentile(70, of="finish_date")
    budget = result.percentile(70, of="cost")
    ax = plots.jcl_scatter(result, date, budget)
    within, outside = ax.collections
    assert within.get_label() == "Within date and budget"
    n_in, n_out = len(within.get_offsets()), len(outside.get_offsets())
    assert n_in + n_out == result.iterations
    assert n_in / result.iterations == pytest.approx(result.jcl(date, budget))
    assert (within.get_offsets()[:, 1] <= budget).all()
    lines = {line.get_gid(): line for line in ax.get_lines()}
    assert lines["date"].get_xdata()[0] == result.offset(date)
    assert lines["budget"].get_ydata()[0] == budget
    assert ax.get_title(loc="left") == f"Joint confidence level: {result.jcl(date, budget):.0%}"
    ax = plots.jcl_scatter(result, 30.0, 1e9)  # an offset works too
    assert len(ax.collections[0].get_offsets()) == int(result.probability_by(30.0) * 2_000)
