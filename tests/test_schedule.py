"""CPM engine: hand-computed textbook networks, constraints, progress, dates and bad input.

Every expected number below was worked out by hand; the working is in each docstring.
Offsets are working days from offset 0; finish offsets are exclusive (EF = ES + duration).
"""

import numpy as np
import pandas as pd
import pytest

from pmo_lib import ScheduleError, WorkCalendar, load_portfolio, schedule
from pmo_lib.exercises import scheduling
from pmo_lib.schedule import cpm, critical_paths, link_slack, schedule_portfolio


def _net(durations: dict, links: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    tasks = pd.DataFrame({"id": list(durations), "duration": list(durations.values())})
    rows = [(p, s, *[*rest, "FS", 0][:2]) for p, s, *rest in links]
    links = pd.DataFrame(rows, columns=["pred", "succ", "type", "lag"])
    return tasks, links


def _col(result, column):
    return result[column].to_dict()


# ---------------------------------------------------------------------------------------
# Textbook networks
# ---------------------------------------------------------------------------------------
def test_fs_network_with_lag_and_two_critical_paths():
    """A3 -> B4 -> D5 -> F0, A -> C2 -(FS+2)-> D, C -> E3 -> F.

    Forward: A 0-3; B 3-7; C 3-5; D max(7, 5+2) = 7-12; E 5-8; F max(12, 8) = 12.
    Backward from 12: F 12; D 7-12; E 9-12; B 3-7; C LF min(7-2, 9) = 5, LS 3; A 0-3.
    TF: E 4, all others 0. Free float: E 12-8 = 4, others 0.
    """
    tasks, links = _net({"A": 3, "B": 4, "C": 2, "D": 5, "E": 3, "F": 0},
                        [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D", "FS", 2), ("D", "F"),
                         ("C", "E"), ("E", "F")])
    r = cpm(tasks, links)
    assert _col(r, "early_start") == {"A": 0, "B": 3, "C": 3, "D": 7, "E": 5, "F": 12}
    assert _col(r, "early_finish") == {"A": 3, "B": 7, "C": 5, "D": 12, "E": 8, "F": 12}
    assert _col(r, "late_start") == {"A": 0, "B": 3, "C": 3, "D": 7, "E": 9, "F": 12}
    assert _col(r, "late_finish") == {"A": 3, "B": 7, "C": 5, "D": 12, "E": 12, "F": 12}
    assert _col(r, "total_float") == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 4, "F": 0}
    assert _col(r, "free_float") == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 4, "F": 0}
    assert list(r.index[r["critical"]]) == ["A", "B", "C", "D", "F"]
    assert list(r.index[r["near_critical"]]) == ["E"]
    assert sorted(critical_paths(r, links)) == [["A", "B", "D", "F"], ["A", "C", "D", "F"]]
    assert r.attrs["project_finish"] == {None: 12.0}


def test_ss_ff_sf_and_a_lead():
    """P10 -(SS+3)-> Q6; P -(FF+2)-> R4; Q -(FS-2)-> S3; R -(SF+1)-> S.

    Forward: P 0-10; Q ES >= 0+3: 3-9; R EF >= 10+2 = 12: 8-12;
    S ES >= 9-2 = 7 and EF >= ES_R + 1 = 9 (ES >= 6): 7-10. Project finish 12 (R).
    Backward: S LF 12, LS 9; R LF min(12, 12 - 1 + 4) = 12, LS 8; Q LF <= LS_S + 2 = 11, LS 5;
    P LF min(LS_Q - 3 + 10 = 12, LF_R - 2 = 10) = 10, LS 0.
    TF: P 0, Q 2, R 0, S 2. Free float: P 0 (both links bind), Q 7+2-9 = 0,
    R: its link to S has EF_S - 1 - ES_R = 1 day of slack, but R ends at the project finish,
    and free float never passes the project finish (nor total float): 0. S 12 - 10 = 2.
    Longest path: R (ends at 12) and P (drives R).
    """
    tasks, links = _net({"P": 10, "Q": 6, "R": 4, "S": 3},
                        [("P", "Q", "SS", 3), ("P", "R", "FF", 2), ("Q", "S", "FS", -2),
                         ("R", "S", "SF", 1)])
    r = cpm(tasks, links)
    assert _col(r, "early_start") == {"P": 0, "Q": 3, "R": 8, "S": 7}
    assert _col(r, "early_finish") == {"P": 10, "Q": 9, "R": 12, "S": 10}
    assert _col(r, "late_start") == {"P": 0, "Q": 5, "R": 8, "S": 9}
    assert _col(r, "late_finish") == {"P": 10, "Q": 11, "R": 12, "S": 12}
    assert _col(r, "total_float") == {"P": 0, "Q": 2, "R": 0, "S": 2}
    assert _col(r, "free_float") == {"P": 0, "Q": 0, "R": 0, "S": 2}
    assert list(r.index[r["longest_path"]]) == ["P", "R"]
    slack = link_slack(r, links).set_index(["pred", "succ"])["slack"].to_dict()
    assert slack == {("P", "Q"): 0, ("P", "R"): 0, ("Q", "S"): 0, ("R", "S"): 1}


