"""The monthly report read from a history store (pmo_lib.store): report.resolve_data with
URLs and store files, the trend blocks on the store's monthly snapshots, the provenance line,
``pmo validate``/``pmo report`` on a store, and (slow) the report notebook run on a store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pmo_lib import batch, load_portfolio, report, store
from pmo_lib.cli import EXIT_ERROR, main
from pmo_lib.errors import ReportError
from pmo_lib.schedule import schedule_portfolio

MINI = Path(__file__).parent / "data" / "mini"
#: The month imported after the save: B1 (P2) finished, the rest as in February.
MARCH = "2026-03"
MARCH_ROWS = pd.DataFrame({
    "status_date": ["2026-03-27"] * 4,
    "task_id": ["A1", "A2", "M1", "B1"],
    "percent_complete": [100, 100, 100, 100],
    "actual_cost": [1100, 2300, 0, 520],
    "actual_start": ["2026-01-05", "2026-01-12", "2026-01-28", "2026-02-02"],
    "actual_finish": ["2026-01-09", "2026-01-28", "2026-01-28", "2026-03-10"],
    "comment": [None, None, None, "Network ready on 2026-03-02"],
})
#: A URL whose server refuses connections at once (nothing listens on port 1).
UNREACHABLE = "postgresql://bob:s3cret@127.0.0.1:1/pmo"


def _save(folder: Path, user: str = "ana") -> Path:
    db = folder / "pmo.sqlite"
    store.save_portfolio(db, load_portfolio(MINI), user=user)
    store.dispose(db)
    return db


@pytest.fixture
def db(tmp_path):
    """The mini fixture saved in a SQLite store (January and February)."""
    path = _save(tmp_path)
    yield path
    store.dispose(path)


@pytest.fixture
def db_march(db):
    """... with March imported afterwards by another user."""
    store.import_month(db, MARCH, MARCH_ROWS, user="ben", source="march.xlsx")
    return db


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


# ----------------------------------------------------------------------------------------
# resolve_data and _load
# ----------------------------------------------------------------------------------------
def test_resolve_data_passes_store_urls_through(db, tmp_path, monkeypatch):
    url = _url(db)
    assert report.resolve_data(url) == url  # unchanged, a str (not a Path: '///' survives)
    assert report.resolve_data(f"  {url} ") == url
    assert report.resolve_data(db) == db.resolve()  # a .sqlite file: its absolute path
    assert report.resolve_data(str(db)) == db.resolve()
    assert report.resolve_data(UNREACHABLE) == UNREACHABLE  # no connection made
    monkeypatch.chdir(tmp_path)  # the kernel runs in the notebook's folder: made absolute
    assert report.resolve_data("sqlite:///pmo.sqlite") == url
    assert report.resolve_data("pmo.sqlite") == db
    assert report.resolve_data(MINI) == MINI.resolve()  # folders as before


@pytest.mark.parametrize("data, match", [
    ("{tmp}/missing.sqlite", r"^history store not found: {tmp}/missing\.sqlite; save a "),
    ("sqlite:///{tmp}/missing.sqlite", r"^history store not found: {tmp}/missing\.sqlite "
                                       r"\(from sqlite:///{tmp}/missing\.sqlite\)"),
    ("{tmp}/missing.db", r"^history store not found: {tmp}/missing\.db"),
    ("sqlite://", r"a history store needs a database file"),
    ("sqlite:///:memory:", r"a history store needs a database file"),
    ("postgresql://bob:s3cret@host:notaport/pmo", r"^invalid database URL .*bob:\*\*\*@"),
])
def test_resolve_data_errors_name_the_store(tmp_path, data, match):
    tmp = str(tmp_path)
    with pytest.raises(ReportError, match=match.replace("{tmp}", tmp)) as info:
        report.resolve_data(data.replace("{tmp}", tmp))
    assert "\n" not in str(info.value) and "s3cret" not in str(info.value)
    assert list(tmp_path.iterdir()) == []  # no empty database created


def test_load_errors_name_the_store(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(ReportError, match=r"^cannot load the portfolio data: sqlite:///"
                                          rf"{tmp_path}/empty\.sqlite: holds no portfolio"):
        report._load(report.resolve_data(empty))
    store.dispose(empty)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n" * 100)
    with pytest.raises(ReportError, match=rf"cannot load the portfolio data in {junk}: .*"
                                          "not a database"):
        report._load(report.resolve_data(junk))
    store.dispose(junk)
    with pytest.raises(ReportError, match=r"^cannot load the portfolio data in "
                                          r"postgresql://bob:\*\*\*@127\.0\.0\.1:1/pmo: ") as info:
        report._load(report.resolve_data(UNREACHABLE))
    assert "s3cret" not in str(info.value) and "\n" not in str(info.value)


# ----------------------------------------------------------------------------------------
# The trend blocks read the store's snapshots
# ----------------------------------------------------------------------------------------
def test_store_portfolio_gives_the_folder_trends(db):
    folder, stored = load_portfolio(MINI), report._load(report.resolve_data(_url(db)))
    assert list(stored.months) == list(folder.months)
    month = "2026-02"
    pd.testing.assert_frame_equal(report.evm_trends(stored, month),
                                  report.evm_trends(folder, month))
    pd.testing.assert_frame_equal(report.rag_changes(stored, month),
                                  report.rag_changes(folder, month))
    pd.testing.assert_frame_equal(report.previous_schedule(stored, month),
                                  report.previous_schedule(folder, month))


def test_month_imported_after_the_save_is_reported_against_the_month_before(db_march):
    pf = load_portfolio(report.resolve_data(_url(db_march)))
    assert [str(m) for m in pf.months] == ["2026-01", "2026-02", MARCH]
    assert report.resolve_month(pf) == pd.Period(MARCH, "M")  # the latest month by default
    trends = report.evm_trends(pf, MARCH)
    assert {k: str(v) for k, v in trends.attrs["months"].items()} == {
        "now": MARCH, "last_month": "2026-02", "months_ago": "2025-12"}
    february = report.evm_trends(pf, "2026-02")
    pd.testing.assert_series_equal(trends["spi_last_month"], february["spi"],
                                   check_names=False)
    # B1 finished in March: P2 has earned its whole budget (SPI 1), up from 0.5 in February.
    assert trends.loc["P2", "spi"] == pytest.approx(1.0)
    assert trends.loc["P2", "spi_change_last_month"] == pytest.approx(
        1.0 - february.loc["P2", "spi"])
    changes = report.rag_changes(pf, MARCH)
    assert changes.attrs["previous"] == pd.Period("2026-02", "M")
    pd.testing.assert_series_equal(changes["rag_before"],
                                   report.rag_changes(pf, "2026-02")["rag"],
                                   check_names=False)
    pd.testing.assert_frame_equal(report.previous_schedule(pf, MARCH),
                                  schedule_portfolio(pf, "2026-02"))
    one = report.for_project(pf, "P2")  # a project report keeps the store's months
    assert report.previous_month(one, MARCH) == pd.Period("2026-02", "M")


def test_provenance_names_the_store_and_its_latest_import(db_march):
    url = _url(db_march)
    source = report.resolve_data(url)
    pf = report.for_project(load_portfolio(source), "")
    text = report.provenance(pf, MARCH, data=source).text
    assert f"from the history store {url} (Mini portfolio" in text
    assert f"latest write: {MARCH} imported by ben on " in text
    assert " UTC), status month 2026-03." in text
    # A folder names its folder.
    assert f"from the data in {MINI}" in report.provenance(
        load_portfolio(MINI), "2026-02", data=report.resolve_data(MINI)).text
    # Explicitly given: shown without the password (an unreachable store has no audit line).
    text = report.provenance(pf, MARCH, data=UNREACHABLE).text
    assert "history store postgresql://bob:***@127.0.0.1:1/pmo (Mini" in text
    assert "s3cret" not in text


def test_batch_passes_the_store_through(db_march, tmp_path, monkeypatch):
    seen = []

    def fake(task):
        seen.append((task["project"], task["data"], task["month"]))
        return batch.ReportOutcome(task["project"], task["name"], None, 0.0, "not run")

    monkeypatch.setattr(batch, "_run_one", fake)
    url = _url(db_march)
    result = batch.run_reports(None, url, tmp_path / "out", workers=1, progress=False)
    assert seen == [(None, url, MARCH), ("P1", url, MARCH), ("P2", url, MARCH)]
    assert result.data == url and result.month == MARCH
    with pytest.raises(ReportError, match="history store not found"):
        batch.run_reports(None, tmp_path / "none.sqlite", tmp_path / "out", workers=1)


# ----------------------------------------------------------------------------------------
# pmo validate / pmo report on a store
# ----------------------------------------------------------------------------------------
def test_validate_summarises_a_store(db_march, capsys):
    url = _url(db_march)
    assert main(["validate", url]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"Mini portfolio (hand-checked test fixture) ({url}) is "
                               "valid: 2 projects, 4 tasks")
    assert "10 status rows in 3 status months (2026-01 to 2026-03)" in lines[0]
    assert lines[1] == ("Imported months: 2026-01 (2 rows, ana), 2026-02 (4 rows, ana), "
                        "2026-03 (4 rows, ben).")
    assert lines[2] == "Latest writes (of 2):"
    assert lines[3].endswith(f"UTC  ana  save: 26 rows from {MINI}")
    assert lines[4].endswith("UTC  ben  import 2026-03: 4 rows from march.xlsx")
    assert main(["validate", str(db_march)]) == 0  # the file itself
    assert capsys.readouterr().out.splitlines()[1:] == lines[1:]


@pytest.mark.parametrize("command", [["validate", "{db}"],
                                     ["report", "--data", "{db}", "--out", "{tmp}/out"],
                                     ["report", "--all-projects", "--data", "sqlite:///{db}",
                                      "--out", "{tmp}/out", "--workers", "1"]])
def test_missing_store_exits_2_with_one_line(tmp_path, capsys, command):
    missing = tmp_path / "gone" / "pmo.sqlite"
    args = [a.replace("{db}", str(missing)).replace("{tmp}", str(tmp_path)) for a in command]
    assert main(args) == EXIT_ERROR
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"pmo: error: history store not found: {missing}" + err.split(str(missing),
                                                                                1)[1]
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no report, no database


def test_report_on_an_empty_or_unreachable_store(tmp_path, capsys):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert main(["report", "--data", str(empty), "--out", str(tmp_path / "out")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("pmo: error: cannot load the portfolio data: sqlite:///")
    assert "empty.sqlite: holds no portfolio yet" in err and err.count("\n") == 1
    store.dispose(empty)
    assert main(["report", "--data", UNREACHABLE, "--out", str(tmp_path / "out")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("pmo: error: cannot load the portfolio data in postgresql://bob:***@")
    assert "s3cret" not in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_status_returns_go_into_the_store_in_one_audited_import(db, tmp_path, capsys):
    """pmo status-template and pmo import-status on a store: the month's snapshot is
    imported with store.import_month (one transaction, an audit record naming the returns);
    a rejected return leaves the store as it was."""
    import openpyxl

    url = _url(db)
    out = tmp_path / "returns"
    assert main(["status-template", "--month", MARCH, "--data", url, "--out", str(out)]) == 0
    paths = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert paths and all(p.is_file() for p in paths)

    bad = tmp_path / "bad.xlsx"
    with_tasks = [p for p in paths
                  if openpyxl.load_workbook(p)["Tasks"].cell(row=2, column=2).value]
    wb = openpyxl.load_workbook(with_tasks[0])
    ws = wb["Tasks"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("% complete") + 1, value=150)
    wb.save(bad)
    before = store.history(db)
    assert main(["import-status", str(bad), "--data", url]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "is above 100" in err and f"{url} not changed" in err
    after = store.history(db)
    pd.testing.assert_frame_equal(after.months, before.months)
    assert len(after.audit) == len(before.audit)

    assert main(["import-status", *map(str, paths), "--data", url]) == 0
    assert capsys.readouterr().out.startswith(f"{url}: ")
    history = store.history(db)
    assert list(history.months["month"].astype(str)) == ["2026-01", "2026-02", MARCH]
    last = history.audit.iloc[-1]
    assert last["action"] == "import" and str(with_tasks[0]) in last["source"]
    pf = load_portfolio(url)
    feb = pf.snapshot("2026-02").set_index("task_id")
    march = pf.snapshot(MARCH).set_index("task_id")
    assert set(march.index) == set(feb.index)  # untouched returns carry February forward
    assert (march["percent_complete"] == feb.loc[march.index, "percent_complete"]).all()


# ----------------------------------------------------------------------------------------
# End to end (the notebook through papermill): two runs
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def march_reports(tmp_path_factory):
    """The March report from the store (March imported after the save) and from a folder
    holding the same data."""
    tmp = tmp_path_factory.mktemp("store_reports")
    db = _save(tmp)
    store.import_month(db, MARCH, MARCH_ROWS, user="ben", source="march.xlsx")
    folder = tmp / "mini"
    shutil.copytree(MINI, folder)
    rows = MARCH_ROWS.fillna("")
    rows.to_csv(folder / "status.csv", mode="a", header=False, index=False)
    url = _url(db)
    from_store = report.run_monthly_report(None, data=url, out=tmp / "store")
    from_folder = report.run_monthly_report(MARCH, data=folder, out=tmp / "folder")
    yield url, from_store, from_folder
    store.dispose(db)


def _outputs(nb, source: str) -> str:
    """The text and HTML outputs of the code cell whose source is ``source``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip() == source:
            return "\n".join(str(o.get("data", {}).get(k, "")) for o in cell.outputs
                             for k in ("text/html", "text/plain"))
    raise AssertionError(f"no cell {source!r}")


@pytest.mark.slow
def test_report_from_the_store_equals_the_folder_report(march_reports):
    url, from_store, from_folder = march_reports
    assert from_store.month == pd.Period(MARCH, "M")  # the month imported after the save
    assert from_store.html.name == f"monthly_portfolio_report_{MARCH}.html"
    got = json.loads(from_store.summary.read_text(encoding="utf-8"))
    want = json.loads(from_folder.summary.read_text(encoding="utf-8"))
    assert got["parameters"]["data"] == url
    for figures in (got, want):
        figures.pop("parameters")
    assert got == want


@pytest.mark.slow
def test_store_report_trends_compare_with_the_month_before(march_reports):
    url, from_store, _ = march_reports
    nb = nbformat.read(from_store.notebook, as_version=4)
    assert nb.metadata.papermill.parameters["data"] == url
    trends = _outputs(nb, "report.trend_table(trends)")
    assert "2026-02" in trends and "2025-12" in trends
    changes = _outputs(nb, "report.rag_commentary(changes)")
    assert "2026-02" in changes or "February" in changes
    provenance = _outputs(nb, "report.provenance(portfolio, status_month, thresholds, data=source)")
    assert f"history store {url}" in provenance
    assert f"latest write: {MARCH} imported by ben on" in provenance
