"""Read Primavera P6 XER exports into a :class:`~pmo_lib.model.Portfolio`.

:func:`read_xer` reads an XER file (plain or gzip; cp1252 or UTF-8; CRLF or LF line ends),
maps P6's tables onto the kit's (:data:`~pmo_lib.model.SCHEMAS`) and validates the result
with :func:`pmo_lib.model.from_tables`, so schedule, EVM, DCMA and risk analysis run on it
unchanged. :func:`read_xer_tables` gives the raw P6 tables, one DataFrame each.

The XER format
--------------
Tab-separated text: an ``ERMHDR`` line, then per table a ``%T`` line (its name), a ``%F``
line (its field names) and ``%R`` lines (its rows, one value per field), and ``%E`` at the
end. Fields are looked up by name, since their order differs between P6 versions. The
reader is strict: a file that is not XER, is empty, truncated (no ``%E``), a corrupt gzip, a
row with more values than its ``%F`` line or fewer (unless the missing ones are trailing
fields the kit does not read, which some writers leave out: XERWarning), a duplicate table
or field, a missing
``PROJECT`` or ``TASK`` table or field, a value that is not a number or a date, an unknown
activity, relationship or constraint type, or a reference to an unknown activity, project,
WBS element, calendar or resource raises a :class:`~pmo_lib.errors.DataValidationError` (a
:class:`~pmo_lib.errors.MissingDataError` or
:class:`~pmo_lib.errors.UnknownReferenceError` where it fits) naming the file, the table,
the line and the ID at fault, e.g. ``plan.xer, table TASKPRED, line 212, ID '5871', column
'pred_task_id': refers to unknown task_id '99999' (not in table TASK)``. Recoverable
oddities are reported with an :class:`XERWarning`.

Why not ``xerparser``? We tried xerparser 0.13.9: it raises a bare ``KeyError`` on four of
the twelve reference files (MPXJ's exports, which lack fields it expects), and on a short
row or a truncated file it fails with ``KeyError: 'export_flag'``, naming neither the file
nor the line. The format is simple, so a strict reader of a few hundred lines is cheaper
than a post-processor for another library's errors, and needs no new dependency.

Mapping
-------
Each kit table is built from P6 fields as the ``*_MAP`` dictionaries say (P6 field → kit
column); the rules that are not a plain copy:

* **Projects** (``PROJECT``, :data:`PROJECT_MAP`): every project of the file whose
  ``export_flag`` is not ``N``, or the one named by ``project`` (``proj_short_name`` or
  ``proj_id``). The project's name is the ``wbs_name`` of its root WBS node, its manager
  the OBS element responsible for that node; programme and sponsor are not in an XER file
  (:data:`NOT_IN_XER`); methodology ``waterfall``; start date ``plan_start_date``; budget
  the sum of its activities' budgets; priority ``priority_num`` (1 = highest, as in P6).
* **WBS** (``PROJWBS``, :data:`WBS_MAP`): the code of a node is the path of
  ``wbs_short_name`` from the project node (whose short name is the project's) joined by
  the project's ``name_sep_char`` (``.``), as P6 shows it: ``PRJ.DES.1``.
* **Activities** (``TASK``, :data:`TASK_MAP`): the ID is ``task_code`` (P6's Activity
  ID); when two imported projects share an activity ID, every ID is prefixed with its
  project, ``PRJ/A1000``. ``task_type`` per :data:`TASK_TYPES`: ``TT_Task`` and
  ``TT_Rsrc`` are tasks, ``TT_Mile`` and ``TT_FinMile`` milestones (duration 0);
  level-of-effort (``TT_LOE``) and WBS summary (``TT_WBS``) activities span the dates of
  other activities, which the kit cannot model: they are left out with an XERWarning,
  with their relationships and resource assignments. Durations are hours
  (``target_drtn_hr_cnt``) divided by the hours per day of the activity's calendar
  (``day_hr_cnt``, 8 when blank), see *Calendars*. Baseline dates are P6's planned dates
  (``target_start_date``, ``target_end_date``). Constraints per :data:`CONSTRAINT_MAP`;
  P6's secondary constraint (``cstr_type2``) has no place in the kit and is dropped with an
  XERWarning.
* **Relationships** (``TASKPRED``, :data:`LINK_MAP`): ``PR_FS``/``PR_SS``/``PR_FF``/
  ``PR_SF`` → FS/SS/FF/SF; ``lag_hr_cnt`` hours divided by the hours per day of the lag
  calendar set in ``SCHEDOPTIONS.sched_calendar_on_relationship_lag`` (the predecessor's
  calendar by default; 24 for ``rcal_24Hour``). P6 allows two relationships between the
  same two activities (e.g. SS and FF); the kit keys links on the pair, so the first one
  in the file is kept and the other is dropped with an XERWarning.
* **Calendars** (``CALENDAR``): the kit has one calendar per portfolio, the *default
  project calendar* (``PROJECT.clndr_id`` of the first imported project; the calendar
  flagged ``default_flag`` when it is missing; the calendar most activities use when no
  activity uses it, as in the HS2 file, with an XERWarning): its working weekdays become
  the work week and its non-working exceptions the ``calendar`` table (holidays).
  **Per-activity calendars are not modelled**: every activity is scheduled on the default
  calendar's working days; an activity's own calendar only converts its hours into days
  and rounds its dates (below). Working exceptions on non-working days
  (a worked Saturday) are not modelled either (XERWarning). The hours per day are
  ``day_hr_cnt``, except when the calendar's work periods (``clndr_data``) give every
  working day the same number of hours and it differs from ``day_hr_cnt``: P6 schedules on
  the work periods, so they win (XERWarning). A calendar whose ``clndr_data`` cannot be
  parsed raises a DataValidationError when the default calendar or an activity uses it,
  and is ignored with an XERWarning otherwise.
* **Dates** are rounded to days as the kit counts them: a start at or after the end of its
  calendar's working day is on the next working day, a finish at or before the start of
  the working day is on the previous working day (P6 writes a finish at midnight as
  ``00:00`` of the next day). A milestone's date is the kit's: the end of the working day
  before the instant P6 gives (a start milestone P6 shows on Monday 08:00 is on the
  Friday before), but not before its project's start date. Dates after 2262-04-11, the
  last day pandas can hold (the HS2 file has planned finishes in the year 4637), are set
  to that day with an XERWarning.
* **Resources** (``RSRC``, ``RSRCRATE``, ``ROLES``, :data:`RESOURCE_MAP`): ID
  ``rsrc_short_name``; role the ``role_name`` of ``role_id``, else the resource type
  (:data:`RESOURCE_TYPES`); department the parent resource's name. Capacity in kit units (1
  = one full-time person) is ``max_qty_per_hr`` × the resource calendar's hours per day ÷
  the default calendar's hours per day (P6 stores quantities per hour, 1 = one person
  working every hour of the day), from the rate in force at the data date, or 1 without a
  rate. Cost rate = ``cost_per_qty`` [cur/h] × hours per day of the default calendar.
* **Assignments** (``TASKRSRC``, :data:`ASSIGNMENT_MAP`): units =
  ``target_qty_per_hr`` × the activity calendar's hours per day ÷ the default calendar's
  hours per day, in the same kit units as capacity (so levelling compares like with like;
  not divided by capacity). Several assignments of one resource to one activity are summed;
  role-only assignments (no ``rsrc_id``) and zero units are left out of ``assignments``
  (XERWarning), their cost still counts in the budget.
* **Budget and cost**: an activity's budget is the sum of its ``TASKRSRC.target_cost``
  and of its expenses (``PROJCOST.target_cost``; P6's ``TASK`` table has no cost field);
  actual cost the sum of ``act_reg_cost + act_ot_cost`` and ``PROJCOST.act_cost``. A file
  without any cost gives budgets of 0, with an XERWarning (EVM needs budgets).
* **Status** (:data:`STATUS_MAP`): one snapshot at the data date. Its status date is the
  last working day before ``PROJECT.last_recalc_date`` (a data date of Tuesday 00:00 or
  08:00 is Monday; P6's ``17:00`` data dates are that day), the latest one when the
  projects differ (XERWarning). One row per started activity (``act_start_date``):
  actual start and finish, percent complete per ``complete_pct_type`` (:data:`PERCENT_TYPES`:
  physical ``phys_complete_pct``; duration ``(target − remaining) / target`` of the hours;
  units ``act_work_qty / (act_work_qty + remain_work_qty)``; 100 when finished; clipped to
  0–100), remaining duration (``remain_drtn_hr_cnt`` in days) and actual cost. Actual
  dates after the data date, which P6 allows (DCMA's *invalid dates*), cannot be held by a
  status snapshot: they are set to the status date, with an XERWarning. The portfolio's
  ``data_dates`` hold the status date even when no activity has started.

Not modelled
------------
Per-activity calendars (above); level-of-effort and WBS summary activities; P6's secondary
constraint; a second relationship between the same two activities; working exceptions on
non-working days; actual dates after the data date; P6 baseline projects (a baseline is a
separate project, ``sum_base_proj_id``: the planned dates of the project stand for it);
several data dates (one snapshot, at the latest); resource curves, rate types other than
the first (``cost_per_qty``), role-only assignments, activity codes, UDFs, notebooks,
steps, risks and expense dates. XER *export* is not provided.

Match rate
----------
:func:`pmo_lib.schedule.schedule_portfolio` at the status snapshot, compared with the early
dates P6 wrote in the file (``early_start_date``, ``early_end_date``) for every open
activity (not finished), both rounded to days as above; an in-progress activity compares
its finish only (its start is its actual start). Progress with retained logic, as
``SCHEDOPTIONS`` says in every file. *Like-for-like*: the open activities that neither
follow (through relationships) an open activity on another calendar than the kit's, nor are
tied to an ALAP activity. Measured by ``tests/test_io_xer.py``, which prints this table::

    file                          activities  relationships  open   match  like-for-like
    p54069_BL-54069-B2-20250902           47             62    25   88.0 %   22 of 22
    p54069_UP-54069-20251121              50             70    22  100.0 %   22 of 22
    p54069_UP-54069-20251204              49             68    20  100.0 %   20 of 20
    p54069_UP-54069-20251218              49             69    18  100.0 %   18 of 18
    p54069_UP-54069-20260122              58             79    20  100.0 %   20 of 20
    pyp6xer_SP10_COST_LOADED_HS2        3994           5966  3468   27.9 %  479 of 479
    xernative_wk2                        198            301   198  100.0 %  198 of 198
    xernative_sample_TAKT                 25             40    25  100.0 %   25 of 25
    mpxj_* (4 files)                  1 to 12              0   no early dates: never scheduled

Where the kit and P6 differ, and why:

* **p54069 baseline**: PCS-140 (256 h = 32 days on a 7-day calendar) finishes on
  2026-01-04 in P6; on the kit's 5-day calendar with holidays its 32 working days end on
  2026-01-21, and the two completion milestones after it move with it, so the kit forecasts
  2026-01-21 where P6 says 2026-01-09. The four updates have no open activity on another
  calendar and match throughout, project finish included (2026-02-17, 02-20, 02-23,
  05-13).
* **HS2**: no activity uses the project calendar; the kit schedules on the 5-day calendar
  3,321 of the 3,991 activities use. 603 open activities are on other calendars (592 on a
  7-day one): 2,803 of the 3,468 open activities follow one of them, and a 7-day activity of
  14 days takes three calendar weeks on the kit's calendar instead of two. 2,368 of the
  2,499 misses are of these; the other 131 are ALAP activities, whose dates P6 and the kit
  both take from their successors, which those calendars moved. All 479 open activities
  outside the two groups match. (Mapping P6's *Finish On*, used 786 times here with dates
  before the data date, to the kit's MFO would fix those milestones on their old dates
  against the data date; as FNET they follow the logic as in P6.)
* **wk2**: ``day_hr_cnt`` is 10 but the work periods are 08:00–16:00, and Friday is off
  while Saturday and Sunday are worked: dividing the hours by 8 gives P6's dates to the
  day, half days included (by 10, every duration would be 20 % short). Activity 340
  started after the data date; its start is moved to the status date (XERWarning) but its
  finish still matches, since its predecessors drive it (retained logic).
* Start milestones are compared on the kit's convention (the end of the working day before
  P6's instant, or the first day of the schedule).

References
----------
Oracle, *Primavera P6 Enterprise Project Portfolio Management: XER Import/Export Data
Map* (the tables and fields). Oracle, *P6 Professional Help*: constraints, percent
complete types, scheduling options (retained logic, relationship lag calendar). MPXJ,
``PrimaveraReader`` and its test files (the percent-complete and invalid-calendar cases).
DCMA, *14-Point Assessment* (check 9, invalid dates).
"""

