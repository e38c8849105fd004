"""Benchmark: monthly reports per minute, one after the other vs in parallel.

Runs :func:`pmo_lib.batch.run_reports` on the sample portfolio twice, into two temporary
folders: first sequentially (``workers=1``: the reports one after the other in this process,
each in its own Jupyter kernel), then on ``--workers`` local processes (default
:func:`os.cpu_count`). Each batch is the portfolio report plus one report per project
(``--limit K``: the first K projects only, for a quick run). Prints the wall-clock time,
reports per minute and the ratio parallel / sequential, and checks every report was written.

The ratio is bounded by the cores: each report is one Jupyter kernel doing single-threaded
pandas and matplotlib work, so N workers can at best make it N times faster, less the
cores other programs use meanwhile.

    python benchmarks/bench_reports.py [--limit K] [--workers N] [--month YYYY-MM]
                                       [--data PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile

from pmo_lib import batch, load_portfolio
from pmo_lib.report import resolve_data


def _run(label: str, month: str | None, data, projects: list[str], workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="pmo-bench-reports-") as out:
        result = batch.run_reports(month, data, out, projects=projects, workers=workers,
                                   progress=False)
    failed = [f"{r.project or 'portfolio'}: {r.error}" for r in result.failed]
    if failed:
        raise SystemExit(f"{label}: {len(failed)} report(s) failed:\n  " + "\n  ".join(failed))
    n = len(result.reports)
    per_minute = 60.0 * n / result.seconds
    mean = sum(r.seconds for r in result.reports) / n
    print(f"{label:<28} {n:>3} reports in {result.seconds:7.1f} s: "
          f"{per_minute:6.2f} reports/min (mean {mean:.1f} s per report in its worker)")
    return {"workers": workers, "reports": n, "seconds": result.seconds,
            "per_minute": per_minute, "month": result.month}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, metavar="K",
                        help="report on the first K projects only (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="local processes of the parallel run (default: the CPU count)")
    parser.add_argument("--month", metavar="YYYY-MM", help="status month (default: latest)")
    parser.add_argument("--data", metavar="PATH", help="data folder (default: the sample)")
    args = parser.parse_args(argv)

    data = resolve_data(args.data)
    projects = [str(p) for p in load_portfolio(data).projects["id"]]
    if args.limit is not None:
        projects = projects[:max(args.limit, 0)]
    print(f"Monthly reports of {data}: the portfolio and {len(projects)} project(s) "
          f"({', '.join(projects) or 'none'}); {os.cpu_count()} CPU(s) on this machine")
    sequential = _run("sequential (workers=1)", args.month, data, projects, 1)
    parallel = _run(f"parallel (workers={args.workers})", args.month, data, projects,
                    args.workers)
    ratio = parallel["per_minute"] / sequential["per_minute"]
    print(f"speed-up ratio parallel / sequential: {ratio:.2f}x "
          f"(at most {min(args.workers, os.cpu_count() or 1, sequential['reports'])}x "
          f"on these cores)")
    return {"sequential": sequential, "parallel": parallel, "ratio": ratio}


if __name__ == "__main__":  # spawned workers import this file: run only as a script
    main()
