"""The bundled sample portfolio (datasets/sample): reproducible, valid, and telling its story.

The story (see datasets/README.md): ERP slips, PLT overspends, CRM dips and recovers after a
re-plan approved in 2026-04, DCM finishes in the spring, WMS starts in 2026-03, and APP, DAT,
REG, SEC and WEB stay on track. EVM as in the PMBOK Guide: PV = each task's budget spread
evenly over its baseline working days, EV = budget x percent complete, AC = actual cost.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from pmo_lib import load_portfolio, model
from pmo_lib.schedule import schedule_portfolio

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"
GENERATOR = ROOT / "datasets" / "generate_sample.py"
MONTHS = pd.period_range("2025-11", "2026-10", freq="M")
ON_TRACK = ("APP", "DAT", "REG", "SEC", "WEB")
SLIPPING, OVERSPENDING, RECOVERING, FINISHED, STARTED = "ERP", "PLT", "CRM", "DCM", "WMS"


@pytest.fixture(scope="module")
def pf():
    return load_portfolio(SAMPLE)


def _performance(pf, month) -> pd.DataFrame:
    """PV, EV, AC, SPI, CPI per project at ``month`` (indexed by project id)."""
    try:
        from pmo_lib import evm
        if hasattr(evm, "project_performance"):
            return evm.project_performance(pf, month)[["pv", "ev", "ac", "spi", "cpi"]]
    except ImportError:  # pragma: no cover - evm not there yet
        pass
    tasks, cal, date = pf.tasks, pf.calendar, pf.status_date(month)
    upto = tasks["baseline_finish"].where(tasks["baseline_finish"] < date, date)
    share = (cal.working_days(tasks["baseline_start"], upto)
             / cal.working_days(tasks["baseline_start"], tasks["baseline_finish"]))
    snap = pf.snapshot(month).set_index("task_id")
    frame = pd.DataFrame({
        "project_id": tasks["project_id"], "pv": tasks["budget"] * share,
        "ev": tasks["budget"] * tasks["id"].map(snap["percent_complete"]).fillna(0) / 100,
        "ac": tasks["id"].map(snap["actual_cost"]).fillna(0)})
    out = frame.groupby("project_id").sum()
    return out.assign(spi=out["ev"] / out["pv"], cpi=out["ev"] / out["ac"])


@pytest.fixture(scope="module")
def perf(pf) -> dict[str, pd.DataFrame]:
    """SPI and CPI as tables of month (rows) x project (columns)."""
    frames = {m: _performance(pf, m) for m in MONTHS}
    return {col: pd.DataFrame({m: f[col] for m, f in frames.items()}).T
            for col in ("spi", "cpi")}


def test_regenerating_gives_identical_files(tmp_path):
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True,
                   cwd=tmp_path, capture_output=True, text=True)
    committed = sorted(p.name for p in SAMPLE.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    assert "portfolio.toml" in committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_projects_programmes_and_tasks(pf):
    assert pf.currency == "EUR" and pf.calendar.workweek == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert pf.projects["programme"].nunique() == 3
    assert len(pf.projects) == 11
    assert set(pf.projects["methodology"]) == set(model.METHODOLOGIES)
    per_project = pf.tasks.groupby("project_id").size()
    assert per_project.between(20, 150).all(), per_project
    assert len(pf.tasks) >= 600 and pf.tasks["id"].is_unique
    assert (pf.tasks["id"].str.split("-").str[0] == pf.tasks["project_id"]).all()


def test_wbs_and_milestones(pf):
    named = set(zip(pf.wbs["project_id"], pf.wbs["wbs"], strict=True))
    for pid, code in zip(pf.tasks["project_id"], pf.tasks["wbs"], strict=True):
        parts = code.split(".")
        for n in range(1, len(parts)):
            assert (pid, ".".join(parts[:n])) in named, (pid, code)
    ms = pf.tasks[pf.tasks["milestone"]]
    assert len(ms) >= 3 * len(pf.projects)  # a gate at the end of every phase
    assert (ms["duration"] == 0).all() and (ms["budget"] == 0).all()
    assert (ms["baseline_start"] == ms["baseline_finish"]).all()
    assert set(pf.projects["id"]) <= set(ms["project_id"])


def test_links(pf):
    links = pf.links
    assert set(links["type"]) == set(model.LINK_TYPES)
    assert (links["type"] == "FS").mean() > 0.8
    assert (links["lag"] < 0).any() and (links["lag"] > 0).any()
    project = pf.tasks.set_index("id")["project_id"]
    assert (links["pred"].map(project) != links["succ"].map(project)).sum() >= 10
    assert not (links["pred"] == links["succ"]).any()
    assert not links.duplicated(["pred", "succ"]).any()
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(zip(links["pred"], links["succ"],
                                                            strict=True))))


def test_baseline_is_consistent_with_the_links(pf):
    """The baseline is the scheduling engine's plan: every link holds, milestones included."""
    tasks, cal = pf.tasks.set_index("id"), pf.calendar
    assert cal.is_working_day(tasks["baseline_start"]).all()
    assert cal.is_working_day(tasks["baseline_finish"]).all()
    start = tasks["project_id"].map(pf.projects.set_index("id")["start_date"])
    assert (tasks["baseline_start"] >= start).all()
    plan = schedule_portfolio(pf).loc[tasks.index]  # no month: the plan from the start dates
    for ours, engine in (("baseline_start", "start_date"), ("baseline_finish", "finish_date")):
        differ = plan[engine].to_numpy() != tasks[ours].to_numpy()
        assert not differ.any(), plan.loc[differ, [engine]].join(tasks[[ours]])


