"""pmo_lib.store on SQLite: round trips, idempotent monthly imports, all-or-nothing writes,
schema migrations and concurrent imports from several processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace

import pandas as pd
import pytest
import sqlalchemy as sa

from pmo_lib import load_portfolio, store
from pmo_lib.errors import (
    DataValidationError,
    MissingDataError,
    MissingDependencyError,
    UnknownReferenceError,
)
from pmo_lib.model import SCHEMAS
from pmo_lib.store import HEAD, StoreVersionError


def _blank_as_none(df: pd.DataFrame) -> pd.DataFrame:
    """As in test_model_from_tables: a blank text cell is None whether read as NaN or None."""
    out = df.copy()
    for c in out.select_dtypes(include="object").columns:
        out[c] = out[c].map(lambda v: None if not isinstance(v, tuple) and pd.isna(v) else v)
    return out


def assert_same_portfolio(got, want) -> None:
    for name in SCHEMAS:
        attr = "holidays" if name == "calendar" else name
        pd.testing.assert_frame_equal(_blank_as_none(getattr(got, attr)),
                                      _blank_as_none(getattr(want, attr)), obj=name)
    assert got.name == want.name and got.currency == want.currency
    assert got.calendar == want.calendar
    assert got.data_dates == want.data_dates


def _without_status(pf):
    return replace(pf, status=SCHEMAS["status"].empty(), data_dates=())


def _state(db):
    """Everything a store holds, to check that a failed write changed nothing."""
    h = store.history(db)
    return store.load_portfolio(db), h.months.copy(), h.audit.copy()


def assert_unchanged(db, before) -> None:
    pf, months, audit = _state(db)
    assert_same_portfolio(pf, before[0])
    pd.testing.assert_frame_equal(months, before[1])
    pd.testing.assert_frame_equal(audit, before[2])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "pmo.sqlite"
    yield path
    store.dispose(path)


@pytest.fixture
def mini_db(db, mini):
    """A store holding the mini plan and no status yet."""
    store.save_portfolio(db, _without_status(mini), user="setup", source="mini")
    return db


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------
def test_round_trip_of_the_sample(db, sample):
    counts = store.save_portfolio(db, sample, user="ana")
    assert counts["tasks"] == len(sample.tasks) == 663
    assert counts["status"] == len(sample.status)
    assert_same_portfolio(store.load_portfolio(db), sample)
    h = store.history(db)
    assert [str(m) for m in h.months["month"]] == [str(m) for m in sample.months]
    assert h.months["rows"].sum() == len(sample.status)
    assert h.audit[["user", "action", "rows"]].values.tolist() == [
        ["ana", "save", sum(counts.values())]]
    assert h.audit.at[0, "tables"]["links"] == len(sample.links) == 865


def test_round_trip_of_mini_and_dump_to_a_folder(tmp_path, db, mini):
    store.save_portfolio(db, mini)
    again = store.load_portfolio(db)
    assert_same_portfolio(again, mini)
    assert again.path is None
    folder = store.dump(db, tmp_path / "dumped")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["assignments.csv", "calendar.csv", "links.csv", "portfolio.toml", "projects.csv",
         "resources.csv", "risks.csv", "status.csv", "tasks.csv", "wbs.csv"])
    assert_same_portfolio(load_portfolio(folder), again)


def test_dump_of_the_sample_loads_as_the_store(tmp_path, db, sample):
    store.save_portfolio(db, sample)
    from_folder = load_portfolio(store.dump(db, tmp_path / "out"))
    assert_same_portfolio(from_folder, store.load_portfolio(db))


def test_a_path_and_a_sqlite_url_name_the_same_store(db, mini):
    s = store.open_store(db)
    assert s.url == f"sqlite:///{db.resolve()}"
    store.save_portfolio(f"sqlite:///{db}", mini)
    assert len(store.load_portfolio(s).tasks) == len(mini.tasks) == 4
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_load_portfolio_accepts_a_store_path_or_url(db, mini):
    """pmo_lib.load_portfolio reads a store as well as a folder."""
    from pmo_lib import load_portfolio

    store.save_portfolio(db, mini)
    assert_same_portfolio(load_portfolio(db), mini)
    assert_same_portfolio(load_portfolio(f"sqlite:///{db}"), mini)


def test_an_empty_store_has_no_portfolio(db):
    with pytest.raises(MissingDataError, match="holds no portfolio yet"):
        store.load_portfolio(db)
    with pytest.raises(MissingDataError, match="save one first"):
        store.import_month(db, "2026-01", pd.DataFrame(), status_date="2026-01-16")


def test_a_folder_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(store.StoreError, match="not found; create it first"):
        store.open_store(tmp_path / "nope" / "pmo.sqlite")
    with pytest.raises(MissingDependencyError, match=r"pmo-kit\[postgres\]"):
        store.open_store("postgresql+pg8000://pmo@localhost/pmo")  # driver not installed
    with pytest.raises(store.StoreError, match="use sqlite:///<file> or postgresql://"):
        store.open_store("nosuchdb://pmo@localhost/pmo")


# ---------------------------------------------------------------------------------------
# Monthly imports
# ---------------------------------------------------------------------------------------
def test_import_then_reimport_is_idempotent(mini_db, mini):
    rows = mini.snapshot("2026-02")
    assert store.import_month(mini_db, "2026-02", rows, source="feb.csv") == 4
    first = store.load_portfolio(mini_db)
    assert store.import_month(mini_db, "2026-02", rows, user="bo", source="feb.csv") == 4
    again = store.load_portfolio(mini_db)
    assert_same_portfolio(again, first)
    pd.testing.assert_frame_equal(again.status, mini.snapshot("2026-02"))
    h = store.history(mini_db)
    assert h.months[["month", "status_date", "rows"]].astype(str).values.tolist() == [
        ["2026-02", "2026-02-27", "4"]]
    imports = h.audit[h.audit["action"] != "save"]
    assert imports[["action", "source", "rows"]].values.tolist() == [
        ["import", "feb.csv", 4], ["replace", "feb.csv", 4]]
    assert imports["month"].astype(str).tolist() == ["2026-02", "2026-02"]
    assert imports["user"].iloc[1] == "bo" and imports["user"].iloc[0] == store._user(None)
    assert (imports["at"] <= pd.Timestamp.now(tz="UTC").tz_localize(None)).all()


def test_reimport_replaces_the_whole_month(mini_db, mini):
    store.import_month(mini_db, "2026-01", mini.snapshot("2026-01"))
    feb = mini.snapshot("2026-02")
    store.import_month(mini_db, "2026-02", feb)
    store.import_month(mini_db, "2026-02", feb.iloc[:1])
    pf = store.load_portfolio(mini_db)
    assert pf.snapshot("2026-02")["task_id"].tolist() == [feb.at[0, "task_id"]]
    pd.testing.assert_frame_equal(pf.snapshot("2026-01"), mini.snapshot("2026-01"))
    assert store.history(mini_db).months["rows"].tolist() == [2, 1]


def test_text_rows_as_read_from_a_csv_are_accepted(mini_db, mini, tmp_path):
    path = tmp_path / "status.csv"
    mini.snapshot("2026-01").to_csv(path, index=False, date_format="%Y-%m-%d")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    store.import_month(mini_db, "2026-01", text, source=str(path))
    pd.testing.assert_frame_equal(store.load_portfolio(mini_db).status,
                                  mini.snapshot("2026-01"))


def test_a_month_with_no_started_task(mini_db):
    rows = pd.DataFrame(columns=[c.name for c in SCHEMAS["status"].columns if c.required])
    assert store.import_month(mini_db, "2025-12", rows, status_date="2025-12-19") == 0
    assert store.load_portfolio(mini_db).data_dates == (pd.Timestamp("2025-12-19"),)
    with pytest.raises(DataValidationError, match="give status_date= to import"):
        store.import_month(mini_db, "2025-11", rows)


def test_unknown_task_is_refused_before_anything_is_written(mini_db, mini):
    store.import_month(mini_db, "2026-01", mini.snapshot("2026-01"))
    before = _state(mini_db)
    rows = mini.snapshot("2026-02")
    rows.loc[1, "task_id"] = "NOPE"
    with pytest.raises(UnknownReferenceError, match=r"feb\.csv/status\.csv, row 3.*NOPE"):
        store.import_month(mini_db, "2026-02", rows, source="feb.csv")
    with pytest.raises(UnknownReferenceError, match="NOPE"):  # replacing a month: same
        store.import_month(mini_db, "2026-01", rows.assign(
            status_date=pd.Timestamp("2026-01-16")))
    assert_unchanged(mini_db, before)


def test_a_bad_row_in_the_middle_leaves_the_store_as_before(mini_db, mini):
    store.import_month(mini_db, "2026-02", mini.snapshot("2026-02"))
    before = _state(mini_db)
    rows = mini.snapshot("2026-02")
    rows.loc[2, "percent_complete"] = 150.0
    with pytest.raises(DataValidationError, match=r"row 4.*above the maximum 100"):
        store.import_month(mini_db, "2026-02", rows)
    assert_unchanged(mini_db, before)


def test_status_dates_must_be_in_the_month_and_agree(mini_db, mini):
    rows = mini.snapshot("2026-02")
    with pytest.raises(DataValidationError, match="2026-02-27 is not in 2026-03"):
        store.import_month(mini_db, "2026-03", rows)
    rows.loc[3, "status_date"] = pd.Timestamp("2026-02-20")
    with pytest.raises(DataValidationError, match="a month has one data date"):
        store.import_month(mini_db, "2026-02", rows)
    with pytest.raises(DataValidationError, match="differs from the status date 2026-02-26"):
        store.import_month(mini_db, "2026-02", mini.snapshot("2026-02"),
                           status_date="2026-02-26")
    assert store.history(mini_db).months.empty


def test_an_error_in_the_middle_of_the_write_rolls_everything_back(mini_db, mini,
                                                                      monkeypatch):
    store.import_month(mini_db, "2026-02", mini.snapshot("2026-02"))
    before = _state(mini_db)

    def broken(*args, **kwargs):  # after the old rows are deleted and the new inserted
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_add_audit", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_month(mini_db, "2026-02", mini.snapshot("2026-02").iloc[:1])
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_portfolio(mini_db, mini)
    monkeypatch.undo()
    assert_unchanged(mini_db, before)


def test_save_keeps_other_months_and_checks_them_against_the_new_plan(mini_db, mini):
    store.import_month(mini_db, "2026-01", mini.snapshot("2026-01"))
    store.save_portfolio(mini_db, _without_status(mini), user="pmo")  # new plan, same tasks
    assert_same_portfolio(store.load_portfolio(mini_db),
                          replace(mini, status=mini.snapshot("2026-01"),
                                  data_dates=(pd.Timestamp("2026-01-16"),)))
    before = _state(mini_db)
    used = mini.snapshot("2026-01")["task_id"].iloc[0]
    smaller = replace(_without_status(mini),
                      tasks=mini.tasks[mini.tasks["id"] != used].reset_index(drop=True),
                      links=mini.links[(mini.links["pred"] != used)
                                       & (mini.links["succ"] != used)].reset_index(drop=True),
                      assignments=mini.assignments[mini.assignments["task_id"] != used]
                      .reset_index(drop=True),
                      risks=mini.risks.iloc[0:0])
    with pytest.raises(UnknownReferenceError, match=used):
        store.save_portfolio(mini_db, smaller)
    assert_unchanged(mini_db, before)


# ---------------------------------------------------------------------------------------
# Migrations
# ---------------------------------------------------------------------------------------
def test_a_fresh_store_is_at_head_with_the_tables_of_the_schemas(db):
    store.open_store(db)
    assert store.revision(db) == HEAD == "v0002"
    engine = store._engine(db)
    inspector = sa.inspect(engine)
    for name, schema in SCHEMAS.items():
        columns = inspector.get_columns(name)
        assert [c["name"] for c in columns] == ["row_id", *(c.name for c in schema.columns)]
        types = {c["name"]: c["type"].compile(engine.dialect) for c in columns}
        assert types == {c.name: c.type.compile(engine.dialect)
                         for c in store._TABLES[name].columns}, name
    assert store._TABLES["tasks"].c["milestone"].type.compile(engine.dialect) == "BOOLEAN"
    assert store._TABLES["projects"].c["priority"].type.compile(engine.dialect) == "BIGINT"
    assert {"months", "audit", "settings", "alembic_version"} <= set(
        inspector.get_table_names())
    assert [i["name"] for i in inspector.get_indexes("status")] == ["ux_status_date_task"]


def test_an_older_store_is_refused_then_upgraded(db, mini):
    assert store.upgrade(db, "v0001") == "v0001"
    with pytest.raises(StoreVersionError, match=r"older than this PMO Kit's 'v0002'.*upgrade"):
        store.save_portfolio(db, mini)
    assert store.upgrade(db) == HEAD
    assert store.open_store(db).url.endswith("pmo.sqlite")
    store.save_portfolio(db, mini)
    assert_same_portfolio(store.load_portfolio(db), mini)
    assert [i["name"] for i in sa.inspect(store._engine(db)).get_indexes("status")] == [
        "ux_status_date_task"]


def test_a_store_from_a_newer_pmo_kit_is_refused(db, mini):
    store.save_portfolio(db, mini)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = 'v0999'")
    with pytest.raises(StoreVersionError, match="newer PMO Kit"):  # checked at each write
        store.import_month(db, "2026-01", mini.snapshot("2026-01"))
    store.dispose(db)
    store._READY.clear()
    with pytest.raises(StoreVersionError, match=r"'v0999'.*newer PMO Kit; upgrade pmo-kit"):
        store.load_portfolio(db)
    with pytest.raises(StoreVersionError, match="newer PMO Kit"):
        store.upgrade(db)


# ---------------------------------------------------------------------------------------
# Concurrent imports from several processes
# ---------------------------------------------------------------------------------------
def _import_all(url: str, worker: int, jobs: list[tuple[str, pd.DataFrame]]) -> int:
    """Run in a spawned process: import each (month, rows) in turn."""
    for month, rows in jobs:
        store.import_month(url, month, rows, user=f"worker{worker}", source=f"w{worker}")
    return len(jobs)


def run_concurrent_imports(url: str, sample, processes: int = 4, repeats: int = 3):
    """Save the sample's plan, then ``processes`` processes import two months each and the
    same shared month ``repeats`` times, interleaved; check every month is there once with
    all its rows and the audit has every import."""
    store.save_portfolio(url, _without_status(sample), user="setup")
    months = [str(m) for m in sample.months]
    shared = months[2 * processes]
    jobs = []
    for k in range(processes):
        own = [(m, sample.snapshot(m)) for m in months[2 * k:2 * k + 2]]
        same = (shared, sample.snapshot(shared))
        jobs.append((url, k, [own[0], same, own[1]] + [same] * (repeats - 1)))
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        done = pool.starmap(_import_all, jobs)
    assert done == [2 + repeats] * processes
    pf = store.load_portfolio(url)
    h = store.history(url)
    expected = months[:2 * processes + 1]
    assert [str(m) for m in h.months["month"]] == expected
    for m in expected:
        pd.testing.assert_frame_equal(pf.snapshot(m), sample.snapshot(m), obj=m)
    assert h.months["rows"].tolist() == [len(sample.snapshot(m)) for m in expected]
    assert len(pf.status) == sum(len(sample.snapshot(m)) for m in expected)
    imports = h.audit[h.audit["action"] != "save"]
    assert len(imports) == processes * (2 + repeats)
    by_month = imports.groupby(imports["month"].astype(str))["action"].agg(list)
    assert by_month[shared].count("import") == 1
    assert by_month[shared].count("replace") == processes * repeats - 1
    assert all(by_month[m] == ["import"] for m in expected if m != shared)
    assert sorted(imports["user"].unique()) == [f"worker{k}" for k in range(processes)]
    return pf


def test_concurrent_imports_from_four_processes(db, sample):
    run_concurrent_imports(str(db), sample)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("SELECT COUNT(*) FROM (SELECT status_date, task_id FROM status "
                           "GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone() == (0,)
