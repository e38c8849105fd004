"""PMO Kit: analysis and training library for a Project Management Office.

Notebooks import the modules and read them by concept::

    from pmo_lib import load_portfolio, evm
    pf = load_portfolio(SAMPLE_DATA)
    evm.project_performance(pf, "2026-10")

Modules: :mod:`~pmo_lib.model` (tables, validation, :func:`load_portfolio`,
:func:`from_tables`), :mod:`~pmo_lib.calendar` (working days), :mod:`~pmo_lib.evm` (earned
value and earned schedule), :mod:`~pmo_lib.schedule` (critical path), :mod:`~pmo_lib.network`
(dependency graphs, cross-project links at risk, slip impact), :mod:`~pmo_lib.health` (DCMA
14-point), :mod:`~pmo_lib.resources` (resource loading, capacity, utilisation,
over-allocations, portfolio levelling), :mod:`~pmo_lib.levelling` (resource levelling: RCPSP
heuristics and CP-SAT), :mod:`~pmo_lib.risk` (risk register analytics),
:mod:`~pmo_lib.simulation` (Monte Carlo schedule and cost risk), :mod:`~pmo_lib.portfolio`
(scoring and prioritisation: weighted criteria, AHP, WSJF; exact selection under budget and
capacity, the efficient frontier, programme roll-ups), :mod:`~pmo_lib.methodology`
(life-cycle templates, gates, charter, governance registers), :mod:`~pmo_lib.agile` (agile
delivery metrics and forecasts), :mod:`~pmo_lib.plots` (charts), :mod:`~pmo_lib.report` (the
monthly report runner), :mod:`~pmo_lib.cli` (the ``pmo`` command), :mod:`~pmo_lib.io` (MS
Project and Primavera import).
"""

from pathlib import Path

from . import (
    agile,
    calendar,
    errors,
    evm,
    health,
    levelling,
    methodology,
    model,
    network,
    plots,
    portfolio,
    report,
    resources,
    risk,
    schedule,
    simulation,
)
from .calendar import WorkCalendar
from .errors import (
    DataValidationError,
    InfeasibleError,
    MissingDataError,
    MissingDependencyError,
    PMOError,
    Problem,
    ReportError,
    ScheduleError,
    UnknownReferenceError,
)
from .model import Portfolio, from_tables, load_portfolio, parse_month

__all__ = [
    "SAMPLE_DATA",
    "DataValidationError",
    "InfeasibleError",
    "MissingDataError",
    "MissingDependencyError",
    "PMOError",
    "Portfolio",
    "Problem",
    "ReportError",
    "ScheduleError",
    "UnknownReferenceError",
    "WorkCalendar",
    "__version__",
    "agile",
    "calendar",
    "errors",
    "evm",
    "from_tables",
    "health",
    "levelling",
    "load_portfolio",
    "methodology",
    "model",
    "network",
    "parse_month",
    "plots",
    "portfolio",
    "report",
    "resources",
    "risk",
    "schedule",
    "simulation",
]

__version__ = "0.1.0"

#: The bundled sample portfolio (``datasets/sample`` in the repository).
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "datasets" / "sample"
