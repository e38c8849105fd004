"""Resource charts draw the loading they are given (checked on the artists, not by eye)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import StepPatch

from pmo_lib import DataValidationError, PMOError, plots
from pmo_lib import resources as rs
from pmo_lib.calendar import WorkCalendar


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


MONTHS = pd.period_range("2026-01", periods=3, freq="M", name="period")
# Utilisation by hand: Dev 50 %, 85 % (amber from 85 %), 112 %; QA 100 % (still amber),
# 0 %, and no capacity in March.
UTIL = pd.DataFrame({"Dev": [0.5, 0.85, 1.12], "QA": [1.0, 0.0, np.nan]},
                    index=MONTHS).rename_axis(columns="role")


def _cells(ax) -> dict[str, tuple]:
    return {p.get_gid(): p.get_facecolor() for p in ax.patches if p.get_gid()}


def _texts(ax) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


def _tint(colour: str, strength: float) -> tuple:
    return (*(strength * np.asarray(mcolors.to_rgb(colour)) + 1 - strength), 1.0)


def test_heat_map_structure_values_and_bands():
    ax = plots.utilisation_heat_map(UTIL)
    cells = _cells(ax)
    assert len(cells) == 6
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Dev", "QA"]  # top to bottom
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 26", "Feb 26", "Mar 26"]
    assert _texts(ax) == {"value-Dev-2026-01": "50%", "value-Dev-2026-02": "85%",
                          "value-Dev-2026-03": "112%", "value-QA-2026-01": "100%",
                          "value-QA-2026-02": "0%"}  # no capacity: blank
    colours = plots.UTILISATION_COLOURS
    over = cells["cell-Dev-2026-03"]
    np.testing.assert_allclose(over, _tint(colours["red"], 0.9))
    assert over[0] > 0.75 and over[1] < 0.3  # red to the eye
    np.testing.assert_allclose(cells["cell-Dev-2026-01"], _tint(colours["green"], 0.35))
    np.testing.assert_allclose(cells["cell-Dev-2026-02"], _tint(colours["amber"], 0.6))
    np.testing.assert_allclose(cells["cell-QA-2026-01"], _tint(colours["amber"], 0.6))
    np.testing.assert_allclose(cells["cell-QA-2026-03"], _tint(colours["none"], 0.35))
    # an over-allocated cell's value is white on red
    (text,) = [t for t in ax.texts if t.get_gid() == "value-Dev-2026-03"]
    assert mcolors.to_rgb(text.get_color()) == (1.0, 1.0, 1.0)
    # first row at the top, periods left to right
    (jan_dev,) = [p for p in ax.patches if p.get_gid() == "cell-Dev-2026-01"]
    assert jan_dev.get_xy() == (-0.5, -0.5)
    assert ax.get_ylim() == (1.5, -0.5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["below 85%", "85% to 100%", "over 100% (over-allocated)", "no capacity"]
    assert ax.get_title(loc="left") == "Utilisation by role and month"


def test_heat_map_from_loading_and_custom_thresholds():
    # Mon 5 .. Fri 9 Jan 2026 and Mon 12 .. Fri 16: R1 busy 3 days, then 6 half-days of two
    tasks = pd.DataFrame({"id": ["A", "B", "C"],
                          "baseline_start": pd.to_datetime(["2026-01-05", "2026-01-12",
                                                            "2026-01-12"]),
                          "baseline_finish": pd.to_datetime(["2026-01-07", "2026-01-16",
                                                             "2026-01-16"])})
    assignments = pd.DataFrame({"task_id": ["A", "B", "C"], "resource_id": ["R1", "R1", "R1"],
                                "units": [1.0, 0.6, 0.6]})
    resources = pd.DataFrame({"id": ["R1"], "capacity": [1.0]})
    d = rs.demand(tasks, assignments, WorkCalendar(), freq="W", resources=resources)
    c = rs.capacity(resources, WorkCalendar(), d.index)
    load = rs.Loading(demand=d, capacity=c, utilisation=rs.utilisation(d, c), freq="W",
                      by="resource_id")
    ax = plots.utilisation_heat_map(load, thresholds=(0.5, 1.3), title="Weekly")
    assert sorted(_texts(ax).values()) == ["120%", "60%"]  # 3/5 and 6/5
    cells = _cells(ax)
    (first, second) = [cells[f"cell-R1-{p}"] for p in d.index]
    np.testing.assert_allclose(first, _tint(plots.UTILISATION_COLOURS["amber"], 0.6))
    np.testing.assert_allclose(second, _tint(plots.UTILISATION_COLOURS["amber"], 0.6))
    assert ax.get_title(loc="left") == "Weekly"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["05 Jan 26", "12 Jan 26"]


def test_heat_map_readable_at_portfolio_size():
    months = pd.period_range("2026-01", periods=24, freq="M", name="period")
    rng = np.random.default_rng(3)
    u = pd.DataFrame(rng.uniform(0, 1.6, (24, 15)), index=months,
                     columns=pd.Index([f"Role {k:02d}" for k in range(15)], name="role"))
    ax = plots.utilisation_heat_map(u)
    assert len(_cells(ax)) == 360 and len(ax.texts) == 360
    assert all(t.get_fontsize() == 7 for t in ax.texts)
    width, height = ax.figure.get_size_inches()
    assert width >= 0.5 * 24 and height >= 0.3 * 15  # about half an inch per month
    red = sum(1 for gid, face in _cells(ax).items()
              if np.allclose(face, _tint(plots.UTILISATION_COLOURS["red"], 0.9)))
    assert red == int((u.to_numpy() > 1.0).sum())


def test_heat_map_of_a_table_already_resources_by_period():
    ax = plots.utilisation_heat_map(UTIL.T, annotate=False)
    assert len(_cells(ax)) == 6 and not ax.texts
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Dev", "QA"]


@pytest.mark.parametrize("empty", [UTIL.iloc[:0], UTIL.iloc[:, :0]])
def test_heat_map_empty(empty):
    ax = plots.utilisation_heat_map(empty)
    assert not _cells(ax)
    assert [t.get_text() for t in ax.texts] == ["No resource loading to show"]


def test_heat_map_bad_input():
    with pytest.raises(DataValidationError, match=r"expected a resources\.Loading") as info:
        plots.utilisation_heat_map([0.5, 1.2])
    assert isinstance(info.value, PMOError)
    with pytest.raises(DataValidationError, match="thresholds"):
        plots.utilisation_heat_map(UTIL, thresholds=(1.0, 0.85))


def test_heat_map_on_the_sample(sample):
    load = rs.portfolio_loading(sample, sample.latest_month)
    ax = plots.utilisation_heat_map(load)
    rows, periods = load.utilisation.shape[1], load.utilisation.shape[0]
    assert len(_cells(ax)) == rows * periods
    u = load.utilisation
    assert len(ax.texts) == int(np.isfinite(u.to_numpy()).sum())


# ----------------------------------------------------------------------------------------
# Resource histogram
# ----------------------------------------------------------------------------------------
DEMAND = pd.DataFrame({"R1": [3.0, 6.0, 0.0], "R2": [1.0, 1.0, 1.0]}, index=MONTHS)
CAPACITY = pd.DataFrame({"R1": [4.0, 4.0, 4.0], "R2": [2.0, 2.0, 2.0]}, index=MONTHS)


def test_resource_histogram_by_hand():
    load = rs.Loading(demand=DEMAND, capacity=CAPACITY,
                      utilisation=rs.utilisation(DEMAND, CAPACITY), freq="M", by="resource_id")
    ax = plots.resource_histogram(load, "R1")
    within, over = ax.containers
    assert within.get_label() == "Demand within capacity"
    assert [b.get_height() for b in within] == [3.0, 4.0, 0.0]
    assert over.get_label() == "Over-allocation"
    assert [b.get_height() for b in over] == [0.0, 2.0, 0.0]
    assert [b.get_y() for b in over] == [3.0, 4.0, 0.0]  # stacked on the demand within
    np.testing.assert_allclose(over[1].get_facecolor(),
                               mcolors.to_rgba(plots.UTILISATION_COLOURS["red"]))
    (line,) = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert line.get_label() == "Capacity"
    np.testing.assert_array_equal(line.get_data().values, [4.0, 4.0, 4.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 26", "Feb 26", "Mar 26"]
    assert ax.get_ylabel() == "demand [unit-days per month]"
    assert ax.get_title(loc="left") == "R1: demand against capacity"


def test_resource_histogram_from_tables_and_daily_units():
    days = pd.period_range("2026-01-05", periods=2, freq="D", name="period")
    d = pd.DataFrame({"R1": [1.5, 0.5]}, index=days)
    c = pd.DataFrame({"R1": [1.0, 1.0]}, index=days)
    ax = plots.resource_histogram(d, "R1", capacity=c, title="Ann")
    assert [b.get_height() for b in ax.containers[1]] == [0.5, 0.0]
    assert ax.get_ylabel() == "demand [units per working day]"
    assert ax.get_title(loc="left") == "Ann"


def test_resource_histogram_empty_and_errors():
    empty = DEMAND.iloc[:0]
    ax = plots.resource_histogram(empty, "R1", capacity=CAPACITY.iloc[:0])
    assert not ax.containers and [t.get_text() for t in ax.texts] == ["No demand to show"]
    with pytest.raises(DataValidationError, match=r"no resource or role 'R9'.*R1, R2"):
        plots.resource_histogram(DEMAND, "R9", capacity=CAPACITY)
    with pytest.raises(DataValidationError, match="capacity"):
        plots.resource_histogram(DEMAND, "R1")
    with pytest.raises(DataValidationError, match=r"expected a resources\.Loading"):
        plots.resource_histogram("R1", "R1")
