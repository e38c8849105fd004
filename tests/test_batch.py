"""Tests of pmo_lib.batch: the portfolio report and one report per project, in parallel.

The fast tests replace :func:`pmo_lib.report.run_monthly_report` by a stand-in (no Jupyter
kernel) and run the batch in this process (``workers=1``). The two slow tests run the real
report notebook on the mini portfolio (tests/data/mini: projects P1 and P2): on two spawned
local processes, and on a ``distributed.LocalCluster`` of two worker processes with a copy of
the notebook that fails for P2, to show a failing project report is reported while the
others are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from pmo_lib import batch, evm, load_portfolio, report
from pmo_lib.cli import main
from pmo_lib.errors import ReportError

MINI = Path(__file__).parent / "data" / "mini"
MONTH = "2026-02"
STEM = report.REPORT_NAME
FILES = (".html", ".ipynb", ".json")


# ----------------------------------------------------------------------------------------
# One project in the report (no kernel)
# ----------------------------------------------------------------------------------------
def test_for_project_narrows_and_names_the_portfolio():
    pf = load_portfolio(MINI)
    assert report.for_project(pf, "") is pf and report.for_project(pf, None) is pf
    one = report.for_project(pf, " P2 ")
    assert list(one.projects["id"]) == ["P2"]
    assert set(one.tasks["project_id"]) == {"P2"} and set(one.risks["project_id"]) == {"P2"}
    assert one.name == f"{pf.name}: Deploy (P2)"
    assert list(one.months) == list(pf.months)  # the status dates stay the portfolio's
    with pytest.raises(ReportError, match=r"^no project 'P9' in .*mini; projects: P1, P2$"):
        report.for_project(pf, "P9")


def test_exposure_chart_of_a_project_without_risks_yet():
    # P2's only risk is recorded in 2026-02: in January the chart has nothing to draw (it
    # raised "facecolor must not be an empty sequence" before).
    p2 = report.for_project(load_portfolio(MINI), "P2")
    assert report.exposure_chart(p2, "2026-01") is None
    assert report.exposure_chart(p2, MONTH) is not None


# ----------------------------------------------------------------------------------------
# The batch with a stand-in for the report runner (no kernel)
# ----------------------------------------------------------------------------------------
@pytest.fixture
def fake_runner(monkeypatch):
    """run_monthly_report writes one HTML file; P2 raises a ReportError, P3 a bug."""
    calls = []

    def fake(month, data, out, *, thresholds=None, notebook=None, timeout=None, project=None):
        calls.append(project)
        if project == "P2":
            raise ReportError("the report notebook failed in cell [3]:\n  ValueError: bad")
        stem = f"{STEM}_{project}_{month}" if project else f"{STEM}_{month}"
        Path(out).mkdir(parents=True, exist_ok=True)
        html = Path(out) / f"{stem}.html"
        html.write_text("<html></html>", encoding="utf-8")
        return SimpleNamespace(html=html)

    monkeypatch.setattr(report, "run_monthly_report", fake)
    return calls


def test_a_failing_report_does_not_stop_the_others(tmp_path, fake_runner):
    out = tmp_path / "out"
    result = batch.run_reports(MONTH, MINI, out, projects=["P2", "P1"], workers=1,
                               progress=False)
    assert fake_runner == [None, "P2", "P1"]
    assert [r.project for r in result.reports] == [None, "P2", "P1"]  # portfolio first
    assert result.month == MONTH and result.out == out.resolve() and not result.ok
    portfolio, p2, p1 = result.reports
    assert portfolio.ok and portfolio.path == out.resolve() / f"{STEM}_{MONTH}.html"
    assert p1.ok and p1.path.is_file() and p1.name == "Build"
    assert result.failed == (p2,) and p2.path is None
    assert p2.error == "the report notebook failed in cell [3]: ValueError: bad"  # one line


def test_every_project_by_default_and_a_bug_is_a_failure_too(tmp_path, fake_runner,
                                                             monkeypatch):
    original = report.run_monthly_report

    def buggy(*args, project=None, **kwargs):
        if project == "P1":
            raise KeyError("oops")
        return original(*args, project=project, **kwargs)

    monkeypatch.setattr(report, "run_monthly_report", buggy)
    result = batch.run_reports(None, MINI, tmp_path, workers=1, progress=False)
    assert result.month == MONTH  # the latest month with status data
    assert {r.project: r.error for r in result.failed} == {
        "P1": "KeyError: 'oops'", "P2": "the report notebook failed in cell [3]: "
                                        "ValueError: bad"}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"projects": ["P1", "P9"]}, r"^no project 'P9' in .*mini; projects: P1, P2$"),
    ({"workers": 0}, r"^invalid number of workers 0: give a whole number >= 1$"),
    ({"workers": "2"}, r"^invalid number of workers '2'"),
    ({"workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, r"not both$"),
    ({"month": "2026-07"}, r"^no status data for 2026-07 in .*; months with status data: "
                           r"2026-01, 2026-02$"),
])
def test_errors_before_any_report_runs(tmp_path, fake_runner, kwargs, match):
    kwargs = {"month": MONTH, **kwargs}
    with pytest.raises(ReportError, match=match):
        batch.run_reports(data=MINI, out=tmp_path / "out", progress=False, **kwargs)
    assert fake_runner == [] and not (tmp_path / "out").exists()


def test_progress_bar_only_on_a_terminal(monkeypatch):
    assert batch._progress_bar(3, MONTH, progress=True).disable  # pytest captures stderr
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert not batch._progress_bar(3, MONTH, progress=True).disable
    assert batch._progress_bar(3, MONTH, progress=False).disable


def test_index_links_the_reports_with_their_status(tmp_path):
    outcomes = (
        batch.ReportOutcome(None, "Mini & co", tmp_path / f"{STEM}_{MONTH}.html", 20.0),
        batch.ReportOutcome("P1", "Build", tmp_path / f"{STEM}_P1_{MONTH}.html", 12.5),
        batch.ReportOutcome("P2", "Deploy", None, 3.0, "cell [3]: ValueError: x < 0"))
    result = batch.BatchResult(MONTH, "Mini & co", MINI, tmp_path, outcomes, 30.0)
    index = batch.write_index(result)
    assert index == tmp_path / batch.INDEX_NAME
    page = index.read_text(encoding="utf-8")
    assert "<title>Mini &amp; co: monthly reports 2026-02</title>" in page
    assert f'<a href="{STEM}_{MONTH}.html">Mini &amp; co</a>' in page
    assert f'<a href="{STEM}_P1_{MONTH}.html">P1: Build</a>' in page
    assert "<td>P2: Deploy</td>" in page  # no link: nothing was written
    assert page.count('class="ok">ok<') == 2
    assert 'class="failed">failed</span>: cell [3]: ValueError: x &lt; 0' in page
    assert "3 reports, status month 2026-02: 2 written, 1 failed." in page


def test_cli_all_projects_reports_failures_and_exits_2(tmp_path, fake_runner, capsys):
    out = tmp_path / "out"
    code = main(["report", "--all-projects", "--data", str(MINI), "--month", MONTH,
                 "--out", str(out), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.strip() == str(out.resolve() / "index.html")
    assert captured.err.splitlines() == [
        "pmo: error: report of P2 failed: the report notebook failed in cell [3]: "
        "ValueError: bad",
        f"pmo: error: 1 of 3 reports failed; see {out.resolve() / 'index.html'}"]


@pytest.mark.parametrize(("args", "message"), [
    (["--workers", "2"], "--workers and --scheduler go with --all-projects"),
    (["--all-projects", "--project", "P1"], "give either --project ID or --all-projects"),
])
def test_cli_option_errors(tmp_path, fake_runner, capsys, args, message):
    code = main(["report", "--data", str(MINI), "--out", str(tmp_path / "out"), *args])
    assert code == 2 and message in capsys.readouterr().err
    assert fake_runner == []


# ----------------------------------------------------------------------------------------
# End to end (Jupyter kernels in worker processes)
# ----------------------------------------------------------------------------------------
def _assert_report_files(out: Path, project: str | None) -> dict:
    stem = f"{STEM}_{project}_{MONTH}" if project else f"{STEM}_{MONTH}"
    for suffix in FILES:
        assert (out / f"{stem}{suffix}").is_file(), f"{stem}{suffix}"
    nb = nbformat.read(out / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters.get("project", "") == (project or "")
    return json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_local_processes(tmp_path):
    out = tmp_path / "out"
    result = batch.run_reports(MONTH, MINI, out, projects=["P1"], workers=2, progress=False)
    assert result.ok and [r.project for r in result.reports] == [None, "P1"]
    whole, p1 = _assert_report_files(out, None), _assert_report_files(out, "P1")
    assert whole["projects"] == 2 and p1["projects"] == 1
    # The project report shows that project's figures alone (pyhf style: read back).
    expected = evm.performance_table(load_portfolio(MINI).select(["P1"]), MONTH,
                                     report.REPORT_THRESHOLDS).loc[("portfolio", "Total")]
    for key in ("bac", "pv", "ev", "ac", "spi", "cpi"):
        assert p1[key] == pytest.approx(float(expected[key]), rel=1e-9), key
    assert p1["portfolio"].endswith(": Build (P1)")
    html = (out / f"{STEM}_P1_{MONTH}.html").read_text(encoding="utf-8")
    assert "Build (P1)" in html and "Traceback" not in html


@pytest.mark.slow
def test_dask_cluster_with_a_failing_project(tmp_path):
    distributed = pytest.importorskip("distributed")
    nb = nbformat.read(report.REPORT_NOTEBOOK, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        'if project == "P2":\n    raise RuntimeError("injected failure for P2")'))
    source = tmp_path / "report.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        result = batch.run_reports(MONTH, MINI, out, scheduler=cluster.scheduler_address,
                                   notebook=source, progress=False)
    assert [r.project for r in result.reports] == [None, "P1", "P2"]
    assert [r.project for r in result.failed] == ["P2"]
    assert "RuntimeError: injected failure for P2" in result.failed[0].error
    _assert_report_files(out, None)
    _assert_report_files(out, "P1")
    assert not list(out.glob(f"{STEM}_P2_*"))  # a failed report leaves nothing behind
    page = batch.write_index(result).read_text(encoding="utf-8")
    assert f'href="{STEM}_{MONTH}.html"' in page and f'href="{STEM}_P1_{MONTH}.html"' in page
    assert "injected failure for P2" in page and page.count('class="ok">ok<') == 2