def test_resources_assignments_and_budgets(pf):
    assert len(pf.resources) >= 25 and pf.resources["role"].nunique() >= 8
    work = pf.tasks[~pf.tasks["milestone"]]
    assert work["id"].isin(pf.assignments["task_id"]).mean() > 0.8
    rate = pf.assignments["resource_id"].map(pf.resources.set_index("id")["cost_rate"])
    labour = (pf.assignments["units"] * rate).groupby(pf.assignments["task_id"]).sum()
    labour = work.set_index("id")["duration"] * labour.reindex(work["id"]).to_numpy()
    budget = work.set_index("id")["budget"]
    assert (budget >= 0.9 * labour.fillna(0)).all()
    assert ((budget / labour).dropna().median() > 0.95) and (budget > 0).all()
    totals = pf.tasks.groupby("project_id")["budget"].sum()
    assert (pf.projects.set_index("id")["budget"] >= totals).all()


def test_calendar_and_status_dates(pf):
    years = pf.holidays["date"].dt.year
    assert set(years) == set(range(2024, 2029)) and pf.holidays["name"].notna().all()
    assert list(pf.months) == list(MONTHS)
    for date in pf.status_dates:
        after = pd.date_range(date + pd.Timedelta(days=1), date + pd.offsets.MonthEnd(0))
        assert pf.calendar.is_working_day(date) and not pf.calendar.is_working_day(after).any()


def test_status_rows(pf):
    st = pf.status
    assert ((st["percent_complete"] > 0) | (st["actual_cost"] > 0)).all()
    assert st["actual_start"].notna().all() and (st["actual_start"] <= st["status_date"]).all()
    assert (st["actual_finish"].notna() == (st["percent_complete"] == 100)).all()
    assert st["comment"].notna().any()


def test_progress_and_cost_never_decrease(pf):
    st = pf.status.sort_values(["task_id", "status_date"])
    for col in ("percent_complete", "actual_cost"):
        assert (st.groupby("task_id")[col].diff().dropna() >= 0).all(), col
    # a started task stays in every later snapshot, with the same actual start
    months = st.groupby("task_id")["status_date"].agg(["min", "count"])
    later = [sum(d >= first for d in pf.status_dates) for first in months["min"]]
    assert (months["count"] == later).all()
    assert (st.groupby("task_id")["actual_start"].nunique() == 1).all()


