"""Batch reports: the portfolio report and one report per project, in parallel.

:func:`run_reports` runs :func:`pmo_lib.report.run_monthly_report` once for the whole
portfolio and once per project (the notebook's ``project`` parameter, see
:func:`pmo_lib.report.for_project`), each in its own process, and returns a
:class:`BatchResult`: one :class:`ReportOutcome` per report, ``ok`` or failed with a one-line
reason. A failing report does not stop the others. :func:`write_index` writes ``index.html``
linking the reports with their status.

Where the reports run:

* ``workers=1``: one after the other in this process (each report still runs its notebook in
  its own Jupyter kernel);
* otherwise local processes: a :class:`concurrent.futures.ProcessPoolExecutor` with the
  ``spawn`` start method (``workers`` processes, default :func:`os.cpu_count`);
* ``scheduler='tcp://host:port'``: the same tasks submitted to that Dask cluster with
  ``distributed.Client(scheduler)``; its workers need PMO Kit installed and must see the data
  folder and the output folder at the same paths (a shared file system).

Every task is a call of the module-level function ``_run_one`` with plain arguments (paths
as text, the month as ``'YYYY-MM'``), so it pickles for ``spawn`` and for Dask alike.

Example (not run as a doctest: it starts Jupyter kernels)::

    from pmo_lib import batch
    result = batch.run_reports("2026-10", out="reports", workers=2)
    batch.write_index(result, "reports")      # reports/index.html
    [r.project for r in result.failed]        # the reports that failed, if any
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from .errors import PMOError, ReportError
from .evm import RagThresholds

__all__ = ["INDEX_NAME", "BatchResult", "ReportOutcome", "run_reports", "write_index"]

#: File name of the index page :func:`write_index` writes into the output folder.
INDEX_NAME = "index.html"


@dataclass(frozen=True)
class ReportOutcome:
    """How one report of a batch went.

    Attributes
    ----------
    project : str or None
        The project id; None for the portfolio report.
    name : str
        What the report covers: the portfolio's name, or the project's name.
    path : Path or None
        The HTML report; None when it failed.
    seconds : float
        Wall-clock time of the report, in its worker. [s]
    error : str or None
        One-line reason of the failure; None when it succeeded.
    """

    project: str | None
    name: str
    path: Path | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the report was written."""
        return self.error is None


@dataclass(frozen=True)
class BatchResult:
    """The reports of one batch, the portfolio report first, then the projects in order.

    Attributes
    ----------
    month : str
        The status month of every report, ``'YYYY-MM'``.
    portfolio : str
        Portfolio name.
    data : Path or str
        The data folder, or the history store (its URL without the password).
    out : Path
        The output folder.
    reports : tuple of ReportOutcome
    seconds : float
        Wall-clock time of the whole batch. [s]
    """

    month: str
    portfolio: str
    data: Path | str
    out: Path
    reports: tuple[ReportOutcome, ...]
    seconds: float

    @property
    def failed(self) -> tuple[ReportOutcome, ...]:
        """The reports that failed."""
        return tuple(r for r in self.reports if not r.ok)

    @property
    def ok(self) -> bool:
        """True when every report was written."""
        return not self.failed


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _run_one(task: dict[str, Any]) -> ReportOutcome:
    """Run one report (in a worker process); every error becomes the outcome's reason."""
    from .report import run_monthly_report

    start = time.perf_counter()
    path, error = None, None
    try:
        result = run_monthly_report(
            task["month"], task["data"], task["out"], thresholds=task["thresholds"],
            notebook=task["notebook"], timeout=task["timeout"], project=task["project"])
        path = Path(result.html)
    except PMOError as exc:
        error = _one_line(exc) or type(exc).__name__
    except Exception as exc:  # a worker must report, not die: the batch goes on
        error = f"{type(exc).__name__}: {_one_line(exc)}"
    return ReportOutcome(project=task["project"], name=task["name"], path=path,
                         seconds=time.perf_counter() - start, error=error)


def _run_quietly(task: dict[str, Any]) -> ReportOutcome:
    """:func:`_run_one` in a local worker process, its standard error silenced: the report
    kernels it starts inherit it and print shutdown noise there ("KeyboardInterrupt caught
    in kernel"); a report's own errors come back in its outcome."""
    from ._util import silenced

    with silenced("stderr"):
        return _run_one(task)


def _progress_bar(total: int, month: str, progress: bool):
    from tqdm.auto import tqdm

    shown = bool(progress) and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    return tqdm(total=total, desc=f"reports {month}", unit="report", file=sys.stderr,
                disable=not shown, leave=True)


