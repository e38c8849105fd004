"""Excel workbooks: export the portfolio and the report tables, read a portfolio back.

* :func:`write_excel` writes a whole :class:`~pmo_lib.model.Portfolio` to an ``.xlsx``
  workbook: a ``README`` sheet (the portfolio's name, currency and work week, then the data
  dictionary of every column: table, column, type, unit, required, description), then one
  sheet per table of :data:`~pmo_lib.model.SCHEMAS`, named as the table (the required
  tables always, the optional ones when they have rows).
* :func:`read_excel` reads such a workbook back with :func:`pmo_lib.model.from_tables`, so
  it passes the same checks as a dataset folder; every error names the file, the sheet, the
  row (as Excel numbers it: header = row 1) and the ID at fault.
* :func:`write_report_tables` writes report tables (DataFrames, or the Stylers of
  :mod:`pmo_lib.report`, whose data is taken) one per sheet, and :func:`report_workbook`
  builds the monthly report's main tables and writes them.

Format
------
Every table sheet has a bold, shaded, frozen header row, an autofilter over its data and
column widths fitted to the content (8 to 60 characters); the ``README`` sheet has the
settings on top and an autofilter over the data dictionary. Dates are real Excel dates shown
``yyyy-mm-dd``; money (unit ``cur``, ``cur/d``) has thousands separators (``#,##0.00``);
percent columns (0–100, unit ``%``) are shown with a ``%`` sign without being rescaled;
fractions (unit ``frac``, e.g. probability) use Excel's percent format; booleans are
Excel booleans (TRUE/FALSE); list columns (``affected_tasks``, ``requires`` ...) are their IDs
joined with ``;`` as in the CSV files; blanks (None, NaN, NaT) are empty cells.

Formula injection
-----------------
Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP
"CSV injection" triggers, :data:`FORMULA_TRIGGERS`) could run as a formula when a user
opens or edits the workbook. Every text cell is written as a string cell (never a
formula: openpyxl would otherwise store ``"=..."`` as a live formula), and a text cell
starting with a trigger also carries Excel's *quote prefix* (``quotePrefix``, what Excel
records when a user types a leading apostrophe), so Excel shows it as text and keeps it as
text when the cell is edited. The text itself is not changed, so :func:`read_excel` gives
back the original exactly. Numbers, including negative ones, stay numbers. Control
characters and literal ``_xHHHH_`` sequences are stored with the OOXML escapes Excel
uses (``_x000D_`` ...), so carriage returns survive the round trip.

Notes
-----
Numbers are stored with 16 significant digits (openpyxl's writer): amounts with up to 15
significant digits, which is all the data files hold, come back exactly; the last bit of
a computed float may not. A workbook read back holds values only: a formula cell is an
error (paste values instead), since its result is only known to a spreadsheet program.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    DataValidationError,
    MissingDataError,
    PMOError,
    Problem,
    ReportError,
)
from ..model import SCHEMAS, Portfolio, from_tables

__all__ = [
    "FORMULA_TRIGGERS",
    "README_SHEET",
    "TOP_RISKS",
    "read_excel",
    "report_workbook",
    "write_excel",
    "write_report_tables",
]

#: First characters that make a spreadsheet read text as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: How many risks the ``Top risks`` sheet of :func:`report_workbook` lists.
TOP_RISKS = 10
#: Name of the sheet holding the portfolio's settings and the data dictionary.
README_SHEET = "README"

_DATE_FORMAT = "yyyy-mm-dd"
_MONEY_FORMAT = "#,##0.00"
_UNIT_FORMATS = {"cur": _MONEY_FORMAT, "cur/d": _MONEY_FORMAT, "%": '0.0"%"',
                 "frac": "0.0%"}
_UNIT_NAMES = {"d": "working days", "cur": "currency", "%": "percent (0-100)",
               "frac": "fraction 0-1", "cur/d": "currency per working day",
               "units": "resource units", "pt": "story points", "": ""}
# Report columns (pmo_lib.report / evm) by kind, for their number formats.
_REPORT_MONEY = frozenset({
    "bac", "pv", "ev", "ac", "sv", "cv", "eac", "etc", "vac", "budget", "cost", "value",
    "emv", "cost_impact", "actual_cost", "exposure", "contingency", "reserve", "cost_rate"})
_REPORT_PERCENT = frozenset({"percent_complete", "percent_spent"})
_REPORT_FRACTION = frozenset({"probability"})
_REPORT_RATIO = frozenset({"spi", "cpi", "tcpi", "spi_t"})
_REPORT_FORMATS = ({c: _MONEY_FORMAT for c in _REPORT_MONEY}
                   | {c: '0.0"%"' for c in _REPORT_PERCENT}
                   | {c: "0.0%" for c in _REPORT_FRACTION}
                   | {c: "0.00" for c in _REPORT_RATIO})

_MIN_WIDTH, _MAX_WIDTH = 8, 60
_SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold or normalises away (CR), and literal OOXML escapes.
_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SETTINGS = ("name", "currency", "workweek")


# ----------------------------------------------------------------------------------------
# Cells
# ----------------------------------------------------------------------------------------
def _escape_text(text: str) -> str:
    """Text as an OOXML string: control characters and ``_`` of a literal ``_xHHHH_``
    become ``_xHHHH_`` escapes (ECMA-376 ST_Xstring), as Excel writes them."""
    return _ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _unescape_text(text: str) -> str:
    """The inverse of :func:`_escape_text` (one pass, so ``_x005F_x0041_`` → ``_x0041_``)."""
    if "_x" not in text:
        return text
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _is_dangerous(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    return text[:1] in FORMULA_TRIGGERS or text.lstrip()[:1] in FORMULA_TRIGGERS[:4]


def _cell_value(value: Any) -> Any:
    """A Python value openpyxl can store: None, bool, int, float, datetime or str."""
    if value is None:
        return None
    if isinstance(value, (tuple, list, set, frozenset)):
        return ";".join(str(x) for x in value) or None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, np.datetime64, dt.datetime, dt.date)):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.to_pydatetime()
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if np.isnan(x):
            return None
        return x if np.isfinite(x) else ("inf" if x > 0 else "-inf")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


class _SheetWriter:
    """Writes one formatted table to a write-only worksheet."""

    def __init__(self, workbook, title: str):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = workbook.create_sheet(title)
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="DDE4EE")
        self.header_border = Border(bottom=Side(style="thin"))
        self.header_align = Alignment(vertical="top", wrap_text=True)

    def _cell(self, value: Any, number_format: str | None = None):
        from openpyxl.cell import WriteOnlyCell

        value = _cell_value(value)
        if isinstance(value, str):
            cell = WriteOnlyCell(self.ws)
            # Never a formula: set the text as a string cell, bypassing openpyxl's "=" check.
            cell._value, cell.data_type = _escape_text(value), "s"
            if _is_dangerous(value):
                cell.quotePrefix = True
            return cell
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, dt.datetime):
            cell.number_format = _DATE_FORMAT
        elif number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.number_format = number_format
        return cell

    def write(self, frame: pd.DataFrame, formats: Mapping[str, str]) -> None:
        """Write ``frame`` (header row, then one row per record) with its formats."""
        from openpyxl.utils import get_column_letter

        columns = [str(c) for c in frame.columns]
        widths = [len(c) + 2 for c in columns]
        rows = []
        for values in frame.itertuples(index=False, name=None):
            row = []
            for j, v in enumerate(values):
                v = _cell_value(v)
                width = 12 if isinstance(v, dt.datetime) else \
                    len(f"{v:,.2f}") + 1 if isinstance(v, float) else len(str(v or "")) + 2
                widths[j] = max(widths[j], min(width, _MAX_WIDTH))
                row.append(v)
            rows.append(row)
        for j, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(j)].width = \
                max(_MIN_WIDTH, min(width, _MAX_WIDTH))
        if columns:
            self.ws.freeze_panes = "A2"
            last = get_column_letter(len(columns))
            self.ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
        header = []
        for name in columns:
            cell = self._cell(name)
            cell.font, cell.fill = self.header_font, self.header_fill
            cell.border, cell.alignment = self.header_border, self.header_align
            header.append(cell)
        self.ws.append(header)
        column_formats = [formats.get(c) for c in columns]
        for row in rows:
            self.ws.append([self._cell(v, f) for v, f in zip(row, column_formats, strict=True)])


def _workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _save(workbook, path: Path) -> Path:
    try:
        workbook.save(path)
    except OSError as exc:
        raise DataValidationError(Problem(str(path), None, None, None,
                                          f"cannot be written: {exc}")) from None
    return path


# ----------------------------------------------------------------------------------------
# The portfolio
# ----------------------------------------------------------------------------------------
def _table(portfolio: Portfolio, name: str) -> pd.DataFrame:
    return getattr(portfolio, "holidays" if name == "calendar" else name)


def _dictionary_rows() -> list[list[str]]:
    rows = []
    for s in SCHEMAS.values():
        for c in s.columns:
            kind = c.kind if c.kind != "choice" else "one of " + ", ".join(c.choices)
            need = "yes" if c.required and s.required else "yes (in the sheet)" \
                if c.required else "no" if c.default is None else f"no (default {c.default})"
            if c.nullable:
                need += ", may be blank"
            rows.append([s.name, c.name, kind, _UNIT_NAMES.get(c.unit, c.unit), need,
                         c.description])
    return rows


def _write_readme(workbook, portfolio: Portfolio) -> None:
    from openpyxl.styles import Font

    from .. import __version__

    sheet = _SheetWriter(workbook, README_SHEET)
    ws, bold = sheet.ws, Font(bold=True)
    for letter, width in zip("ABCDEF", (18, 22, 30, 22, 22, 80), strict=True):
        ws.column_dimensions[letter].width = width
    settings = [("name", portfolio.name), ("currency", portfolio.currency),
                ("workweek", " ".join(portfolio.calendar.workweek)),
                ("written by", f"PMO Kit {__version__}"),
                ("tables", "one sheet per table, named as the table; rows as in the CSV "
                 "files of a dataset folder (pmo_lib.load_portfolio)")]
    dictionary = _dictionary_rows()
    top = len(settings) + 2  # the dictionary's header row
    ws.auto_filter.ref = f"A{top}:F{top + len(dictionary)}"
    for key, value in settings:
        cell = sheet._cell(key)
        cell.font = bold
        ws.append([cell, sheet._cell(value)])
    ws.append([])
    header = []
    for name in ("table", "column", "type", "unit", "required", "description"):
        cell = sheet._cell(name)
        cell.font, cell.fill = sheet.header_font, sheet.header_fill
        header.append(cell)
    ws.append(header)
    for row in dictionary:
        ws.append([sheet._cell(v) for v in row])


def write_excel(portfolio: Portfolio, path: str | Path) -> Path:
    """Write a whole portfolio to a formatted Excel workbook.

    Parameters
    ----------
    portfolio : Portfolio
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists).

    Returns
    -------
    Path
        ``path``. The workbook holds a ``README`` sheet (settings ``name``, ``currency``,
        ``workweek``, then the data dictionary: ``table``, ``column``, ``type``, ``unit``,
        ``required``, ``description``) and one sheet per table of
        :data:`~pmo_lib.model.SCHEMAS` that is required or has rows, named as the table,
        with the table's columns (the user's own extra columns after them).

    Raises
    ------
    DataValidationError
        The file cannot be written.

    Notes
    -----
    Text cells are never formulas; text beginning with one of :data:`FORMULA_TRIGGERS`
    is quote-prefixed (see the module notes). :func:`read_excel` reads the file back to
    the same tables.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pmo_lib import load_portfolio
    >>> pf = load_portfolio("tests/data/mini")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = write_excel(pf, pathlib.Path(tmp) / "mini.xlsx")
    ...     again = read_excel(book)
    >>> again.name == pf.name, again.tasks["id"].tolist() == pf.tasks["id"].tolist()
    (True, True)
    """
    path = Path(path)
    workbook = _workbook()
    _write_readme(workbook, portfolio)
    for name, schema in SCHEMAS.items():
        frame = _table(portfolio, name)
        if frame is None or (frame.empty and not schema.required):
            continue
        formats = {c.name: _DATE_FORMAT if c.kind == "date" else "0" if c.kind == "int"
                   else _UNIT_FORMATS.get(c.unit) for c in schema.columns}
        _SheetWriter(workbook, name).write(frame, {k: v for k, v in formats.items() if v})
    return _save(workbook, path)


def _open(path: Path):
    """The workbook at ``path`` (read-only), or a PMOError naming the file."""
    from openpyxl import load_workbook

    if not path.is_file():
        raise MissingDataError(Problem(str(path), None, None, None,
                                       "workbook not found" if not path.exists()
                                       else "is not a file"))
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except PMOError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, XML errors ...
        reason = "not a zip archive" if isinstance(exc, zipfile.BadZipFile) else \
            f"{type(exc).__name__}: {exc}"
        raise DataValidationError(Problem(
            str(path), None, None, None,
            f"cannot be read as an Excel workbook (.xlsx) ({reason}); save it from Excel "
            "as 'Excel Workbook (*.xlsx)'")) from None


def _read_sheet(ws, source: str, table: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    """One sheet as a DataFrame of Python values (row i = Excel row i + 2) and the
    formula cells found in it."""
    from openpyxl.utils import get_column_letter

    rows, formulas = [], []
    for r, cells in enumerate(ws.iter_rows(), start=1):
        row = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.append((r, len(row)))
            if isinstance(value, str):
                value = _unescape_text(value)
            elif isinstance(value, dt.datetime):
                value = pd.Timestamp(value)
            row.append(value)
        rows.append(row)
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        return pd.DataFrame(), []
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    header = [("" if h is None else str(h)).strip() for h in rows[0]]
    keep = [j for j in range(width)
            if header[j] or any(r[j] is not None for r in rows[1:])]
    names = [header[j] or f"column {get_column_letter(j + 1)}" for j in keep]
    frame = pd.DataFrame([[r[j] for j in keep] for r in rows[1:]], columns=names,
                         dtype=object)
    frame.index = pd.RangeIndex(len(frame))
    problems = []
    if formulas:
        schema = SCHEMAS.get(table) if table else None
        labels = schema.label(frame) if schema is not None and schema.label else None
        for r, j in formulas:
            name = header[j] if j < len(header) else get_column_letter(j + 1)
            label = None if r == 1 or labels is None else labels.iloc[r - 2]
            problems.append(Problem(
                source, r, None if label is None or pd.isna(label) else str(label),
                name or get_column_letter(j + 1),
                f"cell {get_column_letter(j + 1)}{r} holds a formula; PMO Kit reads values "
                "only: copy the cells and paste them as values"))
    return frame, problems


def _settings(ws) -> dict[str, str]:
    """``name``, ``currency``, ``workweek`` from the top of the README sheet."""
    found: dict[str, str] = {}
    for cells in ws.iter_rows(max_col=2, values_only=True):
        key = cells[0] if cells else None
        if key is None:
            break
        value = cells[1] if len(cells) > 1 else None
        if str(key).strip().lower() in _SETTINGS and value is not None:
            found[str(key).strip().lower()] = _unescape_text(str(value)).strip()
    return found


def _rename_problems(exc: DataValidationError, files: Mapping[str, str]) -> DataValidationError:
    """The same error with each table's ``<source>/<table>.csv`` named as its sheet."""
    problems = [Problem(files.get(p.file, p.file), p.row, p.id, p.column, p.message)
                for p in exc.problems]
    return type(exc)(problems)


