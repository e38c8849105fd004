"""Benchmark: EVM indicators of a whole portfolio, vectorised engine vs a per-project loop.

Section 1 (issue 4): the full indicator set (PV, EV, AC, BAC, SV, CV, SPI, CPI, EAC, ETC, VAC,
TCPI) of every project at every period end of a synthetic portfolio (default 5,000 projects x
60 months, ~100 tasks per project, ~500,000 tasks; seeded, see :func:`synthetic_portfolio`).
The status period is the last one, so every period has measured EV and AC.

* engine: one library call, ``evm.period_indicators``: PV per project and period from
  ``evm.cumulative_pv_by`` (two events per task over the sorted period ends, no task x period
  matrix), EV and AC summed per project and period in one compiled pass over the progress
  matrices (split over the machine's cores: the pass is memory-bandwidth bound), then
  ``evm.indicators`` once on all (project, period) pairs. It is also timed on one thread.
* baseline: a Python loop over projects: that project's ``evm.cumulative_pv``, its sums, then
  ``evm.indicators`` per project. It is timed on ``--baseline-projects`` projects; when the
  whole loop would take more than ``--full-loop-limit`` (60 s) its time is scaled linearly
  (and the output says so), else the whole loop is run.

Both are checked identical (``np.testing.assert_allclose``) on the projects the baseline ran.
Targets: engine >= 50x faster than the loop and < 5 s for the whole portfolio. The output also
splits each side's time by step (from an extra, untimed engine run), to show what dominates.

Section 2: time-phased planned value per task, ``evm.cumulative_pv`` vs a row-by-row pandas
loop over tasks and months counting working days with ``WorkCalendar.working_days``.

    python benchmarks/bench_evm.py [--projects P] [--periods N] [--tasks-per-project T]
                                   [--baseline-projects B] [--seed S]
                                   [--full-loop-limit SECONDS] [--repeat R]
                                   [--tasks N] [--months M]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numba
import numpy as np
import pandas as pd

from pmo_lib import WorkCalendar, evm

TARGET_RATIO = 50.0     # engine at least this many times faster than the per-project loop ...
TARGET_SECONDS = 5.0    # ... and under this many seconds for the whole portfolio
START = "2025-01"       # first period
#: The indicators compared (a fixed list: ``evm.indicators`` may return more columns).
INDICATORS = ("sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi")
QUANTITIES = ("pv", "ev", "ac", "bac", *INDICATORS)


def calendar() -> WorkCalendar:
    return WorkCalendar(holidays=pd.date_range("2025-01-01", "2034-12-31", freq="73D"))


def period_ends(periods: int) -> pd.DatetimeIndex:
    return pd.period_range(START, periods=periods, freq="M").end_time.normalize()


# ----------------------------------------------------------------------------------------
# Section 1: portfolio indicators
# ----------------------------------------------------------------------------------------
def synthetic_portfolio(projects: int, periods: int, tasks_per_project: int,
                        cal: WorkCalendar, seed: int = 1) -> dict:
    """A seeded synthetic portfolio, generated vectorised.

    Each project has between ``T // 2`` and ``2T - T // 2`` tasks (``T`` on average, at least
    one), stored in consecutive blocks; ``first[p]`` is the row of project ``p``'s first task.
    Baseline starts are uniform over the working days of the horizon, durations 0-120 working
    days (0 = milestone) cut so every baseline finishes inside the horizon; budgets 1k-100k.
    Progress: each task actually starts 0-30 days after its baseline start (or 5 days before)
    and runs its baseline length divided by its project's speed (0.75-1.2); its cumulative
    percent complete at each period end is linear in calendar days, rounded to 0.1 %. Its
    cumulative actual cost is budget x % complete x a cost factor (project 0.85-1.3 times task
    noise 0.9-1.1), rounded to cents.

    Returns
    -------
    dict
        ``tasks`` (DataFrame: ``budget``, ``baseline_start``, ``baseline_finish``),
        ``first`` (int array, per project), ``pct`` and ``ac`` (float arrays, tasks x
        periods), ``dates`` (the period ends).
    """
    rng = np.random.default_rng(seed)
    lo = max(1, tasks_per_project // 2)
    counts = rng.integers(lo, max(lo, 2 * tasks_per_project - lo) + 1, projects)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    project = np.repeat(np.arange(projects), counts)
    n = int(counts.sum())
    dates = period_ends(periods)
    day0 = cal.roll_forward(pd.Timestamp(START + "-01"))
    horizon = int(cal.working_days(day0, dates[-1]))          # working days in the horizon
    offset = rng.integers(0, horizon, n)
    duration = np.minimum(rng.integers(0, 121, n), horizon - offset)
    start = cal.add_working_days(np.full(n, day0.to_datetime64()), offset)
    finish = cal.finish_date(start, duration)
    budget = rng.uniform(1e3, 1e5, n).round(2)
    tasks = pd.DataFrame({"project_id": project, "budget": budget, "baseline_start": start,
                          "baseline_finish": finish})

    day = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)[None, :]
    s = np.asarray(start, dtype="datetime64[D]").astype(np.int64)
    f = np.asarray(finish, dtype="datetime64[D]").astype(np.int64)
    speed = rng.uniform(0.75, 1.2, projects)[project]
    a_start = (s + rng.integers(-5, 31, n))[:, None]
    a_days = ((f - s + 1) / speed)[:, None]                   # actual length [calendar days]
    pct = (100.0 * np.clip((day - a_start + 1) / a_days, 0.0, 1.0)).round(1)
    cost = (rng.uniform(0.85, 1.3, projects)[project] * rng.uniform(0.9, 1.1, n))[:, None]
    ac = (budget[:, None] * pct / 100.0 * cost).round(2)
    return {"tasks": tasks, "first": first, "pct": pct, "ac": ac, "dates": dates}


class _Steps:
    """Adds the wall time of named steps into a dict (does nothing when the dict is None)."""

    def __init__(self, into: dict | None):
        self.into, self.t = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        if self.into is not None:
            now = time.perf_counter()
            self.into[name] = self.into.get(name, 0.0) + now - self.t
            self.t = now


def engine(data: dict, cal: WorkCalendar, steps: dict | None = None) -> dict:
    """Every indicator of every project at every period: one call to the library,
    ``evm.period_indicators``, vectorised over tasks, projects and periods.

    Returns a dict of (projects x periods) arrays, keys :data:`QUANTITIES`; ``steps``, when
    given, receives the time spent in each step (from the library's parts, called in turn).
    """
    tasks, pct, ac, dates = (data[k] for k in ("tasks", "pct", "ac", "dates"))
    shape = (len(data["first"]), len(dates))
    if steps is None:
        out = evm.period_indicators(tasks, cal, dates, pct, ac)
        return {k: out[k].to_numpy().reshape(shape) for k in QUANTITIES}
    lap = _Steps(steps)
    evm.cumulative_pv_by(tasks, cal, dates)
    lap("evm.cumulative_pv_by")
    out = evm.period_indicators(tasks, cal, dates, pct, ac)
    lap("evm.period_indicators (PV again, EV and AC sums, indicators)")
    return {k: out[k].to_numpy().reshape(shape) for k in QUANTITIES}


def per_project_loop(data: dict, cal: WorkCalendar, projects: int,
                     steps: dict | None = None) -> dict:
    """The baseline: the same figures for the first ``projects`` projects, one project at a time."""
    tasks, first, pct, ac, dates = (data[k] for k in ("tasks", "first", "pct", "ac", "dates"))
    n = len(tasks)
    lap = _Steps(steps)
    budget = tasks["budget"].to_numpy(dtype=float)
    rows = []
    for p in range(projects):
        a, b = first[p], (first[p + 1] if p + 1 < len(first) else n)
        chunk = tasks.iloc[a:b]
        lap("other")
        pv = evm.cumulative_pv(chunk, cal, dates).sum(axis=0)
        lap("evm.cumulative_pv")
        ev = (budget[a:b, None] * pct[a:b] / 100.0).sum(axis=0)
        cost = ac[a:b].sum(axis=0)
        bac = np.full(len(dates), budget[a:b].sum())
        lap("EV matrix and sums")
        ind = evm.indicators(pv, ev, cost, bac)
        rows.append({"pv": pv, "ev": ev, "ac": cost, "bac": bac}
                    | {k: ind[k].to_numpy() for k in INDICATORS})
        lap("evm.indicators")
    out = {k: np.array([r[k] for r in rows]) for k in QUANTITIES}
    lap("other")
    return out


def _breakdown(steps: dict) -> str:
    total = sum(steps.values())
    return ", ".join(f"{name} {100 * t / total:.0f}%"
                     for name, t in sorted(steps.items(), key=lambda kv: -kv[1]))


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (garbage collected before each) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def check_identical(fast: dict, slow: dict, projects: int) -> None:
    for k in QUANTITIES:
        np.testing.assert_allclose(fast[k][:projects], slow[k], rtol=1e-9, atol=1e-6,
                                   err_msg=f"engine and per-project loop differ on {k}")


def portfolio_section(args) -> dict:
    cal = calendar()
    t0 = time.perf_counter()
    data = synthetic_portfolio(args.projects, args.periods, args.tasks_per_project, cal,
                               args.seed)
    t_gen = time.perf_counter() - t0
    n, periods = data["pct"].shape
    k = min(args.baseline_projects, args.projects)
    print(f"1. portfolio EVM indicators: {args.projects:,} projects x {periods} periods "
          f"({START} to {data['dates'][-1]:%Y-%m}), {n:,} tasks (~{n / args.projects:.0f} per "
          f"project), {args.projects * periods:,} project-periods; seed {args.seed}, "
          f"data generated in {t_gen:.1f} s")
    print(f"   inputs: % complete and actual cost, {n:,} x {periods} float64 each "
          f"({data['pct'].nbytes / 2**20:,.0f} MiB per matrix)")

    t_eng, fast = best_of(lambda: engine(data, cal), args.repeat)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    t_one = best_of(lambda: engine(data, cal), args.repeat)[0]
    numba.set_num_threads(threads)
    eng_steps: dict = {}
    engine(data, cal, eng_steps)  # untimed runs: step times, memory
    tracemalloc.start()  # (tracing allocations slows the run down)
    engine(data, cal)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    base_steps: dict = {}
    t_sub, slow = best_of(lambda: per_project_loop(data, cal, k, base_steps), 1)
    estimate = t_sub * args.projects / k
    scaled = estimate > args.full_loop_limit and k < args.projects
    if not scaled and k < args.projects:
        k, base_steps = args.projects, {}
        t_base, slow = best_of(lambda: per_project_loop(data, cal, k, base_steps), 1)
    else:
        t_base = estimate
    check_identical(fast, slow, k)

    ratio = t_base / t_eng
    ok_ratio, ok_time = ratio >= TARGET_RATIO, t_eng < TARGET_SECONDS
    how = (f"timed on {k:,} projects ({t_sub:.3f} s), scaled x{args.projects / k:,.1f} "
           f"because the whole loop would take > {args.full_loop_limit:g} s"
           if scaled else f"whole loop over {k:,} projects")
    print(f"   results identical on {', '.join(QUANTITIES)} for the {k:,} projects the baseline "
          "ran (assert_allclose rtol 1e-9, atol 1e-6)")
    print(f"   per-project loop baseline : {t_base:9.3f} s ({how})")
    print(f"   vectorised engine         : {t_eng:9.3f} s (best of {args.repeat}; peak working "
          f"memory {peak / 2**20:,.0f} MiB)")
    print(f"   speed-up ratio            : {ratio:9.1f}x ({threads} threads for the EV/AC pass; "
          f"on one thread {t_one:.3f} s, {t_base / t_one:.1f}x)")
    print(f"   engine time by step       : {_breakdown(eng_steps)}")
    print(f"   baseline time by step     : {_breakdown(base_steps)} "
          f"({1e3 * t_base / args.projects:.2f} ms per project)")
    print(f"   target >= {TARGET_RATIO:.0f}x faster: {'met' if ok_ratio else 'NOT MET'}; "
          f"target < {TARGET_SECONDS:.0f} s for the whole portfolio: "
          f"{'met' if ok_time else 'NOT MET'}")
    return {"projects": args.projects, "periods": periods, "tasks": n, "engine": t_eng,
            "engine_one_thread": t_one, "baseline": t_base, "baseline_scaled": scaled, "ratio": ratio,
            "target_ratio_met": ok_ratio, "target_time_met": ok_time, "peak_bytes": peak,
            "engine_steps": eng_steps, "baseline_steps": base_steps}


# ----------------------------------------------------------------------------------------
# Section 2: time-phased planned value per task
# ----------------------------------------------------------------------------------------
def synthetic_tasks(n: int, calendar: WorkCalendar, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = calendar.add_working_days("2025-01-06", rng.integers(0, 500, n))
    duration = rng.integers(0, 120, n)
    return pd.DataFrame({"budget": rng.uniform(0, 1e5, n).round(2),
                         "baseline_start": start,
                         "baseline_finish": calendar.finish_date(start, duration)})


def row_by_row(tasks: pd.DataFrame, calendar: WorkCalendar, dates) -> np.ndarray:
    out = np.zeros((len(tasks), len(dates)))
    for i, task in enumerate(tasks.itertuples()):
        total = calendar.working_days(task.baseline_start, task.baseline_finish)
        for j, d in enumerate(dates):
            if total == 0:
                out[i, j] = task.budget if d >= task.baseline_finish else 0.0
            else:
                done = calendar.working_days(task.baseline_start, d)
                out[i, j] = task.budget * min(1.0, done / total)
    return out


def planned_value_section(args) -> dict:
    cal = WorkCalendar(holidays=pd.date_range("2025-01-01", "2028-12-31", freq="73D"))
    tasks = synthetic_tasks(args.tasks, cal, args.seed)
    dates = pd.period_range("2025-01", periods=args.months, freq="M").end_time.normalize()
    fast = evm.cumulative_pv(tasks, cal, dates)
    baseline_n = min(args.tasks, 300)          # the loop is slow: time a slice, scale linearly
    slow = row_by_row(tasks.iloc[:baseline_n], cal, dates)
    np.testing.assert_allclose(fast[:baseline_n], slow, rtol=1e-12, atol=1e-6)
    t_fast = best_of(lambda: evm.cumulative_pv(tasks, cal, dates), args.repeat)[0]
    t_slow = best_of(lambda: row_by_row(tasks.iloc[:baseline_n], cal, dates), 1)[0]
    t_slow *= args.tasks / baseline_n
    print(f"2. planned value per task, {args.tasks:,} tasks x {args.months} months "
          "(results identical)")
    print(f"   row-by-row baseline : {t_slow:8.3f} s (timed on {baseline_n} tasks, scaled)")
    print(f"   vectorised engine   : {t_fast:8.3f} s")
    print(f"   speed-up ratio      : {t_slow / t_fast:8.1f}x")
    return {"tasks": args.tasks, "months": args.months, "engine": t_fast, "baseline": t_slow,
            "ratio": t_slow / t_fast}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--periods", type=int, default=60, help="monthly periods from " + START)
    ap.add_argument("--tasks-per-project", type=int, default=100, help="average")
    ap.add_argument("--baseline-projects", type=int, default=500,
                    help="projects the per-project loop is timed on first")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--full-loop-limit", type=float, default=60.0,
                    help="run the whole baseline loop only if it would take at most this [s]")
    ap.add_argument("--repeat", type=int, default=3, help="engine runs; the best is kept")
    ap.add_argument("--tasks", type=int, default=5000, help="section 2: tasks")
    ap.add_argument("--months", type=int, default=36, help="section 2: months")
    args = ap.parse_args(argv)
    return {"portfolio": portfolio_section(args), "planned_value": planned_value_section(args)}


if __name__ == "__main__":
    main()