def test_lead_cannot_start_before_the_project():
    """A -(FS-10)-> B: B would start at 3 - 10 < 0, so it starts at 0."""
    tasks, links = _net({"A": 3, "B": 2}, [("A", "B", "FS", -10)])
    r = cpm(tasks, links)
    assert _col(r, "early_start") == {"A": 0, "B": 0}
    assert _col(r, "total_float") == {"A": 0, "B": 1}


def test_each_project_has_its_own_finish():
    """Two unlinked projects: the shorter one's tasks float to their own finish, not the other's."""
    tasks = pd.DataFrame({"id": ["A1", "A2", "B1"], "duration": [5, 5, 3],
                          "project_id": ["A", "A", "B"]})
    links = pd.DataFrame({"pred": ["A1"], "succ": ["A2"]})
    r = cpm(tasks, links)
    assert r.attrs["project_finish"] == {"A": 10.0, "B": 3.0}
    assert _col(r, "total_float") == {"A1": 0, "A2": 0, "B1": 0}
    together = cpm(tasks.drop(columns="project_id"), links)
    assert together.loc["B1", "total_float"] == 7


def test_release_dates_per_task():
    tasks, links = _net({"A": 3, "B": 2}, [("A", "B")])
    r = cpm(tasks, links, release=[4, 0])
    assert _col(r, "early_start") == {"A": 4, "B": 7}


# ---------------------------------------------------------------------------------------
# Calendars and dates
# ---------------------------------------------------------------------------------------
CAL = WorkCalendar(holidays=["2026-03-09"])     # Monday 9 March 2026 off
START = "2026-03-02"                            # a Monday


def test_dates_from_offsets_with_a_holiday():
    """X5 -> M0 -> Y3. X works Mon 2 .. Fri 6 March; M sits at the end of Fri 6; Y starts on
    Tue 10 (Mon 9 is a holiday) and works 10, 11, 12."""
    tasks, links = _net({"X": 5, "M": 0, "Y": 3}, [("X", "M"), ("M", "Y")])
    r = cpm(tasks, links, calendar=CAL, start=START)
    assert r.loc["X", "start_date"] == pd.Timestamp("2026-03-02")
    assert r.loc["X", "finish_date"] == pd.Timestamp("2026-03-06")
    assert r.loc["M", "start_date"] == r.loc["M", "finish_date"] == pd.Timestamp("2026-03-06")
    assert r.loc["Y", "start_date"] == pd.Timestamp("2026-03-10")
    assert r.loc["Y", "finish_date"] == pd.Timestamp("2026-03-12")
    assert r.attrs["start"] == pd.Timestamp(START)


def test_start_on_a_weekend_rolls_forward():
    tasks, links = _net({"A": 1}, [])
    r = cpm(tasks, links, calendar=CAL, start="2026-02-28")   # a Saturday
    assert r.loc["A", "start_date"] == pd.Timestamp("2026-03-02")