from __future__ import annotations

import gzip
import re
import warnings
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, MissingDataError, Problem, UnknownReferenceError
from ..model import Portfolio, from_tables

__all__ = [
    "ASSIGNMENT_MAP",
    "CONSTRAINT_MAP",
    "LINK_MAP",
    "LINK_TYPE_MAP",
    "NOT_IN_XER",
    "PERCENT_TYPES",
    "PROJECT_MAP",
    "RESOURCE_MAP",
    "RESOURCE_TYPES",
    "STATUS_MAP",
    "TASK_MAP",
    "TASK_TYPES",
    "WBS_MAP",
    "XERWarning",
    "read_xer",
    "read_xer_tables",
]

#: ``PROJECT`` field → ``projects`` column (name: root ``PROJWBS.wbs_name``; manager: the
#: OBS of the root WBS node; budget: the sum of the activities' budgets).
PROJECT_MAP = {"proj_short_name": "id", "plan_start_date": "start_date",
               "priority_num": "priority", "last_recalc_date": "status_date"}
#: ``PROJWBS`` field → ``wbs`` column (the code is the path of short names).
WBS_MAP = {"proj_id": "project_id", "wbs_short_name": "wbs", "wbs_name": "name"}
#: ``TASK`` field → ``tasks`` column (``budget``: the sum of ``TASKRSRC.target_cost`` and
#: ``PROJCOST.target_cost`` of the activity).
TASK_MAP = {"task_code": "id", "proj_id": "project_id", "task_name": "name", "wbs_id": "wbs",
            "target_drtn_hr_cnt": "duration", "target_start_date": "baseline_start",
            "target_end_date": "baseline_finish", "task_type": "milestone",
            "cstr_type": "constraint_type", "cstr_date": "constraint_date"}
#: ``TASK`` field → ``status`` column (``status_date``: ``PROJECT.last_recalc_date``;
#: ``percent_complete`` per ``complete_pct_type``; ``actual_cost``: ``TASKRSRC.act_reg_cost
#: + act_ot_cost`` and ``PROJCOST.act_cost``).
STATUS_MAP = {"task_code": "task_id", "act_start_date": "actual_start",
              "act_end_date": "actual_finish", "phys_complete_pct": "percent_complete",
              "remain_drtn_hr_cnt": "remaining_duration"}
#: ``TASKPRED`` field → ``links`` column.
LINK_MAP = {"pred_task_id": "pred", "task_id": "succ", "pred_type": "type",
            "lag_hr_cnt": "lag"}
#: ``RSRC`` (and ``RSRCRATE``) field → ``resources`` column.
RESOURCE_MAP = {"rsrc_short_name": "id", "rsrc_name": "name", "role_id": "role",
                "max_qty_per_hr": "capacity", "cost_per_qty": "cost_rate",
                "parent_rsrc_id": "department"}
#: ``TASKRSRC`` field → ``assignments`` column.
ASSIGNMENT_MAP = {"task_id": "task_id", "rsrc_id": "resource_id",
                  "target_qty_per_hr": "units"}
#: P6 relationship type → kit link type.
LINK_TYPE_MAP = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
#: P6 constraint type → kit constraint type. P6's *Start On* / *Finish On* delay the early
#: dates to the constraint date but never pull them before the logic or the data date: in
#: the forward pass they are SNET / FNET (their bound on the late dates, SNLT / FNLT, is
#: lost: the kit holds one constraint). The kit's MSO / MFO fix the dates even against the
#: logic, as P6's *Mandatory Start* / *Mandatory Finish* do.
CONSTRAINT_MAP = {"": "ASAP", "CS_ASAP": "ASAP", "CS_ALAP": "ALAP", "CS_MSOA": "SNET",
                  "CS_MSOB": "SNLT", "CS_MEOA": "FNET", "CS_MEOB": "FNLT", "CS_MSO": "SNET",
                  "CS_MEO": "FNET", "CS_MANDSTART": "MSO", "CS_MANDFIN": "MFO"}
#: P6 activity type → what the kit makes of it (None: left out, with an XERWarning).
TASK_TYPES = {"TT_Task": "task", "TT_Rsrc": "task", "TT_Mile": "milestone",
              "TT_FinMile": "milestone", "TT_LOE": None, "TT_WBS": None}
#: P6 percent complete types: physical, duration, units.
PERCENT_TYPES = ("CP_Phys", "CP_Drtn", "CP_Units")
#: Role of a resource without a P6 role, by resource type.
RESOURCE_TYPES = {"RT_Labor": "Labour", "RT_Equip": "Non-labour", "RT_Mat": "Material"}
#: The value of the required kit columns an XER file has no field for (programme, sponsor,
#: and manager when the project has no responsible OBS element).
NOT_IN_XER = "not in the XER file"


class XERWarning(UserWarning):
    """A recoverable oddity of an XER file (an activity type the kit cannot model, a
    calendar it does not use, an actual date after the data date...)."""


#: The fields each table must have (beyond these, absent fields read as blank).
_REQUIRED = {
    "PROJECT": ("proj_id", "proj_short_name"),
    "TASK": ("task_id", "proj_id", "wbs_id", "task_code", "task_type", "target_drtn_hr_cnt",
             "target_start_date", "target_end_date"),
    "TASKPRED": ("task_pred_id", "task_id", "pred_task_id", "pred_type"),
    "PROJWBS": ("wbs_id", "proj_id", "wbs_short_name", "parent_wbs_id"),
    "CALENDAR": ("clndr_id", "clndr_data"),
    "RSRC": ("rsrc_id", "rsrc_short_name"),
    "RSRCRATE": ("rsrc_id",),
    "TASKRSRC": ("taskrsrc_id", "task_id", "rsrc_id"),
    "PROJCOST": ("cost_item_id", "task_id"),
}
#: The fields the reader uses, per table: a %R row may lack trailing fields (some writers
#: leave out fields newer than their P6 version) only when none of these is among them.
_USED = {
    "PROJECT": ("proj_id", "proj_short_name", "clndr_id", "plan_start_date", "last_recalc_date",
                "priority_num", "def_complete_pct_type", "name_sep_char", "export_flag"),
    "TASK": ("task_id", "proj_id", "wbs_id", "clndr_id", "phys_complete_pct",
             "complete_pct_type", "task_type", "task_code", "task_name", "remain_drtn_hr_cnt",
             "act_work_qty", "remain_work_qty", "target_drtn_hr_cnt", "cstr_date",
             "act_start_date", "act_end_date", "target_start_date", "target_end_date",
             "cstr_type", "cstr_type2"),
    "TASKPRED": ("task_pred_id", "task_id", "pred_task_id", "pred_type", "lag_hr_cnt"),
    "PROJWBS": ("wbs_id", "proj_id", "obs_id", "proj_node_flag", "wbs_short_name", "wbs_name",
                "parent_wbs_id"),
    "CALENDAR": ("clndr_id", "default_flag", "clndr_name", "base_clndr_id", "day_hr_cnt",
                 "clndr_data"),
    "RSRC": ("rsrc_id", "parent_rsrc_id", "clndr_id", "role_id", "rsrc_name",
             "rsrc_short_name", "rsrc_type"),
    "RSRCRATE": ("rsrc_rate_id", "rsrc_id", "max_qty_per_hr", "cost_per_qty", "start_date"),
    "TASKRSRC": ("taskrsrc_id", "task_id", "rsrc_id", "target_qty_per_hr", "target_cost",
                 "act_reg_cost", "act_ot_cost"),
    "PROJCOST": ("cost_item_id", "task_id", "target_cost", "act_cost"),
    "SCHEDOPTIONS": ("proj_id", "sched_calendar_on_relationship_lag"),
    "ROLES": ("role_id", "role_name"),
    "OBS": ("obs_id", "obs_name"),
    "CURRTYPE": ("curr_short_name", "base_exch_rate"),
}
_MAX_BYTES = 1 << 30  # a gzip bomb or a mistaken huge file stops here (1 GiB)
_LATEST = pd.Timestamp("2262-04-11")  # the last whole day of datetime64[ns]
_EARLIEST = pd.Timestamp("1678-01-01")
_P6_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # clndr_data days 1..7
_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # numpy week mask order
_EPOCH = np.datetime64("1899-12-30", "D")  # clndr_data day numbers count from here
_MAX_DEPTH = 12  # clndr_data nesting (CalendarData/Exceptions/day/period is 4 deep)
_LISTED = 5


