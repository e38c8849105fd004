"""pmo_lib.store on a real PostgreSQL server.

The server is the one at ``PMO_TEST_POSTGRES_URL`` when set (its user must be allowed to
``CREATE DATABASE``: every test gets its own throwaway database); otherwise, when the
``initdb`` and ``pg_ctl`` binaries are found, a throwaway cluster is started for the session
on a unix socket in a temporary folder (as the ``postgres`` user when the tests run as
root, since PostgreSQL refuses to run as root). Without either, the tests are skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from test_store import (
    _state,
    _without_status,
    assert_same_portfolio,
    assert_unchanged,
    run_concurrent_imports,
)

from pmo_lib import store
from pmo_lib.errors import DataValidationError, UnknownReferenceError
from pmo_lib.store import HEAD, StoreVersionError

pytest.importorskip("psycopg", reason="PostgreSQL tests need psycopg 3 (psycopg[binary])")


def _binary(name: str) -> str | None:
    """A PostgreSQL program on PATH, else the newest in Debian's /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                      else 0)
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The URL of a PostgreSQL server whose user may create databases."""
    given = os.environ.get("PMO_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no PostgreSQL: set PMO_TEST_POSTGRES_URL or install postgresql")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as 'postgres'
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        base = Path(tempfile.mkdtemp(prefix="pmo-pg-"))  # pytest's tmp dirs are root-only
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    else:
        base = tmp_path_factory.mktemp("pg")
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
            pytest.fail(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}\n{log}")

    run(initdb, "-D", str(data), "-A", "trust", "-U", "pmo", "-E", "UTF8", "--locale=C",
        "--no-sync")
    run(pg_ctl, "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60", "-o",
        f"-k {base} -p {port} -c listen_addresses='' -c fsync=off", "start")
    try:
        yield f"postgresql+psycopg://pmo@/postgres?host={base}&port={port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg(pg_server):
    """The URL of a new, empty database on the server, dropped after the test."""
    admin = sa.create_engine(store._url(pg_server), isolation_level="AUTOCOMMIT")
    name = f"pmo_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(store._url(pg_server)).set(database=name).render_as_string(
        hide_password=False)
    try:
        yield url
    finally:
        store.dispose(url)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_round_trip_of_the_sample(pg, sample):
    assert store.open_store(pg).url == pg
    assert store.revision(pg) == HEAD
    store.save_portfolio(pg, sample)
    assert_same_portfolio(store.load_portfolio(pg), sample)


def test_round_trip_of_mini_and_dump(pg, mini, tmp_path):
    store.save_portfolio(pg, mini)
    again = store.load_portfolio(pg)
    assert_same_portfolio(again, mini)
    from pmo_lib import load_portfolio

    assert_same_portfolio(load_portfolio(store.dump(pg, tmp_path / "out")), again)


def test_plain_postgresql_url_uses_psycopg(pg):
    plain = pg.replace("postgresql+psycopg://", "postgresql://")
    assert store._url(plain) == pg


def test_import_then_reimport_is_idempotent(pg, mini):
    store.save_portfolio(pg, _without_status(mini))
    rows = mini.snapshot("2026-02")
    store.import_month(pg, "2026-02", rows, source="feb.csv")
    first = store.load_portfolio(pg)
    store.import_month(pg, "2026-02", rows, source="feb.csv")
    assert_same_portfolio(store.load_portfolio(pg), first)
    pd.testing.assert_frame_equal(first.status, rows)
    h = store.history(pg)
    assert h.months["rows"].tolist() == [4]
    assert h.audit["action"].tolist() == ["save", "import", "replace"]


def test_a_failing_import_leaves_nothing(pg, mini, monkeypatch):
    store.save_portfolio(pg, _without_status(mini))
    store.import_month(pg, "2026-01", mini.snapshot("2026-01"))
    before = _state(pg)
    rows = mini.snapshot("2026-02")
    rows.loc[1, "task_id"] = "NOPE"
    with pytest.raises(UnknownReferenceError, match=r"row 3.*NOPE"):
        store.import_month(pg, "2026-02", rows)
    bad = mini.snapshot("2026-02")
    bad.loc[2, "actual_cost"] = -1.0
    with pytest.raises(DataValidationError, match="cannot be negative"):
        store.import_month(pg, "2026-02", bad)

    def broken(*args, **kwargs):  # after the old rows are deleted and the new inserted
        raise RuntimeError("connection lost")

    monkeypatch.setattr(store, "_add_audit", broken)
    with pytest.raises(RuntimeError, match="connection lost"):
        store.import_month(pg, "2026-01", mini.snapshot("2026-01").iloc[:1])
    monkeypatch.undo()
    assert_unchanged(pg, before)


def test_migrations_on_postgres(pg, mini):
    assert store.upgrade(pg, "v0001") == "v0001"
    with pytest.raises(StoreVersionError, match="older than"):
        store.open_store(pg)
    assert store.upgrade(pg) == HEAD
    engine = store._engine(pg)
    inspector = sa.inspect(engine)
    for name, table in store._TABLES.items():  # the migrations give the code's tables
        assert {c["name"]: c["type"].compile(engine.dialect)
                for c in inspector.get_columns(name)} == {
            c.name: c.type.compile(engine.dialect) for c in table.columns}, name
    assert [i["name"] for i in inspector.get_indexes("status")] == ["ux_status_date_task"]
    store.save_portfolio(pg, mini)
    with store._engine(pg).begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'v0999'")
    store._READY.clear()
    with pytest.raises(StoreVersionError, match="newer PMO Kit"):
        store.load_portfolio(pg)


def test_concurrent_imports_from_four_processes(pg, sample):
    run_concurrent_imports(pg, sample)
    with store._engine(pg).connect() as conn:
        dup = conn.exec_driver_sql("SELECT COUNT(*) FROM (SELECT status_date, task_id FROM "
                                   "status GROUP BY 1, 2 HAVING COUNT(*) > 1) d").scalar()
    assert dup == 0
