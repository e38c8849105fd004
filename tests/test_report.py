"""Tests of pmo_lib.report: the monthly report notebook run end to end with papermill.

The headline figures are read back from the JSON the runner extracts from the executed
notebook (pyhf style) and compared with what :mod:`pmo_lib.evm` computes directly.

Hand-checked figures of the mini fixture (tests/data/mini, status.csv and tasks.csv):

* 2026-02 (status date 2026-02-27): every baseline task is due, so PV = BAC = 3400;
  EV = 1000 (A1 100 %) + 2000 (A2 100 %) + 0 (M1) + 0.5 × 400 (B1) = 3200;
  AC = 1100 + 2300 + 0 + 250 = 3650; SPI = 3200 / 3400, CPI = 3200 / 3650,
  EAC = BAC / CPI = 3878.125; both projects red.
* 2026-01 (status date 2026-01-16): EV = 1000 + 0.4 × 2000 = 1800; AC = 1100 + 700 = 1800;
  CPI = 1; P1 amber (SPI 0.90), P2 grey (nothing planned yet).

Schedule (calendar Mon-Fri, holiday 2026-01-19): at 2026-01, A2 has 6 of its 10 days left
from the data date 2026-01-20, so it finishes 2026-01-27 and M1 is forecast 2026-01-27
(baseline 01-26: P1 slips 1 working day); B1 then runs 01-28..02-02 against a baseline
finish of 01-30 (P2 slips 1). At 2026-02, M1 was met on 2026-01-28 (P1 slip 2, +1 since
January; M1 moved 1 working day) and B1 has 2 of 4 days left from 2026-03-02, finishing
2026-03-03: 22 working days after 01-30 (20 in February, 2 in March), +21 since January.
"""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from pmo_lib import SAMPLE_DATA, evm, load_portfolio, report, schedule
from pmo_lib.errors import DataValidationError, ReportError

MINI = Path(__file__).parent / "data" / "mini"
MINI_MONTHS = ("2026-01", "2026-02")
SAMPLE_MONTHS = tuple(str(m) for m in pd.period_range("2025-11", "2026-10", freq="M"))
#: Section titles of the schedule part of the report.
SCHEDULE_SECTIONS = ("Schedule: when will the projects finish?", "Portfolio schedule",
                     "Milestones that moved", "Schedule quality")
REPORT_FILES = (".ipynb", ".html", ".json")
#: Section titles of the EVM part added by issue 4, and of the governance and agile part.
EVM_SECTIONS = ("What changed since last month", "Projects and programmes",
                "Forecasts and their range", "Project S-curves")
GOVERNANCE_SECTIONS = ("Governance: are the gates respected?", "Agile delivery", "Risks",
                       "How likely were the plans?")
#: Section titles of the resources, cross-project dependencies and planning-round part.
PORTFOLIO_SECTIONS = ("Programmes at a glance", "Resources: who is over-booked?",
                      "What levelling would do", "Cross-project dependencies",
                      "Portfolio ranking: the next planning round")
#: Tolerance of money [cur] and ratios read back from JSON.
REL, ABS = 1e-9, 1e-6

has_sample = pytest.mark.skipif(not (SAMPLE_DATA / "status.csv").is_file(),
                                reason="datasets/sample has not been generated")


def _expected(data: Path, month: str) -> tuple[pd.DataFrame, pd.Series]:
    """What the report shows by default: every level rated on SPI(t), CPI and VAC / BAC."""
    table = evm.performance_table(load_portfolio(data), month, report.REPORT_THRESHOLDS)
    return table.loc["project"], table.loc[("portfolio", "Total")]


def _assert_headline_matches_evm(figures: dict, data: Path, month: str) -> None:
    perf, total = _expected(data, month)
    assert figures["month"] == month
    for key in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "spi_t", "eac", "vac"):
        assert figures[key] == pytest.approx(float(total[key]), rel=REL, abs=ABS), key
    counts = perf["rag"].value_counts().reindex(list(evm.RAG_LEVELS), fill_value=0)
    assert figures["rag_counts"] == {k: int(v) for k, v in counts.items()}
    assert figures["projects"] == len(perf)
    assert figures["rag"] == total["rag"]


