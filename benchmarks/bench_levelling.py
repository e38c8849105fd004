"""Benchmark: resource levelling (levelling.level, RCPSP heuristics) on PSPLIB.

For each set (j30, j60, j120; Kolisch & Sprecher 1996, in ``../shared/data/psplib``) and each
schedule budget, every instance is levelled once and compared with its reference values:
j30 with the proven optimum (``j30opt.sm``); j60 and j120 with the best known makespan
(``j60hrs.sm``, ``j120hrs.sm``) and with the critical-path lower bound (the instance's
unconstrained CPM length), the measure of Kolisch & Hartmann (2006). Printed per set and
budget: mean and max % deviation, optimal / best-known hits (makespan ≤ the reference),
mean and max seconds per instance (``level`` from DataFrames in to the result out).

Targets (heuristic at 5,000 schedules): j30 mean deviation from the optimum ≤ 0.3 %;
j120 mean deviation above the critical-path lower bound ≤ 36 %.

With ``--method cpsat`` every instance is solved by OR-Tools CP-SAT (``--time-limit``
seconds, ``--workers`` threads, warm-started by the heuristic at ``--schedules``, default
1,000); printed per set: instances, proven optimal (count and %), mean and max % deviation
from the optimum (j30) or best known (j60, j120), hits, mean % deviation above the
critical-path lower bound, mean and max seconds per instance. Target: CP-SAT proves the
optimum of ≥ 95 % of j30 within 10 s per instance.

    python benchmarks/bench_levelling.py [--sets j30 j60 j120] [--limit N]
                                         [--budgets 1000 5000 | --schedules N] [--seed S]
                                         [--data DIR] [--method sgs|cpsat]
                                         [--time-limit 10] [--workers 2] [--progress]
    python benchmarks/bench_levelling.py --schedules N [--method cpsat] FILE.sm ...

The second form levels just the named files and prints one line per instance:
``<file name> <makespan> <seconds>`` (with cpsat, then the status: OPTIMAL, FEASIBLE...).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pmo_lib import levelling

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "psplib"
SETS = ("j30", "j60", "j120")
BUDGETS = (1000, 5000)
TARGET_BUDGET = 5000
TARGETS = {  # set -> (measure, limit in %)
    "j30": ("optimum", 0.3),
    "j120": ("critical-path lower bound", 36.0),
}
CPSAT_TARGET = ("j30", 95.0, 10.0)  # set, proven optimal share [%], time limit [s]
CPSAT_BUDGET = 1000  # heuristic schedules of the warm start
_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)")


def references(data: Path, name: str) -> dict[tuple[int, int], int]:
    """(parameter, instance) → optimum (j30) or best known makespan (j60, j120)."""
    path = data / name / (f"{name}opt.sm" if name == "j30" else f"{name}hrs.sm")
    out = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        m = _ROW.match(line)
        if m:
            out[int(m.group(1)), int(m.group(2))] = int(m.group(3))
    return out


def instances(data: Path, name: str) -> list[tuple[tuple[int, int], Path]]:
    """The instance files of a set, sorted numerically by (parameter, instance)."""
    found = []
    for path in (data / name).glob(f"{name}*_*.sm"):
        par, _, inst = path.stem[len(name):].partition("_")
        if par.isdigit() and inst.isdigit():
            found.append(((int(par), int(inst)), path))
    return sorted(found)


def spread(files: list, limit: int | None) -> list:
    """``limit`` instances spread evenly over the set (all of them without a limit)."""
    if limit is None or limit >= len(files):
        return files
    pick = np.linspace(0, len(files) - 1, limit).round().astype(int)
    return [files[i] for i in pick]


def solve(path: Path, budget: int, seed: int, **options
          ) -> tuple[levelling.PsplibInstance, object, float]:
    inst = levelling.read_psplib(path)
    t0 = time.perf_counter()
    res = levelling.level(*inst, schedules=budget, seed=seed, **options)
    return inst, res, time.perf_counter() - t0


def run_set(data: Path, name: str, budgets, limit: int | None, seed: int,
            progress: bool = False, **options) -> list[dict]:
    ref = references(data, name)
    files = spread(instances(data, name), limit)
    rows = []
    for budget in budgets:
        dev_ref, dev_lb, seconds, hits, proven = [], [], [], 0, 0
        for key, path in files:
            inst, res, sec = solve(path, budget, seed, **options)
            proven += res.optimal
            if progress:
                print(f"{path.name} {res.makespan} {ref[key]} {res.status} {sec:.2f}",
                      file=sys.stderr, flush=True)
            if inst.mpm_time is not None and inst.mpm_time != res.critical_path:
                raise AssertionError(f"{path.name}: CPM length {res.critical_path} != "
                                     f"MPM-Time {inst.mpm_time}")
            best = ref[key]
            if res.makespan < best and name == "j30":
                raise AssertionError(f"{path.name}: makespan {res.makespan} below the "
                                     f"optimum {best}")
            dev_ref.append(100.0 * (res.makespan - best) / best)
            dev_lb.append(100.0 * (res.makespan - res.critical_path) / res.critical_path)
            seconds.append(sec)
            hits += res.makespan <= best
        rows.append({"set": name, "budget": budget, "instances": len(files),
                     "of": len(ref), "optimal": int(proven),
                     "dev_ref": float(np.mean(dev_ref)),
                     "max_dev_ref": float(np.max(dev_ref)), "dev_lb": float(np.mean(dev_lb)),
                     "hits": int(hits), "time": float(np.mean(seconds)),
                     "max_time": float(np.max(seconds))})
    return rows


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for name, (measure, limit) in TARGETS.items():
        row = next((r for r in rows if r["set"] == name and r["budget"] == TARGET_BUDGET),
                   None)
        if row is None:
            out.append(f"target {name}: mean deviation from the {measure} <= {limit} % at "
                       f"{TARGET_BUDGET:,} schedules: not run")
            continue
        value = row["dev_ref"] if name == "j30" else row["dev_lb"]
        subset = ("" if row["instances"] == row["of"]
                  else f" (on {row['instances']} of {row['of']} instances)")
        out.append(f"target {name}: mean deviation from the {measure} <= {limit} % at "
                   f"{TARGET_BUDGET:,} schedules: {value:.2f} %{subset}: "
                   f"{'met' if value <= limit else 'NOT MET'}")
    return out


def cpsat_verdict(rows: list[dict], time_limit: float) -> str:
    name, share, limit = CPSAT_TARGET
    head = (f"target {name} (cpsat): proven optimal on >= {share:g} % of the instances "
            f"within {limit:g} s each")
    row = next((r for r in rows if r["set"] == name), None)
    if row is None or time_limit > limit:
        return f"{head}: not run"
    subset = ("" if row["instances"] == row["of"]
              else f" (on {row['instances']} of {row['of']} instances)")
    value = 100.0 * row["optimal"] / row["instances"]
    return f"{head}: {value:.2f} %{subset}: {'met' if value >= share else 'NOT MET'}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="level just these .sm files")
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--limit", type=int, default=None,
                    help="instances per set (spread evenly over the set)")
    ap.add_argument("--schedules", type=int, default=None,
                    help=f"one schedule budget (default: --budgets; {TARGET_BUDGET} with "
                         "files)")
    ap.add_argument("--budgets", type=int, nargs="+", default=list(BUDGETS),
                    help="schedule budgets of the set runs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA, help="the psplib folder")
    ap.add_argument("--method", default="sgs", choices=levelling.METHODS)
    ap.add_argument("--time-limit", type=float, default=10.0,
                    help="cpsat: seconds per instance")
    ap.add_argument("--workers", type=int, default=2, help="cpsat: search threads")
    ap.add_argument("--progress", action="store_true",
                    help="one line per instance on stderr: file, makespan, reference, "
                         "status, seconds")
    args = ap.parse_args(argv)

    levelling.level(*levelling.read_psplib(_warm_up_file(args)), schedules=10, seed=0)
    cpsat = args.method == "cpsat"
    options = dict(method="cpsat", time_limit=args.time_limit, workers=args.workers) \
        if cpsat else {}
    if args.files:
        lines = []
        budget = args.schedules or (CPSAT_BUDGET if cpsat else TARGET_BUDGET)
        for path in args.files:
            _, res, sec = solve(path, budget, args.seed, **options)
            line = f"{path.name} {res.makespan} {sec:.4f}"
            if cpsat:
                line += f" {res.status}"
            print(line)
            lines.append(line)
        return lines
    if cpsat:
        return _main_cpsat(args, options)

    budgets = [args.schedules] if args.schedules else args.budgets
    print(f"Resource levelling (levelling.level, default options, seed {args.seed}) on PSPLIB "
          f"({args.data}); deviation in %; hits = makespan <= optimum (j30) / best known")
    print(f"{'set':<6}{'schedules':>10}{'instances':>11}{'dev ref':>9}{'max':>8}{'hits':>6}"
          f"{'dev CP-LB':>11}{'s/instance':>12}{'max s':>8}   reference")
    rows = []
    for name in args.sets:
        for row in run_set(args.data, name, budgets, args.limit, args.seed):
            rows.append(row)
            ref = "optimum" if name == "j30" else "best known"
            print(f"{name:<6}{row['budget']:>10,}{row['instances']:>6}/{row['of']:<4}"
                  f"{row['dev_ref']:>9.2f}{row['max_dev_ref']:>8.2f}{row['hits']:>6}"
                  f"{row['dev_lb']:>11.2f}{row['time']:>12.4f}{row['max_time']:>8.3f}   {ref}")
    for line in verdicts(rows):
        print(line)
    return rows


def _main_cpsat(args, options) -> list[dict]:
    budget = args.schedules or CPSAT_BUDGET
    print(f"Resource levelling (levelling.level, method cpsat, time limit "
          f"{args.time_limit:g} s, {args.workers} worker(s), warm start {budget:,} "
          f"schedules, seed {args.seed}) on PSPLIB ({args.data}); deviation in %; optimal = "
          "proven by CP-SAT or at the lower bound; hits = makespan <= optimum (j30) / best "
          "known")
    print(f"{'set':<6}{'instances':>11}{'optimal':>9}{'%':>8}{'dev ref':>9}{'max':>8}"
          f"{'hits':>6}{'dev CP-LB':>11}{'s/instance':>12}{'max s':>8}   reference")
    rows = []
    for name in args.sets:
        for row in run_set(args.data, name, [budget], args.limit, args.seed, args.progress,
                           **options):
            rows.append(row)
            ref = "optimum" if name == "j30" else "best known"
            share = 100.0 * row["optimal"] / row["instances"]
            print(f"{name:<6}{row['instances']:>6}/{row['of']:<4}{row['optimal']:>9}"
                  f"{share:>8.2f}{row['dev_ref']:>9.2f}{row['max_dev_ref']:>8.2f}"
                  f"{row['hits']:>6}{row['dev_lb']:>11.2f}{row['time']:>12.3f}"
                  f"{row['max_time']:>8.2f}   {ref}", flush=True)
    print(cpsat_verdict(rows, args.time_limit))
    return rows


def _warm_up_file(args) -> Path:
    """A small instance to compile (or load) the numba kernels before timing."""
    if args.files:
        return args.files[0]
    return instances(args.data, "j30")[0][1]


if __name__ == "__main__":
    main()