# ---------------------------------------------------------------------------------------
# Constraints
# ---------------------------------------------------------------------------------------
def _chain(**constraint):
    """X5 -> Y5 -> Z5 from Mon 2 March 2026 (offsets: 9 March is a holiday, so offset 5 is
    Tue 10 March, 10 = Tue 17, 14 = Mon 23)."""
    tasks, links = _net({"X": 5, "Y": 5, "Z": 5}, [("X", "Y"), ("Y", "Z")])
    tasks["constraint_type"] = "ASAP"
    tasks["constraint_date"] = pd.NaT
    for task, (kind, date) in constraint.items():
        tasks.loc[tasks["id"] == task, ["constraint_type", "constraint_date"]] = \
            [kind, pd.Timestamp(date)]
    return cpm(tasks, links, calendar=CAL, start=START)


def test_snet_delays_the_task_and_gives_float_before_it():
    """Y SNET Tue 17 March (offset 10): Y 10-15, Z 15-20; X has 10 - 5 = 5 days float."""
    r = _chain(Y=("SNET", "2026-03-17"))
    assert _col(r, "early_start") == {"X": 0, "Y": 10, "Z": 15}
    assert _col(r, "total_float") == {"X": 5, "Y": 0, "Z": 0}


def test_fnet_on_the_finish():
    """Z FNET Mon 23 March (offset 14): EF >= 15, ES >= 10; Y and X float 0 + ..."""
    r = _chain(Z=("FNET", "2026-03-23"))
    assert _col(r, "early_start") == {"X": 0, "Y": 5, "Z": 10}
    assert r.loc["Z", "finish_date"] == pd.Timestamp("2026-03-23")
    later = _chain(Z=("FNET", "2026-03-30"))   # offset 19: EF >= 20 -> ES 15
    assert later.loc["Z", "early_start"] == 15
    assert later.loc["Y", "total_float"] == 5


def test_fnlt_gives_negative_float_and_is_not_clamped():
    """Z FNLT Fri 20 March (offset 13, LF <= 14) while logic finishes Z at 15:
    TF(Z) = 14 - 15 = -1, and the float flows back: Y -1, X -1."""
    r = _chain(Z=("FNLT", "2026-03-20"))
    assert _col(r, "early_finish") == {"X": 5, "Y": 10, "Z": 15}
    assert _col(r, "late_finish") == {"X": 4, "Y": 9, "Z": 14}
    assert _col(r, "total_float") == {"X": -1, "Y": -1, "Z": -1}
    assert r["critical"].all()


def test_snlt_bounds_the_late_start():
    """Y SNLT Wed 4 March (offset 2): LS(Y) <= 2, LF(Y) <= 7 while logic has Y 5-10:
    TF(Y) = 7 - 10 = -3; X must finish by LS(Y) = 2: TF -3; Z keeps 0. A later SNLT (Thu 12,
    offset 7) does not bind: logic already has LS(Y) = 5."""
    r = _chain(Y=("SNLT", "2026-03-04"))
    assert _col(r, "total_float") == {"X": -3, "Y": -3, "Z": 0}
    assert _col(_chain(Y=("SNLT", "2026-03-12")), "total_float") == {"X": 0, "Y": 0, "Z": 0}


def test_mso_overrides_logic_and_shows_negative_float_upstream():
    """Y MSO Thu 5 March (offset 3): Y is fixed 3-8 though X only finishes at 5; Y's late dates
    equal its early ones; X must finish by LS_Y = 3: TF(X) = 3 - 5 = -2."""
    r = _chain(Y=("MSO", "2026-03-05"))
    assert _col(r, "early_start") == {"X": 0, "Y": 3, "Z": 8}
    assert r.loc["Y", "late_start"] == 3 and r.loc["Y", "total_float"] == 0
    assert r.loc["X", "total_float"] == -2


def test_mfo_fixes_the_finish():
    """Z MFO Wed 25 March (offset 16, EF 17): Z 12-17, and Y gets 2 days of float."""
    r = _chain(Z=("MFO", "2026-03-25"))
    assert r.loc["Z", "early_start"] == 12
    assert r.loc["Z", "finish_date"] == pd.Timestamp("2026-03-25")
    assert _col(r, "total_float") == {"X": 2, "Y": 2, "Z": 0}


def test_milestone_constraint_is_on_its_date():
    tasks, links = _net({"A": 2, "M": 0}, [("A", "M")])
    tasks["constraint_type"] = ["ASAP", "MSO"]
    tasks["constraint_date"] = [pd.NaT, pd.Timestamp("2026-03-12")]
    r = cpm(tasks, links, calendar=CAL, start=START)
    assert r.loc["M", "finish_date"] == pd.Timestamp("2026-03-12")


