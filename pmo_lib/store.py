"""The history database: the portfolio, its baselines and every monthly status snapshot.

A store is an embedded SQLite file by default (zero set-up: ``open_store("pmo.sqlite")``),
or any SQLAlchemy URL (``postgresql+psycopg://user@host/db``) for a team. Every public
function takes the store as a file path, a URL or the :class:`Store` that
:func:`open_store` returns.

Schema
------
One table per table of :data:`pmo_lib.model.SCHEMAS` (same name, one typed column per
:class:`~pmo_lib.model.Column`: ``str``/``choice`` as text, ``list`` as text joined with
``;``, ``float`` as double, ``int`` as big integer, ``date`` as date, ``bool`` as boolean,
plus a ``row_id`` key that keeps the rows in order), and

* ``settings``: ``name``, ``currency`` and ``workweek`` of the portfolio;
* ``months``: one row per imported month: ``month`` (``YYYY-MM``), ``status_date``,
  ``rows``, ``imported_at`` (UTC), ``imported_by``;
* ``audit``: one row per write: ``at`` (UTC), ``user`` (the OS user unless given),
  ``action`` (``save``, ``import`` or ``replace``), ``source`` (file or program),
  ``month``, ``rows`` and ``tables`` (row count per table, JSON).

The schema is versioned with Alembic (scripts in ``pmo_lib/migrations``): a new store is
created at the newest revision (:data:`HEAD`); :func:`upgrade` migrates an older one; a
store written by a newer PMO Kit is refused (:class:`StoreVersionError`).

Concurrency
-----------
Every write is one transaction, validated before anything is written: all or nothing.
Writes are serialised: on SQLite by ``BEGIN IMMEDIATE`` (the database's write lock, taken
before reading what the write depends on) in WAL mode with a busy timeout, so readers are
never blocked; on PostgreSQL by a transaction-level advisory lock; a write that still meets
a lock timeout, a serialisation failure or a deadlock is retried. Reads run in one
transaction (a snapshot), so they never see half an import.

Examples
--------
>>> import pathlib, tempfile
>>> from pmo_lib import SAMPLE_DATA, load_portfolio, store
>>> pf = load_portfolio(SAMPLE_DATA)
>>> with tempfile.TemporaryDirectory() as folder:
...     db = store.open_store(pathlib.Path(folder) / "pmo.sqlite")
...     _ = store.save_portfolio(db, pf, user="pmo")  # plan, baselines, 12 snapshots
...     n = store.import_month(db, "2026-10", pf.snapshot("2026-10"), source="oct.csv")
...     log = store.history(db).audit
...     store.dispose(db)
>>> n, log["action"].tolist(), [str(m) for m in log["month"]]
(587, ['save', 'replace'], ['NaT', '2026-10'])
"""

from __future__ import annotations

import getpass
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

from .errors import (
    DataValidationError,
    MissingDataError,
    MissingDependencyError,
    PMOError,
    Problem,
)
from .model import SCHEMAS, Portfolio, _as_text, from_tables, parse_month

__all__ = [
    "BUSY_TIMEOUT",
    "HEAD",
    "History",
    "Store",
    "StoreError",
    "StoreVersionError",
    "dispose",
    "dump",
    "history",
    "import_month",
    "load_portfolio",
    "open_store",
    "revision",
    "save_portfolio",
    "upgrade",
]

#: The schema revision this code reads and writes (the last script in ``migrations``).
HEAD = "v0002"
#: How long a write waits for another one to finish before giving up. [s]
BUSY_TIMEOUT = 60.0
#: How many times a write is tried when it meets a lock or serialisation failure.
_ATTEMPTS = 8
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory-lock key of the store's write lock (any fixed 64-bit number).
_PG_LOCK = 0x504D4F_53544F5245

_T = TypeVar("_T")


class StoreError(PMOError):
    """The history database cannot be used (unreachable, or not a PMO Kit store)."""


class StoreVersionError(StoreError):
    """The database's schema revision is not the one this PMO Kit uses: older (run
    :func:`upgrade`) or newer (upgrade PMO Kit)."""


