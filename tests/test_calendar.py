"""Working-day calendar: hand-checked dates and invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib import DataValidationError, WorkCalendar

# January 2026: Thu 1 (holiday here), Mon 5, Mon 12, Mon 19 (holiday), Mon 26.
CAL = WorkCalendar(holidays=["2026-01-01", "2026-01-19"])


def test_weekmask_and_workweek():
    assert CAL.weekmask == "1111100"
    assert WorkCalendar(workweek="Sun Mon Tue Wed Thu").weekmask == "1111001"
    with pytest.raises(DataValidationError, match="unknown or empty work week"):
        WorkCalendar(workweek=("Mon", "Funday"))


@pytest.mark.parametrize(("start", "end", "days"), [
    ("2026-01-05", "2026-01-09", 5),     # Mon..Fri
    ("2026-01-05", "2026-01-05", 1),
    ("2026-01-12", "2026-01-23", 9),     # two weeks minus the holiday on the 19th
    ("2025-12-29", "2026-01-02", 4),     # New Year's Day off
    ("2026-01-10", "2026-01-11", 0),     # a weekend
    ("2026-01-09", "2026-01-05", 0),     # end before start
])
def test_working_days(start, end, days):
    assert CAL.working_days(start, end) == days


def test_finish_date_and_offsets():
    # A2 of the mini fixture: 10 days from Mon 12 Jan, skipping the 19th, ends Mon 26 Jan.
    assert CAL.finish_date("2026-01-12", 10) == pd.Timestamp("2026-01-26")
    assert CAL.finish_date("2026-01-12", 0) == pd.Timestamp("2026-01-12")     # milestone
    assert CAL.finish_date("2026-01-10", 1) == pd.Timestamp("2026-01-12")     # rolls forward
    assert CAL.offset_to_date(0, "2026-01-05") == pd.Timestamp("2026-01-05")
    assert CAL.offset_to_date(10, "2026-01-05") == pd.Timestamp("2026-01-20")
    assert CAL.date_to_offset("2026-01-20", "2026-01-05") == 10
    assert CAL.date_to_offset("2026-01-19", "2026-01-05") == 10               # holiday -> next day
    assert CAL.add_working_days("2026-01-20", -2) == pd.Timestamp("2026-01-15")


def test_vectorised_keeps_series_index():
    s = pd.Series(pd.to_datetime(["2026-01-05", "2026-01-12"]), index=["a", "b"])
    out = CAL.finish_date(s, pd.Series([5, 10], index=["a", "b"]))
    assert list(out.index) == ["a", "b"]
    assert list(out) == [pd.Timestamp("2026-01-09"), pd.Timestamp("2026-01-26")]
    assert list(CAL.is_working_day(s)) == [True, True]


@given(start=st.dates(min_value=pd.Timestamp("2020-01-01").date(),
                      max_value=pd.Timestamp("2030-12-31").date()),
       n=st.integers(min_value=0, max_value=2000))
def test_offsets_round_trip(start, n):
    """offset -> date -> offset is the identity; the date is a working day."""
    date = CAL.offset_to_date(n, start)
    assert bool(CAL.is_working_day(date))
    assert CAL.date_to_offset(date, start) == n


@given(start=st.dates(min_value=pd.Timestamp("2020-01-01").date(),
                      max_value=pd.Timestamp("2030-12-31").date()),
       d=st.integers(min_value=1, max_value=500))
def test_duration_counts_its_working_days(start, d):
    """A task of d working days spans exactly d working days from its start to its finish."""
    first = CAL.roll_forward(start)
    assert CAL.working_days(first, CAL.finish_date(first, d)) == d


def test_holidays_deduplicated_and_sorted():
    cal = WorkCalendar(holidays=["2026-05-01", "2026-01-01", "2026-05-01"])
    assert cal.holidays == (np.datetime64("2026-01-01"), np.datetime64("2026-05-01"))
