"""Tests of pmo_lib.io.mspdi: Microsoft Project XML (MSPDI) import.

* A hand-made file (tests/data/io/mspdi/tiny.xml) with every table checked value by value,
  its schedule at the status date and its earned value worked by hand.
* A hand-made file of lags and summary links (links.xml), each conversion checked.
* MPXJ's MSPDI test files (/work/shared/data/mspdi, skipped when absent): every file imports,
  task and link counts against the XML and the data README, the link list of the task-links
  files (MPXJ's TaskLinksTest), the 2003 and 2019 versions against each other, and the
  re-scheduling match rate per file.
* Hostile and corrupt files: each raises a PMOError naming the file, quickly.
"""

import time as clock
import warnings
from datetime import datetime, time
from pathlib import Path

import defusedxml.ElementTree as SafeET
import numpy as np
import pandas as pd
import pytest

from pmo_lib import evm, health, schedule, simulation
from pmo_lib.errors import (
    DataValidationError,
    MissingDataError,
    PMOError,
    UnknownReferenceError,
)
from pmo_lib.io import read_mspdi
from pmo_lib.io.mspdi import (
    CONSTRAINT_CODES,
    LAG_FORMATS,
    LINK_TYPE_CODES,
    VARIABLE_MAP,
    MspdiWarning,
)
from pmo_lib.model import SCHEMAS

FIXTURES = Path(__file__).parent / "data" / "io" / "mspdi"
TINY = FIXTURES / "tiny.xml"
LINKS = FIXTURES / "links.xml"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mspdi"
NS = "{http://schemas.microsoft.com/project}"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(),
                                  reason="shared MSPDI fixtures (/work/shared/data/mspdi) absent")
SHARED_FILES = sorted(p.name for p in SHARED.glob("*.xml")) if SHARED.is_dir() else []

D = pd.Timestamp