def _report_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ----------------------------------------------------------------------------------------
# The committed notebook
# ----------------------------------------------------------------------------------------
def test_notebook_is_stripped_and_parameterised():
    nb = nbformat.read(report.REPORT_NOTEBOOK, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.cells[0].cell_type == "code" and "import" in nb.cells[0].source
    assert nb.cells[1].metadata.get("tags") == ["parameters"]
    tagged = [c for c in code if report.HEADLINE_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for cell in code:  # logic lives in pmo_lib: no functions, classes or lambdas in cells
        for word in ("def ", "class ", "lambda"):
            assert word not in cell.source, cell.source


def test_notebook_parameters_as_papermill_sees_them():
    params = papermill.inspect_notebook(str(report.REPORT_NOTEBOOK))
    assert tuple(params) == report.PARAMETERS
    assert {k: (v["inferred_type_name"], v["default"]) for k, v in params.items()} == {
        "data": ("str", '""'), "month": ("str", '""'),
        "rag_green": ("float", "0.95"), "rag_amber": ("float", "0.90"),
        "rag_schedule_index": ("str", '"spi_t"'), "rag_rate_vac": ("bool", "True"),
        "rag_vac_amber": ("float", "-0.05"), "rag_vac_red": ("float", "-0.10"),
        "project": ("str", '""')}
    assert all(v["help"] for v in params.values())


# ----------------------------------------------------------------------------------------
# Building blocks (no kernel)
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini():
    return load_portfolio(MINI)


def test_resolve_data_and_month(mini):
    assert report.resolve_data("") == SAMPLE_DATA
    assert report.resolve_data(None) == SAMPLE_DATA
    assert report.resolve_data(MINI) == MINI.resolve()
    assert report.resolve_month(mini) == pd.Period("2026-02", "M")
    assert report.resolve_month(mini, "") == pd.Period("2026-02", "M")
    assert report.resolve_month(mini, " 2026-01 ") == pd.Period("2026-01", "M")


@pytest.mark.parametrize("month, match", [
    ("2026-13", r"invalid month '2026-13': use the form YYYY-MM; .*2026-01, 2026-02$"),
    ("October", r"invalid month 'October'.*2026-01, 2026-02$"),
    ("2026-03", r"no status data for 2026-03 .*months with status data: 2026-01, 2026-02$"),
    ("2025-12", r"no status data for 2025-12"),
])
def test_resolve_month_errors(mini, month, match):
    with pytest.raises(ReportError, match=match) as info:
        report.resolve_month(mini, month)
    assert "\n" not in str(info.value)


def test_headline_hand_checked(mini):
    perf = evm.project_performance(mini, "2026-02")
    h = report.headline(mini, "2026-02", perf, evm.rollup(perf))
    assert (h.bac, h.pv, h.ev, h.ac) == (3400.0, 3400.0, 3200.0, 3650.0)
    assert h.spi == pytest.approx(3200 / 3400, rel=REL)
    assert h.cpi == pytest.approx(3200 / 3650, rel=REL)
    assert h.eac == pytest.approx(3878.125, rel=REL)
    assert h.status_date == pd.Timestamp("2026-02-27")
    assert dict(h.rag_counts) == {"green": 0, "amber": 0, "red": 2, "grey": 0}
    assert (h.rag, h.spi_rag, h.cpi_rag) == ("red", "amber", "red")
    d = h._repr_json_()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["status_date"] == "2026-02-27" and d["month"] == "2026-02"


def test_headline_follows_thresholds(mini):
    loose = evm.RagThresholds(green=0.85, amber=0.80)
    perf = evm.project_performance(mini, "2026-01", loose)
    h = report.headline(mini, "2026-01", perf, evm.rollup(perf, thresholds=loose), loose)
    assert dict(h.rag_counts) == {"green": 1, "amber": 0, "red": 0, "grey": 1}
    assert (h.rag_green, h.rag_amber, h.spi_rag) == (0.85, 0.80, "green")


def test_key_messages_name_the_projects_to_act_on(mini):
    perf = evm.project_performance(mini, "2026-02")
    h = report.headline(mini, "2026-02", perf, evm.rollup(perf))
    text = str(report.key_messages(h, perf))
    assert "Schedule: slightly behind plan" in text
    assert "Cost: over budget" in text and "3,878 EUR" in text and "(14%) over" in text
    assert "Act now on Build (CPI 0.88 below 0.90); Deploy" in text


def test_project_table_has_a_total_row(mini):
    perf = evm.project_performance(mini, "2026-02")
    html = report.project_table(perf, evm.rollup(perf), "EUR").to_html()
    assert "Portfolio total" in html and "3,878" in html and "Amounts in EUR" in html
    in_k = report.project_table(perf, evm.rollup(perf), "EUR", thousands=True).to_html()
    assert "Amounts in thousands of EUR" in in_k and ">3<" in in_k  # 3,400 EUR = 3 k


def _engine_indices(pf, month) -> pd.DataFrame:
    """SPI, CPI and SPI(t) per project straight from the EVM engine."""
    return evm.project_performance(pf, month)[["spi", "cpi"]].join(
        evm.project_earned_schedule(pf, month)["spi_t"])


@has_sample
@pytest.mark.parametrize("months", [3, 5])
def test_evm_trends_equal_the_engine(sample, months):
    month = sample.latest_month
    trends = report.evm_trends(sample, month, months=months)
    assert trends.attrs["months"] == {"now": month, "last_month": month - 1,
                                      "months_ago": month - months}
    for suffix, when in (("", month), ("_last_month", month - 1),
                         ("_months_ago", month - months)):
        expected = _engine_indices(sample, when)
        for ind in ("spi", "cpi", "spi_t"):
            pd.testing.assert_series_equal(trends[f"{ind}{suffix}"], expected[ind],
                                           check_names=False, rtol=1e-12)
    for ind in ("spi", "cpi", "spi_t"):
        for when in ("last_month", "months_ago"):
            pd.testing.assert_series_equal(
                trends[f"{ind}_change_{when}"], trends[ind] - trends[f"{ind}_{when}"],
                check_names=False, rtol=1e-12)
    assert trends["name"].tolist() == sample.projects["name"].tolist()


def test_evm_trends_hand_checked_and_months_without_status(mini):
    trends = report.evm_trends(mini, "2026-02")
    assert trends.loc["P1", ["spi", "spi_last_month"]].tolist() == [1.0, 0.9]
    assert trends.loc["P1", "spi_change_last_month"] == pytest.approx(0.1)
    assert trends.loc["P1", "cpi_change_last_month"] == pytest.approx(3000 / 3400 - 1.0)
    pd.testing.assert_frame_equal(trends[["spi", "cpi", "spi_t"]],
                                  _engine_indices(mini, "2026-02"), check_names=False)
    assert trends.filter(like="months_ago").isna().all().all()  # 2025-11: no status data
    assert trends.loc["P2"].drop(["name", "spi", "cpi", "spi_t"]).isna().all()  # not started
    html = report.trend_table(trends).to_html()
    for text in (">SPI(t)<", ">2026-02<", ">2026-01<", ">2025-11<", "change since 2026-01",
                 ">+0.10<", ">-0.12<", "Build"):
        assert text in html, text


@pytest.mark.parametrize("months, match", [(1, "at least 2"), (2.5, "whole number"),
                                           (True, "whole number")])
def test_evm_trends_errors(mini, months, match):
    with pytest.raises(DataValidationError, match=match):
        report.evm_trends(mini, "2026-02", months=months)
    with pytest.raises(ReportError, match=r"no status data for 2026-05"):
        report.evm_trends(mini, "2026-05")


def _working_day_slip(calendar, baseline: pd.Timestamp, forecast: pd.Timestamp) -> float:
    """Working days from ``baseline`` to ``forecast`` (negative when early), counted directly."""
    if forecast >= baseline:
        return float(calendar.working_days(baseline, forecast) - 1)
    return -float(calendar.working_days(forecast, baseline) - 1)


def _expected_schedule(pf, month) -> pd.DataFrame:
    """Per project forecast and baseline finish and slip, straight from schedule_portfolio."""
    sched = schedule.schedule_portfolio(pf, month)
    by = sched.groupby("project_id")
    out = pd.DataFrame({"forecast": by["finish_date"].max(),
                        "baseline": by["baseline_finish"].max()})
    out["slip"] = [_working_day_slip(pf.calendar, b, f)
                   for b, f in zip(out["baseline"], out["forecast"], strict=True)]
    return out


def test_previous_month(mini):
    assert report.previous_month(mini, "2026-02") == pd.Period("2026-01", "M")
    assert report.previous_month(mini, "2026-01") is None
    assert report.previous_schedule(mini, "2026-01") is None
    pd.testing.assert_frame_equal(report.previous_schedule(mini, "2026-02"),
                                  schedule.schedule_portfolio(mini, "2026-01"))


def test_schedule_status_hand_checked(mini):
    now = schedule.schedule_portfolio(mini, "2026-02")
    status = report.schedule_status(mini, now, report.previous_schedule(mini, "2026-02"))
    assert tuple(status.columns) == report.SCHEDULE_COLUMNS
    assert status["forecast_finish"].tolist() == [pd.Timestamp("2026-01-28"),
                                                  pd.Timestamp("2026-03-03")]
    assert status["previous_finish"].tolist() == [pd.Timestamp("2026-01-27"),
                                                  pd.Timestamp("2026-02-02")]
    assert status["slip"].tolist() == [2.0, 22.0]
    assert status["slip_change"].tolist() == [1.0, 21.0]
    assert status["milestones_moved"].tolist() == [1, 0]
    assert status["critical_joined"].tolist() == [0, 0]    # A2 and M1 finished: not "left"
    assert status["critical_left"].tolist() == [0, 0]
    assert status.attrs["portfolio"]["slip"] == 22.0       # 2026-03-03 against 2026-01-30
    first = report.schedule_status(mini, schedule.schedule_portfolio(mini, "2026-01"))
    assert first["slip"].tolist() == [1.0, 1.0]
    assert first["slip_change"].isna().all() and first["milestones_moved"].isna().all()


def test_milestone_moves_hand_checked(mini):
    now = schedule.schedule_portfolio(mini, "2026-02")
    moves = report.milestone_moves(mini, now, report.previous_schedule(mini, "2026-02"))
    assert moves.index.tolist() == ["M1"]
    row = moves.loc["M1"]
    assert (row["project"], row["milestone"]) == ("Build", "Built")
    assert (row["baseline"], row["previous_forecast"], row["forecast"]) == (
        pd.Timestamp("2026-01-26"), pd.Timestamp("2026-01-27"), pd.Timestamp("2026-01-28"))
    assert (row["moved"], row["slip"]) == (1.0, 2.0)
    assert report.milestone_moves(mini, now, None).empty
    assert "No milestone forecast moved" in str(report.milestone_table(moves.iloc[:0]))
    html = report.milestone_table(moves).to_html()
    assert "Built" in html and "27 Jan 2026" in html and "+1" in html


@pytest.mark.parametrize("month", ["2026-04", "2026-07"])
def test_schedule_blocks_equal_the_engine_on_the_sample(sample, month):
    now = schedule.schedule_portfolio(sample, month)
    before_month = report.previous_month(sample, month)
    before = schedule.schedule_portfolio(sample, before_month)
    status = report.schedule_status(sample, now, report.previous_schedule(sample, month))
    expected = _expected_schedule(sample, month)
    previous = _expected_schedule(sample, before_month)
    assert status.index.tolist() == sample.projects["id"].tolist()
    assert status["forecast_finish"].tolist() == expected["forecast"][status.index].tolist()
    assert status["baseline_finish"].tolist() == expected["baseline"][status.index].tolist()
    assert status["slip"].tolist() == expected["slip"][status.index].tolist()
    assert status["slip_change"].tolist() == \
        (expected["slip"] - previous["slip"])[status.index].tolist()
    # milestones moved: forecast date changed since the previous month
    ms = now[now["milestone"]]
    moved = ms.index[ms["finish_date"] != before["finish_date"][ms.index]]
    moves = report.milestone_moves(sample, now, before)
    assert sorted(moves.index) == sorted(moved)
    assert moves["moved"].abs().is_monotonic_decreasing
    assert status["milestones_moved"].sum() == len(moved)
    for task, row in moves.iterrows():
        assert row["moved"] == _working_day_slip(sample.calendar, before.at[task, "finish_date"],
                                                 row["forecast"])
    # critical path changes: the longest path now against last month's
    changes = report.critical_path_changes(now, before)
    joined = now.index[now["longest_path"] & ~before["longest_path"][now.index]]
    left = now.index[~now["longest_path"] & before["longest_path"][now.index]
                     & (now["status"] != "complete")]
    assert sorted(changes.index[changes["change"] == "joined"]) == sorted(joined)
    assert sorted(changes.index[changes["change"] == "left"]) == sorted(left)
    assert status["critical_joined"].sum() == len(joined)
    assert status["critical_left"].sum() == len(left)
    text = str(report.schedule_messages(status, moves, changes))
    assert f"{int((expected['slip'] > 0).sum())} of {len(expected)} projects" in text


def test_dcma_summary_equals_health(sample):
    from pmo_lib import health

    month = sample.latest_month
    summary = report.dcma_summary(sample, month)
    overall = health.dcma14(sample, month)
    by = health.dcma14_by_project(sample, month)
    assert summary.index.tolist() == list(range(1, 15))
    pd.testing.assert_series_equal(summary["metric"], overall["metric"])
    assert summary["passed"].tolist() == overall["passed"].tolist()
    failing = (~by["passed"]).groupby(level="number").sum()
    assert summary["projects_failing"].tolist() == failing.tolist()
    assert (summary["projects"] == len(sample.projects)).all()
    html = report.dcma_table(summary).to_html()
    for text in ("Critical path test", "Pass rule", "Projects failing", "≤ 5 %", "≥ 90 %"):
        assert text in html, text
    assert html.count(">Pass<") == int(overall["passed"].sum())
    assert html.count(">Fail<") == int((~overall["passed"]).sum())
    passed = int(overall["passed"].sum())
    assert f"{passed} of 14 DCMA checks pass" in str(report.dcma_messages(summary))


def test_headline_schedule_figures(mini):
    perf = evm.project_performance(mini, "2026-02")
    status = report.schedule_status(mini, schedule.schedule_portfolio(mini, "2026-02"))
    h = report.headline(mini, "2026-02", perf, evm.rollup(perf), schedule_status=status)
    d = h.to_dict()
    assert (d["projects_late"], d["worst_slip"], d["worst_slip_project"]) == (2, 22.0, "P2")
    assert "Finishing late" in h._repr_html_() and "2 of 2" in h._repr_html_()
    plain = report.headline(mini, "2026-02", perf, evm.rollup(perf)).to_dict()
    assert plain["projects_late"] is None and "Finishing late" not in \
        report.headline(mini, "2026-02", perf, evm.rollup(perf))._repr_html_()


# ----------------------------------------------------------------------------------------
# End to end on the mini fixture
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini_reports")
    return out, {m: report.run_monthly_report(m, MINI, out) for m in MINI_MONTHS}


def test_report_files(mini_reports):
    out, results = mini_reports
    expected = sorted(f"{report.REPORT_NAME}_{m}{ext}" for m in MINI_MONTHS
                      for ext in REPORT_FILES)
    assert _report_files(out) == expected  # nothing else: no temporary or partial file
    for month, result in results.items():
        assert result.month == pd.Period(month, "M")
        assert result.html == out / f"monthly_portfolio_report_{month}.html"
        assert {result.notebook.suffix, result.summary.suffix} == {".ipynb", ".json"}


@pytest.mark.parametrize("month", MINI_MONTHS)
def test_headline_json_equals_evm(mini_reports, month):
    _, results = mini_reports
    figures = json.loads(results[month].summary.read_text(encoding="utf-8"))
    _assert_headline_matches_evm(figures, MINI, month)
    assert figures == results[month].headline
    assert figures["parameters"]["month"] == month


def test_headline_hand_checked_end_to_end(mini_reports):
    _, results = mini_reports
    jan, feb = (json.loads(results[m].summary.read_text()) for m in MINI_MONTHS)
    assert (jan["ev"], jan["ac"], jan["cpi"]) == (1800.0, 1800.0, 1.0)
    # January: P1's SPI is 0.90 (amber on SPI) but its SPI(t) is 0.6 / (16/31) = 1.16: the
    # report rates SPI(t), so P1 is green; P2 has not started (grey, VAC not rated yet).
    assert jan["spi_t"] == pytest.approx(1800 / 3400 * 31 / 16, rel=REL)
    assert jan["rag_counts"] == {"green": 1, "amber": 0, "red": 0, "grey": 1}
    assert (feb["pv"], feb["ev"], feb["ac"]) == (3400.0, 3200.0, 3650.0)
    assert feb["eac"] == pytest.approx(3878.125, rel=REL)
    assert feb["rag_counts"] == {"green": 0, "amber": 0, "red": 2, "grey": 0}
    for key in ("pv", "ev", "ac", "status_date", "rag_counts"):
        assert jan[key] != feb[key], key
    assert (jan["projects_late"], jan["worst_slip"]) == (2, 1.0)
    assert (feb["projects_late"], feb["worst_slip"], feb["worst_slip_project"]) == \
        (2, 22.0, "P2")


@pytest.mark.parametrize("month", MINI_MONTHS)
def test_executed_notebook_keeps_its_parameters(mini_reports, month):
    _, results = mini_reports
    nb = nbformat.read(results[month].notebook, as_version=4)
    assert nb.metadata.papermill.parameters == {
        "data": str(MINI.resolve()), "month": month, "rag_green": 0.95, "rag_amber": 0.90,
        "rag_schedule_index": "spi_t", "rag_rate_vac": True, "rag_vac_amber": -0.05,
        "rag_vac_red": -0.10}
    assert report.read_headline(nb)["month"] == month
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("month", MINI_MONTHS)
def test_html_has_no_code_and_shows_the_report(mini_reports, month):
    _, results = mini_reports
    html = results[month].html.read_text(encoding="utf-8")
    for code in ("import pmo_lib", "from pmo_lib", "load_portfolio(", "report.headline(",
                 "rag_green: float", "jp-InputArea-editor", "In&nbsp;["):
        assert code not in html, code
    assert f"<title>Mini portfolio (hand-checked test fixture): monthly portfolio report " \
           f"{month}</title>" in html
    period = pd.Period(month, "M")
    assert f"{period:%B %Y}" in html
    for text in ("Build", "Deploy", "Portfolio total", "Headline figures",
                 "on track", "act now, escalate to the sponsor", "Not measurable yet"):
        assert text in html, text
    assert html.count("data:image/svg+xml") >= 4  # S-curve, SPI x CPI, bullseye, Gantt
    for text in ("Schedule in time and cost", "Trends", "SPI(t)",
                 f"change since {period - 1}"):  # the bullseye and the trend table
        assert text in html, text
    assert "<script" not in html  # a self-contained page: no JavaScript, no network
    for title in SCHEDULE_SECTIONS:
        assert title in html, title
    for text in ("Critical path test", "Pass rule", "Projects failing", "Finishing late",
                 "Slip", "Forecast finish"):  # the DCMA table, the card, the schedule table
        assert text in html, text
    forecast = _expected_schedule(load_portfolio(MINI), month)["forecast"]
    assert all(f"{d:%d %b %Y}" in html for d in forecast)
    for title in PORTFOLIO_SECTIONS:
        assert title in html, title
    # mini has no planning round; in January its one cross-project link is late.
    assert "This portfolio has no planning round" in html
    assert ("Late: M1 (P1) → B1 (P2)" in html) == (month == "2026-01")


# ----------------------------------------------------------------------------------------
# Failures leave no file behind
# ----------------------------------------------------------------------------------------
@pytest.fixture
def bad_data(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(MINI, folder)
    tasks = folder / "tasks.csv"
    tasks.write_text(tasks.read_text().replace(",1000,", ",lots,", 1))
    return folder


@pytest.mark.parametrize("kwargs, match", [
    ({"month": "2026-13"}, r"^invalid month '2026-13'"),
    ({"month": "October"}, r"^invalid month 'October'"),
    ({"month": "2026-05"}, r"^no status data for 2026-05 .*: 2026-01, 2026-02$"),
    ({"data": "no/such/folder"}, r"^cannot load the portfolio data: .*no/such/folder: "
                                 r"data folder not found$"),
    ({"data": "BAD"}, r"^cannot load the portfolio data: .*tasks.csv, row 2, ID 'A1', "
                      r"column 'budget': "),
    ({"notebook": "no/such.ipynb"}, r"^report notebook not found"),
])
def test_errors_before_running(tmp_path, bad_data, kwargs, match):
    out = tmp_path / "out"
    kwargs = {"data": MINI, **kwargs}
    if kwargs["data"] == "BAD":
        kwargs["data"] = bad_data
    with pytest.raises(ReportError, match=match) as info:
        report.run_monthly_report(out=out, **kwargs)
    assert "\n" not in str(info.value)
    assert not out.exists()


def _notebook_copy(tmp_path: Path, edit) -> Path:
    nb = nbformat.read(report.REPORT_NOTEBOOK, as_version=4)
    edit(nb)
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    return path


def test_undeclared_parameter_is_refused(tmp_path):
    def drop_amber(nb):
        cell = nb.cells[1]
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                if not line.startswith("rag_amber"))

    source = _notebook_copy(tmp_path, drop_amber)
    out = tmp_path / "out"
    with pytest.raises(ReportError, match=r"does not declare the parameter rag_amber in its "
                                          r"cell tagged 'parameters'; it declares: data, "
                                          r"month, rag_green, rag_schedule_index, "
                                          r"rag_rate_vac, rag_vac_amber, rag_vac_red, project$"):
        report.run_monthly_report("2026-02", MINI, out, notebook=source)
    assert not out.exists()


def test_failing_cell_names_the_error_and_leaves_nothing(tmp_path):
    def add_failure(nb):
        nb.cells.insert(5, nbformat.v4.new_code_cell('raise RuntimeError("boom\\nsecond")'))

    source = _notebook_copy(tmp_path, add_failure)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ReportError, match=r"^the report notebook failed in cell \[\d+\] "
                                          r"\(raise RuntimeError.*\): RuntimeError: boom$"):
        report.run_monthly_report("2026-02", MINI, out, notebook=source)
    assert _report_files(out) == []


# ----------------------------------------------------------------------------------------
# The bundled sample
# ----------------------------------------------------------------------------------------
@has_sample
def test_two_sample_months(tmp_path):
    months = ("2026-03", "2026-10")
    pf = load_portfolio(SAMPLE_DATA)
    names = pf.projects["name"]
    figures, forecasts = {}, {}
    for month in months:
        result = report.run_monthly_report(month, out=tmp_path)
        figures[month] = json.loads(result.summary.read_text(encoding="utf-8"))
        _assert_headline_matches_evm(figures[month], SAMPLE_DATA, month)
        html = result.html.read_text(encoding="utf-8")
        assert all(name in html or escape(name) in html for name in names)
        # the schedule figures are those of the engine, straight from schedule_portfolio
        expected = _expected_schedule(pf, month)
        forecasts[month] = expected["forecast"]
        assert figures[month]["projects_late"] == int((expected["slip"] > 0).sum())
        assert figures[month]["worst_slip"] == expected["slip"].max()
        assert expected.at[figures[month]["worst_slip_project"], "slip"] == \
            expected["slip"].max()
        assert all(f"{d:%d %b %Y}" in html for d in expected["forecast"])
        for title in SCHEDULE_SECTIONS:
            assert escape(title) in html, title
        assert html.count(">Pass<") + html.count(">Fail<") == 14   # the DCMA table
        for title in EVM_SECTIONS + GOVERNANCE_SECTIONS:
            assert escape(title) in html, title
        # Governance and agile: the engine's overdue gates and forecasts are on the page.
        gates = report.gate_compliance(pf, month)
        for r in gates[gates["state"] == "overdue"].itertuples():
            assert f"gate {r.gate} ({escape(r.name)})" in html
        agile = report.agile_status(pf, month)
        assert all(f"{d:%d %b %Y}" in html for d in agile["finish_p85"].dropna())
        # Risks: the top risk by EMV and every project's simulated P80 finish.
        top = report.risk_register(pf, month).query("state == 'open'").sort_values(
            "emv", ascending=False).iloc[0]
        assert escape(top["title"]) in html
        plan = report.schedule_risk(pf, month)
        assert all(f"{d:%d %b %Y}" in html for d in plan["finish_p80"])
        # Resources, dependencies and the planning round: the engines' figures are shown.
        for title in PORTFOLIO_SECTIONS:
            assert escape(title) in html, title
        for link in report.dependencies(pf, month).query("status == 'late'").itertuples():
            assert f"{link.pred_task} ({link.pred_project}) → {link.succ_task}" in html
        top = report.overallocation_runs(pf, month).iloc[0]
        assert f"{top['resource_id']} {escape(top['resource_name'])}, {top['role']}" in html
        ranking = report.candidate_ranking(pf)
        assert all(escape(name) in html for name in ranking["name"])
        assert html.count(">selected<") == int(ranking["selected"].sum())
    assert "margin -108 d" in html          # 2026-10: ERP-0082 → WMS-0032
    for key in ("pv", "ev", "ac", "spi", "cpi", "status_date"):
        assert figures["2026-03"][key] != figures["2026-10"][key], key
    assert not forecasts["2026-03"].equals(forecasts["2026-10"])


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    return tmp_path_factory.mktemp("sample_reports")


@pytest.mark.slow
@has_sample
@pytest.mark.parametrize("month", SAMPLE_MONTHS)
def test_every_sample_month_produces_a_report(sample_out, month):
    result = report.run_monthly_report(month, out=sample_out)
    for ext in REPORT_FILES:
        assert (sample_out / f"{report.REPORT_NAME}_{month}{ext}").is_file()
    figures = json.loads(result.summary.read_text(encoding="utf-8"))
    _assert_headline_matches_evm(figures, SAMPLE_DATA, month)
    slip = _expected_schedule(load_portfolio(SAMPLE_DATA), month)["slip"]
    assert (figures["projects_late"], figures["worst_slip"]) == (int((slip > 0).sum()),
                                                                 slip.max())
    nb = nbformat.read(result.notebook, as_version=4)
    assert nb.metadata.papermill.parameters["month"] == month