def test_alap_uses_free_float():
    """A3 -> C5, B2 (ALAP) -> C: B moves from 0-2 to 1-3, ending when C needs it."""
    tasks, links = _net({"A": 3, "B": 2, "C": 5}, [("A", "C"), ("B", "C")])
    tasks["constraint_type"] = ["ASAP", "ALAP", "ASAP"]
    r = cpm(tasks, links)
    assert _col(r, "early_start") == {"A": 0, "B": 1, "C": 3}
    assert r.loc["B", "free_float"] == 0 and r.loc["B", "total_float"] == 0


# ---------------------------------------------------------------------------------------
# Progress at a status date
# ---------------------------------------------------------------------------------------
def _progress(actuals: dict, links: list[tuple], durations: dict):
    tasks, links = _net(durations, links)
    for col in ("actual_start", "actual_finish"):
        tasks[col] = [pd.Timestamp(actuals.get(t, {}).get(col)) if actuals.get(t, {}).get(col)
                      else pd.NaT for t in tasks["id"]]
    tasks["percent_complete"] = [actuals.get(t, {}).get("pct", 0.0) for t in tasks["id"]]
    return tasks, links


def test_progress_complete_in_progress_not_started():
    """A5 -> B5 -> C5 from Mon 2 March (no holiday in the first week), status date Fri 6
    (offset 4, data date 5). A done 2-5 March (EF 4); B started Fri 6 and is 20 % done: 4 days
    remain from the data date: EF 9; C 9-14. Float: B 0, C 0; A complete (no float)."""
    tasks, links = _progress({"A": {"actual_start": "2026-03-02", "actual_finish": "2026-03-05",
                                    "pct": 100},
                              "B": {"actual_start": "2026-03-06", "pct": 20}},
                             [("A", "B"), ("B", "C")], {"A": 5, "B": 5, "C": 5})
    r = cpm(tasks, links, calendar=WorkCalendar(), start=START, status_date="2026-03-06")
    assert _col(r, "status") == {"A": "complete", "B": "in progress", "C": "not started"}
    assert _col(r, "early_start") == {"A": 0, "B": 4, "C": 9}
    assert _col(r, "early_finish") == {"A": 4, "B": 9, "C": 14}
    assert _col(r, "remaining") == {"A": 0, "B": 4, "C": 5}
    assert np.isnan(r.loc["A", "total_float"]) and not r.loc["A", "critical"]
    assert _col(r, "total_float")["C"] == 0 and r.loc["B", "total_float"] == 0
    assert r.loc["B", "finish_date"] == pd.Timestamp("2026-03-12")
    assert r.loc["C", "start_date"] == pd.Timestamp("2026-03-13")
    assert r.attrs["data_date"] == 5


def test_nothing_unfinished_before_the_data_date():
    tasks, links = _progress({}, [], {"A": 3})
    r = cpm(tasks, links, calendar=WorkCalendar(), start=START, status_date="2026-03-11")
    assert r.loc["A", "early_start"] == 8          # Wed 11 is offset 7: resume at 8
    assert r.loc["A", "start_date"] == pd.Timestamp("2026-03-12")


def test_out_of_sequence_retained_logic_vs_progress_override():
    """D5 -> E5, status Fri 6 March (data date 5). D started Mon 2, 40 % done: 3 days remain,
    EF 8. E started Wed 4 (out of sequence), 20 %: 4 days remain. Retained logic: E's
    remaining work waits for D: 8 + 4 = 12. Progress override: 5 + 4 = 9."""
    tasks, links = _progress({"D": {"actual_start": "2026-03-02", "pct": 40},
                              "E": {"actual_start": "2026-03-04", "pct": 20}},
                             [("D", "E")], {"D": 5, "E": 5})
    kw = {"calendar": WorkCalendar(), "start": START, "status_date": "2026-03-06"}
    retained = cpm(tasks, links, **kw)
    override = cpm(tasks, links, progress="override", **kw)
    assert _col(retained, "early_finish") == {"D": 8, "E": 12}
    assert _col(override, "early_finish") == {"D": 8, "E": 9}
    assert retained.loc["E", "early_start"] == override.loc["E", "early_start"] == 2
    assert override.loc["D", "total_float"] == 1        # no longer drives E


