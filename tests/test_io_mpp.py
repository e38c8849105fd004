"""Tests of pmo_lib.io.mpp: .mpp (and other MPXJ formats) through MPXJ and Java.

* Dependency errors (no mpxj/JPype, no Java, Java too old) with the imports and the Java
  look-up monkeypatched: these run without Java and never start a JVM.
* With mpxj and Java (skipped otherwise; the JVM starts once per session): MPXJ's MSPDI test
  files (/work/shared/data/mspdi, skipped when absent) read through read_mpp give the same
  tables as read_mspdi; a small project written by MPXJ as MPX is read back table by table;
  empty, junk and truncated files raise a DataValidationError naming the file.
"""

import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib.errors import DataValidationError, MissingDataError, MissingDependencyError
from pmo_lib.io import mpp, read_mpp, read_mspdi

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mspdi"
SHARED_FILES = sorted(p.name for p in SHARED.glob("*.xml")) if SHARED.is_dir() else []
D = pd.Timestamp


def _have_java() -> bool:
    try:
        import jpype
    except ImportError:
        return False
    if jpype.isJVMStarted():
        return True
    try:
        mpp._find_jvm(jpype)
    except MissingDependencyError:
        return False
    return True


def _have_mpxj() -> bool:
    try:
        import jpype  # noqa: F401
        import mpxj  # noqa: F401
    except ImportError:
        return False
    return True


needs_mpxj = pytest.mark.skipif(not (_have_mpxj() and _have_java()),
                                reason="mpxj/JPype or a Java 11+ runtime is not installed")


def quiet_read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_mpp(path, **kwargs)


# ----------------------------------------------------------------------------------------
# Dependencies (no JVM started)
# ----------------------------------------------------------------------------------------
@pytest.fixture
def some_file(tmp_path):
    path = tmp_path / "plan.mpp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    return path


@pytest.fixture
def fresh(monkeypatch):
    """As in a process where the JVM has not been started yet."""
    monkeypatch.setattr(mpp, "_classes", None)


@pytest.mark.parametrize("module", ["mpxj", "jpype"])
def test_missing_package_names_the_extra(monkeypatch, some_file, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(MissingDependencyError, match=r'pip install "pmo-kit\[mpp\]"'):
        read_mpp(some_file)


def test_missing_dependency_is_an_import_error(monkeypatch, some_file):
    monkeypatch.setitem(sys.modules, "mpxj", None)
    with pytest.raises(ImportError, match="Java 11"):
        read_mpp(some_file)


@pytest.mark.skipif(not _have_mpxj(), reason="mpxj/JPype not installed")
def test_no_java_is_reported_before_starting_the_jvm(monkeypatch, some_file, fresh):
    import jpype

    def not_found():
        raise jpype.JVMNotFoundException("No JVM shared library file (libjvm.so) found.")

    def must_not_start(*args, **kwargs):
        raise AssertionError("the JVM must not be started without Java")

    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(jpype, "getDefaultJVMPath", not_found)
    monkeypatch.setattr(jpype, "startJVM", must_not_start)
    with pytest.raises(MissingDependencyError, match=r"Java runtime, version 11 or newer.*"
                                                     r"JAVA_HOME"):
        read_mpp(some_file)


@pytest.mark.skipif(not _have_mpxj(), reason="mpxj/JPype not installed")
@pytest.mark.parametrize("version, major", [("1.8.0_392", 8), ("10.0.2", 10)])
def test_old_java_is_refused(monkeypatch, tmp_path, some_file, fresh, version, major):
    import jpype

    home = tmp_path / "jdk"
    (home / "lib" / "server").mkdir(parents=True)
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(jpype, "getDefaultJVMPath",
                        lambda: str(home / "lib" / "server" / "libjvm.so"))
    monkeypatch.setattr(jpype, "startJVM", lambda *a, **k: pytest.fail("JVM started"))
    with pytest.raises(MissingDependencyError, match=rf"Java 11 or newer.*is Java {major}\b"):
        read_mpp(some_file)


@pytest.mark.parametrize("text, major", [('JAVA_VERSION="17.0.15"', 17),
                                         ('JAVA_VERSION="1.8.0_392"', 8),
                                         ('JAVA_VERSION="21"', 21),
                                         ("IMPLEMENTOR=x", None)])
def test_java_version_from_release_file(tmp_path, text, major):
    (tmp_path / "lib" / "server").mkdir(parents=True)
    (tmp_path / "release").write_text(text + "\n")
    assert mpp._java_version(tmp_path / "lib" / "server" / "libjvm.so") == major


def test_java_version_unknown_without_release_file(tmp_path):
    assert mpp._java_version(tmp_path / "a" / "b" / "libjvm.so") is None


def test_missing_file(tmp_path):
    with pytest.raises(MissingDataError, match=r"nope\.mpp: file not found"):
        read_mpp(tmp_path / "nope.mpp")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mpp"
    path.write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"empty\.mpp: is empty"):
        read_mpp(path)


