"""model.from_tables: a portfolio given as DataFrames goes through the same checks as the
CSV folder (the importers of MS Project and Primavera files build on it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import load_portfolio
from pmo_lib.errors import DataValidationError, MissingDataError, UnknownReferenceError
from pmo_lib.model import SCHEMAS, from_tables


def _blank_as_none(df: pd.DataFrame) -> pd.DataFrame:
    """Blank text cells as None: a column absent from a CSV file is filled with None, the
    same column given blank is NaN; both mean "no value"."""
    out = df.copy()
    for c in out.select_dtypes(include="object").columns:
        out[c] = out[c].map(lambda v: None if not isinstance(v, tuple) and pd.isna(v) else v)
    return out


def _tables(pf) -> dict[str, pd.DataFrame]:
    return {name: getattr(pf, "holidays" if name == "calendar" else name)
            for name in SCHEMAS}


def test_round_trip_of_the_mini_portfolio_is_identical(mini):
    again = from_tables(_tables(mini), name=mini.name, currency=mini.currency, source="mini")
    for name in SCHEMAS:
        attr = "holidays" if name == "calendar" else name
        pd.testing.assert_frame_equal(_blank_as_none(getattr(again, attr)),
                                      _blank_as_none(getattr(mini, attr)), obj=name)
    assert again.calendar.holidays == mini.calendar.holidays
    assert again.data_dates == mini.data_dates
    assert again.path is None and again.name == mini.name


def test_round_trip_of_the_sample_keeps_every_table():
    from pmo_lib import SAMPLE_DATA

    pf = load_portfolio(SAMPLE_DATA)
    again = from_tables(_tables(pf), name=pf.name, currency=pf.currency)
    for name in ("tasks", "links", "status", "risks", "candidates", "backlog"):
        pd.testing.assert_frame_equal(_blank_as_none(getattr(again, name)),
                                      _blank_as_none(getattr(pf, name)), obj=name)


def test_text_cells_are_accepted_as_in_a_csv(mini):
    tasks = mini.tasks.astype(object).map(lambda v: "" if v is None or
                                          (not isinstance(v, tuple) and pd.isna(v))
                                          else (str(v.date()) if isinstance(v, pd.Timestamp)
                                                else str(v)))
    tables = _tables(mini) | {"tasks": tasks}
    again = from_tables(tables)
    pd.testing.assert_frame_equal(again.tasks, mini.tasks)


def test_bad_value_names_source_table_row_and_id(mini):
    tasks = mini.tasks.copy()
    tasks.loc[1, "duration"] = -3
    with pytest.raises(DataValidationError) as err:
        from_tables(_tables(mini) | {"tasks": tasks}, source="plan.xml")
    text = str(err.value)
    assert f"plan.xml/tasks.csv, row 3, ID '{tasks.loc[1, 'id']}'" in text
    assert "below the minimum 0" in text


def test_nan_in_a_required_number_is_an_error_not_a_silent_nan(mini):
    tasks = mini.tasks.copy()
    tasks.loc[0, "budget"] = np.nan
    with pytest.raises(DataValidationError, match="column 'budget': is blank"):
        from_tables(_tables(mini) | {"tasks": tasks})


def test_unknown_reference_and_unknown_table(mini):
    links = pd.DataFrame({"pred": [mini.tasks["id"].iloc[0]], "succ": ["NOPE"],
                          "type": ["FS"], "lag": [0]})
    with pytest.raises(UnknownReferenceError, match="NOPE"):
        from_tables(_tables(mini) | {"links": links})
    with pytest.raises(DataValidationError, match=r"unknown table.*taks"):
        from_tables({"taks": mini.tasks, "projects": mini.projects})


def test_required_table_missing(mini):
    with pytest.raises(MissingDataError, match="a portfolio needs tasks"):
        from_tables({"projects": mini.projects})


def test_workweek_is_applied(mini):
    six = from_tables(_tables(mini), workweek=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])
    saturday = pd.Timestamp("2026-01-10")
    assert six.calendar.is_working_day(saturday)
    assert not mini.calendar.is_working_day(saturday)