def read_excel(path: str | Path) -> Portfolio:
    """Read a portfolio workbook (as :func:`write_excel` writes it) into a Portfolio.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` workbook with one sheet per table, named as the tables of
        :data:`~pmo_lib.model.SCHEMAS` (case and surrounding spaces ignored; ``projects``
        and ``tasks`` required), the header in row 1. Other sheets are ignored; the
        ``README`` sheet gives the portfolio's ``name``, ``currency`` and ``workweek``
        (default: the file's stem, EUR, Monday to Friday).

    Returns
    -------
    Portfolio
        Built with :func:`pmo_lib.model.from_tables` (``path`` None), so it passed every
        check of :func:`pmo_lib.load_portfolio`.

    Raises
    ------
    MissingDataError
        The file, a required sheet or a required column is missing.
    DataValidationError
        The file is not an ``.xlsx`` workbook (a binary, corrupt or truncated file), a cell
        holds a formula, or a value fails a check (a negative duration, an unknown choice
        ...). Messages name the file, the sheet, the row (header = row 1) and the ID:
        ``"plan.xlsx, sheet 'tasks', row 3, ID 'T2', column 'duration': ..."``.
    UnknownReferenceError
        A reference to an unknown ID.
    """
    path = Path(path)
    source = str(path)
    workbook = _open(path)
    try:
        sheets = {str(title).strip().lower(): title for title in workbook.sheetnames}
        where = {name: f"{source}, sheet {sheets.get(name, name)!r}" for name in SCHEMAS}
        missing = [n for n, s in SCHEMAS.items() if s.required and n not in sheets]
        if missing:
            raise MissingDataError([Problem(where[n], None, None, None,
                                            f"sheet not found; a portfolio needs the sheets "
                                            f"{', '.join(n for n, s in SCHEMAS.items() if s.required)}"
                                            f"; the workbook has {', '.join(workbook.sheetnames)}")
                                    for n in missing])
        settings = (_settings(workbook[sheets[README_SHEET.lower()]])
                    if README_SHEET.lower() in sheets else {})
        tables, problems = {}, []
        for name in SCHEMAS:
            if name in sheets:
                tables[name], found = _read_sheet(workbook[sheets[name]], where[name], name)
                problems += found
    except PMOError:
        raise
    except Exception as exc:  # a sheet that cannot be parsed (corrupt XML inside the zip)
        raise DataValidationError(Problem(source, None, None, None,
                                          f"cannot be read as an Excel workbook (.xlsx): "
                                          f"{type(exc).__name__}: {exc}")) from None
    finally:
        workbook.close()
    if problems:
        raise DataValidationError(problems)
    workweek = settings.get("workweek")
    files = {str(Path(source) / schema.file): where[name] for name, schema in SCHEMAS.items()}
    try:
        return from_tables(tables, name=settings.get("name") or path.stem,
                           currency=settings.get("currency") or "EUR",
                           workweek=workweek.replace(",", " ").split() if workweek else None,
                           source=source)
    except DataValidationError as exc:
        raise _rename_problems(exc, files) from None


