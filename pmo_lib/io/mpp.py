"""Read Microsoft Project ``.mpp`` files (and the other formats MPXJ reads) with MPXJ.

:func:`read_mpp` converts a project file to Microsoft Project XML (MSPDI) with `MPXJ
<https://www.mpxj.org>`_, a Java library, then reads that with
:func:`pmo_lib.io.read_mspdi`: the mapping, the warnings (:class:`~pmo_lib.io.mspdi.
MspdiWarning`) and the checks are those of the MSPDI reader (see :mod:`pmo_lib.io.mspdi`).
MPXJ's ``UniversalProjectReader`` recognises the format from the file's content, so the same
function reads ``.mpp`` (MS Project 98 to 2021), ``.mpx``, MSPDI, Planner, Primavera PMXML,
Phoenix, GanttProject, ProjectLibre and the other formats MPXJ lists.

Optional dependency
-------------------
MPXJ is the ``mpp`` extra: ``pip install "pmo-kit[mpp]"`` installs the ``mpxj`` package (MPXJ's
jar files) and ``jpype1`` (the bridge to Java). A Java runtime, version 11 or newer, must be
installed as well (``apt install default-jre-headless``, or set ``JAVA_HOME``). Without the
packages, or without Java, :func:`read_mpp` raises a
:class:`~pmo_lib.errors.MissingDependencyError` saying what to install; the rest of the kit
does not need either.

The Java virtual machine is started once per Python process, on the first call (about a
second), with MPXJ's jars on its class path; later calls reuse it (JPype cannot restart a JVM
that was shut down). Java is looked for (``JAVA_HOME``, then the usual places: JPype's
``getDefaultJVMPath``) and its version read from its ``release`` file before the JVM is
started, so a missing or too old Java is reported, never waited on. MPXJ 13 to 16 are
supported: the Java package is ``org.mpxj`` from MPXJ 16 on and ``net.sf.mpxj`` before.

The converted MSPDI file is written to a temporary folder that is removed afterwards, even
when reading fails; errors and warnings name the file you gave, not the temporary one.

References
----------
J. Iles, *MPXJ* (``UniversalProjectReader``, ``MSPDIWriter``). JPype, *User guide* (starting
the JVM, class path).
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import threading
import warnings
from pathlib import Path

from ..errors import DataValidationError, MissingDataError, MissingDependencyError, Problem
from ..model import Portfolio

__all__ = ["MIN_JAVA_VERSION", "read_mpp"]

#: The oldest Java release MPXJ 13+ runs on.
MIN_JAVA_VERSION = 11

_INSTALL = 'pip install "pmo-kit[mpp]"'
#: MPXJ's Java package, newest first (renamed from ``net.sf.mpxj`` in MPXJ 16).
_PACKAGES = ("org.mpxj", "net.sf.mpxj")
#: No GUI; Apache POI's Log4j API (used by MPXJ for .mpp files) sent to its silent simple
#: logger, so the library prints nothing ("could not find a logging provider").
_JVM_OPTIONS = ("-Djava.awt.headless=true",
                "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple."
                "SimpleLoggerContextFactory",
                "-Dorg.apache.logging.log4j.simplelog.StatusLogger.level=OFF",
                "-Dorg.apache.logging.log4j.level=OFF")
_LOCK = threading.Lock()
#: (UniversalProjectReader, MSPDIWriter) once the JVM runs with MPXJ on its class path.
_classes: tuple | None = None


def read_mpp(path: str | Path, *, project_id: str | None = None, **kwargs) -> Portfolio:
    """Read a Microsoft Project ``.mpp`` file (or any file MPXJ reads) as a portfolio of one
    project.

    Parameters
    ----------
    path : str or Path
        The project file: ``.mpp``, or any format MPXJ's ``UniversalProjectReader``
        recognises (``.mpx``, MSPDI ``.xml``, Planner, PMXML ...).
    project_id : str, optional
        The project's ID in the kit's tables; default the file name without its extension.
    **kwargs
        Passed on to :func:`~pmo_lib.io.read_mspdi` (``status_date``).

    Returns
    -------
    Portfolio
        As :func:`~pmo_lib.io.read_mspdi` returns it: ``projects``, ``wbs``, ``tasks``
        (id = task UID), ``links``, ``resources``, ``assignments``, ``calendar`` and, with a
        status date, one ``status`` snapshot.

    Raises
    ------
    MissingDataError
        The file does not exist.
    MissingDependencyError
        ``mpxj`` or ``jpype1`` is not installed (``pip install "pmo-kit[mpp]"``), no Java
        runtime is found, or it is older than Java 11.
    DataValidationError
        A file MPXJ cannot read (empty, binary junk, truncated, an unknown format, a
        password-protected file ...), naming the file; and every error of
        :func:`~pmo_lib.io.read_mspdi` on the converted schedule.

    Warns
    -----
    MspdiWarning
        For what is read approximately or left out (see :mod:`pmo_lib.io.mspdi`).

    Examples
    --------
    Skipped here, since it needs the ``mpp`` extra and Java (tests/test_io_mpp.py runs it):

    >>> from pmo_lib.io import read_mpp
    >>> pf = read_mpp("Office move.mpp", status_date="2026-03-31")  # doctest: +SKIP
    >>> pf.projects.at[0, "id"]  # doctest: +SKIP
    'Office move'
    """
    from .mspdi import read_mspdi

    file = Path(path)
    if not file.exists():
        raise _refuse(file, "file not found", MissingDataError)
    if not file.is_file():
        raise _refuse(file, "is not a file; give the path of an MS Project (.mpp) file")
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise _refuse(file, f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise _refuse(file, "is empty; an MS Project (.mpp) file holds a project")
    reader_class, writer_class = _mpxj()
    with tempfile.TemporaryDirectory(prefix="pmo-mpp-") as folder:
        xml = Path(folder) / f"{file.stem or 'project'}.xml"
        _convert(file, xml, reader_class, writer_class)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                portfolio = read_mspdi(xml, project_id=project_id or file.stem or "project",
                                       **kwargs)
        except DataValidationError as exc:
            problems = [dataclasses.replace(p, file=_rename(p.file, xml, file),
                                            message=_rename(p.message, xml, file))
                        for p in exc.problems]
            raise type(exc)(problems) from None
    for w in caught:
        warnings.warn_explicit(_rename(str(w.message), xml, file), w.category,
                               __file__, 0)
    return portfolio


def _refuse(file: Path, message: str, cls: type[DataValidationError] = DataValidationError):
    return cls(Problem(str(file), None, None, None, message))


def _rename(text: str, xml: Path, file: Path) -> str:
    """``text`` with the temporary MSPDI file's path replaced by the file the user gave."""
    return text.replace(str(xml), str(file))


