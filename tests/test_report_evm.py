"""The EVM section of the monthly report: the full indicator table, RAG changes and their
commentary, forecasts with their range and the S-curve per project (building blocks, no
kernel). Hand-checked on the mini fixture (see tests/test_evm.py for its figures)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from pmo_lib import evm, plots, report

T = report.REPORT_THRESHOLDS


def test_report_thresholds_rate_spi_t_cpi_and_vac():
    assert (T.schedule_index, T.rate_vac, T.green, T.amber, T.vac_amber, T.vac_red) == \
        ("spi_t", True, 0.95, 0.90, -0.05, -0.10)


def test_indicator_table_rows_and_columns(sample):
    table = evm.performance_table(sample, "2026-10", T)
    html = report.indicator_table(table, "EUR").to_html()
    frame = report.indicator_table(table, "EUR").data
    assert list(frame.columns) == list(report.INDICATOR_COLUMNS)
    # Each programme's projects precede its subtotal row; the portfolio is last.
    names = frame["name"].tolist()
    assert names[-1] == "Portfolio total"
    for programme in table.loc["programme"].index:
        row = names.index(f"{programme} (programme)")
        ids = frame["id"].iloc[:row]
        mine = table.loc["project"].query("programme == @programme").index
        assert set(mine) <= set(ids)
    assert len(frame) == len(sample.projects) + 3 + 1
    # Amounts in thousands (the sample's budgets run to millions), dates as month and year.
    total = table.loc[("portfolio", "Total")]
    assert frame["bac"].iloc[-1] == pytest.approx(total["bac"] / 1000)
    assert "Amounts in thousands of EUR" in html
    assert frame["forecast_finish"].iloc[-1] == f"{total['forecast_finish']:%b %Y}"
    for header in ("SPI(t)", "TCPI", "Forecast finish", "Why"):
        assert f">{header}<" in html
    # Formatted: amounts without decimals, indices to two, percent complete as "NN %".
    erp = table.loc[("project", "ERP")]
    assert f">{erp['bac'] / 1000:,.0f}<" in html and f">{erp['spi_t']:.2f}<" in html
    assert f">{erp['tcpi']:.2f}<" in html and f">{erp['percent_complete']:.0f} %<" in html


def test_rag_changes_first_month_and_unchanged(mini):
    first = report.rag_changes(mini, "2026-01", T)
    assert first["change"].tolist() == ["first", "first"]
    assert first.attrs["previous"] is None
    assert str(report.rag_commentary(first)).startswith("This is the first month")


def test_rag_changes_mini_february(mini):
    # Report rating: January P1 green (SPI(t) 1.16, CPI 1.00), P2 grey; February P1 red
    # (SPI(t) 1 / (1 + 27/28) = 0.51, CPI 0.88), P2 red.
    changes = report.rag_changes(mini, "2026-02", T)
    assert changes.loc["P1", ["rag_before", "rag", "change"]].tolist() == \
        ["green", "red", "worse"]
    assert changes.loc["P2", "change"] == "measurable"
    text = str(report.rag_commentary(changes))
    assert text.splitlines()[0] == "Since 2026-01, 2 projects changed status."
    assert "- Worse: Build (P1) from green to red: SPI(t) 0.51 below 0.90; CPI 0.88 below " \
        "0.90; VAC/BAC -13.3% below -10.0%." in text
    html = report.rag_commentary(changes).html
    assert "<strong>Worse:</strong> Build (P1)" in html


def test_rag_commentary_better_names_the_old_reason():
    changes = pd.DataFrame({"name": ["Alpha"], "rag_before": ["amber"],
                            "reason_before": ["CPI 0.92 below 0.95"], "rag": ["green"],
                            "rag_reason": [""], "change": ["better"]},
                           index=pd.Index(["A"], name="project_id"))
    changes.attrs["previous"] = pd.Period("2026-03", "M")
    assert str(report.rag_commentary(changes)).splitlines()[1] == \
        "- Better: Alpha (A) from amber to green: was CPI 0.92 below 0.95."
    changes["change"] = "same"
    assert str(report.rag_commentary(changes)) == \
        "No project changed status since 2026-03: 1 green."


def test_forecasts_match_the_engine(sample):
    table = evm.performance_table(sample, "2026-10", T)
    fc = report.forecasts(sample, "2026-10", table, iterations=300, seed=3)
    ranges = evm.project_forecast_range(sample, "2026-10", iterations=300, seed=3)
    assert list(fc.columns) == [*report.FORECAST_COLUMNS, "reason"]
    np.testing.assert_allclose(fc["eac_p90"], ranges.loc[fc.index, "eac_p90"])
    np.testing.assert_allclose(fc["eac"], table.loc["project"].loc[fc.index, "eac"])
    finish = sample.tasks.groupby("project_id")["baseline_finish"].max()
    assert (fc["baseline_finish"] == finish.loc[fc.index]).all()
    assert (fc["eac_p10"] <= fc["eac_p90"]).all()
    shown = report.forecast_table(fc, "EUR").data
    assert shown.loc["ERP", "finish_p90"] == f"{fc.loc['ERP', 'finish_p90']:%b %Y}"


def test_project_s_curves_one_panel_per_project(sample):
    table = evm.performance_table(sample, "2026-10", T)
    fc = report.forecasts(sample, "2026-10", table, iterations=200, seed=1)
    fig = report.project_s_curves(sample, "2026-10", fc, table)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(sample.projects)
    by_title = {ax.get_title(loc="left"): ax for ax in panels}
    erp = by_title[f"ERP · {table.at[('project', 'ERP'), 'rag']}"]
    lines = {line.get_label(): line for line in erp.get_lines()}
    forecast = lines["Forecast (EAC)"].get_ydata()
    assert forecast[-1] == pytest.approx(fc.at["ERP", "eac"])
    ev = evm.s_curve(sample.select(["ERP"]), through="2026-10")["ev"].dropna()
    drawn = np.asarray(lines["Earned value (EV)"].get_ydata(), dtype=float)
    np.testing.assert_allclose(drawn[~np.isnan(drawn)], ev)
    band = [c for c in erp.collections if c.get_label() == "EAC range"]
    assert len(band) == 1
    ys = band[0].get_paths()[0].vertices[:, 1]
    assert ys.max() == pytest.approx(fc.at["ERP", "eac_p90"])
    assert np.isclose(ys, fc.at["ERP", "eac_p10"]).any()
    legend_labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "EAC range" in legend_labels and "Planned value (PV)" in legend_labels
    matplotlib.pyplot.close(fig)


def test_rag_legend_and_provenance_follow_the_rating(mini):
    legend = plots.rag_legend(T).data["meaning"]
    assert legend["green"].startswith("SPI(t) and CPI both at or above 0.95 and VAC/BAC at "
                                      "or above -5%")
    assert "or VAC/BAC below -10%" in legend["red"]
    assert plots.rag_legend().data["meaning"]["green"].startswith("SPI and CPI both")
    text = str(report.provenance(mini, "2026-01", T))
    assert "RAG rating: SPI(t) and CPI green at or above 0.95, amber at or above 0.90; " \
        "VAC / BAC green at or above -5%, amber at or above -10%." in text


def test_headline_shows_spi_t(mini):
    table = evm.performance_table(mini, "2026-01", T)
    h = report.headline(mini, "2026-01", report.project_rows(table), table.loc[["portfolio"]],
                        T)
    assert h.spi_t == pytest.approx(1800 / 3400 * 31 / 16)
    assert h.spi_t_rag == "green"
    assert "SPI(t) (schedule in time)" in h._repr_html_()
    assert h.to_dict()["spi_t"] == pytest.approx(h.spi_t)
