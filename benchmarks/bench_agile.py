"""Benchmark: agile analytics, vectorised engines vs the straightforward Python loops.

Section 1: Monte Carlo "when will these N items be done?" (``agile.forecast_when``) from a
seeded weekly throughput history, ``--iterations`` runs (default 10,000) for ``--items``
items (default 300), against the textbook loop: one Python loop per run drawing a past week
with ``random.choice`` until the items are done. The loop is timed on ``--baseline-runs``
runs and scaled linearly. The two use different random streams, so they are compared as
distributions: their P50, P85 and P95 must agree within one period (and exactly when the
history is constant, checked on a small case first).

Section 2: "how many items in the next K weeks?" (``agile.forecast_how_many``) the same way.

Section 3: cumulative flow (``agile.cumulative_flow``) of ``--cfd-items`` items (default
100,000, 20 projects, two years) against a loop over the days counting each state with
pandas; the loop runs on the first ``--cfd-baseline-days`` days and is scaled. Results
identical on those days.

    python benchmarks/bench_agile.py [--iterations N] [--items N] [--baseline-runs N]
                                     [--periods K] [--cfd-items N] [--cfd-baseline-days D]
                                     [--seed S] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import random
import time

import numpy as np
import pandas as pd

from pmo_lib import agile

PERCENTILES = (50, 85, 95)


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (garbage collected before each) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def history(weeks: int, seed: int) -> np.ndarray:
    """A seeded weekly throughput history: Poisson(4), a few idle weeks (holidays)."""
    rng = np.random.default_rng(seed)
    h = rng.poisson(4.0, weeks).astype(float)
    h[rng.choice(weeks, max(1, weeks // 10), replace=False)] = 0.0
    return h


# ----------------------------------------------------------------------------------------
# The loops
# ----------------------------------------------------------------------------------------
def naive_when(hist, items: float, runs: int, seed: int) -> np.ndarray:
    """Periods each run needs to finish ``items``: one Python loop per run."""
    rnd, values, out = random.Random(seed), list(map(float, hist)), []
    for _ in range(runs):
        done, periods = 0.0, 0
        while done < items:
            done += rnd.choice(values)
            periods += 1
        out.append(periods)
    return np.array(out)


def naive_how_many(hist, periods: int, runs: int, seed: int) -> np.ndarray:
    """Items each run finishes in ``periods`` periods: one Python loop per run."""
    rnd, values = random.Random(seed), list(map(float, hist))
    return np.array([sum(rnd.choice(values) for _ in range(periods)) for _ in range(runs)])


def naive_cfd(items: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Items per state at the end of each day: a loop over the days, pandas per day."""
    rows = []
    for day in days:
        created = items["created"] <= day
        done = items["done"] <= day
        review = items["reviewed"] <= day if "reviewed" in items else done & False
        started = items["started"] <= day
        counts = {"backlog": created & ~started, "in_progress": started & ~review & ~done,
                  "review": review & ~done, "done": done}
        for pid, mine in items.groupby("project_id").groups.items():
            row = {"project_id": pid, "date": day}
            row |= {state: int(mask.loc[mine].sum()) for state, mask in counts.items()}
            rows.append(row)
    out = pd.DataFrame(rows).set_index(["project_id", "date"])
    return out[list(agile.STATES)]


# ----------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------
def _agree(fast: np.ndarray, slow: np.ndarray, what: str) -> dict:
    """Percentiles of both samples; they must agree within one period (or item)."""
    pf = np.percentile(fast, PERCENTILES)
    ps = np.percentile(slow, PERCENTILES)
    if np.max(np.abs(pf - ps)) > 1.0 + 1e-9:
        raise AssertionError(f"{what}: engine percentiles {pf} and loop {ps} differ by more "
                             "than one")
    return {"engine": pf.tolist(), "loop": ps.tolist()}


