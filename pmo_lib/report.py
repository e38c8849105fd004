"""The monthly portfolio report: run the report notebook, publish HTML, notebook and figures.

Two halves, like pyhf's notebook tests and papermill's reporting pattern:

* the **building blocks** the report notebook calls, so its cells stay one line each and hold
  no formulas (:func:`resolve_data`, :func:`resolve_month`, :func:`headline`,
  :func:`title`, :func:`key_messages`, :func:`project_table`, :func:`glossary`,
  :func:`provenance`);
* the **runner**, :func:`run_monthly_report`, which checks its inputs, executes
  ``notebooks/reports/monthly_portfolio_report.ipynb`` with papermill, converts it to an HTML
  page without code and writes the headline figures to a JSON file beside it.

The runner works in a temporary folder and moves the three files into the output folder only
when every step succeeded: a failed run leaves no report file behind. The headline figures are
read back from the executed notebook (the output of its cell tagged ``headline``), so the JSON
holds exactly what the notebook showed.

Example (not run as a doctest: it starts a Jupyter kernel)::

    from pmo_lib import report
    result = report.run_monthly_report("2026-10", out="reports")
    result.html        # reports/monthly_portfolio_report_2026-10.html
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from . import health, plots, resources
from .errors import DataValidationError, PMOError, Problem, ReportError
from .evm import (
    GLOSSARY,
    RAG_COLOURS,
    RAG_LEVELS,
    RagThresholds,
    project_earned_schedule,
    project_forecast_range,
    project_performance,
    rag_counts,
    rag_status,
    s_curve,
)
from .model import Portfolio, load_portfolio, parse_month
from .schedule import project_summary, schedule_portfolio

__all__ = [
    "AGILE_COLUMNS",
    "FORECAST_COLUMNS",
    "FRONTIER_STEP",
    "HANDOVER_SLIP",
    "HEADLINE_TAG",
    "INDICATOR_COLUMNS",
    "LEVELLING_COLUMNS",
    "LEVELLING_SCHEDULES",
    "LINK_COLUMNS",
    "LINK_MARGIN",
    "OVERALLOCATION_COLUMNS",
    "PARAMETERS",
    "PORTFOLIO_WEIGHTS",
    "REPORT_NAME",
    "REPORT_NOTEBOOK",
    "REPORT_THRESHOLDS",
    "RESOURCE_MONTHS",
    "RISK_COLUMNS",
    "ROLLUP_COLUMNS",
    "SCHEDULE_COLUMNS",
    "SCHEDULE_RISK_COLUMNS",
    "TABLE_COLUMNS",
    "Block",
    "Headline",
    "ReportResult",
    "agile_burnups",
    "agile_status",
    "agile_table",
    "candidate_ranking",
    "compliance_messages",
    "compliance_summary",
    "critical_path_changes",
    "dcma_messages",
    "dcma_summary",
    "dcma_table",
    "dependencies",
    "dependency_chart",
    "dependency_messages",
    "evm_trends",
    "exposure_chart",
    "for_project",
    "forecast_table",
    "forecasts",
    "gate_compliance",
    "gate_table",
    "glossary",
    "handover_slips",
    "handover_table",
    "headline",
    "indicator_table",
    "key_messages",
    "levelling_impact",
    "levelling_table",
    "links_table",
    "milestone_moves",
    "milestone_table",
    "overallocation_runs",
    "overallocation_table",
    "portfolio_gantt",
    "previous_month",
    "previous_schedule",
    "programme_rollup",
    "project_rows",
    "project_s_curves",
    "project_table",
    "provenance",
    "rag_changes",
    "rag_commentary",
    "ranking_table",
    "read_headline",
    "resolve_data",
    "resolve_month",
    "resource_loading",
    "resource_messages",
    "risk_heat_maps",
    "risk_messages",
    "risk_register",
    "risk_table",
    "rollup_table",
    "run_monthly_report",
    "schedule_messages",
    "schedule_risk",
    "schedule_risk_table",
    "schedule_status",
    "schedule_table",
    "selection_messages",
    "title",
    "trend_table",
    "utilisation_chart",
]

#: The report notebook the runner executes.
REPORT_NOTEBOOK = (Path(__file__).resolve().parent.parent / "notebooks" / "reports"
                   / "monthly_portfolio_report.ipynb")
#: Stem of the report files: ``monthly_portfolio_report_YYYY-MM.{ipynb,html,json}``.
REPORT_NAME = "monthly_portfolio_report"
#: The parameters the runner passes to the notebook (checked against its parameters cell).
PARAMETERS = ("data", "month", "rag_green", "rag_amber", "rag_schedule_index", "rag_rate_vac",
              "rag_vac_amber", "rag_vac_red", "project")
#: The report's RAG rating when none is given: SPI(t), CPI and VAC / BAC with the default
#: bands (SPI(t) does not drift back to 1 as a late project nears its end).
REPORT_THRESHOLDS = RagThresholds(schedule_index="spi_t", rate_vac=True)
#: Tag of the notebook cell whose ``application/json`` output holds the headline figures.
HEADLINE_TAG = "headline"
#: Columns of the per-project table, in order.
TABLE_COLUMNS = ("name", "bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "rag",
                 "rag_reason")

_JSON_MIME = "application/json"
_MONEY_COLUMNS = ("bac", "pv", "ev", "ac", "sv", "cv", "eac", "etc", "vac")
_TABLE_HEADERS = {"name": "Project", "rag": "RAG", "rag_reason": "Why"}


# ----------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------
def _sample_data() -> Path:
    from . import SAMPLE_DATA  # at call time: pmo_lib may import this module while loading

    return SAMPLE_DATA


def _version() -> str:
    from . import __version__

    return __version__


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


#: File suffixes read as a history store rather than a dataset folder (as
#: :func:`pmo_lib.model.load_portfolio` does).
_STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def _is_store(data) -> bool:
    """True when ``data`` names a history store (a URL or a ``.sqlite``/``.db`` file)."""
    text = str(data)
    return "://" in text or Path(text).suffix in _STORE_SUFFIXES


def _display(data) -> str:
    """``data`` as shown to users: a database URL without its password."""
    text = str(data)
    if "://" not in text:
        return text
    from sqlalchemy.engine import make_url

    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: hide anything between ':' and '@'
        return re.sub(r"(//[^:/@]*):[^@/]*@", r"\1:***@", text)


def _resolve_store(text: str) -> str | Path:
    """A store URL as the report kernel can open it (a relative SQLite file made absolute:
    the notebook runs in its own folder), after checking that a SQLite file exists (opening
    a missing one would create an empty database)."""
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        if not path.is_file():
            raise ReportError(f"history store not found: {path}; save a portfolio in it "
                              "first (pmo_lib.store.save_portfolio)")
        return path
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise ReportError(f"invalid database URL {_display(text)}: {_one_line(str(exc))}; "
                          "use sqlite:///<file> or postgresql://<user>@<host>/<database>"
                          ) from None
    if url.get_backend_name() != "sqlite":
        return text
    db = url.database or ""
    if db in ("", ":memory:") or db.startswith("file:"):
        raise ReportError(f"{text}: a history store needs a database file, e.g. "
                          "sqlite:///pmo.sqlite")
    path = Path(db).expanduser().resolve()
    if not path.is_file():
        raise ReportError(f"history store not found: {path} (from {text}); save a "
                          "portfolio in it first (pmo_lib.store.save_portfolio)")
    if Path(db) == path:
        return text
    return url.set(database=str(path)).render_as_string(hide_password=False)


def resolve_data(data: str | os.PathLike | None = None) -> Path | str:
    """The data of a report: a dataset folder, a history store, or the bundled sample.

    Parameters
    ----------
    data : str or Path, optional
        A portfolio dataset folder; or a history store (:mod:`pmo_lib.store`): an SQLAlchemy
        URL (``sqlite:///pmo.sqlite``, ``postgresql://user@host/db``) or a ``.sqlite``,
        ``.sqlite3`` or ``.db`` file. ``""`` or None means :data:`pmo_lib.SAMPLE_DATA`.

    Returns
    -------
    Path or str
        An absolute path for a folder or a store file (relative paths are taken from the
        current directory); a URL as given, except that a relative SQLite file in it is
        made absolute. Either goes to :func:`pmo_lib.load_portfolio` as it is.

    Raises
    ------
    ReportError
        A SQLite store file that does not exist (it is not created), a URL that cannot be
        read; the message names it.

    Notes
    -----
    A password in a URL reaches the report notebook's parameters (the kernel has to
    connect); the messages, the provenance line and the JSON summary show the URL without
    it. Prefer ``~/.pgpass`` or ``PGPASSWORD`` for PostgreSQL.

    Examples
    --------
    >>> from pmo_lib import SAMPLE_DATA
    >>> resolve_data("") == SAMPLE_DATA
    True
    """
    if data is None or str(data).strip() == "":
        return _sample_data()
    text = os.fspath(data).strip() if isinstance(data, str) else os.fspath(data)
    if not _is_store(text):
        return Path(text).expanduser().resolve()
    return _resolve_store(text)


def _load(path: Path | str) -> Portfolio:
    """load_portfolio with its errors turned into a one-line ReportError."""
    shown = _display(path)
    try:
        return load_portfolio(path)
    except DataValidationError as exc:
        n = len(exc.problems)
        first = str(exc.problems[0]) if n else _one_line(str(exc))
        more = (f" (and {n - 1} more problem{'s' if n > 2 else ''}; "
                f"run 'pmo validate {shown}' to list them all)") if n > 1 else ""
        raise ReportError(f"cannot load the portfolio data: {_one_line(first)}{more}") from exc
    except PMOError as exc:
        raise ReportError(f"cannot load the portfolio data in {shown}: "
                          f"{_one_line(str(exc))}") from exc


def resolve_month(portfolio: Portfolio, month: str | pd.Period | None = None) -> pd.Period:
    """The status month of a report: ``month``, or the latest month with status data.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        ``'YYYY-MM'``; ``""`` or None means :attr:`Portfolio.latest_month`.

    Returns
    -------
    Period
        A month (``freq='M'``) that has a status snapshot.

    Raises
    ------
    ReportError
        The text is not a month, the month has no status snapshot, or the data has no status
        snapshot at all. The one-line message lists the months that have status data.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> resolve_month(pf), resolve_month(pf, "2026-01")
    (Period('2026-02', 'M'), Period('2026-01', 'M'))
    """
    where = f" in {portfolio.path}" if portfolio.path else ""
    have = ", ".join(str(m) for m in portfolio.months)
    if len(portfolio.months) == 0:
        raise ReportError(f"no status data{where}: status.csv has no status snapshot")
    if month is None or (isinstance(month, str) and month.strip() == ""):
        return portfolio.latest_month
    try:
        period = parse_month(month)
    except (DataValidationError, ValueError, TypeError):
        raise ReportError(f"invalid month {str(month)!r}: use the form YYYY-MM; months with "
                          f"status data{where}: {have}") from None
    if period not in set(portfolio.months):
        raise ReportError(f"no status data for {period}{where}; months with status data: "
                          f"{have}")
    return period


def for_project(portfolio: Portfolio, project: str | None = None) -> Portfolio:
    """The portfolio a report covers: the whole ``portfolio``, or one project of it.

    Parameters
    ----------
    portfolio : Portfolio
    project : str, optional
        A project id; ``""`` or None means the whole portfolio.

    Returns
    -------
    Portfolio
        ``portfolio`` itself, or :meth:`Portfolio.select` of that project, named
        ``'<portfolio name>: <project name> (<id>)'`` so the report's title, headline and
        provenance say which project they cover.

    Raises
    ------
    ReportError
        No such project; the message lists the project ids of the data.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> one = for_project(pf, "P2")
    >>> list(one.projects["id"]), one.name == f"{pf.name}: Deploy (P2)"
    (['P2'], True)
    """
    if project is None or str(project).strip() == "":
        return portfolio
    project = str(project).strip()
    ids = [str(i) for i in portfolio.projects["id"]]
    if project not in ids:
        where = f" in {portfolio.path}" if portfolio.path else ""
        raise ReportError(f"no project {project!r}{where}; projects: {', '.join(ids)}")
    one = portfolio.select([project])
    name = str(one.projects["name"].iloc[0])
    return replace(one, name=f"{portfolio.name}: {name} ({project})")


# ----------------------------------------------------------------------------------------
# Building blocks of the notebook
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """A piece of the report rendered as HTML in Jupyter and in the exported page.

    Attributes
    ----------
    html : str
        What Jupyter and the HTML report show.
    text : str
        Plain-text version (``repr``, terminals, tests).
    """

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _money(x, currency: str) -> str:
    """Short amount for headline cards: 1.23 M EUR, 345 k EUR, 3,400 EUR."""
    if x is None or not math.isfinite(x):
        return "–"
    a = abs(x)
    if a >= 1e9:
        s = f"{x / 1e9:,.2f} bn"
    elif a >= 1e6:
        s = f"{x / 1e6:,.2f} M"
    elif a >= 1e4:
        s = f"{x / 1e3:,.0f} k"
    else:
        s = f"{x:,.0f}"
    return f"{s} {currency}"


def _ratio_text(x) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _band(x, thresholds: RagThresholds) -> str:
    """RAG band of one index (grey when not measurable), by :func:`pmo_lib.evm.rag_status`."""
    value = np.nan if x is None else float(x)
    return str(rag_status([value], [np.nan], thresholds)["rag"].iloc[0])


def _text_or_dash(x) -> str:
    """A preformatted text cell, or a dash where there is none (NaN, NaT)."""
    return x if isinstance(x, str) else "–"


def _long_date(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%B %Y}"


@dataclass(frozen=True)
class Headline:
    """The headline figures of a month: portfolio totals, indices and RAG counts.

    Jupyter shows it as a row of cards; its ``application/json`` output
    (:meth:`to_dict`) is what :func:`run_monthly_report` reads back and writes to the JSON
    summary. Build it with :func:`headline`.

    Attributes
    ----------
    portfolio : str
        Portfolio name.
    month : Period
        Status month.
    status_date : Timestamp
        Data date of the month's status snapshot.
    currency : str
    projects : int
        Number of projects.
    bac, pv, ev, ac, sv, cv, eac, vac : float
        Portfolio totals (see :data:`pmo_lib.evm.GLOSSARY`). [cur]
    spi, cpi : float
        Portfolio indices from the totals (NaN when not measurable). [ratio]
    percent_planned, percent_complete, percent_spent : float
        PV, EV and AC as a share of BAC. [%]
    rag : str
        RAG status of the portfolio as a whole; ``spi_rag`` and ``cpi_rag`` the band of
        each index.
    rag_counts : dict
        Number of projects per RAG level (every level of :data:`pmo_lib.evm.RAG_LEVELS`).
    rag_green, rag_amber : float
        The thresholds used.
    projects_late : int or None
        Projects forecast to finish after their baseline finish (None: no schedule given).
    worst_slip : float or None
        The largest slip of a project's forecast finish past its baseline finish. [d]
    worst_slip_project : str or None
        The id of that project.
    spi_t, spi_t_rag : float, str
        SPI(t) of the portfolio (earned schedule of the summed PV curve; NaN when ``total``
        has no ``spi_t``) and its band.
    """

    portfolio: str
    month: pd.Period
    status_date: pd.Timestamp
    currency: str
    projects: int
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float
    cpi: float
    eac: float
    vac: float
    percent_planned: float
    percent_complete: float
    percent_spent: float
    rag: str
    spi_rag: str
    cpi_rag: str
    rag_green: float
    rag_amber: float
    rag_counts: Mapping[str, int] = field(default_factory=dict, compare=False)
    projects_late: int | None = None
    worst_slip: float | None = None
    worst_slip_project: str | None = None
    worst_slip_name: str | None = field(default=None, compare=False, repr=False)
    spi_t: float = math.nan
    spi_t_rag: str = "grey"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: month and date as text, NaN as None."""
        out: dict[str, Any] = {
            "portfolio": self.portfolio,
            "month": str(self.month),
            "status_date": self.status_date.date().isoformat(),
            "currency": self.currency,
            "projects": int(self.projects),
        }
        for name in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "spi_t", "eac", "vac",
                     "percent_planned", "percent_complete", "percent_spent"):
            out[name] = _finite(getattr(self, name))
        out |= {"rag": self.rag, "spi_rag": self.spi_rag, "cpi_rag": self.cpi_rag,
                "spi_t_rag": self.spi_t_rag,
                "rag_counts": {k: int(v) for k, v in self.rag_counts.items()},
                "rag_green": float(self.rag_green), "rag_amber": float(self.rag_amber),
                "projects_late": None if self.projects_late is None
                else int(self.projects_late),
                "worst_slip": None if self.worst_slip is None else _finite(self.worst_slip),
                "worst_slip_project": self.worst_slip_project}
        return out

    def _repr_json_(self) -> dict[str, Any]:
        return self.to_dict()

    def _repr_html_(self) -> str:
        c = self.currency

        def pct(x):
            return "–" if not math.isfinite(x) else f"{x:.0f} %"

        vac = self.vac
        if math.isfinite(vac) and self.bac > 0:
            over = "over" if vac < 0 else "under"
            eac_note = f"{_money(abs(vac), c)} {over} budget ({abs(vac) / self.bac:.0%})"
        else:
            eac_note = "forecast final cost"
        cards = [
            ("Budget (BAC)", _money(self.bac, c), "approved baseline budget", None),
            ("Planned value (PV)", _money(self.pv, c), f"{pct(self.percent_planned)} "
             "of the budget planned to date", None),
            ("Earned value (EV)", _money(self.ev, c), f"{pct(self.percent_complete)} "
             "of the work done", None),
            ("Actual cost (AC)", _money(self.ac, c), f"{pct(self.percent_spent)} "
             "of the budget spent", None),
            ("SPI (schedule)", _ratio_text(self.spi), "EV ÷ PV; below 1 = behind plan",
             self.spi_rag),
            ("CPI (cost)", _ratio_text(self.cpi), "EV ÷ AC; below 1 = over budget",
             self.cpi_rag),
            *([("SPI(t) (schedule in time)", _ratio_text(self.spi_t),
                "earned schedule ÷ time elapsed; below 1 = late", self.spi_t_rag)]
              if math.isfinite(self.spi_t) else []),
            ("Forecast cost (EAC)", _money(self.eac, c), eac_note, None),
        ]
        items = []
        for label, value, note, rag in cards:
            style = f' style="border-top-color:{RAG_COLOURS[rag]}"' if rag else ""
            items.append(
                f'<div class="pmo-card"{style}><div class="pmo-card-label">{escape(label)}'
                f'</div><div class="pmo-card-value">{escape(value)}</div>'
                f'<div class="pmo-card-note">{escape(note)}</div></div>')
        pills = "".join(
            f'<span class="pmo-pill" style="background:{RAG_COLOURS[level]}">'
            f'{int(self.rag_counts.get(level, 0))} {level}</span>'
            for level in RAG_LEVELS)
        items.append(
            '<div class="pmo-card"><div class="pmo-card-label">Projects by RAG</div>'
            f'<div class="pmo-card-value">{int(self.projects)}</div>'
            f'<div class="pmo-pills">{pills}</div></div>')
        if self.projects_late is not None:
            late = int(self.projects_late)
            if late and self.worst_slip is not None:
                who = self.worst_slip_name or self.worst_slip_project
                note = f"latest against plan: {who}, {self.worst_slip:,.0f} working days"
            else:
                note = "every project on or before its baseline finish"
            style = f' style="border-top-color:{RAG_COLOURS["red" if late else "green"]}"'
            items.append(
                f'<div class="pmo-card"{style}><div class="pmo-card-label">Finishing late'
                f'</div><div class="pmo-card-value">{late} of {int(self.projects)}</div>'
                f'<div class="pmo-card-note">{escape(note)}</div></div>')
        return f"{_CARD_CSS}<div class=\"pmo-cards\">{''.join(items)}</div>"

    def __repr__(self) -> str:
        d = self.to_dict()
        counts = ", ".join(f"{v} {k}" for k, v in d["rag_counts"].items())
        return (f"Headline({self.portfolio!r}, {self.month}: BAC {self.bac:,.0f}, PV "
                f"{self.pv:,.0f}, EV {self.ev:,.0f}, AC {self.ac:,.0f} {self.currency}, SPI "
                f"{_ratio_text(self.spi)}, CPI {_ratio_text(self.cpi)}, EAC {self.eac:,.0f}; "
                f"{counts})")