def _local(tasks: list[dict], workers: int) -> Iterator[ReportOutcome]:
    """The outcomes as they finish, on ``workers`` spawned processes (or in this one)."""
    if workers == 1:
        for task in tasks:
            yield _run_one(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_run_quietly, task): task for task in tasks}
        for future in as_completed(futures):
            yield _settled(future, futures[future])


def _settled(future, task: dict) -> ReportOutcome:
    """The outcome of a finished future; a worker that died is a failed report."""
    try:
        return future.result()
    except Exception as exc:  # the worker process died, or the task could not be sent
        return ReportOutcome(project=task["project"], name=task["name"], path=None,
                             seconds=0.0,
                             error=f"worker failed: {type(exc).__name__}: {_one_line(exc)}")


def _dask(tasks: list[dict], scheduler: str) -> Iterator[ReportOutcome]:
    """The outcomes as they finish, on the Dask cluster at ``scheduler``."""
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ReportError(f"cannot connect to the Dask scheduler at {scheduler}: "
                          f"{_one_line(exc) or type(exc).__name__}") from exc
    try:
        futures = {}
        for i, task in enumerate(tasks):
            key = f"pmo-report-{task['project'] or 'portfolio'}-{task['month']}-{i}"
            futures[client.submit(_run_one, task, key=key, pure=False)] = task
        for future in as_completed(futures):
            yield _settled(future, futures[future])
    finally:
        client.close()


def _positive(workers: int | None) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ReportError(f"invalid number of workers {workers!r}: give a whole number >= 1")
    return workers


def run_reports(month: str | None = None, data: str | os.PathLike | None = None,
                out: str | os.PathLike = "reports", *,
                projects: Iterable[str] | None = None,
                workers: int | None = None,
                scheduler: str | None = None,
                progress: bool = True,
                thresholds: RagThresholds | None = None,
                notebook: str | os.PathLike | None = None,
                timeout: float | None = 600) -> BatchResult:
    """Produce the portfolio report and one report per project, in parallel.

    Parameters
    ----------
    month : str, optional
        Status month ``'YYYY-MM'`` of every report; default the latest month with status data
        (resolved once, on the whole portfolio).
    data : str or Path, optional
        Portfolio dataset folder or history store (URL or ``.sqlite`` file, see
        :func:`pmo_lib.report.resolve_data`); default :data:`pmo_lib.SAMPLE_DATA`.
    out : str or Path
        Output folder, created if needed.
    projects : iterable of str, optional
        The projects to report on, in this order; default every project of the data. The
        portfolio report is always made.
    workers : int, optional
        Local processes (default :func:`os.cpu_count`, at most one per report); 1 runs the
        reports one after the other in this process. Not with ``scheduler``.
    scheduler : str, optional
        Address of a Dask scheduler (``'tcp://host:port'``): run the reports on that cluster.
    progress : bool
        Show a progress bar (tqdm) on stderr when stderr is a terminal.
    thresholds : RagThresholds, optional
        RAG rating (default :data:`pmo_lib.report.REPORT_THRESHOLDS`).
    notebook : str or Path, optional
        The report notebook (default :data:`pmo_lib.report.REPORT_NOTEBOOK`).
    timeout : float, optional
        Longest a notebook cell may run before its report fails. [s]

    Returns
    -------
    BatchResult
        One :class:`ReportOutcome` per report: the portfolio first, then ``projects``.
        Files are named ``monthly_portfolio_report_YYYY-MM.*`` and
        ``monthly_portfolio_report_<PROJECT>_YYYY-MM.*``.

    Raises
    ------
    ReportError
        Before any report runs: the data cannot be loaded, the month is invalid or has no
        status data, a project id is not in the data (the message lists the ids), ``workers``
        is not a whole number >= 1, both ``workers`` and ``scheduler`` are given, or the
        scheduler cannot be reached. A report that fails later does not raise: it is
        recorded in :attr:`BatchResult.failed` and the others go on.
    """
    from . import report

    start = time.perf_counter()
    workers = _positive(workers)
    if workers is not None and scheduler:
        raise ReportError("give either a number of workers (local processes) or a Dask "
                          "scheduler address, not both")
    data_path = report.resolve_data(data)
    portfolio = report._load(data_path)
    status_month = str(report.resolve_month(portfolio, month))
    names = dict(zip(portfolio.projects["id"].astype(str), portfolio.projects["name"],
                     strict=True))
    chosen = list(names) if projects is None else [str(p).strip() for p in projects]
    unknown = [p for p in chosen if p not in names]
    if unknown:
        raise ReportError(f"no project {', '.join(map(repr, unknown))} in "
                          f"{report._display(data_path)}; "
                          f"projects: {', '.join(names)}")
    chosen = list(dict.fromkeys(chosen))  # each project once
    out_dir = Path(out).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"cannot write the reports to {out_dir}: it is a file, not a folder")
    common = {"month": status_month, "data": str(data_path), "out": str(out_dir),
              "thresholds": thresholds, "timeout": timeout,
              "notebook": None if notebook is None else str(Path(notebook).resolve())}
    tasks = [{**common, "project": None, "name": portfolio.name}]
    tasks += [{**common, "project": p, "name": str(names[p])} for p in chosen]

    if scheduler:
        outcomes = _dask(tasks, str(scheduler))
    else:
        outcomes = _local(tasks, min(workers or os.cpu_count() or 1, len(tasks)))
    done: dict[str | None, ReportOutcome] = {}
    with _progress_bar(len(tasks), status_month, progress) as bar:
        for outcome in outcomes:
            done[outcome.project] = outcome
            bar.update(1)
            if not outcome.ok:
                bar.set_postfix_str(f"{len([o for o in done.values() if not o.ok])} failed")
    reports = tuple(done.get(t["project"]) or ReportOutcome(
        t["project"], t["name"], None, 0.0, "no result came back from the worker")
        for t in tasks)
    shown = data_path if isinstance(data_path, Path) else report._display(data_path)
    return BatchResult(month=status_month, portfolio=portfolio.name, data=shown,
                       out=out_dir, reports=reports, seconds=time.perf_counter() - start)