# ----------------------------------------------------------------------------------------
# With MPXJ and Java
# ----------------------------------------------------------------------------------------
PILOT = """<Project xmlns="http://schemas.microsoft.com/project">
 <Title>Pilot</Title><ScheduleFromStart>1</ScheduleFromStart>
 <StartDate>2026-01-05T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>
 <CurrencyCode>EUR</CurrencyCode><CalendarUID>1</CalendarUID>
 <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
  <WeekDays>
   <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
   {workdays}
   <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
  </WeekDays>
  <Exceptions><Exception><Name>Holiday</Name><DayWorking>0</DayWorking><TimePeriod>
   <FromDate>2026-01-08T00:00:00</FromDate><ToDate>2026-01-08T23:59:00</ToDate>
  </TimePeriod></Exception></Exceptions></Calendar></Calendars>
 <Tasks>
  <Task><UID>1</UID><ID>1</ID><Name>Design</Name><OutlineLevel>1</OutlineLevel>
   <Start>2026-01-05T08:00:00</Start><Finish>2026-01-07T17:00:00</Finish>
   <Duration>PT24H0M0S</Duration><Baseline><Number>0</Number>
   <Start>2026-01-05T08:00:00</Start><Finish>2026-01-07T17:00:00</Finish>
   <Cost>300000</Cost></Baseline></Task>
  <Task><UID>2</UID><ID>2</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel>
   <Start>2026-01-12T08:00:00</Start><Finish>2026-01-13T17:00:00</Finish>
   <Duration>PT16H0M0S</Duration><Baseline><Number>0</Number>
   <Start>2026-01-12T08:00:00</Start><Finish>2026-01-13T17:00:00</Finish>
   <Cost>200000</Cost></Baseline>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>
    <LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
 </Tasks>
 <Resources><Resource><UID>1</UID><ID>1</ID><Name>Ann</Name><MaxUnits>1</MaxUnits>
  <StandardRate>50</StandardRate></Resource></Resources>
 <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>
  <Units>1</Units></Assignment></Assignments>
</Project>"""
_HOURS = ("<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime>"
          "</WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime>"
          "</WorkingTime></WorkingTimes>")
PILOT = PILOT.replace("{workdays}", "".join(
    f"<WeekDay><DayType>{d}</DayType><DayWorking>1</DayWorking>{_HOURS}</WeekDay>"
    for d in range(2, 7)))


def mpxj_write(source: Path, target: Path, writer: str) -> None:
    """Convert ``source`` with MPXJ's ``writer`` class (e.g. ``mpx.MPXWriter``)."""
    import jpype

    reader_class, _ = mpp._mpxj()
    package = str(reader_class.class_.getPackage().getName()).rsplit(".", 1)[0]
    project = reader_class().read(str(source))
    jpype.JClass(f"{package}.{writer}")().write(project, str(target))


@needs_mpxj
@pytest.mark.skipif(not SHARED_FILES, reason="shared MSPDI fixtures absent")
@pytest.mark.parametrize("name", SHARED_FILES)
def test_mspdi_through_mpxj_equals_read_mspdi(name):
    # MPXJ reads MSPDI too: its round trip (read, written back as MSPDI) must not change the
    # kit's tables. Only the project's name may differ (MPXJ writes Title and Name anew).
    path = SHARED / name
    via_mpxj = quiet_read(path)
    direct = quiet_read_mspdi(path)
    for table in ("wbs", "tasks", "links", "resources", "assignments", "holidays", "status"):
        pd.testing.assert_frame_equal(getattr(via_mpxj, table), getattr(direct, table),
                                      obj=f"{name}: {table}")
    pd.testing.assert_frame_equal(via_mpxj.projects.drop(columns="name"),
                                  direct.projects.drop(columns="name"))
    assert via_mpxj.currency == direct.currency
    assert via_mpxj.projects.at[0, "id"] == path.stem