def test_remaining_duration_column_wins_over_percent():
    tasks, links = _progress({"A": {"actual_start": "2026-03-02", "pct": 50}}, [], {"A": 10})
    tasks["remaining_duration"] = [2.0]
    r = cpm(tasks, links, calendar=WorkCalendar(), start=START, status_date="2026-03-06")
    assert r.loc["A", "early_finish"] == 7


# ---------------------------------------------------------------------------------------
# Bad input: a ScheduleError naming what is wrong
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("links", "message"), [
    ([("A", "B"), ("B", "C"), ("C", "A")], r"dependency cycle (A -> B -> C -> A|B -> C -> A -> B|C -> A -> B -> C)"),
    ([("A", "Z")], r"link A->Z \(row 2\): unknown succ task 'Z'"),
    ([("Q", "A")], r"link Q->A \(row 2\): unknown pred task 'Q'"),
    ([("A", "A")], r"link A->A \(row 2\): a task cannot depend on itself"),
    ([("A", "B"), ("A", "B", "SS", 1)], r"link A->B \(row 3\): duplicate link"),
    ([("A", "B", "XS", 0)], r"link A->B \(row 2\): unknown link type 'XS'; use one of FS, SS, FF, SF"),
])
def test_bad_links(links, message):
    tasks, links = _net({"A": 1, "B": 1, "C": 1}, links)
    with pytest.raises(ScheduleError, match=message):
        cpm(tasks, links)


@pytest.mark.parametrize(("duration", "message"), [
    (-2, r"task 'B' \(row 3\): duration is negative"),
    (np.nan, r"task 'B' \(row 3\): duration is missing"),
    ("long", r"task 'B' \(row 3\): duration is missing or not a number"),
])
def test_bad_duration(duration, message):
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [1, duration]})
    with pytest.raises(ScheduleError, match=message):
        cpm(tasks)


def test_constraint_without_date_and_unknown_constraint():
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [1, 1],
                          "constraint_type": ["MSO", "SOON"], "constraint_date": [pd.NaT] * 2})
    with pytest.raises(ScheduleError) as info:
        cpm(tasks, start=START)
    assert "task 'B' (row 3): unknown constraint type" in str(info.value)
    tasks["constraint_type"] = ["MSO", "ASAP"]
    with pytest.raises(ScheduleError, match=r"task 'A' \(row 2\): constraint needs a constraint_date"):
        cpm(tasks, start=START)


def test_constraint_and_status_need_a_start():
    tasks = pd.DataFrame({"id": ["A"], "duration": [1], "constraint_type": ["SNET"],
                          "constraint_date": [pd.Timestamp("2026-03-05")]})
    with pytest.raises(ScheduleError, match="need the schedule's start date"):
        cpm(tasks)
    with pytest.raises(ScheduleError, match="status date needs the schedule's start date"):
        cpm(tasks[["id", "duration"]], status_date="2026-03-05")


def test_duplicate_task_and_unknown_progress_mode():
    with pytest.raises(ScheduleError, match="duplicate task id"):
        cpm(pd.DataFrame({"id": ["A", "A"], "duration": [1, 2]}))
    with pytest.raises(ScheduleError, match="unknown progress mode 'ignore'"):
        cpm(pd.DataFrame({"id": ["A"], "duration": [1]}), progress="ignore")


def test_actual_finish_without_start():
    tasks, links = _progress({"A": {"actual_finish": "2026-03-03"}}, [], {"A": 2})
    with pytest.raises(ScheduleError, match=r"task 'A' .*actual_finish but no actual_start"):
        cpm(tasks, links, start=START, status_date="2026-03-06")


