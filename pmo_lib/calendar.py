"""Working-day calendars: every date ↔ working-day conversion in PMO Kit goes through here.

Durations, lags and offsets in PMO Kit are **working days** [d]. A :class:`WorkCalendar` knows
which weekdays are worked and which dates are holidays, and converts between calendar dates and
working-day offsets with NumPy's business-day functions, so the conversions are vectorised.

Conventions (those of MS Project and Primavera P6 for day-based schedules):

* an offset of 0 is the morning of the project's first working day; a *start* offset ``s``
  maps to the ``s``-th working day after the start date;
* a *finish* is the last working day worked: a task starting at offset ``s`` with duration
  ``d > 0`` finishes on the date of offset ``s + d - 1``;
* a milestone (``d = 0``) starts and finishes on the same date.

Examples
--------
>>> cal = WorkCalendar(holidays=["2026-01-01"])
>>> cal.working_days("2025-12-29", "2026-01-02")   # Mon..Fri with New Year's Day off
4
>>> str(cal.add_working_days("2025-12-31", 1).date())
'2026-01-02'
>>> str(cal.finish_date("2026-01-05", 5).date())    # five days from a Monday: Friday
'2026-01-09'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem

__all__ = ["WEEKDAYS", "WorkCalendar"]

#: Weekday names accepted in a work week, Monday first (NumPy's week mask order).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _to_day(values) -> np.ndarray:
    """Dates (scalar, list, Series, Index, array) as a ``datetime64[D]`` array."""
    return np.asarray(pd.to_datetime(values), dtype="datetime64[D]")


def _like(result: np.ndarray, template):
    """Return ``result`` shaped like ``template``: a Series keeps its index, a scalar stays one."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return np.asarray(result)[()].item()  # a plain Python int / bool for a scalar input
    return result


