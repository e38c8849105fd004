"""pmo_lib.io.excel: the portfolio and the report tables as formatted Excel workbooks.

Round trips (kit → Excel → kit) of the mini portfolio, the sample and random cells;
formula-injection neutralisation (OWASP "CSV injection": text beginning with =, +, -, @,
tab or carriage return must never become a formula); and the errors of read_excel.
"""

from __future__ import annotations

import datetime as dt
import io as stdio
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import evm
from pmo_lib import io as pio
from pmo_lib.errors import DataValidationError, MissingDataError, ReportError
from pmo_lib.io import excel
from pmo_lib.model import SCHEMAS, from_tables

PAYLOADS = ['=HYPERLINK("http://x","click")', "+1+1", "-2", "@SUM(A1)"]


def _blank_as_none(df: pd.DataFrame) -> pd.DataFrame:
    """Blank text cells as None (as tests/test_model_from_tables.py compares)."""
    out = df.copy()
    for c in out.select_dtypes(include="object").columns:
        out[c] = out[c].map(lambda v: None if not isinstance(v, tuple) and pd.isna(v) else v)
    return out


def _tables(pf) -> dict[str, pd.DataFrame]:
    return {name: getattr(pf, "holidays" if name == "calendar" else name) for name in SCHEMAS}


def _assert_same_portfolio(again, pf, **kwargs) -> None:
    for name in SCHEMAS:
        pd.testing.assert_frame_equal(_blank_as_none(_tables(again)[name]),
                                      _blank_as_none(_tables(pf)[name]), obj=name, **kwargs)
    assert again.calendar.holidays == pf.calendar.holidays
    assert again.calendar.workweek == pf.calendar.workweek
    assert again.data_dates == pf.data_dates
    assert (again.name, again.currency, again.path) == (pf.name, pf.currency, None)


def _edit(path, sheet: str, cell: str, value) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


# ----------------------------------------------------------------------------------------
# Round trips
# ----------------------------------------------------------------------------------------
def test_round_trip_of_the_mini_portfolio_is_identical(mini, tmp_path):
    book = pio.write_excel(mini, tmp_path / "mini.xlsx")
    assert book == tmp_path / "mini.xlsx"
    _assert_same_portfolio(pio.read_excel(book), mini)


def test_round_trip_of_the_sample_keeps_every_table(sample, tmp_path):
    again = pio.read_excel(pio.write_excel(sample, tmp_path / "sample.xlsx"))
    _assert_same_portfolio(again, sample)
    assert len(again.tasks) == len(sample.tasks) >= 600
    assert len(again.candidates) == len(sample.candidates) > 0


def test_sheets_are_readme_then_required_and_non_empty_tables(mini, tmp_path):
    book = openpyxl.load_workbook(pio.write_excel(mini, tmp_path / "mini.xlsx"))
    nonempty = [n for n, s in SCHEMAS.items() if s.required or len(_tables(mini)[n])]
    assert book.sheetnames == ["README", *nonempty]
    assert "sprints" not in book.sheetnames  # the mini portfolio has no agile data


def test_readme_holds_settings_and_data_dictionary(mini, tmp_path):
    sheet = openpyxl.load_workbook(pio.write_excel(mini, tmp_path / "m.xlsx"))["README"]
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    assert rows[0][:2] == ("name", "Mini portfolio (hand-checked test fixture)")
    assert rows[1][:2] == ("currency", "EUR")
    assert rows[2][:2] == ("workweek", "Mon Tue Wed Thu Fri")
    header = rows.index(("table", "column", "type", "unit", "required", "description"))
    assert sheet.auto_filter.ref == f"A{header + 1}:F{len(rows)}"
    dictionary = {(r[0], r[1]): r for r in rows[header + 1:]}
    assert len(dictionary) == sum(len(s.columns) for s in SCHEMAS.values())
    assert dictionary["tasks", "duration"][2:4] == ("float", "working days")
    assert dictionary["tasks", "duration"][5] == "Planned (baseline) duration."
    assert dictionary["links", "type"][2] == "one of FS, SS, FF, SF"
    assert dictionary["risks", "probability"][3] == "fraction 0-1"