# ---------------------------------------------------------------------------------------
# The portfolio
# ---------------------------------------------------------------------------------------
def test_mini_portfolio_plan_and_status(mini):
    plan = schedule_portfolio(mini)
    assert (plan["start_date"] == plan["baseline_start"]).all()
    assert (plan["finish_date"] == plan["baseline_finish"]).all()
    assert (plan["finish_variance"] == 0).all()
    jan = schedule_portfolio(mini, "2026-01")
    # A2 is 40 % done at Fri 16 Jan: 6 days remain from Tue 20 (Mon 19 is a holiday).
    assert jan.loc["A2", "finish_date"] == pd.Timestamp("2026-01-27")
    assert jan.loc["B1", "finish_date"] == pd.Timestamp("2026-02-02")
    assert jan.loc["B1", "finish_variance"] == 1


def test_sample_schedules_and_reproduces_its_baseline(sample):
    plan = schedule_portfolio(sample)
    work = ~plan["milestone"]
    assert (plan.loc[work, "start_date"] == plan.loc[work, "baseline_start"]).all()
    assert (plan.loc[work, "finish_date"] == plan.loc[work, "baseline_finish"]).all()
    assert plan["critical"].any() and (plan["total_float"].dropna() >= 0).all()
    oct_ = schedule_portfolio(sample, "2026-10")
    assert set(oct_.attrs["project_finish"]) == set(sample.projects["id"])
    late = oct_.groupby("project_id")["finish_variance"].max()
    assert late["ERP"] > 40                       # the slipping project forecasts late


def test_module_is_exported():
    assert schedule.cpm is cpm
    assert load_portfolio is not None


def test_fractional_durations_give_the_day_work_ends():
    """A 2.5-day task from Mon 2 March works Mon, Tue and half of Wed: it finishes Wed 4
    (as WorkCalendar.finish_date says); its FS successor starts mid-Wednesday, on Wed 4."""
    tasks, links = _net({"A": 2.5, "B": 1.0, "M": 0}, [("A", "B"), ("A", "M")])
    r = cpm(tasks, links, calendar=WorkCalendar(), start=START)
    assert r.loc["A", "finish_date"] == WorkCalendar().finish_date(START, 2.5) \
        == pd.Timestamp("2026-03-04")
    assert r.loc["B", "start_date"] == pd.Timestamp("2026-03-04")
    assert r.loc["B", "finish_date"] == pd.Timestamp("2026-03-05")
    assert r.loc["M", "start_date"] == r.loc["M", "finish_date"] == pd.Timestamp("2026-03-04")


def test_link_slack_under_progress_override():
    tasks, links = _progress({"D": {"actual_start": "2026-03-02", "pct": 40},
                              "E": {"actual_start": "2026-03-04", "pct": 20}},
                             [("D", "E")], {"D": 5, "E": 5})
    kw = {"calendar": WorkCalendar(), "start": START, "status_date": "2026-03-06"}
    retained = link_slack(cpm(tasks, links, **kw), links)
    override = link_slack(cpm(tasks, links, progress="override", **kw), links)
    assert retained["slack"].tolist() == [0.0] and retained["driving"].tolist() == [True]
    assert np.isnan(override["slack"].iloc[0]) and not override["driving"].iloc[0]


def test_what_if_durations_shift_the_reported_remaining_work(sample):
    """A task's own duration passed back changes nothing; +3 days on a started task adds
    exactly 3 days to its remaining work (the PM's estimate is kept, not recomputed)."""
    month = "2026-10"
    base = schedule_portfolio(sample, month)
    started = base[(base["status"] == "in progress")].index[0]
    same = schedule_portfolio(sample, month, durations={started: base.at[started, "duration"]})
    pd.testing.assert_series_equal(same["early_finish"], base["early_finish"])
    longer = schedule_portfolio(sample, month,
                                durations={started: base.at[started, "duration"] + 3})
    assert longer.at[started, "remaining"] == pytest.approx(base.at[started, "remaining"] + 3)
    assert longer.at[started, "early_finish"] == pytest.approx(base.at[started, "early_finish"] + 3)


# ---------------------------------------------------------------------------------------
# What-if: the teaching network
# ---------------------------------------------------------------------------------------
# Hand-computed on scheduling.teaching_network() (offsets in working days; see
# tests/test_exercises.py for the plan): A 0-3, B 3-8, C 3-7, D 8-16, E 11-15 (SS + 3),
# F 8-10, G 16-20, H 20-22; critical A B D G H.
# * C takes 12 days: C 3-15, F max(8, 15) = 15-17, G max(16, 17) = 17-21, H 21-23.
# * and D -> E becomes FS with lag 5: E 16 + 5 = 21-25, H max(21, 25) = 25-27; critical
#   A B D E H.
@pytest.fixture
def network():
    return scheduling.teaching_network()