_CARD_CSS = """<style>
.pmo-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;
  margin:0.6em 0}
.pmo-card{background:#f5f7fa;border-top:4px solid #1f4e79;border-radius:4px;padding:10px 14px}
.pmo-card-label{font-size:0.76em;text-transform:uppercase;letter-spacing:0.05em;color:#555}
.pmo-card-value{font-size:1.6em;font-weight:600;color:#1a1a1a;margin:2px 0 3px}
.pmo-card-note{font-size:0.8em;color:#666;line-height:1.35}
.pmo-pills{display:flex;gap:4px;flex-wrap:wrap}
.pmo-pill{color:#fff;font-weight:600;border-radius:10px;padding:1px 8px;font-size:0.75em;
  white-space:nowrap}
</style>"""


def headline(portfolio: Portfolio, month, performance: pd.DataFrame, total: pd.DataFrame,
             thresholds: RagThresholds | None = None,
             schedule_status: pd.DataFrame | None = None) -> Headline:
    """The headline figures of the report.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Status month.
    performance : DataFrame
        :func:`pmo_lib.evm.project_performance` for that month.
    total : DataFrame
        One row, the portfolio: :func:`pmo_lib.evm.rollup` of ``performance`` (sums first,
        then indices) or ``performance_table(...).loc[["portfolio"]]`` (adds SPI(t)).
    thresholds : RagThresholds, optional
        Those used for ``performance`` and ``total`` (default ``RagThresholds()``).
    schedule_status : DataFrame, optional
        :func:`schedule_status` for that month: adds ``projects_late`` (slip > 0) and the
        worst slip and its project.

    Returns
    -------
    Headline

    Examples
    --------
    >>> from pmo_lib import load_portfolio, evm
    >>> pf = load_portfolio("tests/data/mini")
    >>> perf = evm.project_performance(pf, "2026-02")
    >>> h = headline(pf, "2026-02", perf, evm.rollup(perf))
    >>> h.pv, h.ev, h.ac, round(h.cpi, 4), dict(h.rag_counts)
    (3400.0, 3200.0, 3650.0, 0.8767, {'green': 0, 'amber': 0, 'red': 2, 'grey': 0})
    """
    t = thresholds or RagThresholds()
    month = parse_month(month)
    row = total.iloc[0]
    counts = rag_counts(performance)
    bac = float(row["bac"])
    return Headline(
        portfolio=portfolio.name, month=month, status_date=portfolio.status_date(month),
        currency=portfolio.currency, projects=len(performance),
        bac=bac, pv=float(row["pv"]), ev=float(row["ev"]), ac=float(row["ac"]),
        sv=float(row["sv"]), cv=float(row["cv"]), spi=float(row["spi"]),
        cpi=float(row["cpi"]), eac=float(row["eac"]), vac=float(row["vac"]),
        percent_planned=100 * float(row["pv"]) / bac if bac else math.nan,
        percent_complete=float(row["percent_complete"]),
        percent_spent=float(row["percent_spent"]),
        rag=str(row["rag"]), spi_rag=_band(float(row["spi"]), t),
        cpi_rag=_band(float(row["cpi"]), t), rag_green=t.green, rag_amber=t.amber,
        rag_counts={k: int(v) for k, v in counts.items()},
        **_schedule_figures(schedule_status),
        spi_t=float(row["spi_t"]) if "spi_t" in row.index else math.nan,
        spi_t_rag=_band(float(row["spi_t"]), t) if "spi_t" in row.index else "grey",
    )


def _schedule_figures(status: pd.DataFrame | None) -> dict[str, Any]:
    if status is None:
        return {}
    slip = status["slip"].dropna()
    out: dict[str, Any] = {"projects_late": int((slip > 0).sum())}
    if len(slip):
        worst = slip.idxmax()
        out |= {"worst_slip": float(slip[worst]), "worst_slip_project": str(worst),
                "worst_slip_name": str(status.at[worst, "name"])}
    return out


def title(figures: Headline) -> Block:
    """The title of the report: portfolio name, month, status date and currency."""
    sub = (f"{figures.month:%B %Y} · status date {_long_date(figures.status_date)} · "
           f"amounts in {figures.currency}")
    html = (
        '<div class="pmo-title" style="border-bottom:3px solid #1f4e79;padding-bottom:8px;'
        'margin-bottom:4px"><div style="text-transform:uppercase;letter-spacing:0.08em;'
        'font-size:0.85em;color:#1f4e79;font-weight:600">Monthly portfolio report</div>'
        f'<h1 style="margin:4px 0 2px;font-size:2em">{escape(figures.portfolio)}</h1>'
        f'<div style="color:#555">{escape(sub)}</div></div>')
    return Block(html, f"Monthly portfolio report: {figures.portfolio}\n{sub}")


def _verdict(x: float, band: str, words: tuple[str, str, str, str]) -> str:
    """Words for an index: at or above 1, green below 1, amber, red (grey: not measurable)."""
    if band == "grey":
        return "not measurable yet"
    if band == "green":
        return words[0] if round(x, 2) >= 1.0 else words[1]
    return words[2] if band == "amber" else words[3]


_SPI_WORDS = ("on plan", "close to plan", "slightly behind plan", "behind plan")
_CPI_WORDS = ("within budget", "close to budget", "slightly over budget", "over budget")


def key_messages(figures: Headline, performance: pd.DataFrame) -> Block:
    """Three plain-language messages for an executive: schedule, cost, projects to watch.

    Parameters
    ----------
    figures : Headline
    performance : DataFrame
        :func:`pmo_lib.evm.project_performance` (columns ``name``, ``rag``, ``rag_reason``).
    """
    c = figures.currency
    date = _long_date(figures.status_date)
    spi_words = _verdict(figures.spi, figures.spi_rag, _SPI_WORDS)
    schedule = (f"**Schedule: {spi_words}.** By {date} the portfolio has done "
                f"{_money(figures.ev, c)} of work against {_money(figures.pv, c)} planned "
                f"(SPI {_ratio_text(figures.spi)}).")
    cpi_words = _verdict(figures.cpi, figures.cpi_rag, _CPI_WORDS)
    cost = (f"**Cost: {cpi_words}.** That work cost {_money(figures.ac, c)} "
            f"(CPI {_ratio_text(figures.cpi)}).")
    if math.isfinite(figures.vac) and figures.bac > 0:
        gap = abs(figures.vac)
        if gap < 0.005 * figures.bac:
            cost += (f" At this rate the portfolio will finish on its budget of "
                     f"{_money(figures.bac, c)}.")
        else:
            side = "over" if figures.vac < 0 else "under"
            cost += (f" At this rate it will finish at {_money(figures.eac, c)}, "
                     f"{_money(gap, c)} ({gap / figures.bac:.0%}) {side} its budget of "
                     f"{_money(figures.bac, c)}.")
    counts = figures.rag_counts
    parts = [f"{counts.get(level, 0)} {level}" for level in RAG_LEVELS if counts.get(level, 0)]
    projects = f"**Projects:** {', '.join(parts) or 'none'}."
    red = performance[performance["rag"] == "red"]
    amber = performance[performance["rag"] == "amber"]
    if len(red):
        projects += " Act now on " + "; ".join(
            f"{name} ({reason})" for name, reason in zip(red["name"], red["rag_reason"],
                                                        strict=True)) + "."
    if len(amber):
        projects += " Watch " + ", ".join(amber["name"]) + "."
    if not len(red) and not len(amber):
        projects += " No project needs action this month."
    messages = [schedule, cost, projects]
    items = "".join(f"<li>{_bold(escape(m))}</li>" for m in messages)
    html = ('<ul class="pmo-messages" style="line-height:1.5;background:#f5f7fa;border-left:4px '
            f'solid #1f4e79;padding:10px 16px 10px 34px;margin:0.8em 0">{items}</ul>')
    return Block(html, "\n".join(f"- {m}" for m in messages))


def _bold(text: str) -> str:
    """Turn the **...** of an escaped message into <strong>."""
    head, sep, rest = text.partition("**")
    if not sep:
        return text
    inner, sep2, tail = rest.partition("**")
    return f"{head}<strong>{inner}</strong>{tail}" if sep2 else text


def project_table(performance: pd.DataFrame, total: pd.DataFrame, currency: str = "EUR",
                  thousands: bool | None = None):
    """The per-project table with the portfolio total as its last row.

    Parameters
    ----------
    performance : DataFrame
        :func:`pmo_lib.evm.project_performance`.
    total : DataFrame
        :func:`pmo_lib.evm.rollup` of ``performance``: one row labelled ``"Total"``.
    currency : str
    thousands : bool, optional
        Show amounts in thousands (default: when the largest amount reaches a million, so
        the table fits a page).

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns :data:`TABLE_COLUMNS`; the total row in bold, the RAG cell coloured.
    """
    table = pd.concat([performance, total.assign(name="Portfolio total")])
    table.index.name = None
    money = [c for c in TABLE_COLUMNS if c in _MONEY_COLUMNS]
    if thousands is None:
        thousands = bool(table[money].abs().max().max() >= 1e6)
    if thousands:
        table[money] = table[money] / 1000.0
    styler = plots.performance_table(table, currency, columns=TABLE_COLUMNS,
                                     total_label="Total")
    headers = [_TABLE_HEADERS.get(col, col.upper()) for col in TABLE_COLUMNS]
    styler = styler.relabel_index(headers, axis="columns")
    styler = styler.set_properties(subset=["name", "rag_reason"], **{"text-align": "left"})
    styler = styler.set_caption(f"Amounts in {'thousands of ' if thousands else ''}{currency}")
    return styler.set_table_attributes('class="pmo-table"')


# ----------------------------------------------------------------------------------------
# EVM trends
# ----------------------------------------------------------------------------------------
#: Indicators of :func:`evm_trends`, with their display names.
_TREND_INDICATORS = {"spi": "SPI", "cpi": "CPI", "spi_t": "SPI(t)"}
#: The five columns of each indicator in :func:`evm_trends` (suffixes after the indicator).
_TREND_WHEN = ("", "_last_month", "_months_ago", "_change_last_month", "_change_months_ago")


def _indices_at(portfolio: Portfolio, month: pd.Period,
                thresholds: RagThresholds | None) -> pd.DataFrame:
    """SPI, CPI and SPI(t) of every project at ``month`` (all NaN without status data)."""
    if month not in set(portfolio.months):
        return pd.DataFrame(np.nan, index=pd.Index(portfolio.projects["id"], name="project_id"),
                            columns=list(_TREND_INDICATORS))
    perf = project_performance(portfolio, month, thresholds)
    return perf[["spi", "cpi"]].join(project_earned_schedule(portfolio, month)["spi_t"])