def test_slipping_project(perf):
    spi, cpi = perf["spi"][SLIPPING], perf["cpi"][SLIPPING]
    assert spi.iloc[0] >= 0.95 and spi.iloc[-1] < 0.9 and spi.iloc[-1] == spi.min()
    assert (spi.diff().dropna() <= 0.01).all()  # falling month after month (noise aside)
    assert cpi.between(0.93, 1.0).all()


def test_overspending_project(perf):
    spi, cpi = perf["spi"][OVERSPENDING], perf["cpi"][OVERSPENDING]
    assert cpi.iloc[0] >= 0.95 and cpi.iloc[-1] < 0.9 and (cpi.diff().dropna() <= 0.01).all()
    assert spi.between(0.95, 1.05).all()


def test_recovering_project(pf, perf):
    spi, cpi = perf["spi"][RECOVERING], perf["cpi"][RECOVERING]
    dip = [pd.Period(m, "M") for m in ("2026-03", "2026-04")]
    assert spi[dip].min() < 0.9 and cpi[dip].min() < 0.9
    assert spi.iloc[-1] >= 0.95 and cpi.iloc[-1] >= 0.95
    april = pf.snapshot("2026-04")
    rows = april[april["task_id"].str.startswith(f"{RECOVERING}-")]
    assert rows["comment"].str.contains("Recovery plan approved").all()


def test_on_track_projects(perf):
    for col in ("spi", "cpi"):
        values = perf[col][list(ON_TRACK)]
        assert ((values >= 0.95) & (values <= 1.06)).all().all(), values


def test_finished_project(pf):
    st = pf.status[pf.status["task_id"].str.startswith(f"{FINISHED}-")]
    n_tasks = (pf.tasks["project_id"] == FINISHED).sum()
    for month in MONTHS[MONTHS >= pd.Period("2026-06", "M")]:
        snap = st[st["status_date"] == pf.status_date(month)]
        assert len(snap) == n_tasks and (snap["percent_complete"] == 100).all()
    assert st["actual_finish"].max() <= pd.Timestamp("2026-06-30")
    assert (st[st["status_date"] < pd.Timestamp("2026-03-01")]["percent_complete"] < 100).any()


def test_project_started_during_the_year(pf):
    start = pf.projects.set_index("id").at[STARTED, "start_date"]
    assert pd.Timestamp("2026-02-01") <= start < pd.Timestamp("2026-06-01")
    st = pf.status[pf.status["task_id"].str.startswith(f"{STARTED}-")]
    assert st["status_date"].min().to_period("M") == start.to_period("M")
    assert (st["actual_start"] >= start).all()
    others = pf.projects[pf.projects["id"] != STARTED]
    assert (others["start_date"] < pd.Timestamp("2025-11-01")).all()


def test_risk_register(pf):
    risks = pf.risks
    assert risks["id"].nunique() >= 40 and risks["project_id"].nunique() == len(pf.projects)
    assert set(risks["state"]) == set(model.RISK_STATES)
    assert risks["owner"].isna().any() and risks["response"].isna().any()
    assert risks["status_date"].isin(pf.status_dates).all()
    assert risks.groupby("id")["status_date"].min().nunique() > 3  # raised in different months
    project = pf.tasks.set_index("id")["project_id"]
    for pid, affected in zip(risks["project_id"], risks["affected_tasks"], strict=True):
        assert affected and all(project[t] == pid for t in affected)
    occurred = risks[risks["state"] == "occurred"]
    assert occurred["id"].nunique() >= 2 and (occurred["probability"] == 1).all()
    moved = risks.groupby("id")["probability"].agg(lambda p: np.ptp(p.to_numpy()))
    assert (moved > 0.05).sum() >= 10  # probabilities evolve as responses work


def test_readme_contains_the_data_dictionary():
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert model.data_dictionary() in readme