def test_cells_are_formatted(mini, tmp_path):
    book = openpyxl.load_workbook(pio.write_excel(mini, tmp_path / "m.xlsx"))
    tasks = book["tasks"]
    header = [c.value for c in tasks[1]]
    assert header == list(mini.tasks.columns)
    assert all(c.font.b for c in tasks[1])
    assert tasks.freeze_panes == "A2"
    assert tasks.auto_filter.ref == f"A1:K{len(mini.tasks) + 1}"
    col = {name: i for i, name in enumerate(header)}
    first = tasks[2]
    # A1: Design, 5 d, 2026-01-05 .. 2026-01-09, 1000, not a milestone (tasks.csv row 2).
    start = first[col["baseline_start"]]
    assert start.value == dt.datetime(2026, 1, 5) and start.is_date
    assert start.number_format == "yyyy-mm-dd"
    budget = first[col["budget"]]
    assert budget.value == 1000 and budget.data_type == "n"
    assert budget.number_format == "#,##0.00"
    milestone = first[col["milestone"]]
    assert milestone.value is False and milestone.data_type == "b"
    assert tasks.column_dimensions["C"].width >= len("name") + 2
    status = book["status"]
    pct = [c.value for c in status[1]].index("percent_complete")
    assert status.cell(2, pct + 1).number_format == '0.0"%"'
    risks = book["risks"]
    prob = [c.value for c in risks[1]].index("probability")
    assert risks.cell(2, prob + 1).number_format == "0.0%"
    assert risks.cell(2, prob + 1).value == mini.risks["probability"].iloc[0]


def test_user_columns_and_escapes_survive(mini, tmp_path):
    tasks = mini.tasks.copy()
    tasks["note"] = ["line1\r\nline2", "_x0041_ stays", "tab\tinside", None,
                     *[f"n{i}" for i in range(len(tasks) - 4)]]
    tasks.loc[0, "name"] = "Carriage\rreturn"
    pf = from_tables(_tables(mini) | {"tasks": tasks}, name=mini.name)
    again = pio.read_excel(pio.write_excel(pf, tmp_path / "x.xlsx"))
    notes = [None if pd.isna(v) else v for v in again.tasks["note"]]
    assert notes[:4] == ["line1\r\nline2", "_x0041_ stays", "tab\tinside", None]
    assert again.tasks.loc[0, "name"] == "Carriage\rreturn"


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20).filter(
    lambda s: s.strip() != "")


@settings(max_examples=15)
@given(names=st.lists(_TEXT, min_size=1, max_size=9),
       budgets=st.lists(st.floats(min_value=0, max_value=1e12, allow_nan=False),
                        min_size=1, max_size=9),
       holidays=st.lists(st.tuples(st.dates(dt.date(1950, 1, 1), dt.date(2019, 12, 31)),
                                   st.one_of(st.none(), _TEXT)),
                         max_size=5, unique_by=lambda x: x[0]),
       description=st.one_of(st.none(), _TEXT, st.sampled_from(PAYLOADS)))
def test_random_cells_round_trip(mini, tmp_path_factory, names, budgets, holidays,
                                 description):
    tasks = mini.tasks.copy()
    n = len(tasks)
    tasks["name"] = [names[i % len(names)] for i in range(n)]
    tasks["budget"] = [budgets[i % len(budgets)] for i in range(n)]
    tasks["remark"] = [names[-1 - i % len(names)] for i in range(n)]  # a user column
    projects = mini.projects.copy()
    projects.loc[0, "description"] = description
    calendar = pd.concat([mini.holidays, pd.DataFrame(
        {"date": [pd.Timestamp(d) for d, _ in holidays],
         "name": [t for _, t in holidays]})], ignore_index=True)
    pf = from_tables(_tables(mini) | {"tasks": tasks, "projects": projects,
                                      "calendar": calendar}, name=mini.name)
    path = tmp_path_factory.mktemp("cells") / "random.xlsx"
    again = pio.read_excel(pio.write_excel(pf, path))
    # 16 significant digits are stored (openpyxl), so floats agree to 1e-15 relative.
    _assert_same_portfolio(again, pf, check_exact=False, rtol=1e-15)
    assert again.tasks["name"].tolist() == pf.tasks["name"].tolist()


# ----------------------------------------------------------------------------------------
# Formula injection
# ----------------------------------------------------------------------------------------
def _injected(mini):
    tasks = mini.tasks.copy()
    tasks.loc[:3, "name"] = PAYLOADS
    links = mini.links.copy()
    links.loc[0, "lag"] = -2.0  # a lead: a negative number stays a number
    return from_tables(_tables(mini) | {"tasks": tasks, "links": links}, name=mini.name)