# ----------------------------------------------------------------------------------------
# Report tables
# ----------------------------------------------------------------------------------------
def _sheet_name(key: str, taken: set[str]) -> str:
    """A valid, unique (ignoring case) Excel sheet name for ``key``, at most 31 chars."""
    base = _BAD_SHEET_CHARS.sub("_", _escape_text(str(key))).strip().strip("'").strip()
    base = base or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base += "_"
    name, n = base[:_SHEET_NAME_MAX].rstrip(), 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:_SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    taken.add(name.lower())
    return name


def _report_frame(key: str, table: Any) -> pd.DataFrame:
    """A report table as a flat DataFrame: a Styler's data (without hidden rows/columns),
    a meaningful index as leading columns, MultiIndex columns joined with " / "."""
    from pandas.io.formats.style import Styler

    if isinstance(table, Styler):
        frame = table.data
        hidden_rows = sorted(getattr(table, "hidden_rows", []) or [])
        hidden_cols = sorted(getattr(table, "hidden_columns", []) or [])
        if hidden_rows:
            frame = frame.drop(index=frame.index[hidden_rows])
        if hidden_cols:
            frame = frame.drop(columns=frame.columns[hidden_cols])
    elif isinstance(table, pd.DataFrame):
        frame = table
    elif isinstance(table, pd.Series):
        frame = table.to_frame()
    else:
        raise ReportError(f"report table {key!r} is a {type(table).__name__}; give a "
                          "DataFrame or a pandas Styler")
    frame = frame.copy()
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" / ".join(str(x) for x in c if str(x)) for c in frame.columns]
    plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    if not plain:
        names = [n if n is not None else ("index" if frame.index.nlevels == 1 else f"level_{i}")
                 for i, n in enumerate(frame.index.names)]
        frame.index = frame.index.set_names(names)
        clash = [n for n in names if n in frame.columns]
        frame = frame.reset_index(drop=bool(clash))
    return frame