def evm_trends(portfolio: Portfolio, month, months: int = 3,
               thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """SPI, CPI and SPI(t) of every project this month, last month and ``months`` ago.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month (``'YYYY-MM'``); must have status data.
    months : int
        How many calendar months back the earlier comparison looks (default 3). [months]
    thresholds : RagThresholds, optional
        Passed to :func:`pmo_lib.evm.project_performance` (it does not change the indices).

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``name``, then for each of ``spi``, ``cpi``, ``spi_t``
        (say ``spi``): ``spi`` (this month), ``spi_last_month`` (the calendar month before),
        ``spi_months_ago`` (``months`` calendar months before), ``spi_change_last_month``
        (this month − last month) and ``spi_change_months_ago`` (this month − ``months``
        ago) [ratio]. A month without status data, or an index not measurable then, gives
        NaN. ``attrs["months"]`` maps ``"now"``, ``"last_month"`` and ``"months_ago"`` to
        the Periods used.

    Raises
    ------
    DataValidationError
        ``months`` is not a whole number of at least 2.
    ReportError
        ``month`` has no status data (the message lists the months that do).

    Notes
    -----
    The indices are those of :func:`pmo_lib.evm.project_performance` (SPI = EV / PV,
    CPI = EV / AC) and :func:`pmo_lib.evm.project_earned_schedule` (SPI(t) = ES / AT) at
    each month's status date. A positive change is an improvement.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> trends = evm_trends(load_portfolio("tests/data/mini"), "2026-02")
    >>> trends.loc["P1", ["spi", "spi_last_month", "spi_change_last_month"]].round(2).tolist()
    [1.0, 0.9, 0.1]
    """
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 2:
        raise DataValidationError(Problem(
            "evm_trends", None, None, "months",
            f"must be a whole number of months of at least 2 (1 is last month), got "
            f"{months!r}"))
    now = resolve_month(portfolio, month)
    when = {"now": now, "last_month": now - 1, "months_ago": now - int(months)}
    at = {key: _indices_at(portfolio, m, thresholds) for key, m in when.items()}
    out = portfolio.projects.set_index("id")[["name"]].rename_axis("project_id")
    for ind in _TREND_INDICATORS:
        out[ind] = at["now"][ind]
        out[f"{ind}_last_month"] = at["last_month"][ind]
        out[f"{ind}_months_ago"] = at["months_ago"][ind]
        out[f"{ind}_change_last_month"] = out[ind] - out[f"{ind}_last_month"]
        out[f"{ind}_change_months_ago"] = out[ind] - out[f"{ind}_months_ago"]
    out.attrs["months"] = when
    return out


def _signed(x) -> str:
    return "–" if not np.isfinite(x) else f"{x:+.2f}"


def _change_style(x) -> str:
    if not np.isfinite(x) or abs(x) < 0.005:
        return ""
    return f"color: {RAG_COLOURS['green' if x > 0 else 'red']}; font-weight: bold"


def trend_table(trends: pd.DataFrame):
    """:func:`evm_trends` as a table: each index this month, last month, ``months`` ago.

    Returns
    -------
    pandas.io.formats.style.Styler
        Column groups SPI, CPI, SPI(t), each with the three months (headed by the month)
        and the two changes (green when better, red when worse).
    """
    when = trends.attrs.get("months", {})
    heads = [f"{when.get('now', 'now')}", f"{when.get('last_month', 'last month')}",
             f"{when.get('months_ago', 'earlier')}",
             f"change since {when.get('last_month', 'last month')}",
             f"change since {when.get('months_ago', 'earlier')}"]
    columns = pd.MultiIndex.from_tuples(
        [("", "Project")] + [(text, h) for text in _TREND_INDICATORS.values() for h in heads])
    values = [trends["name"]] + [trends[f"{ind}{w}"] for ind in _TREND_INDICATORS
                                 for w in _TREND_WHEN]
    shown = pd.concat(values, axis=1)
    shown.columns = columns
    shown.index.name = None
    changes = [c for c in columns if c[1].startswith("change")]
    levels = [c for c in columns[1:] if c not in changes]
    styler = shown.style.format("{:.2f}", subset=levels, na_rep="–")
    styler = styler.format(_signed, subset=changes)
    styler = styler.map(_change_style, subset=changes)
    styler = styler.set_caption("Indices at each month's status date; 1.00 is on plan. A "
                                "change above 0 is an improvement.")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


# ----------------------------------------------------------------------------------------
# EVM section: the full indicator table, RAG changes, forecasts with their range
# ----------------------------------------------------------------------------------------
#: Columns of :func:`indicator_table`, in order, with their headers.
INDICATOR_COLUMNS = {
    "id": "ID", "name": "Project", "bac": "BAC", "pv": "PV", "ev": "EV", "ac": "AC", "sv": "SV",
    "cv": "CV", "spi": "SPI", "cpi": "CPI", "spi_t": "SPI(t)", "eac": "EAC", "vac": "VAC",
    "tcpi": "TCPI", "percent_complete": "Done", "forecast_finish": "Forecast finish",
    "rag": "RAG", "rag_reason": "Why",
}
_GROUP_STYLE = "font-weight: bold; background-color: #eef2f7"
_TOTAL_STYLE = "font-weight: bold; background-color: #dde5ef; border-top: 2px solid #333"


def _table_order(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Each programme's projects followed by the programme's row, then the portfolio."""
    order = []
    projects = table.loc["project"]
    for programme in table.loc["programme"].index:
        order += [("project", pid) for pid in projects.index[projects["programme"] == programme]]
        order.append(("programme", programme))
    order += [("project", pid) for pid in projects.index
              if ("project", pid) not in order]       # projects without a programme
    return order + [("portfolio", label) for label in table.loc["portfolio"].index]


def indicator_table(table: pd.DataFrame, currency: str = "EUR", thousands: bool | None = None):
    """The full indicator table: projects, their programme's subtotal, the portfolio.

    Parameters
    ----------
    table : DataFrame
        :func:`pmo_lib.evm.performance_table`.
    currency : str
    thousands : bool, optional
        Show amounts in thousands (default: when the largest reaches a million).

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns :data:`INDICATOR_COLUMNS`; each programme's projects then the programme's
        row (shaded, bold: sums first, then indices, its own earned schedule), the portfolio
        last; the RAG cell coloured.
    """
    order = _table_order(table)
    shown = table.loc[order, [c for c in INDICATOR_COLUMNS if c not in ("id", "name")]].copy()
    level = [lv for lv, _ in order]
    shown.insert(0, "name", [
        table.at[key, "name"] if lv == "project" else
        (f"{key[1]} (programme)" if lv == "programme" else "Portfolio total")
        for key, lv in zip(order, level, strict=True)])
    shown.insert(0, "id", [key[1] if lv == "project" else "" for key, lv in zip(order, level,
                                                                                   strict=True)])
    shown.index = pd.RangeIndex(len(shown))
    money = [c for c in shown.columns if c in _MONEY_COLUMNS]
    if thousands is None:
        thousands = bool(shown[money].abs().max().max() >= 1e6)
    if thousands:
        shown[money] = shown[money] / 1000.0
    shown["forecast_finish"] = pd.to_datetime(shown["forecast_finish"]).dt.strftime("%b %Y")
    styler = plots.performance_table(shown, currency, columns=tuple(shown.columns))
    styler = styler.format(_text_or_dash, subset=["forecast_finish"])
    styler = styler.relabel_index(list(INDICATOR_COLUMNS.values()), axis="columns")
    styles = np.array([_GROUP_STYLE if lv == "programme" else
                       _TOTAL_STYLE if lv == "portfolio" else "" for lv in level])
    styler = styler.apply(lambda col: np.where(col.name == "rag", "", styles), axis=0)
    styler = styler.set_properties(subset=["id", "name", "rag_reason"],
                                   **{"text-align": "left"}).hide(axis="index")
    styler = styler.set_caption(
        f"Amounts in {'thousands of ' if thousands else ''}{currency}. Programme and "
        "portfolio rows add the amounts first, then work out the indices from the totals.")
    return styler.set_table_attributes('class="pmo-table"')


_RAG_ORDER = {"green": 0, "amber": 1, "red": 2}


def rag_changes(portfolio: Portfolio, month, thresholds: RagThresholds | None = None
                ) -> pd.DataFrame:
    """Each project's RAG status this month and at the previous status month, and why.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month; must have status data.
    thresholds : RagThresholds, optional
        The rating (SPI or SPI(t), CPI, VAC: see :class:`pmo_lib.evm.RagThresholds`).

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``name``, ``rag_before``, ``reason_before`` (at the
        previous status month; ``None`` for the first month), ``rag``, ``rag_reason`` and
        ``change``: ``"worse"`` or ``"better"`` (up or down the green < amber < red
        scale), ``"measurable"`` (grey before, rated now), ``"same"`` or ``"first"`` (no
        previous month). ``attrs["previous"]`` is the previous month (or None).

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> changes = rag_changes(load_portfolio("tests/data/mini"), "2026-02")
    >>> changes[["rag_before", "rag", "change"]].to_dict("index")
    {'P1': {'rag_before': 'amber', 'rag': 'red', 'change': 'worse'}, 'P2': {'rag_before': 'grey', 'rag': 'red', 'change': 'measurable'}}
    """
    now = resolve_month(portfolio, month)
    before = previous_month(portfolio, now)
    perf = project_performance(portfolio, now, thresholds)
    out = perf[["name"]].copy()
    if before is None:
        out["rag_before"] = out["reason_before"] = None
    else:
        prev = project_performance(portfolio, before, thresholds)
        out["rag_before"] = prev["rag"]
        out["reason_before"] = prev["rag_reason"]
    out["rag"], out["rag_reason"] = perf["rag"], perf["rag_reason"]

    def change(b, n):
        if b is None:
            return "first"
        if b == "grey" and n != "grey":
            return "measurable"
        if b == n or n == "grey":
            return "same"
        return "worse" if _RAG_ORDER[n] > _RAG_ORDER[b] else "better"

    out["change"] = [change(b, n) for b, n in zip(out["rag_before"], out["rag"], strict=True)]
    out.attrs["previous"] = before
    return out


def rag_commentary(changes: pd.DataFrame) -> Block:
    """A short generated commentary: which projects changed RAG since last month, and why.

    Parameters
    ----------
    changes : DataFrame
        :func:`rag_changes`.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> print(rag_commentary(rag_changes(load_portfolio("tests/data/mini"), "2026-02")))
    Since 2026-01, 2 projects changed status.
    - Worse: Build (P1) from amber to red: CPI 0.88 below 0.90.
    - Now measurable: Deploy (P2) red: SPI 0.50 below 0.90; CPI 0.80 below 0.90.
    """
    previous = changes.attrs.get("previous")
    if previous is None:
        text = "This is the first month with status data: there is no earlier status to compare."
        return Block(f"<p>{escape(text)}</p>", text)
    moved = changes[changes["change"] != "same"]
    if moved.empty:
        text = (f"No project changed status since {previous}: "
                + ", ".join(f"{n} {lv}" for lv, n in changes["rag"].value_counts()
                            .reindex(list(RAG_LEVELS)).dropna().astype(int).items()) + ".")
        return Block(f"<p>{escape(text)}</p>", text)
    lines = []                                     # (label, text)
    for kind, label in (("worse", "Worse"), ("better", "Better"),
                        ("measurable", "Now measurable")):
        for pid, row in moved[moved["change"] == kind].iterrows():
            what = row["rag"] if kind == "measurable" else \
                f"from {row['rag_before']} to {row['rag']}"
            if row["rag"] != "green":
                why = row["rag_reason"]
            else:
                why = f"was {row['reason_before']}" if row["reason_before"] else ""
            lines.append((label, f"{row['name']} ({pid}) {what}" + (f": {why}" if why else "")
                          + "."))
    head = f"Since {previous}, {_plural(len(moved), 'project')} changed status."
    items = "".join(f"<li><strong>{escape(label)}:</strong> {escape(text)}</li>"
                    for label, text in lines)
    return Block(f"<p>{escape(head)}</p><ul>{items}</ul>",
                 "\n".join([head, *(f"- {label}: {text}" for label, text in lines)]))


#: Columns of :func:`forecast_table`, with their headers.
FORECAST_COLUMNS = {
    "name": "Project", "bac": "BAC", "eac": "EAC", "eac_p10": "EAC P10", "eac_p50": "EAC P50",
    "eac_p90": "EAC P90", "baseline_finish": "Baseline finish",
    "forecast_finish": "Forecast finish", "finish_p10": "Finish P10",
    "finish_p50": "Finish P50", "finish_p90": "Finish P90",
}


def forecasts(portfolio: Portfolio, month, table: pd.DataFrame, *, iterations: int = 2000,
              seed: int = 0) -> pd.DataFrame:
    """Each project's point forecasts (EAC, earned-schedule finish) and their P10–P90 range.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
    table : DataFrame
        :func:`pmo_lib.evm.performance_table` for that month.
    iterations, seed : int, keyword-only
        Bootstrap draws and seed of :func:`pmo_lib.evm.project_forecast_range` (fixed, so a
        report run twice shows the same ranges).

    Returns
    -------
    DataFrame
        Index ``project_id``; columns :data:`FORECAST_COLUMNS` (money [cur], dates) and
        ``reason`` (why a range is missing).
    """
    projects = table.loc["project"]
    ranges = project_forecast_range(portfolio, month, iterations=iterations, seed=seed)
    finish = portfolio.tasks.groupby("project_id")["baseline_finish"].max()
    out = projects[["name", "bac", "eac", "forecast_finish"]].join(ranges)
    out["baseline_finish"] = finish
    out.index.name = "project_id"
    return out[[*FORECAST_COLUMNS, "reason"]]


def forecast_table(forecast: pd.DataFrame, currency: str = "EUR",
                   thousands: bool | None = None):
    """:func:`forecasts` as a table (amounts, then dates as month and year)."""
    shown = forecast[list(FORECAST_COLUMNS)].copy()
    shown.index.name = None
    money = ["bac", "eac", "eac_p10", "eac_p50", "eac_p90"]
    if thousands is None:
        thousands = bool(shown[money].abs().max().max() >= 1e6)
    if thousands:
        shown[money] = shown[money] / 1000.0
    dates = [c for c in shown.columns if "finish" in c]
    for c in dates:
        shown[c] = pd.to_datetime(shown[c]).dt.strftime("%b %Y")
    styler = shown.style.format("{:,.0f}", subset=money, na_rep="–")
    styler = styler.format(_text_or_dash, subset=dates)
    styler = styler.relabel_index(list(FORECAST_COLUMNS.values()), axis="columns")
    styler = styler.set_properties(subset=["name"], **{"text-align": "left"})
    styler = styler.set_caption(
        f"Amounts in {'thousands of ' if thousands else ''}{currency}. EAC = BAC ÷ CPI; "
        "forecast finish from earned schedule. P10–P90: the range holding 80 % of the "
        "bootstrapped forecasts (each month's cost and schedule efficiency drawn again "
        "from the project's own history).")
    return styler.set_table_attributes('class="pmo-table"')


def project_s_curves(portfolio: Portfolio, month, forecast: pd.DataFrame,
                     table: pd.DataFrame, *, columns: int = 3, currency: str | None = None):
    """One small S-curve per project: PV, EV, AC, the EAC forecast and its P10–P90 band.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
    forecast : DataFrame
        :func:`forecasts`.
    table : DataFrame
        :func:`pmo_lib.evm.performance_table` (for each project's RAG).
    columns : int, keyword-only
        Panels per row.
    currency : str, optional
        Default the portfolio's.

    Returns
    -------
    matplotlib Figure
        One Axes per project (in the order of ``forecast``), titled ``"ID · RAG"``; a
        project with measured cost gets :func:`pmo_lib.plots.s_curve_forecast`, one
        without :func:`pmo_lib.plots.s_curve`. One legend for the figure.
    """
    import matplotlib.pyplot as plt

    month = parse_month(month)
    currency = currency or portfolio.currency
    ids = list(forecast.index)
    rows = max(1, math.ceil(len(ids) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.9 * rows),
                             squeeze=False, layout="constrained")
    for ax, pid in zip(axes.flat, ids, strict=False):
        curve = s_curve(portfolio.select([pid]), through=month)
        row = forecast.loc[pid]
        rag = table.at[("project", pid), "rag"]
        title = f"{pid} · {rag}"
        finish = row["forecast_finish"]
        if curve["ac"].notna().any() and np.isfinite(row["eac"]):
            band = (row["eac_p10"], row["eac_p90"]) if np.isfinite(row["eac_p10"]) else (None,
                                                                                          None)
            plots.s_curve_forecast(curve, row["eac"], *band,
                                   forecast_finish=None if pd.isna(finish) else finish,
                                   ax=ax, title=title, currency=currency, status_month=month)
        else:
            plots.s_curve(curve, ax=ax, title=title, currency=currency, status_month=month)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.title.set_color(RAG_COLOURS.get(rag, "#333333"))
        ax.title.set_fontweight("bold")
        ax.set_xlabel("")
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for ax in list(axes.flat)[len(ids):]:
        ax.set_visible(False)
    shown = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            shown.setdefault(lab, h)
    fig.legend(shown.values(), shown.keys(), loc="outside lower center",
               ncol=min(len(shown), 6), frameon=False)
    return fig


# ----------------------------------------------------------------------------------------
# Governance section: gate compliance
# ----------------------------------------------------------------------------------------
#: Colours of a gate's state in :func:`gate_table`.
_GATE_COLOURS = {"met": RAG_COLOURS["green"], "open": RAG_COLOURS["grey"],
                 "overdue": RAG_COLOURS["red"]}


def gate_compliance(portfolio: Portfolio, month) -> pd.DataFrame:
    """Every project's gates at the month's status date: met, open or overdue, and why.

    Parameters
    ----------
    portfolio : Portfolio
        With the ``gates`` and ``deliverables`` tables (an empty result without them).
    month : str or Period
        The status month; must have status data.

    Returns
    -------
    DataFrame
        :func:`pmo_lib.methodology.portfolio_compliance` of the deliverables register as of
        the status date (:meth:`~pmo_lib.model.Portfolio.deliverables_at`), each project
        assessed against its methodology's template with the gate dates of the ``gates``
        table, approvers resolved through the stakeholder register: one row per project and
        gate, columns ``project_id``, ``gate``, ``name``, ``due_date``, ``required``, ``met``,
        ``missing``, ``overdue``, ``wrong_approver``, ``compliance`` [frac], ``state``
        (``met``, ``open`` or ``overdue``), ``open_items`` and ``methodology``.

    Examples
    --------
    >>> from pmo_lib import load_portfolio, SAMPLE_DATA
    >>> gates = gate_compliance(load_portfolio(SAMPLE_DATA), "2026-10")
    >>> gates.query("project_id == 'ERP'")[["gate", "state"]].values.tolist()
    [['G1', 'met'], ['G2', 'met'], ['G3', 'met'], ['G4', 'overdue'], ['G5', 'open'], \
['G6', 'open']]
    """
    from . import methodology

    now = resolve_month(portfolio, month)
    date = portfolio.status_date(now)
    templates = portfolio.templates
    plans = [(pid, templates[pid], portfolio.gate_dates(pid))
             for pid in portfolio.projects["id"] if (portfolio.gates["project_id"] == pid).any()]
    if not plans:
        return pd.DataFrame(columns=["project_id", "gate", "name", "due_date", "state"])
    approvers = portfolio.stakeholders if len(portfolio.stakeholders) else None
    return methodology.portfolio_compliance(portfolio.deliverables_at(now), plans, date,
                                            approvers=approvers)


def compliance_summary(gates: pd.DataFrame, portfolio: Portfolio) -> pd.DataFrame:
    """One row per project: how many gates are due, met, overdue, and the next one.

    Parameters
    ----------
    gates : DataFrame
        :func:`gate_compliance`.
    portfolio : Portfolio

    Returns
    -------
    DataFrame
        Index ``project_id`` (the projects with gates); columns ``name``, ``methodology``,
        ``gates``, ``met``, ``overdue`` (counts), ``next_gate`` and ``next_due`` (the
        earliest gate not met yet), ``state`` (``overdue`` when any gate is, else ``on
        track``) and ``open_items`` (of the overdue gates).
    """
    if gates.empty:
        return pd.DataFrame(columns=["name", "methodology", "gates", "met", "overdue",
                                     "next_gate", "next_due", "state", "open_items"])
    names = portfolio.projects.set_index("id")["name"]
    rows = {}
    for pid, mine in gates.groupby("project_id", sort=False):
        pending = mine[mine["state"] != "met"].sort_values("due_date", kind="stable")
        late = mine[mine["state"] == "overdue"]
        rows[pid] = {
            "name": names.get(pid, pid), "methodology": mine["methodology"].iloc[0],
            "gates": len(mine), "met": int((mine["state"] == "met").sum()),
            "overdue": len(late),
            "next_gate": pending["name"].iloc[0] if len(pending) else "",
            "next_due": pending["due_date"].iloc[0] if len(pending) else pd.NaT,
            "state": "overdue" if len(late) else "on track",
            "open_items": "; ".join(f"{g}: {items}" for g, items in
                                    zip(late["gate"], late["open_items"], strict=True)),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "project_id"
    return out


def gate_table(summary: pd.DataFrame):
    """:func:`compliance_summary` as a table, the overdue projects' state in red (a one-line
    note when no project has gates)."""
    if summary.empty:
        text = "No project in this dataset has gates recorded."
        return Block(f"<p>{escape(text)}</p>", text)
    shown = summary.copy()
    shown.index.name = None
    shown["next_due"] = pd.to_datetime(shown["next_due"]).dt.strftime("%d %b %Y")
    colours = {"overdue": _GATE_COLOURS["overdue"], "on track": _GATE_COLOURS["met"]}
    styler = shown.style.format(_text_or_dash, subset=["next_due"])
    styler = styler.map(lambda v: f"background-color: {colours.get(v, '#ffffff')}; color: "
                        "white; font-weight: bold; text-align: center", subset=["state"])
    styler = styler.relabel_index(["Project", "Life cycle", "Gates", "Passed", "Overdue",
                                   "Next gate", "Due", "State", "What is missing"],
                                  axis="columns")
    styler = styler.set_properties(subset=["name", "open_items", "next_gate"],
                                   **{"text-align": "left"})
    return styler.set_table_attributes('class="pmo-table"')


def compliance_messages(gates: pd.DataFrame, portfolio: Portfolio) -> Block:
    """Plain-language summary of gate compliance: the overdue gates and what they miss."""
    if gates.empty:
        text = "No project has gates recorded in this dataset."
        return Block(f"<p>{escape(text)}</p>", text)
    names = portfolio.projects.set_index("id")["name"]
    late = gates[gates["state"] == "overdue"]
    passed = int((gates["state"] == "met").sum())
    waiting = int((gates["state"] == "open").sum())
    head = (f"{_plural(passed, 'gate')} passed, {len(late)} overdue, {waiting} not due yet"
            f" across {gates['project_id'].nunique()} projects.")
    lines = [f"{names.get(r.project_id, r.project_id)} ({r.project_id}), gate {r.gate} "
             f"({r.name}), due {_long_date(pd.Timestamp(r.due_date))}: {r.open_items}."
             for r in late.itertuples()]
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return Block(f"<p><strong>{escape(head)}</strong></p>" + (f"<ul>{items}</ul>" if items
                                                               else ""),
                 "\n".join([head, *(f"- {line}" for line in lines)]))


# ----------------------------------------------------------------------------------------
# Agile delivery section
# ----------------------------------------------------------------------------------------
#: Columns of :func:`agile_status`, with their headers.
AGILE_COLUMNS = {
    "name": "Project", "methodology": "Method", "velocity_recent": "Velocity (last 3)",
    "commitment_reliability": "Commitment kept", "done_items": "Items done",
    "open_items": "Items open", "throughput": "Throughput / week",
    "cycle_time_p85": "Cycle time P85 [d]", "finish_p50": "Done by (P50)",
    "finish_p85": "Done by (P85)", "agile_spi": "AgileEVM SPI", "agile_cpi": "AgileEVM CPI",
    "release_finish": "Release end",
}


def agile_status(portfolio: Portfolio, month, *, weeks: int = 12, iterations: int = 2000,
                 seed: int = 0) -> pd.DataFrame:
    """Delivery of every project with a backlog: velocity, flow and "when will it be done?".

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month; the backlog and sprints as known then
        (:meth:`~pmo_lib.model.Portfolio.backlog_at`, ``sprints_at``).
    weeks : int, keyword-only
        Weeks of throughput history the forecast draws from (the latest complete ones).
    iterations, seed : int, keyword-only
        Monte Carlo runs and seed of :func:`pmo_lib.agile.forecast_when`.

    Returns
    -------
    DataFrame
        Index ``project_id``; columns :data:`AGILE_COLUMNS`: velocity of the last 3
        sprints [pt] and the share of committed points completed [frac] (Scrum projects;
        NaN for flow teams), items done and open [items], mean weekly throughput over the
        history [items/week], the 85th percentile of cycle time [calendar days, both ends
        counted], and the weeks by the end of which the open items are done with 50 % and
        85 % confidence, as dates (NaT when nothing is open, or no item was done in the
        history); for a Scrum release with a release plan, AgileEVM's SPI and CPI at the
        latest finished sprint (:func:`pmo_lib.agile.agile_evm`, Sulaiman et al. 2006) and the
        release end (the last sprint's finish once every planned point is done, else
        AgileEVM's forecast).
    """
    from . import agile

    now = resolve_month(portfolio, month)
    date = portfolio.status_date(now)
    items = portfolio.backlog_at(now)
    if items.empty:
        return pd.DataFrame(columns=list(AGILE_COLUMNS))
    sprints = portfolio.sprints_at(now)
    velocity = agile.velocity(sprints) if len(sprints) else pd.DataFrame()
    releases = portfolio.releases[portfolio.releases["project_id"].isin(sprints["project_id"])]
    release = (agile.agile_evm(sprints, releases).groupby(level="project_id").tail(1)
               .droplevel("sprint") if len(releases) else pd.DataFrame())
    flow = agile.throughput(items, "W", end=date)
    cycle = agile.cycle_time(items)
    names = portfolio.projects.set_index("id")
    rows = {}
    this_week = date.to_period("W")
    for pid, mine in items.groupby("project_id", sort=True):
        history = flow.loc[pid] if pid in flow.index.get_level_values(0) else pd.Series()
        history = history[history.index < this_week].iloc[-weeks:]   # complete weeks
        open_ = int((mine["state"] != "done").sum())
        finish = {50: pd.NaT, 85: pd.NaT}
        if open_ and len(history) and history.sum() > 0:
            f = agile.forecast_when(history, open_, iterations=iterations,
                                    percentiles=(50, 85), seed=seed)
            finish = {c: (this_week + f[f"within_{c}"]).end_time.normalize() for c in finish}
        v = velocity.loc[pid] if pid in velocity.index else None
        rows[pid] = {
            "name": names.at[pid, "name"], "methodology": names.at[pid, "methodology"],
            "velocity_recent": np.nan if v is None else v["velocity_recent"],
            "commitment_reliability": np.nan if v is None else v["commitment_reliability"],
            "done_items": int((mine["state"] == "done").sum()), "open_items": open_,
            "throughput": float(history.mean()) if len(history) else np.nan,
            "cycle_time_p85": float(np.nanpercentile(cycle.loc[mine.index], 85))
            if cycle.loc[mine.index].notna().any() else np.nan,
            "finish_p50": finish[50], "finish_p85": finish[85],
            **_release_figures(release.loc[pid] if pid in release.index else None),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "project_id"
    return out


def _release_figures(last) -> dict:
    """AgileEVM SPI and CPI of a release at its latest sprint, and its end: the last
    sprint's finish once every planned point is done, else the AgileEVM forecast."""
    if last is None:
        return {"agile_spi": np.nan, "agile_cpi": np.nan, "release_finish": pd.NaT}
    end = last["date"] if last["actual_complete"] >= 1 else last["forecast_finish"]
    return {"agile_spi": last["spi"], "agile_cpi": last["cpi"], "release_finish": end}


def agile_table(status: pd.DataFrame):
    """:func:`agile_status` as a table (a one-line note when no project has a backlog)."""
    if status.empty:
        text = "No project in this dataset has a backlog."
        return Block(f"<p>{escape(text)}</p>", text)
    shown = status[list(AGILE_COLUMNS)].copy()
    shown.index.name = None
    dates = ["finish_p50", "finish_p85", "release_finish"]
    for c in dates:
        shown[c] = pd.to_datetime(shown[c]).dt.strftime("%d %b %Y")
    styler = shown.style.format({"velocity_recent": "{:.1f}", "commitment_reliability": "{:.0%}",
                                 "throughput": "{:.1f}", "cycle_time_p85": "{:.0f}",
                                 "agile_spi": "{:.2f}", "agile_cpi": "{:.2f}"}, na_rep="–")
    styler = styler.format(_text_or_dash, subset=dates)
    styler = styler.relabel_index(list(AGILE_COLUMNS.values()), axis="columns")
    styler = styler.set_properties(subset=["name"], **{"text-align": "left"})
    styler = styler.set_caption("Velocity in story points per sprint (Scrum projects); "
                                "throughput in items done per week over the last 12 complete "
                                "weeks; done-by dates from a Monte Carlo forecast on that "
                                "throughput (50 % and 85 % confidence). AgileEVM: earned value "
                                "of the release plan in story points (Sulaiman et al. 2006).")
    return styler.set_table_attributes('class="pmo-table"')


def agile_burnups(portfolio: Portfolio, month, *, columns: int = 3):
    """One release burnup per project with a backlog: scope and completed story points.

    Returns
    -------
    matplotlib Figure or None
        One Axes per project (:func:`pmo_lib.plots.burnup` of
        :func:`pmo_lib.agile.burnup` on the backlog as known at the status date, per
        sprint for Scrum projects, per week otherwise); None without a backlog.
    """
    import matplotlib.pyplot as plt

    from . import agile

    now = resolve_month(portfolio, month)
    items = portfolio.backlog_at(now)
    if items.empty:
        return None
    sprints = portfolio.sprints_at(now)
    ids = sorted(items["project_id"].unique())
    rows = max(1, math.ceil(len(ids) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.8 * rows),
                             squeeze=False, layout="constrained")
    for ax, pid in zip(axes.flat, ids, strict=False):
        mine = items[items["project_id"] == pid]
        theirs = sprints[sprints["project_id"] == pid]
        table = (agile.burnup(mine, sprints=theirs) if len(theirs)
                 else agile.burnup(mine, freq="W", end=portfolio.status_date(now)))
        plots.burnup(table, ax=ax, title=pid)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        if not len(theirs):
            locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in list(axes.flat)[len(ids):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    return fig


# ----------------------------------------------------------------------------------------
# Risk section: the register at the status date
# ----------------------------------------------------------------------------------------
#: Columns of :func:`risk_table`, with their headers.
RISK_COLUMNS = {
    "project_id": "Project", "title": "Risk", "probability": "Probability",
    "cost_impact": "Cost impact", "schedule_impact": "Delay [d]", "emv": "EMV",
    "expected_delay": "Expected delay [d]", "rating": "Rating", "owner": "Owner",
}


def risk_register(portfolio: Portfolio, month) -> pd.DataFrame:
    """The month's risk register, scored (:func:`pmo_lib.risk.score`), empty without risks."""
    from . import risk

    now = resolve_month(portfolio, month)
    register = portfolio.risk_register(now)
    if register.empty:
        return register
    return risk.score(register, portfolio=portfolio)


def risk_messages(register: pd.DataFrame, portfolio: Portfolio, month) -> Block:
    """Open risks, their exposure, the change since last month and the register's gaps."""
    from . import risk

    if register.empty:
        text = "No risk is recorded for this month."
        return Block(f"<p>{escape(text)}</p>", text)
    c = portfolio.currency
    live = register[register["state"] == "open"]
    ratings = live["rating"].value_counts()
    head = (f"{_plural(len(live), 'open risk')}: expected cost {_money(live['emv'].sum(), c)}"
            f" and expected delay {live['expected_delay'].sum():,.1f} working days "
            "(probability × impact, added up); "
            + ", ".join(f"{int(ratings.get(r, 0))} {r}" for r in reversed(risk.RATINGS)) + ".")
    lines = []
    now = resolve_month(portfolio, month)
    before = previous_month(portfolio, now)
    if before is not None:
        trend = risk.exposure_trend(portfolio, None).set_index("month")
        if before in trend.index and now in trend.index:
            change = trend.at[now, "emv"] - trend.at[before, "emv"]
            lines.append(f"Since {before} the expected cost of the open risks "
                         f"{'rose' if change > 0 else 'fell'} by {_money(abs(change), c)}.")
    gaps = risk.flags(register, portfolio=portfolio)
    for flag, rows in gaps.groupby("flag", sort=False):
        lines.append(f"{_plural(len(rows), 'open risk')} {_FLAG_WORDS.get(flag, flag)}: "
                     + ", ".join(rows["id"]) + ".")
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return Block(f"<p><strong>{escape(head)}</strong></p>"
                 + (f"<ul>{items}</ul>" if items else ""),
                 "\n".join([head, *(f"- {line}" for line in lines)]))


_FLAG_WORDS = {"no_owner": "without an owner", "no_strategy": "without a response strategy",
               "no_response": "without response actions", "review_overdue": "overdue for review"}


def risk_table(register: pd.DataFrame, currency: str = "EUR", n: int = 10):
    """The top ``n`` open risks by expected monetary value (:func:`pmo_lib.risk.top_risks`),
    the rating cell coloured by its zone; a one-line note when no risk is open."""
    from . import risk

    live = register[register["state"] == "open"] if len(register) else register
    if live.empty:
        text = "No open risk this month."
        return Block(f"<p>{escape(text)}</p>", text)
    top = risk.top_risks(live, n, by="emv")
    shown = top.set_index("rank")[list(RISK_COLUMNS)]
    shown.index.name = None
    colours = {r: risk.ZONE_COLOURS[risk.RATING_ZONES[r]] for r in risk.RATINGS}
    styler = shown.style.format({"probability": "{:.0%}", "cost_impact": "{:,.0f}",
                                 "schedule_impact": "{:.0f}", "emv": "{:,.0f}",
                                 "expected_delay": "{:.1f}"}, na_rep="–")
    styler = styler.map(lambda r: f"background-color: {colours.get(r, '#ffffff')}; color: "
                        "white; font-weight: bold; text-align: center", subset=["rating"])
    styler = styler.relabel_index(list(RISK_COLUMNS.values()), axis="columns")
    styler = styler.set_properties(subset=["title", "owner"], **{"text-align": "left"})
    styler = styler.set_caption(f"Amounts in {currency}. EMV (expected monetary value) = "
                                "probability × cost impact; expected delay = probability × "
                                "delay.")
    return styler.set_table_attributes('class="pmo-table"')


def risk_heat_maps(register: pd.DataFrame, portfolio: Portfolio):
    """One 5×5 probability–impact heat map per programme (open risks counted per cell).

    Returns
    -------
    matplotlib Figure or None
        One Axes per programme with open risks (:func:`pmo_lib.plots.risk_heat_map` of
        :func:`pmo_lib.risk.heat_map`), titled with the programme; None when no risk is open.
    """
    import matplotlib.pyplot as plt

    from . import risk

    live = register[register["state"] == "open"] if len(register) else register
    if live.empty:
        return None
    programme = live["project_id"].map(portfolio.projects.set_index("id")["programme"])
    groups = sorted(programme.dropna().unique())
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4.0), squeeze=False,
                             layout="constrained")
    for ax, name in zip(axes.flat, groups, strict=True):
        mine = live[programme == name]
        plots.risk_heat_map(risk.heat_map(mine, portfolio=portfolio), ax=ax,
                            title=f"{name} ({len(mine)} open)")
    return fig


def exposure_chart(portfolio: Portfolio, month, *, by: str = "programme"):
    """The expected cost of the open risks month by month up to ``month``, stacked by
    ``by`` (:func:`pmo_lib.plots.exposure_trend` of :func:`pmo_lib.risk.exposure_trend`);
    None without risks recorded by ``month`` (e.g. one project whose risks start later)."""
    from . import risk

    if portfolio.risks.empty:
        return None
    now = resolve_month(portfolio, month)
    trend = risk.exposure_trend(portfolio, by)
    trend = trend[trend["month"] <= now]
    if trend.empty:
        return None
    return plots.exposure_trend(trend, by=by, currency=portfolio.currency,
                                title="Expected cost of the open risks, by programme")


#: Columns of :func:`schedule_risk`, with their headers.
SCHEDULE_RISK_COLUMNS = {
    "name": "Project", "baseline_finish": "Baseline finish", "finish_p50": "Finish P50",
    "finish_p80": "Finish P80", "on_time": "P(on time)", "bac": "Budget (BAC)",
    "cost_p50": "Cost P50", "cost_p80": "Cost P80", "within_budget": "P(within budget)",
    "jcl": "JCL", "risks": "Risks",
}


def schedule_risk(portfolio: Portfolio, month, *, iterations: int = 2000,
                  seed: int = 0) -> pd.DataFrame:
    """Monte Carlo schedule and cost risk of each project's baseline plan, with the
    month's open risks.

    The whole portfolio network (cross-project links included) is simulated once with
    :func:`pmo_lib.simulation.simulate`, each project released at its baseline start:
    three-point durations from the ``estimates`` table (a task without one keeps its
    duration), each task's budget spread over its duration as a daily rate (a milestone's
    as a fixed cost), so the most likely plan costs BAC, and the month's open risks as risk
    events on the tasks they name.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month (its risk register).
    iterations, seed : int, keyword-only
        Monte Carlo iterations and seed (fixed: the report is reproducible).

    Returns
    -------
    DataFrame
        Index ``project_id`` (by BAC, largest first); columns :data:`SCHEDULE_RISK_COLUMNS`:
        baseline finish and the P50 / P80 finish dates, the probability of finishing by
        the baseline finish [frac], BAC and the P50 / P80 cost [cur], the probability of
        staying within BAC, the joint confidence level of both (JCL) [frac], and the number
        of risk events simulated.

    Notes
    -----
    This is the risk of the *plan*: progress to the status date is not taken into account
    (the simulation starts every project at its baseline start). It answers "how likely was
    this baseline, given the estimates' uncertainty and today's risks?"; the earned value
    and earned schedule forecasts say where the project is heading.
    """
    from . import simulation

    now = resolve_month(portfolio, month)
    register = portfolio.risk_register(now)
    live = register[register["state"] == "open"] if len(register) else register
    tasks = simulation.budget_rates(portfolio.tasks_with_estimates())
    start = portfolio.calendar.roll_forward(tasks["baseline_start"].min())
    # Each project released at its own start, as its baseline was scheduled.
    first = tasks.groupby("project_id")["baseline_start"].transform("min")
    release = np.asarray(portfolio.calendar.working_days(start, first), dtype=float) - 1
    events = live.copy() if len(live) else None
    if events is not None:
        ids = set(tasks["id"])
        events["affected_tasks"] = [";".join(t for t in str(v).split(";") if t in ids)
                                    if isinstance(v, str) else v
                                    for v in events["affected_tasks"]]
    result = simulation.simulate(tasks, portfolio.links, iterations=iterations, seed=seed,
                                 risks=events, calendar=portfolio.calendar, start=start,
                                 release=release, keep_durations=False)
    pct = result.project_percentiles((50, 80))
    bac = tasks.groupby("project_id")["budget"].sum()
    finish = tasks.groupby("project_id")["baseline_finish"].max()
    names = portfolio.projects.set_index("id")["name"]
    counts = live["project_id"].value_counts() if len(live) else pd.Series(dtype=int)
    rows = {}
    for pid in bac.sort_values(ascending=False).index:
        rows[pid] = {
            "name": names[pid], "baseline_finish": finish[pid],
            "finish_p50": pct.at[pid, "finish_date_p50"],
            "finish_p80": pct.at[pid, "finish_date_p80"],
            "on_time": result.project_probability(pid, when=finish[pid]),
            "bac": float(bac[pid]), "cost_p50": pct.at[pid, "cost_p50"],
            "cost_p80": pct.at[pid, "cost_p80"],
            "within_budget": result.project_probability(pid, budget=bac[pid]),
            "jcl": result.project_probability(pid, when=finish[pid], budget=bac[pid]),
            "risks": int(counts.get(pid, 0)),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "project_id"
    return out


def schedule_risk_table(risk: pd.DataFrame, currency: str = "EUR"):
    """:func:`schedule_risk` as a table (dates as day month year, amounts in thousands)."""
    shown = risk[list(SCHEDULE_RISK_COLUMNS)].copy()
    shown.index.name = None
    money = ["bac", "cost_p50", "cost_p80"]
    shown[money] = shown[money] / 1000.0
    dates = ["baseline_finish", "finish_p50", "finish_p80"]
    for c in dates:
        shown[c] = pd.to_datetime(shown[c]).dt.strftime("%d %b %Y")
    styler = shown.style.format({c: "{:,.0f}" for c in money}
                                | {c: "{:.0%}" for c in ("on_time", "within_budget", "jcl")},
                                na_rep="–")
    styler = styler.format(_text_or_dash, subset=dates)
    styler = styler.relabel_index(list(SCHEDULE_RISK_COLUMNS.values()), axis="columns")
    styler = styler.set_properties(subset=["name"], **{"text-align": "left"})
    styler = styler.set_caption(
        f"Amounts in thousands of {currency}. Monte Carlo simulation of each baseline plan "
        "with its three-point estimates and this month's open risks; P80: 80 % of the "
        "simulated outcomes finish (or cost) no later (no more). JCL: the share finishing "
        "both on time and within budget.")
    return styler.set_table_attributes('class="pmo-table"')


# ----------------------------------------------------------------------------------------
# Schedule section: forecast finish, slip, milestones, critical path, DCMA
# ----------------------------------------------------------------------------------------
def previous_month(portfolio: Portfolio, month) -> pd.Period | None:
    """The status month before ``month`` (the previous snapshot), or None for the first.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> previous_month(pf, "2026-02"), previous_month(pf, "2026-01")
    (Period('2026-01', 'M'), None)
    """
    month = parse_month(month)
    earlier = [m for m in portfolio.months if m < month]
    return earlier[-1] if earlier else None


def previous_schedule(portfolio: Portfolio, month) -> pd.DataFrame | None:
    """The portfolio scheduled at the previous status month (None for the first month).

    :func:`pmo_lib.schedule.schedule_portfolio` at :func:`previous_month`; the report compares
    this month's forecast with it.
    """
    before = previous_month(portfolio, month)
    return None if before is None else schedule_portfolio(portfolio, before)


def _workdays(portfolio: Portfolio, dates) -> np.ndarray:
    """Working-day offsets of dates (NaN for NaT), from the portfolio's earliest start."""
    values = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)))
    out = np.full(len(values), np.nan)
    ok = values.notna()
    if ok.any():
        start = portfolio.projects["start_date"].min()
        out[ok] = portfolio.calendar.date_to_offset(values[ok], start)
    return out