def read(path, **kwargs):
    """read_mspdi with its MspdiWarnings collected: (portfolio, list of messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pf = read_mspdi(path, **kwargs)
    notes = [str(w.message) for w in caught if issubclass(w.category, MspdiWarning)]
    return pf, notes


# ----------------------------------------------------------------------------------------
# The hand-made file: exact tables
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny():
    return read(TINY, project_id="TINY")


def test_tiny_project_and_wbs(tiny):
    pf, _ = tiny
    p = pf.projects.iloc[0]
    assert (p["id"], p["name"], p["programme"], p["manager"], p["sponsor"],
            p["methodology"], p["description"]) == (
        "TINY", "Tiny plan", "Operations", "Ana Lopes", "not in file", "waterfall",
        "Hand-made MSPDI fixture")
    assert p["start_date"] == D("2026-01-05")
    # No baseline cost on the project summary task: the sum of the task budgets
    # 1500 + 5000 + 800 + 200 (Docs, from its Cost) + 0.
    assert p["budget"] == 7500.0
    assert p["priority"] == 1
    assert (pf.name, pf.currency, pf.path) == ("Tiny plan", "EUR", None)
    assert pf.calendar.workweek == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert pf.wbs.to_dict("records") == [{"project_id": "TINY", "wbs": "1", "name": "Build"}]


def test_tiny_tasks(tiny):
    pf, _ = tiny
    expected = pd.DataFrame({
        "id": ["2", "3", "4", "5", "6"],
        "project_id": ["TINY"] * 5,
        "name": ["Design", "Code", "Test", "Docs", "Release"],
        "wbs": ["1.1", "1.2", "2", "3", "4"],
        "duration": [3.0, 5.0, 2.0, 1.0, 0.0],  # PT24H, PT40H, PT16H, PT8H, PT0H / 8 h
        # Baseline 0 (Docs has none: its scheduled Start/Finish and Cost are used).
        "baseline_start": [D("2026-01-05"), D("2026-01-08"), D("2026-01-12"),
                           D("2026-01-16"), D("2026-01-16")],
        "baseline_finish": [D("2026-01-07"), D("2026-01-15"), D("2026-01-13"),
                            D("2026-01-16"), D("2026-01-16")],
        "budget": [1500.0, 5000.0, 800.0, 200.0, 0.0],  # cents / 100; baseline 1 ignored
        "milestone": [False, False, False, False, True],
        "constraint_type": ["ASAP", "ASAP", "ASAP", "SNET", "FNLT"],
        "constraint_date": [pd.NaT, pd.NaT, pd.NaT, D("2026-01-16"), D("2026-01-30")],
    }).astype({c: "datetime64[ns]" for c in ("baseline_start", "baseline_finish",
                                             "constraint_date")})
    got = pf.tasks[expected.columns].astype({"id": object, "project_id": object})
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_tiny_links_resources_assignments_calendar(tiny):
    pf, _ = tiny
    assert pf.links[["pred", "succ", "type", "lag"]].values.tolist() == [
        ["2", "3", "FS", 1.0],   # LinkLag 4800 = 480 min = 1 d
        ["3", "4", "SS", 2.0],   # 9600
        ["4", "5", "FF", 0.0],
        ["2", "5", "SF", 0.0],
        ["5", "6", "FS", 0.0],
    ]
    # The unnamed UID 0 placeholder and the material resource "Cement" are left out.
    assert pf.resources[["id", "name", "role", "capacity", "cost_rate"]].values.tolist() == [
        ["1", "Ana Lopes", "Engineering", 1.0, 400.0],  # 50 per hour × 8 h
        ["2", "Test rig", "Lab", 2.0, 100.0],           # 12.5 per hour × 8 h
    ]
    # The "no resource" (-65535) assignment and the one to Cement are left out.
    assert pf.assignments.values.tolist() == [
        ["2", "1", 1.0], ["3", "1", 0.5], ["4", "2", 2.0], ["5", "1", 1.0]]
    # One-off (2007+ Exceptions), yearly by date (Type 2, three occurrences) and a
    # Project 2003 WeekDay exception (DayType 0, no name).
    assert pf.holidays["date"].tolist() == [
        D("2026-01-01"), D("2026-01-14"), D("2026-01-22"), D("2026-01-23"),
        D("2027-01-01"), D("2028-01-01")]
    assert pf.holidays["name"].fillna("").tolist() == [
        "New Year", "Company day", "", "", "New Year", "New Year"]


def test_tiny_status_snapshot(tiny):
    pf, _ = tiny
    assert pf.status_dates.tolist() == [D("2026-01-09")]  # <StatusDate>2026-01-09T17:00
    s = pf.status.set_index("task_id")
    assert s.index.tolist() == ["2", "3"]  # only the started tasks
    assert s.loc["2", ["percent_complete", "actual_cost", "remaining_duration"]].tolist() == [
        100.0, 1600.0, 0.0]
    assert (s.at["2", "actual_start"], s.at["2", "actual_finish"]) == (
        D("2026-01-05"), D("2026-01-07"))
    assert s.loc["3", ["percent_complete", "actual_cost", "remaining_duration"]].tolist() == [
        20.0, 1000.0, 4.0]  # PT32H remaining = 4 d
    assert s.at["3", "actual_start"] == D("2026-01-09")
    assert pd.isna(s.at["3", "actual_finish"])


def test_tiny_warnings(tiny):
    _, notes = tiny
    assert len(notes) == 2
    assert "tiny.xml: 1 material or cost resource(s) are left out" in notes[0]
    assert "Cement (material)" in notes[0]
    assert "1 task(s) have no baseline 0" in notes[1] and "task UIDs 5" in notes[1]


def test_tiny_schedule_matches_the_file(tiny):
    """At the status date: Design is done (actual dates); Code resumes on Monday 12th with
    4 days left (the 14th is a holiday) to finish on the 16th; Test starts 2 days after
    Code's start (SS+2: the 13th); Docs is held to the 16th by its SNET; the milestone
    follows Docs. These are the file's own Start/Finish."""
    pf, _ = tiny
    for month in (None, "2026-01"):
        s = schedule.schedule_portfolio(pf, month)
        assert s["start_date"].tolist() == [D("2026-01-05"), D("2026-01-09"), D("2026-01-13"),
                                            D("2026-01-16"), D("2026-01-16")]
        assert s["finish_date"].tolist() == [D("2026-01-07"), D("2026-01-16"),
                                             D("2026-01-15"), D("2026-01-16"),
                                             D("2026-01-16")]
    s = schedule.schedule_portfolio(pf, "2026-01")
    assert s["status"].tolist() == ["complete", "in progress", "not started", "not started",
                                    "not started"]
    assert s.loc[["3", "5", "6"], "critical"].all() and not s.at["4", "critical"]
    assert s.at["4", "total_float"] == 1.0


def test_tiny_evm_dcma_and_risk_run(tiny):
    """EVM by hand at 2026-01-09: PV = Design 1500 + Code 5000 × 2/5 baseline days done
    (08th, 09th of 08, 09, 12, 13, 15) = 3500; EV = 1500 × 100 % + 5000 × 20 % = 2500;
    AC = 1600 + 1000 = 2600."""
    pf, _ = tiny
    perf = evm.project_performance(pf, "2026-01").iloc[0]
    assert (perf["bac"], perf["pv"], perf["ev"], perf["ac"]) == (7500.0, 3500.0, 2500.0,
                                                                 2600.0)
    assert perf["spi"] == pytest.approx(2500 / 3500, rel=1e-12)
    assert perf["cpi"] == pytest.approx(2500 / 2600, rel=1e-12)
    dcma = health.dcma14(pf, "2026-01").set_index("check")
    assert dcma.at["Lags", "count"] == 2  # 2->3 (+1 d) and 3->4 (+2 d)
    assert dcma.at["Hard constraints", "count"] == 1  # FNLT on the milestone
    run = simulation.simulate(pf.tasks_with_estimates(), pf.links, iterations=200, seed=7,
                              default_range=(0.9, 1.3), calendar=pf.calendar,
                              start=pf.projects.at[0, "start_date"])
    assert run.deterministic == 9.0  # working days from the 5th to the end of the 16th
    assert run.finish.min() >= 9.0 * 0.9 - 1e-9


