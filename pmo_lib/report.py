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
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import plots
from .errors import DataValidationError, PMOError, ReportError
from .evm import GLOSSARY, RAG_COLOURS, RAG_LEVELS, RagThresholds, rag_counts, rag_status
from .model import Portfolio, load_portfolio, parse_month

__all__ = [
    "HEADLINE_TAG",
    "PARAMETERS",
    "REPORT_NAME",
    "REPORT_NOTEBOOK",
    "TABLE_COLUMNS",
    "Block",
    "Headline",
    "ReportResult",
    "glossary",
    "headline",
    "key_messages",
    "project_table",
    "provenance",
    "read_headline",
    "resolve_data",
    "resolve_month",
    "run_monthly_report",
    "title",
]

#: The report notebook the runner executes.
REPORT_NOTEBOOK = (Path(__file__).resolve().parent.parent / "notebooks" / "reports"
                   / "monthly_portfolio_report.ipynb")
#: Stem of the report files: ``monthly_portfolio_report_YYYY-MM.{ipynb,html,json}``.
REPORT_NAME = "monthly_portfolio_report"
#: The parameters the runner passes to the notebook (checked against its parameters cell).
PARAMETERS = ("data", "month", "rag_green", "rag_amber")
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


def resolve_data(data: str | os.PathLike | None = None) -> Path:
    """The data folder of a report: ``data``, or the bundled sample when empty or None.

    Parameters
    ----------
    data : str or Path, optional
        A portfolio dataset folder; ``""`` or None means :data:`pmo_lib.SAMPLE_DATA`.

    Returns
    -------
    Path
        Absolute path (relative paths are taken from the current directory).

    Examples
    --------
    >>> from pmo_lib import SAMPLE_DATA
    >>> resolve_data("") == SAMPLE_DATA
    True
    """
    if data is None or str(data).strip() == "":
        return _sample_data()
    return Path(data).expanduser().resolve()


def _load(path: Path) -> Portfolio:
    """load_portfolio with its errors turned into a one-line ReportError."""
    try:
        return load_portfolio(path)
    except DataValidationError as exc:
        n = len(exc.problems)
        first = str(exc.problems[0]) if n else _one_line(str(exc))
        more = (f" (and {n - 1} more problem{'s' if n > 2 else ''}; "
                f"run 'pmo validate {path}' to list them all)") if n > 1 else ""
        raise ReportError(f"cannot load the portfolio data: {first}{more}") from exc
    except PMOError as exc:
        raise ReportError(f"cannot load the portfolio data in {path}: "
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: month and date as text, NaN as None."""
        out: dict[str, Any] = {
            "portfolio": self.portfolio,
            "month": str(self.month),
            "status_date": self.status_date.date().isoformat(),
            "currency": self.currency,
            "projects": int(self.projects),
        }
        for name in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "vac",
                     "percent_planned", "percent_complete", "percent_spent"):
            out[name] = _finite(getattr(self, name))
        out |= {"rag": self.rag, "spi_rag": self.spi_rag, "cpi_rag": self.cpi_rag,
                "rag_counts": {k: int(v) for k, v in self.rag_counts.items()},
                "rag_green": float(self.rag_green), "rag_amber": float(self.rag_amber)}
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
             thresholds: RagThresholds | None = None) -> Headline:
    """The headline figures of the report.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period
        Status month.
    performance : DataFrame
        :func:`pmo_lib.evm.project_performance` for that month.
    total : DataFrame
        :func:`pmo_lib.evm.rollup` of ``performance`` (one row: sums first, then indices).
    thresholds : RagThresholds, optional
        Those used for ``performance`` and ``total`` (default ``RagThresholds()``).

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
    )


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


