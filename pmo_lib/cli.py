"""The ``pmo`` command: produce the monthly report and check a dataset from a terminal.

::

    pmo report [--month YYYY-MM] [--data PATH] [--out DIR] [--rag-green X] [--rag-amber Y]
    pmo validate [PATH]
    pmo --version

``pmo report`` prints the path of the HTML report. On any PMO Kit error both commands print
``pmo: error: ...`` to stderr and exit with status 2 (``report`` in one line; ``validate``
lists every problem in the data) and leave no report file behind.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import PMOError

__all__ = ["EXIT_ERROR", "build_parser", "main"]

#: Exit status on a PMO Kit error (the same as argparse's usage errors).
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pmo`` (subcommands ``report`` and ``validate``)."""
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
                        help="portfolio data folder (default: the bundled sample)")
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
    report.set_defaults(run=_report)

    validate = sub.add_parser(
        "validate", help="check a portfolio dataset and summarise it",
        description="Load and validate a portfolio dataset folder; print a summary, or every "
                    "problem found.")
    validate.add_argument("path", nargs="?", metavar="PATH",
                          help="portfolio data folder (default: the bundled sample)")
    validate.set_defaults(run=_validate)
    return parser


def _report(args: argparse.Namespace) -> int:
    from .evm import RagThresholds
    from .report import run_monthly_report

    thresholds = RagThresholds(green=args.rag_green, amber=args.rag_amber,
                               vac_amber=args.rag_vac_amber, vac_red=args.rag_vac_red,
                               schedule_index=args.rag_schedule_index,
                               rate_vac=args.rag_rate_vac)
    result = run_monthly_report(args.month, args.data, args.out, thresholds=thresholds)
    print(result.html)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .model import load_portfolio
    from .report import resolve_data

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
    print(f"{pf.name} ({path}) is valid: {len(pf.projects)} projects, {len(pf.tasks)} tasks, "
          f"{len(pf.links)} links, {len(pf.resources)} resources, {len(pf.assignments)} "
          f"assignments, {len(pf.risks)} risk records and {len(pf.status)} status rows in "
          f"{span}; amounts in {pf.currency}." + (f" Governance and agile: {extra}." if extra
                                                  else ""))
    return 0


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