# ----------------------------------------------------------------------------------------
# Lags, durations and summary links (links.xml)
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def links():
    return read(LINKS, project_id="L")


def test_lag_conversions(links):
    pf, _ = links
    lag = {(p, s): (t, x) for p, s, t, x in pf.links[["pred", "succ", "type", "lag"]].values}
    assert lag[("1", "2")] == ("FS", pytest.approx(2 * 5 / 7))  # 2 ed: 28800 = 2 × 1440 min
    assert lag[("1", "3")] == ("FS", 2.0)                       # 50 % of A's 4 d
    assert lag[("1", "4")] == ("FS", -0.5)                      # -4 h lead
    assert lag[("1", "5")] == ("SS", 20.0)                      # 1 mo = 96000 = 20 d × 8 h
    assert lag[("1", "6")] == ("FF", 15.0)                      # 3 ew = 21 days × 5/7


def test_summary_links_and_dropped_tasks(links):
    pf, notes = links
    pairs = pf.links[["pred", "succ", "type", "lag"]].values.tolist()
    # Phase (UID 10) holds X (11) and Y (12): A -> Phase becomes A -> X and A -> Y,
    # Phase -> Z (FS +1 d) becomes X -> Z and Y -> Z, Phase -> W (SS) X -> W and Y -> W.
    assert pairs[5:] == [["11", "12", "FS", 0.0], ["1", "11", "FS", 0.0],
                         ["1", "12", "FS", 0.0], ["11", "13", "FS", 1.0],
                         ["12", "13", "FS", 1.0], ["11", "14", "SS", 0.0],
                         ["12", "14", "SS", 0.0]]
    assert "10" not in set(pf.tasks["id"]) and "15" not in set(pf.tasks["id"])
    assert pf.wbs[["wbs", "name"]].values.tolist() == [["8", "Phase"]]
    t = pf.tasks.set_index("id")
    assert t.loc[["11", "12"], "wbs"].tolist() == ["8.1", "8.2"]
    assert t.at["7", "duration"] == pytest.approx(2 * 5 / 7)  # 2 ed elapsed duration
    assert (t.at["17", "duration"], bool(t.at["17", "milestone"])) == (1.0, False)
    expected = ["link(s) to other projects (CrossProject) are left out: into task UID 14",
                "inactive or external tasks are left out: 1->15",
                "2 elapsed lag(s)", "1 percentage lag(s)", "1->3 (50 %)",
                "3 link(s) from or to summary tasks are replaced by 6 link(s)",
                "approximated (every task of the summary must meet them): 10->14 SS",
                "flagged as milestones have a duration and are read as tasks: task UID 17",
                "1 elapsed duration(s)", "inactive or external task(s) are left out: task "
                "UID 15 'Off'", "manually scheduled (Manual = 1)",
                "have their own calendar, which is not modelled", "leveling delay"]
    text = "\n".join(notes)
    for fragment in expected:
        assert fragment in text, fragment
    assert all(n.startswith(str(LINKS)) for n in notes)