def test_formula_text_is_written_as_quote_prefixed_text(mini, tmp_path):
    pf = _injected(mini)
    path = pio.write_excel(pf, tmp_path / "inj.xlsx")
    book = openpyxl.load_workbook(path)
    names = [row[2] for row in book["tasks"].iter_rows(min_row=2, max_row=5)]
    assert [c.value for c in names] == PAYLOADS
    assert [c.data_type for c in names] == ["s"] * 4
    assert all(c.quotePrefix for c in names)
    plain = book["tasks"].cell(2, 1)  # the ID A1
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("A1", "s", False)
    lag = book["links"].cell(2, 4)
    assert (lag.value, lag.data_type) == (-2, "n")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    again = pio.read_excel(path)
    assert again.tasks["name"].tolist()[:4] == PAYLOADS
    assert again.links.loc[0, "lag"] == -2.0


def test_resaved_workbook_still_reads_the_text(mini, tmp_path):
    """After a spreadsheet program saves it again (openpyxl here: shared strings)."""
    path = pio.write_excel(_injected(mini), tmp_path / "inj.xlsx")
    openpyxl.load_workbook(path).save(path)
    assert pio.read_excel(path).tasks["name"].tolist()[:4] == PAYLOADS


def test_report_tables_are_neutralised(tmp_path):
    frame = pd.DataFrame({"task": [*PAYLOADS, "\tTab", "\rCR", "plain"],
                          "slip": [-2.0, -1, 0, 1.5, float("inf"), None, 3],
                          "finish": pd.to_datetime(["2026-01-05"] * 6 + [None])})
    styled = frame.style.format({"slip": "{:.1f}"}).hide(["finish"], axis="columns")
    path = pio.write_report_tables({"Links": frame, "Styled": styled}, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Links", "Styled"]
    for title in book.sheetnames:
        cells = [row[0] for row in book[title].iter_rows(min_row=2)]
        # openpyxl shows the OOXML escape of the carriage return that Excel decodes.
        assert [c.value for c in cells] == [*PAYLOADS, "\tTab", "_x000D_CR", "plain"]
        assert {c.data_type for c in cells} == {"s"}
        assert [c.quotePrefix for c in cells] == [True] * 6 + [False]
        slips = [row[1] for row in book[title].iter_rows(min_row=2)]
        assert [c.value for c in slips] == [-2, -1, 0, 1.5, "inf", None, 3]
        assert slips[0].data_type == "n"
    assert [c.value for c in book["Styled"][1]] == ["task", "slip"]  # hidden column left out
    finish = book["Links"]["C2"]
    assert finish.value == dt.datetime(2026, 1, 5) and finish.number_format == "yyyy-mm-dd"


def test_sheet_names_are_valid_and_unique(tmp_path):
    frame = pd.DataFrame({"x": [1]})
    keys = ["A very long report table title that goes on", "a very long report table "
            "title that goes on and on", "What? [draft]/v2", "'quoted'", "History"]
    path = pio.write_report_tables(dict.fromkeys(keys, frame), tmp_path / "n.xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["A very long report table title", "a very long report table ti (2)",
                     "What_ _draft__v2", "quoted", "History_"]
    assert all(len(n) <= 31 for n in names)


def test_a_bad_report_table_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="report table 'x' is a str"):
        pio.write_report_tables({"x": "not a table"}, tmp_path / "bad.xlsx")