def test_what_if_network_and_schedule(network):
    tasks, links = network
    t, lk = schedule.what_if_network(tasks, links, durations={"C": 12},
                                     link_changes={("D", "E"): {"type": "FS", "lag": 5}})
    assert t.set_index("id").at["C", "duration"] == 12
    assert lk.iloc[5][["type", "lag"]].tolist() == ["FS", 5.0]
    assert tasks.set_index("id").at["C", "duration"] == 4  # inputs untouched
    assert links.iloc[5][["type", "lag"]].tolist() == ["SS", 3.0]
    s = schedule.what_if_schedule(tasks, links, durations={"C": 12},
                                  link_changes={("D", "E"): {"type": "FS", "lag": 5}})
    assert s["early_finish"].to_dict() == dict(zip("ABCDEFGH", [3, 8, 15, 16, 25, 17, 21, 27],
                                                   strict=True))
    assert s.index[s["critical"]].tolist() == ["A", "B", "D", "E", "H"]
    # only the lag: SS + 5 from D's start 8
    s = schedule.what_if_schedule(tasks, links, link_changes={("D", "E"): {"lag": 5}})
    assert s.at["E", "early_start"] == 13
    # no change: the plain schedule
    pd.testing.assert_frame_equal(schedule.what_if_schedule(tasks, links),
                                  schedule.cpm(tasks, links))


def test_what_if_network_errors(network):
    tasks, links = network
    with pytest.raises(ScheduleError, match=r"durations: unknown task id.*'Z'.*the tasks are A, B"):
        schedule.what_if_network(tasks, links, durations={"Z": 1})
    with pytest.raises(ScheduleError, match="no link A->H; the links are A->B, A->C"):
        schedule.what_if_network(tasks, links, link_changes={("A", "H"): {"lag": 1}})
    with pytest.raises(ScheduleError, match=r"unknown key.*'delay'.*use 'type' and 'lag'"):
        schedule.what_if_network(tasks, links, link_changes={("A", "B"): {"delay": 1}})
    with pytest.raises(ScheduleError, match=r"not a \(pred, succ\) pair"):
        schedule.what_if_network(tasks, links, link_changes={"A->B": {"lag": 1}})
    with pytest.raises(ScheduleError, match="unknown link type 'XX'"):
        schedule.what_if_schedule(tasks, links, link_changes={("A", "B"): {"type": "XX"}})


# ---------------------------------------------------------------------------------------
# What-if: a portfolio
# ---------------------------------------------------------------------------------------
def test_portfolio_what_if_without_change_moves_nothing(mini):
    table = schedule.portfolio_what_if(mini, "2026-02")
    assert table.columns.tolist() == list(schedule.PORTFOLIO_COLUMNS)
    assert table.index.tolist() == ["P1", "P2"]
    assert (table["finish_change"] == 0).all()
    assert table["finish"].equals(table["finish_before"])
    with pytest.raises(ScheduleError, match=r"durations: unknown task id.*'NOPE'"):
        schedule.portfolio_what_if(mini, "2026-02", durations={"NOPE": 3})


def _open_critical(sample, month):
    """The schedule and a critical task not started yet, with work, linked FS only."""
    s = schedule.schedule_portfolio(sample, month)
    other = sample.links[sample.links["type"] != "FS"]
    fs_only = ~s.index.isin(other["pred"]) & ~s.index.isin(other["succ"])
    todo = s[(s["status"] == "not started") & s["critical"] & (s["duration"] > 0) & fs_only]
    return s, todo.index[0]