def test_codes_and_mapping_are_consistent():
    assert LINK_TYPE_CODES == {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
    assert CONSTRAINT_CODES[4] == "SNET" and CONSTRAINT_CODES[7] == "FNLT"
    assert {kind for _, kind in LAG_FORMATS.values()} == {"work", "elapsed", "percent"}
    for source, target in VARIABLE_MAP.items():
        table, _, column = target.partition(".")
        if table in SCHEMAS:
            assert column.split(" ")[0] in {c.name for c in SCHEMAS[table].columns}, source


# ----------------------------------------------------------------------------------------
# MPXJ's MSPDI files
# ----------------------------------------------------------------------------------------
#: The table of /work/shared/data/README.md section 2: file → (tasks incl. summary tasks,
#: predecessor links, resources, assignments).
README_COUNTS = {
    "mpxj_legacy_sample.xml": (20, 6, 3, 17),
    "mpxj_legacy_sample1.xml": (23, 6, 2, 4),
    "mpxj_task-links-project2003-mspdi.xml": (17, 8, 1, 16),
    "mpxj_task-links-project2019-mspdi.xml": (17, 8, 1, 16),
    "mpxj_task-baselines-project2007-mspdi.xml": (56, 0, 1, 55),
    "mpxj_task-costs-project2016-mspdi.xml": (11, 0, 1, 10),
    "mpxj_assignment-assignments-project2010-mspdi.xml": (4, 0, 4, 3),
    "mpxj_mspdiresource.xml": (4, 1, 5, 5),
    "mpxj_mspdirelations.xml": (6, 4, 1, 5),
    "mpxj_mspdisplittask.xml": (3, 0, 1, 2),
    "mpxj_mspditimephased.xml": (41, 0, 42, 40),
    "mpxj_baselines.xml": (2, 0, 2, 1),
}


def _flag(el, tag) -> bool:
    child = el.find(NS + tag)
    return child is not None and (child.text or "").strip() == "1"


def _xml_counts(path: Path) -> dict:
    """Counted straight from the XML, independently of the reader."""
    root = SafeET.parse(path).getroot()
    tasks = root.findall(f"{NS}Tasks/{NS}Task")
    leaves = [t for t in tasks if not _flag(t, "Summary") and t.find(NS + "UID").text != "0"]
    return {"tasks": len(tasks), "summary": sum(_flag(t, "Summary") for t in tasks),
            "leaves": len(leaves),
            "milestones": sum(_flag(t, "Milestone") for t in leaves),
            "links": len(root.findall(f"{NS}Tasks/{NS}Task/{NS}PredecessorLink")),
            "resources": len(root.findall(f"{NS}Resources/{NS}Resource")),
            "assignments": len(root.findall(f"{NS}Assignments/{NS}Assignment"))}


@needs_shared
def test_readme_lists_every_shared_file():
    assert sorted(README_COUNTS) == SHARED_FILES


@needs_shared
@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_imports_with_matching_counts(name):
    path = SHARED / name
    pf, notes = read(path)
    xml = _xml_counts(path)
    # The README's counts are those of the XML elements.
    assert (xml["tasks"], xml["links"], xml["resources"], xml["assignments"]) == \
        README_COUNTS[name]
    # Summary tasks (and the project summary task, UID 0) are WBS rows, not tasks.
    assert len(pf.tasks) == xml["leaves"]
    assert len(pf.wbs) == xml["summary"] - 1
    assert int(pf.tasks["milestone"].sum()) == xml["milestones"]
    assert len(pf.links) == xml["links"]  # no summary or cross-project link in these files
    assert pf.tasks["id"].is_unique and (pf.tasks["duration"] >= 0).all()
    assert pf.projects["id"].tolist() == [path.stem]
    assert pf.currency == "GBP"
    assert all(n.startswith(str(path)) for n in notes)


@needs_shared
def test_readme_summary_and_milestone_counts():
    legacy = _xml_counts(SHARED / "mpxj_legacy_sample.xml")
    assert (legacy["summary"], legacy["milestones"]) == (4, 1)  # "20 (4 summary, 1 milestone)"
    assert _xml_counts(SHARED / "mpxj_legacy_sample1.xml")["summary"] == 5
    pf, _ = read(SHARED / "mpxj_legacy_sample.xml")
    assert pf.wbs["name"].tolist() == ["First Task", "Recurring Task", "Task Relationships"]
    assert pf.tasks.loc[pf.tasks["milestone"], "name"].tolist() == ["Third task"]


@needs_shared
@pytest.mark.parametrize("version", ["2003", "2019"])
def test_task_links_expected_list(version):
    """MPXJ's TaskLinksTest: one link per pair of tasks, in this order."""
    pf, _ = read(SHARED / f"mpxj_task-links-project{version}-mspdi.xml")
    links = pf.links.assign(succ_n=pf.links["succ"].astype(int)).sort_values("succ_n")
    assert list(zip(links["type"], links["lag"], strict=True)) == [
        ("FS", 0.0), ("FS", 1.0), ("FS", 2.0), ("FS", 5.0), ("FS", 10.0), ("SF", 2.0),
        ("SS", 2.0), ("FF", 2.0)]
    assert links["pred"].astype(int).tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    assert links["succ"].astype(int).tolist() == [2, 4, 6, 8, 10, 12, 14, 16]


@needs_shared
def test_2003_and_2019_give_the_same_tables():
    """Same content from Project 2003 and Project 2019 (which starts on another date and
    marks the tasks manually scheduled): the same tables, dates compared as working days
    from the project start."""
    tables = []
    for version in ("2003", "2019"):
        pf, _ = read(SHARED / f"mpxj_task-links-project{version}-mspdi.xml", project_id="P")
        start = pf.projects.at[0, "start_date"]
        tasks = pf.tasks.copy()
        for col in ("baseline_start", "baseline_finish"):
            tasks[col] = pf.calendar.date_to_offset(tasks[col], start)
        sched = schedule.schedule_portfolio(pf)
        tables.append((tasks, pf.links, pf.resources, pf.assignments, pf.wbs,
                       sched[["early_start", "early_finish", "total_float"]]))
    for a, b in zip(*tables, strict=True):
        pd.testing.assert_frame_equal(a, b)


@needs_shared
def test_costs_rates_and_baselines_of_shared_files():
    pf, notes = read(SHARED / "mpxj_mspdiresource.xml")
    # StandardRate is per hour (50, 75, 100): × 8 h; "Concrete" is a material resource.
    assert pf.resources[["name", "role", "capacity", "cost_rate"]].values.tolist() == [
        ["Wade Golden", "Steelray", 1.0, 400.0], ["Jon Iles", "Tapsterrock", 1.0, 600.0],
        ["Brian Leach", "Steelray", 1.0, 800.0]]
    assert any("Concrete (material)" in n for n in notes)
    # Task costs are in cents: "Task A" costs 540000 = 5400.00 (3 × 24 h at 50, 75, 100).
    assert pf.tasks.set_index("name").at["Task A", "budget"] == 5400.0
    pf, _ = read(SHARED / "mpxj_task-baselines-project2007-mspdi.xml")
    budget = pf.tasks.set_index("name")["budget"]
    assert budget["Baseline Cost - Task"] == 1.0  # baseline 0 cost 100 cents; set as 1
    assert budget["Baseline1 Cost - Task"] == 0.0  # baselines 1-10 are not the kit's
    pf, notes = read(SHARED / "mpxj_baselines.xml")  # baselines 1-10 only, 7.5 h days
    assert pf.tasks["duration"].tolist() == [1.0]  # PT7H30M / MinutesPerDay 450
    assert pf.tasks["baseline_start"].tolist() == [D("2008-01-30")]
    assert any("no baseline 0" in n for n in notes)


@needs_shared
def test_progress_with_a_status_date_argument():
    path = SHARED / "mpxj_assignment-assignments-project2010-mspdi.xml"
    pf, notes = read(path)
    assert pf.status.empty
    assert any("no <StatusDate>: progress is not imported" in n for n in notes)
    pf, _ = read(path, status_date="2016-01-08")
    s = pf.status.set_index("task_id")
    assert s["percent_complete"].to_dict() == {"2": 25.0, "3": 50.0}
    assert s["remaining_duration"].to_dict() == {"2": 7.5, "3": 5.0}  # PT60H, PT40H
    assert (s["actual_start"] == D("2016-01-04")).all() and s["actual_finish"].isna().all()
    pf, _ = read(SHARED / "mpxj_mspdiresource.xml", status_date="2006-09-01")
    row = pf.status.iloc[0]
    assert (row["task_id"], row["percent_complete"], row["actual_cost"]) == ("4", 100.0,
                                                                             800.0)
    assert (row["actual_start"], row["actual_finish"]) == (D("2006-08-26"), D("2006-08-29"))
    with pytest.raises(DataValidationError, match=r"mpxj_mspdiresource\.xml: task UID 4 "
                       r"'Completed Task': <ActualFinish> 2006-08-29 is after the status "
                       r"date 2006-08-28"):
        read_mspdi(SHARED / "mpxj_mspdiresource.xml", status_date="2006-08-28")


def _file_day(value: str, *, finish: bool, pf, day_start: time, day_end: time) -> pd.Timestamp:
    """The working day of a file date, as the kit counts days (done here independently of
    the reader): a start at or after the day's end is the next working day; a finish at or
    before the day's start, or on a non-working day, belongs to the previous working day."""
    moment = datetime.fromisoformat(value)
    day = D(moment.date())
    cal = pf.calendar
    if finish:
        if moment.time() <= day_start or not cal.is_working_day(day):
            day = cal.add_working_days(day, -1)
        return day
    if moment.time() >= day_end:
        day = day + pd.Timedelta(days=1)
    return cal.roll_forward(day)


def _match_rates(path: Path):
    pf, _ = read(path)
    sched = schedule.schedule_portfolio(pf, pf.latest_month if len(pf.status_dates) else None)
    root = SafeET.parse(path).getroot()

    def clock_of(tag, default):
        el = root.find(NS + tag)
        return time.fromisoformat(el.text) if el is not None else default

    day_start, day_end = clock_of("DefaultStartTime", time(8)), clock_of("DefaultFinishTime",
                                                                           time(17))
    project_start = pf.projects.at[0, "start_date"]
    hits = []
    for el in root.findall(f"{NS}Tasks/{NS}Task"):
        uid = el.find(NS + "UID").text
        if uid not in sched.index:
            continue
        first = _file_day(el.find(NS + "Start").text, finish=False, pf=pf,
                          day_start=day_start, day_end=day_end)
        last = _file_day(el.find(NS + "Finish").text, finish=True, pf=pf,
                         day_start=day_start, day_end=day_end)
        if sched.at[uid, "milestone"]:  # the day its finish falls on, not before the start
            first = last = max(last, project_start)
        hits.append((sched.at[uid, "start_date"] == first, sched.at[uid, "finish_date"] == last))
    hits = np.array(hits)
    return len(hits), len(pf.links), hits[:, 0].mean(), hits[:, 1].mean()


#: The least share of tasks whose start / finish day the kit reproduces, per file (the
#: measured rates, rounded down). Why the others differ (module docstring, "Match rate"):
MATCH_FLOORS = {
    "mpxj_assignment-assignments-project2010-mspdi.xml": (1.0, 1.0),
    "mpxj_baselines.xml": (1.0, 1.0),
    # "Second Task": Duration 800 h between dates 50 working days apart (part-time
    # resources drive its dates).
    "mpxj_legacy_sample.xml": (1.0, 0.93),
    # The same, and "Assigned Task 2" on a night-shift resource calendar (starts 23:00).
    "mpxj_legacy_sample1.xml": (0.94, 0.94),
    "mpxj_mspdirelations.xml": (1.0, 1.0),
    # 48 h of work in a 3-day window (3 resources), a contoured assignment, and actual
    # work on a Saturday.
    "mpxj_mspdiresource.xml": (0.33, 0.0),
    # Split tasks: the file's finish includes the gaps.
    "mpxj_mspdisplittask.xml": (1.0, 0.0),
    # Resource calendars (night shift, 24 hours), units of 50 % and 150 %, progress laid out
    # by Stop/Resume, MinutesPerDay 450 against an 8-hour calendar.
    "mpxj_mspditimephased.xml": (0.80, 0.22),
    "mpxj_task-baselines-project2007-mspdi.xml": (1.0, 1.0),
    "mpxj_task-costs-project2016-mspdi.xml": (1.0, 1.0),
    "mpxj_task-links-project2003-mspdi.xml": (1.0, 1.0),
    "mpxj_task-links-project2019-mspdi.xml": (1.0, 1.0),
}


@needs_shared
def test_rescheduling_match_rate(capsys):
    """Re-schedule every file with the kit's engine (at its status snapshot when it has one:
    none of these files has a StatusDate) and compare each task's start and finish day with
    the file's Start and Finish."""
    assert sorted(MATCH_FLOORS) == SHARED_FILES
    rows = []
    for name in SHARED_FILES:
        n, links, start, finish = _match_rates(SHARED / name)
        rows.append((name, n, links, start, finish))
    table = ["", f"{'file':50s} {'tasks':>5s} {'links':>5s} {'start':>7s} {'finish':>7s}"]
    table += [f"{name:50s} {n:5d} {links:5d} {start:7.1%} {finish:7.1%}"
              for name, n, links, start, finish in rows]
    with capsys.disabled():
        print("\n".join(table))
    for name, _, _, start, finish in rows:
        floor_start, floor_finish = MATCH_FLOORS[name]
        assert start >= floor_start - 1e-9, (name, start)
        assert finish >= floor_finish - 1e-9, (name, finish)
    # The plain files are reproduced exactly.
    assert sum(1 for r in rows if r[3] == 1.0 and r[4] == 1.0) == 7


def test_tiny_is_reproduced_by_the_match_rate_procedure():
    n, links, start, finish = _match_rates(TINY)
    assert (n, links, start, finish) == (5, 5, 1.0, 1.0)


# ----------------------------------------------------------------------------------------
# Hostile and corrupt files
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "error", "pattern"), [
    ("empty.xml", DataValidationError, r"empty\.xml: is empty"),
    ("truncated.xml", DataValidationError,
     r"truncated\.xml: is not well-formed XML at line 34, .*looks truncated"),
    ("malformed.xml", DataValidationError,
     r"malformed\.xml: is not well-formed XML at line 3, column 36"),
    ("billion_laughs.xml", DataValidationError,
     r"billion_laughs\.xml: declares the entity 'lol'.*billion laughs"),
    ("xxe.xml", DataValidationError,
     r"xxe\.xml: declares the external entity 'secret' \(file:///etc/passwd\).*XXE"),
    ("xxe_parameter.xml", DataValidationError,
     r"xxe_parameter\.xml: declares the external entity 'remote'"),
    ("binary.mpp", DataValidationError,
     r"binary\.mpp: is a binary file \(an OLE2 compound document.*Save As > XML Format"),
    ("binary.xml", DataValidationError, r"binary\.xml: is a binary file, not XML"),
    ("wrong_root.xml", DataValidationError,
     r"wrong_root\.xml: is XML but not an MS Project XML \(MSPDI\) file: its root element is "
     r"<html>"),
    ("wrong_namespace.xml", DataValidationError,
     r"wrong_namespace\.xml: .*root element is <Project> in the namespace "
     r"http://example\.com/not-ms-project"),
    ("no_tasks.xml", DataValidationError, r"no_tasks\.xml: has no tasks"),
])
def test_hostile_files(name, error, pattern):
    began = clock.perf_counter()
    with pytest.raises(error, match=pattern) as info:
        read_mspdi(FIXTURES / name)
    assert clock.perf_counter() - began < 5.0  # refused at once, never expanded
    assert isinstance(info.value, PMOError)
    assert "root:" not in str(info.value)  # nothing of /etc/passwd leaks


