"""The set-up promises: pyproject and environment.yml agree, the README's two commands exist."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = {}
    for item in env["dependencies"]:
        if isinstance(item, str):
            m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", item)
            deps[m.group(1).lower()] = m.group(2).replace(" ", "")
    return deps


#: PyPI names whose conda-forge package is named differently.
CONDA_NAMES = {"ortools": "ortools-python"}


def test_environment_yml_mirrors_pyproject():
    project = _pyproject()["project"]
    wanted = project["dependencies"] + [
        spec for extra in project["optional-dependencies"].values() for spec in extra]
    env = _environment()
    for spec in wanted:
        req = Requirement(spec)
        name = CONDA_NAMES.get(req.name.lower(), req.name.lower())
        assert name in env, f"{req.name} is in pyproject.toml but not environment.yml"
        env_spec = ",".join(sorted(env[name].split(",")))
        py_spec = ",".join(sorted(str(req.specifier).split(",")))
        assert env_spec == py_spec, f"{req.name}: pyproject {py_spec!r} vs environment.yml {env_spec!r}"
    extra = set(env) - {CONDA_NAMES.get(Requirement(s).name.lower(), Requirement(s).name.lower())
                        for s in wanted} - {"python", "pip"}
    assert not extra, f"environment.yml lists packages pyproject.toml does not: {sorted(extra)}"
    assert env["python"] == ">=" + project["requires-python"].removeprefix(">=")


def test_console_script_and_python_version():
    project = _pyproject()["project"]
    assert project["scripts"]["pmo"] == "pmo_lib.cli:main"
    assert project["requires-python"] == ">=3.11"


def test_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)\s*$", quick, flags=re.M)
    assert commands == ["make report", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("report", "test", "lab"):
        assert re.search(rf"^{target}:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_reports_folder_is_ignored():
    # Anchored, so notebooks/reports/ (the report notebook) is still tracked.
    assert "/reports/" in (ROOT / ".gitignore").read_text().splitlines()