def _listing(values, limit: int = _LISTED) -> str:
    values = [str(v) for v in values]
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _where(name: str, table: str | None, line: int | None = None) -> str:
    out = name
    if table:
        out += f", table {table}"
    if line is not None:
        out += f", line {int(line)}"
    return out


def _problem(name, table, line, ident, field, message) -> Problem:
    """A Problem addressed to an XER file: ``<file>, table T, line N, ID 'x', column 'f'``."""
    return Problem(_where(name, table, line), None,
                   None if ident is None or ident == "" else str(ident), field, message)


def _warn(message: str) -> None:
    warnings.warn(message, XERWarning, stacklevel=3)


# ----------------------------------------------------------------------------------------
# Reading the file: bytes, text, tables
# ----------------------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes:
    name = str(path)
    if not path.is_file():
        raise MissingDataError(Problem(name, None, None, None, "file not found"))
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                try:
                    with gzip.open(fh) as gz:
                        data = gz.read(_MAX_BYTES + 1)
                except (OSError, EOFError, zlib.error) as exc:
                    raise DataValidationError(Problem(
                        name, None, None, None,
                        f"is a corrupt or truncated gzip file ({exc})")) from None
            else:
                data = fh.read() if size <= _MAX_BYTES else None
    except OSError as exc:
        raise DataValidationError(Problem(name, None, None, None,
                                          f"cannot be read: {exc}")) from None
    if data is None or len(data) > _MAX_BYTES:
        raise DataValidationError(Problem(name, None, None, None,
                                          f"is larger than {_MAX_BYTES >> 20} MiB; not read"))
    return data


def _decode(data: bytes, name: str) -> str:
    """Text of the file: UTF-8 with a BOM or when it is valid UTF-8, else cp1252 (P6's
    usual code page; a file with bytes cp1252 leaves undefined is read as Latin-1)."""
    if not data.strip():
        raise DataValidationError(Problem(name, None, None, None, "is empty; not an XER file"))
    if b"\x00" in data[:65536]:
        raise DataValidationError(Problem(
            name, None, None, None, "is a binary file, not an XER export (XER files are "
            "tab-separated text starting with ERMHDR)"))
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass
class _Table:
    name: str
    line: int  # of the %T line
    fields: list[str] | None = None
    field_line: int | None = None
    rows: list[list[str]] | None = None
    lines: list[int] | None = None


def _parse(text: str, name: str) -> tuple[list[str], dict[str, _Table]]:
    """ERMHDR fields and the tables of an XER text, checked line by line."""
    lines = text.split("\n")  # not splitlines(): \x1c, \x85 ... are data, not line ends
    first = lines[0].rstrip("\r")
    if not first.startswith("ERMHDR"):
        raise DataValidationError(Problem(
            _where(name, None, 1), None, None, None,
            f"does not start with ERMHDR (it starts with {first[:30]!r}); not an XER export"))
    header = first.split("\t")
    tables: dict[str, _Table] = {}
    table: _Table | None = None
    ended = None
    short: dict[str, list[int]] = {}

    def fail(lineno, message, tname=None, ident=None):
        raise DataValidationError(_problem(name, tname, lineno, ident, None, message))

    last = 1
    for lineno, raw in enumerate(lines[1:], start=2):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip():
            continue
        last = lineno
        if ended is not None:
            fail(lineno, f"has content after the %E end marker (line {ended})")
        tag, _, rest = line.partition("\t")
        if tag == "%R":
            if table is None:
                fail(lineno, "%R row before any %T table line")
            if table.fields is None:
                fail(lineno, "%R row before the %F field line of its table", table.name)
            values = rest.split("\t")
            if len(values) != len(table.fields):
                missing = table.fields[len(values):]
                needed = [f for f in missing if f in _USED.get(table.name, ())]
                if len(values) > len(table.fields) or needed:
                    fail(lineno, f"%R row has {len(values)} values but the %F line "
                         f"(line {table.field_line}) has {len(table.fields)} fields"
                         + (f"; the kit needs the missing {_listing(needed)}" if needed
                            else ""), table.name, values[0] if values else None)
                short.setdefault(table.name, []).append(lineno)
                values = values + [""] * len(missing)
            table.rows.append(values)
            table.lines.append(lineno)
        elif tag == "%T":
            tname = rest.strip()
            if not tname:
                fail(lineno, "%T line without a table name")
            if tname in tables:
                fail(lineno, f"table {tname} appears twice (first on line "
                     f"{tables[tname].line})", tname)
            table = tables[tname] = _Table(tname, lineno)
        elif tag == "%F":
            if table is None:
                fail(lineno, "%F field line before any %T table line")
            if table.fields is not None:
                fail(lineno, f"second %F line (the first is line {table.field_line})",
                     table.name)
            fields = [f.strip() for f in rest.split("\t")]
            dup = sorted({f for f in fields if fields.count(f) > 1})
            if dup or not all(fields):
                fail(lineno, f"%F line with blank or repeated field names "
                     f"{_listing(map(repr, dup))}", table.name)
            table.fields, table.field_line, table.rows, table.lines = fields, lineno, [], []
        elif tag == "%E":
            ended = lineno
        else:
            fail(lineno, f"unexpected line {line[:30]!r}: each line starts with ERMHDR, %T, "
                 "%F, %R or %E", table.name if table else None)
    if ended is None:
        raise DataValidationError(Problem(
            _where(name, None, last), None, None, None,
            "is truncated: the %E end marker is missing after the last line"))
    for t in tables.values():
        if t.fields is None:
            fail(t.line, "table without a %F field line", t.name)
    if short:
        where = "; ".join(f"table {t} line(s) {_listing(rows)}" for t, rows in short.items())
        _warn(f"{name}: rows with fewer values than their %F line ({where}); the missing "
              "trailing fields, which the kit does not read, are taken as blank")
    return header, tables


def _frames(tables: dict[str, _Table]) -> dict[str, pd.DataFrame]:
    out = {}
    for t in tables.values():
        df = pd.DataFrame(t.rows, columns=t.fields, dtype=object,
                          index=pd.Index(t.lines, name="line", dtype=np.int64))
        out[t.name] = df
    return out


def read_xer_tables(path) -> dict[str, pd.DataFrame]:
    """The tables of an XER file as they are: one DataFrame of text per ``%T`` table.

    Parameters
    ----------
    path : str or Path
        The XER file (plain or gzip-compressed).

    Returns
    -------
    dict of str → DataFrame
        Table name (``PROJECT``, ``TASK``, ...) → its ``%R`` rows: one column per ``%F``
        field, text cells (``""`` when blank), indexed by the file's line number of each row
        (index name ``line``).

    Raises
    ------
    MissingDataError
        The file does not exist.
    DataValidationError
        The file is empty, binary, not XER (no ``ERMHDR``), a corrupt gzip, truncated (no
        ``%E``), or has a row with more values than its ``%F`` line or fewer (a row may
        only lack trailing fields the kit does not read: XERWarning), a table or a field
        twice, or a line that is not ``%T``/``%F``/``%R``/``%E``; the message names the
        file, table and line.

    Examples
    --------
    >>> from pmo_lib.io.xer import read_xer_tables
    >>> tables = read_xer_tables("tests/data/io/xer/tiny.xer")
    >>> tables["TASK"][["task_code", "task_type", "target_drtn_hr_cnt"]].head(2)
         task_code task_type target_drtn_hr_cnt
    line
    36        A100   TT_Task                 40
    37        A110   TT_Task                 80
    """
    path = Path(path)
    name = str(path)
    _, tables = _parse(_decode(_read_bytes(path), name), name)
    return _frames(tables)


# ----------------------------------------------------------------------------------------
# Field access and conversion (vectorised, every bad value reported with its line and ID)
# ----------------------------------------------------------------------------------------
class _Problems(list):
    def raise_if_any(self, kind=DataValidationError):
        if self:
            raise kind(list(self))


def _field(df: pd.DataFrame, field: str) -> pd.Series:
    """A field's text (stripped; ``""`` where blank or when the field is absent)."""
    if field not in df.columns:
        return pd.Series("", index=df.index, dtype=object)
    return df[field].fillna("").astype(str).str.strip()


def _numbers(df, field, ids, ctx, problems, *, default=np.nan) -> pd.Series:
    text = _field(df, field)
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    bad = (text != "") & ~np.isfinite(values)
    for line in df.index[bad.to_numpy()]:
        problems.append(_problem(ctx.name, ctx.table, line, ids[line], field,
                                 f"{text[line]!r} is not a number"))
    return values.where(text != "", default).where(~bad)


def _datetimes(df, field, ids, ctx, problems, clipped) -> pd.Series:
    """P6 date-times (``YYYY-MM-DD HH:MM``); NaT where blank. Dates past what pandas holds
    are set to :data:`_LATEST` (recorded in ``clipped``)."""
    text = _field(df, field)
    blank = (text == "").to_numpy()
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    left = ~blank
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        if left.any():
            # pandas 2 gives NaT past 2262, pandas 3 a coarser unit: both end up here
            got = pd.to_datetime(text[left], format=fmt, errors="coerce")
            out[left] = got.to_numpy(dtype="datetime64[s]") if len(got) else out[left]
            left = ~blank & np.isnat(out)
    if left.any():  # shaped like a date but out of pandas' range (pandas 2)
        year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").to_numpy()
        shaped = text.str.match(r"^\d{4}-\d{2}-\d{2}").to_numpy(dtype=bool)
        out[left & shaped & (year > _LATEST.year)] = np.datetime64(_LATEST, "s") + 1
        out[left & shaped & (year < _EARLIEST.year)] = np.datetime64(_EARLIEST, "s") - 1
        left = ~blank & np.isnat(out)
    late = ~np.isnat(out) & (out > np.datetime64(_LATEST, "s"))
    early = ~np.isnat(out) & (out < np.datetime64(_EARLIEST, "s"))
    out[late] = np.datetime64(_LATEST, "s")
    out[early] = np.datetime64(_EARLIEST, "s")
    for line in df.index[late | early]:
        clipped.append(f"{ids[line]} {field} {text[line]}")
    for line in df.index[left]:
        problems.append(_problem(ctx.name, ctx.table, line, ids[line], field,
                                 f"{text[line]!r} is not a date-time YYYY-MM-DD HH:MM"))
    return pd.Series(out.astype("datetime64[ns]"), index=df.index)


@dataclass(frozen=True)
class _Ctx:
    name: str
    table: str