def _critical_sets(schedule: pd.DataFrame) -> pd.Series:
    return schedule["longest_path"].astype(bool)


def critical_path_changes(schedule: pd.DataFrame,
                          previous: pd.DataFrame | None) -> pd.DataFrame:
    """Tasks that joined or left the critical (longest) path since the previous month.

    Parameters
    ----------
    schedule, previous : DataFrame
        :func:`pmo_lib.schedule.schedule_portfolio` this month and at the previous month
        (None: no comparison, an empty table).

    Returns
    -------
    DataFrame
        Indexed by task id: ``project_id``, ``name``, ``milestone``, ``change``
        (``"joined"``: on the longest path now and not before; ``"left"``: on it before, not
        now, and still unfinished, so it gained float), ``total_float`` [d] now; sorted by
        project, change and id. A task that left the path because it was completed is not
        listed: finishing work is progress, not a change of the path.
    """
    cols = ["project_id", "name", "milestone", "change", "total_float"]
    if previous is None:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="id"))
    now = _critical_sets(schedule)
    before = _critical_sets(previous).reindex(now.index, fill_value=False)
    open_ = schedule["status"] != "complete"
    joined = now & ~before
    left = before & ~now & open_
    out = schedule.loc[joined | left, ["project_id", "name", "milestone", "total_float"]]
    out = out.assign(change=np.where(joined[out.index], "joined", "left"))[cols]
    out.index.name = "id"
    return out.reset_index().sort_values(["project_id", "change", "id"]).set_index("id")


def milestone_moves(portfolio: Portfolio, schedule: pd.DataFrame,
                    previous: pd.DataFrame | None) -> pd.DataFrame:
    """Milestones whose forecast date moved since the previous month, biggest moves first.

    Parameters
    ----------
    portfolio : Portfolio
        For the project names and the working-day calendar.
    schedule, previous : DataFrame
        :func:`pmo_lib.schedule.schedule_portfolio` this month and at the previous month
        (None: no comparison, an empty table).

    Returns
    -------
    DataFrame
        Indexed by task id: ``project_id``, ``project`` (name), ``milestone`` (name),
        ``baseline`` (baseline date), ``previous_forecast`` (last month's forecast date),
        ``forecast`` (this month's forecast, or actual, date), ``moved`` (working days
        from the previous forecast to this one; positive = later) [d] and ``slip`` (working
        days from the baseline to this forecast; positive = late) [d]. Only milestones
        that moved; sorted by the size of the move (largest first), then forecast date.
        Without ``previous`` it is empty with ``attrs["compared"]`` False.
    """
    cols = ["project_id", "project", "milestone", "baseline", "previous_forecast",
            "forecast", "moved", "slip"]
    if previous is None:
        empty = pd.DataFrame(columns=cols, index=pd.Index([], name="id"))
        empty.attrs["compared"] = False
        return empty
    names = portfolio.projects.set_index("id")["name"]
    ms = schedule[schedule["milestone"].astype(bool)]
    before = previous["finish_date"].reindex(ms.index)
    table = pd.DataFrame({
        "project_id": ms["project_id"], "project": ms["project_id"].map(names),
        "milestone": ms["name"], "baseline": ms["baseline_finish"],
        "previous_forecast": before, "forecast": ms["finish_date"],
        "moved": _workdays(portfolio, ms["finish_date"]) - _workdays(portfolio, before),
        "slip": _workdays(portfolio, ms["finish_date"])
        - _workdays(portfolio, ms["baseline_finish"]),
    }, index=ms.index)
    table = table[table["moved"].abs() > 0]
    order = table.assign(size=table["moved"].abs()).sort_values(
        ["size", "forecast"], ascending=[False, True], kind="stable")
    order.index.name = "id"
    return order[cols]


