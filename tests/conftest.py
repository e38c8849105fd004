"""Shared fixtures: the hand-checked mini portfolio and a writable copy of it."""

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from pmo_lib import SAMPLE_DATA, load_portfolio

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

# No per-example deadline (CI machines are slow and shared); in CI, the same examples every run.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def mini():
    """The mini portfolio (tests/data/mini), loaded once."""
    return load_portfolio(MINI)


@pytest.fixture
def mini_copy(tmp_path):
    """A writable copy of tests/data/mini, with a helper to change one cell or drop a column."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


@pytest.fixture(scope="session")
def sample():
    if not (SAMPLE_DATA / "projects.csv").exists():
        pytest.skip("datasets/sample not generated")
    return load_portfolio(SAMPLE_DATA)


def edit_csv(folder: Path, table: str, row: int, column: str, value) -> None:
    """Set one cell of ``folder/table.csv``; ``row`` is the spreadsheet row (header = 1)."""
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if row - 2 >= len(df):
        df.loc[row - 2] = [""] * len(df.columns)
    df.loc[row - 2, column] = str(value)
    df.to_csv(path, index=False)


def append_csv(folder: Path, table: str, **values) -> int:
    """Append a row to ``folder/table.csv``; returns its spreadsheet row number."""
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[len(df)] = [str(values.get(c, "")) for c in df.columns]
    df.to_csv(path, index=False)
    return len(df) + 1