def _require(frames, table: str, name: str, *, needed: bool = True) -> pd.DataFrame | None:
    df = frames.get(table)
    if df is None:
        if needed:
            raise MissingDataError(_problem(name, None, None, None, None,
                                            f"has no {table} table; an XER export for the "
                                            f"kit needs PROJECT and TASK"))
        return None
    missing = [f for f in _REQUIRED.get(table, ()) if f not in df.columns]
    if missing:
        raise MissingDataError([_problem(name, table, None, None, f,
                                         "required field is missing from the %F line")
                                for f in missing])
    return df


# ----------------------------------------------------------------------------------------
# Calendars
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Calendar:
    """One P6 calendar as far as the kit uses it."""

    id: str
    name: str
    line: int | None
    hours: float  # working hours per day (converts hours to days)
    weekmask: str  # numpy order, Monday first
    holidays: np.ndarray  # datetime64[D], non-working exceptions
    day_start: float  # earliest work period start [h]
    day_end: float  # latest work period end [h]
    extra_days: int = 0  # working exceptions on non-working weekdays (not modelled)
    error: str | None = None

    @property
    def busdaycal(self) -> np.busdaycalendar:
        mask = self.weekmask if "1" in self.weekmask else "1111100"
        return np.busdaycalendar(weekmask=mask, holidays=self.holidays)


_STANDARD = _Calendar("", "Monday to Friday (assumed)", None, 8.0, "1111100",
                      np.array([], dtype="datetime64[D]"), 8.0, 16.0)


def _tree(text: str) -> list:
    """Parse ``clndr_data`` — nested ``(0||name(attrs)(children))`` nodes — without
    recursion. Returns the top-level nodes as ``(name, attrs, children)``; raises ValueError
    on malformed or too deeply nested data."""
    root: list = []
    stack = [root]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\x7f":
            i += 1
        elif c == "(":
            j = text.find("(", i + 1)
            k = text.find(")", j + 1) if j >= 0 else -1
            if j < 0 or k < 0 or k + 1 >= n or text[k + 1] != "(" or ")" in text[i + 1:j]:
                raise ValueError(f"malformed node at character {i}")
            node = (text[i + 1:j].rpartition("||")[2], text[j + 1:k], [])
            stack[-1].append(node)
            stack.append(node[2])
            if len(stack) > _MAX_DEPTH:
                raise ValueError(f"nested more than {_MAX_DEPTH} levels deep")
            i = k + 2
        elif c == ")":
            if len(stack) == 1:
                raise ValueError(f"unbalanced ')' at character {i}")
            stack.pop()
            i += 1
            while i < n and text[i] in " \t\r\n\x7f":
                i += 1
            if i >= n or text[i] != ")":
                raise ValueError(f"node not closed at character {i}")
            i += 1
        else:
            raise ValueError(f"unexpected {c!r} at character {i}")
    if len(stack) != 1:
        raise ValueError("truncated: nodes left open at the end")
    return root


def _attrs(text: str) -> dict[str, str]:
    parts = text.split("|")
    if len(parts) % 2:
        raise ValueError(f"attributes {text!r} are not key|value pairs")
    return dict(zip(parts[::2], parts[1::2], strict=True))


def _hour(text: str) -> float:
    hh, _, mm = text.partition(":")
    h = int(hh) + int(mm or 0) / 60.0
    if not 0 <= h <= 24:
        raise ValueError(f"time {text!r} is not between 00:00 and 24:00")
    return h


def _periods(children) -> list[tuple[float, float]]:
    out = []
    for _, attrs, _ in children:
        a = _attrs(attrs)
        if "s" not in a or "f" not in a:
            raise ValueError(f"work period {attrs!r} lacks s or f")
        s, f = _hour(a["s"]), _hour(a["f"])
        out.append((s, f if f > s else f + 24.0))  # f 00:00 is midnight at the day's end
    return out


def _parse_calendar(cid: str, cname: str, line, data: str, day_hr: float | None):
    """A _Calendar from ``clndr_data``; ValueError when it cannot be parsed."""
    nodes = _tree(data)
    if not nodes or nodes[0][0] != "CalendarData":
        raise ValueError("does not start with CalendarData")
    parts = {name: children for name, _, children in nodes[0][2]}
    if "DaysOfWeek" not in parts:
        raise ValueError("has no DaysOfWeek")
    week = {}
    for name, _, children in parts["DaysOfWeek"]:
        if name not in {"1", "2", "3", "4", "5", "6", "7"}:
            raise ValueError(f"unknown weekday {name!r}")
        week[_P6_DAYS[int(name) - 1]] = _periods(children)
    hours = {d: sum(f - s for s, f in p) for d, p in week.items()}
    working = [d for d in _WEEK if hours.get(d, 0) > 0]
    holidays, extra = [], 0
    for _, attrs, children in parts.get("Exceptions", []):
        a = _attrs(attrs)
        if "d" not in a:
            raise ValueError(f"exception {attrs!r} has no date")
        day = _EPOCH + np.timedelta64(int(float(a["d"])), "D")
        if children:
            if sum(f - s for s, f in _periods(children)) > 0:
                weekday = _WEEK[int((day.astype("datetime64[D]").view("int64") - 4) % 7)]
                extra += weekday not in working
                continue
        holidays.append(day)
    all_periods = [p for d in working for p in week[d]]
    per_day = {round(hours[d], 6) for d in working}
    used = day_hr if day_hr and day_hr > 0 else None
    note = None
    if len(per_day) == 1 and used is not None and abs(per_day.pop() - used) > 1e-6:
        note = hours[working[0]]
    if used is None:
        used = hours[working[0]] if working else 8.0
    return _Calendar(
        cid, cname, line, float(note if note else used),
        "".join("1" if d in working else "0" for d in _WEEK),
        np.unique(np.array(holidays, dtype="datetime64[D]")),
        min((s for s, _ in all_periods), default=0.0),
        max((f for _, f in all_periods), default=24.0), extra,
    ), note


def _calendars(frames, name: str) -> dict[str, _Calendar]:
    """Every calendar of the file; one whose clndr_data cannot be parsed has ``error``."""
    df = _require(frames, "CALENDAR", name, needed=False)
    if df is None:
        return {}
    ctx = _Ctx(name, "CALENDAR")
    ids = _field(df, "clndr_id")
    problems = _Problems()
    day_hr = _numbers(df, "day_hr_cnt", ids, ctx, problems)
    problems.raise_if_any()
    names, data, base = _field(df, "clndr_name"), df["clndr_data"].fillna(""), \
        _field(df, "base_clndr_id")
    for line in df.index[(ids.duplicated(keep="first") & (ids != "")).to_numpy()]:
        problems.append(_problem(name, "CALENDAR", line, ids[line], "clndr_id",
                                 "duplicate clndr_id"))
    problems.raise_if_any()
    out: dict[str, _Calendar] = {}
    notes = []
    for line in df.index:
        cid = ids[line]
        text = data[line]
        if not text.strip() and base[line] and base[line] in set(ids):
            text = data[ids[ids == base[line]].index[0]]
        hpd = float(day_hr[line]) if np.isfinite(day_hr[line]) else None
        if not text.strip():
            cal = replace(_STANDARD, id=cid, name=names[line], line=int(line),
                          hours=hpd or 8.0, error="has no work week (clndr_data is blank)")
        else:
            try:
                cal, note = _parse_calendar(cid, names[line], int(line), text, hpd)
                if note is not None:
                    notes.append((cid, names[line], hpd, note))
            except (ValueError, OverflowError) as exc:
                cal = replace(_STANDARD, id=cid, name=names[line], line=int(line),
                              hours=hpd or 8.0, error=f"clndr_data cannot be read: {exc}")
        out[cid] = cal
    out["__notes__"] = notes  # type: ignore[assignment]
    return out


# ----------------------------------------------------------------------------------------
# Rounding P6 date-times to the kit's days
# ----------------------------------------------------------------------------------------
def _days(ts: pd.Series, cal_ids: pd.Series, cals: dict[str, _Calendar],
          kind: str) -> pd.Series:
    """Days of P6 date-times as the kit counts them, on each row's calendar.

    ``kind="start"``: a start at or after the end of the working day is on the next working
    day (and a start on a non-working day on the next working day); ``"finish"``: a finish
    at or before the start of the working day is on the previous working day.
    """
    out = np.full(len(ts), np.datetime64("NaT"), dtype="datetime64[D]")
    values = ts.to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(values)
    if not ok.any():
        return pd.Series(out.astype("datetime64[ns]"), index=ts.index)
    ids = cal_ids.to_numpy(dtype=object)
    for cid in pd.unique(ids[ok]):
        rows = ok & (ids == cid)
        cal = cals.get(cid, _STANDARD)
        v = values[rows]
        day = v.astype("datetime64[D]")
        hour = (v - day.astype("datetime64[ns]")) / np.timedelta64(1, "h")
        if kind == "start":
            day = np.where(hour >= cal.day_end - 1e-6, day + np.timedelta64(1, "D"), day)
            out[rows] = np.busday_offset(day, 0, roll="forward", busdaycal=cal.busdaycal)
        else:
            day = np.where(hour <= cal.day_start + 1e-6, day - np.timedelta64(1, "D"), day)
            out[rows] = np.busday_offset(day, 0, roll="backward", busdaycal=cal.busdaycal)
    return pd.Series(out.astype("datetime64[ns]"), index=ts.index)


# ----------------------------------------------------------------------------------------
# Re-addressing the kit's validation problems to the XER file
# ----------------------------------------------------------------------------------------
_KIT_FIELDS = {
    "projects": ("PROJECT", {v: k for k, v in PROJECT_MAP.items()}),
    "wbs": ("PROJWBS", {v: k for k, v in WBS_MAP.items()}),
    "tasks": ("TASK", {v: k for k, v in TASK_MAP.items()}),
    "status": ("TASK", {v: k for k, v in STATUS_MAP.items()}),
    "links": ("TASKPRED", {v: k for k, v in LINK_MAP.items()}),
    "resources": ("RSRC", {v: k for k, v in RESOURCE_MAP.items()}),
    "assignments": ("TASKRSRC", {v: k for k, v in ASSIGNMENT_MAP.items()}),
    "calendar": ("CALENDAR", {"date": "clndr_data"}),
}


_ROWS = re.compile(r"\b(rows?) (\d+(?:, \d+)*)")