def _as_dates(result: np.ndarray, template):
    out = np.asarray(result, dtype="datetime64[ns]")
    if isinstance(template, pd.Series):
        return pd.Series(out, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return pd.Timestamp(out[()])
    return pd.DatetimeIndex(out)


@dataclass(frozen=True)
class WorkCalendar:
    """A working calendar: the working weekdays and the holidays.

    Parameters
    ----------
    workweek : tuple of str
        Working weekdays, from :data:`WEEKDAYS`. Default Monday to Friday.
    holidays : iterable of date-like
        Non-working dates (public holidays, company closures).

    Raises
    ------
    DataValidationError
        An unknown weekday name or an empty work week.
    """

    workweek: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[np.datetime64, ...] = field(default=())

    def __post_init__(self):
        if isinstance(self.workweek, str):
            object.__setattr__(self, "workweek", tuple(self.workweek.replace(",", " ").split()))
        week = tuple(str(d).strip().title()[:3] for d in self.workweek)
        unknown = [d for d in week if d not in WEEKDAYS]
        if unknown or not week:
            raise DataValidationError(
                Problem("calendar", None, None, "workweek",
                        f"unknown or empty work week {list(self.workweek)!r}; "
                        f"use names from {list(WEEKDAYS)}")
            )
        hols = tuple(np.unique(_to_day(list(self.holidays)))) if len(self.holidays) else ()
        object.__setattr__(self, "workweek", week)
        object.__setattr__(self, "holidays", hols)

    # -- NumPy's business-day calendar -------------------------------------------------
    @property
    def weekmask(self) -> str:
        """NumPy week mask, e.g. ``'1111100'`` for Monday to Friday."""
        return "".join("1" if d in self.workweek else "0" for d in WEEKDAYS)

    @property
    def _busdaycal(self) -> np.busdaycalendar:
        return np.busdaycalendar(weekmask=self.weekmask, holidays=list(self.holidays))

    # -- conversions ---------------------------------------------------------------------
    def is_working_day(self, dates):
        """True where ``dates`` fall on a working day."""
        return _like(np.is_busday(_to_day(dates), busdaycal=self._busdaycal), dates)

    def working_days(self, start, end):
        """Working days from ``start`` to ``end``, both included. [d]

        Zero when ``end`` is before ``start``. Vectorised over arrays and Series.
        """
        s, e = _to_day(start), _to_day(end)
        n = np.busday_count(s, e + np.timedelta64(1, "D"), busdaycal=self._busdaycal)
        return _like(np.maximum(n, 0), end if np.ndim(start) == 0 else start)

    def roll_forward(self, dates):
        """The first working day on or after each date."""
        out = np.busday_offset(_to_day(dates), 0, roll="forward", busdaycal=self._busdaycal)
        return _as_dates(out, dates)

    def add_working_days(self, dates, days):
        """The date ``days`` working days after each date (rolled forward to a working day first).

        ``days`` may be negative (the date that many working days before).
        """
        d = np.asarray(days, dtype=np.int64)
        out = np.busday_offset(_to_day(dates), d, roll="forward", busdaycal=self._busdaycal)
        return _as_dates(out, dates if np.ndim(dates) else days)

    def offset_to_date(self, offsets, start):
        """Date of working-day ``offsets`` counted from the project ``start`` (offset 0)."""
        return self.add_working_days(start, offsets)

    def date_to_offset(self, dates, start):
        """Working-day offset of each date from the project ``start``.

        A non-working date maps to the next working day's offset.
        """
        first = np.busday_offset(_to_day(start), 0, roll="forward", busdaycal=self._busdaycal)
        d = np.busday_offset(_to_day(dates), 0, roll="forward", busdaycal=self._busdaycal)
        return _like(np.busday_count(first, d, busdaycal=self._busdaycal), dates)

    def finish_date(self, start, duration):
        """Finish date of a task that starts on ``start`` and lasts ``duration`` working days.

        The finish is the last working day worked; a milestone (duration 0) finishes on its
        start date (rolled forward to a working day).
        """
        d = np.ceil(np.asarray(duration, dtype=float)).astype(np.int64)
        return self.add_working_days(start, np.maximum(d - 1, 0))

    @classmethod
    def for_country(cls, country: str, years: Iterable[int], *, subdivision: str | None = None,
                    workweek: Iterable[str] | str = ("Mon", "Tue", "Wed", "Thu", "Fri"),
                    extra: Iterable = ()) -> WorkCalendar:
        """A calendar with a country's public holidays (from the ``holidays`` package).

        Parameters
        ----------
        country : str
            ISO 3166 code, e.g. ``"GB"``, ``"DE"``, ``"FR"``.
        years : iterable of int
            Years to include.
        subdivision : str, optional
            Region with its own holidays, e.g. ``"SCT"`` for Scotland.
        extra : iterable of date-like
            Company closures to add.

        Raises
        ------
        DataValidationError
            An unknown country or subdivision.

        Examples
        --------
        >>> cal = WorkCalendar.for_country("GB", [2026])
        >>> bool(cal.is_working_day("2026-12-28"))   # Boxing Day (observed)
        False
        """
        import holidays

        try:
            found = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
        except NotImplementedError as exc:
            raise DataValidationError(Problem("calendar", None, country, "country",
                                              f"no public holidays known: {exc}")) from None
        return cls(workweek=tuple(workweek) if not isinstance(workweek, str) else workweek,
                   holidays=(*found.keys(), *extra))

    @classmethod
    def from_table(cls, holidays: pd.DataFrame | None = None,
                   workweek: Iterable[str] | str = ("Mon", "Tue", "Wed", "Thu", "Fri")
                   ) -> WorkCalendar:
        """Build a calendar from the ``calendar`` table (column ``date``) and a work week."""
        dates = () if holidays is None or holidays.empty else tuple(holidays["date"])
        return cls(workweek=tuple(workweek) if not isinstance(workweek, str) else workweek,
                   holidays=dates)