_INDEX_STYLE = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       max-width: 960px; margin: 32px auto; padding: 0 16px; }
h1 { color: #1f4e79; margin-bottom: 0.2em; }
p.pmo-sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e6e9ee;
         vertical-align: top; }
thead th { background: #1f4e79; color: #fff; }
td.seconds { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #2e7d32; font-weight: 600; }
.failed { color: #c62828; font-weight: 600; }
"""


def _link(outcome: ReportOutcome, out: Path) -> str:
    label = escape(outcome.name if outcome.project is None
                   else f"{outcome.project}: {outcome.name}")
    if outcome.path is None:
        return label
    path = Path(outcome.path)
    try:
        href = path.resolve().relative_to(out.resolve()).as_posix()
    except ValueError:  # written elsewhere: link it by its absolute address
        href = path.resolve().as_uri()
    return f'<a href="{escape(href)}">{label}</a>'


def write_index(result: BatchResult, out: str | os.PathLike | None = None) -> Path:
    """Write ``index.html``: a page linking the reports of a batch, with their status.

    Parameters
    ----------
    result : BatchResult
        From :func:`run_reports`.
    out : str or Path, optional
        The folder to write it to (default ``result.out``, where the reports are); links are
        relative to it.

    Returns
    -------
    Path
        The index page, :data:`INDEX_NAME` in ``out``.

    Raises
    ------
    ReportError
        The page cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> result = BatchResult("2026-02", "Mini", folder, folder, (
    ...     ReportOutcome(None, "Mini", folder / "monthly_portfolio_report_2026-02.html", 9.0),
    ...     ReportOutcome("P2", "Deploy", None, 3.0, "no status data")), 12.0)
    >>> page = write_index(result).read_text()
    >>> 'href="monthly_portfolio_report_2026-02.html"' in page, "no status data" in page
    (True, True)
    """
    out_dir = Path(result.out if out is None else out)
    rows = []
    for outcome in result.reports:
        status = ('<span class="ok">ok</span>' if outcome.ok else
                  f'<span class="failed">failed</span>: {escape(outcome.error or "")}')
        kind = "Portfolio" if outcome.project is None else "Project"
        rows.append(f"<tr><td>{kind}</td><td>{_link(outcome, out_dir)}</td><td>{status}</td>"
                    f'<td class="seconds">{outcome.seconds:.1f}</td></tr>')
    n_failed = len(result.failed)
    summary = (f"{len(result.reports)} reports, status month {result.month}: "
               + ("all written." if not n_failed else
                  f"{len(result.reports) - n_failed} written, {n_failed} failed."))
    title = f"{result.portfolio}: monthly reports {result.month}"
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{_INDEX_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{escape(title)}</h1>\n<p class=\"pmo-sub\">{escape(summary)} Data: "
            f"{escape(str(result.data))}.</p>\n<table>\n<thead><tr><th>Report</th><th>Covers"
            f"</th><th>Status</th><th>Time [s]</th></tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>\n</body>\n</html>\n")
    target = out_dir / INDEX_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        part = out_dir / f".{INDEX_NAME}.part"
        part.write_text(page, encoding="utf-8")
        os.replace(part, target)
    except OSError as exc:
        raise ReportError(f"cannot write the index page to {out_dir}: {exc}") from exc
    return target