def write_report_tables(tables: Mapping[str, Any], path: str | Path) -> Path:
    """Write report tables to a formatted Excel workbook, one sheet per table.

    Parameters
    ----------
    tables : mapping of str → DataFrame or Styler
        Sheet title → table, in sheet order. A Styler (e.g.
        :func:`pmo_lib.report.indicator_table`) contributes its data, without its hidden
        rows and columns. A named or multi-level index is written as leading columns.
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        ``path``. Sheet names are the keys made valid for Excel (no ``[]:*?/\\``, at most
        31 characters) and unique (``" (2)"`` ... appended).

    Raises
    ------
    ReportError
        A value is neither a DataFrame nor a Styler.
    DataValidationError
        The file cannot be written.

    Notes
    -----
    Money columns of the report (``bac``, ``ev``, ``eac``, ``emv`` ...) get thousands
    separators, ``percent_*`` columns a ``%`` sign, ``probability`` the percent format,
    the indices (``spi``, ``cpi`` ...) two decimals; infinite values are written as the
    text ``inf``. Text cells are neutralised as in :func:`write_excel`.
    """
    path = Path(path)
    frames = {key: _report_frame(key, table) for key, table in tables.items()}
    workbook = _workbook()
    taken: set[str] = set()
    for key, frame in frames.items():
        _SheetWriter(workbook, _sheet_name(key, taken)).write(frame, _REPORT_FORMATS)
    if not frames:
        workbook.create_sheet("Empty")
    return _save(workbook, path)