def _lines(match: re.Match, rows: np.ndarray | None) -> str:
    """``row 3`` / ``rows 2, 5`` of a kit table as the XER lines those rows came from."""
    numbers = [int(n) for n in match.group(2).split(", ")]
    if rows is None or not all(0 <= n - 2 < len(rows) for n in numbers):
        return match.group(0)
    found = [str(int(rows[n - 2])) for n in numbers]
    return ("lines " if len(found) > 1 else "line ") + ", ".join(found)


def _readdress(problems: list[Problem], name: str,
               lines: dict[str, np.ndarray]) -> list[Problem]:
    """Problems the kit's validation found in its tables (``<name>/tasks.csv``, row r),
    addressed to the XER table and line the row came from, the column named by its P6
    field."""
    out = []
    for p in problems:
        table = Path(p.file).stem
        if table not in _KIT_FIELDS or not p.file.startswith(name):
            out.append(p)
            continue
        xer_table, fields = _KIT_FIELDS[table]
        rows = lines.get(table)
        line = None
        if p.row is not None and rows is not None and 0 <= p.row - 2 < len(rows):
            line = rows[p.row - 2]
        column = p.column
        message = _ROWS.sub(lambda m, rows=rows: _lines(m, rows), p.message)
        if column in fields:
            message = f"{message} (kit column {table}.{column})"
            column = fields[column]
        elif column is not None:
            message = f"{message} (kit column {table}.{column})"
            column = None
        out.append(_problem(name, xer_table, line, p.id, column, message))
    return out


# ----------------------------------------------------------------------------------------
# The reader
# ----------------------------------------------------------------------------------------
def _select_projects(frames, name: str, project) -> pd.DataFrame:
    proj = _require(frames, "PROJECT", name)
    if proj.empty:
        raise MissingDataError(_problem(name, "PROJECT", None, None, None,
                                        "has no rows; the file holds no project"))
    ctx = _Ctx(name, "PROJECT")
    short, pid = _field(proj, "proj_short_name"), _field(proj, "proj_id")
    problems = _Problems()
    for line in proj.index[(short == "").to_numpy() | (pid == "").to_numpy()]:
        problems.append(_problem(name, ctx.table, line, pid[line] or None,
                                 "proj_short_name" if short[line] == "" else "proj_id",
                                 "is blank; a project needs an ID and a short name"))
    for col, values in (("proj_id", pid), ("proj_short_name", short)):
        dup = values.duplicated(keep="first") & (values != "")
        for line in proj.index[dup.to_numpy()]:
            problems.append(_problem(name, ctx.table, line, values[line], col,
                                     f"duplicate {col} (first on line "
                                     f"{proj.index[(values == values[line]).to_numpy()][0]})"))
    problems.raise_if_any()
    if project is not None:
        key = str(project).strip()
        hit = (short == key) | (pid == key)
        if not hit.any():
            listing = ", ".join(f"{s} (proj_id {i})" for s, i in zip(short, pid, strict=True))
            raise DataValidationError(_problem(
                name, "PROJECT", None, key, "proj_short_name",
                f"no project {key!r} in the file; its projects are {listing}"))
        return proj[hit.to_numpy()]
    chosen = proj[(_field(proj, "export_flag") != "N").to_numpy()]
    return chosen if len(chosen) else proj