def _convert(file: Path, xml: Path, reader_class, writer_class) -> None:
    """Read ``file`` with MPXJ and write it to ``xml`` as MSPDI; a DataValidationError
    naming ``file`` when MPXJ cannot read it."""
    import jpype

    try:
        project = reader_class().read(str(file))
    except jpype.JException as exc:
        message = str(exc.getMessage() or exc.getClass().getSimpleName())
        raise _refuse(file, f"cannot be read by MPXJ ({exc.getClass().getSimpleName()}: "
                            f"{message}); is it a complete, unprotected MS Project file?"
                      ) from None
    if project is None:
        raise _refuse(file, "is not a project file MPXJ recognises (binary junk, a truncated "
                            "file or an unsupported format); give an MS Project .mpp file "
                            "or another format MPXJ reads (MSPDI .xml, .mpx, Planner, "
                            "PMXML ...)")
    try:
        writer_class().write(project, str(xml))
    except jpype.JException as exc:
        raise _refuse(file, f"was read by MPXJ but could not be converted to MS Project XML "
                            f"({exc.getClass().getSimpleName()}: {exc.getMessage()})"
                      ) from None


def _mpxj() -> tuple:
    """MPXJ's ``UniversalProjectReader`` and ``MSPDIWriter`` classes, the JVM started on the
    first call; MissingDependencyError when mpxj, JPype or Java is missing."""
    global _classes
    jpype = _import_jpype()
    with _LOCK:
        if _classes is None:
            if not jpype.isJVMStarted():
                jvm = _find_jvm(jpype)
                try:
                    jpype.startJVM(jvm, *_JVM_OPTIONS, convertStrings=False)
                except OSError as exc:
                    raise MissingDependencyError(
                        f"the Java virtual machine could not be started ({exc}); reading .mpp "
                        f"files needs Java {MIN_JAVA_VERSION}+ and a Python process that has "
                        "not shut its JVM down") from exc
            _classes = _load_classes(jpype)
        return _classes