def test_report_workbook_of_the_mini_portfolio(mini, tmp_path):
    path = pio.report_workbook(mini, "2026-02", tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Project indicators", "Schedule status", "Top risks",
                               "Over-allocations", "Links at risk"]
    about = {r[0].value: r[1].value for r in book["About"].iter_rows(min_row=2)}
    assert about["status month"] == "2026-02" and about["currency"] == "EUR"
    table = evm.performance_table(mini, "2026-02")
    sheet = book["Project indicators"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["level", "id", "name", "programme"]
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    total = rows["portfolio", "Total"]
    assert total[header.index("bac")] == pytest.approx(table.loc[("portfolio", "Total"), "bac"])
    assert total[header.index("ev")] == pytest.approx(table.loc[("portfolio", "Total"), "ev"])
    assert sheet.cell(2, header.index("bac") + 1).number_format == "#,##0.00"
    assert sheet.cell(2, header.index("spi") + 1).number_format == "0.00"


def test_report_workbook_of_the_sample_has_the_candidate_ranking(sample, tmp_path):
    book = openpyxl.load_workbook(pio.report_workbook(sample, "2026-10", tmp_path / "r.xlsx"))
    assert book.sheetnames[-1] == "Candidate ranking"
    sheet = book["Candidate ranking"]
    assert sheet.max_row == len(sample.candidates) + 1
    assert [c.value for c in sheet[1]][:2] == ["id", "name"]
    risks = book["Top risks"]
    emv = [c.value for c in risks[1]].index("emv")
    values = [r[emv] for r in risks.iter_rows(min_row=2, values_only=True)]
    assert values == sorted(values, reverse=True) and len(values) == excel.TOP_RISKS
    assert risks["A1"].value == "rank"


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(MissingDataError, match=r"nope\.xlsx: workbook not found"):
        pio.read_excel(tmp_path / "nope.xlsx")


def test_missing_required_sheet(mini, tmp_path):
    path = pio.write_excel(mini, tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    del book["tasks"]
    book.save(path)
    with pytest.raises(MissingDataError,
                       match=r"m\.xlsx, sheet 'tasks': sheet not found; a portfolio needs "
                       r"the sheets projects, tasks"):
        pio.read_excel(path)


def test_missing_required_column(mini, tmp_path):
    path = pio.write_excel(mini, tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    book["tasks"].delete_cols(5)  # duration
    book.save(path)
    with pytest.raises(MissingDataError, match=r"m\.xlsx, sheet 'tasks', row 1, column "
                       r"'duration': required column is missing"):
        pio.read_excel(path)


def test_bad_value_names_file_sheet_row_and_id(mini, tmp_path):
    path = pio.write_excel(mini, tmp_path / "m.xlsx")
    _edit(path, "tasks", "E3", -3)  # row 3 is task A2's duration
    with pytest.raises(DataValidationError) as err:
        pio.read_excel(path)
    assert str(err.value) == (f"{path}, sheet 'tasks', row 3, ID 'A2', column 'duration': "
                              "-3 is below the minimum 0 (it cannot be negative)")


def test_unparsable_date_and_unknown_reference(mini, tmp_path):
    path = pio.write_excel(mini, tmp_path / "m.xlsx")
    _edit(path, "tasks", "F2", "next week")
    with pytest.raises(DataValidationError, match=r"sheet 'tasks', row 2, ID 'A1', column "
                       r"'baseline_start': 'next week' is not a date"):
        pio.read_excel(path)
    path = pio.write_excel(mini, tmp_path / "m2.xlsx")
    _edit(path, "links", "B2", "NOPE")
    with pytest.raises(DataValidationError, match=r"sheet 'links', row 2.*NOPE"):
        pio.read_excel(path)


def test_formula_cell_is_refused(mini, tmp_path):
    path = pio.write_excel(mini, tmp_path / "m.xlsx")
    _edit(path, "tasks", "H3", "=2*1000")
    with pytest.raises(DataValidationError, match=r"sheet 'tasks', row 3, ID 'A2', column "
                       r"'budget': cell H3 holds a formula"):
        pio.read_excel(path)


@pytest.mark.parametrize("content", [
    b"\x00\x01binary garbage" * 50,
    b"id,name\nP1,Pilot\n",
    b"PK\x03\x04truncated",
])
def test_not_an_xlsx_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataValidationError, match=r"bad\.xlsx: cannot be read as an Excel "
                       r"workbook \(\.xlsx\)"):
        pio.read_excel(path)


def test_truncated_and_foreign_zip_are_clear_errors(mini, tmp_path):
    whole = pio.write_excel(mini, tmp_path / "m.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataValidationError, match="cannot be read as an Excel workbook"):
        pio.read_excel(cut)
    buffer = stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    other = tmp_path / "other.xlsx"
    other.write_bytes(buffer.getvalue())
    with pytest.raises(DataValidationError, match="cannot be read as an Excel workbook"):
        pio.read_excel(other)


def test_a_folder_or_an_xls_name_is_refused(tmp_path):
    with pytest.raises(MissingDataError, match="is not a file"):
        pio.read_excel(tmp_path)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(DataValidationError, match=r"old\.xls: cannot be read"):
        pio.read_excel(old)


def test_neutralisation_helpers():
    assert [excel._is_dangerous(t) for t in ("=1", "+1", "-1", "@a", "\tx", "\rx", " =1",
                                               "a=1", "1-2", "")] == \
        [True] * 7 + [False] * 3
    for text in ("_x0041_", "a\rb", "\x01", "_x005F_", "__x1234__"):
        assert excel._unescape_text(excel._escape_text(text)) == text