def report_workbook(portfolio: Portfolio, month: str | pd.Period | None,
                    path: str | Path) -> Path:
    """Write the monthly report's main tables to an Excel workbook.

    Parameters
    ----------
    portfolio : Portfolio
    month : str or Period, optional
        Status month ``'YYYY-MM'``; None = the latest month with status data.
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        ``path``, with the sheets ``About`` (portfolio, month, data date, currency),
        ``Project indicators`` (:func:`pmo_lib.evm.performance_table`: projects,
        programmes, portfolio), ``Schedule status`` (:func:`pmo_lib.report.schedule_status`),
        ``Top risks`` (the :data:`TOP_RISKS` open risks of largest EMV,
        :func:`pmo_lib.risk.top_risks` of :func:`pmo_lib.report.risk_register`), ``Over-allocations`` (:func:`pmo_lib.report.overallocation_runs`),
        ``Links at risk`` (the late or at-risk links of
        :func:`pmo_lib.report.dependencies`, smallest margin first) and, when the portfolio
        has candidates, ``Candidate ranking`` (:func:`pmo_lib.report.candidate_ranking`).

    Raises
    ------
    ReportError
        The month is not a month with status data.
    """
    from .. import evm, report
    from ..schedule import schedule_portfolio

    now = report.resolve_month(portfolio, month)
    forecast = schedule_portfolio(portfolio, now)
    builders: dict[str, Callable[[], pd.DataFrame]] = {
        "Project indicators": lambda: evm.performance_table(portfolio, now),
        "Schedule status": lambda: report.schedule_status(
            portfolio, forecast, report.previous_schedule(portfolio, now)),
        "Top risks": lambda: _top_risks(report.risk_register(portfolio, now)),
        "Over-allocations": lambda: report.overallocation_runs(portfolio, now,
                                                               schedule=forecast),
        "Links at risk": lambda: _links_at_risk(report.dependencies(portfolio, now)),
    }
    if portfolio.candidates is not None and not portfolio.candidates.empty:
        builders["Candidate ranking"] = lambda: report.candidate_ranking(portfolio)
    about = pd.DataFrame({
        "item": ["portfolio", "status month", "data date", "currency", "written by"],
        "value": [portfolio.name, str(now), portfolio.status_date(now), portfolio.currency,
                  "PMO Kit pmo_lib.io.report_workbook"]})
    return write_report_tables({"About": about} | {k: f() for k, f in builders.items()}, path)


def _top_risks(register: pd.DataFrame, n: int = TOP_RISKS) -> pd.DataFrame:
    """The ``n`` open risks of largest EMV, as the report's risk table shows them."""
    from .. import risk

    live = register[register["state"] == "open"] if len(register) else register
    return live if live.empty else risk.top_risks(live, n, by="emv")


def _links_at_risk(links: pd.DataFrame) -> pd.DataFrame:
    if links.empty or "status" not in links:
        return links
    risky = links[links["status"].isin(("late", "at risk"))]
    return risky.sort_values(["margin", "pred_task", "succ_task"],
                             kind="stable").reset_index(drop=True)