# ----------------------------------------------------------------------------------------
# Tables (the current schema; tests check it equals the migrations' head)
# ----------------------------------------------------------------------------------------
_KIND_TYPES = {"str": sa.Text, "choice": sa.Text, "list": sa.Text, "float": sa.Double,
               "int": sa.BigInteger, "date": sa.Date, "bool": sa.Boolean}
_META = sa.MetaData()
_TABLES: dict[str, sa.Table] = {
    name: sa.Table(name, _META, sa.Column("row_id", sa.Integer, primary_key=True,
                                          autoincrement=True),
                   *(sa.Column(c.name, _KIND_TYPES[c.kind]()) for c in schema.columns))
    for name, schema in SCHEMAS.items()
}
_SETTINGS = sa.Table("settings", _META, sa.Column("key", sa.Text, primary_key=True),
                     sa.Column("value", sa.Text))
_MONTHS = sa.Table("months", _META, sa.Column("month", sa.Text, primary_key=True),
                   sa.Column("status_date", sa.Date, nullable=False),
                   sa.Column("rows", sa.Integer, nullable=False),
                   sa.Column("imported_at", sa.DateTime, nullable=False),
                   sa.Column("imported_by", sa.Text, nullable=False))
_AUDIT = sa.Table("audit", _META, sa.Column("id", sa.Integer, primary_key=True,
                                            autoincrement=True),
                  sa.Column("at", sa.DateTime, nullable=False),
                  sa.Column("user", sa.Text, nullable=False),
                  sa.Column("action", sa.Text, nullable=False),
                  sa.Column("source", sa.Text),
                  sa.Column("month", sa.Text),
                  sa.Column("rows", sa.Integer, nullable=False),
                  sa.Column("tables", sa.Text))
#: Tables saved whole by save_portfolio (status is kept by month).
_STATIC = tuple(n for n in SCHEMAS if n != "status")


# ----------------------------------------------------------------------------------------
# Connections
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Store:
    """A history database, as returned by :func:`open_store`.

    Attributes
    ----------
    url : str
        Its SQLAlchemy URL (``sqlite:////abs/path/pmo.sqlite``, ``postgresql+psycopg://...``).
    """

    url: str

    def __str__(self) -> str:
        return _display(self.url)


def _url(target: str | os.PathLike | Store) -> str:
    """The SQLAlchemy URL of a store given as a Store, a URL or a file path."""
    if isinstance(target, Store):
        return target.url
    text = os.fspath(target)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    url = make_url(text)
    if url.drivername == "postgresql":  # the driver PMO Kit installs is psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _display(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


_ENGINES: dict[tuple[int, str], Engine] = {}


