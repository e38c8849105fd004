"""Read Microsoft Project XML (MSPDI) files into a :class:`~pmo_lib.model.Portfolio`.

:func:`read_mspdi` reads one MS Project schedule saved as XML (*File > Save As > XML
Format*, the "Microsoft Project Data Interchange" format of Project 2002 to 2021) and returns
a portfolio of one project, built with :func:`pmo_lib.model.from_tables`: it passes the same
checks as a dataset folder, and schedule, EVM, DCMA and risk run on it unchanged. The file
is parsed with :mod:`defusedxml`, so entity-expansion ("billion laughs") and external-entity
(XXE) files are refused; every problem raises a :class:`~pmo_lib.errors.PMOError` subclass
whose message names the file and the task (its UID and name) at fault. Recoverable oddities
(a missing baseline, an elapsed lag, a material resource ...) are reported with an
:class:`MspdiWarning`.

Mapping
-------
:data:`VARIABLE_MAP` maps each MSPDI element onto the kit's ``table.column`` (as pvlib's
iotools ``VARIABLE_MAP`` maps a data source's names onto pvlib's); :data:`LINK_TYPE_CODES`,
:data:`CONSTRAINT_CODES` and :data:`LAG_FORMATS` decode MSPDI's integer codes.

* **Tasks.** Task ``UID`` is the kit's task ``id`` (the row number ``ID`` changes when rows
  are inserted; ``UID`` does not). The outline (tasks in file order with their
  ``OutlineLevel``) gives the WBS: a task with children (or ``Summary`` = 1) is a summary task
  and becomes a row of the ``wbs`` table, not a task; the other tasks are the kit's tasks, their
  ``wbs`` the outline path ("1.2.3", which is MS Project's ``OutlineNumber`` in a well-formed
  file; the free-text ``WBS`` code is not used). The project summary task (UID 0, outline level
  0) is the project, blank rows (``IsNull``), inactive tasks (``Active`` = 0) and external
  (ghost) tasks are left out.
* **Durations** are ISO 8601 working time ``PTnHnMnS``; working days [d] = minutes /
  ``MinutesPerDay`` (default 480). A task of duration 0 is a milestone; a task flagged
  ``Milestone`` with a duration is kept as a task (MS Project's "marked" milestone). An
  elapsed duration (``DurationFormat`` ed, eh ...) is calendar time: days × working days per
  week / 7 (approximate, warned).
* **Links** (``PredecessorLink`` in the successor task): ``Type`` 0 FF, 1 FS, 2 SF, 3 SS.
  ``LinkLag`` is in tenths of a minute of working time, whatever ``LagFormat`` (the display
  unit: 7 = days, 9 = weeks, 5 = hours ...) says, so lag [d] = ``LinkLag`` / 10 /
  ``MinutesPerDay`` (4800 = 1 d, 24000 = 1 w = 5 d). Elapsed formats (em, eh, ed, ew, emo)
  count calendar minutes: lag = ``LinkLag`` / 14400 × working days per week / 7 (exact only
  on average, warned). Percentage lags (``LagFormat`` 19/20: ``LinkLag`` read as a whole
  percent, as Aspose.Tasks documents "tenths of a minute or percentage") become that share of
  the predecessor's duration in working days, fixed at import: the kit's lag does not follow
  a later change of the predecessor's duration (warned; no fixture has a percentage lag, so
  the unit is not checked against a file MS Project wrote). A link from or to a summary task is
  replaced by links from or to its tasks (exact for FS and FF out of a summary and for FS and SS
  into one; other types are approximated and warned). Links to other projects
  (``CrossProject``) are left out (warned).
* **Constraints** (``ConstraintType``): 0 ASAP, 1 ALAP, 2 MSO, 3 MFO, 4 SNET, 5 SNLT, 6 FNET,
  7 FNLT, with ``ConstraintDate``.
* **Calendar.** The project calendar (``Project/CalendarUID``, its base calendar filled in)
  gives the work week (``WeekDay/DayType`` 1 = Sunday … 7 = Saturday with ``DayWorking``) and
  the holidays: its non-working exceptions, both the 2007+ ``Exceptions`` (one-off, daily and
  yearly-by-date recurrences) and the older ``WeekDay`` entries with ``DayType`` 0.
* **Resources**: ``MaxUnits`` (1 = 100 %) → ``capacity``; ``StandardRate`` (MSPDI stores it
  per hour, whatever ``StandardRateFormat`` displays) × ``MinutesPerDay`` / 60 →
  ``cost_rate`` [cur/d]; ``Group`` → ``role``. **Assignments**: ``Units`` → ``units``.
* **Baseline** 0 ``Start``, ``Finish`` and ``Cost`` → ``baseline_start``,
  ``baseline_finish`` and ``budget``; a task without them gets its scheduled ``Start``,
  ``Finish`` and ``Cost`` (warned). The project's ``budget`` is the project summary task's
  baseline cost, else the sum of the task budgets.
* **Progress**: with a status date (the ``status_date`` argument, else the file's
  ``StatusDate``) every task that has started gives one ``status`` row: ``PercentComplete``
  (``PhysicalPercentComplete`` when the task's ``EarnedValueMethod`` is 1), ``ActualStart``,
  ``ActualFinish``, ``RemainingDuration`` [d] and ``ActualCost``. Without a status date the
  progress is not imported (warned when the file has some).
* **Money**: MSPDI writes costs (``Cost``, ``ActualCost``, baseline ``Cost``) in hundredths
  of the currency unit (cents), so they are divided by 100; the currency is ``CurrencyCode``
  (else £ → GBP, € → EUR, else EUR, warned).
* **Dates** are days: a start at or after the day's end (``DefaultFinishTime``, 17:00) is the
  next working day, a finish at or before the day's start (``DefaultStartTime``, 08:00) is
  the previous working day (MS Project writes a finish at the next morning's 08:00 when the
  work ends at the end of the day before); a milestone is on the day its finish falls (the
  project start at the earliest), as :mod:`pmo_lib.schedule` places it.

Not modelled (read, then dropped or approximated)
-------------------------------------------------
Hours within a day (work is counted in working days), task and resource calendars (every task
uses the project calendar: warned when a task has its own), working exceptions on
non-working days and alternative work weeks (warned), recurring exceptions by position or
weekday (warned), manually scheduled tasks (``Manual`` = 1: the kit schedules them from their
logic, warned), leveling delays (warned), splits and timephased data (a split task's dates
span its splits, the kit's do not), effort-driven and fixed-work task types, work and
contours, material and cost resources (left out with their assignments, warned), rate tables
and cost per use, baselines 1–10, custom fields, schedule from finish (warned).

Match rate
----------
Each fixture of MPXJ's test data (``/work/shared/data/mspdi``) re-scheduled with
:func:`pmo_lib.schedule.schedule_portfolio` (at its status snapshot when it has one: none of
them has a ``StatusDate``, so the plan is scheduled without progress), each task's start and
finish day compared with the file's ``Start`` and ``Finish`` (tests/test_io_mspdi.py prints
this table and asserts these rates, rounded down, as floors):

=================================================  =====  =====  =======  =======
file                                               tasks  links  start    finish
=================================================  =====  =====  =======  =======
mpxj_assignment-assignments-project2010-mspdi          3      0  100 %    100 %
mpxj_baselines                                         1      0  100 %    100 %
mpxj_legacy_sample                                    16      6  100 %    93.8 %
mpxj_legacy_sample1                                   18      6  94.4 %   94.4 %
mpxj_mspdirelations                                    5      4  100 %    100 %
mpxj_mspdiresource                                     3      1  33.3 %   0 %
mpxj_mspdisplittask                                    2      0  100 %    0 %
mpxj_mspditimephased                                  40      0  80.0 %   22.5 %
mpxj_task-baselines-project2007-mspdi                 55      0  100 %    100 %
mpxj_task-costs-project2016-mspdi                     10      0  100 %    100 %
mpxj_task-links-project2003-mspdi                     16      8  100 %    100 %
mpxj_task-links-project2019-mspdi                     16      8  100 %    100 %
tests/data/io/mspdi/tiny.xml (at its status date)      5      5  100 %    100 %
=================================================  =====  =====  =======  =======

All four link types with lags (task-links, mspdirelations, legacy_sample), start
constraints on non-working days, SF links giving a finish at the next morning's 08:00,
milestones, 7.5-hour days (baselines) and manually scheduled tasks whose dates follow their
logic (task-links 2019, task-costs, assignments) are reproduced exactly. Where dates differ,
the file holds what the kit does not model:

* ``legacy_sample`` and ``legacy_sample1``: "Second Task" has a ``Duration`` of 800 h (100 d)
  between dates 50 working days apart (its two part-time resources' work sets its dates). In
  ``legacy_sample1``, "Assigned Task 2" is worked by a resource on a night-shift calendar and
  starts at 23:00, which the kit counts as the next day.
* ``mspdiresource``: "Task A" has 48 h of duration in a 3-day window (three resources of
  24 h of work each), so "Contoured Task", which follows it, starts 3 days later in the kit;
  "Completed Task" was worked from a Saturday (a non-working day) and, without a status
  date, is scheduled from the project start.
* ``mspdisplittask``: both tasks are split (work stopped and resumed), and the file's finish
  includes the gaps.
* ``mspditimephased``: work contours (front- and back-loaded, edited), resource calendars
  (night shift, 24 hours: those tasks start at 23:00 or run through weekends), units of 50 %
  and 150 %, in-progress tasks laid out by their ``Stop``/``Resume`` dates, and
  ``MinutesPerDay`` 450 against an 8-hour calendar (a 125 h task is 16.7 days of 7.5 h to
  the kit and 15.6 days of 8 h to MS Project).

References
----------
Microsoft, *Project XML Data Interchange Schema Reference* (MSPDI: the ``Project``,
``Task``, ``PredecessorLink``, ``Calendar``, ``Resource`` and ``Assignment`` elements and
their codes). J. Iles, *MPXJ* test data (the fixtures above). pvlib, ``iotools``
(``VARIABLE_MAP``).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError, fromstring

from ..calendar import WEEKDAYS
from ..errors import DataValidationError, MissingDataError, Problem, UnknownReferenceError
from ..model import Portfolio, from_tables

__all__ = [
    "CONSTRAINT_CODES",
    "LAG_FORMATS",
    "LINK_TYPE_CODES",
    "NAMESPACE",
    "VARIABLE_MAP",
    "MspdiWarning",
    "read_mspdi",
]

#: The XML namespace of MSPDI files (a ``<Project>`` without a namespace is accepted too).
NAMESPACE = "http://schemas.microsoft.com/project"

#: ``PredecessorLink/Type`` → the kit's link type.
LINK_TYPE_CODES: dict[int, str] = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}

#: ``Task/ConstraintType`` → the kit's constraint type.
CONSTRAINT_CODES: dict[int, str] = {0: "ASAP", 1: "ALAP", 2: "MSO", 3: "MFO", 4: "SNET",
                                    5: "SNLT", 6: "FNET", 7: "FNLT"}

#: ``LagFormat`` and ``DurationFormat`` codes → (display unit, kind): ``work`` is working
#: time, ``elapsed`` calendar time, ``percent`` a share of the predecessor's duration; codes
#: 35–53 are the estimated ("?") variants.
LAG_FORMATS: dict[int, tuple[str, str]] = {
    3: ("m", "work"), 4: ("em", "elapsed"), 5: ("h", "work"), 6: ("eh", "elapsed"),
    7: ("d", "work"), 8: ("ed", "elapsed"), 9: ("w", "work"), 10: ("ew", "elapsed"),
    11: ("mo", "work"), 12: ("emo", "elapsed"), 19: ("%", "percent"), 20: ("e%", "percent"),
    21: ("null", "work"), 35: ("m?", "work"), 36: ("em?", "elapsed"), 37: ("h?", "work"),
    38: ("eh?", "elapsed"), 39: ("d?", "work"), 40: ("ed?", "elapsed"), 41: ("w?", "work"),
    42: ("ew?", "elapsed"), 43: ("mo?", "work"), 44: ("emo?", "elapsed"),
    51: ("%?", "percent"), 52: ("e%?", "percent"), 53: ("null", "work"),
}

#: Where each MSPDI element goes: ``"Element/Path"`` → ``"table.column"`` of
#: :data:`pmo_lib.model.SCHEMAS` (``workweek`` is the portfolio's work week). The
#: conversions (units, codes, dates) are in the module docstring.
VARIABLE_MAP: dict[str, str] = {
    "Project/Title": "projects.name",
    "Project/Name": "projects.name (without a Title)",
    "Project/Manager": "projects.manager",
    "Project/Author": "projects.manager (without a Manager)",
    "Project/Category": "projects.programme",
    "Project/Subject": "projects.description",
    "Project/StartDate": "projects.start_date",
    "Project/StatusDate": "status.status_date",
    "Project/CurrencyCode": "portfolio currency",
    "Project/Calendars/Calendar/WeekDays/WeekDay/DayWorking": "workweek",
    "Project/Calendars/Calendar/Exceptions/Exception/TimePeriod": "calendar.date",
    "Project/Calendars/Calendar/Exceptions/Exception/Name": "calendar.name",
    "Task/UID": "tasks.id",
    "Task/Name": "tasks.name",
    "Task/OutlineLevel": "tasks.wbs (and the wbs table for summary tasks)",
    "Task/Duration": "tasks.duration",
    "Task/Milestone": "tasks.milestone",
    "Task/ConstraintType": "tasks.constraint_type",
    "Task/ConstraintDate": "tasks.constraint_date",
    "Task/Baseline[Number=0]/Start": "tasks.baseline_start",
    "Task/Baseline[Number=0]/Finish": "tasks.baseline_finish",
    "Task/Baseline[Number=0]/Cost": "tasks.budget",
    "Task/PercentComplete": "status.percent_complete",
    "Task/PhysicalPercentComplete": "status.percent_complete (EarnedValueMethod 1)",
    "Task/ActualStart": "status.actual_start",
    "Task/ActualFinish": "status.actual_finish",
    "Task/RemainingDuration": "status.remaining_duration",
    "Task/ActualCost": "status.actual_cost",
    "Task/PredecessorLink/PredecessorUID": "links.pred",
    "Task/UID (of the task holding the PredecessorLink)": "links.succ",
    "Task/PredecessorLink/Type": "links.type",
    "Task/PredecessorLink/LinkLag": "links.lag",
    "Resource/UID": "resources.id",
    "Resource/Name": "resources.name",
    "Resource/Group": "resources.role",
    "Resource/MaxUnits": "resources.capacity",
    "Resource/StandardRate": "resources.cost_rate",
    "Assignment/TaskUID": "assignments.task_id",
    "Assignment/ResourceUID": "assignments.resource_id",
    "Assignment/Units": "assignments.units",
}


class MspdiWarning(UserWarning):
    """Something in an MSPDI file the kit reads approximately or leaves out."""


#: Text for a required column the file has no value for.
_NOT_IN_FILE = "not in file"
#: The first bytes of an OLE2 compound document (a binary .mpp file).
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: ``Assignment/ResourceUID`` of MS Project's "no resource" placeholder.
_NO_RESOURCE = -65535
_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d*)?)Y)?(?:(\d+(?:\.\d*)?)M)?(?:(\d+(?:\.\d*)?)D)?"
    r"(?:T(?:(-?\d+(?:\.\d*)?)H)?(?:(-?\d+(?:\.\d*)?)M)?(?:(-?\d+(?:\.\d*)?)S)?)?$")
#: ``WeekDay/DayType`` 1 (Sunday) … 7 (Saturday) → the kit's weekday names.
_DAY_TYPES = {1: "Sun", 2: "Mon", 3: "Tue", 4: "Wed", 5: "Thu", 6: "Fri", 7: "Sat"}
_CURRENCY_SYMBOLS = {"£": "GBP", "€": "EUR"}
#: Deepest outline level read (MS Project plans rarely pass 10; a hostile file could nest
#: thousands of levels to make the WBS codes grow quadratically).
_MAX_LEVEL = 100
#: Years a date may fall in (MS Project's own range is 1984–2149).
_YEARS = (1900, 2200)


def read_mspdi(path: str | Path, *, project_id: str | None = None,
               status_date=None) -> Portfolio:
    """Read a Microsoft Project XML (MSPDI) file as a portfolio of one project.

    Parameters
    ----------
    path : str or Path
        The ``.xml`` file MS Project saved (*File > Save As > XML Format*).
    project_id : str, optional
        The project's ID in the kit's tables; default the file name without its extension.
    status_date : date-like, optional
        Data date of the status snapshot built from the tasks' actuals (the last day they
        include). Default the file's ``StatusDate``; without either, progress is not
        imported.

    Returns
    -------
    Portfolio
        One project: ``projects``, ``wbs`` (the summary tasks), ``tasks`` (id = task UID),
        ``links``, ``resources``, ``assignments``, ``calendar`` (holidays of the project
        calendar) and, with a status date, one ``status`` snapshot. Its ``path`` is None.

    Raises
    ------
    MissingDataError
        The file does not exist.
    DataValidationError
        An empty, binary, truncated or malformed file; XML entity declarations (entity
        expansion "billion laughs", external entities); XML that is not MSPDI (wrong root
        element or namespace); no tasks; a value that cannot be read (a duration not in
        ``PTnHnMnS``, a date, a number), a negative duration or cost, an unknown link type,
        constraint type or lag format, a date constraint without its date, a percent complete
        outside 0–100, progress without an actual start, an actual date after the status date,
        a resource with no capacity, a duplicate UID or link. The message names the file
        and the task (UID and name), resource or assignment.
    UnknownReferenceError
        A link or an assignment to a task or resource UID the file does not have.

    Warns
    -----
    MspdiWarning
        For what is read approximately or left out (see the module docstring).

    Examples
    --------
    Two tasks, the second one day after the first (``LinkLag`` 4800 = 480 minutes):

    >>> import tempfile
    >>> from pmo_lib import schedule
    >>> xml = '''<Project xmlns="http://schemas.microsoft.com/project">
    ...  <Title>Pilot</Title><StartDate>2026-01-05T08:00:00</StartDate>
    ...  <CurrencyCode>EUR</CurrencyCode><CalendarUID>1</CalendarUID>
    ...  <Calendars><Calendar><UID>1</UID><Name>Standard</Name></Calendar></Calendars>
    ...  <Tasks>
    ...   <Task><UID>1</UID><Name>Design</Name><OutlineLevel>1</OutlineLevel>
    ...    <Start>2026-01-05T08:00:00</Start><Finish>2026-01-07T17:00:00</Finish>
    ...    <Duration>PT24H0M0S</Duration><Baseline><Number>0</Number>
    ...    <Start>2026-01-05T08:00:00</Start><Finish>2026-01-07T17:00:00</Finish>
    ...    <Cost>300000</Cost></Baseline></Task>
    ...   <Task><UID>2</UID><Name>Build</Name><OutlineLevel>1</OutlineLevel>
    ...    <Start>2026-01-09T08:00:00</Start><Finish>2026-01-12T17:00:00</Finish>
    ...    <Duration>PT16H0M0S</Duration><Baseline><Number>0</Number>
    ...    <Start>2026-01-09T08:00:00</Start><Finish>2026-01-12T17:00:00</Finish>
    ...    <Cost>200000</Cost></Baseline>
    ...    <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>
    ...     <LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
    ...  </Tasks>
    ... </Project>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "pilot.xml"
    ...     _ = path.write_text(xml, encoding="utf-8")
    ...     pf = read_mspdi(path, project_id="PIL")
    >>> pf.tasks[["id", "name", "duration", "budget"]]
      id    name  duration  budget
    0  1  Design       3.0  3000.0
    1  2   Build       2.0  2000.0
    >>> pf.links[["pred", "succ", "type", "lag"]]
      pred succ type  lag
    0    1    2   FS  1.0
    >>> schedule.schedule_portfolio(pf)[["start_date", "finish_date"]]
       start_date finish_date
    id
    1  2026-01-05  2026-01-07
    2  2026-01-09  2026-01-12
    """
    file = Path(path)
    root = _parse_xml(file)
    reader = _Reader(file, root)
    result = reader.read(project_id, status_date)
    for message in reader.notes:
        warnings.warn(f"{file}: {message}", MspdiWarning, stacklevel=2)
    tables, name, currency, workweek = result
    return from_tables(tables, name=name, currency=currency, workweek=workweek,
                       source=str(file))


# ----------------------------------------------------------------------------------------
# The XML document
# ----------------------------------------------------------------------------------------
def _refuse(file: Path, message: str, cls: type[DataValidationError] = DataValidationError):
    return cls(Problem(str(file), None, None, None, message))


def _parse_xml(file: Path):
    """The root element of ``file``, parsed with defusedxml; a PMOError naming the file for
    anything that is not a readable MSPDI document."""
    if not file.exists():
        raise _refuse(file, "file not found", MissingDataError)
    if not file.is_file():
        raise _refuse(file, "is not a file; give the path of an MS Project XML (.xml) file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _refuse(file, f"cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise _refuse(file, "is empty; an MS Project XML (MSPDI) file holds a <Project> "
                            "element")
    head = data[:4096]
    if head.startswith(_OLE2):
        raise _refuse(file, "is a binary file (an OLE2 compound document, such as an MS "
                            "Project .mpp file), not XML; save it from MS Project with File > "
                            "Save As > XML Format and read that file")
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in head:
        raise _refuse(file, "is a binary file, not XML; read an MS Project XML (MSPDI) file "
                            "(File > Save As > XML Format)")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        what = (f"the external entity {exc.name!r} ({exc.sysid})" if exc.sysid
                else f"the entity {exc.name!r}")
        raise _refuse(file, f"declares {what}: XML entities are refused because they carry "
                            "entity-expansion ('billion laughs') and external-entity (XXE) "
                            "attacks, and MSPDI files never use them") from None
    except ExternalReferenceForbidden as exc:
        raise _refuse(file, f"refers to the external resource {exc.sysid!r}: external "
                            "references are refused (XXE); MSPDI files never use them") from None
    except DefusedXmlException as exc:
        raise _refuse(file, f"is refused as unsafe XML ({type(exc).__name__}: {exc})") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        hint = (" (the file ends before its elements are closed: it looks truncated)"
                if "no element found" in str(exc) or "unclosed token" in str(exc) else "")
        raise _refuse(file, f"is not well-formed XML at line {line}, column {column}: "
                            f"{_expat_message(exc)}{hint}") from None
    except (ValueError, LookupError, RecursionError) as exc:
        raise _refuse(file, f"cannot be read as XML: {exc}") from None
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, local = (tag[1:].split("}", 1) if tag.startswith("{") else ("", tag))
    if local != "Project" or namespace not in (NAMESPACE, ""):
        found = f"<{local}>" + (f" in the namespace {namespace}" if namespace else "")
        raise _refuse(file, f"is XML but not an MS Project XML (MSPDI) file: its root element "
                            f"is {found}, not <Project> in the namespace {NAMESPACE}")
    return root


def _expat_message(exc: ParseError) -> str:
    """Expat's message without its own ': line x, column y' suffix."""
    return re.sub(r": line \d+, column \d+$", "", str(exc))


# ----------------------------------------------------------------------------------------
# One task of the file
# ----------------------------------------------------------------------------------------
@dataclass
class _Task:
    """What the reader keeps of one ``<Task>`` (dates are datetimes, the duration is in
    working days)."""

    element: Any
    uid: int
    name: str
    level: int
    label: str
    summary_flag: bool = False
    milestone_flag: bool = False
    has_children: bool = False
    parent: _Task | None = None
    children: list[_Task] = field(default_factory=list)
    wbs: str = ""
    dropped: str | None = None
    duration: float | None = None  # working days
    start: datetime | None = None
    finish: datetime | None = None

    @property
    def summary(self) -> bool:
        return self.has_children or self.summary_flag

    def leaves(self) -> list[_Task]:
        """The tasks (not summaries, not dropped) under this summary task."""
        out: list[_Task] = []
        for child in self.children:
            if child.summary:
                out += child.leaves()
            elif child.dropped is None:
                out.append(child)
        return out


def _listing(items: Iterable, limit: int = 10) -> str:
    items = [str(x) for x in items]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


class _Reader:
    """Reads the elements of one MSPDI document into the kit's tables, collecting every
    problem (raised together at the end) and every note (warned)."""

    def __init__(self, file: Path, root):
        self.file = str(file)
        self.stem = file.stem
        self.root = root
        self.ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        self.problems: list[Problem] = []
        self.unknown: list[Problem] = []
        self.notes: list[str] = []
        self.elapsed_tasks: list[str] = []

    # -- element access ------------------------------------------------------------------
    def find(self, elem, path: str):
        return elem.find("/".join(self.ns + p for p in path.split("/")))

    def findall(self, elem, path: str) -> list:
        return elem.findall("/".join(self.ns + p for p in path.split("/")))

    def text(self, elem, tag: str) -> str | None:
        child = self.find(elem, tag)
        if child is None or child.text is None:
            return None
        return child.text.strip() or None

    def fail(self, where: str, message: str, *, unknown: bool = False) -> None:
        (self.unknown if unknown else self.problems).append(
            Problem(self.file, None, None, None, f"{where}: {message}"))

    def number(self, elem, tag: str, where: str, default=None, *, integer: bool = False):
        raw = self.text(elem, tag)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (integer and value != int(value)):
            self.fail(where, f"<{tag}> {raw!r} is not {'a whole number' if integer else 'a number'}")
            return default
        return int(value) if integer else value

    def identity(self, elem, n: int, kind: str) -> tuple[int | None, str | None, str]:
        """UID, name and the label messages use for the ``n``-th ``<Task>`` or
        ``<Resource>`` (``kind``); a missing or bad UID is recorded and returned as None."""
        name = self.text(elem, "Name")
        uid = self.number(elem, "UID", f"{kind} #{n} {name!r}", integer=True)
        if uid is None and self.text(elem, "UID") is None:
            self.fail(f"{kind} #{n} {name!r}", "has no <UID>")
        return uid, name, f"{kind} UID {uid}" + (f" {name!r}" if name else "")

    def flag(self, elem, tag: str, where: str, default: bool = False) -> bool:
        raw = self.text(elem, tag)
        if raw is None:
            return default
        if raw.lower() in ("1", "true"):
            return True
        if raw.lower() in ("0", "false"):
            return False
        self.fail(where, f"<{tag}> {raw!r} is not 0 or 1")
        return default

    def moment(self, elem, tag: str, where: str) -> datetime | None:
        raw = self.text(elem, tag)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.fail(where, f"<{tag}> {raw!r} is not a date and time like 2026-01-05T08:00:00")
            return None
        if not _YEARS[0] <= value.year <= _YEARS[1]:
            self.fail(where, f"<{tag}> {raw!r} is outside the years {_YEARS[0]}–{_YEARS[1]}")
            return None
        return value.replace(tzinfo=None)

    def minutes(self, elem, tag: str, where: str) -> float | None:
        """An ISO 8601 duration ``PTnHnMnS`` as minutes (negative when it has a minus)."""
        raw = self.text(elem, tag)
        if raw is None:
            return None
        m = _DURATION.match(raw)
        if not m or not any(m.group(i) for i in range(2, 8)):
            self.fail(where, f"<{tag}> {raw!r} is not a duration like PT8H0M0S")
            return None
        if any(m.group(i) and float(m.group(i)) for i in (2, 3, 4)):
            self.fail(where, f"<{tag}> {raw!r} has years, months or days; MSPDI durations are "
                             "working time in hours, minutes and seconds (PTnHnMnS)")
            return None
        hours, mins, secs = (float(m.group(i) or 0) for i in (5, 6, 7))
        total = abs(hours) * 60 + abs(mins) + abs(secs) / 60
        negative = bool(m.group(1)) or min(hours, mins, secs) < 0
        return -total if negative else total

    # -- the whole document --------------------------------------------------------------
    def read(self, project_id, status_date):
        root = self.root
        pid = self.project_id(project_id)
        where = "<Project>"
        self.minutes_per_day = self.number(root, "MinutesPerDay", where, 480.0)
        if self.minutes_per_day is None or self.minutes_per_day <= 0:
            self.fail(where, f"<MinutesPerDay> {self.minutes_per_day:g} must be above 0")
            self.minutes_per_day = 480.0
        self.day_start = self.clock(root, "DefaultStartTime", time(8, 0))
        self.day_end = self.clock(root, "DefaultFinishTime", time(17, 0))
        self.calendar(root)
        tasks = self.tasks(root)
        if self.problems or self.unknown:
            self.raise_problems()
        project_start = self.project_start(root, tasks)
        links = self.links(tasks)
        resources, resource_ids = self.resources(root)
        assignments = self.assignments(root, tasks, resource_ids)
        status_day = self.status_day(root, status_date)
        task_rows, budgets = self.task_rows(tasks, project_start)
        status_rows = self.status_rows(tasks, status_day, project_start)
        self.notes_for(root, tasks)
        if self.problems or self.unknown:
            self.raise_problems()

        name = (self.text(root, "Title") or self.text(root, "Name") or self.stem)
        summary_cost = self.summary_baseline_cost()
        budget = summary_cost if summary_cost is not None else float(sum(budgets))
        manager = self.text(root, "Manager") or self.text(root, "Author") or _NOT_IN_FILE
        projects = pd.DataFrame([{
            "id": pid, "name": name,
            "programme": self.text(root, "Category") or _NOT_IN_FILE,
            "manager": manager, "sponsor": _NOT_IN_FILE, "methodology": "waterfall",
            "start_date": pd.Timestamp(project_start), "budget": budget, "priority": 1,
            "description": self.text(root, "Subject"),
        }])
        wbs = pd.DataFrame([{"project_id": pid, "wbs": t.wbs, "name": t.name}
                            for t in tasks if t.summary],
                           columns=["project_id", "wbs", "name"])
        task_df = pd.DataFrame(task_rows, columns=[
            "id", "name", "wbs", "duration", "baseline_start", "baseline_finish", "budget",
            "milestone", "constraint_type", "constraint_date"])
        task_df.insert(1, "project_id", pid)
        tables = {
            "projects": projects, "wbs": wbs, "tasks": task_df,
            "links": pd.DataFrame(links, columns=["pred", "succ", "type", "lag"]),
            "resources": pd.DataFrame(resources, columns=["id", "name", "role", "capacity",
                                                          "cost_rate"]),
            "assignments": pd.DataFrame(assignments, columns=["task_id", "resource_id",
                                                              "units"]),
            "calendar": pd.DataFrame(self.holidays, columns=["date", "name"]),
        }
        if status_rows:
            tables["status"] = pd.DataFrame(status_rows, columns=[
                "status_date", "task_id", "percent_complete", "actual_cost", "actual_start",
                "actual_finish", "remaining_duration"])
        return tables, name, self.currency(root), self.workweek

    def raise_problems(self):
        if self.problems:
            raise DataValidationError(self.problems + self.unknown)
        raise UnknownReferenceError(self.unknown)

    def clock(self, root, tag: str, default: time) -> time:
        raw = self.text(root, tag)
        if raw is None:
            return default
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.fail("<Project>", f"<{tag}> {raw!r} is not a time like 08:00:00")
            return default

    def project_id(self, project_id) -> str:
        if project_id is None:
            return self.stem
        if not isinstance(project_id, str) or not project_id.strip():
            raise DataValidationError(Problem(self.file, None, None, "project_id",
                                              f"{project_id!r} is not a project ID; give a "
                                              "non-blank text"))
        return project_id.strip()

    def currency(self, root) -> str:
        code = self.text(root, "CurrencyCode")
        if code:
            return code.upper()
        symbol = self.text(root, "CurrencySymbol")
        if symbol in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[symbol]
        self.notes.append(f"no <CurrencyCode> (symbol {symbol!r}); amounts are taken as EUR")
        return "EUR"

    # -- calendar ------------------------------------------------------------------------
    def calendar(self, root) -> None:
        """The project calendar's work week and holidays, and a NumPy business-day calendar
        for the day arithmetic of the import."""
        calendars = {}
        for cal in self.findall(root, "Calendars/Calendar"):
            uid = self.number(cal, "UID", "<Calendar>", integer=True)
            if uid is not None:
                calendars[uid] = cal
        self.workweek = ("Mon", "Tue", "Wed", "Thu", "Fri")
        self.holidays: list[dict] = []
        uid = self.number(root, "CalendarUID", "<Project>", integer=True)
        if uid is None or not calendars:
            self.notes.append("no project calendar (<CalendarUID> and <Calendars>); the work "
                              "week is Monday to Friday without holidays")
        elif uid not in calendars:
            self.fail("<Project>", f"<CalendarUID> {uid} is not the UID of a calendar of the "
                                   f"file (calendars: {_listing(sorted(calendars))})",
                      unknown=True)
        else:
            chain, seen = [], set()
            cal = calendars[uid]
            while cal is not None and id(cal) not in seen:
                seen.add(id(cal))
                chain.append(cal)
                base = self.number(cal, "BaseCalendarUID", "<Calendar>", -1, integer=True)
                cal = calendars.get(base)
            week: dict[str, bool] = {}
            off: dict[date, str | None] = {}
            on: set[date] = set()
            for cal in reversed(chain):  # the base calendar first, then what derives from it
                self.calendar_days(cal, week, off, on)
            if week:
                working = {d for d, w in week.items() if w}
                default = {"Mon", "Tue", "Wed", "Thu", "Fri"}
                days = {d: (d in working) if d in week else (d in default) for d in WEEKDAYS}
                self.workweek = tuple(d for d in WEEKDAYS if days[d])
                if not self.workweek:
                    self.fail("<Calendar>", f"the project calendar (UID {uid}) has no working "
                                            "day in its week")
                    self.workweek = ("Mon", "Tue", "Wed", "Thu", "Fri")
            working_exceptions = sorted(d for d in on if d.strftime("%a") not in self.workweek)
            if working_exceptions:
                self.notes.append(
                    f"the project calendar makes {len(working_exceptions)} non-working day(s) "
                    f"working ({_listing(working_exceptions, 5)}); the kit's calendar cannot "
                    "and keeps them non-working")
            self.holidays = [{"date": pd.Timestamp(d), "name": n}
                             for d, n in sorted(off.items()) if d not in on]
        self.busday = np.busdaycalendar(
            weekmask="".join("1" if d in self.workweek else "0" for d in WEEKDAYS),
            holidays=np.array([h["date"] for h in self.holidays], dtype="datetime64[D]"))

    def calendar_days(self, cal, week: dict, off: dict, on: set) -> None:
        """Add one calendar's weekdays and exceptions (a derived calendar after its base)."""
        name = self.text(cal, "Name") or "calendar"
        where = f"calendar {name!r}"
        for wd in self.findall(cal, "WeekDays/WeekDay"):
            kind = self.number(wd, "DayType", where, integer=True)
            working = self.flag(wd, "DayWorking", where)
            if kind in _DAY_TYPES:
                week[_DAY_TYPES[kind]] = working
            elif kind == 0:  # an exception, the format of Project 2002/2003
                period = self.find(wd, "TimePeriod")
                if period is None:
                    continue
                first = self.moment(period, "FromDate", where)
                last = self.moment(period, "ToDate", where)
                for d in self.date_range(first, last, where):
                    (on.add(d) if working else off.setdefault(d, None))
        for ex in self.findall(cal, "Exceptions/Exception"):
            period = self.find(ex, "TimePeriod")
            if period is None:
                continue
            first = self.moment(period, "FromDate", where)
            last = self.moment(period, "ToDate", where)
            working = self.flag(ex, "DayWorking", where)
            label = self.text(ex, "Name")
            kind = self.number(ex, "Type", where, 1, integer=True)
            days = self.date_range(first, last, where)
            if kind == 2:  # yearly on a date: Month (0 = January) and MonthDay
                month = self.number(ex, "Month", where, integer=True)
                day = self.number(ex, "MonthDay", where, integer=True)
                if month is not None and day is not None:
                    days = [d for d in days if d.month == month + 1 and d.day == day]
            elif kind in (1, 7):
                step = max(self.number(ex, "Period", where, 1, integer=True) or 1, 1)
                days = days[::step]
            else:
                self.notes.append(f"{where}: the recurring exception {label!r} (Type {kind}) "
                                  "is not expanded; add its dates to the calendar table")
                continue
            for d in days:
                if working:
                    on.add(d)
                else:
                    off[d] = label
                    on.discard(d)
        if self.findall(cal, "WorkWeeks/WorkWeek"):
            self.notes.append(f"{where} has alternative work weeks (WorkWeeks); the kit uses "
                              "its default week all year")

    def date_range(self, first, last, where: str) -> list[date]:
        if first is None:
            return []
        last = last or first
        if last < first:
            self.fail(where, f"exception from {first:%Y-%m-%d} to {last:%Y-%m-%d} ends before "
                             "it starts")
            return []
        n = (last.date() - first.date()).days
        if n > 366 * 50:
            self.fail(where, f"exception from {first:%Y-%m-%d} to {last:%Y-%m-%d} spans more "
                             "than 50 years")
            return []
        return [first.date() + timedelta(days=i) for i in range(n + 1)]

    # -- days ----------------------------------------------------------------------------
    def start_day(self, value: datetime) -> date:
        """The working day a start falls on: at or after the day's end, the next one."""
        d = value.date()
        if value.time() >= self.day_end:
            d = self.roll(d + timedelta(days=1), "forward")
        return d

    def finish_day(self, value: datetime) -> date:
        """The working day a finish falls on: at or before the day's start, the previous
        one (work that ended the evening before)."""
        d = value.date()
        if value.time() <= self.day_start:
            d = self.roll(d - timedelta(days=1), "backward")
        return d

    def roll(self, d: date, direction: str) -> date:
        out = np.busday_offset(np.datetime64(d, "D"), 0, roll=direction, busdaycal=self.busday)
        return out.astype(object)

    # -- tasks ---------------------------------------------------------------------------
    def tasks(self, root) -> list[_Task]:
        """The tasks in file order with their outline (WBS) and summary flags."""
        self.summary_element = None
        tasks: list[_Task] = []
        uids: dict[int, _Task] = {}
        for n, el in enumerate(self.findall(root, "Tasks/Task"), start=1):
            uid, name, label = self.identity(el, n, "task")
            if uid is None:
                continue
            if self.flag(el, "IsNull", label):
                continue
            number = self.text(el, "OutlineNumber")
            level = self.number(el, "OutlineLevel", label, integer=True)
            if level is None:
                level = 0 if uid == 0 else (number.count(".") + 1 if number else 1)
            if uid == 0 or level == 0:
                self.summary_element = el
                continue
            if level > _MAX_LEVEL:
                self.fail(label, f"<OutlineLevel> {level} is deeper than {_MAX_LEVEL} levels")
                continue
            if uid in uids:
                self.fail(label, f"has the same UID as task {uids[uid].name!r}; UIDs must be "
                                 "unique")
                continue
            task = _Task(el, uid, name or f"Task {uid}", max(level, 1), label,
                         summary_flag=self.flag(el, "Summary", label),
                         milestone_flag=self.flag(el, "Milestone", label))
            if not self.flag(el, "Active", label, True):
                task.dropped = "inactive"
            elif self.flag(el, "ExternalTask", label):
                task.dropped = "external"
            uids[uid] = task
            tasks.append(task)
        if not tasks:
            raise _refuse(Path(self.file), "has no tasks: its <Tasks> element is missing or "
                                           "holds only the project summary task")
        self.by_uid = uids
        stack: list[_Task] = []
        counts: dict[int | None, int] = {}
        for task in tasks:
            while stack and stack[-1].level >= task.level:
                stack.pop()
            parent = stack[-1] if stack else None
            key = parent.uid if parent else None
            counts[key] = counts.get(key, 0) + 1
            task.parent = parent
            task.wbs = f"{parent.wbs}.{counts[key]}" if parent else str(counts[key])
            if parent:
                parent.has_children = True
                parent.children.append(task)
            stack.append(task)
        for task in tasks:
            self.task_times(task)
        if not any(not t.summary and t.dropped is None for t in tasks):
            raise _refuse(Path(self.file), "has no tasks: every task is a summary task or "
                                           "inactive")
        return tasks

    def task_times(self, task: _Task) -> None:
        el, label = task.element, task.label
        task.start = self.moment(el, "Start", label)
        task.finish = self.moment(el, "Finish", label)
        minutes = self.minutes(el, "Duration", label)
        if minutes is None:
            if task.summary or task.milestone_flag:
                minutes = 0.0
            elif task.start and task.finish and task.finish <= task.start:
                minutes = 0.0
            else:
                self.fail(label, "has no <Duration>")
                return
        if minutes < 0:
            self.fail(label, f"<Duration> {self.text(el, 'Duration')} is negative; a "
                             "duration is at least 0")
            return
        fmt = self.number(el, "DurationFormat", label, 7, integer=True)
        if LAG_FORMATS.get(fmt, ("", "work"))[1] == "elapsed" and not task.summary:
            self.elapsed_tasks.append(task.label)
            task.duration = self.elapsed_days(minutes)
        else:
            task.duration = round(minutes / self.minutes_per_day, 9)

    def elapsed_days(self, minutes: float) -> float:
        """Calendar minutes as working days on average: days × working days per week / 7."""
        return round(minutes / 1440.0 * len(self.workweek) / 7.0, 9)

    def project_start(self, root, tasks: list[_Task]) -> date:
        """The project's start day: the earlier of ``StartDate`` and the project summary
        task's ``Start`` (MS Project's earliest task start), else the earliest task start."""
        candidates = [self.moment(root, "StartDate", "<Project>")]
        if self.summary_element is not None:
            candidates.append(self.moment(self.summary_element, "Start", "project summary"))
        candidates = [c for c in candidates if c is not None]
        if not candidates:
            candidates = [t.start for t in tasks if t.start is not None]
        if not candidates:
            raise _refuse(Path(self.file), "has no <StartDate> and no task <Start>: the "
                                           "project's start is unknown")
        return self.start_day(min(candidates))

    # -- links ---------------------------------------------------------------------------
    def links(self, tasks: list[_Task]) -> list[dict]:
        direct: list[dict] = []
        via_summary: list[tuple[_Task, _Task, str, float]] = []
        pairs: dict[tuple[int, int], str] = {}
        skipped: dict[str, list[str]] = {"cross": [], "dropped": [], "elapsed": [],
                                         "percent": []}
        for succ in tasks:
            for link in self.findall(succ.element, "PredecessorLink"):
                where = f"{succ.label}: <PredecessorLink>"
                if self.flag(link, "CrossProject", where):
                    skipped["cross"].append(succ.label)
                    continue
                pred_uid = self.number(link, "PredecessorUID", where, integer=True)
                code = self.number(link, "Type", where, 1, integer=True)
                raw_lag = self.number(link, "LinkLag", where, 0.0)
                fmt = self.number(link, "LagFormat", where, 7, integer=True)
                if pred_uid is None:
                    if self.text(link, "PredecessorUID") is None:
                        self.fail(where, "has no <PredecessorUID>")
                    continue
                pred = self.by_uid.get(pred_uid)
                if pred is None:
                    self.fail(where, f"refers to task UID {pred_uid}, which the file does not "
                                     "have", unknown=True)
                    continue
                where = f"{succ.label}: the link from {pred.label}"
                if pred is succ:
                    self.fail(succ.label, "is linked to itself; a task cannot depend on "
                                          "itself")
                    continue
                if code not in LINK_TYPE_CODES:
                    self.fail(where, f"has <Type> {code}; the link types are 0 (FF), 1 (FS), "
                                     "2 (SF) and 3 (SS)")
                    continue
                if fmt not in LAG_FORMATS:
                    self.fail(where, f"has <LagFormat> {fmt}, which is not an MSPDI duration "
                                     f"format ({_listing(sorted(LAG_FORMATS), 30)})")
                    continue
                if (pred.uid, succ.uid) in pairs:
                    self.fail(where, "is given twice; two tasks have one link at most")
                    continue
                pairs[(pred.uid, succ.uid)] = "direct"
                if pred.dropped or succ.dropped:
                    skipped["dropped"].append(f"{pred.uid}->{succ.uid}")
                    continue
                kind = LAG_FORMATS[fmt][1]
                if kind == "percent":
                    lag = round(raw_lag / 100.0 * (pred.duration or 0.0), 9)
                    skipped["percent"].append(f"{pred.uid}->{succ.uid} ({raw_lag:g} %)")
                elif kind == "elapsed":
                    lag = self.elapsed_days(raw_lag / 10.0)
                    skipped["elapsed"].append(f"{pred.uid}->{succ.uid}")
                else:
                    lag = round(raw_lag / 10.0 / self.minutes_per_day, 9)
                link_type = LINK_TYPE_CODES[code]
                if pred.summary or succ.summary:
                    via_summary.append((pred, succ, link_type, lag))
                else:
                    direct.append({"pred": str(pred.uid), "succ": str(succ.uid),
                                   "type": link_type, "lag": lag})
        if skipped["cross"]:
            self.notes.append(f"{len(skipped['cross'])} link(s) to other projects "
                              f"(CrossProject) are left out: into {_listing(skipped['cross'])}")
        if skipped["dropped"]:
            self.notes.append(f"{len(skipped['dropped'])} link(s) to or from inactive or "
                              f"external tasks are left out: {_listing(skipped['dropped'])}")
        if skipped["elapsed"]:
            self.notes.append(f"{len(skipped['elapsed'])} elapsed lag(s) (calendar time) are "
                              "converted to working days at "
                              f"{len(self.workweek)}/7 of a day each: "
                              f"{_listing(skipped['elapsed'])}")
        if skipped["percent"]:
            self.notes.append(f"{len(skipped['percent'])} percentage lag(s) are converted to "
                              "working days of the predecessor's duration as imported (they "
                              "do not follow a later change of that duration): "
                              f"{_listing(skipped['percent'])}")
        return direct + self.expand(via_summary, {(d["pred"], d["succ"]) for d in direct})

    def expand(self, links, taken: set[tuple[str, str]]) -> list[dict]:
        """Links from or to summary tasks, as links between their tasks."""
        out: list[dict] = []
        approximate, clashes = [], []
        for pred, succ, link_type, lag in links:
            preds = pred.leaves() if pred.summary else [pred]
            succs = succ.leaves() if succ.summary else [succ]
            exact = ((not pred.summary or link_type in ("FS", "FF"))
                     and (not succ.summary or link_type in ("FS", "SS")))
            if not exact:
                approximate.append(f"{pred.uid}->{succ.uid} {link_type}")
            for p in preds:
                for s in succs:
                    if p is s or _within(p, s) or _within(s, p):
                        continue
                    key = (str(p.uid), str(s.uid))
                    if key in taken:
                        clashes.append(f"{p.uid}->{s.uid}")
                        continue
                    taken.add(key)
                    out.append({"pred": key[0], "succ": key[1], "type": link_type, "lag": lag})
        if links:
            self.notes.append(f"{len(links)} link(s) from or to summary tasks are replaced by "
                              f"{len(out)} link(s) between their tasks")
        if approximate:
            self.notes.append("links of these types from or to a summary task are approximated "
                              "(every task of the summary must meet them): "
                              f"{_listing(approximate)}")
        if clashes:
            self.notes.append("a summary link repeats a task's own link, which is kept: "
                              f"{_listing(clashes)}")
        return out

    # -- resources and assignments -------------------------------------------------------
    def resources(self, root) -> tuple[list[dict], dict[int, str | None]]:
        """Work resources; the UIDs of the others map to None (their assignments are left
        out)."""
        rows: list[dict] = []
        ids: dict[int, str | None] = {}
        other: list[str] = []
        for n, el in enumerate(self.findall(root, "Resources/Resource"), start=1):
            uid, name, label = self.identity(el, n, "resource")
            if uid is None:
                continue
            if uid in ids:
                self.fail(label, "has the same UID as another resource; UIDs must be unique")
                continue
            kind = self.number(el, "Type", label, 1, integer=True)
            if self.flag(el, "IsNull", label) or (uid == 0 and not name):
                ids[uid] = None  # MS Project's unnamed placeholder resource
                continue
            if kind != 1:
                ids[uid] = None
                other.append(f"{name or uid} ({'material' if kind == 0 else 'cost'})")
                continue
            capacity = self.number(el, "MaxUnits", label, 1.0)
            rate = self.number(el, "StandardRate", label, 0.0)
            if capacity is not None and capacity <= 0:
                self.fail(label, f"<MaxUnits> {capacity:g} is not above 0; the kit needs a "
                                 "resource's capacity (1 = one full-time person)")
                continue
            if rate is not None and rate < 0:
                self.fail(label, f"<StandardRate> {rate:g} is negative")
                continue
            ids[uid] = str(uid)
            rows.append({"id": str(uid), "name": name or f"Resource {uid}",
                         "role": self.text(el, "Group") or _NOT_IN_FILE,
                         "capacity": capacity,
                         "cost_rate": round(rate * self.minutes_per_day / 60.0, 9)})
        if other:
            self.notes.append(f"{len(other)} material or cost resource(s) are left out with "
                              f"their assignments (the kit models work resources): "
                              f"{_listing(other)}")
        return rows, ids

    def assignments(self, root, tasks: list[_Task], resource_ids: dict) -> list[dict]:
        rows: list[dict] = []
        seen: set[tuple[int, int]] = set()
        on_summary, no_units = [], []
        for n, el in enumerate(self.findall(root, "Assignments/Assignment"), start=1):
            uid = self.text(el, "UID") or f"#{n}"
            where = f"assignment UID {uid}"
            task_uid = self.number(el, "TaskUID", where, integer=True)
            res_uid = self.number(el, "ResourceUID", where, integer=True)
            if task_uid is None or res_uid is None:
                if None in (self.text(el, "TaskUID"), self.text(el, "ResourceUID")):
                    self.fail(where, "needs a <TaskUID> and a <ResourceUID>")
                continue
            if res_uid == _NO_RESOURCE:
                continue
            task = self.by_uid.get(task_uid)
            if task is None and task_uid != 0:
                self.fail(where, f"refers to task UID {task_uid}, which the file does not "
                                 "have", unknown=True)
                continue
            if res_uid not in resource_ids:
                self.fail(f"{where} ({task.label if task else 'the project summary task'})",
                          f"refers to resource UID {res_uid}, which the file does not have",
                          unknown=True)
                continue
            if task is None or task.dropped or resource_ids[res_uid] is None:
                continue
            if task.summary:
                on_summary.append(task.label)
                continue
            if (task_uid, res_uid) in seen:
                self.fail(where, f"assigns resource UID {res_uid} to {task.label} a second "
                                 "time")
                continue
            seen.add((task_uid, res_uid))
            units = self.number(el, "Units", where, 1.0)
            if units is None or units <= 0:
                no_units.append(f"{task.uid}/{res_uid}")
                continue
            rows.append({"task_id": str(task_uid), "resource_id": str(res_uid),
                         "units": units})
        if on_summary:
            self.notes.append(f"{len(on_summary)} assignment(s) to summary tasks are left out: "
                              f"{_listing(on_summary)}")
        if no_units:
            self.notes.append(f"{len(no_units)} assignment(s) with 0 units are left out "
                              f"(task/resource): {_listing(no_units)}")
        return rows

    # -- task rows: durations, baselines, constraints ------------------------------------
    def baseline(self, el):
        for b in self.findall(el, "Baseline"):
            if self.text(b, "Number") in ("0", None):
                return b
        return None

    def summary_baseline_cost(self) -> float | None:
        if self.summary_element is None:
            return None
        b = self.baseline(self.summary_element)
        cost = self.number(b, "Cost", "project summary baseline") if b is not None else None
        return None if cost is None else cost / 100.0

    def task_rows(self, tasks: list[_Task], project_start: date):
        rows, budgets, fallback = [], [], []
        marked = []
        for task in tasks:
            if task.summary or task.dropped or task.duration is None:
                continue
            el, label = task.element, task.label
            milestone = task.duration == 0
            if task.milestone_flag and not milestone:
                marked.append(task.label)
            base = self.baseline(el)
            b_start = self.moment(base, "Start", f"{label}: <Baseline>") if base is not None \
                else None
            b_finish = self.moment(base, "Finish", f"{label}: <Baseline>") \
                if base is not None else None
            b_cost = self.number(base, "Cost", f"{label}: <Baseline>") if base is not None \
                else None
            if b_start and b_finish and b_finish < b_start:
                self.fail(label, f"baseline <Finish> {b_finish:%Y-%m-%d %H:%M} is before its "
                                 f"<Start> {b_start:%Y-%m-%d %H:%M}")
                continue
            if b_start is None or b_finish is None or b_cost is None:
                fallback.append(task.uid)
            start = b_start or task.start
            finish = b_finish or task.finish
            if start is None or finish is None:
                self.fail(label, "has no baseline and no scheduled <Start> and <Finish>")
                continue
            cost = b_cost if b_cost is not None else self.number(el, "Cost", label, 0.0)
            if cost < 0:
                self.fail(label, f"cost {cost / 100:g} is negative")
                continue
            first, last = self.span(start, finish, milestone, project_start)
            ctype, cdate = self.constraint(task, milestone)
            rows.append({"id": str(task.uid), "name": task.name, "wbs": task.wbs,
                         "duration": task.duration, "baseline_start": pd.Timestamp(first),
                         "baseline_finish": pd.Timestamp(last), "budget": cost / 100.0,
                         "milestone": milestone, "constraint_type": ctype,
                         "constraint_date": cdate})
            budgets.append(cost / 100.0)
        if fallback:
            self.notes.append(f"{len(fallback)} task(s) have no baseline 0 start, finish or "
                              "cost: their baseline_start, baseline_finish and budget are the "
                              f"scheduled Start, Finish and Cost (task UIDs {_listing(fallback)})")
        if marked:
            self.notes.append(f"{len(marked)} task(s) flagged as milestones have a duration "
                              f"and are read as tasks: {_listing(marked)}")
        if self.elapsed_tasks:
            self.notes.append(f"{len(self.elapsed_tasks)} elapsed duration(s) are converted "
                              f"to working days at {len(self.workweek)}/7 of a day each: "
                              f"{_listing(self.elapsed_tasks)}")
        return rows, budgets

    def span(self, start: datetime, finish: datetime, milestone: bool,
             project_start: date) -> tuple[date, date]:
        """First and last working day of work from ``start`` to ``finish``."""
        last = self.finish_day(finish)
        if milestone:
            last = max(last, project_start) if finish.date() >= project_start else last
            return last, last
        first = self.start_day(start)
        return first, max(first, last)

    def constraint(self, task: _Task, milestone: bool):
        el, label = task.element, task.label
        code = self.number(el, "ConstraintType", label, 0, integer=True)
        if code not in CONSTRAINT_CODES:
            self.fail(label, f"<ConstraintType> {code} is not a constraint type "
                             f"({', '.join(f'{k} {v}' for k, v in CONSTRAINT_CODES.items())})")
            return "ASAP", None
        ctype = CONSTRAINT_CODES[code]
        if ctype in ("ASAP", "ALAP"):
            return ctype, None
        value = self.moment(el, "ConstraintDate", label)
        if value is None:
            self.fail(label, f"has constraint {ctype} (<ConstraintType> {code}) but no "
                             "<ConstraintDate>")
            return ctype, None
        finish_kind = milestone or ctype in ("MFO", "FNET", "FNLT")
        day = self.finish_day(value) if finish_kind else self.start_day(value)
        return ctype, pd.Timestamp(day)

    # -- progress ------------------------------------------------------------------------
    def status_day(self, root, status_date) -> date | None:
        if status_date is not None:
            try:
                value = pd.Timestamp(status_date)
            except (ValueError, TypeError):
                value = pd.NaT
            if pd.isna(value):
                raise DataValidationError(Problem(self.file, None, None, "status_date",
                                                  f"{status_date!r} is not a date"))
            return value.date()
        value = self.moment(root, "StatusDate", "<Project>")
        return value.date() if value is not None else None

    def status_rows(self, tasks: list[_Task], status_day: date | None,
                    project_start: date) -> list[dict]:
        rows, progress = [], []
        for task in tasks:
            if task.summary or task.dropped or task.duration is None:
                continue
            el, label = task.element, task.label
            evm_physical = self.number(el, "EarnedValueMethod", label, 0, integer=True) == 1
            tag = "PhysicalPercentComplete" if evm_physical else "PercentComplete"
            pct = self.number(el, tag, label, 0.0)
            a_start = self.moment(el, "ActualStart", label)
            a_finish = self.moment(el, "ActualFinish", label)
            a_cost = self.number(el, "ActualCost", label, 0.0)
            remaining = self.minutes(el, "RemainingDuration", label)
            if not 0 <= pct <= 100:
                self.fail(label, f"<{tag}> {pct:g} is outside 0–100")
                continue
            if a_cost < 0:
                self.fail(label, f"<ActualCost> {a_cost / 100:g} is negative")
                continue
            if remaining is not None and remaining < 0:
                self.fail(label, f"<RemainingDuration> {self.text(el, 'RemainingDuration')} is "
                                 "negative")
                continue
            if a_start is None and a_finish is None and pct == 0 and a_cost == 0:
                continue
            progress.append(task.uid)
            if a_start is None:
                what = "an <ActualFinish>" if a_finish is not None else f"{pct:g} % complete"
                self.fail(label, f"has {what} but no <ActualStart>")
                continue
            if a_finish is not None and pct < 100:
                self.fail(label, f"has an <ActualFinish> but is {pct:g} % complete; a "
                                 "finished task is 100 % complete")
                continue
            if status_day is None:
                continue
            if task.duration == 0:
                first, last = self.span(a_start, a_finish or a_start, True, project_start)
            else:
                first = self.start_day(a_start)
                last = max(self.finish_day(a_finish), first) if a_finish else None
            late = [(n, d) for n, d in (("ActualStart", first), ("ActualFinish", last))
                    if d is not None and d > status_day]
            if late:
                n, d = late[-1]
                self.fail(label, f"<{n}> {d} is after the status date {status_day}; use a "
                                 "status date on or after the last actual date")
                continue
            rows.append({
                "status_date": pd.Timestamp(status_day), "task_id": str(task.uid),
                "percent_complete": pct, "actual_cost": a_cost / 100.0,
                "actual_start": pd.Timestamp(first),
                "actual_finish": pd.Timestamp(last) if last else pd.NaT,
                "remaining_duration": 0.0 if a_finish is not None else (
                    None if remaining is None else round(remaining / self.minutes_per_day, 9)),
            })
        if progress and status_day is None:
            self.notes.append(f"{len(progress)} task(s) have progress (actual dates, percent "
                              "complete or actual cost) but the file has no <StatusDate>: "
                              "progress is not imported; pass status_date= to import it")
        return rows

    # -- what the kit does not model -----------------------------------------------------
    def notes_for(self, root, tasks: list[_Task]) -> None:
        kept = [t for t in tasks if not t.summary and t.dropped is None]
        dropped = [t.label for t in tasks if t.dropped and not t.summary]
        if dropped:
            self.notes.append(f"{len(dropped)} inactive or external task(s) are left out: "
                              f"{_listing(dropped)}")
        manual = [t.uid for t in kept if self.flag(t.element, "Manual", t.label)]
        if manual:
            self.notes.append(f"{len(manual)} task(s) are manually scheduled (Manual = 1); the "
                              "kit schedules every task from its links and constraints "
                              f"(task UIDs {_listing(manual)})")
        project_cal = self.text(root, "CalendarUID")
        own = [t.uid for t in kept
               if self.text(t.element, "CalendarUID") not in (None, "-1", project_cal)]
        if own:
            self.notes.append(f"{len(own)} task(s) have their own calendar, which is not "
                              "modelled: they use the project calendar "
                              f"(task UIDs {_listing(own)})")
        delayed = [t.uid for t in kept
                   if (self.number(t.element, "LevelingDelay", t.label, 0.0) or 0) > 0]
        if delayed:
            self.notes.append(f"{len(delayed)} task(s) have a leveling delay, which is not "
                              f"modelled (task UIDs {_listing(delayed)})")
        if not self.flag(root, "ScheduleFromStart", "<Project>", True):
            self.notes.append("the project is scheduled from its finish date; the kit "
                              "schedules forward from the start")


def _within(task: _Task, ancestor: _Task) -> bool:
    """True when ``task`` is under the summary task ``ancestor``."""
    node = task.parent
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False