def glossary() -> Block:
    """The terms of the report (EVM acronyms and RAG), from :data:`pmo_lib.evm.GLOSSARY`."""
    keys = [k for k in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "vac",
                        "rag") if k in GLOSSARY]
    rows = "".join(f"<tr><th>{k.upper()}</th><td>{escape(GLOSSARY[k])}</td></tr>"
                   for k in keys)
    html = f'<table class="pmo-glossary"><tbody>{rows}</tbody></table>'
    return Block(html, "\n".join(f"{k.upper()}: {GLOSSARY[k]}" for k in keys))


def provenance(portfolio: Portfolio, month, thresholds: RagThresholds | None = None) -> Block:
    """Where the figures come from: data folder, month, thresholds, PMO Kit version, time."""
    t = thresholds or RagThresholds()
    month = parse_month(month)
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    text = (f"Produced on {when} with PMO Kit {_version()} from the data in {portfolio.path} "
            f"({portfolio.name}), status month {month}. RAG thresholds: green at or above "
            f"{t.green:.2f}, amber at or above {t.amber:.2f}. The executed notebook beside "
            "this page records these parameters.")
    html = f'<p class="pmo-provenance" style="color:#666;font-size:0.85em">{escape(text)}</p>'
    return Block(html, text)


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
                        vertical-align: top; }
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
                       timeout: float | None = 600) -> ReportResult:
    """Produce the monthly portfolio report: executed notebook, HTML page and JSON figures.

    Parameters
    ----------
    month : str or Period, optional
        Status month ``'YYYY-MM'``; default the latest month with status data.
    data : str or Path, optional
        Portfolio dataset folder; default :data:`pmo_lib.SAMPLE_DATA`.
    out : str or Path, optional
        Output folder, created if needed; default ``reports`` under the current directory.
    thresholds : RagThresholds, optional
        RAG thresholds (default ``RagThresholds()``: green ≥ 0.95, amber ≥ 0.90).
    notebook : str or Path, optional
        The report notebook (default :data:`REPORT_NOTEBOOK`).
    kernel_name : str
        Jupyter kernel to run it with.
    timeout : float, optional
        Longest a cell may run before the report fails. [s]

    Returns
    -------
    ReportResult
        Paths of ``monthly_portfolio_report_YYYY-MM.html``, ``.ipynb`` and ``.json`` in
        ``out``, the month, and the headline figures.

    Raises
    ------
    ReportError
        With a one-line message: the data cannot be loaded (names the first problem), the
        month is invalid or has no status data (lists the months that have), the notebook does
        not declare a parameter, a cell fails (names the cell and its error), or the files
        cannot be written. No report file is left behind.

    Notes
    -----
    Steps: load the data; resolve the month; check the parameter names against
    ``papermill.inspect_notebook``; execute the notebook with papermill in a temporary
    folder (kernel environment ``MPLBACKEND=Agg``); read the headline figures back from the
    cell tagged ``headline``; export HTML without code (nbconvert ``HTMLExporter`` with
    ``exclude_input``); write the JSON; move the three files into ``out``.
    """
    t = thresholds or RagThresholds()
    source = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    if not source.is_file():
        raise ReportError(f"report notebook not found: {source}")
    data_path = resolve_data(data)
    portfolio = _load(data_path)
    status_month = resolve_month(portfolio, month)
    out_dir = Path("reports") if out is None else Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"cannot write the report to {out_dir}: it is a file, not a folder")
    parameters = {"data": str(data_path), "month": str(status_month),
                  "rag_green": float(t.green), "rag_amber": float(t.amber)}
    _check_parameters(source, parameters)

    stem = f"{REPORT_NAME}_{status_month}"
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
        summary = {"report": REPORT_NAME, "pmo_kit": _version(), "parameters": parameters,
                   **figures}
        summary_path = work / f"{stem}.json"
        summary_path.write_text(json.dumps(_json_safe(summary), indent=2, allow_nan=False)
                                + "\n", encoding="utf-8")
        nb_out, html_out, json_out = _publish([executed, html, summary_path], out_dir)
    return ReportResult(month=status_month, html=html_out, notebook=nb_out, summary=json_out,
                        headline=summary)


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