def test_deeply_nested_outline_is_refused_quickly(tmp_path):
    """20 000 tasks each one outline level below the previous one."""
    body = "".join(f"<Task><UID>{i}</UID><Name>T{i}</Name><OutlineLevel>{i}</OutlineLevel>"
                   "<Duration>PT8H0M0S</Duration></Task>" for i in range(1, 20_001))
    path = tmp_path / "deep.xml"
    path.write_text(f'<Project xmlns="http://schemas.microsoft.com/project">'
                    f"<StartDate>2026-01-05T08:00:00</StartDate><Tasks>{body}</Tasks>"
                    "</Project>", encoding="utf-8")
    began = clock.perf_counter()
    with pytest.raises(DataValidationError, match=r"deep\.xml: .*task UID 101 'T101': "
                       r"<OutlineLevel> 101 is deeper than 100 levels"):
        read_mspdi(path)
    assert clock.perf_counter() - began < 10.0


def test_an_external_dtd_is_never_fetched(tmp_path):
    """A DOCTYPE naming an external DTD (no entity declared) is parsed without loading it."""
    text = TINY.read_text(encoding="utf-8").replace(
        "<Project xmlns=", '<!DOCTYPE Project SYSTEM "file:///etc/passwd">\n<Project xmlns=', 1)
    path = tmp_path / "dtd.xml"
    path.write_text(text, encoding="utf-8")
    pf, _ = read(path)
    assert pf.tasks["name"].tolist() == ["Design", "Code", "Test", "Docs", "Release"]
    assert not any("root:" in str(v) for v in pf.projects.iloc[0])


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MissingDataError, match=r"nope\.xml: file not found"):
        read_mspdi(tmp_path / "nope.xml")
    with pytest.raises(DataValidationError, match="is not a file"):
        read_mspdi(tmp_path)