def quiet_read_mspdi(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_mspdi(path, **kwargs)


@needs_mpxj
def test_mpx_written_by_mpxj_reads_back(tmp_path):
    source = tmp_path / "pilot.xml"
    source.write_text(PILOT, encoding="utf-8")
    target = tmp_path / "pilot.mpx"
    mpxj_write(source, target, "mpx.MPXWriter")
    assert target.read_bytes().startswith(b"MPX")
    pf = quiet_read(target, project_id="PIL")
    assert pf.projects.loc[0, ["id", "name", "start_date", "budget"]].tolist() == [
        "PIL", "Pilot", D("2026-01-05"), 5000.0]
    tasks = pf.tasks[["id", "name", "wbs", "duration", "baseline_start", "budget",
                      "milestone", "constraint_type"]]
    expected = pd.DataFrame({
        "id": ["1", "2"], "name": ["Design", "Build"], "wbs": ["1", "2"],
        "duration": [3.0, 2.0], "baseline_start": [D("2026-01-05"), D("2026-01-12")],
        "budget": [3000.0, 2000.0], "milestone": [False, False],
        "constraint_type": ["ASAP", "ASAP"]})
    pd.testing.assert_frame_equal(tasks, expected, check_dtype=False)
    # MPX keeps dates without the time of day: a finish at midnight is, to the MSPDI reader,
    # the end of the working day before (one day earlier than the source's 17:00 finish).
    assert pf.tasks["baseline_finish"].tolist() == [D("2026-01-06"), D("2026-01-12")]
    pd.testing.assert_frame_equal(
        pf.links[["pred", "succ", "type", "lag"]],
        pd.DataFrame({"pred": ["1"], "succ": ["2"], "type": ["FS"], "lag": [1.0]}),
        check_dtype=False)
    pd.testing.assert_frame_equal(
        pf.resources[["id", "name", "capacity", "cost_rate"]],
        pd.DataFrame({"id": ["1"], "name": ["Ann"], "capacity": [1.0], "cost_rate": [400.0]}),
        check_dtype=False)
    pd.testing.assert_frame_equal(
        pf.assignments[["task_id", "resource_id", "units"]],
        pd.DataFrame({"task_id": ["1"], "resource_id": ["1"], "units": [1.0]}),
        check_dtype=False)
    assert pf.holidays["date"].tolist() == [D("2026-01-08")]


@needs_mpxj
def test_default_project_id_is_the_file_stem(tmp_path):
    source = tmp_path / "pilot.xml"
    source.write_text(PILOT, encoding="utf-8")
    target = tmp_path / "Office move.mpx"
    mpxj_write(source, target, "mpx.MPXWriter")
    assert quiet_read(target).projects.at[0, "id"] == "Office move"


@needs_mpxj
@pytest.mark.parametrize("content", [
    b"\x00\x01\x02junk" * 200,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an OLE2 header, then nothing
    b"MPX,Microsoft Project for Windows,4.0,ANSI\r\n30,Proj",
], ids=["junk", "ole2-truncated", "mpx-truncated"])
def test_unreadable_file_names_it(tmp_path, content):
    path = tmp_path / "broken.mpp"
    path.write_bytes(content)
    with pytest.raises(DataValidationError, match=r"broken\.mpp"):
        quiet_read(path)


@needs_mpxj
def test_truncated_mspdi_names_the_file(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(PILOT[: len(PILOT) // 2], encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"cut\.xml"):
        quiet_read(path)


@needs_mpxj
def test_temporary_file_is_removed(tmp_path, monkeypatch):
    import tempfile

    made = []
    real = tempfile.TemporaryDirectory

    def spy(*args, **kwargs):
        folder = real(*args, **kwargs)
        made.append(Path(folder.name))
        return folder

    monkeypatch.setattr(mpp.tempfile, "TemporaryDirectory", spy)
    source = tmp_path / "pilot.xml"
    source.write_text(PILOT, encoding="utf-8")
    pf = quiet_read(source)
    assert len(pf.tasks) == 2
    junk = tmp_path / "junk.mpp"
    junk.write_bytes(b"\x00junk" * 100)
    with pytest.raises(DataValidationError):
        quiet_read(junk)
    assert len(made) == 2 and not any(p.exists() for p in made)


@needs_mpxj
def test_warnings_name_the_given_file(tmp_path):
    source = tmp_path / "pilot.xml"
    source.write_text(PILOT, encoding="utf-8")
    target = tmp_path / "pilot.mpx"
    mpxj_write(source, target, "mpx.MPXWriter")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_mpp(target)
    messages = [str(w.message) for w in caught]
    assert messages and all(m.startswith(str(target)) for m in messages)


@needs_mpxj
def test_java_exception_names_the_file(tmp_path, monkeypatch):
    import jpype

    class FailingReader:
        def read(self, name):
            raise jpype.JClass("java.io.IOException")("Password protected file")

    _, writer = mpp._mpxj()
    monkeypatch.setattr(mpp, "_classes", (FailingReader, writer))
    path = tmp_path / "locked.mpp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(DataValidationError,
                       match=r"locked\.mpp: cannot be read by MPXJ \(IOException: Password "
                             r"protected file\)"):
        read_mpp(path)
