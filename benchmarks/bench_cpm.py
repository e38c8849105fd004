"""Benchmark: the CPM engine (schedule.cpm, numba) vs a plain-Python networkx baseline.

Both run in this process on the same random project-like networks, from DataFrames in to a
DataFrame out; their results are checked identical on the columns they share before timing.
The baseline is ``reference_cpm.py`` (graph build, ``nx.topological_sort``, dict loops).

Networks (seeded, see :func:`project_network`): ``--sizes`` tasks with about two links per
task, ~85% FS and the rest SS, FF and SF, lags from -5 to 10 days, durations 0-30 days (~5%
milestones), a few projects in consecutive blocks with links between neighbouring projects;
plus a *deep* network of ``--deep-size`` tasks arranged in levels of 10 (100,000 tasks = 10,000
levels, the critical chain of a long programme). The target is a 30x speed-up at 100k tasks.

    python benchmarks/bench_cpm.py [--sizes 1000 10000 100000] [--no-deep] [--deep-size N]
                                   [--repeat R] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_cpm import COLUMNS, reference_cpm

from pmo_lib import schedule

TARGET = 30.0        # required speed-up ...
TARGET_SIZE = 100_000  # ... at this many tasks
LINK_MIX = {"FS": 0.85, "SS": 0.07, "FF": 0.06, "SF": 0.02}
TASKS_PER_LEVEL = 10   # deep networks


def project_network(n: int, *, deep: bool = False, links_per_task: float = 2.0,
                    projects: int = 4, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random acyclic project-like network: ``(tasks, links)`` DataFrames.

    Task ``i`` has id ``T{i:06d}``; every link runs from a lower to a higher index, so the
    network is acyclic. Shallow networks draw each link's predecessor up to ``max(20, n // 50)``
    tasks before its successor. Deep ones put the tasks in levels of :data:`TASKS_PER_LEVEL`;
    every task beyond the first level has a predecessor in the level before (so the depth is
    the number of levels) and the other links reach one to three levels back.
    """
    rng = np.random.default_rng(seed)
    width = max(6, len(str(n - 1)))
    ids = np.char.add("T", np.char.zfill(np.arange(n).astype(str), width)).astype(object)
    duration = rng.integers(1, 31, n)
    duration[rng.random(n) < 0.05] = 0
    block = np.arange(n) * projects // n
    tasks = pd.DataFrame({"id": ids, "project_id": np.char.add("P", (block + 1).astype(str)),
                          "duration": duration})

    m = round(links_per_task * n)
    if deep:
        levels = max(1, n // TASKS_PER_LEVEL)
        level = np.arange(n) * levels // n
        first = np.searchsorted(level, np.arange(levels + 1))  # first task of each level
        size = np.diff(first)

        def pick(lvl):  # a random task of each given level
            return first[lvl] + (rng.random(lvl.size) * size[lvl]).astype(np.int64)

        chained = np.flatnonzero(level > 0)
        succ_extra = rng.choice(chained, max(0, m - chained.size)) if chained.size else chained
        back = np.minimum(rng.integers(1, 4, succ_extra.size), level[succ_extra])
        succ = np.concatenate([chained, succ_extra])
        pred = np.concatenate([pick(level[chained] - 1), pick(level[succ_extra] - back)])
    else:
        window = max(20, n // 50)
        succ = rng.integers(1, max(n, 2), m) if n > 1 else np.zeros(0, np.int64)
        pred = succ - rng.integers(1, window + 1, succ.size)
        keep = pred >= 0
        succ, pred = succ[keep], pred[keep]
    key = np.unique(pred.astype(np.int64) * n + succ)  # one link per pair of tasks
    key = key[rng.permutation(key.size)]
    pred, succ = key // n, key % n
    ltype = rng.choice(list(LINK_MIX), key.size, p=list(LINK_MIX.values()))
    lag = np.where(rng.random(key.size) < 0.75, 0,
                   rng.choice(np.r_[-5:0, 1:11], key.size))
    links = pd.DataFrame({"pred": ids[pred], "succ": ids[succ], "type": ltype, "lag": lag})
    return tasks, links


def depth(tasks: pd.DataFrame, links: pd.DataFrame) -> int:
    """Tasks on the longest chain of links (ignoring durations and lags)."""
    index = pd.Index(tasks["id"])
    pred, succ = index.get_indexer(links["pred"]), index.get_indexer(links["succ"])
    order = np.argsort(succ, kind="stable")  # links from lower to higher index only
    level = [1] * len(tasks)
    for p, s in zip(pred[order].tolist(), succ[order].tolist(), strict=True):
        level[s] = max(level[s], level[p] + 1)
    return max(level, default=0)


def best_of(fn, repeat: int, *, gc_paused: bool = False) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs; ``gc_paused`` pauses the garbage collector during
    each run, as ``timeit`` does."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        if gc_paused:
            gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return min(times), result


def run(name: str, tasks: pd.DataFrame, links: pd.DataFrame, repeat: int) -> dict:
    """Time both sides twice: as Python normally runs (garbage collector on: collecting the
    baseline's millions of small objects is part of its cost) and with the collector paused
    for both, the stricter comparison."""
    schedule.cpm(tasks, links)  # warm up: numba JIT / cache load
    base_repeat = 1 if len(tasks) >= TARGET_SIZE else repeat
    row = {"name": name, "tasks": len(tasks), "links": len(links),
           "depth": depth(tasks, links)}
    for mode, paused in (("", False), ("_paused", True)):
        t_engine, fast = best_of(lambda: schedule.cpm(tasks, links), repeat, gc_paused=paused)
        t_base, slow = best_of(lambda: reference_cpm(tasks, links), base_repeat,
                               gc_paused=paused)
        assert fast.index.equals(slow.index), f"{name}: task order differs"
        for column in COLUMNS:
            np.testing.assert_allclose(fast[column].to_numpy(), slow[column].to_numpy(),
                                       rtol=0, atol=1e-9, err_msg=f"{name}: {column}")
        row |= {f"engine{mode}": t_engine, f"baseline{mode}": t_base,
                f"ratio{mode}": t_base / t_engine}
    return row


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--deep-size", type=int, default=100_000)
    ap.add_argument("--no-deep", action="store_true", help="skip the deep network")
    ap.add_argument("--repeat", type=int, default=5, help="engine runs; the best is kept")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    nets = [(f"shallow {n:,}", dict(n=n)) for n in args.sizes]
    if not args.no_deep:
        nets.append((f"deep {args.deep_size:,}", dict(n=args.deep_size, deep=True)))

    print("CPM engine (schedule.cpm) vs networkx baseline (reference_cpm), DataFrames in -> "
          f"DataFrame out; engine best of {args.repeat}; timed with the garbage collector on "
          "(as Python runs) and paused (as timeit does)")
    print(f"{'network':<16}{'tasks':>9}{'links':>9}{'depth':>8}{'engine [s]':>12}"
          f"{'baseline [s]':>14}{'ratio':>8}{'GC paused: engine':>19}{'baseline':>10}"
          f"{'ratio':>8}  target {TARGET:.0f}x")
    rows = []
    for name, kwargs in nets:
        tasks, links = project_network(**kwargs, seed=args.seed)
        row = run(name, tasks, links, args.repeat)
        rows.append(row)
        verdict = ((("met" if row["ratio"] >= TARGET else "NOT MET")
                    + (", also with GC paused" if row["ratio_paused"] >= TARGET
                       else ", not with GC paused"))
                   if row["tasks"] >= TARGET_SIZE else "n/a (< 100k tasks)")
        print(f"{name:<16}{row['tasks']:>9,}{row['links']:>9,}{row['depth']:>8,}"
              f"{row['engine']:>12.4f}{row['baseline']:>14.4f}{row['ratio']:>7.1f}x"
              f"{row['engine_paused']:>19.4f}{row['baseline_paused']:>10.4f}"
              f"{row['ratio_paused']:>7.1f}x  {verdict}")
    print(f"results identical on {', '.join(COLUMNS)} for all {len(rows)} networks")
    return rows


if __name__ == "__main__":
    main()