def forecast_section(args) -> dict:
    h = history(26, args.seed)
    # Constant history: both are exact and equal (the forecast is deterministic).
    exact = agile.simulate_when([5.0, 5.0, 5.0], 12, iterations=50, seed=1)
    assert (exact == 3).all() and (naive_when([5.0] * 3, 12, 50, 1) == 3).all()

    t_eng, fast = best_of(lambda: agile.simulate_when(h, args.items,
                                                      iterations=args.iterations,
                                                      seed=args.seed), args.repeat)
    k = min(args.baseline_runs, args.iterations)
    t_sub, slow = best_of(lambda: naive_when(h, args.items, k, args.seed), 1)
    t_base = t_sub * args.iterations / k
    when = _agree(fast, slow, "forecast_when")
    print(f"1. forecast_when: {args.items} items, {args.iterations:,} runs, 26-week history "
          f"(mean {h.mean():.1f} items/week); percentiles P{'/P'.join(map(str, PERCENTILES))}"
          f" engine {when['engine']} vs loop {when['loop']} (agree within 1 period)")
    print(f"   loop baseline   : {t_base:8.3f} s (timed on {k:,} runs, scaled)")
    print(f"   engine          : {t_eng:8.3f} s (best of {args.repeat})")
    print(f"   speed-up ratio  : {t_base / t_eng:8.1f}x")

    t_eng2, fast2 = best_of(lambda: agile.simulate_how_many(h, args.periods,
                                                            iterations=args.iterations,
                                                            seed=args.seed), args.repeat)
    t_sub2, slow2 = best_of(lambda: naive_how_many(h, args.periods, k, args.seed), 1)
    t_base2 = t_sub2 * args.iterations / k
    many = _agree(fast2, slow2, "forecast_how_many")
    print(f"2. forecast_how_many: {args.periods} weeks, {args.iterations:,} runs; percentiles "
          f"engine {many['engine']} vs loop {many['loop']} (agree within 1 item)")
    print(f"   loop baseline   : {t_base2:8.3f} s (timed on {k:,} runs, scaled)")
    print(f"   engine          : {t_eng2:8.3f} s (best of {args.repeat})")
    print(f"   speed-up ratio  : {t_base2 / t_eng2:8.1f}x")
    return {"when": {"engine": t_eng, "baseline": t_base, "ratio": t_base / t_eng, **when},
            "how_many": {"engine": t_eng2, "baseline": t_base2, "ratio": t_base2 / t_eng2,
                         **many}}


def synthetic_items(n: int, projects: int, seed: int) -> pd.DataFrame:
    """``n`` items over two years: created, then started, reviewed and done after random
    waits (some still open); state from the dates at the end of the two years."""
    rng = np.random.default_rng(seed)
    day0 = np.datetime64("2025-01-01", "D")
    created = day0 + rng.integers(0, 700, n).astype("timedelta64[D]")
    started = created + rng.integers(0, 60, n).astype("timedelta64[D]")
    reviewed = started + rng.integers(1, 20, n).astype("timedelta64[D]")
    done = reviewed + rng.integers(0, 10, n).astype("timedelta64[D]")
    end = day0 + np.timedelta64(729, "D")
    nat = np.datetime64("NaT", "D")
    done = np.where(done <= end, done, nat)
    reviewed = np.where(reviewed <= end, reviewed, nat)
    started = np.where(started <= end, started, nat)
    state = np.select([~np.isnat(done), ~np.isnat(reviewed), ~np.isnat(started)],
                      ["done", "review", "in_progress"], "backlog")
    return pd.DataFrame({
        "project_id": np.array([f"P{k:02d}" for k in range(projects)])[
            rng.integers(0, projects, n)],
        "id": [f"I{k}" for k in range(n)], "created": created, "started": started,
        "reviewed": reviewed, "done": done, "state": state})


def cfd_section(args) -> dict:
    items = synthetic_items(args.cfd_items, 20, args.seed)
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-12-31")
    t_eng, fast = best_of(lambda: agile.cumulative_flow(items, start=start, end=end),
                          args.repeat)
    days = pd.date_range(start, periods=args.cfd_baseline_days, freq="D")
    t_sub, slow = best_of(lambda: naive_cfd(items, days), 1)
    total_days = (end - start).days + 1
    t_base = t_sub * total_days / len(days)
    shown = fast[fast.index.get_level_values("date").isin(days)]
    pd.testing.assert_frame_equal(shown.astype("int64"), slow.loc[shown.index].astype("int64"),
                                  check_names=False, check_index_type=False)
    print(f"3. cumulative_flow: {len(items):,} items, 20 projects, {total_days} days "
          f"(results identical on the {len(days)} days the loop ran)")
    print(f"   loop baseline   : {t_base:8.3f} s (timed on {len(days)} days, scaled)")
    print(f"   engine          : {t_eng:8.3f} s (best of {args.repeat})")
    print(f"   speed-up ratio  : {t_base / t_eng:8.1f}x")
    return {"engine": t_eng, "baseline": t_base, "ratio": t_base / t_eng}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--periods", type=int, default=26, help="section 2: weeks ahead")
    ap.add_argument("--baseline-runs", type=int, default=2_000)
    ap.add_argument("--cfd-items", type=int, default=100_000)
    ap.add_argument("--cfd-baseline-days", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    return {"forecast": forecast_section(args), "cfd": cfd_section(args)}


if __name__ == "__main__":
    main()