def test_a_project_without_namespace_is_read(tmp_path):
    text = TINY.read_text(encoding="utf-8").replace(
        ' xmlns="http://schemas.microsoft.com/project"', "")
    path = tmp_path / "plain.xml"
    path.write_text(text, encoding="utf-8")
    pf, _ = read(path, project_id="TINY")
    ref, _ = read(TINY, project_id="TINY")
    pd.testing.assert_frame_equal(pf.tasks, ref.tasks)
    pd.testing.assert_frame_equal(pf.links, ref.links)


def test_utf16_file_is_read(tmp_path):
    text = TINY.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / "utf16.xml"
    path.write_bytes(text.encode("utf-16"))
    pf, _ = read(path, project_id="TINY")
    assert len(pf.tasks) == 5 and pf.currency == "EUR"


# ----------------------------------------------------------------------------------------
# Problems in the file: each a clear error naming the file and the task
# ----------------------------------------------------------------------------------------
def _edited(tmp_path, old: str, new: str, count: int = 1) -> Path:
    text = TINY.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "edited.xml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "error", "pattern"), [
    ("<Duration>PT40H0M0S</Duration><DurationFormat>", "<Duration>-PT40H0M0S</Duration>"
     "<DurationFormat>", DataValidationError,
     r"edited\.xml: task UID 3 'Code': <Duration> -PT40H0M0S is negative"),
    ("<Duration>PT16H0M0S</Duration><DurationFormat>", "<Duration>2 days</Duration>"
     "<DurationFormat>", DataValidationError,
     r"task UID 4 'Test': <Duration> '2 days' is not a duration like PT8H0M0S"),
    ("<Duration>PT16H0M0S</Duration><DurationFormat>", "<Duration>P2D</Duration>"
     "<DurationFormat>", DataValidationError,
     r"task UID 4 'Test': <Duration> 'P2D' has years, months or days"),
    ("<PredecessorUID>4</PredecessorUID>", "<PredecessorUID>42</PredecessorUID>",
     UnknownReferenceError,
     r"edited\.xml: task UID 5 'Docs': <PredecessorLink>: refers to task UID 42, which the "
     r"file does not have"),
    ("<PredecessorUID>4</PredecessorUID><Type>0</Type>",
     "<PredecessorUID>4</PredecessorUID><Type>7</Type>", DataValidationError,
     r"task UID 5 'Docs': the link from task UID 4 'Test': has <Type> 7; the link types are "
     r"0 \(FF\), 1 \(FS\), 2 \(SF\) and 3 \(SS\)"),
    ("<LinkLag>9600</LinkLag><LagFormat>7</LagFormat>",
     "<LinkLag>9600</LinkLag><LagFormat>99</LagFormat>", DataValidationError,
     r"task UID 4 'Test': the link from task UID 3 'Code': has <LagFormat> 99"),
    ("<PredecessorUID>2</PredecessorUID><Type>1</Type>",
     "<PredecessorUID>3</PredecessorUID><Type>1</Type>", DataValidationError,
     r"task UID 3 'Code': is linked to itself"),
    ("<UID>4</UID><ID>4</ID>", "<UID>3</UID><ID>4</ID>", DataValidationError,
     r"task UID 3 'Test': has the same UID as task 'Code'"),
    ("<PercentComplete>20</PercentComplete>", "<PercentComplete>120</PercentComplete>",
     DataValidationError, r"task UID 3 'Code': <PercentComplete> 120 is outside 0–100"),
    ("<ActualStart>2026-01-09T08:00:00</ActualStart>", "", DataValidationError,
     r"task UID 3 'Code': has 20 % complete but no <ActualStart>"),
    ("<ConstraintDate>2026-01-16T08:00:00</ConstraintDate>", "", DataValidationError,
     r"task UID 5 'Docs': has constraint SNET \(<ConstraintType> 4\) but no "
     r"<ConstraintDate>"),
    ("<ConstraintType>4</ConstraintType>", "<ConstraintType>9</ConstraintType>",
     DataValidationError, r"task UID 5 'Docs': <ConstraintType> 9 is not a constraint type"),
    ("<Start>2026-01-13T08:00:00</Start>", "<Start>13/01/2026</Start>", DataValidationError,
     r"task UID 4 'Test': <Start> '13/01/2026' is not a date and time"),
    ("<Cost>80000</Cost><ActualCost>0</ActualCost>", "<Cost>80000</Cost><ActualCost>-5</ActualCost>",
     DataValidationError, r"task UID 4 'Test': <ActualCost> -0.05 is negative"),
    ("<ResourceUID>2</ResourceUID>", "<ResourceUID>8</ResourceUID>", UnknownReferenceError,
     r"assignment UID 3 \(task UID 4 'Test'\): refers to resource UID 8, which the file "
     r"does not have"),
    ("<TaskUID>4</TaskUID>", "<TaskUID>40</TaskUID>", UnknownReferenceError,
     r"assignment UID 3: refers to task UID 40"),
    ("<Group>Lab</Group><MaxUnits>2.00</MaxUnits>", "<Group>Lab</Group><MaxUnits>0</MaxUnits>",
     DataValidationError, r"resource UID 2 'Test rig': <MaxUnits> 0 is not above 0"),
    ("<MinutesPerDay>480</MinutesPerDay>", "<MinutesPerDay>eight hours</MinutesPerDay>",
     DataValidationError, r"<Project>: <MinutesPerDay> 'eight hours' is not a number"),
    ("<CalendarUID>1</CalendarUID>\n  <DefaultStartTime>",
     "<CalendarUID>5</CalendarUID>\n  <DefaultStartTime>", UnknownReferenceError,
     r"<Project>: <CalendarUID> 5 is not the UID of a calendar of the file"),
    ("<OutlineNumber>2</OutlineNumber>\n      <OutlineLevel>1</OutlineLevel>",
     "<OutlineLevel>500</OutlineLevel>", DataValidationError,
     r"task UID 4 'Test': <OutlineLevel> 500 is deeper than 100 levels"),
    ("<Start>2026-01-13T08:00:00</Start>", "<Start>3026-01-13T08:00:00</Start>",
     DataValidationError, r"task UID 4 'Test': <Start> '3026-01-13T08:00:00' is outside the "
     r"years 1900–2200"),
    ("<Number>0</Number><Start>2026-01-12T08:00:00</Start>",
     "<Number>0</Number><Start>2026-01-19T08:00:00</Start>", DataValidationError,
     r"task UID 4 'Test': baseline <Finish> 2026-01-13 17:00 is before its <Start>"),
])
def test_problems_name_the_file_and_the_task(tmp_path, old, new, error, pattern):
    path = _edited(tmp_path, old, new)
    with pytest.raises(error, match=pattern) as info:
        read(path, project_id="TINY")
    assert str(path) in str(info.value)