def _engine(target: str | os.PathLike | Store) -> Engine:
    """The (per-process, pooled) engine of a store; SQLite in WAL mode with a busy timeout,
    writes opened with ``BEGIN IMMEDIATE``."""
    url = _url(target)
    key = (os.getpid(), url)
    if key in _ENGINES:
        return _ENGINES[key]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if db in ("", ":memory:") or db.startswith("file:"):
            raise StoreError(f"{url}: a store needs a database file, e.g. sqlite:///pmo.sqlite")
        if not Path(db).parent.is_dir():
            raise StoreError(f"{db}: folder {Path(db).parent} not found; create it first")
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, record):  # SQLAlchemy's documented pysqlite recipe
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            write = conn.get_execution_options().get("pmo_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
    else:
        try:
            engine = sa.create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise MissingDependencyError(
                f"{_display(url)}: the database driver is not installed ({exc}); for "
                "PostgreSQL: pip install \"pmo-kit[postgres]\" (psycopg 3)") from None
        except sa.exc.NoSuchModuleError as exc:
            raise StoreError(f"{_display(url)}: {exc}; use sqlite:///<file> or "
                             "postgresql://<user>@<host>/<database>") from None
    _ENGINES[key] = engine
    return engine


def dispose(target: str | os.PathLike | Store) -> None:
    """Close this process's pooled connections to a store (e.g. before deleting its file)."""
    engine = _ENGINES.pop((os.getpid(), _url(target)), None)
    if engine is not None:
        engine.dispose()


def _retryable(exc: DBAPIError) -> bool:
    """A lock timeout, serialisation failure or deadlock: the write can be tried again."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in ("40001", "40P01", "55P03"):
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text


def _write(target, work: Callable[[Connection], _T]) -> _T:
    """Run ``work(connection)`` in one serialised write transaction, retried on lock
    timeouts and serialisation failures; an exception rolls everything back."""
    engine = _engine(target)
    postgres = engine.dialect.name == "postgresql"
    if _is_sqlite(engine) or postgres:
        writer = engine.execution_options(pmo_write=True)
    else:  # another server (untested): rely on its serialisable isolation and the retries
        writer = engine.execution_options(isolation_level="SERIALIZABLE")
    for attempt in range(_ATTEMPTS):
        try:
            with writer.begin() as conn:
                if postgres:  # imports queue here, one at a time
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK)))
                return work(conn)
        except DBAPIError as exc:
            if attempt == _ATTEMPTS - 1 or not _retryable(exc):
                raise StoreError(f"{_display(engine.url.render_as_string(False))}: "
                                 f"write failed: {exc.orig}") from exc
            time.sleep(random.uniform(0.05, 0.2) * 2 ** min(attempt, 4))
    raise AssertionError("unreachable")  # pragma: no cover


def _read(target, work: Callable[[Connection], _T]) -> _T:
    """Run ``work(connection)`` in one read transaction (a consistent snapshot)."""
    engine = _engine(target)
    if not _is_sqlite(engine):
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        with engine.begin() as conn:
            return work(conn)
    except DBAPIError as exc:
        raise StoreError(f"{_display(engine.url.render_as_string(False))}: read failed: "
                         f"{exc.orig}") from exc


# ----------------------------------------------------------------------------------------
# Migrations
# ----------------------------------------------------------------------------------------
def _alembic_config(conn: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@cache
def _known_revisions() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return tuple(r.revision for r in script.walk_revisions())


def _current(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _check_version(current: str | None, url: str) -> None:
    if current is not None and current not in _known_revisions():
        raise StoreVersionError(
            f"{_display(url)}: the database is at schema revision {current!r}, which this "
            f"PMO Kit does not know (its newest is {HEAD!r}): it was written by a newer PMO "
            "Kit; upgrade pmo-kit to use it")


def revision(target: str | os.PathLike | Store) -> str | None:
    """The schema revision of a store (None for an empty database).

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL.

    Returns
    -------
    str or None
        An Alembic revision id such as ``"v0002"`` (:data:`HEAD` when up to date).
    """
    return _read(target, _current)


def upgrade(target: str | os.PathLike | Store, revision: str = "head") -> str:
    """Migrate a store's schema to ``revision`` (the newest by default), creating it if empty.

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL (the file is created if absent).
    revision : str
        Alembic revision id (``"v0001"`` ...) or ``"head"``.

    Returns
    -------
    str
        The revision the store is at afterwards.

    Raises
    ------
    StoreVersionError
        The database was written by a newer PMO Kit.
    StoreError
        The database cannot be reached or migrated.
    """
    url = _url(target)

    def work(conn: Connection) -> str:
        from alembic import command

        _check_version(_current(conn), url)
        command.upgrade(_alembic_config(conn), revision)
        return _current(conn)

    return _write(url, work)


_READY: set[tuple[int, str]] = set()


def _ready(target) -> str:
    """The store's URL once its schema is at :data:`HEAD` (an empty database is created)."""
    url = _url(target)
    key = (os.getpid(), url)
    if key in _READY:
        return url
    current = _read(url, _current)
    if current is None:
        current = upgrade(url)
    _require_head(current, url)
    _READY.add(key)
    return url


def _require_head(current: str | None, url: str) -> None:
    _check_version(current, url)
    if current != HEAD:
        raise StoreVersionError(
            f"{_display(url)}: the database is at schema revision {current!r}, older than "
            f"this PMO Kit's {HEAD!r}; migrate it with pmo_lib.store.upgrade({_display(url)!r})"
            " (back it up first)")


def open_store(target: str | os.PathLike | Store) -> Store:
    """Open a history database, creating it (at the newest schema) if it does not exist.

    Parameters
    ----------
    target : str, path or Store
        A file path (``"pmo.sqlite"``: an embedded SQLite database) or an SQLAlchemy URL
        (``"sqlite:///pmo.sqlite"``, ``"postgresql+psycopg://user@host/pmo"``; a plain
        ``postgresql://`` URL uses psycopg 3).

    Returns
    -------
    Store

    Raises
    ------
    StoreVersionError
        The schema is older (run :func:`upgrade`) or newer (upgrade PMO Kit) than this code.
    StoreError
        The database cannot be reached.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     db = open_store(pathlib.Path(folder) / "pmo.sqlite")
    ...     print(db.url.startswith("sqlite:///"), revision(db) == HEAD)
    ...     dispose(db)
    True True
    """
    return Store(_ready(target))


# ----------------------------------------------------------------------------------------
# DataFrames <-> rows
# ----------------------------------------------------------------------------------------
def _cell(value: Any, kind: str) -> Any:
    """One parsed DataFrame value as the Python value of its database column."""
    if isinstance(value, (tuple, list)):
        return ";".join(map(str, value)) or None
    if value is None or pd.isna(value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def _records(name: str, df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [(c.name, c.kind) for c in SCHEMAS[name].columns if c.name in df.columns]
    values = {n: df[n].to_numpy(dtype=object) for n, _ in cols}
    return [{n: _cell(values[n][i], k) for n, k in cols} for i in range(len(df))]


def _insert(conn: Connection, name: str, df: pd.DataFrame) -> int:
    rows = _records(name, df)
    if rows:
        conn.execute(_TABLES[name].insert(), rows)
    return len(rows)


def _frame(conn: Connection, name: str, where=None) -> pd.DataFrame:
    """A table's rows as a DataFrame of Python values (in stored order; status and risks by
    status date)."""
    table = _TABLES[name]
    cols = [table.c[c.name] for c in SCHEMAS[name].columns]
    order = [table.c.row_id]
    if "status_date" in table.c:
        order.insert(0, table.c.status_date)
    query = sa.select(*cols).order_by(*order)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in cols],
                        dtype=object)


def _month_range(month: pd.Period):
    table = _TABLES["status"]
    return sa.and_(table.c.status_date >= month.start_time.date(),
                   table.c.status_date <= month.end_time.date())


def _settings(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(sa.select(_SETTINGS.c.key, _SETTINGS.c.value)).all())


def _user(user: str | None) -> str:
    if user:
        return str(user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or passwd
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _now() -> datetime:
    """Now in UTC, tz-naive (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _add_audit(conn: Connection, *, user: str, action: str, source: str | None,
               month: str | None, rows: int, tables: dict[str, int] | None = None) -> None:
    conn.execute(_AUDIT.insert().values(
        at=_now(), user=user, action=action, source=source, month=month, rows=rows,
        tables=None if tables is None else json.dumps(tables, sort_keys=True)))


def _set_month(conn: Connection, month: pd.Period, status_date: pd.Timestamp, rows: int,
               user: str) -> bool:
    """Record an imported month; True when it replaced an earlier import."""
    key = str(month)
    existed = conn.execute(sa.delete(_MONTHS).where(_MONTHS.c.month == key)).rowcount > 0
    conn.execute(_MONTHS.insert().values(month=key, status_date=status_date.date(), rows=rows,
                                         imported_at=_now(), imported_by=user))
    return existed


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------
def save_portfolio(target: str | os.PathLike | Store, portfolio: Portfolio, *,
                   user: str | None = None, source: str | None = None) -> dict[str, int]:
    """Save a portfolio in a store: its tables, baselines and status snapshots.

    Every table but ``status`` is replaced by the portfolio's; each month of the
    portfolio's status snapshots replaces that month in the store; months the store has and
    the portfolio has not are kept (they must still refer to tasks of the new plan). One
    transaction: on any error nothing is written.

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL (created if empty).
    portfolio : Portfolio
        As :func:`pmo_lib.model.load_portfolio` returns it.
    user : str, optional
        Who saves, for the audit; the OS user by default.
    source : str, optional
        Where the portfolio comes from, for the audit; its folder by default.

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    UnknownReferenceError, DataValidationError
        A stored month refers to a task the new plan no longer has.
    StoreVersionError, StoreError
        As :func:`open_store`; a write that fails.
    """
    url = _ready(target)
    who = _user(user)
    source = source if source is not None else (str(portfolio.path) if portfolio.path
                                                else None)
    status = portfolio.status
    months = pd.PeriodIndex(pd.DatetimeIndex(portfolio.data_dates or status["status_date"]
                                             .unique()).to_period("M"))

    def work(conn: Connection) -> dict[str, int]:
        _require_head(_current(conn), url)  # in the lock: no upgrade can slip in between
        stored = conn.execute(sa.select(_MONTHS.c.month)).scalars().all()
        kept = [parse_month(m) for m in stored if parse_month(m) not in set(months)]
        if kept:  # the months kept must still be valid against the new plan
            others = _frame(conn, "status", sa.or_(*(_month_range(m) for m in kept)))
            tables = {n: _table(portfolio, n) for n in SCHEMAS}
            tables["status"] = pd.concat([_blank(_table(portfolio, "status")), others],
                                         ignore_index=True)
            from_tables(tables, name=portfolio.name, currency=portfolio.currency,
                        workweek=portfolio.calendar.workweek, source=source or "portfolio")
        counts: dict[str, int] = {}
        for name in _STATIC:
            conn.execute(sa.delete(_TABLES[name]))
            counts[name] = _insert(conn, name, _table(portfolio, name))
        if len(months):
            conn.execute(sa.delete(_TABLES["status"]).where(
                sa.or_(*(_month_range(m) for m in months))))
        counts["status"] = _insert(conn, "status", status)
        per_month = status.groupby(status["status_date"]).size()
        for day in sorted(set(portfolio.data_dates) | set(per_month.index)):
            _set_month(conn, pd.Timestamp(day).to_period("M"), pd.Timestamp(day),
                       int(per_month.get(day, 0)), who)
        conn.execute(sa.delete(_SETTINGS))
        conn.execute(_SETTINGS.insert(), [
            {"key": "name", "value": portfolio.name},
            {"key": "currency", "value": portfolio.currency},
            {"key": "workweek", "value": " ".join(portfolio.calendar.workweek)}])
        _add_audit(conn, user=who, action="save", source=source, month=None,
                   rows=sum(counts.values()), tables=counts)
        return counts

    return _write(url, work)


def _table(portfolio: Portfolio, name: str) -> pd.DataFrame:
    return getattr(portfolio, "holidays" if name == "calendar" else name)


def _blank(df: pd.DataFrame) -> pd.DataFrame:
    """A typed frame as Python objects, so it concatenates with frames read from the store."""
    return df.astype(object).where(df.notna(), None)


def import_month(target: str | os.PathLike | Store, month, status_rows: pd.DataFrame, *,
                 status_date=None, user: str | None = None,
                 source: str | None = None) -> int:
    """Import (or re-import) one month's status snapshot, in one transaction.

    The rows are validated against the status schema and the stored tasks before anything
    is written; a month already in the store is replaced whole (importing the same file
    twice leaves the same store, with two audit records: ``import`` then ``replace``).

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL; a portfolio must have been saved in it.
    month : str or Period
        The reporting month, ``"YYYY-MM"``.
    status_rows : DataFrame
        One row per started task, columns of the ``status`` table (values typed or text as
        in ``status.csv``); ``status_date`` may be left out when ``status_date`` is given.
    status_date : date-like, optional
        The data date of the snapshot; by default the rows' (one per month). Needed when
        no task has started yet (no rows).
    user : str, optional
        Who imports, for the audit; the OS user by default.
    source : str, optional
        The file the rows come from, for the audit and the error messages.

    Returns
    -------
    int
        Rows stored for the month.

    Raises
    ------
    UnknownReferenceError
        A row refers to a task that is not in the stored plan (the message names it).
    DataValidationError
        A value that fails the schema, a status date outside ``month``, several status
        dates, no rows and no ``status_date``; rows are numbered as in a spreadsheet of
        ``status_rows`` (header = 1).
    MissingDataError
        The store holds no portfolio yet.
    StoreVersionError, StoreError
        As :func:`open_store`; a write that fails.
    """
    url = _ready(target)
    month = parse_month(month)
    who = _user(user)
    where = source or "import"
    file = f"{where}/status.csv"
    rows = pd.DataFrame(status_rows).reset_index(drop=True)
    if status_date is not None:
        day = pd.Timestamp(status_date).normalize()
        if "status_date" not in rows.columns:
            rows.insert(0, "status_date", day)
    if "status_date" not in rows.columns:
        raise MissingDataError(Problem(file, 1, None, "status_date",
                                       "required column is missing; give it or status_date="))
    if status_date is None and rows.empty:
        raise DataValidationError(Problem(file, None, None, "status_date",
                                          f"no rows for {month}; give status_date= to import "
                                          "a month in which no task has started"))

    def work(conn: Connection) -> int:
        _require_head(_current(conn), url)  # in the lock: no upgrade can slip in between
        settings = _settings(conn)
        if "name" not in settings:
            raise MissingDataError(Problem(_display(url), None, None, None,
                                           "holds no portfolio yet; save one first with "
                                           "pmo_lib.store.save_portfolio"))
        tables = {n: _frame(conn, n) for n in ("projects", "tasks")}
        checked = from_tables(tables | {"status": rows}, name=settings["name"],
                              source=where).status
        dates = checked["status_date"]
        outside = dates.dt.to_period("M") != month
        if outside.any():
            i = int(np.flatnonzero(outside.to_numpy())[0])
            raise DataValidationError(Problem(
                file, i + 2, str(checked.at[i, "task_id"]), "status_date",
                f"{dates[i].date()} is not in {month}; the rows of one import are one "
                "month's snapshot"))
        day = pd.Timestamp(status_date).normalize() if status_date is not None \
            else dates.iloc[0]
        if len(dates) and (dates != day).any():
            i = int(np.flatnonzero((dates != day).to_numpy())[0])
            raise DataValidationError(Problem(
                file, i + 2, str(checked.at[i, "task_id"]), "status_date",
                f"{dates[i].date()} differs from the status date {day.date()}"))
        if day.to_period("M") != month:
            raise DataValidationError(Problem(file, None, None, "status_date",
                                              f"{day.date()} is not in {month}"))
        conn.execute(sa.delete(_TABLES["status"]).where(_month_range(month)))
        count = _insert(conn, "status", checked)
        replaced = _set_month(conn, month, day, count, who)
        _add_audit(conn, user=who, action="replace" if replaced else "import",
                   source=source, month=str(month), rows=count, tables={"status": count})
        return count

    return _write(url, work)


def load_portfolio(target: str | os.PathLike | Store) -> Portfolio:
    """The portfolio of a store with every month's status snapshots.

    The tables go through :func:`pmo_lib.model.from_tables`, so the result is validated
    exactly as a dataset folder is.

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL.

    Returns
    -------
    Portfolio
        With ``path`` None; ``data_dates`` are the imported months' status dates.

    Raises
    ------
    MissingDataError
        The store holds no portfolio yet.
    StoreVersionError, StoreError
        As :func:`open_store`.
    """
    url = _ready(target)

    def work(conn: Connection):
        tables = {n: _frame(conn, n) for n in SCHEMAS}
        days = conn.execute(sa.select(_MONTHS.c.status_date)).scalars().all()
        return _settings(conn), tables, days

    settings, tables, days = _read(url, work)
    if "name" not in settings:
        raise MissingDataError(Problem(_display(url), None, None, None,
                                       "holds no portfolio yet; save one first with "
                                       "pmo_lib.store.save_portfolio"))
    pf = from_tables(tables, name=settings["name"], currency=settings["currency"],
                     workweek=settings["workweek"].split(), source=_display(url))
    return replace(pf, data_dates=tuple(sorted(pd.Timestamp(d) for d in days)))


@dataclass(frozen=True)
class History:
    """What a store holds and who wrote it (:func:`history`).

    Attributes
    ----------
    months : DataFrame
        One row per imported month, oldest first: ``month`` (Period), ``status_date``,
        ``rows`` (status rows), ``imported_at`` (UTC), ``imported_by``.
    audit : DataFrame
        One row per write, oldest first: ``id``, ``at`` (UTC), ``user``, ``action``
        (``save``, ``import``, ``replace``), ``source``, ``month`` (Period, NaT for a save),
        ``rows`` (rows written), ``tables`` (dict table → rows).
    """

    months: pd.DataFrame
    audit: pd.DataFrame


def history(target: str | os.PathLike | Store) -> History:
    """The imported months and the audit trail of a store.

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL.

    Returns
    -------
    History

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     h = history(pathlib.Path(folder) / "pmo.sqlite")
    ...     dispose(pathlib.Path(folder) / "pmo.sqlite")
    >>> list(h.months.columns), len(h.audit)
    (['month', 'status_date', 'rows', 'imported_at', 'imported_by'], 0)
    """
    url = _ready(target)

    def work(conn: Connection):
        months = conn.execute(sa.select(_MONTHS).order_by(_MONTHS.c.month)).all()
        audit = conn.execute(sa.select(_AUDIT).order_by(_AUDIT.c.id)).all()
        return months, audit

    months_rows, audit_rows = _read(url, work)
    months = pd.DataFrame([tuple(r) for r in months_rows], columns=list(_MONTHS.c.keys()))
    months["month"] = pd.PeriodIndex(months["month"].astype(str), freq="M") if len(months) \
        else pd.Series(dtype="period[M]")
    months["rows"] = months["rows"].astype("int64")
    for c in ("status_date", "imported_at"):
        months[c] = pd.to_datetime(months[c]).astype("datetime64[ns]")
    audit = pd.DataFrame([tuple(r) for r in audit_rows], columns=list(_AUDIT.c.keys()))
    audit["at"] = pd.to_datetime(audit["at"]).astype("datetime64[ns]")
    audit["month"] = pd.Series([pd.Period(m, freq="M") if m else pd.NaT
                                for m in audit["month"]], index=audit.index,
                               dtype="period[M]")
    audit["rows"] = audit["rows"].astype("int64")
    audit["tables"] = [json.loads(t) if t else {} for t in audit["tables"]]
    return History(months=months, audit=audit)


def dump(target: str | os.PathLike | Store, folder: str | os.PathLike) -> Path:
    """Write a store as a dataset folder (CSV files and ``portfolio.toml``).

    ``pmo_lib.load_portfolio(folder)`` then gives the same tables as :func:`load_portfolio`
    on the store. Existing files of the folder with the same names are overwritten; empty
    optional tables are not written.

    Parameters
    ----------
    target : str, path or Store
        Database file or SQLAlchemy URL.
    folder : str or path
        Created if absent.

    Returns
    -------
    Path
        The folder.
    """
    pf = load_portfolio(target)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        df = _table(pf, name)
        if df.empty and not schema.required:
            (out / schema.file).unlink(missing_ok=True)
            continue
        text = pd.DataFrame({c.name: _as_text(df[c.name]) for c in schema.columns})
        text.to_csv(out / schema.file, index=False)
    workweek = ", ".join(json.dumps(d) for d in pf.calendar.workweek)
    (out / "portfolio.toml").write_text(
        f"name = {json.dumps(pf.name)}\ncurrency = {json.dumps(pf.currency)}\n"
        f"workweek = [{workweek}]\n", encoding="utf-8")
    return out

