"""Tests of the what-if panels (pmo_lib.widgets), built headlessly (no kernel, no browser).

Values on the mini fixture, by hand from tests/data/mini: at 2026-01 P1 has SPI 1800 / 2000 =
0.90 and CPI 1.00, P2 has nothing planned or spent (grey); at 2026-02 P1 has SPI 1.00 and CPI
3000 / 3400 = 0.88, P2 has SPI 200 / 400 = 0.50 and CPI 200 / 250 = 0.80. Fixtures ``mini``
and ``sample`` come from tests/conftest.py.
"""

import ast
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib import MissingDataError, evm, widgets


def test_panel_starts_at_the_latest_month_and_default_thresholds(mini):
    panel = widgets.rag_threshold_panel(mini)
    assert panel.month.value == "2026-02"
    assert list(panel.month.options) == ["2026-01", "2026-02"]
    assert (panel.green.value, panel.amber.value) == (0.95, 0.90)
    assert panel.table.columns.tolist() == list(widgets.TABLE_COLUMNS)
    assert panel.table["rag"].to_dict() == {"P1": "red", "P2": "red"}
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 2, "grey": 0}
    assert panel.error is None


def test_panel_updates_when_the_sliders_move(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    # Amber at 0.85: P1 (CPI 0.88) turns amber, P2 (SPI 0.50) stays red.
    panel.amber.value = 0.85
    assert panel.table["rag"].to_dict() == {"P1": "amber", "P2": "red"}
    assert panel.counts.to_dict() == {"green": 0, "amber": 1, "red": 1, "grey": 0}
    assert "CPI 0.88 below 0.95" in panel.table.loc["P1", "rag_reason"]
    # Green at 0.87 too: P1 is green.
    panel.green.value = 0.87
    assert panel.counts.to_dict() == {"green": 1, "amber": 0, "red": 1, "grey": 0}
    # Down to 0.5 / 0.5: everyone green (P2's SPI 0.50 is at the threshold).
    panel.amber.value = 0.5
    panel.green.value = 0.5
    assert panel.counts.to_dict() == {"green": 2, "amber": 0, "red": 0, "grey": 0}
    # What is shown follows what is computed.
    assert "green: 2" in panel._counts.value and "red: 0" in panel._counts.value
    assert panel._table.value.count(">green<") == 2
    assert "0.50" in panel._legend.value


def test_panel_updates_when_the_month_changes(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    panel.month.value = "2026-01"
    assert panel.table["rag"].to_dict() == {"P1": "amber", "P2": "grey"}
    assert panel.table.loc["P1", "spi"] == pytest.approx(0.90)
    panel.amber.value = 0.85
    panel.green.value = 0.89
    assert panel.counts.to_dict() == {"green": 1, "amber": 0, "red": 0, "grey": 1}
    panel.green.value, panel.amber.value = 1.0, 0.95
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 1, "grey": 1}
    assert ">red<" in panel._table.value and ">grey<" in panel._table.value


def test_amber_above_green_shows_a_message_and_keeps_the_table(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    before = panel.table.copy()
    panel.amber.value = 1.0  # above green 0.95
    assert panel.error is not None and "need 0 < amber <= green" in panel.error
    assert "Table not updated" in panel._message.value
    pd.testing.assert_frame_equal(panel.table, before)
    panel.green.value = 1.05  # valid again
    assert panel.error is None and panel._message.value == ""
    assert panel.counts.to_dict() == {"green": 0, "amber": 0, "red": 2, "grey": 0}


def test_panel_starting_thresholds_and_errors(mini):
    panel = widgets.rag_threshold_panel(mini, "2026-02", evm.RagThresholds(0.87, 0.85))
    assert (panel.green.value, panel.amber.value) == (0.87, 0.85)
    assert panel.counts["green"] == 1
    with pytest.raises(MissingDataError, match="no status snapshot for 2024-01"):
        widgets.rag_threshold_panel(mini, "2024-01")


def test_performance_is_computed_once_per_month(mini, monkeypatch):
    calls = []
    real = evm.project_performance

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(evm, "project_performance", counting)
    panel = widgets.rag_threshold_panel(mini, "2026-02")
    for value in (0.93, 0.92, 0.91):
        panel.green.value = value
    panel.month.value = "2026-01"
    panel.month.value = "2026-02"
    assert calls == ["2026-02", "2026-01"]


def test_panel_on_the_sample_portfolio(sample):
    panel = widgets.rag_threshold_panel(sample)
    assert len(panel.table) == len(sample.projects)
    # Oracle independent of evm.rag_status: a project's band is set by the worse of its
    # measurable indices; grey when neither is measurable.
    worst = panel.table[["spi", "cpi"]].min(axis=1)
    seen = []
    for green, amber in ((1.0, 0.97), (0.95, 0.90), (0.85, 0.80), (0.5, 0.5)):
        panel.amber.value = min(amber, panel.amber.value)  # keep amber <= green on the way
        panel.green.value = green
        panel.amber.value = amber
        assert panel.error is None
        expected = {"green": int((worst >= green).sum()),
                    "amber": int(((worst >= amber) & (worst < green)).sum()),
                    "red": int((worst < amber).sum()), "grey": int(worst.isna().sum())}
        assert panel.counts.to_dict() == expected
        assert panel.counts.sum() == len(sample.projects)
        seen.append(tuple(panel.counts))
    assert len(set(seen)) > 1  # the sample has projects near the thresholds
    # Looser thresholds never make a project worse.
    greens = [s[0] for s in seen]
    assert greens == sorted(greens)


def test_engines_do_not_import_widgets():
    # Presentation imports engines, never the reverse (STYLE.md §2).
    root = Path(widgets.__file__).parent
    engines = ("errors", "model", "calendar", "schedule", "network", "health", "evm", "risk",
               "resources", "portfolio", "agile", "store")
    for path in (root / f"{name}.py" for name in engines):
        if not path.is_file():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any("widgets" in n for n in names), path.name