def _import_jpype():
    """JPype, with MPXJ's jars added to the class path (importing ``mpxj`` adds them)."""
    try:
        import jpype
        import mpxj  # noqa: F401  (adds MPXJ's jars to JPype's class path)
    except ImportError as exc:
        raise MissingDependencyError(
            f"reading .mpp files needs MPXJ and JPype, which are not installed: {_INSTALL} "
            f"(and a Java {MIN_JAVA_VERSION}+ runtime)") from exc
    return jpype


def _find_jvm(jpype) -> str:
    """The path of the JVM library to start; MissingDependencyError when no Java runtime is
    found or it is older than :data:`MIN_JAVA_VERSION`. Looks at files only: never starts a
    process, so it cannot hang."""
    try:
        jvm = jpype.getDefaultJVMPath()
    except (jpype.JVMNotFoundException, jpype.JVMNotSupportedException) as exc:
        raise MissingDependencyError(
            f"reading .mpp files needs a Java runtime, version {MIN_JAVA_VERSION} or newer, "
            f"and none was found ({exc}); install one (e.g. apt install "
            "default-jre-headless) or set JAVA_HOME to its folder") from exc
    version = _java_version(Path(jvm))
    if version is not None and version < MIN_JAVA_VERSION:
        raise MissingDependencyError(
            f"reading .mpp files needs Java {MIN_JAVA_VERSION} or newer; the Java runtime "
            f"found ({jvm}) is Java {version}: install a newer one or set JAVA_HOME to it")
    return jvm


def _java_version(jvm: Path) -> int | None:
    """The major version of the Java runtime holding the library ``jvm``, read from the
    ``JAVA_VERSION`` line of its ``release`` file (``"1.8.0_392"`` → 8, ``"17.0.15"`` → 17);
    None when there is no such file."""
    for folder in list(jvm.parents)[:4]:
        release = folder / "release"
        if release.is_file():
            try:
                text = release.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            m = re.search(r'^JAVA_VERSION="?(\d+)(?:\.(\d+))?', text, flags=re.M)
            if m is None:
                return None
            major = int(m.group(1))
            return int(m.group(2) or 0) if major == 1 else major
    return None


def _load_classes(jpype) -> tuple:
    for package in _PACKAGES:
        try:
            return (jpype.JClass(f"{package}.reader.UniversalProjectReader"),
                    jpype.JClass(f"{package}.mspdi.MSPDIWriter"))
        except TypeError:  # JPype's "class not found"
            continue
        except jpype.JException as exc:  # e.g. UnsupportedClassVersionError on an old Java
            raise MissingDependencyError(
                f"MPXJ could not be loaded in the Java runtime ({exc}); reading .mpp files "
                f"needs Java {MIN_JAVA_VERSION} or newer") from exc
    raise MissingDependencyError(
        "MPXJ's classes are not on the Java class path: the JVM was started (by other code) "
        f"before the mpxj package was imported; import pmo_lib.io.mpp first, or {_INSTALL}")