def read_xer(path, *, project=None) -> Portfolio:
    """Read a Primavera P6 XER export as a validated :class:`~pmo_lib.model.Portfolio`.

    Parameters
    ----------
    path : str or Path
        The XER file; gzip-compressed files (``.xer.gz``) are recognised by their content.
        UTF-8 (with or without a BOM) or cp1252; CRLF or LF line ends.
    project : str, optional
        Import only this project: its ``proj_short_name`` or its ``proj_id``. By default,
        every project of the file (``export_flag`` not ``N``).

    Returns
    -------
    Portfolio
        ``projects``, ``wbs``, ``tasks``, ``links``, ``resources``, ``assignments``,
        ``calendar`` (holidays of the default project calendar) and ``status`` (one
        snapshot at the data date) as the module docstring maps them; ``name`` the project's
        name (the file's stem for several projects), ``currency`` the file's base currency,
        the work week of the default project calendar, ``data_dates`` the status date,
        ``path`` None.

    Raises
    ------
    MissingDataError
        The file does not exist; it has no PROJECT or TASK table, or a required field.
    UnknownReferenceError
        A relationship, assignment, expense or activity referring to an unknown activity,
        resource, project, WBS element or calendar.
    DataValidationError
        Anything else wrong with the file (see the module docstring); every message names
        the file, the table, the line and the ID at fault.

    Warns
    -----
    XERWarning
        Level-of-effort or WBS summary activities left out, duplicate relationships,
        secondary constraints, invalid unused calendars, actual dates after the data date,
        dates beyond 2262, files without costs, ...

    Examples
    --------
    >>> from pmo_lib.io import read_xer
    >>> pf = read_xer("tests/data/io/xer/tiny.xer")
    >>> pf.name, len(pf.tasks), len(pf.links), len(pf.resources), pf.currency
    ('Tiny plant upgrade', 5, 5, 2, 'EUR')
    >>> pf.status_dates[0].date(), pf.calendar.workweek
    (datetime.date(2026, 1, 16), ('Mon', 'Tue', 'Wed', 'Thu', 'Fri'))
    """
    path = Path(path)
    name = str(path)
    header, parsed = _parse(_decode(_read_bytes(path), name), name)
    frames = _frames(parsed)
    projects = _select_projects(frames, name, project)
    task_df = _require(frames, "TASK", name)
    pids = _field(projects, "proj_id")
    pshort = dict(zip(pids, _field(projects, "proj_short_name"), strict=True))
    all_pids = set(_field(frames["PROJECT"], "proj_id"))

    cals = _calendars(frames, name)
    notes = cals.pop("__notes__", [])
    problems = _Problems()

    # -- activities --------------------------------------------------------------------
    ctx = _Ctx(name, "TASK")
    tpid = _field(task_df, "proj_id")
    unknown_proj = ~tpid.isin(all_pids)
    tid_all = _field(task_df, "task_id")
    code_all = _field(task_df, "task_code")
    ident_all = code_all.where(code_all != "", tid_all)
    for line in task_df.index[unknown_proj.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident_all[line], "proj_id",
                                 f"refers to unknown proj_id {tpid[line]!r} (not in table "
                                 "PROJECT)"))
    dup_tid = tid_all.duplicated(keep="first") & (tid_all != "")
    for line in task_df.index[dup_tid.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident_all[line], "task_id",
                                 f"duplicate task_id {tid_all[line]!r}"))
    problems.raise_if_any(UnknownReferenceError if unknown_proj.any() else DataValidationError)
    all_task_ids = set(tid_all)
    task_project = dict(zip(tid_all, tpid, strict=True))
    T = task_df[tpid.isin(set(pids)).to_numpy()]
    tid = _field(T, "task_id")
    code = _field(T, "task_code")
    ident = code.where(code != "", tid)
    ttype = _field(T, "task_type")
    for line in T.index[(tid == "").to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "task_id", "is blank"))
    for line in T.index[(code == "").to_numpy()]:
        problems.append(_problem(name, "TASK", line, tid[line], "task_code",
                                 "is blank; the activity ID is the kit's task ID"))
    bad_type = ~ttype.isin(list(TASK_TYPES))
    for line in T.index[bad_type.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "task_type",
                                 f"unknown activity type {ttype[line]!r}; the types are "
                                 f"{', '.join(TASK_TYPES)}"))
    problems.raise_if_any()
    kept_type = ttype.map(TASK_TYPES).notna()
    dropped = T[~kept_type.to_numpy()]
    dropped_ids = set(_field(dropped, "task_id"))
    T = T[kept_type.to_numpy()]
    tid, code, ident, ttype = tid[T.index], code[T.index], ident[T.index], ttype[T.index]
    tproj = _field(T, "proj_id")
    key = tproj + "\t" + code
    for line in T.index[key.duplicated(keep="first").to_numpy()]:
        first = T.index[(key == key[line]).to_numpy()][0]
        problems.append(_problem(name, "TASK", line, code[line], "task_code",
                                 f"duplicate activity ID in project {pshort[tproj[line]]} "
                                 f"(first on line {first})"))
    problems.raise_if_any()
    kit_id = code.copy()
    if code.duplicated(keep=False).any():
        kit_id = tproj.map(pshort) + "/" + code
    kit_of = dict(zip(tid, kit_id, strict=True))
    milestone = ttype.map(TASK_TYPES) == "milestone"

    # -- calendars: the activities' own, and the one the kit schedules every activity on --
    own = _field(T, "clndr_id")
    for line in T.index[((own != "") & ~own.isin(set(cals))).to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "clndr_id",
                                 f"refers to unknown clndr_id {own[line]!r} (not in table "
                                 "CALENDAR)"))
    problems.raise_if_any(UnknownReferenceError)
    # an activity without a calendar has its project's (when the file has it)
    proj_cal = {p: c for p, c in zip(pids, _field(projects, "clndr_id"), strict=True)
                if c in cals}
    tcal = own.where(own != "", tproj.map(lambda p: proj_cal.get(p, "")))
    default_id = _default_calendar(name, projects, frames, cals, tcal, pshort)
    tcal = tcal.where(tcal != "", default_id)
    cal_used = set(tcal) | {default_id}
    for cid in sorted(c for c in cal_used if c in cals and cals[c].error is not None):
        cal = cals[cid]
        users = ident[(tcal == cid).to_numpy()]
        who = (f"activities {_listing(users)} use it" if len(users) else
               "it is the project calendar")
        problems.append(_problem(name, "CALENDAR", cal.line, cid, "clndr_data",
                                 f"calendar {cal.name!r} {cal.error}; {who}"))
    problems.raise_if_any()
    for cid, cal in cals.items():
        if cal.error is not None and cid not in cal_used and cal.line is not None \
                and not cal.error.startswith("has no work week"):
            _warn(f"{_where(name, 'CALENDAR', cal.line)}, ID {cid!r}: calendar {cal.name!r} "
                  f"{cal.error}; no imported activity uses it, so it is ignored")
    for cid, cname, day_hr, hours in notes:
        if cid in cal_used:
            _warn(f"{name}, table CALENDAR, ID {cid!r}: calendar {cname!r} has day_hr_cnt "
                  f"{day_hr:g} but its work periods make {hours:g} hours a day; P6 schedules "
                  f"on the work periods, so durations are divided by {hours:g}")
    extra = [c for c in cal_used if c in cals and cals[c].extra_days]
    if extra:
        _warn(f"{name}: calendar(s) {_listing(cals[c].name for c in extra)} have working "
              "exceptions on non-working days; the kit's calendar cannot hold them")
    default = cals.get(default_id, _STANDARD)
    hpd = tcal.map(lambda c: cals.get(c, _STANDARD).hours).astype(float)

    clipped: list[str] = []
    target = _numbers(T, "target_drtn_hr_cnt", ident, ctx, problems)
    remain = _numbers(T, "remain_drtn_hr_cnt", ident, ctx, problems)
    phys = _numbers(T, "phys_complete_pct", ident, ctx, problems, default=0.0)
    act_work = _numbers(T, "act_work_qty", ident, ctx, problems, default=0.0)
    rem_work = _numbers(T, "remain_work_qty", ident, ctx, problems, default=0.0)
    dt = {f: _datetimes(T, f, ident, ctx, problems, clipped)
          for f in ("target_start_date", "target_end_date", "act_start_date", "act_end_date",
                    "cstr_date")}
    for line in T.index[(target.isna() & (_field(T, "target_drtn_hr_cnt") == "")).to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "target_drtn_hr_cnt",
                                 "is blank; the planned duration is required"))
    cstr = _field(T, "cstr_type")
    bad_cstr = ~cstr.isin(list(CONSTRAINT_MAP))
    for line in T.index[bad_cstr.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "cstr_type",
                                 f"unknown constraint type {cstr[line]!r}; the types are "
                                 f"{', '.join(k for k in CONSTRAINT_MAP if k)}"))
    pct_type = _field(T, "complete_pct_type")
    proj_pct = _field(projects, "def_complete_pct_type")
    pct_type = pct_type.where(pct_type != "", tproj.map(dict(zip(pids, proj_pct, strict=True))))
    pct_type = pct_type.where(pct_type != "", "CP_Drtn")
    bad_pct = ~pct_type.isin(PERCENT_TYPES)
    for line in T.index[bad_pct.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "complete_pct_type",
                                 f"unknown percent complete type {pct_type[line]!r}; the "
                                 f"types are {', '.join(PERCENT_TYPES)}"))
    no_start = dt["act_end_date"].notna() & dt["act_start_date"].isna()
    for line in T.index[no_start.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "act_start_date",
                                 "is blank but the activity has an act_end_date"))
    problems.raise_if_any()

    # dates in days; milestones at the end of the day before their instant (the kit's
    # convention), but not before their project's first day (a "project start" milestone)
    plan_start = _days(_datetimes(projects, "plan_start_date", pids.map(pshort),
                                  _Ctx(name, "PROJECT"), problems, clipped),
                       pd.Series(default_id, index=projects.index), cals, "start")
    problems.raise_if_any()
    first_day = tproj.map(dict(zip(pids, plan_start, strict=True)))
    start_day = _days(dt["target_start_date"], tcal, cals, "start")
    finish_day = _days(dt["target_end_date"], tcal, cals, "finish")
    zero = milestone | (target.fillna(0) <= 0)
    ms_instant = dt["target_start_date"].where(ttype == "TT_Mile", dt["target_end_date"])
    ms_day = _days(ms_instant, tcal, cals, "finish")
    ms_day = ms_day.where(~(ms_day < first_day), first_day)
    baseline_start = start_day.where(~zero, ms_day)
    baseline_finish = finish_day.where(~zero, ms_day)
    baseline_finish = baseline_finish.where(baseline_finish >= baseline_start, baseline_start)
    duration = (target / hpd).where(~milestone, 0.0)

    kind = cstr.map(CONSTRAINT_MAP)
    finish_cstr = kind.isin(["FNET", "FNLT", "MFO"]) | zero
    cdate = _days(dt["cstr_date"], tcal, cals, "start").where(
        ~finish_cstr, _days(dt["cstr_date"], tcal, cals, "finish"))
    second = _field(T, "cstr_type2") != ""
    if second.any():
        _warn(f"{name}, table TASK: {int(second.sum())} activities have a secondary "
              f"constraint (cstr_type2), which the kit cannot hold; it is dropped: "
              f"{_listing(ident[second.to_numpy()])}")

    # -- WBS -------------------------------------------------------------------------
    wbs_df = _require(frames, "PROJWBS", name, needed=False)
    wbs_rows, wbs_lines, code_of, root_of = _wbs(wbs_df, name, pids, pshort, projects)
    unknown_wbs = ~_field(T, "wbs_id").isin(set(code_of))
    for line in T.index[unknown_wbs.to_numpy()]:
        problems.append(_problem(name, "TASK", line, ident[line], "wbs_id",
                                 f"refers to unknown wbs_id {_field(T, 'wbs_id')[line]!r} "
                                 "(not in table PROJWBS)"))
    problems.raise_if_any(UnknownReferenceError)
    wbs_code = _field(T, "wbs_id").map(code_of)

    # -- the data date ---------------------------------------------------------------
    recalc = _datetimes(projects, "last_recalc_date", pids.map(pshort), _Ctx(name, "PROJECT"),
                        problems, clipped)
    problems.raise_if_any()
    data_days = _days(recalc, pd.Series(default_id, index=recalc.index), cals, "finish")
    status_date = data_days.max() if data_days.notna().any() else None
    if data_days.notna().any() and data_days.dropna().nunique() > 1:
        _warn(f"{name}: the projects have different data dates "
              f"({_listing(sorted({str(d.date()) for d in data_days.dropna()}))}); the kit "
              f"keeps one status snapshot per month, at the latest, {status_date.date()}")

    # -- costs -----------------------------------------------------------------------
    budget, actual_cost, assignments, assign_lines, resources, res_lines, any_cost = \
        _costs(frames, name, T, tid, kit_of, dropped_ids, all_task_ids, task_project,
               set(pids), tcal, cals, default, problems, status_date)
    if dropped_ids:
        _warn(f"{name}, table TASK: {len(dropped_ids)} level-of-effort or WBS summary "
              f"activities are left out (the kit cannot model activities that span others), "
              f"with their relationships and assignments: "
              f"{_listing(_field(dropped, 'task_code'))}")
    if not any_cost:
        _warn(f"{name}: no costs in the file (TASKRSRC.target_cost, PROJCOST.target_cost); "
              "every task budget is 0, so EVM has nothing to measure")

    tasks = pd.DataFrame({
        "id": kit_id.to_numpy(), "project_id": tproj.map(pshort).to_numpy(),
        "name": _field(T, "task_name").where(lambda s: s != "", code).to_numpy(),
        "wbs": wbs_code.to_numpy(), "duration": duration.to_numpy(),
        "baseline_start": baseline_start.to_numpy(),
        "baseline_finish": baseline_finish.to_numpy(),
        "budget": tid.map(budget).fillna(0.0).to_numpy(),
        "milestone": milestone.to_numpy(), "constraint_type": kind.to_numpy(),
        "constraint_date": cdate.where(kind.isin(["SNET", "SNLT", "FNET", "FNLT", "MSO",
                                                  "MFO"])).to_numpy(),
    })

    # -- status at the data date ------------------------------------------------------
    started = dt["act_start_date"].notna()
    if status_date is None and started.any():
        _warn(f"{name}: no data date (PROJECT.last_recalc_date) but {int(started.sum())} "
              "activities have started; their progress is not imported")
    status = None
    if status_date is not None:
        status = _status(T, name, ident, kit_id, tcal, cals, dt, milestone, hpd, target,
                         remain, phys, act_work, rem_work, pct_type, status_date,
                         tid.map(actual_cost).fillna(0.0), started, first_day)
    not_started = ~started & (remain.notna()) & (target.notna()) & ((remain - target).abs() > 1e-6)
    if not_started.any():
        _warn(f"{name}, table TASK: {int(not_started.sum())} activities not started have a "
              "remaining duration different from their planned duration; the kit schedules "
              f"them with the planned one: {_listing(ident[not_started.to_numpy()])}")

    # -- relationships ------------------------------------------------------------------
    links, link_lines = _links(frames, name, kit_of, dropped_ids, all_task_ids, task_project,
                               set(pids), tid, tcal, cals, default, projects, problems)

    # -- projects -----------------------------------------------------------------------
    proj_budget = tasks.groupby("project_id")["budget"].sum()
    short = pids.map(pshort)
    first_task = tasks.groupby("project_id")["baseline_start"].min().to_dict()
    start = pd.Series([s if pd.notna(s) else first_task.get(p, pd.NaT)  # no plan_start_date
                       for s, p in zip(plan_start, short, strict=True)],
                      index=projects.index, dtype="datetime64[ns]")
    priority = _numbers(projects, "priority_num", short, _Ctx(name, "PROJECT"), problems)
    problems.raise_if_any()
    priority = priority.where(priority >= 1, 1.0).fillna(1.0).round()
    obs = _obs_names(frames)
    kit_projects = pd.DataFrame({
        "id": short.to_numpy(),
        "name": pids.map(lambda p: root_of.get(p, ("", ""))[0] or pshort[p]).to_numpy(),
        "programme": NOT_IN_XER, "manager":
            pids.map(lambda p: obs.get(root_of.get(p, ("", ""))[1], NOT_IN_XER)).to_numpy(),
        "sponsor": NOT_IN_XER, "methodology": "waterfall", "start_date": start.to_numpy(),
        "budget": short.map(proj_budget).fillna(0.0).to_numpy(),
        "priority": priority.to_numpy(),
    })
    if clipped:
        _warn(f"{name}: {len(clipped)} dates lie beyond what pandas can hold and are set to "
              f"{_LATEST.date()} (or {_EARLIEST.date()}): {_listing(clipped)}")

    holidays = pd.DataFrame({"date": pd.DatetimeIndex(default.holidays.astype("datetime64[ns]")),
                             "name": default.name})
    kit = {"projects": kit_projects, "wbs": wbs_rows, "tasks": tasks, "links": links,
           "resources": resources, "assignments": assignments, "calendar": holidays}
    lines = {"projects": projects.index.to_numpy(), "wbs": wbs_lines,
             "tasks": T.index.to_numpy(), "links": link_lines, "resources": res_lines,
             "assignments": assign_lines,
             "calendar": np.full(len(holidays), default.line or 0)}
    if status is not None:
        kit["status"], lines["status"] = status
    workweek = [d for d, on in zip(_WEEK, default.weekmask, strict=True) if on == "1"]
    names = kit_projects["name"]
    title = str(names.iloc[0]) if len(names) == 1 else path.name.split(".")[0]
    currency = _currency(frames, header)
    try:
        pf = from_tables(kit, name=title, currency=currency, workweek=workweek or None,
                         source=name)
    except DataValidationError as exc:
        raise type(exc)(_readdress(exc.problems, name, lines)) from None
    if status_date is not None:
        pf = replace(pf, data_dates=(pd.Timestamp(status_date),))
    return pf