def test_every_problem_is_listed(tmp_path):
    path = _edited(tmp_path, "<PercentComplete>20</PercentComplete>",
                   "<PercentComplete>-3</PercentComplete>")
    text = path.read_text(encoding="utf-8").replace(
        "<PredecessorUID>4</PredecessorUID>", "<PredecessorUID>42</PredecessorUID>")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read(path)
    messages = [p.message for p in info.value.problems]
    assert any("UID 42" in m for m in messages) and any("-3 is outside" in m for m in messages)


def test_a_dependency_cycle_names_the_file(tmp_path):
    path = _edited(tmp_path, "<PredecessorUID>2</PredecessorUID><Type>1</Type>",
                   "<PredecessorUID>4</PredecessorUID><Type>1</Type>")
    with pytest.raises(DataValidationError, match=r"edited\.xml/links\.csv.*dependency cycle"):
        read(path)


def test_status_date_argument(tmp_path):
    pf, _ = read(TINY, project_id="TINY", status_date="2026-01-12")
    assert pf.status_dates.tolist() == [D("2026-01-12")]
    with pytest.raises(DataValidationError, match=r"tiny\.xml: task UID 3 'Code': <ActualStart> "
                       r"2026-01-09 is after the status date 2026-01-08"):
        read_mspdi(TINY, status_date="2026-01-08")
    with pytest.raises(DataValidationError, match=r"status_date.*'someday' is not a date"):
        read_mspdi(TINY, status_date="someday")
    path = _edited(tmp_path, "<StatusDate>2026-01-09T17:00:00</StatusDate>", "")
    pf, notes = read(path)
    assert pf.status.empty and pf.projects.at[0, "id"] == "edited"
    assert any("2 task(s) have progress" in n for n in notes)


def test_bad_project_id():
    with pytest.raises(DataValidationError, match="project_id"):
        read_mspdi(TINY, project_id="  ")


def test_warnings_are_mspdi_warnings():
    with pytest.warns(MspdiWarning) as record:
        read_mspdi(TINY)
    assert [str(w.message).split(": ", 1)[1][:25] for w in record] == [
        "1 material or cost resour", "1 task(s) have no baselin"]