#: Columns of :func:`schedule_status`, in order.
SCHEDULE_COLUMNS = ("name", "baseline_finish", "forecast_finish", "slip", "previous_finish",
                    "slip_change", "milestones_moved", "critical_joined", "critical_left")


def schedule_status(portfolio: Portfolio, schedule: pd.DataFrame,
                    previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per project: forecast finish against baseline, and what changed since last month.

    Parameters
    ----------
    portfolio : Portfolio
    schedule : DataFrame
        :func:`pmo_lib.schedule.schedule_portfolio` at the report month.
    previous : DataFrame, optional
        The same at the previous status month (:func:`previous_schedule`); without it the
        "since last month" columns are NaN.

    Returns
    -------
    DataFrame
        Indexed by ``project_id`` (projects in portfolio order), columns
        :data:`SCHEDULE_COLUMNS`: ``name``; ``baseline_finish`` (latest baseline finish of
        its tasks) and ``forecast_finish`` (latest forecast finish, ``finish_date``);
        ``slip`` (working days from the baseline finish to the forecast finish; positive =
        late) [d]; ``previous_finish`` (last month's forecast finish) and ``slip_change``
        (this month's slip − last month's: positive = the finish moved later) [d];
        ``milestones_moved`` (milestones whose forecast moved, :func:`milestone_moves`);
        ``critical_joined`` and ``critical_left`` (tasks that joined / left the longest
        path, :func:`critical_path_changes`). ``attrs["portfolio"]`` holds the same figures
        for the portfolio as a whole (its latest baseline and forecast finishes).

    Examples
    --------
    >>> from pmo_lib import load_portfolio, schedule
    >>> pf = load_portfolio("tests/data/mini")
    >>> now, before = schedule.schedule_portfolio(pf, "2026-02"), previous_schedule(pf, "2026-02")
    >>> schedule_status(pf, now, before)[["slip", "slip_change", "milestones_moved"]]
                slip  slip_change  milestones_moved
    project_id
    P1           2.0          1.0                 1
    P2          22.0         21.0                 0
    """
    projects = portfolio.projects.set_index("id")
    ids = pd.Index(projects.index.astype(str), name="project_id")
    now = project_summary(schedule, portfolio.calendar).reindex(ids)
    out = pd.DataFrame({"name": projects["name"].reindex(ids),
                        "baseline_finish": now["baseline_finish"],
                        "forecast_finish": now["finish"],
                        "slip": now["finish_variance"]}, index=ids)
    whole = {"baseline_finish": now["baseline_finish"].max(),
             "forecast_finish": now["finish"].max()}
    whole["slip"] = float(_workdays(portfolio, [whole["forecast_finish"]])[0]
                          - _workdays(portfolio, [whole["baseline_finish"]])[0])
    whole["previous_finish"], whole["slip_change"] = pd.NaT, np.nan
    out.attrs["portfolio"] = whole
    if previous is None:
        out["previous_finish"] = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
        out["slip_change"] = np.nan
        for col in ("milestones_moved", "critical_joined", "critical_left"):
            out[col] = pd.Series(pd.NA, index=ids, dtype="Int64")
        return out[list(SCHEDULE_COLUMNS)]
    before = project_summary(previous, portfolio.calendar).reindex(ids)
    out["previous_finish"] = before["finish"]
    out["slip_change"] = out["slip"] - before["finish_variance"]
    whole["previous_finish"] = before["finish"].max()
    whole["slip_change"] = whole["slip"] - float(
        _workdays(portfolio, [whole["previous_finish"]])[0]
        - _workdays(portfolio, [before["baseline_finish"].max()])[0])
    moves = milestone_moves(portfolio, schedule, previous)
    changes = critical_path_changes(schedule, previous)
    out["milestones_moved"] = moves.groupby("project_id").size().reindex(ids, fill_value=0)
    for col, what in (("critical_joined", "joined"), ("critical_left", "left")):
        sel = changes[changes["change"] == what]
        out[col] = sel.groupby("project_id").size().reindex(ids, fill_value=0)
    for col in ("milestones_moved", "critical_joined", "critical_left"):
        out[col] = out[col].astype("Int64")
    return out[list(SCHEDULE_COLUMNS)]


def _days(x, signed: bool = True) -> str:
    if x is None or pd.isna(x):
        return "–"
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:+,.0f}" if signed else f"{x:,.0f}"


def _date(ts) -> str:
    return "–" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%d %b %Y}"


def _late_style(value) -> str:
    if value is None or pd.isna(value) or float(value) == 0:
        return ""
    return "color: #c62828; font-weight: 600" if float(value) > 0 else "color: #2e7d32"


def _align_left(styler, columns: list[str], wrap: bool = False):
    """Left-align (and optionally wrap) text columns: cells and their headers."""
    styler = styler.set_properties(subset=columns, **{"text-align": "left"} | (
        {"white-space": "normal"} if wrap else {}))
    positions = [styler.data.columns.get_loc(c) for c in columns]
    return styler.set_table_styles(
        [{"selector": f"th.col_heading.col{k}", "props": "text-align: left"}
         for k in positions], overwrite=False)


def schedule_table(status: pd.DataFrame):
    """The per-project schedule table: finish dates, slip and changes since last month.

    Parameters
    ----------
    status : DataFrame
        :func:`schedule_status`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per project, the portfolio last (its latest finishes; changes added up);
        slips in red when late, green when early. Slips are in working days.
    """
    whole = status.attrs.get("portfolio", {})
    total = pd.DataFrame({
        "name": "Portfolio",
        "baseline_finish": whole.get("baseline_finish", status["baseline_finish"].max()),
        "forecast_finish": whole.get("forecast_finish", status["forecast_finish"].max()),
        "slip": whole.get("slip", np.nan),
        "previous_finish": whole.get("previous_finish", status["previous_finish"].max()),
        "slip_change": whole.get("slip_change", np.nan),
        "milestones_moved": status["milestones_moved"].sum(min_count=1),
        "critical_joined": status["critical_joined"].sum(min_count=1),
        "critical_left": status["critical_left"].sum(min_count=1)}, index=["Total"])
    table = pd.concat([status, total])
    shown = pd.DataFrame({
        "Project": table["name"],
        "Baseline finish": table["baseline_finish"].map(_date),
        "Forecast finish": table["forecast_finish"].map(_date),
        "Slip": table["slip"].map(_days),
        "Last month's forecast": table["previous_finish"].map(_date),
        "Change": table["slip_change"].map(_days),
        "Milestones moved": table["milestones_moved"].map(lambda v: _days(v, False)),
        "Joined critical path": table["critical_joined"].map(lambda v: _days(v, False)),
        "Left critical path": table["critical_left"].map(lambda v: _days(v, False)),
    }, index=table.index)
    shown.index.name = None
    styler = shown.style
    colours = pd.DataFrame("", index=shown.index, columns=shown.columns)
    colours["Slip"] = table["slip"].map(_late_style)
    colours["Change"] = table["slip_change"].map(_late_style)
    styler = styler.apply(lambda _: colours, axis=None)
    styler = styler.set_properties(subset=pd.IndexSlice[["Total"], :],
                                   **{"font-weight": "bold", "border-top": "2px solid #333"})
    styler = _align_left(styler, ["Project"], wrap=True)
    styler = styler.set_caption("Slip and change in working days; + is later than the "
                                "baseline (slip) or than last month's forecast (change).")
    return styler.set_table_attributes('class="pmo-table pmo-grid pmo-total"')


def milestone_table(moves: pd.DataFrame, limit: int = 10):
    """The milestones whose forecast moved most since last month.

    Parameters
    ----------
    moves : DataFrame
        :func:`milestone_moves`.
    limit : int
        How many to show (the biggest moves).

    Returns
    -------
    pandas.io.formats.style.Styler or Block
        Milestone, project, baseline, last month's forecast, this month's forecast, moved
        by (working days, red when later); a sentence when no milestone moved.
    """
    if len(moves) == 0:
        text = ("No milestone forecast moved since last month."
                if moves.attrs.get("compared", True) else
                "This is the first status month: milestone moves are reported from next "
                "month.")
        return Block(f'<p class="pmo-note">{escape(text)}</p>', text)
    top = moves.head(limit)
    shown = pd.DataFrame({
        "Milestone": top["milestone"], "Project": top["project"],
        "Baseline": top["baseline"].map(_date),
        "Last month's forecast": top["previous_forecast"].map(_date),
        "This month's forecast": top["forecast"].map(_date),
        "Moved by": top["moved"].map(_days),
        "Slip": top["slip"].map(_days),
    })
    shown.index.name = None
    colours = pd.DataFrame("", index=shown.index, columns=shown.columns)
    colours["Moved by"] = top["moved"].map(_late_style)
    colours["Slip"] = top["slip"].map(_late_style)
    styler = shown.style.apply(lambda _: colours, axis=None)
    styler = _align_left(styler, ["Milestone", "Project"], wrap=True)
    more = len(moves) - len(top)
    caption = (f"The {len(top)} largest of {len(moves)} moves. " if more > 0 else "") + \
        "Moved by and slip in working days; + is later than last month's forecast " \
        "(moved by) or than the baseline (slip)."
    styler = styler.set_caption(caption)
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _names(names, limit: int = 4) -> str:
    names = list(names)
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def schedule_messages(status: pd.DataFrame, moves: pd.DataFrame,
                      changes: pd.DataFrame | None = None) -> Block:
    """Plain-language messages on the schedule: late projects, milestones, critical path.

    Parameters
    ----------
    status : DataFrame
        :func:`schedule_status`.
    moves : DataFrame
        :func:`milestone_moves`.
    changes : DataFrame, optional
        :func:`critical_path_changes`.
    """
    n = len(status)
    late = status[status["slip"] > 0].sort_values("slip", ascending=False)
    if len(late):
        worst = late.iloc[0]
        finish = (f"**Finish dates: {len(late)} of {n} projects are forecast to finish after "
                  f"their baseline.** The latest against plan is {worst['name']}, "
                  f"{_plural(round(worst['slip']), 'working day')} late (forecast "
                  f"{_date(worst['forecast_finish'])}, baseline "
                  f"{_date(worst['baseline_finish'])})")
        change = worst["slip_change"]
        if pd.notna(change) and change != 0:
            finish += (f", {_plural(round(abs(change)), 'day')} "
                       f"{'more' if change > 0 else 'less'} than last month")
        finish += "."
    else:
        finish = f"**Finish dates: all {n} projects are forecast to finish on or before " \
                 "their baseline.**"
    worse = status[status["slip_change"] > 0]
    better = status[status["slip_change"] < 0]
    if status["slip_change"].notna().any():
        if len(worse) or len(better):
            parts = []
            if len(worse):
                parts.append(f"{_plural(len(worse), 'project')} slipped further ("
                             f"{_names(worse.sort_values('slip_change', ascending=False)['name'])})")
            if len(better):
                parts.append(f"{_plural(len(better), 'project')} recovered time ("
                             f"{_names(better.sort_values('slip_change')['name'])})")
            finish += " Since last month " + "; ".join(parts) + "."
        else:
            finish += " No forecast finish moved since last month."
    messages = [finish]
    if status["milestones_moved"].notna().any():
        if len(moves):
            later, earlier = int((moves["moved"] > 0).sum()), int((moves["moved"] < 0).sum())
            how = ", ".join(f"{k} {word}" for k, word in ((later, "later"),
                                                           (earlier, "earlier")) if k)
            top = moves.iloc[0]
            msg = (f"**Milestones: {_plural(len(moves), 'milestone')} moved since last "
                   f"month** ({how}). The largest move: "
                   f"{top['milestone']} ({top['project']}), "
                   f"{_plural(round(abs(top['moved'])), 'working day')} "
                   f"{'later' if top['moved'] > 0 else 'earlier'}, now "
                   f"{_date(top['forecast'])}.")
        else:
            msg = "**Milestones: no milestone forecast moved since last month.**"
        messages.append(msg)
        if changes is not None:
            joined = int((changes["change"] == "joined").sum())
            left = int((changes["change"] == "left").sum())
            where = changes["project_id"].nunique()
            if joined or left:
                names = status["name"].reindex(pd.unique(changes["project_id"])).tolist()
                messages.append(
                    f"**Critical path: {joined} joined, {left} left** in "
                    f"{_plural(where, 'project')} ({_names(names)}): the work that drives "
                    "their finish date has changed; review it with their project managers.")
            else:
                messages.append("**Critical path: unchanged since last month.**")
    else:
        messages.append("This is the first status month: changes since last month start "
                        "next month.")
    items = "".join(f"<li>{_bold(escape(m))}</li>" for m in messages)
    html = ('<ul class="pmo-messages" style="line-height:1.5;background:#f5f7fa;border-left:4px '
            f'solid #1f4e79;padding:10px 16px 10px 34px;margin:0.8em 0">{items}</ul>')
    return Block(html, "\n".join(f"- {m}" for m in messages))


def portfolio_gantt(portfolio: Portfolio, schedule: pd.DataFrame, *, status_date=None,
                    expand=None, ax=None):
    """The portfolio's schedule as a Gantt chart, one summary bar per project.

    :func:`pmo_lib.plots.gantt` grouped by project, labelled ``ID  name``, with the
    baseline under each bar and the status date line (default: the schedule's own).
    """
    labels = {pid: f"{pid}  {name}" for pid, name in
              zip(portfolio.projects["id"], portfolio.projects["name"], strict=True)}
    return plots.gantt(schedule, group_by="project_id", group_labels=labels, expand=expand,
                       status_date=status_date, calendar=portfolio.calendar, ax=ax,
                       title="Portfolio schedule: forecast against baseline")


#: Checks reported as a count of items, as a percentage, or as an index (by check number).
_DCMA_COUNTS = (2, 7, 9, 12)
_DCMA_INDICES = (13, 14)
_DCMA_AT_LEAST = (4, 13, 14)
_DCMA_ITEMS = {1: "tasks", 2: "links", 3: "links", 4: "links", 5: "tasks", 6: "tasks",
               7: "tasks", 8: "tasks", 9: "tasks", 10: "tasks", 11: "tasks due",
               12: "projects", 13: "projects", 14: "tasks due"}
_SINGULAR = {"tasks": "task", "links": "link", "projects": "project", "tasks due": "task due"}


def dcma_summary(portfolio: Portfolio, month, *, schedule: pd.DataFrame | None = None,
                 thresholds=None) -> pd.DataFrame:
    """The DCMA 14-point assessment of the portfolio, with how many projects fail each check.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Status month.
    schedule : DataFrame, optional
        :func:`pmo_lib.schedule.schedule_portfolio` at ``month`` (computed when omitted).
    thresholds : DcmaThresholds, optional
        Pass thresholds (default DCMA's).

    Returns
    -------
    DataFrame
        Index ``number`` 1..14: ``check``, ``metric`` (the portfolio's value: fraction,
        count or index), ``threshold``, ``passed`` (the portfolio), ``count`` and
        ``population`` (offending and assessed items), ``projects_failing`` (how many
        projects fail the check on their own), ``failing`` (their ids, tuple) and
        ``projects`` (how many projects were assessed), from :func:`pmo_lib.health.dcma14`
        and :func:`pmo_lib.health.dcma14_by_project`.
    """
    overall = health.dcma14(portfolio, month, schedule=schedule, thresholds=thresholds)
    by = health.dcma14_by_project(portfolio, month, schedule=schedule,
                                  thresholds=thresholds)
    fails = by[~by["passed"].astype(bool)].reset_index()
    failing = fails.groupby("number")["project_id"].agg(tuple).reindex(overall.index)
    out = overall[["check", "metric", "threshold", "passed", "count", "population"]].copy()
    out["failing"] = failing.map(lambda v: v if isinstance(v, tuple) else ())
    out["projects_failing"] = out["failing"].map(len).astype(int)
    out["projects"] = by.index.get_level_values("project_id").nunique()
    return out


def _dcma_value(number: int, x) -> str:
    if x is None or pd.isna(x):
        return "–"
    if number in _DCMA_COUNTS:
        return f"{x:,.0f}"
    if number in _DCMA_INDICES:
        return f"{x:.2f}"
    return f"{100 * x:.1f} %"


def _dcma_rule(number: int, threshold) -> str:
    sign = "≥ " if number in _DCMA_AT_LEAST else "≤ "
    if number in _DCMA_COUNTS or number in _DCMA_INDICES:
        return sign + _dcma_value(number, threshold)
    return sign + f"{100 * threshold:.1f}".removesuffix(".0") + " %"


def dcma_table(summary: pd.DataFrame):
    """The DCMA 14-point summary as a styled table: check, portfolio value, rule, result.

    Parameters
    ----------
    summary : DataFrame
        :func:`dcma_summary`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per check: the portfolio's value, the pass rule, Pass/Fail (coloured),
        the offending items and the projects that fail the check on their own.
    """
    rule = [_dcma_rule(n, t) for n, t in zip(summary.index, summary["threshold"], strict=True)]
    items = [f"{c:,} of {p:,} " + (_DCMA_ITEMS.get(n, "items") if p != 1 else
                                   _SINGULAR.get(_DCMA_ITEMS.get(n, "items"), "item"))
             if p else "none in scope"
             for n, c, p in zip(summary.index, summary["count"], summary["population"],
                                strict=True)]
    failing = [f"{k} of {n}" + (f": {', '.join(ids)}" if ids else "")
               for k, n, ids in zip(summary["projects_failing"], summary["projects"],
                                    summary["failing"], strict=True)]
    shown = pd.DataFrame({
        "Check": summary["check"],
        "Portfolio": [_dcma_value(n, v) for n, v in zip(summary.index, summary["metric"],
                                                        strict=True)],
        "Pass rule": rule,
        "Result": np.where(summary["passed"].astype(bool), "Pass", "Fail"),
        "Offending": items,
        "Projects failing": failing,
    }, index=summary.index)
    shown.index.name = None
    passed = summary["passed"].astype(bool)
    n_pass = int(passed.sum())
    styler = shown.style.map(
        lambda r: f"background-color: {RAG_COLOURS['green' if r == 'Pass' else 'red']}; "
        "color: white; font-weight: bold; text-align: center", subset=["Result"])
    styler = _align_left(styler, ["Check", "Pass rule", "Offending", "Projects failing"],
                         wrap=True)
    styler = styler.set_caption(
        f"The portfolio passes {n_pass} of {len(shown)} checks. Portfolio: all projects "
        "assessed together; projects failing: each project assessed on its own.")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def dcma_messages(summary: pd.DataFrame) -> Block:
    """One sentence on the schedule quality: checks passed and the ones that fail."""
    passed = summary["passed"].astype(bool)
    failed = summary.loc[~passed, "check"].tolist()
    text = (f"**Schedule quality: {int(passed.sum())} of {len(summary)} DCMA checks "
            "pass.** " + ("Failing: " + ", ".join(failed) + "." if failed
                          else "The schedules are fit to steer by."))
    html = (f'<p class="pmo-note" style="background:#f5f7fa;border-left:4px solid #1f4e79;'
            f'padding:8px 14px">{_bold(escape(text))}</p>')
    return Block(html, text)


# ----------------------------------------------------------------------------------------
# Resources and portfolio section: role loading, over-allocations, levelling, cross-project
# links, the programme roll-up and the planning round
# ----------------------------------------------------------------------------------------
#: Months of the utilisation heat map, from the status month on (fewer when the work ends
#: sooner): a year ahead.
RESOURCE_MONTHS = 12
#: Budget of the report's levelling: schedule generation passes of
#: :func:`pmo_lib.resources.level_portfolio`, modest so that the report stays quick.
LEVELLING_SCHEDULES = 200
#: A cross-project link is at risk when its margin is at most this many working days. [d]
LINK_MARGIN = 10.0
#: The slip given to each open cross-project handover by :func:`handover_slips`. [d]
HANDOVER_SLIP = 20.0
#: Weights of the planning-round score, the report's defaults (criteria missing from the
#: candidates table are left out and the other weights rescaled to add up to 1).
PORTFOLIO_WEIGHTS = {"strategic_alignment": 0.35, "value": 0.30, "urgency": 0.20,
                     "risk": 0.15}
#: The frontier summary gives the best value at the budget ± this share of it. [fraction]
FRONTIER_STEP = 0.10
#: Criteria scored on their own 1–5 scale (the others min–max across the candidates).
_FIVE_POINT = ("strategic_alignment", "risk", "urgency")
#: Display names of the criteria.
_CRITERIA = {"strategic_alignment": "Strategic alignment", "value": "Value",
             "urgency": "Urgency", "risk": "Risk"}
_TOL = 1e-9
_MESSAGES_STYLE = ('style="line-height:1.5;background:#f5f7fa;border-left:4px solid #1f4e79;'
                   'padding:10px 16px 10px 34px;margin:0.8em 0"')


def _messages(messages: list[str]) -> Block:
    """Messages as the report's bulleted box (``**...**`` in bold)."""
    items = "".join(f"<li>{_bold(escape(m))}</li>" for m in messages)
    return Block(f'<ul class="pmo-messages" {_MESSAGES_STYLE}>{items}</ul>',
                 "\n".join(f"- {m}" for m in messages))


def _note(text: str) -> Block:
    return Block(f'<p class="pmo-note">{escape(text)}</p>', text)


def _month_text(period) -> str:
    return f"{pd.Period(period, 'M'):%b %Y}"


def _unit_days(x: float) -> str:
    return f"{x:,.1f}".removesuffix(".0")


def _data_date(portfolio: Portfolio, schedule: pd.DataFrame) -> pd.Timestamp:
    """The first working day after the status date of a forecast schedule."""
    origin, offset = schedule.attrs["start"], schedule.attrs.get("data_date")
    if offset is None:
        return pd.Timestamp(origin)
    return pd.Timestamp(portfolio.calendar.offset_to_date(round(offset), origin))


def resource_loading(portfolio: Portfolio, month, *,
                     months: int = RESOURCE_MONTHS) -> resources.Loading:
    """Demand, capacity and utilisation of each role, month by month, on the forecast schedule
    from the status month on.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month; its forecast schedule places the work
        (:func:`pmo_lib.resources.portfolio_loading` at ``month``).
    months : int, keyword-only
        At most this many months, from the status month to the last month with demand.

    Returns
    -------
    pmo_lib.resources.Loading
        By role and month (index ``period``, one column per role of the resources table):
        ``demand`` and ``capacity`` [unit-days] and ``utilisation`` (demand ÷ capacity)
        [fraction]. No periods without resources.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> load = resource_loading(load_portfolio("tests/data/mini"), "2026-02")
    >>> load.utilisation.round(3)
    role     Developer  Project Manager
    period
    2026-02      0.500              0.0
    2026-03      0.045              0.0
    """
    now = resolve_month(portfolio, month)
    if portfolio.resources.empty:
        empty = pd.DataFrame(index=pd.PeriodIndex([], freq="M", name="period"))
        return resources.Loading(demand=empty, capacity=empty, utilisation=empty, freq="M",
                                 by="role")
    load = resources.portfolio_loading(portfolio, now, freq="M", by="role")
    d = load.demand
    busy = d.index[(d.index >= now) & (d.sum(axis=1).to_numpy() > _TOL)]
    last = min(busy.max(), now + (int(months) - 1)) if len(busy) else now
    periods = pd.period_range(now, last, freq="M", name="period")
    d = d.reindex(periods, fill_value=0.0)
    c = resources.capacity(portfolio.resources, portfolio.calendar, periods, by="role")
    return resources.Loading(demand=d, capacity=c, utilisation=resources.utilisation(d, c),
                             freq="M", by="role")


def utilisation_chart(loading: resources.Loading, *, ax=None):
    """The role × month utilisation heat map of :func:`resource_loading`
    (:func:`pmo_lib.plots.utilisation_heat_map`: green below 85 %, amber up to 100 %, red
    above: over-booked)."""
    if ax is None:  # wide enough for the title and the legend of the bands above the cells
        import matplotlib.pyplot as plt

        rows, months = len(loading.utilisation.columns), len(loading.utilisation)
        _, ax = plt.subplots(figsize=(max(11.0, 2.0 + 0.52 * months), max(2.6, 1.6 + 0.32 * rows)),
                             layout="constrained")
    return plots.utilisation_heat_map(loading, ax=ax, title="Utilisation by role and month")


#: Columns of :func:`overallocation_table`, with their headers.
OVERALLOCATION_COLUMNS = {
    "resource_id": "Resource", "resource_name": "Name", "role": "Role", "start": "From",
    "finish": "To", "working_days": "Working days", "peak_demand": "Peak [units]",
    "capacity": "Capacity [units]", "excess_days": "Excess [unit-days]",
    "projects": "Projects", "tasks": "Tasks",
}


def overallocation_runs(portfolio: Portfolio, month, *,
                        schedule: pd.DataFrame | None = None) -> pd.DataFrame:
    """The over-allocations of the remaining work: each run of working days on which a
    resource is asked for more than its capacity, from the data date on, largest first.

    The unfinished tasks of the forecast schedule (an in-progress task from the data date,
    the first working day after the status date, to its forecast finish) go to
    :func:`pmo_lib.resources.overallocations`.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month.
    schedule : DataFrame, optional
        :func:`pmo_lib.schedule.schedule_portfolio` at ``month`` (computed when omitted).

    Returns
    -------
    DataFrame
        One row per run (RangeIndex), sorted by ``excess_days`` (largest first), then
        resource and start: the columns of :func:`pmo_lib.resources.overallocations`
        (``resource_id``, ``start``, ``finish``, ``working_days`` [d], ``peak_demand``,
        ``capacity``, ``excess`` [units], ``tasks``) and ``resource_name``, ``role``,
        ``excess_days`` (the demand above the capacity added up over the run's working
        days) [unit-days] and ``projects`` (the projects of ``tasks``, joined with
        ``", "``). ``attrs["data_date"]`` holds the data date.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> overallocation_runs(load_portfolio("tests/data/mini"), "2026-02").empty
    True
    """
    now = resolve_month(portfolio, month)
    sched = schedule if schedule is not None else schedule_portfolio(portfolio, now)
    start = _data_date(portfolio, sched)
    columns = ["resource_id", "resource_name", "role", "start", "finish", "working_days",
               "peak_demand", "capacity", "excess", "excess_days", "projects", "tasks"]
    left = sched[(sched["status"] != "complete") & (sched["finish_date"] >= start)]
    tasks = pd.DataFrame({"id": left.index.astype(str),
                          "project_id": left["project_id"].astype(str).to_numpy(),
                          "start": left["start_date"].clip(lower=start).to_numpy(),
                          "finish": left["finish_date"].to_numpy(),
                          "milestone": left["milestone"].astype(bool).to_numpy()})
    work = portfolio.assignments[portfolio.assignments["task_id"].astype(str)
                                 .isin(set(tasks["id"]))]
    runs = (resources.overallocations(tasks, work, portfolio.resources, portfolio.calendar,
                                      start="start", finish="finish")
            if len(work) and len(portfolio.resources) else pd.DataFrame())
    if runs.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        out.attrs["data_date"] = start
        return out
    daily = resources.demand(tasks, work, portfolio.calendar, freq="D",
                             start="start", finish="finish", by="resource_id",
                             resources=portfolio.resources)
    days = daily.index.to_timestamp()
    excess = []
    for r in runs.itertuples(index=False):
        inside = (days >= r.start) & (days <= r.finish)
        over = daily.loc[inside, r.resource_id].to_numpy(float) - r.capacity
        excess.append(float(np.clip(over, 0.0, None).sum()))
    info = portfolio.resources.assign(id=portfolio.resources["id"].astype(str)).set_index("id")
    project = tasks.set_index("id")["project_id"]
    runs["resource_name"] = runs["resource_id"].map(info["name"])
    runs["role"] = runs["resource_id"].map(info["role"])
    runs["excess_days"] = excess
    runs["projects"] = [", ".join(sorted({project[t] for t in ids.split(";") if t}))
                        for ids in runs["tasks"]]
    out = runs.sort_values(["excess_days", "resource_id", "start"],
                           ascending=[False, True, True], kind="stable")[columns]
    out = out.reset_index(drop=True)
    out.attrs["data_date"] = start
    return out


def overallocation_table(runs: pd.DataFrame, n: int = 10):
    """The ``n`` largest over-allocations of :func:`overallocation_runs` as a table (a
    sentence when there is none)."""
    if runs.empty:
        return _note("No resource is over-allocated in the remaining work.")
    top = runs.head(n)
    shown = top[list(OVERALLOCATION_COLUMNS)].copy()
    shown["start"], shown["finish"] = shown["start"].map(_date), shown["finish"].map(_date)
    shown["tasks"] = [_names(str(t).split(";"), 6) for t in shown["tasks"]]
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    styler = shown.style.format({"peak_demand": "{:g}", "capacity": "{:g}",
                                 "excess_days": _unit_days, "working_days": "{:,.0f}"})
    styler = styler.relabel_index(list(OVERALLOCATION_COLUMNS.values()), axis="columns")
    styler = _align_left(styler, ["resource_name", "role", "projects", "tasks"], wrap=True)
    more = len(runs) - len(top)
    styler = styler.set_caption(
        (f"The {len(top)} largest of {len(runs)} over-allocations. " if more > 0 else "")
        + "Remaining work from the data date on, on the forecast schedule. Peak: the most "
        "units asked of the resource on one day of the run; excess: the demand above its "
        "capacity added up over the run's working days.")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


#: Columns of :func:`levelling_table`, with their headers.
LEVELLING_COLUMNS = {"name": "Project", "priority": "Priority", "open_tasks": "Open tasks",
                     "finish": "Forecast finish", "levelled_finish": "Levelled finish",
                     "slip": "Slip [d]", "reason": "Why"}


def levelling_impact(portfolio: Portfolio, month, *, schedules: int = LEVELLING_SCHEDULES,
                     seed: int = 0) -> pd.DataFrame:
    """What levelling the remaining work at the current priorities would do to each
    project's finish (:func:`pmo_lib.resources.level_portfolio`).

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month.
    schedules, seed : int, keyword-only
        Budget (schedule generation passes) and seed of the levelling heuristic: a modest
        budget keeps the report quick, the fixed seed reproducible.

    Returns
    -------
    DataFrame
        :attr:`pmo_lib.resources.PortfolioLevelling.projects`: index ``project_id``;
        ``name``, ``priority`` (1 = levelled first), ``open_tasks``, ``finish`` (forecast)
        and ``levelled_finish``, ``slip`` (working days from one to the other) [d],
        ``driving_task``, ``delay_resource``, ``delay_source``, ``blocking_task`` and
        ``reason`` (the slip in words). ``attrs``: ``schedules``, ``seed``, ``warnings``
        (what the levelling warned about, as text), ``overallocations_after`` (runs left
        after levelling: those of in-progress tasks, which are not moved).

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> levelling_impact(load_portfolio("tests/data/mini"), "2026-02")[["open_tasks", "slip"]]
                open_tasks  slip
    project_id
    P1                   0     0
    P2                   1     0
    """
    now = resolve_month(portfolio, month)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lev = resources.level_portfolio(portfolio, now, schedules=schedules, seed=seed)
    out = lev.projects.copy()
    out.attrs = {"schedules": int(schedules), "seed": seed,
                 "warnings": [str(w.message).removeprefix("level_portfolio: ")
                              for w in caught],
                 "overallocations_after": len(lev.overallocations_after)}
    return out


def levelling_table(levelled: pd.DataFrame):
    """:func:`levelling_impact` as a table: forecast and levelled finish, slip (red when
    later) and why."""
    shown = levelled[list(LEVELLING_COLUMNS)].copy()
    shown.index.name = None
    shown["finish"] = shown["finish"].map(_date)
    shown["levelled_finish"] = shown["levelled_finish"].map(_date)
    slip = levelled["slip"]
    shown["slip"] = slip.map(lambda v: _days(v))
    shown["reason"] = shown["reason"].where(shown["reason"] != "", "–")
    colours = pd.DataFrame("", index=shown.index, columns=shown.columns)
    colours["slip"] = slip.map(_late_style).to_numpy()
    styler = shown.style.apply(lambda _: colours, axis=None)
    styler = styler.relabel_index(list(LEVELLING_COLUMNS.values()), axis="columns")
    styler = _align_left(styler, ["name", "reason"], wrap=True)
    left = levelled.attrs.get("overallocations_after", 0)
    caption = ("Levelling of the remaining work within each resource's capacity, the "
               "projects in their priority order (1 first); tasks in progress stay where "
               "they are and the others are only ever delayed. Slip in working days from the "
               f"forecast finish to the levelled finish "
               f"({levelled.attrs.get('schedules', LEVELLING_SCHEDULES)} schedules tried).")
    if left:
        caption += (f" {_plural(left, 'over-allocation')} remain after levelling: those of "
                    "tasks in progress, which levelling does not move, or of a task needing "
                    "more than its resource's whole capacity.")
    styler = styler.set_caption(caption)
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def resource_messages(loading: resources.Loading, runs: pd.DataFrame,
                      levelled: pd.DataFrame | None = None) -> Block:
    """Plain-language messages on the resources: the over-booked roles and when, the worst
    over-allocations and the tasks causing them, what levelling would do.

    Parameters
    ----------
    loading : Loading
        :func:`resource_loading`.
    runs : DataFrame
        :func:`overallocation_runs`.
    levelled : DataFrame, optional
        :func:`levelling_impact`.
    """
    u, d, c = loading.utilisation, loading.demand, loading.capacity
    messages = []
    if u.empty or not len(u.columns):
        messages.append("**Roles: no resource loading to show** (no resources or no "
                        "remaining work).")
    else:
        over = u > 1 + _TOL
        roles = [r for r in u.columns if over[r].any()]
        span = (f"from {_month_text(u.index[0])} to {_month_text(u.index[-1])}"
                if len(u) > 1 else f"in {_month_text(u.index[0])}")
        if roles:
            peak = u[roles].max().sort_values(ascending=False, kind="stable")
            parts = []
            for role in peak.index[:4]:
                months = u.index[over[role].to_numpy()]
                when = u[role].idxmax()
                parts.append(
                    f"{role} in {_plural(len(months), 'month')} ({_month_text(months[0])}"
                    + (f" to {_month_text(months[-1])}" if len(months) > 1 else "")
                    + f"), worst {_month_text(when)} at {u.at[when, role]:.0%} "
                    f"({d.at[when, role]:,.0f} unit-days for a capacity of "
                    f"{c.at[when, role]:,.0f})")
            more = len(roles) - len(parts)
            messages.append(
                f"**Roles: {len(roles)} of {len(u.columns)} are over-booked** in at least "
                f"one month {span}: " + "; ".join(parts)
                + (f"; and {more} more" if more > 0 else "") + ".")
        else:
            messages.append(f"**Roles: none is over-booked** {span}: every role's "
                            "monthly demand fits its capacity.")
    if runs.empty:
        messages.append("**Over-allocations: none.** Every resource's remaining work fits "
                        "its capacity day by day.")
    else:
        parts = []
        for r in runs.head(3).itertuples(index=False):
            parts.append(
                f"{r.resource_id} {r.resource_name}, {r.role}, from {_date(r.start)} to "
                f"{_date(r.finish)}: up to {r.peak_demand:g} units a day for a capacity of "
                f"{r.capacity:g}, {_unit_days(r.excess_days)} unit-days too many, from "
                f"{r.projects} ({_names(str(r.tasks).split(';'), 4)})")
        messages.append(f"**Over-allocations: {_plural(len(runs), 'run')} of working days "
                        f"on which a resource is over-booked.** The largest: "
                        + "; ".join(parts) + ".")
    if levelled is not None and len(levelled):
        moved = levelled[levelled["slip"] > 0].sort_values(
            ["slip", "priority"], ascending=[False, True], kind="stable")
        if len(moved):
            parts = [f"{r.name} (priority {r.priority}) by "
                     f"{_plural(int(r.slip), 'working day')}: {r.reason}"
                     for r in moved.head(3).itertuples()]
            more = len(moved) - len(parts)
            messages.append(
                f"**Levelling at the current priorities would move the finish of "
                f"{len(moved)} of {len(levelled)} projects:** " + "; ".join(parts)
                + (f"; and {more} more" if more > 0 else "") + ".")
        else:
            messages.append("**Levelling at the current priorities would not move any "
                            "project's finish.**")
    return _messages(messages)


# -- Cross-project dependencies ------------------------------------------------------------
#: Columns of :func:`links_table`, with their headers.
LINK_COLUMNS = {"pred_task": "Predecessor", "pred_name": "Delivers",
                "pred_project": "From project", "succ_task": "Successor",
                "succ_name": "Waiting task", "succ_project": "To project",
                "need_date": "Need date", "pred_forecast": "Forecast", "margin": "Margin [d]",
                "status": "Status"}


def dependencies(portfolio: Portfolio, month, *, margin: float = LINK_MARGIN) -> pd.DataFrame:
    """Every cross-project link at the status month: the handover's forecast against the
    date the waiting project needs it (:func:`pmo_lib.network.dependency_map`, at-risk
    threshold ``margin`` working days)."""
    from . import network

    return network.dependency_map(portfolio, resolve_month(portfolio, month), margin=margin)


def dependency_chart(links: pd.DataFrame, portfolio: Portfolio, *, ax=None):
    """Who waits on whom (:func:`pmo_lib.plots.dependency_map` of :func:`dependencies`,
    every project drawn, coloured by programme); None without cross-project links."""
    if links.empty:
        return None
    return plots.dependency_map(links, projects=portfolio.projects, ax=ax)


def links_table(links: pd.DataFrame):
    """The cross-project links that are late or at risk, worst first (a sentence when none
    is): predecessor, successor, need date, forecast, margin and status (coloured)."""
    risky = links[links["status"].isin(("late", "at risk"))]
    if risky.empty:
        text = ("No cross-project link is late or at risk." if len(links)
                else "The projects of this portfolio have no cross-project links.")
        return _note(text)
    risky = risky.sort_values(["margin", "pred_task", "succ_task"], kind="stable")
    shown = risky[list(LINK_COLUMNS)].copy()
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    shown["need_date"] = shown["need_date"].map(_date)
    shown["pred_forecast"] = shown["pred_forecast"].map(_date)
    styler = shown.style.format({"margin": lambda v: _days(v)})
    styler = styler.map(lambda s: f"background-color: {plots.DEPENDENCY_COLOURS.get(s, '#fff')}; "
                        "color: white; font-weight: bold; text-align: center",
                        subset=["status"])
    styler = styler.relabel_index(list(LINK_COLUMNS.values()), axis="columns")
    styler = _align_left(styler, ["pred_name", "succ_name"], wrap=True)
    threshold = links.attrs.get("margin", LINK_MARGIN)
    styler = styler.set_caption(
        "Need date: the latest date the predecessor can deliver for the waiting task to keep "
        "its baseline; forecast: when it is now expected. Margin in working days from the "
        f"forecast to the need date: negative = late, 0 to {threshold:g} = at risk.")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def handover_slips(portfolio: Portfolio, month, *, days: float = HANDOVER_SLIP
                   ) -> pd.DataFrame:
    """What a slip of ``days`` working days of each open cross-project handover would do to
    the projects (:func:`pmo_lib.network.slip_impact`).

    Returns
    -------
    DataFrame
        Index ``task_id``: the predecessors of the cross-project links that are not complete
        at the status month; columns ``project_id``, ``name``, ``status``, ``own_slip`` (its
        own project's finish slip) [d], ``other_slip`` (the largest slip of another
        project) [d], ``affected_projects`` (tuple) and ``moves`` (the other projects that
        slip with their slip, as text, e.g. ``"WMS +20 d, REG +3 d"``; ``""`` when none
        does). ``attrs["days"]`` holds the slip.

    Examples
    --------
    >>> from pmo_lib import load_portfolio
    >>> handover_slips(load_portfolio("tests/data/mini"), "2026-01", days=3)[
    ...     ["project_id", "own_slip", "moves"]]
            project_id  own_slip     moves
    task_id
    M1              P1       3.0  P2 +3 d
    """
    from . import network

    result = network.slip_impact(portfolio, resolve_month(portfolio, month), days=days)
    out = result.tasks.copy()
    moves = {t: ", ".join(f"{r.project_id} {_days(r.slip)} d" for r in rows.itertuples())
             for t, rows in result.impacts.groupby("task_id", sort=False)}
    out["moves"] = [moves.get(t, "") for t in out.index]
    out.attrs["days"] = float(days)
    return out


def handover_table(handovers: pd.DataFrame):
    """:func:`handover_slips` as a table (a sentence when no handover is open)."""
    days = handovers.attrs.get("days", HANDOVER_SLIP)
    if handovers.empty:
        return _note("No cross-project handover is still open.")
    shown = pd.DataFrame({
        "Handover": handovers.index, "Task": handovers["name"],
        "Project": handovers["project_id"], "Status": handovers["status"],
        "Its project slips": handovers["own_slip"].map(lambda v: f"{_days(v)} d"),
        "Other projects that slip": handovers["moves"].where(handovers["moves"] != "",
                                                             "none")})
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    styler = _align_left(shown.style, ["Task", "Other projects that slip"], wrap=True)
    styler = styler.set_caption(
        f"Each open handover slipped by {days:g} working days on its own and the whole "
        "portfolio rescheduled; slips of the projects' finish in working days (float on the "
        "way absorbs part or all of it).")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def dependency_messages(links: pd.DataFrame, handovers: pd.DataFrame | None = None) -> Block:
    """Plain-language messages on the cross-project links: how many are late or at risk,
    the worst, and what a slip of the open handovers would move."""
    if links.empty:
        return _messages(["**Cross-project links: none.** No project waits on another."])
    counts = links["status"].value_counts()
    pairs = links[["pred_project", "succ_project"]].drop_duplicates()
    head = (f"**Cross-project links: {_plural(len(links), 'link')} between "
            f"{_plural(len(pairs), 'pair')} of projects;** " + ", ".join(
                f"{int(counts.get(s, 0))} {s}" for s in ("late", "at risk", "on track", "done"))
            + ".")
    late = links[links["status"] == "late"].sort_values("margin", kind="stable")
    risky = links[links["status"] == "at risk"].sort_values("margin", kind="stable")
    for kind, rows in (("late", late), ("at risk", risky)):
        if len(rows):
            parts = [f"{r.pred_task} ({r.pred_project}) → {r.succ_task} ({r.succ_project}): "
                     f"forecast {_date(r.pred_forecast)}, needed by {_date(r.need_date)}, "
                     f"margin {_days(r.margin)} d" for r in rows.head(3).itertuples()]
            head += f" {kind.capitalize()}: " + "; ".join(parts) + (
                f"; and {len(rows) - 3} more" if len(rows) > 3 else "") + "."
    messages = [head]
    if handovers is not None:
        days = handovers.attrs.get("days", HANDOVER_SLIP)
        if handovers.empty:
            messages.append("**Open handovers: none**; every cross-project delivery is "
                            "complete.")
        else:
            spread = handovers[handovers["moves"] != ""]
            which = (f"the open handover {handovers.index[0]} ({handovers['project_id'].iloc[0]})"
                     if len(handovers) == 1 else
                     f"each of the {len(handovers)} open handovers")
            text = f"**A slip of {days:g} working days of {which}** "
            if len(handovers) == 1 and len(spread):
                text += f"would move {spread['moves'].iloc[0]}."
            elif len(spread):
                text += "would move other projects: " + "; ".join(
                    f"{t} ({r.project_id}) moves {r.moves}" for t, r in spread.iterrows()) + "."
            else:
                own = handovers["own_slip"].max()
                text += ("would move no other project" + (
                    f" (its own project by up to {own:g} working days)" if own > 0 else "")
                    + ": float absorbs it.")
            messages.append(text)
    return _messages(messages)


# -- Programme roll-up ---------------------------------------------------------------------
#: Columns of :func:`rollup_table`, with their headers.
ROLLUP_COLUMNS = {"name": "Programme", "projects": "Projects", "bac": "BAC", "eac": "EAC",
                  "vac": "VAC", "cpi": "CPI", "spi_t": "SPI(t)", "rag": "RAG",
                  "forecast_finish": "Forecast finish", "worst_slip": "Worst slip [d]",
                  "late_projects": "Late", "open_risks": "Open risks", "emv": "EMV",
                  "peak": "Peak role load"}


def programme_rollup(portfolio: Portfolio, month,
                     thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """Cost, schedule, risk and resource figures of each programme and of the portfolio
    (:func:`pmo_lib.portfolio.rollup` by programme, peak role utilisation over the next six
    months), rated with ``thresholds``."""
    from .portfolio import rollup

    return rollup(portfolio, resolve_month(portfolio, month), by="programme",
                  thresholds=thresholds)


def rollup_table(rollup: pd.DataFrame, currency: str = "EUR"):
    """:func:`programme_rollup` as a table: amounts in thousands, the RAG cell coloured, the
    portfolio as the last row."""
    shown = rollup.copy()
    money = ["bac", "eac", "vac", "emv"]
    shown[money] = shown[money] / 1000.0
    shown["forecast_finish"] = shown["forecast_finish"].map(_date)
    shown["peak"] = [f"{u:.0%} {role}, {_month_text(m)}" if isinstance(role, str)
                     and pd.notna(u) else "–" for u, role, m in
                     zip(rollup["peak_utilisation"], rollup["peak_role"],
                         rollup["peak_month"], strict=True)]
    shown = shown[list(ROLLUP_COLUMNS)]
    shown.index.name = None
    styler = shown.style.format({c: "{:,.0f}" for c in money}
                                | {"cpi": "{:.2f}", "spi_t": "{:.2f}",
                                   "worst_slip": lambda v: _days(v)}, na_rep="–")
    styler = styler.map(lambda r: f"background-color: {RAG_COLOURS.get(r, '#ffffff')}; "
                        "color: white; font-weight: bold; text-align: center",
                        subset=["rag"])
    styler = styler.set_properties(subset=pd.IndexSlice[["Total"], :],
                                   **{"font-weight": "bold", "border-top": "2px solid #333"})
    styler = styler.relabel_index(list(ROLLUP_COLUMNS.values()), axis="columns")
    styler = _align_left(styler, ["name", "peak"], wrap=True).hide(axis="index")
    styler = styler.set_caption(
        f"Amounts in thousands of {currency}. Worst slip: the latest project of the programme "
        "against its baseline finish, in working days; late: projects forecast after their "
        "baseline. EMV: expected cost of the open risks. Peak role load: the highest monthly "
        "utilisation of a role by the programme's work over the next six months, against "
        "the role's whole capacity.")
    return styler.set_table_attributes('class="pmo-table pmo-grid pmo-total"')


# -- Planning round: ranking and selection ---------------------------------------------------
def candidate_ranking(portfolio: Portfolio, *, weights: Mapping[str, float] | None = None,
                      step: float = FRONTIER_STEP) -> pd.DataFrame:
    """The candidates of the planning round ranked by weighted score, with the recommended
    selection within the budget.

    Parameters
    ----------
    portfolio : Portfolio
        With a ``candidates`` table (an empty result without one).
    weights : mapping criterion → weight, optional
        Default :data:`PORTFOLIO_WEIGHTS`. Criteria the table lacks, or has blanks in, are
        left out. The 1–5 criteria (strategic alignment, risk, urgency) are scored on
        their scale, the others (value) min–max across the candidates; risk: lower is
        better.
    step : float, keyword-only
        The frontier summary solves the selection again at the budget × (1 ± ``step``).

    Returns
    -------
    DataFrame
        Index ``id``, by rank: ``name``, ``programme``, ``mandatory``, ``value``, ``cost``
        [cur], the criteria used, ``<criterion>_contribution`` (weight × normalised value),
        ``score`` (0–1) and ``rank`` (:func:`pmo_lib.portfolio.score`), then ``selected``
        and ``reason`` (why one is not, :func:`pmo_lib.portfolio.select` with the yearly
        budget, costs, role demand and capacity of
        :meth:`~pmo_lib.model.Portfolio.planning_round`). ``attrs``: ``weights`` (Series,
        adding up to 1), ``selection`` (the :class:`~pmo_lib.portfolio.Selection`, None when
        infeasible), ``budget`` (total of the yearly budgets, NaN without one),
        ``infeasible`` (the solver's message, or ""), ``frontier``
        (:func:`pmo_lib.portfolio.frontier` at the budget × (1 − step, 1, 1 + step), None
        without a budget) and ``step``.
    """
    from . import portfolio as ppm
    from .errors import InfeasibleError

    candidates = portfolio.candidates
    if candidates is None or candidates.empty:
        out = pd.DataFrame(columns=["name", "score", "rank", "selected", "reason"],
                           index=pd.Index([], name="id"))
        out.attrs.update(weights=pd.Series(dtype=float), selection=None, budget=np.nan,
                         infeasible="", frontier=None, step=step)
        return out
    wanted = dict(weights or PORTFOLIO_WEIGHTS)
    used = {c: float(w) for c, w in wanted.items()
            if c in candidates.columns and candidates[c].notna().all() and float(w) > 0}
    if not used:
        used = {"value": 1.0}
    scales = {c: (1, 5) for c in used if c in _FIVE_POINT}
    scored = ppm.score(candidates, used, scales=scales or None)
    if all(c in scored.columns and scored[c].notna().all() for c in ppm.WSJF_COLUMNS):
        scored["wsjf"] = ppm.wsjf(candidates)["wsjf"].reindex(scored.index)
    plan = portfolio.planning_round()
    budget = plan["budget"]
    infeasible, selection, frontier = "", None, None
    try:
        selection = ppm.select(**plan)
    except InfeasibleError as exc:
        infeasible = _one_line(str(exc))
    table = scored.set_index(scored["id"].astype(str)).rename_axis("id")
    if "mandatory" not in table:
        table["mandatory"] = False
    table["mandatory"] = table["mandatory"].fillna(False).astype(bool)
    if selection is not None:
        chosen = selection.table.set_index(selection.table["id"].astype(str))
        table["selected"] = chosen["selected"].reindex(table.index).astype(bool)
        table["reason"] = chosen["reason"].reindex(table.index).fillna("")
        if budget is not None:
            rest = {k: v for k, v in plan.items() if k != "budget"}
            frontier = ppm.frontier(budgets=[(budget * (1 + f)).to_dict()
                                             for f in (-step, 0.0, step)], **rest)
    else:
        table["selected"], table["reason"] = False, ""
    w = pd.Series(used, dtype=float)
    table = table.drop(columns=["id"])
    table.attrs.update(weights=w / w.sum(), selection=selection,
                       budget=float(budget.sum()) if budget is not None else np.nan,
                       infeasible=infeasible, frontier=frontier, step=step)
    return table


def ranking_table(ranking: pd.DataFrame, currency: str = "EUR"):
    """:func:`candidate_ranking` as a table: rank, candidate, the score and its breakdown in
    points (0–100), value and cost in thousands, mandatory, selected (coloured) and why not.
    An empty Block without candidates (:func:`selection_messages` says so)."""
    if ranking.empty:
        return Block("", "")
    weights = ranking.attrs.get("weights", pd.Series(dtype=float))
    columns = {"rank": ("Rank", ranking["rank"]),
               "name": ("Candidate", ranking["name"] if "name" in ranking else ranking.index),
               "mandatory": ("Mandatory", np.where(ranking["mandatory"], "yes", ""))}
    for c in weights.index:
        columns[f"{c}_points"] = (f"{_CRITERIA.get(c, c.replace('_', ' ').capitalize())} "
                      f"({weights[c]:.0%})", 100 * ranking[f"{c}_contribution"])
    columns["score"] = ("Score", 100 * ranking["score"])
    if "wsjf" in ranking:
        columns["wsjf"] = ("WSJF", ranking["wsjf"])
    columns |= {"value": ("Value", ranking["value"] / 1000.0),
                "cost": ("Cost", ranking["cost"] / 1000.0),
                "selected": ("Recommendation", np.where(ranking["selected"], "selected",
                                                        "not selected")),
                "reason": ("Why not", ranking["reason"].where(ranking["reason"] != "", "–"))}
    shown = pd.DataFrame({k: v for k, (_, v) in columns.items()}, index=ranking.index)
    headers = [h for h, _ in columns.values()]
    shown.index.name = None
    points = [*(f"{c}_points" for c in weights.index), "score"]
    styler = shown.style.format({c: "{:.0f}" for c in points}
                                | {"value": "{:,.0f}", "cost": "{:,.0f}", "wsjf": "{:.1f}"},
                                na_rep="–")
    colours = {"selected": RAG_COLOURS["green"], "not selected": RAG_COLOURS["grey"]}
    styler = styler.map(lambda s: f"background-color: {colours.get(s, '#ffffff')}; color: "
                        "white; font-weight: bold; text-align: center", subset=["selected"])
    styler = styler.relabel_index(headers, axis="columns")
    styler = _align_left(styler, ["name", "reason"], wrap=True)
    styler = styler.set_caption(
        f"Value and cost in thousands of {currency}. Score out of 100: each criterion's "
        "points are its weight × how the candidate compares (1–5 criteria on their scale, "
        "value from the lowest to the highest candidate; for risk, lower is better). The "
        "recommendation maximises the total value within the budget of each year, the "
        "roles' free capacity, the dependencies between candidates and the mandatory ones.")
    return styler.set_table_attributes('class="pmo-table pmo-grid"')


def selection_messages(ranking: pd.DataFrame, currency: str = "EUR") -> Block:
    """Plain-language messages on the planning round: the recommended selection within the
    budget, what does not fit and why, and the value at a smaller or larger budget."""
    if ranking.empty:
        return _note("This portfolio has no planning round: there is no candidates table "
                     "(candidates.csv) to rank.")
    c = currency
    names = ranking["name"] if "name" in ranking else pd.Series(ranking.index,
                                                                index=ranking.index)
    label = {i: f"{names[i]} ({i})" for i in ranking.index}
    top = ranking.iloc[0]
    messages = [f"**Ranking: {_plural(len(ranking), 'candidate')}**, led by "
                f"{label[ranking.index[0]]} with a score of {100 * top['score']:.0f} out of "
                "100" + (", then " + ", ".join(label[i] for i in ranking.index[1:3])
                         if len(ranking) > 1 else "") + "."]
    selection = ranking.attrs.get("selection")
    if selection is None:
        messages.append("**No selection meets the constraints:** "
                        f"{ranking.attrs.get('infeasible', '')}")
        return _messages(messages)
    chosen = ranking[ranking["selected"]]
    budget = ranking.attrs.get("budget", np.nan)
    money = ""
    if np.isfinite(budget):
        years = selection.spend["budget"].dropna().index.tolist()
        when = (f"the {years[0]}" if len(years) == 1 else
                f"the {years[0]}–{years[-1]}" if years else "the")
        money = (f" within {when} budget{'s' if len(years) > 1 else ''} of "
                 f"{_money(budget, c)} ({_money(selection.slack, c)} left)")
    text = (f"**Recommended: {len(chosen)} of {len(ranking)} candidates "
            f"({', '.join(chosen.index)}), worth {_money(selection.value, c)} for "
            f"{_money(selection.cost, c)}**{money}.")
    must = chosen[chosen["mandatory"]]
    if len(must):
        text += f" Mandatory, so funded first: {', '.join(must.index)}."
    messages.append(text)
    out = ranking[~ranking["selected"]]
    if len(out):
        parts = [f"{label[i]}, rank {int(r['rank'])}: "
                 + (r["reason"].split("; ")[0] if r["reason"] else "adds too little value "
                    "for its cost") for i, r in out.head(5).iterrows()]
        more = len(out) - len(parts)
        messages.append(f"**Not funded: {len(out)}.** The best ranked: " + "; ".join(parts)
                        + (f"; and {more} more (the table gives every reason)" if more > 0
                           else "") + ".")
    frontier = ranking.attrs.get("frontier")
    if frontier is not None and len(frontier) == 3:
        step = ranking.attrs.get("step", FRONTIER_STEP)
        base = frontier.iloc[1]
        parts = []
        for k, word in ((0, "less"), (2, "more")):
            row = frontier.iloc[k]
            change = row["value"] - base["value"]
            entering, leaving = _moved_ids(base["chosen"], row["chosen"])
            moved = ([f"drops {', '.join(leaving)}"] if leaving else []) + \
                ([f"adds {', '.join(entering)}"] if entering else [])
            parts.append(f"with {step:.0%} {word} budget the best selection is worth "
                         f"{_money(row['value'], c)} ({'+' if change >= 0 else '−'}"
                         f"{_money(abs(change), c)}" + (f"; {', '.join(moved)}" if moved
                                                       else "") + ")")
        messages.append("**Efficient frontier:** " + "; ".join(parts) + ".")
    return _messages(messages)


def _moved_ids(before, after) -> tuple[tuple, tuple]:
    """(entering, leaving) ids between two selections."""
    return (tuple(x for x in after if x not in set(before)),
            tuple(x for x in before if x not in set(after)))


#: Schedule terms of the report, added to the EVM glossary.
_SCHEDULE_TERMS = {
    "Baseline finish": "The finish date in the approved plan",
    "Forecast finish": "When the work is now expected to finish, from the critical path "
                       "schedule at the status date (actual dates for finished work)",
    "Slip": "Working days from the baseline finish to the forecast finish; positive = late",
    "Critical path": "The chain of tasks that sets a project's finish date (the longest "
                     "path): any delay to them delays the project",
    "Float": "How many working days a task can slip before it delays the project",
    "Milestone": "A zero-duration checkpoint: a deliverable or decision",
    "DCMA 14-point": "The US Defense Contract Management Agency's 14 checks of a schedule's "
                     "quality (logic, constraints, float, durations, progress)",
}


#: Resource, dependency and planning terms of the report, added to the glossary.
_PORTFOLIO_TERMS = {
    "Utilisation": "The work asked of a role (or resource) in a month divided by the work it "
                   "can give (its capacity): above 100 % it is over-booked",
    "Unit-day": "One unit of a resource (one person full time) working one working day",
    "Over-allocation": "A run of working days on which a resource is asked for more than its "
                       "capacity; its excess is the demand above the capacity, added up over "
                       "the run [unit-days]",
    "Levelling": "Rescheduling the remaining work so that no resource is over-booked, the "
                 "tasks of lower-priority projects waiting first: the finish dates the "
                 "current resources can support",
    "Handover": "A cross-project link: a task of one project that a task of another project "
                "waits on",
    "Need date": "The latest date a handover can arrive for the waiting task to keep its "
                 "baseline",
    "Margin": "Working days from a handover's forecast to its need date: negative = late, "
              "small = at risk",
    "Weighted score": "A candidate's score out of 100: each criterion's rating, compared "
                      "across the candidates, times the criterion's weight, added up",
    "Mandatory": "A candidate that must be funded (a regulatory or contractual obligation)",
    "Efficient frontier": "The best value a selection of candidates can reach at each budget: "
                          "between its steps, more money buys nothing more",
    "WSJF": "Weighted Shortest Job First (SAFe): cost of delay (business value + time "
            "criticality + risk reduction) ÷ job size; the highest goes first",
}


def glossary() -> Block:
    """The terms of the report: EVM acronyms and RAG (:data:`pmo_lib.evm.GLOSSARY`), the
    schedule terms (baseline and forecast finish, slip, critical path, float, DCMA) and the
    resource, dependency and planning terms (utilisation, over-allocation, levelling, need
    date, margin, efficient frontier, WSJF, ...)."""
    keys = [k for k in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "vac",
                        "rag") if k in GLOSSARY]
    terms = [(k.upper(), GLOSSARY[k]) for k in keys] + list(_SCHEDULE_TERMS.items()) \
        + list(_PORTFOLIO_TERMS.items())
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in terms)
    html = f'<table class="pmo-glossary"><tbody>{rows}</tbody></table>'
    return Block(html, "\n".join(f"{k}: {v}" for k, v in terms))


def _rating_text(t: RagThresholds) -> str:
    index = "SPI(t)" if t.schedule_index == "spi_t" else "SPI"
    text = (f"{index} and CPI green at or above {t.green:.2f}, amber at or above "
            f"{t.amber:.2f}")
    if t.rate_vac:
        text += (f"; VAC / BAC green at or above {t.vac_amber:.0%}, amber at or above "
                 f"{t.vac_red:.0%}")
    return text


def project_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The project rows of :func:`pmo_lib.evm.performance_table`, indexed by ``project_id``
    (what :func:`headline`, :func:`key_messages` and the charts take as ``performance``)."""
    return table.loc["project"].rename_axis("project_id")


def provenance(portfolio: Portfolio, month, thresholds: RagThresholds | None = None, *,
               data: str | os.PathLike | None = None) -> Block:
    """Where the figures come from: data folder or history store, month, thresholds, PMO Kit
    version, time.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        The status month.
    thresholds : RagThresholds, optional
        The RAG rating used.
    data : str or Path, optional
        What the portfolio was read from (:func:`resolve_data`'s result): a history store
        (URL or file) is named with its latest write; otherwise the portfolio's folder.

    Returns
    -------
    Block
        For a store: its URL without the password and its latest write from the audit
        (who, when [UTC], and the month imported).
    """
    t = thresholds or RagThresholds()
    month = parse_month(month)
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    store_url = str(data) if data is not None and _is_store(data) else None
    if store_url is None:
        source = f"the data in {portfolio.path}" if portfolio.path is not None \
            else "tables given in memory"
    else:
        source = f"the history store {_display(store_url)}"
    latest = "" if store_url is None else _latest_write(store_url)
    text = (f"Produced on {when} with PMO Kit {_version()} from {source} "
            f"({portfolio.name}{latest}), status month {month}. RAG rating: {_rating_text(t)}. The "
            "executed notebook beside this page records these parameters.")
    html = f'<p class="pmo-provenance" style="color:#666;font-size:0.85em">{escape(text)}</p>'
    return Block(html, text)


def _latest_write(url: str) -> str:
    """``', last written ... by ... (...)'`` from the store's audit, or ``''``."""
    from . import store

    try:
        audit = store.history(url).audit
    except PMOError:
        return ""
    if audit.empty:
        return ""
    last = audit.iloc[-1]
    what = "portfolio saved" if last["action"] == "save" else (
        f"{last['month']} imported" if last["action"] == "import"
        else f"{last['month']} re-imported")
    return f"; latest write: {what} by {last['user']} on {last['at']:%Y-%m-%d %H:%M} UTC"


# ----------------------------------------------------------------------------------------
# The runner
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportResult:
    """The files of one monthly report.

    Attributes
    ----------
    month : Period
        Status month of the report.
    html : Path
        The report page (no code).
    notebook : Path
        The executed notebook; ``metadata.papermill.parameters`` records the parameters.
    summary : Path
        The JSON summary: headline figures and parameters.
    headline : dict
        The content of ``summary``.
    """

    month: pd.Period
    html: Path
    notebook: Path
    summary: Path
    headline: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def read_headline(notebook) -> dict[str, Any]:
    """The headline figures displayed by an executed report notebook.

    Parameters
    ----------
    notebook : NotebookNode, str or Path
        An executed report notebook.

    Returns
    -------
    dict
        The ``application/json`` output of the cell tagged :data:`HEADLINE_TAG`.

    Raises
    ------
    ReportError
        No such cell or output.
    """
    import nbformat

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) \
        else nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if HEADLINE_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _JSON_MIME in data:
                value = data[_JSON_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    raise ReportError(f"the report notebook has no {_JSON_MIME} output in a cell tagged "
                      f"{HEADLINE_TAG!r}; display report.headline(...) in that cell")


def _check_parameters(source: Path, parameters: Mapping[str, Any]) -> None:
    import papermill

    try:
        declared = papermill.inspect_notebook(str(source))
    except Exception as exc:  # unreadable JSON, not a notebook...
        raise ReportError(f"cannot read the report notebook {source}: "
                          f"{_one_line(str(exc)) or type(exc).__name__}") from exc
    missing = [name for name in parameters if name not in declared]
    if missing:
        raise ReportError(
            f"the report notebook {source} does not declare the parameter"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} in its cell tagged "
            f"'parameters'; it declares: {', '.join(declared) or 'none'}")


@contextmanager
def _kernel_environment() -> Iterator[None]:
    """Environment of the kernel: a non-interactive matplotlib backend (no display needed).

    The notebook selects ``%matplotlib inline`` itself, so its charts are still captured.
    """
    wanted = {"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _execute(source: Path, target: Path, parameters: Mapping[str, Any], kernel_name: str,
             timeout: float | None) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        with _kernel_environment():
            papermill.execute_notebook(
                str(source), str(target), parameters=dict(parameters), kernel_name=kernel_name,
                progress_bar=False, log_output=False, cwd=str(source.parent),
                request_save_on_cell_execute=False, execution_timeout=timeout,
                extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except PapermillExecutionError as exc:
        code = _one_line(exc.source)
        where = f"cell [{exc.exec_count}] ({code[:60]})" if code else f"cell [{exc.exec_count}]"
        raise ReportError(f"the report notebook failed in {where}: {exc.ename}: "
                          f"{_one_line(exc.evalue)}") from exc
    except Exception as exc:  # no such kernel, kernel died, timeout...
        raise ReportError(f"could not run the report notebook {source.name}: "
                          f"{type(exc).__name__}: {_one_line(str(exc))}") from exc


# The page: JupyterLab's template without its JavaScript (no network needed to read it) and
# with our own stylesheet instead of JupyterLab's.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output" data-mime-type="image/svg+xml">
<img src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}"
 alt="{{ cell.metadata.get('alt', 'Chart') | escape_html }}">
</div>
{%- endblock data_svg %}
{%- block notebook_css -%}
<style type="text/css">
""" + r"""
:root { --pmo-blue: #1f4e79; --pmo-text: #1a1a1a; --pmo-muted: #666; --pmo-rule: #d9dee5; }
html { background: #eef1f5; }
body { margin: 0; color: var(--pmo-text); background: #eef1f5;
       font: 15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
             "DejaVu Sans", sans-serif; }
main { max-width: 1040px; margin: 24px auto; background: #fff; padding: 36px 48px 28px;
       box-shadow: 0 1px 4px rgba(0, 0, 0, 0.12); border-radius: 4px; }
.jp-Collapser, .jp-InputPrompt, .jp-OutputPrompt { display: none; }
.jp-Cell { margin: 0; padding: 0; }
h1 { color: var(--pmo-blue); }
h2 { color: var(--pmo-blue); font-size: 1.35em; margin: 1.8em 0 0.4em; padding-top: 0.6em;
     border-top: 1px solid var(--pmo-rule); }
p, li { max-width: 78ch; }
.jp-RenderedMarkdown p { color: #333; margin: 0.4em 0; }
a.anchor-link { display: none; }
.jp-OutputArea-output { overflow-x: auto; margin: 0.4em 0; }
.jp-RenderedImage img, .jp-RenderedSVG img { max-width: 100%; height: auto; display: block;
                                             margin: 0.5em 0; }
table { border-collapse: collapse; font-size: 13px; margin: 0.5em 0; }
table caption { caption-side: bottom; text-align: left; color: var(--pmo-muted);
                font-size: 12px; padding-top: 4px; }
table.pmo-table { width: 100%; font-variant-numeric: tabular-nums; font-size: 12.5px; }
table.pmo-table th, table.pmo-table td { padding: 5px 7px; border-bottom: 1px solid #e6e9ee; }
table.pmo-table thead th { background: var(--pmo-blue); color: #fff; font-weight: 600;
                            text-align: right; white-space: nowrap; }
table.pmo-table thead th.col0, table.pmo-table thead th.col11 { text-align: left; }
table.pmo-table tbody th { text-align: left; color: var(--pmo-muted); font-weight: normal; }
table.pmo-table td { text-align: right; white-space: nowrap; }
table.pmo-table tbody tr:nth-child(even) { background: #f7f9fb; }
table.pmo-table tbody tr:last-child { background: #eef2f7; }
table.pmo-table td.col0 { white-space: normal; min-width: 9em; }
table.pmo-table td.col11 { white-space: normal; min-width: 11em; font-size: 12px;
                           color: #444; }
table.pmo-glossary th { text-align: left; padding: 3px 14px 3px 0; color: var(--pmo-blue);
                        vertical-align: top; white-space: nowrap; }
table.pmo-grid tbody tr:last-child { background: inherit; }
table.pmo-grid tbody tr:nth-child(even):last-child { background: #f7f9fb; }
table.pmo-grid.pmo-total tbody tr:last-child { background: #eef2f7; }
table.pmo-grid thead th { text-align: right; }
table.pmo-grid thead th.col0, table.pmo-grid thead th.col11 { text-align: left; }
table.pmo-grid td.col0 { min-width: 12em; }
table.pmo-grid td.col11 { white-space: nowrap; min-width: 0; font-size: inherit;
                          color: inherit; }
.pmo-note { color: #333; }
table.pmo-glossary td { padding: 3px 0; }
.pmo-legend table, table[id^="T_"]:not(.pmo-table) td,
table[id^="T_"]:not(.pmo-table) th { padding: 5px 10px; border-bottom: 1px solid #e6e9ee; }
table[id^="T_"]:not(.pmo-table) thead { display: none; }
table[id^="T_"]:not(.pmo-table) tbody th { min-width: 5em; text-align: center; }
@media print {
  html, body { background: #fff; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  h2 { break-after: avoid; }
  .jp-Cell { break-inside: avoid; }
}
</style>
{%- endblock notebook_css -%}
"""


def _to_html(nb, page_title: str) -> str:
    """The executed notebook as an HTML page without code, prompts or stderr."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy
    nb.metadata["title"] = page_title
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    exporter = HTMLExporter(
        template_name="lab", template_file="pmo_report.html.j2",
        extra_loaders=[DictLoader({"pmo_report.html.j2": _TEMPLATE})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _publish(files: list[Path], out: Path) -> list[Path]:
    """Move finished files into ``out``, all or nothing as far as the file system allows."""
    created = not out.exists()
    staged: list[tuple[Path, Path]] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for f in files:
            part = out / f".{f.name}.part"
            staged.append((part, out / f.name))
            shutil.copyfile(f, part)
        for part, final in staged:
            os.replace(part, final)
    except OSError as exc:
        for part, _ in staged:
            part.unlink(missing_ok=True)
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise ReportError(f"cannot write the report to {out}: {exc}") from exc
    return [final for _, final in staged]


def run_monthly_report(month: str | pd.Period | None = None,
                       data: str | os.PathLike | None = None,
                       out: str | os.PathLike | None = None, *,
                       thresholds: RagThresholds | None = None,
                       notebook: str | os.PathLike | None = None,
                       kernel_name: str = "python3",
                       timeout: float | None = 600,
                       project: str | None = None) -> ReportResult:
    """Produce the monthly portfolio report: executed notebook, HTML page and JSON figures.

    Parameters
    ----------
    month : str or Period, optional
        Status month ``'YYYY-MM'``; default the latest month with status data.
    data : str or Path, optional
        Portfolio dataset folder, or history store (URL or ``.sqlite`` file: see
        :func:`resolve_data`); default :data:`pmo_lib.SAMPLE_DATA`. From a store, every
        imported month is loaded, so the trend sections compare the store's snapshots.
    out : str or Path, optional
        Output folder, created if needed; default ``reports`` under the current directory.
    thresholds : RagThresholds, optional
        RAG rating (default :data:`REPORT_THRESHOLDS`: SPI(t) and CPI green ≥ 0.95, amber
        ≥ 0.90; VAC / BAC green ≥ −5 %, amber ≥ −10 %).
    notebook : str or Path, optional
        The report notebook (default :data:`REPORT_NOTEBOOK`).
    kernel_name : str
        Jupyter kernel to run it with.
    timeout : float, optional
        Longest a cell may run before the report fails. [s]
    project : str, optional
        Report on this project alone (the notebook's ``project`` parameter, see
        :func:`for_project`); the files are then named
        ``monthly_portfolio_report_<PROJECT>_YYYY-MM.*``. Default: the whole portfolio.

    Returns
    -------
    ReportResult
        Paths of ``monthly_portfolio_report_YYYY-MM.html``, ``.ipynb`` and ``.json`` in
        ``out``, the month, and the headline figures.

    Raises
    ------
    ReportError
        With a one-line message: the data cannot be loaded (names the first problem; a
        missing store file, an unreachable or empty database names the store), the
        month is invalid or has no status data (lists the months that have), ``project`` is
        not in the data (lists the ids), the notebook does not declare a parameter, a cell
        fails (names the cell and its error), or the files cannot be written. No report file
        is left behind.

    Notes
    -----
    Steps: load the data; resolve the month; check the parameter names against
    ``papermill.inspect_notebook``; execute the notebook with papermill in a temporary
    folder (kernel environment ``MPLBACKEND=Agg``); read the headline figures back from the
    cell tagged ``headline``; export HTML without code (nbconvert ``HTMLExporter`` with
    ``exclude_input``); write the JSON; move the three files into ``out``.
    """
    t = thresholds or REPORT_THRESHOLDS
    source = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    if not source.is_file():
        raise ReportError(f"report notebook not found: {source}")
    data_path = resolve_data(data)
    portfolio = _load(data_path)
    status_month = resolve_month(portfolio, month)
    project = "" if project is None else str(project).strip()
    portfolio = for_project(portfolio, project)
    out_dir = Path("reports") if out is None else Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"cannot write the report to {out_dir}: it is a file, not a folder")
    parameters = {"data": str(data_path), "month": str(status_month),
                  "rag_green": float(t.green), "rag_amber": float(t.amber),
                  "rag_schedule_index": t.schedule_index, "rag_rate_vac": bool(t.rate_vac),
                  "rag_vac_amber": float(t.vac_amber), "rag_vac_red": float(t.vac_red)}
    if project:  # only then: a notebook without the parameter still makes portfolio reports
        parameters["project"] = project
    _check_parameters(source, parameters)

    stem = f"{REPORT_NAME}_{_file_part(project)}_{status_month}" if project \
        else f"{REPORT_NAME}_{status_month}"
    with tempfile.TemporaryDirectory(prefix="pmo-report-") as tmp:
        work = Path(tmp)
        executed = work / f"{stem}.ipynb"
        _execute(source, executed, parameters, kernel_name, timeout)
        import nbformat

        nb = nbformat.read(executed, as_version=4)
        figures = read_headline(nb)
        if figures.get("month") != str(status_month):
            raise ReportError(f"the report notebook reported month {figures.get('month')!r}, "
                              f"not {status_month}; check its parameters cell")
        page_title = f"{figures.get('portfolio', portfolio.name)}: monthly portfolio " \
                     f"report {status_month}"
        html = work / f"{stem}.html"
        html.write_text(_to_html(nb, page_title), encoding="utf-8")
        summary = {"report": REPORT_NAME, "pmo_kit": _version(),
                   "parameters": {**parameters, "data": _display(parameters["data"])},
                   **figures}
        summary_path = work / f"{stem}.json"
        summary_path.write_text(json.dumps(_json_safe(summary), indent=2, allow_nan=False)
                                + "\n", encoding="utf-8")
        nb_out, html_out, json_out = _publish([executed, html, summary_path], out_dir)
    return ReportResult(month=status_month, html=html_out, notebook=nb_out, summary=json_out,
                        headline=summary)


def _file_part(text: str) -> str:
    """``text`` safe in a file name on every system: other characters become ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def _json_safe(value):
    """NaN and infinities as None, numpy scalars as Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