def _default_calendar(name, projects, frames, cals, tcal, pshort) -> str:
    """The calendar the kit schedules every activity on: the first project's calendar
    (``PROJECT.clndr_id``); the calendar flagged default when that one is missing; the
    calendar most activities use when no activity uses the project's."""
    first = _field(projects, "clndr_id").iloc[0]
    chosen = first
    if first not in cals:
        fallback = ""
        if "CALENDAR" in frames:
            df = frames["CALENDAR"]
            ids = _field(df, "clndr_id")
            flagged = ids[(_field(df, "default_flag") == "Y").to_numpy()]
            fallback = next((c for c in flagged if cals[c].error is None), "")
        _warn(f"{_where(name, 'PROJECT', projects.index[0])}: the project calendar "
              f"{first!r} is not in table CALENDAR; using "
              + (f"the default calendar {cals[fallback].name!r}" if fallback else
                 "Monday to Friday, 8 hours a day, no holidays"))
        chosen = fallback
    used = tcal[tcal != ""]
    if len(used) and chosen not in set(used):
        most = used.value_counts().index[0]
        if chosen:
            _warn(f"{name}: no activity uses the project calendar "
                  f"{cals[chosen].name!r}; the kit schedules on the calendar most activities "
                  f"use, {cals[most].name!r} ({int((used == most).sum())} of {len(used)})")
        chosen = most
    if len(set(_field(projects, "clndr_id"))) > 1:
        _warn(f"{name}: the projects have different calendars; the kit has one, "
              f"{cals[chosen].name if chosen in cals else 'Monday to Friday'!r}")
    return chosen


def _obs_names(frames) -> dict[str, str]:
    obs = frames.get("OBS")
    if obs is None or "obs_id" not in obs.columns:
        return {}
    return dict(zip(_field(obs, "obs_id"), _field(obs, "obs_name"), strict=True))


def _currency(frames, header: list[str]) -> str:
    cur = frames.get("CURRTYPE")
    if cur is not None and {"base_exch_rate", "curr_short_name"} <= set(cur.columns):
        rate = pd.to_numeric(_field(cur, "base_exch_rate"), errors="coerce")
        base = _field(cur, "curr_short_name")[(rate == 1).to_numpy()]
        if len(base) and base.iloc[0]:
            return base.iloc[0]
    return header[8].strip() if len(header) > 8 and header[8].strip() else "USD"


def _wbs(df, name, pids, pshort, projects):
    """wbs rows, their lines, code of each wbs_id, and per project (root name, root obs)."""
    empty = pd.DataFrame({"project_id": [], "wbs": [], "name": []})
    if df is None:
        return empty, np.zeros(0, np.int64), {}, {}
    ctx_ids = _field(df, "wbs_id")
    parent = _field(df, "parent_wbs_id")
    proj = _field(df, "proj_id")
    short = _field(df, "wbs_short_name")
    wname = _field(df, "wbs_name")
    is_root = _field(df, "proj_node_flag") == "Y"
    seps = dict(zip(pids, _field(projects, "name_sep_char"), strict=True))
    line_of = dict(zip(ctx_ids, df.index, strict=True))
    parent_of = dict(zip(ctx_ids, parent, strict=True))
    proj_of = dict(zip(ctx_ids, proj, strict=True))
    short_of = dict(zip(ctx_ids, short, strict=True))
    root_flag = dict(zip(ctx_ids, is_root, strict=True))
    problems = _Problems()
    dup = ctx_ids.duplicated(keep="first")
    for line in df.index[dup.to_numpy()]:
        problems.append(_problem(name, "PROJWBS", line, ctx_ids[line], "wbs_id",
                                 "duplicate wbs_id"))
    problems.raise_if_any()
    code_of: dict[str, str] = {}
    keep = proj.isin(set(pids))
    for wid in ctx_ids[keep.to_numpy()]:
        chain, node, seen = [], wid, set()
        while True:
            if node in seen:
                raise DataValidationError(_problem(
                    name, "PROJWBS", line_of[wid], wid, "parent_wbs_id",
                    f"the WBS parents form a loop ({' -> '.join([*chain, node])})"))
            seen.add(node)
            chain.append(node)
            if root_flag[node] or parent_of[node] not in parent_of \
                    or proj_of.get(parent_of[node]) != proj_of[wid]:
                break
            node = parent_of[node]
        sep = seps.get(proj_of[wid]) or "."
        parts = [short_of[n] for n in reversed(chain)]
        if not root_flag[chain[-1]]:
            parts = [pshort[proj_of[wid]], *parts]
        code_of[wid] = sep.join(parts)
    rows = df[keep.to_numpy()]
    out = pd.DataFrame({
        "project_id": proj[rows.index].map(pshort).to_numpy(),
        "wbs": ctx_ids[rows.index].map(code_of).to_numpy(),
        "name": wname[rows.index].where(wname[rows.index] != "",
                                        short[rows.index]).to_numpy(),
    })
    roots = rows[is_root[rows.index].to_numpy()]
    root_of = {p: (wname[line], _field(roots, "obs_id")[line])
               for line, p in zip(roots.index, proj[roots.index], strict=True)}
    return out, rows.index.to_numpy(), code_of, root_of


def _lag_hours(projects, frames, default: _Calendar) -> str:
    sched = frames.get("SCHEDOPTIONS")
    if sched is None or "sched_calendar_on_relationship_lag" not in sched.columns:
        return "rcal_Predecessor"
    pid = _field(projects, "proj_id").iloc[0]
    rows = sched[(_field(sched, "proj_id") == pid).to_numpy()] if "proj_id" in sched else sched
    value = _field(rows if len(rows) else sched, "sched_calendar_on_relationship_lag")
    return value.iloc[0] if len(value) and value.iloc[0] else "rcal_Predecessor"


def _links(frames, name, kit_of, dropped_ids, all_task_ids, task_project, pids, tid, tcal,
           cals, default, projects, problems):
    empty = pd.DataFrame({"pred": [], "succ": [], "type": [], "lag": []})
    df = _require(frames, "TASKPRED", name, needed=False)
    if df is None or df.empty:
        return empty, np.zeros(0, np.int64)
    ident = _field(df, "task_pred_id")
    ctx = _Ctx(name, "TASKPRED")
    succ, pred = _field(df, "task_id"), _field(df, "pred_task_id")
    for col, values in (("task_id", succ), ("pred_task_id", pred)):
        for line in df.index[(~values.isin(all_task_ids)).to_numpy()]:
            problems.append(_problem(name, "TASKPRED", line, ident[line], col,
                                     f"refers to unknown task_id {values[line]!r} (not in "
                                     "table TASK)"))
    problems.raise_if_any(UnknownReferenceError)
    mine = succ.map(task_project).isin(pids) | pred.map(task_project).isin(pids)
    df, succ, pred, ident = df[mine.to_numpy()], succ[mine], pred[mine], ident[mine]
    off = ~(succ.map(task_project).isin(pids) & pred.map(task_project).isin(pids))
    if off.any():
        _warn(f"{name}, table TASKPRED: {int(off.sum())} relationships to activities of "
              f"projects not imported are left out: lines {_listing(df.index[off.to_numpy()])}")
    loe = (succ.isin(dropped_ids) | pred.isin(dropped_ids)) & ~off
    keep = ~off & ~loe
    df, succ, pred, ident = df[keep.to_numpy()], succ[keep], pred[keep], ident[keep]
    ptype = _field(df, "pred_type")
    for line in df.index[(~ptype.isin(list(LINK_TYPE_MAP))).to_numpy()]:
        problems.append(_problem(name, "TASKPRED", line, ident[line], "pred_type",
                                 f"unknown relationship type {ptype[line]!r}; the types are "
                                 f"{', '.join(LINK_TYPE_MAP)}"))
    for line in df.index[(succ == pred).to_numpy()]:
        problems.append(_problem(name, "TASKPRED", line, ident[line], "pred_task_id",
                                 "an activity cannot be its own predecessor"))
    lag_hr = _numbers(df, "lag_hr_cnt", ident, ctx, problems, default=0.0)
    problems.raise_if_any()
    lag_cal = _lag_hours(projects, frames, default)
    cal_of = dict(zip(tid, tcal, strict=True))
    if lag_cal == "rcal_24Hour":
        hours = pd.Series(24.0, index=df.index)
    elif lag_cal == "rcal_Project":
        hours = pd.Series(default.hours, index=df.index)
    else:
        ends = succ if lag_cal == "rcal_Successor" else pred
        hours = ends.map(cal_of).map(lambda c: cals.get(c, default).hours).astype(float)
    pair = pred + "\t" + succ
    dup = pair.duplicated(keep="first")
    if dup.any():
        _warn(f"{name}, table TASKPRED: {int(dup.sum())} relationships repeat the "
              "predecessor and successor of an earlier one (e.g. SS and FF between the same "
              "two activities); the kit keeps one link per pair, the first: lines "
              f"{_listing(df.index[dup.to_numpy()])} are left out")
    keep = ~dup
    links = pd.DataFrame({
        "pred": pred[keep].map(kit_of).to_numpy(), "succ": succ[keep].map(kit_of).to_numpy(),
        "type": ptype[keep].map(LINK_TYPE_MAP).to_numpy(),
        "lag": (lag_hr[keep] / hours[keep]).to_numpy(),
    })
    return links, df.index[keep.to_numpy()].to_numpy()


