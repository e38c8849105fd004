"""The ``pmo`` command: produce the monthly report and check a dataset from a terminal.

::

    pmo report [--month YYYY-MM] [--data PATH] [--out DIR] [--rag-green X] [--rag-amber Y]
    pmo report --project ID [...]
    pmo report --all-projects [--workers N | --scheduler tcp://HOST:PORT] [--no-progress] [...]
    pmo validate [PATH | URL]
    pmo status-template --month YYYY-MM [--project ID] [--data PATH] [--out DIR]
    pmo import-status FILE... [--data PATH] [--out PATH] [--month YYYY-MM] [--accept-valid]
    pmo --version

``--data`` (and the ``validate`` argument) is a dataset folder or a history store
(:mod:`pmo_lib.store`): ``sqlite:///FILE``, a ``.sqlite``/``.db`` file or a
``postgresql://`` URL; for a store, ``pmo validate`` also lists its imported months and its
latest writes (the audit). ``pmo report`` prints the path of the HTML report. On any PMO Kit error both commands print
``pmo: error: ...`` to stderr and exit with status 2 (``report`` in one line; ``validate``
lists every problem in the data) and leave no report file behind.

``pmo report --all-projects`` makes the portfolio report and one report per project in
parallel (:func:`pmo_lib.batch.run_reports`), writes ``index.html`` linking them with their
status, and prints its path. A failed report is listed in the index and on stderr
(``pmo: error: report of <ID> failed: ...``) without stopping the others; the exit status is
then 2.

``pmo status-template`` writes one status-return workbook per project manager
(:func:`pmo_lib.returns.write_templates`) and prints their paths. ``pmo import-status``
checks the returns (:func:`pmo_lib.returns.read_returns`) and prints every problem as one
``pmo: error: <file>, sheet 'Tasks', row 7, task 'ERP-0012': ...`` line. It rewrites
``status.csv`` (atomically) only when every return passed, or, with ``--accept-valid``, from
the returns that passed; with a history store as ``--data`` (and no ``--out``) the month is
imported into the store instead (:func:`pmo_lib.store.import_month`: one transaction, with
an audit record naming the returns). It exits with status 2 whenever a return was rejected.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import PMOError, ReportError

__all__ = ["EXIT_ERROR", "build_parser", "main"]

#: Exit status on a PMO Kit error (the same as argparse's usage errors).
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pmo`` (subcommands ``report``, ``validate``,
    ``status-template`` and ``import-status``)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="pmo", description="PMO Kit: portfolio reports and data checks.")
    parser.add_argument("--version", action="version", version=f"pmo (PMO Kit) {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = sub.add_parser(
        "report", help="produce the monthly portfolio report (HTML, notebook, JSON)",
        description="Run the monthly portfolio report notebook and write "
                    "monthly_portfolio_report_YYYY-MM.html, .ipynb and .json into the output "
                    "folder. Prints the path of the HTML report.")
    report.add_argument("--month", metavar="YYYY-MM",
                        help="status month (default: the latest month with status data)")
    report.add_argument("--data", metavar="PATH",
                        help="portfolio data folder, or history store: sqlite:///FILE, a "
                             ".sqlite/.db file or postgresql://USER@HOST/DB (default: the "
                             "bundled sample)")
    report.add_argument("--out", metavar="DIR", default="reports",
                        help="output folder, created if needed (default: ./reports)")
    report.add_argument("--rag-green", type=float, default=0.95, metavar="X",
                        help="SPI(t) (or SPI) and CPI at or above X are green (default: 0.95)")
    report.add_argument("--rag-amber", type=float, default=0.90, metavar="Y",
                        help="SPI(t) (or SPI) and CPI at or above Y (below green) are amber; "
                             "below Y red (default: 0.90)")
    report.add_argument("--rag-schedule-index", choices=("spi_t", "spi"), default="spi_t",
                        help="schedule index rated: spi_t (earned schedule, default) or spi")
    report.add_argument("--rag-vac-amber", type=float, default=-0.05, metavar="A",
                        help="VAC/BAC at or above A is green, below it amber (default: -0.05)")
    report.add_argument("--rag-vac-red", type=float, default=-0.10, metavar="R",
                        help="VAC/BAC below R is red (default: -0.10)")
    report.add_argument("--no-rag-vac", dest="rag_rate_vac", action="store_false",
                        help="do not rate the variance at completion (VAC/BAC)")
    report.add_argument("--project", metavar="ID",
                        help="report on this project alone: "
                             "monthly_portfolio_report_<ID>_YYYY-MM.*")
    report.add_argument("--all-projects", action="store_true",
                        help="the portfolio report and one report per project, in parallel, "
                             "and index.html linking them")
    report.add_argument("--workers", type=int, metavar="N",
                        help="with --all-projects: local worker processes (default: the "
                             "number of CPUs; 1 runs the reports one after the other)")
    report.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --all-projects: run on the Dask cluster at this scheduler "
                             "address (tcp://HOST:PORT) instead of local processes")
    report.add_argument("--no-progress", dest="progress", action="store_false",
                        help="with --all-projects: no progress bar (there is none when "
                             "stderr is not a terminal)")
    report.set_defaults(run=_report)

    validate = sub.add_parser(
        "validate", help="check a portfolio dataset and summarise it",
        description="Load and validate a portfolio dataset folder or history store; print a "
                    "summary (for a store also its imported months and latest writes), or "
                    "every problem found.")
    validate.add_argument("path", nargs="?", metavar="PATH",
                          help="portfolio data folder or history store URL/file (default: "
                               "the bundled sample)")
    validate.set_defaults(run=_validate)

    template = sub.add_parser(
        "status-template", help="write the monthly status-return workbooks, one per manager",
        description="Write an Excel status return per project manager listing their open "
                    "tasks, pre-filled with the last snapshot and the forecast dates. Prints "
                    "the path of each workbook.")
    template.add_argument("--month", metavar="YYYY-MM", required=True,
                          help="month to report (after a month with status data)")
    template.add_argument("--project", metavar="ID", help="only this project")
    template.add_argument("--data", metavar="PATH",
                          help="portfolio data folder (default: the bundled sample)")
    template.add_argument("--out", metavar="DIR", default="returns",
                          help="output folder, created if needed (default: ./returns)")
    template.set_defaults(run=_status_template)

    imp = sub.add_parser(
        "import-status", help="check status returns and add them to status.csv",
        description="Check the returned workbooks, list every problem, and write the "
                    "month's snapshot into status.csv when every return passed (or, with "
                    "--accept-valid, from the returns that passed). A return with any "
                    "problem is rejected whole. Exit status 2 when any return was rejected.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="returned workbooks (.xlsx)")
    imp.add_argument("--data", metavar="PATH",
                     help="portfolio data folder or history store (default: the bundled "
                          "sample); a store gets the month imported, audited")
    imp.add_argument("--out", metavar="PATH",
                     help="status file to write (default: status.csv of the data folder; "
                          "with a store, the store itself)")
    imp.add_argument("--month", metavar="YYYY-MM",
                     help="month expected (default: the month of the first return)")
    imp.add_argument("--accept-valid", action="store_true",
                     help="apply the returns without problems even when others are rejected")
    imp.set_defaults(run=_import_status)
    return parser


def _status_template(args: argparse.Namespace) -> int:
    from .model import load_portfolio
    from .report import resolve_data
    from .returns import write_templates

    pf = load_portfolio(resolve_data(args.data))
    for path in write_templates(pf, args.month, args.out, project=args.project):
        print(path)
    return 0


def _import_status(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .model import load_portfolio
    from .report import _display, resolve_data
    from .returns import apply_returns, read_returns, write_status_csv

    data = resolve_data(args.data)
    into_store = (not isinstance(data, Path) or data.is_file()) and args.out is None
    pf = load_portfolio(data)
    result = read_returns(pf, args.files, month=args.month)
    for problem in result.problems:
        print(f"pmo: error: {' '.join(str(problem).split())}", file=sys.stderr)
    out = _display(data) if into_store else (args.out or data / "status.csv")
    n, total = len(result.rejected), len(result.files)
    if result.rejected and (not args.accept_valid or not result.accepted):
        print(f"pmo: error: {n} of {total} return{'s' if total != 1 else ''} rejected; "
              f"{out} not changed" + ("" if args.accept_valid or not result.accepted else
                                      " (--accept-valid applies the others)"),
              file=sys.stderr)
        return EXIT_ERROR
    status = apply_returns(pf, result, result.month)
    if into_store:  # one transaction, with an audit record naming the returns
        from . import store

        month_rows = status[status["status_date"] == result.status_date]
        store.import_month(data, result.month, month_rows, status_date=result.status_date,
                           source="; ".join(str(f) for f in result.accepted))
    else:
        write_status_csv(status, out)
    print(f"{out}: {len(result.status)} task rows for {result.month} from "
          f"{len(result.accepted)} return{'s' if len(result.accepted) != 1 else ''}")
    if result.rejected:
        print(f"pmo: error: {n} of {total} return{'s' if total != 1 else ''} rejected; "
              "the others were applied", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _report(args: argparse.Namespace) -> int:
    from .evm import RagThresholds
    from .report import run_monthly_report

    thresholds = RagThresholds(green=args.rag_green, amber=args.rag_amber,
                               vac_amber=args.rag_vac_amber, vac_red=args.rag_vac_red,
                               schedule_index=args.rag_schedule_index,
                               rate_vac=args.rag_rate_vac)
    if args.all_projects:
        return _report_all(args, thresholds)
    if args.workers is not None or args.scheduler:
        raise ReportError("--workers and --scheduler go with --all-projects")
    result = run_monthly_report(args.month, args.data, args.out, thresholds=thresholds,
                                project=args.project)
    print(result.html)
    return 0


def _report_all(args: argparse.Namespace, thresholds) -> int:
    from .batch import run_reports, write_index

    if args.project:
        raise ReportError("give either --project ID or --all-projects, not both")
    result = run_reports(args.month, args.data, args.out, workers=args.workers,
                         scheduler=args.scheduler, progress=args.progress,
                         thresholds=thresholds)
    index = write_index(result)
    for outcome in result.failed:
        print(f"pmo: error: report of {outcome.project or 'the portfolio'} failed: "
              f"{outcome.error}", file=sys.stderr)
    print(index)
    if result.failed:
        print(f"pmo: error: {len(result.failed)} of {len(result.reports)} reports failed; "
              f"see {index}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .model import load_portfolio
    from .report import _display, _is_store, resolve_data

    path = resolve_data(args.path)
    pf = load_portfolio(path)
    months = pf.months
    if len(months):
        span = (f"{len(months)} status month{'s' if len(months) > 1 else ''} "
                f"({months[0]} to {months[-1]})" if len(months) > 1
                else f"1 status month ({months[0]})")
    else:
        span = "no status month"
    governance = [(len(getattr(pf, name)), label) for name, label in (
        ("gates", "gate"), ("deliverables", "deliverable record"),
        ("stakeholders", "stakeholder"), ("lessons", "lesson"), ("sprints", "sprint"),
        ("backlog", "backlog item"), ("releases", "release plan"))]
    extra = ", ".join(f"{n} {label}{'s' if n != 1 else ''}" for n, label in governance if n)
    print(f"{pf.name} ({_display(path)}) is valid: {len(pf.projects)} projects, "
          f"{len(pf.tasks)} tasks, "
          f"{len(pf.links)} links, {len(pf.resources)} resources, {len(pf.assignments)} "
          f"assignments, {len(pf.risks)} risk records and {len(pf.status)} status rows in "
          f"{span}; amounts in {pf.currency}." + (f" Governance and agile: {extra}." if extra
                                                  else ""))
    if _is_store(path):
        _store_history(path)
    return 0


#: How many of a store's latest audit records ``pmo validate`` lists.
_AUDIT_LINES = 5


def _store_history(path) -> None:
    """Print a store's imported months and its latest audit records."""
    from .store import history

    h = history(path)
    months = h.months
    if len(months):
        listed = ", ".join(f"{m} ({r} rows, {by})" for m, r, by in
                           zip(months["month"], months["rows"], months["imported_by"],
                               strict=True))
        print(f"Imported months: {listed}.")
    audit = h.audit.tail(_AUDIT_LINES)
    if len(audit):
        print(f"Latest writes (of {len(h.audit)}):")
        for row in audit.itertuples(index=False):
            month = "" if _isna(row.month) else f" {row.month}"
            source = f" from {row.source}" if row.source else ""
            print(f"  {row.at:%Y-%m-%d %H:%M} UTC  {row.user}  {row.action}{month}: "
                  f"{row.rows} rows{source}")


def _isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pmo`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    pmo (PMO Kit) ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed them
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    try:
        return args.run(args)
    except PMOError as exc:
        message = str(exc).strip()
        if args.command != "validate":
            message = " ".join(message.split())  # one line
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return EXIT_ERROR


def _entry() -> None:  # pragma: no cover - `python -m pmo_lib.cli`
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
