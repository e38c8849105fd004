"""Charts and styled tables draw what they are given (checked on the artists, not by eye)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from pmo_lib import evm, plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_s_curve_draws_pv_ev_ac(mini):
    ax = plots.s_curve(evm.s_curve(mini), status_month="2026-02", currency="EUR")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["Earned value (EV)"].get_ydata()) == [1800, 3200]
    assert list(lines["Actual cost (AC)"].get_ydata()) == [1800, 3650]
    assert ax.yaxis.get_major_formatter()(2_500_000) == "2.5M EUR"


def test_gantt_bars_and_milestones(mini):
    ax = plots.gantt(mini.tasks, title="Mini")
    assert len(ax.patches) == 3                       # A1, A2, B1; M1 is a diamond
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [4.0, 5.0, 15.0]                 # calendar days, finish day included
    assert ax.collections[0].get_offsets().shape == (1, 2)
    assert ax.get_title(loc="left") == "Mini"


def test_spi_cpi_matrix_skips_unmeasured(mini):
    perf = evm.project_performance(mini, "2026-01")   # P2 is grey (not measurable)
    ax = plots.spi_cpi_matrix(perf)
    assert ax.collections[0].get_offsets().tolist() == [[0.9, 1.0]]


def test_performance_table_headers_and_total(mini):
    perf = evm.project_performance(mini, "2026-02")
    table = plots.performance_table(perf, columns=("name", "bac", "spi", "rag"))
    html = table.to_html()
    for header in (">BAC<", ">SPI<", ">rag<"):
        assert header in html
    assert "3,000" in html and "0.50" in html and "#c62828" in html