def _costs(frames, name, T, tid, kit_of, dropped_ids, all_task_ids, task_project, pids,
           tcal, cals, default, problems, status_date):
    """Task budgets and actual costs, the assignments and the resources."""
    budget = pd.Series(0.0, index=pd.Index([], dtype=object))
    actual = pd.Series(0.0, index=pd.Index([], dtype=object))
    any_cost = False
    # expenses
    pc = _require(frames, "PROJCOST", name, needed=False)
    if pc is not None and len(pc):
        ident = _field(pc, "cost_item_id")
        ctx = _Ctx(name, "PROJCOST")
        task = _field(pc, "task_id")
        for line in pc.index[(~task.isin(all_task_ids)).to_numpy()]:
            problems.append(_problem(name, "PROJCOST", line, ident[line], "task_id",
                                     f"refers to unknown task_id {task[line]!r} (not in "
                                     "table TASK)"))
        problems.raise_if_any(UnknownReferenceError)
        tc = _numbers(pc, "target_cost", ident, ctx, problems, default=0.0)
        ac = _numbers(pc, "act_cost", ident, ctx, problems, default=0.0)
        problems.raise_if_any()
        mine = task.map(task_project).isin(pids).to_numpy()
        any_cost |= bool((tc[mine] != 0).any())
        budget = budget.add(tc[mine].groupby(task[mine]).sum(), fill_value=0.0)
        actual = actual.add(ac[mine].groupby(task[mine]).sum(), fill_value=0.0)

    # resources
    rs = _require(frames, "RSRC", name, needed=False)
    empty_res = pd.DataFrame({"id": [], "name": [], "role": [], "capacity": [],
                              "cost_rate": [], "department": []})
    empty_asg = pd.DataFrame({"task_id": [], "resource_id": [], "units": []})
    res_lines = np.zeros(0, np.int64)
    rsrc_kit: dict[str, str] = {}
    if rs is not None and len(rs):
        resources, res_lines, rsrc_kit = _resources(frames, rs, name, cals, default, problems,
                                                    status_date)
    else:
        resources = empty_res

    tr = _require(frames, "TASKRSRC", name, needed=False)
    if tr is None or tr.empty:
        return budget, actual, empty_asg, np.zeros(0, np.int64), resources, res_lines, any_cost
    ident = _field(tr, "taskrsrc_id")
    ctx = _Ctx(name, "TASKRSRC")
    task, rsrc = _field(tr, "task_id"), _field(tr, "rsrc_id")
    for line in tr.index[(~task.isin(all_task_ids)).to_numpy()]:
        problems.append(_problem(name, "TASKRSRC", line, ident[line], "task_id",
                                 f"refers to unknown task_id {task[line]!r} (not in table "
                                 "TASK)"))
    for line in tr.index[((rsrc != "") & ~rsrc.isin(set(rsrc_kit))).to_numpy()]:
        problems.append(_problem(name, "TASKRSRC", line, ident[line], "rsrc_id",
                                 f"refers to unknown rsrc_id {rsrc[line]!r} (not in table "
                                 "RSRC)"))
    problems.raise_if_any(UnknownReferenceError)
    tc = _numbers(tr, "target_cost", ident, ctx, problems, default=0.0)
    reg = _numbers(tr, "act_reg_cost", ident, ctx, problems, default=0.0)
    ot = _numbers(tr, "act_ot_cost", ident, ctx, problems, default=0.0)
    qty = _numbers(tr, "target_qty_per_hr", ident, ctx, problems, default=0.0)
    problems.raise_if_any()
    mine = task.map(task_project).isin(pids).to_numpy()
    any_cost |= bool((tc[mine] != 0).any())
    budget = budget.add(tc[mine].groupby(task[mine]).sum(), fill_value=0.0)
    actual = actual.add((reg + ot)[mine].groupby(task[mine]).sum(), fill_value=0.0)
    live = mine & ~task.isin(dropped_ids).to_numpy()
    cal_of = dict(zip(tid, tcal, strict=True))
    hours = task.map(cal_of).map(lambda c: cals.get(c, default).hours)
    units = qty * hours.astype(float) / default.hours
    role_only = live & (rsrc == "").to_numpy()
    no_units = live & ~role_only & ~(units > 0).to_numpy()
    if role_only.any():
        _warn(f"{name}, table TASKRSRC: {int(role_only.sum())} role assignments without a "
              "resource (blank rsrc_id) are not resource assignments in the kit; their cost "
              f"counts in the budget: lines {_listing(tr.index[role_only])}")
    if no_units.any():
        _warn(f"{name}, table TASKRSRC: {int(no_units.sum())} assignments with 0 units per "
              "hour are left out of the assignments (the kit's units are > 0); their cost "
              f"counts in the budget: lines {_listing(tr.index[no_units])}")
    use = live & ~role_only & ~no_units
    asg = pd.DataFrame({"task_id": task[use].map(kit_of).to_numpy(),
                        "resource_id": rsrc[use].map(rsrc_kit).to_numpy(),
                        "units": units[use].to_numpy(), "line": tr.index[use]})
    grouped = asg.groupby(["task_id", "resource_id"], sort=False, as_index=False).agg(
        units=("units", "sum"), line=("line", "first"))
    return (budget, actual, grouped[["task_id", "resource_id", "units"]],
            grouped["line"].to_numpy(), resources, res_lines, any_cost)


def _resources(frames, rs, name, cals, default, problems, status_date):
    ident = _field(rs, "rsrc_id")
    short = _field(rs, "rsrc_short_name")
    for line in rs.index[(short == "").to_numpy()]:
        problems.append(_problem(name, "RSRC", line, ident[line], "rsrc_short_name",
                                 "is blank; the resource ID is the kit's resource ID"))
    for col, values in (("rsrc_id", ident), ("rsrc_short_name", short)):
        for line in rs.index[(values.duplicated(keep="first") & (values != "")).to_numpy()]:
            problems.append(_problem(name, "RSRC", line, ident[line], col,
                                     f"duplicate {col} {values[line]!r}"))
    problems.raise_if_any()
    rsrc_kit = dict(zip(ident, short, strict=True))
    names = _field(rs, "rsrc_name")
    roles = frames.get("ROLES")
    role_name = (dict(zip(_field(roles, "role_id"), _field(roles, "role_name"), strict=True))
                 if roles is not None and "role_id" in roles.columns else {})
    role = _field(rs, "role_id").map(lambda r: role_name.get(r, ""))
    by_type = _field(rs, "rsrc_type").map(lambda t: RESOURCE_TYPES.get(t, "Resource"))
    role = role.where(role != "", by_type)
    parent_name = _field(rs, "parent_rsrc_id").map(dict(zip(ident, names, strict=True)))
    rcal = _field(rs, "clndr_id")
    hours = rcal.map(lambda c: cals[c].hours if c in cals else default.hours).astype(float)
    cap = pd.Series(np.nan, index=rs.index)
    rate = pd.Series(0.0, index=rs.index)
    rr = _require(frames, "RSRCRATE", name, needed=False)
    if rr is not None and len(rr):
        rid = _field(rr, "rsrc_id")
        rctx = _Ctx(name, "RSRCRATE")
        rident = _field(rr, "rsrc_rate_id").where(lambda s: s != "", rid)
        for line in rr.index[(~rid.isin(set(ident))).to_numpy()]:
            problems.append(_problem(name, "RSRCRATE", line, rident[line], "rsrc_id",
                                     f"refers to unknown rsrc_id {rid[line]!r} (not in table "
                                     "RSRC)"))
        problems.raise_if_any(UnknownReferenceError)
        mx = _numbers(rr, "max_qty_per_hr", rident, rctx, problems)
        cost = _numbers(rr, "cost_per_qty", rident, rctx, problems, default=0.0)
        when = _datetimes(rr, "start_date", rident, rctx, problems, [])
        problems.raise_if_any()
        # the rate in force at the data date: the latest effective date on or before it
        # (a blank date is always in force), else the earliest rate
        when = when.fillna(_EARLIEST)
        now = pd.Timestamp(status_date) if status_date is not None else _LATEST
        future = (when > now).to_numpy()
        stamp = when.to_numpy(dtype="datetime64[s]").astype(np.int64)
        order = pd.DataFrame({"rid": rid, "in_force": ~future,
                              "rank": np.where(future, -stamp, stamp), "mx": mx,
                              "cost": cost}).sort_values(["rid", "in_force", "rank"],
                                                         kind="stable")
        last = order.groupby("rid").last()
        cap = pd.Series(ident.map(last["mx"]).to_numpy(dtype=float), index=rs.index)
        rate = pd.Series(ident.map(last["cost"]).fillna(0.0).to_numpy(dtype=float),
                         index=rs.index)
    capacity = (cap * hours / default.hours).where(cap > 0, 1.0).fillna(1.0)
    resources = pd.DataFrame({
        "id": short.to_numpy(), "name": names.where(names != "", short).to_numpy(),
        "role": role.to_numpy(), "capacity": capacity.to_numpy(),
        "cost_rate": (rate * default.hours).to_numpy(),
        "department": parent_name.where(parent_name != "").to_numpy(),
    })
    return resources, rs.index.to_numpy(), rsrc_kit


def _status(T, name, ident, kit_id, tcal, cals, dt, milestone, hpd, target, remain, phys,
            act_work, rem_work, pct_type, status_date, actual_cost, started, first_day):
    """The status rows of the started activities and their lines."""
    done = dt["act_end_date"].notna()
    a_start = _days(dt["act_start_date"], tcal, cals, "start")
    a_finish = _days(dt["act_end_date"], tcal, cals, "finish")
    ms_start = _days(dt["act_start_date"], tcal, cals, "finish")
    ms_start = ms_start.where(~(ms_start < first_day), first_day)
    a_start = a_start.where(~milestone, ms_start)
    a_finish = a_finish.where(~milestone | ~done, a_start)
    a_finish = a_finish.where(~(a_finish < a_start), a_start)
    late = started & ((a_start > status_date) | (a_finish > status_date))
    if late.any():
        _warn(f"{name}, table TASK: {int(late.sum())} activities have actual dates after the "
              f"data date (status date {status_date.date()}); a status snapshot cannot hold "
              "future actuals, so they are set to the status date: "
              f"{_listing(ident[late.to_numpy()])}")
        a_start = a_start.where(~(a_start > status_date), status_date)
        a_finish = a_finish.where(~(a_finish > status_date), status_date)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_drtn = np.where(target > 0, (target - remain.fillna(target)) / target * 100.0, 0.0)
        total = act_work + rem_work
        by_units = np.where(total > 0, act_work / total * 100.0, 0.0)
    pct = np.select([pct_type == "CP_Phys", pct_type == "CP_Units"],
                    [phys.fillna(0.0), by_units], by_drtn)
    pct = np.where(done, 100.0, np.clip(pct, 0.0, 100.0))
    rd = np.where(done, 0.0, (remain / hpd).fillna(target / hpd))
    rows = started.to_numpy()
    status = pd.DataFrame({
        "status_date": pd.Timestamp(status_date), "task_id": kit_id[rows].to_numpy(),
        "percent_complete": pct[rows], "actual_cost": actual_cost[rows].to_numpy(),
        "actual_start": a_start[rows].to_numpy(), "actual_finish":
            a_finish.where(done)[rows].to_numpy(),
        "remaining_duration": np.maximum(rd[rows], 0.0),
    })
    return status, T.index[rows].to_numpy()