def test_portfolio_what_if_moves_the_finish_of_a_critical_task(sample):
    # A not-started critical task linked finish-to-start only, taking 10 more days, delays
    # some project (its own, or one it feeds) by exactly 10 working days: the zero-float
    # chain from its finish to that project's finish grows by 10. No project moves by more.
    month = sample.latest_month
    s, task = _open_critical(sample, month)
    longer = {task: s.at[task, "duration"] + 10}
    table = schedule.portfolio_what_if(sample, month, durations=longer)
    moved = table["finish_change"].idxmax()
    assert table.at[moved, "finish_change"] == pytest.approx(10)
    assert table["finish_change"].between(-1e-9, 10 + 1e-9).all()
    assert table.at[moved, "finish_variance"] == pytest.approx(
        table.at[moved, "finish_variance_before"] + 10)
    assert table.loc[table["open_tasks"] == 0, "finish_change"].eq(0).all()
    # a non-critical task within its float moves nothing
    slack = s[(s["status"] == "not started") & (s["total_float"] >= 5)].index[0]
    table = schedule.portfolio_what_if(sample, month,
                                       durations={slack: s.at[slack, "duration"] + 4})
    assert (table["finish_change"].abs() < 1e-9).all()


def test_project_summary_hand_checked(mini):
    """Mini at 2026-02 (working in tests/test_report.py): M1 was met on 2026-01-28 against a
    baseline of 01-26, so P1 is 2 working days late with every task complete; B1 finishes
    2026-03-03 against 01-30, 22 working days late (20 in February, 2 in March), 1 task open."""
    summary = schedule.project_summary(schedule_portfolio(mini, "2026-02"), mini.calendar)
    assert summary.index.tolist() == ["P1", "P2"]
    assert summary["finish"].tolist() == [pd.Timestamp("2026-01-28"),
                                          pd.Timestamp("2026-03-03")]
    assert summary["baseline_finish"].tolist() == [pd.Timestamp("2026-01-26"),
                                                   pd.Timestamp("2026-01-30")]
    assert summary["finish_variance"].tolist() == [2.0, 22.0]
    assert summary["open_tasks"].tolist() == [0, 1]
    with pytest.raises(ScheduleError, match=r"missing column.*baseline_finish"):
        schedule.project_summary(cpm(*_net({"A": 1}, []), start="2026-03-02"), mini.calendar)


def test_schedule_portfolio_month_without_status_rows(mini):
    """A month whose snapshot has no row for the selected projects schedules the plan from
    the status date (regression: pandas map of an empty snapshot raised a TypeError)."""
    pf = mini.select(["P2"])
    month = "2026-01"
    assert pf.snapshot(month).empty
    sched = schedule.schedule_portfolio(pf, month)
    assert len(sched) == len(pf.tasks)
    assert (sched["status"] == "not started").all()
    assert (sched["start_date"] >= pf.status_date(month)).all()


@pytest.mark.parametrize("kind", ["SS", "SF"])
def test_started_task_is_not_held_by_links_from_its_start(kind):
    """A task in progress has its start behind it: an SS or SF link from it no longer limits
    its remaining work, so it gets no (negative) float from that link. Hand-checked: A
    started on day 0 (actual), 5 days remain from the data date 4 (EF 9); B, not started,
    is held by a start-no-earlier-than on day 5 and leads to the finish C (LF 15). Through
    the SS+2 link A's late finish would be LS_B − 2 + 5 = 8 (float −1); without it, A's
    late finish is the project finish 15 (C only follows B), float 6."""
    tasks = pd.DataFrame({"id": ["A", "B", "C"], "duration": [8.0, 4.0, 6.0],
                          "constraint_type": ["ASAP", "SNET", "ASAP"],
                          "constraint_date": [pd.NaT, pd.Timestamp("2026-01-12"), pd.NaT]})
    links = pd.DataFrame({"pred": ["A", "B"], "succ": ["B", "C"], "type": [kind, "FS"],
                          "lag": [2.0, 0.0]})
    cal = WorkCalendar()
    out = cpm(tasks.assign(actual_start=[pd.Timestamp("2026-01-05"), pd.NaT, pd.NaT],
                           actual_finish=pd.NaT, percent_complete=[20.0, 0.0, 0.0],
                           remaining_duration=[5.0, None, None]),
              links, calendar=cal, start=pd.Timestamp("2026-01-05"),
              status_date=pd.Timestamp("2026-01-08"))
    a = out.loc["A"]
    assert (a["early_finish"], a["late_finish"], a["total_float"]) == (9.0, 15.0, 6.0)
    assert out.loc["B", "total_float"] == 0.0
