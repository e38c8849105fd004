"""Import and export with the tools a PMO already uses.

* :func:`read_mspdi` — Microsoft Project XML (MSPDI) files (:mod:`pmo_lib.io.mspdi`);
* :func:`read_mpp` — Microsoft Project .mpp files, and the other formats MPXJ reads, through
  MPXJ (the optional ``mpp`` extra; needs Java) (:mod:`pmo_lib.io.mpp`);
* :func:`read_xer` — Primavera P6 XER exports (:mod:`pmo_lib.io.xer`);
* :func:`write_excel` / :func:`read_excel` — the whole portfolio as an Excel workbook, and
  :func:`write_report_tables` / :func:`report_workbook` — the report's tables as one
  (:mod:`pmo_lib.io.excel`).

Each reader returns the kit's own :class:`~pmo_lib.model.Portfolio` (built with
:func:`pmo_lib.model.from_tables`, so it passes the same checks as a dataset folder), and
every other module — schedule, EVM, DCMA, risk — runs on it unchanged. A corrupt,
truncated or hostile file raises a :class:`~pmo_lib.errors.PMOError` naming the file.
"""

from __future__ import annotations

__all__ = ["read_excel", "read_mpp", "read_mspdi", "read_xer", "report_workbook", "write_excel",
           "write_report_tables"]

_EXCEL = ("read_excel", "report_workbook", "write_excel", "write_report_tables")


def __getattr__(name: str):
    # The readers are imported on first use, so ``import pmo_lib`` stays light.
    if name == "read_mspdi":
        from .mspdi import read_mspdi

        return read_mspdi
    if name == "read_mpp":
        from .mpp import read_mpp

        return read_mpp
    if name == "read_xer":
        from .xer import read_xer

        return read_xer
    if name in _EXCEL:
        from . import excel

        return getattr(excel, name)
    raise AttributeError(f"module 'pmo_lib.io' has no attribute {name!r}")
