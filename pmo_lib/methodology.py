"""Methodology templates: life cycles, gates, RACI, plan skeletons, gate compliance, charters.

A PMO standardises how projects are run. This module holds that standard as data: a
*methodology template* is a YAML file with the life cycle's phases (and each phase's typical
share of the effort and its deliverables), the gates between phases (entry and exit criteria,
required deliverables, approving role), the roles and a RACI matrix over the deliverables, the
communication rules and, for agile and hybrid templates, the events, artefacts and metrics.
Five templates are shipped in ``pmo_lib/templates/`` (:func:`list_templates`): ``waterfall``,
``v_model``, ``scrum``, ``kanban`` and ``hybrid``; organisations tailor them or write their own.

What the module does with a template:

* :func:`load_template` / :func:`validate_template`: read, compose (``extends``) and validate;
* :func:`compare_templates`, :func:`phase_shares`: several templates side by side (counts,
  life cycle, each phase's share of the effort and the gates that close it);
* :func:`instantiate`: a project plan skeleton the schedule engine (:func:`~pmo_lib.schedule.cpm`)
  accepts: WBS, tasks, links, gate milestones and durations from the shares;
* :func:`deliverable_compliance`, :func:`gate_compliance`, :func:`portfolio_compliance`: which
  gate deliverables are met, missing or overdue, and whether the right role approved them;
* :func:`charter`: the project charter in HTML or Markdown (Jinja2);
* :func:`stakeholder_register`, :func:`communication_plan`, :func:`search_lessons`: the
  collaboration registers;
* :func:`recommend_approach`: the "which approach fits?" questionnaire (:func:`questionnaire`).

Template files
--------------
Validated against the JSON Schema ``templates/template.schema.json`` (structure, types, the
allowed values) and then against the rules the schema cannot express: the phase shares add up
to 100 %; IDs are unique (deliverable IDs across all phases); a gate closes an existing phase,
is approved by an existing role and requires deliverables produced by that phase or an earlier
one; the RACI matrix names existing deliverables and roles, every deliverable has a row and
each row has exactly one Accountable (``A``); events, artefacts and communications name
existing roles; a V-model verification phase ``verifies`` an earlier development phase, at the
same ``level``, and its ``test_basis`` is a deliverable of that phase. Every problem is reported
at once in a :class:`~pmo_lib.errors.DataValidationError` whose items
(:class:`TemplateProblem`) name the file, the line when known and the key path, e.g.
``v_model.yaml, line 112, key 'phases[2].share': ...``.

Composition (``extends``)
-------------------------
A template may declare ``extends: <name or path>`` (or a list of them). The bases are loaded
(recursively), merged in order, then the file itself is merged on top; only the result is
validated, so a base may be a partial fragment. Merge rules, after JSON Merge Patch (RFC 7386)
and Kubernetes' strategic merge patch:

1. two mappings merge key by key, recursively; a key set to ``null`` is removed;
2. two lists of mappings that all have an ``id`` merge by ``id``: an item with a known ``id``
   is merged into it (rule 1) and keeps its place, a new item is appended; ``$delete: true``
   removes the item, ``$after: <id>`` or ``$before: <id>`` places it (new or moved);
3. anything else (a scalar, a list of scalars, an empty list, ``{$replace: value}``) replaces
   the inherited value;
4. ``name`` is never inherited: it defaults to the file name without its extension.

A base written as a bare name (``waterfall``) is a shipped template; one ending in ``.yaml`` or
``.yml`` or containing a ``/`` is a path relative to the extending file. ``hybrid.yaml`` is
composed this way from ``waterfall`` and ``scrum``.

References
----------
PMI, *A Guide to the Project Management Body of Knowledge (PMBOK Guide)*, 7th ed., 2021.
AXELOS, *Managing Successful Projects with PRINCE2*, 7th ed., 2023; *PRINCE2 Agile*, 2024.
K. Schwaber and J. Sutherland, *The Scrum Guide*, 2020. J. Coleman and D. Vacanti, *The Kanban
Guide*, 2020. B. Boehm and R. Turner, *Balancing Agility and Discipline*, 2004.
A. Mendelow, "Environmental scanning: the impact of the stakeholder concept", ICIS 1981.
IETF RFC 7386, *JSON Merge Patch*, 2014.
"""

from __future__ import annotations

import copy
import itertools
import json
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
import jsonschema
import numpy as np
import pandas as pd
import yaml

from .calendar import WorkCalendar
from .errors import DataValidationError, MissingDataError, Problem
from .schedule import cpm

__all__ = [
    "APPROACHES",
    "CHARTER_FORMATS",
    "COMPLIANCE_STATES",
    "DELIVERABLE_STATUSES",
    "GATE_STATES",
    "LESSON_COLUMNS",
    "QUADRANTS",
    "RACI_CODES",
    "REGISTER_COLUMNS",
    "STAKEHOLDER_COLUMNS",
    "ProjectInfo",
    "ProjectPlan",
    "Recommendation",
    "Template",
    "TemplateProblem",
    "charter",
    "communication_plan",
    "compare_templates",
    "deliverable_compliance",
    "gate_compliance",
    "grid_quadrant",
    "instantiate",
    "list_templates",
    "load_template",
    "phase_shares",
    "portfolio_compliance",
    "questionnaire",
    "recommend_approach",
    "search_lessons",
    "stakeholder_register",
    "validate_template",
]

#: The shipped templates the questionnaire chooses among, in tie-breaking order.
APPROACHES = ("waterfall", "v_model", "scrum", "kanban", "hybrid")
#: RACI codes: Responsible, Accountable (exactly one per deliverable), Consulted, Informed.
RACI_CODES = ("R", "A", "C", "I")
#: Quadrants of the influence/interest grid (Mendelow), high-high first.
QUADRANTS = ("manage closely", "keep satisfied", "keep informed", "monitor")
#: Values of the ``status`` column of a deliverables register, in workflow order. "waived"
#: means the approver agreed the deliverable is not needed; it counts as approved.
DELIVERABLE_STATUSES = ("not_started", "draft", "submitted", "approved", "waived")
#: States of a required deliverable at a gate (:func:`deliverable_compliance`).
COMPLIANCE_STATES = ("met", "missing", "overdue", "wrong_approver")
#: States of a gate (:func:`gate_compliance`).
GATE_STATES = ("met", "open", "overdue")
#: Output formats of :func:`charter`.
CHARTER_FORMATS = ("html", "markdown")
#: Columns of a deliverables register.
REGISTER_COLUMNS = ("project_id", "deliverable", "status", "approved_by", "date")
#: Required columns of a stakeholder register (other columns are kept).
STAKEHOLDER_COLUMNS = ("id", "name", "role", "influence", "interest")
#: Columns of a lessons-learned register.
LESSON_COLUMNS = ("id", "project_id", "phase", "category", "lesson", "recommendation", "date")

_APPROVED = ("approved", "waived")
_QUESTIONNAIRE = "questionnaire"
_NOT_TEMPLATES = {_QUESTIONNAIRE}
_SCHEMA = "template.schema.json"
_DIRECTIVES = ("$delete", "$after", "$before")


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateProblem(Problem):
    """A :class:`~pmo_lib.errors.Problem` in a template file: ``row`` is the YAML line (None
    when unknown) and ``column`` the key path, e.g. ``phases[2].share``."""

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.id is not None:
            where.append(f"ID {self.id!r}")
        if self.column:
            where.append(f"key {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


def _problem(file: str, key: str | None, message: str, lines: Mapping[str, int] | None = None
             ) -> TemplateProblem:
    return TemplateProblem(file, _line_of(key, lines or {}), None, key, message)


def _fail(problems: list[Problem], kind: type[DataValidationError] = DataValidationError):
    if problems:
        raise kind(problems)


# ----------------------------------------------------------------------------------------
# YAML reading, with line numbers and duplicate keys caught
# ----------------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """Safe YAML loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "invalid YAML"
        if exc.context and exc.context not in detail:
            detail = f"{exc.context}: {detail}"
        raise DataValidationError(TemplateProblem(
            file, mark.line + 1 if mark else None, None, None,
            f"not valid YAML: {detail}")) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error is marked
        raise DataValidationError(TemplateProblem(file, None, None, None,
                                                  f"not valid YAML: {exc}")) from None


def _line_index(text: str) -> dict[str, int]:
    """Key path -> line number of every key and item of a YAML document."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:  # pragma: no cover - the text was parsed before
        return {}
    index: dict[str, int] = {}

    def walk(node, path: str) -> None:
        index.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = _join(path, key.value)
                index[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, _join(path, i))

    if root is not None:
        walk(root, "")
    return index


def _line_of(key: str | None, lines: Mapping[str, int]) -> int | None:
    """Line of ``key`` or, if it is absent (a missing key), of its nearest parent."""
    while key:
        if key in lines:
            return lines[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return None


# ----------------------------------------------------------------------------------------
# Shipped files and composition
# ----------------------------------------------------------------------------------------
def _shipped() -> Traversable:
    return resources.files("pmo_lib") / "templates"


def list_templates() -> list[str]:
    """Names of the shipped methodology templates, sorted.

    Returns
    -------
    list of str
        Each name can be passed to :func:`load_template`.

    Examples
    --------
    >>> list_templates()
    ['hybrid', 'kanban', 'scrum', 'v_model', 'waterfall']
    """
    names = [f.name.removesuffix(".yaml") for f in _shipped().iterdir()
             if f.name.endswith(".yaml")]
    return sorted(n for n in names if n not in _NOT_TEMPLATES)


@dataclass(frozen=True)
class _Source:
    """A template file: its display name (for messages), where to read it, its folder."""

    display: str
    file: Traversable
    folder: Traversable
    stem: str

    @property
    def key(self) -> str:
        return str(self.file)


def _source(ref: str | Path, relative_to: Traversable | None = None) -> _Source | None:
    """Resolve a template reference: a shipped name, or a path (relative to ``relative_to``)."""
    text = str(ref)
    is_path = isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or "/" in text \
        or "\\" in text
    if not is_path:
        if text in list_templates():
            return _Source(f"{text}.yaml", _shipped() / f"{text}.yaml", _shipped(), text)
        return None
    if relative_to is not None and not Path(text).is_absolute():
        file = relative_to.joinpath(text)
        folder = file.parent if isinstance(file, Path) else relative_to
    else:
        file, folder = Path(text), Path(text).parent
    stem = Path(text).name.rsplit(".", 1)[0]
    return _Source(str(ref), file, folder, stem)


def _load_document(src: _Source, stack: tuple[str, ...] = ()) -> tuple[dict, dict[str, int]]:
    """Read a template file and resolve its ``extends``: the merged document and, when the
    file has no ``extends`` (so its key paths are those of the result), its line index."""
    if src.key in stack:
        chain = " -> ".join([*(Path(s).name for s in stack), Path(src.key).name])
        raise DataValidationError(_problem(src.display, "extends", f"extends cycle: {chain}"))
    if not src.file.is_file():
        raise MissingDataError(TemplateProblem(
            src.display, None, None, None,
            f"template file not found; shipped templates: {', '.join(list_templates())}"))
    text = src.file.read_text(encoding="utf-8")
    doc = _parse_yaml(text, src.display)
    lines = _line_index(text)
    if not isinstance(doc, dict):
        raise DataValidationError(_problem(src.display, None, "a template must be a YAML "
                                           f"mapping (key: value), not {type(doc).__name__}"))
    doc.setdefault("name", src.stem)
    extends = doc.pop("extends", None)
    if extends is None:
        return doc, lines
    refs = [extends] if isinstance(extends, str) else extends
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise DataValidationError(_problem(src.display, "extends", "must be a template name "
                                           "or path, or a list of them", lines))
    merged: dict = {}
    problems: list[Problem] = []
    for i, ref in enumerate(refs):
        where = "extends" if isinstance(extends, str) else f"extends[{i}]"
        base_src = _source(ref, relative_to=src.folder)
        if base_src is None:
            raise DataValidationError(_problem(
                src.display, where, f"unknown template {ref!r}; shipped templates: "
                f"{', '.join(list_templates())} (a file of your own: give its path ending in "
                ".yaml)", lines))
        base, _ = _load_document(base_src, (*stack, src.key))
        merged = _merge(merged, base, "", problems, src.display, {})
    merged.pop("name", None)  # never inherited
    result = _merge(merged, doc, "", problems, src.display, lines)
    _fail(problems)
    return result, {}


def _keyed(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, dict) and "id" in i for i in items)


def _merge(base: Any, over: Any, path: str, problems: list[Problem], file: str,
           lines: Mapping[str, int]) -> Any:
    """Merge ``over`` onto ``base`` (the rules are in the module docstring)."""
    if isinstance(over, dict) and set(over) == {"$replace"}:
        return copy.deepcopy(over["$replace"])
    if isinstance(base, dict) and isinstance(over, dict):
        out = copy.deepcopy(base)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = _merge(out[key], value, _join(path, key), problems, file, lines)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if _keyed(base) and _keyed(over) and over:
        return _merge_list(base, over, path, problems, file, lines)
    return copy.deepcopy(over)


def _merge_list(base: list, over: list, path: str, problems: list[Problem], file: str,
                lines: Mapping[str, int]) -> list:
    items = copy.deepcopy(base)

    def find(item_id) -> int | None:
        return next((i for i, it in enumerate(items) if it["id"] == item_id), None)

    for j, raw in enumerate(over):
        where = _join(path, j)
        item = dict(raw)
        delete, after, before = (item.pop(k, None) for k in _DIRECTIVES)
        ids = ", ".join(str(it["id"]) for it in items)
        at = find(item["id"])
        if delete:
            if at is None:
                problems.append(_problem(file, _join(where, "$delete"),
                                         f"cannot delete {item['id']!r}: no such id in the "
                                         f"inherited list ({ids})", lines))
            else:
                del items[at]
            continue
        if after is not None and before is not None:
            problems.append(_problem(file, where, "give $after or $before, not both", lines))
            continue
        if at is None:
            new = copy.deepcopy(item)
        else:
            new = _merge(items.pop(at), item, where, problems, file, lines)
        anchor = after if after is not None else before
        if anchor is None:
            items.insert(len(items) if at is None else at, new)
            continue
        pos = find(anchor)
        if pos is None:
            problems.append(_problem(file, _join(where, "$after" if after is not None else
                                                 "$before"),
                                     f"unknown id {anchor!r}; ids: {ids}", lines))
            items.insert(len(items) if at is None else at, new)
            continue
        items.insert(pos + 1 if after is not None else pos, new)
    return items


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------
@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads((_shipped() / _SCHEMA).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "anyOf":
        return "needs one of: " + "; or ".join(e.message for e in error.context)
    if error.validator == "pattern":
        return (f"{error.instance!r} is not a valid id: use letters, digits and _ (and - in "
                "a template name), starting with a letter")
    return error.message


def _schema_problems(doc: dict, file: str, lines: Mapping[str, int]) -> list[Problem]:
    errors = sorted(_validator().iter_errors(doc),
                    key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for err in errors:
        key = ""
        for part in err.absolute_path:
            key = _join(key, part)
        out.append(_problem(file, key or None, _schema_message(err), lines))
    return out


def _unique(items: list[dict], path: str, what: str) -> list[tuple[str, str]]:
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        if item["id"] in seen:
            out.append((f"{path}[{i}].id", f"duplicate {what} id {item['id']!r} (first at "
                        f"{path}[{seen[item['id']]}])"))
        seen.setdefault(item["id"], i)
    return out


def _semantic_problems(doc: dict) -> list[tuple[str, str]]:
    """The rules the JSON Schema cannot express, as (key path, message) pairs."""
    out: list[tuple[str, str]] = []
    roles = [r["id"] for r in doc["roles"]]
    phases = doc["phases"]
    phase_ids = [p["id"] for p in phases]
    out += _unique(doc["roles"], "roles", "role")
    out += _unique(phases, "phases", "phase")

    def role_check(value: str, key: str) -> None:
        if value not in roles:
            out.append((key, f"unknown role {value!r}; roles: {', '.join(roles)}"))

    made_in: dict[str, int] = {}  # deliverable -> index of the phase that produces it
    for i, phase in enumerate(phases):
        for j, d in enumerate(phase["deliverables"]):
            if d["id"] in made_in:
                out.append((f"phases[{i}].deliverables[{j}].id",
                            f"duplicate deliverable id {d['id']!r} (also in phase "
                            f"{phase_ids[made_in[d['id']]]!r})"))
            made_in.setdefault(d["id"], i)
    total = sum(p["share"] for p in phases)
    if abs(total - 100) > 1e-6:
        listing = ", ".join(f"{p['id']} {p['share']:g}" for p in phases)
        out.append(("phases", f"the phase shares add up to {total:g} %, not 100 % ({listing})"))

    # V-model pairs.
    verified_by: dict[str, str] = {}
    for i, phase in enumerate(phases):
        target = phase.get("verifies")
        if target is None:
            if "test_basis" in phase:
                out.append((f"phases[{i}].test_basis", "a test basis needs 'verifies' (the "
                            "development phase it verifies)"))
            continue
        key = f"phases[{i}].verifies"
        if target not in phase_ids:
            out.append((key, f"unknown phase {target!r}; phases: {', '.join(phase_ids)}"))
            continue
        k = phase_ids.index(target)
        if k >= i:
            out.append((key, f"phase {target!r} must come before the phase that verifies it"))
        if target in verified_by:
            out.append((key, f"phase {target!r} is already verified by "
                        f"{verified_by[target]!r}"))
        verified_by.setdefault(target, phase["id"])
        level, target_level = phase.get("level"), phases[k].get("level")
        if level is not None and target_level is not None and level != target_level:
            out.append((f"phases[{i}].level", f"level {level} differs from level "
                        f"{target_level} of the phase it verifies, {target!r}"))
        basis = phase.get("test_basis")
        own = [d["id"] for d in phases[k]["deliverables"]]
        if basis is not None and basis not in own:
            out.append((f"phases[{i}].test_basis", f"{basis!r} is not a deliverable of the "
                        f"verified phase {target!r} ({', '.join(own)})"))

    out += _unique(doc["gates"], "gates", "gate")
    for i, gate in enumerate(doc["gates"]):
        after = gate["after"]
        if after not in phase_ids:
            out.append((f"gates[{i}].after", f"unknown phase {after!r}; phases: "
                        f"{', '.join(phase_ids)}"))
        role_check(gate["approver"], f"gates[{i}].approver")
        for j, d in enumerate(gate["deliverables"]):
            key = f"gates[{i}].deliverables[{j}]"
            if d not in made_in:
                out.append((key, f"unknown deliverable {d!r}; deliverables: "
                            f"{', '.join(made_in)}"))
            elif after in phase_ids and made_in[d] > phase_ids.index(after):
                out.append((key, f"{d!r} is produced in phase {phase_ids[made_in[d]]!r}, "
                            f"after the gate's phase {after!r}"))

    raci = doc["raci"]
    for d, row in raci.items():
        if d not in made_in:
            out.append((f"raci.{d}", f"unknown deliverable {d!r}; deliverables: "
                        f"{', '.join(made_in)}"))
        for role in row:
            role_check(role, f"raci.{d}.{role}")
        accountable = [r for r, code in row.items() if code == "A"]
        if len(accountable) != 1:
            found = (f"{len(accountable)} ({', '.join(accountable)})" if accountable
                     else "none")
            out.append((f"raci.{d}", f"exactly one role must be Accountable (A); found "
                        f"{found}"))
    for d in made_in:
        if d not in raci:
            out.append((f"raci.{d}", f"deliverable {d!r} has no RACI row; give each "
                        "deliverable one, with exactly one Accountable (A)"))

    for section in ("events", "artefacts", "metrics", "communications"):
        out += _unique(doc.get(section, []), section, section.rstrip("s"))
    for i, event in enumerate(doc.get("events", [])):
        for j, role in enumerate(event.get("participants", [])):
            role_check(role, f"events[{i}].participants[{j}]")
    for i, artefact in enumerate(doc.get("artefacts", [])):
        if "owner" in artefact:
            role_check(artefact["owner"], f"artefacts[{i}].owner")
    for i, comm in enumerate(doc.get("communications", [])):
        role_check(comm["owner"], f"communications[{i}].owner")
        for j, role in enumerate(comm.get("audience_roles", [])):
            role_check(role, f"communications[{i}].audience_roles[{j}]")
    return out


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


# ----------------------------------------------------------------------------------------
# The Template object
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Template:
    """A validated methodology template (read-only).

    Attributes
    ----------
    name : str
        Template name, e.g. ``"waterfall"``.
    title, description : str
        Human-readable title and summary.
    approach : str
        ``predictive``, ``agile`` or ``hybrid`` (PMBOK Guide development approaches).
    methodology : str
        The matching value of ``projects.methodology`` (:data:`~pmo_lib.model.METHODOLOGIES`).
    source : str
        The file it was loaded from (a shipped template: its file name).
    spec : mapping
        The resolved, validated document (``extends`` applied), read-only; :meth:`to_dict`
        returns an editable copy.

    The tables below are built on access; list-valued cells hold tuples.
    """

    name: str
    title: str
    description: str
    approach: str
    methodology: str
    source: str
    spec: Mapping[str, Any] = field(repr=False, compare=False, hash=False)

    @classmethod
    def _from_document(cls, doc: dict, source: str) -> Template:
        return cls(name=doc["name"], title=doc["title"], description=doc["description"],
                   approach=doc["approach"], methodology=doc["methodology"], source=source,
                   spec=_freeze(doc))

    def to_dict(self) -> dict:
        """The resolved document as plain dicts and lists (a copy, safe to edit and dump)."""
        return _thaw(self.spec)

    @property
    def is_agile(self) -> bool:
        """True for agile and hybrid templates (they define events, artefacts, metrics)."""
        return self.approach in ("agile", "hybrid")

    @property
    def roles(self) -> pd.DataFrame:
        """Roles: ``id``, ``name``, ``description``."""
        return pd.DataFrame([{"id": r["id"], "name": r["name"],
                              "description": r.get("description", "")}
                             for r in self.spec["roles"]], columns=["id", "name", "description"])

    @property
    def phases(self) -> pd.DataFrame:
        """Phases in life-cycle order: ``id``, ``name``, ``share`` (typical share of the
        effort) [%], ``deliverables`` (tuple of ids), ``level`` (V-model level or NA),
        ``verifies`` (the phase a V-model verification phase verifies, or None),
        ``test_basis`` (deliverable, or None), ``description``."""
        cols = ["id", "name", "share", "deliverables", "level", "verifies", "test_basis",
                "description"]
        rows = [{"id": p["id"], "name": p["name"], "share": float(p["share"]),
                 "deliverables": tuple(d["id"] for d in p["deliverables"]),
                 "level": p.get("level"), "verifies": p.get("verifies"),
                 "test_basis": p.get("test_basis"), "description": p.get("description", "")}
                for p in self.spec["phases"]]
        df = pd.DataFrame(rows, columns=cols)
        df["level"] = df["level"].astype("Int64")
        return df

    @property
    def deliverables(self) -> pd.DataFrame:
        """Deliverables in life-cycle order: ``id``, ``name``, ``phase`` (the phase that
        produces it), ``weight`` (relative effort within the phase), ``accountable`` (the
        role with ``A`` in the RACI matrix), ``description``."""
        raci = self.spec["raci"]
        rows = [{"id": d["id"], "name": d["name"], "phase": p["id"],
                 "weight": float(d.get("weight", 1.0)),
                 "accountable": next(r for r, c in raci[d["id"]].items() if c == "A"),
                 "description": d.get("description", "")}
                for p in self.spec["phases"] for d in p["deliverables"]]
        return pd.DataFrame(rows, columns=["id", "name", "phase", "weight", "accountable",
                                           "description"])

    @property
    def gates(self) -> pd.DataFrame:
        """Gates in life-cycle order: ``id``, ``name``, ``after`` (the phase it closes),
        ``approver`` (role id), ``deliverables``, ``entry_criteria``, ``exit_criteria``
        (tuples)."""
        cols = ["id", "name", "after", "approver", "deliverables", "entry_criteria",
                "exit_criteria"]
        rows = [{"id": g["id"], "name": g["name"], "after": g["after"],
                 "approver": g["approver"], "deliverables": tuple(g["deliverables"]),
                 "entry_criteria": tuple(g.get("entry_criteria", ())),
                 "exit_criteria": tuple(g.get("exit_criteria", ()))}
                for g in self._ordered_gates()]
        return pd.DataFrame(rows, columns=cols)

    def _ordered_gates(self) -> list[Mapping]:
        order = {p["id"]: i for i, p in enumerate(self.spec["phases"])}
        return sorted(self.spec["gates"], key=lambda g: order[g["after"]])

    @property
    def raci(self) -> pd.DataFrame:
        """The RACI matrix, tidy: one row per deliverable and role with a code:
        ``deliverable``, ``role``, ``code`` (one of :data:`RACI_CODES`)."""
        rows = [{"deliverable": d, "role": role, "code": code}
                for d in self.deliverables["id"]
                for role, code in self.spec["raci"][d].items()]
        return pd.DataFrame(rows, columns=["deliverable", "role", "code"])

    @property
    def raci_matrix(self) -> pd.DataFrame:
        """The RACI matrix as a grid: deliverables (rows, life-cycle order) × roles (columns,
        template order); ``""`` where a role has no part."""
        grid = self.raci.pivot(index="deliverable", columns="role", values="code")
        roles = [r for r in self.roles["id"] if r in grid.columns]
        return grid.reindex(index=list(self.deliverables["id"]), columns=roles).fillna("")

    def _table(self, section: str, cols: list[str]) -> pd.DataFrame:
        rows = [{c: (tuple(item[c]) if isinstance(item.get(c), tuple) else item.get(c, ""))
                 for c in cols} for item in self.spec.get(section, ())]
        return pd.DataFrame(rows, columns=cols)

    @property
    def events(self) -> pd.DataFrame:
        """Events (agile templates): ``id``, ``name``, ``frequency``, ``timebox``,
        ``participants`` (tuple of role ids), ``description``."""
        return self._table("events", ["id", "name", "frequency", "timebox", "participants",
                                      "description"])

    @property
    def artefacts(self) -> pd.DataFrame:
        """Artefacts (agile templates): ``id``, ``name``, ``commitment``, ``owner`` (role),
        ``description``."""
        return self._table("artefacts", ["id", "name", "commitment", "owner", "description"])

    @property
    def metrics(self) -> pd.DataFrame:
        """Metrics (agile templates): ``id``, ``name``, ``definition``, ``unit``,
        ``purpose``."""
        return self._table("metrics", ["id", "name", "definition", "unit", "purpose"])

    @property
    def communications(self) -> pd.DataFrame:
        """Communication rules: ``id``, ``report``, ``owner`` (role), ``audience_roles``,
        ``audience_quadrants`` (tuples), ``frequency``, ``channel``, ``description``."""
        df = self._table("communications", ["id", "report", "owner", "audience_roles",
                                            "audience_quadrants", "frequency", "channel",
                                            "description"])
        for col in ("audience_roles", "audience_quadrants"):
            df[col] = [v if isinstance(v, tuple) else () for v in df[col]]
        return df


def load_template(name_or_path: str | Path | Template) -> Template:
    """Load, compose and validate a methodology template.

    Parameters
    ----------
    name_or_path : str, Path or Template
        A shipped template's name (:func:`list_templates`), or the path of a YAML file (an
        organisation's own template, which may ``extends`` a shipped one). A Template is
        returned as is.

    Returns
    -------
    Template

    Raises
    ------
    MissingDataError
        An unknown template name or a missing file.
    DataValidationError
        Invalid YAML (with the line), or a template that breaks the schema or a rule (see the
        module docstring); every problem names the file and the key path.

    Examples
    --------
    >>> t = load_template("waterfall")
    >>> t.title
    'Waterfall (predictive, stage-gated)'
    >>> t.phases[["id", "share"]].head(3)
                 id  share
    0    initiation    5.0
    1  requirements   15.0
    2        design   15.0
    >>> h = load_template("hybrid")      # composed from waterfall and scrum
    >>> list(h.phases["id"])
    ['initiation', 'inception', 'release_1', 'release_2', 'deployment', 'closure']
    """
    if isinstance(name_or_path, Template):
        return name_or_path
    src = _source(name_or_path)
    if src is None:
        raise MissingDataError(TemplateProblem(
            str(name_or_path), None, None, None,
            f"unknown template; shipped templates: {', '.join(list_templates())} (a file of "
            "your own: give its path ending in .yaml)"))
    doc, lines = _load_document(src)
    problems = _schema_problems(doc, src.display, lines)
    if not problems:
        problems = [_problem(src.display, key, msg, lines)
                    for key, msg in _semantic_problems(doc)]
    _fail(problems)
    return Template._from_document(doc, src.display)


def validate_template(path: str | Path) -> Template:
    """Validate a template file (after composing its ``extends``) and return it.

    Same as :func:`load_template`, named for its use in a PMO's checks (a pre-commit hook or a
    CI step over the organisation's own templates).

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`load_template`.

    Examples
    --------
    >>> validate_template("v_model").name
    'v_model'
    """
    return load_template(path)


# ----------------------------------------------------------------------------------------
# Templates compared
# ----------------------------------------------------------------------------------------
def _templates(names) -> list[Template]:
    """The templates ``names`` (a name, a path, a Template or a list of them) loaded, or the
    :data:`APPROACHES` when None."""
    if names is None:
        names = APPROACHES
    elif isinstance(names, str | Path | Template):
        names = [names]
    return [load_template(n) for n in names]


def compare_templates(names=None) -> pd.DataFrame:
    """The templates side by side: one row per template.

    Parameters
    ----------
    names : str, Template or list of them, optional
        Templates, as :func:`load_template` reads them (default :data:`APPROACHES`).

    Returns
    -------
    DataFrame
        Indexed by template name (``template``): ``title``, ``approach``, ``phases``,
        ``gates``, ``deliverables``, ``roles``, ``events`` (counts) and ``life_cycle`` (the
        phases with their shares, in order).

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`load_template`.

    Examples
    --------
    >>> compare_templates()[["phases", "gates", "events"]].loc["scrum"].tolist()
    [3, 3, 5]
    """
    rows = {t.name: {"title": t.title, "approach": t.approach, "phases": len(t.phases),
                     "gates": len(t.gates), "deliverables": len(t.deliverables),
                     "roles": len(t.roles), "events": len(t.events),
                     "life_cycle": " → ".join(f"{p.name} {p.share:g} %"
                                              for p in t.phases.itertuples())}
            for t in _templates(names)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("template")


def phase_shares(names=None) -> pd.DataFrame:
    """The phases of several templates with their typical share of the effort.

    Parameters
    ----------
    names : str, Template or list of them, optional
        Templates, as :func:`load_template` reads them (default :data:`APPROACHES`).

    Returns
    -------
    DataFrame
        One row per template and phase, in life-cycle order: ``template``, ``phase``,
        ``name``, ``share`` [%], ``start`` (the share of the effort spent before the phase)
        [%] and ``gate`` (the gates that close it, comma-separated, or ``""``).

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`load_template`.

    Examples
    --------
    >>> s = phase_shares(["waterfall"])
    >>> s[["phase", "share", "start", "gate"]].head(3)
              phase  share  start gate
    0    initiation    5.0    0.0   G1
    1  requirements   15.0    5.0   G2
    2        design   15.0   20.0   G3
    """
    parts = []
    for t in _templates(names):
        p = t.phases
        gates = t.gates.groupby("after")["id"].agg(", ".join)
        parts.append(pd.DataFrame({
            "template": t.name, "phase": p["id"], "name": p["name"], "share": p["share"],
            "start": p["share"].cumsum() - p["share"],
            "gate": p["id"].map(gates).fillna("")}))
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------------
# Plan skeleton
# ----------------------------------------------------------------------------------------
def _apportion(total: int, weights, minimum) -> np.ndarray:
    """Split ``total`` whole units in proportion to ``weights`` (largest remainder method),
    with at least ``minimum`` units each; the parts add up to ``total``."""
    w = np.asarray(weights, dtype=float)
    quota = total * w / w.sum()
    alloc = np.floor(quota + 1e-9).astype(np.int64)
    order = np.argsort(-(quota - alloc), kind="stable")
    alloc[order[: total - alloc.sum()]] += 1
    floor = np.broadcast_to(np.asarray(minimum, dtype=np.int64), alloc.shape)
    while (short := np.flatnonzero(alloc < floor)).size:
        donors = np.flatnonzero(alloc > floor)
        give = donors[np.argmax((alloc - quota)[donors])]
        alloc[give] -= 1
        alloc[short[0]] += 1
    return alloc


@dataclass(frozen=True)
class ProjectPlan:
    """A project plan skeleton made by :func:`instantiate`.

    Attributes
    ----------
    project_id, name : str
        The project's ID and name.
    template : Template
        The methodology it follows.
    start : Timestamp
        First working day.
    duration : int
        Planned duration. [d]
    tasks : DataFrame
        The columns of the ``tasks`` table (:data:`~pmo_lib.model.SCHEMAS`): ``id``,
        ``project_id``, ``name``, ``wbs``, ``duration`` [d], ``baseline_start``,
        ``baseline_finish``, ``budget``, ``milestone``, ``constraint_type``,
        ``constraint_date``; plus ``phase`` (phase id), ``deliverable`` (deliverable id or
        None) and ``gate`` (gate id or None).
    links : DataFrame
        ``pred``, ``succ``, ``type`` (FS), ``lag`` [d] and ``kind``: ``sequence`` (the life
        cycle order) or ``verification`` (V-model: test basis → verification phase).
    wbs : DataFrame
        The ``wbs`` table: ``project_id``, ``wbs``, ``name`` (one row per phase).
    calendar : WorkCalendar
        The working calendar the dates were computed with.
    """

    project_id: str
    name: str
    template: Template
    start: pd.Timestamp
    duration: int
    tasks: pd.DataFrame = field(repr=False, compare=False)
    links: pd.DataFrame = field(repr=False, compare=False)
    wbs: pd.DataFrame = field(repr=False, compare=False)
    calendar: WorkCalendar = field(default_factory=WorkCalendar, repr=False)

    @property
    def finish(self) -> pd.Timestamp:
        """Planned finish date (the last working day)."""
        return self.tasks["baseline_finish"].max()

    @property
    def gate_dates(self) -> pd.DataFrame:
        """Gates with their planned dates: ``project_id``, ``gate``, ``name``, ``after``,
        ``approver``, ``task_id`` (the gate's milestone) and ``due_date`` (the milestone's
        date: the last working day of the phase the gate closes)."""
        ms = self.tasks[self.tasks["gate"].notna()].set_index("gate")
        gates = self.template.gates
        return pd.DataFrame({
            "project_id": self.project_id, "gate": gates["id"], "name": gates["name"],
            "after": gates["after"], "approver": gates["approver"],
            "task_id": ms.loc[gates["id"], "id"].to_numpy(),
            "due_date": ms.loc[gates["id"], "baseline_finish"].to_numpy(),
        })

    def schedule(self, **kwargs) -> pd.DataFrame:
        """Schedule the plan with :func:`~pmo_lib.schedule.cpm` (keyword arguments are passed
        on)."""
        return cpm(self.tasks, self.links, calendar=self.calendar, start=self.start, **kwargs)


def instantiate(template: Template | str | Path, name: str, start, *, duration: int,
                project_id: str = "NEW", calendar: WorkCalendar | None = None,
                budget: float = 0.0) -> ProjectPlan:
    """Create a project plan skeleton from a template.

    Parameters
    ----------
    template : Template, str or Path
        The methodology (a template or anything :func:`load_template` accepts).
    name : str
        Project name.
    start : date-like
        Planned start (rolled forward to a working day).
    duration : int
        Planned duration, at least one working day per deliverable. [d]
    project_id : str
        Project ID; task IDs are ``<project_id>-0001``, ``-0002``, ... in WBS order.
    calendar : WorkCalendar, optional
        Working days (default Monday to Friday without holidays).
    budget : float
        Budget to spread over the tasks in proportion to their duration. [cur]

    Returns
    -------
    ProjectPlan
        Tasks, links and WBS in the portfolio table formats; ``schedule()`` runs CPM.

    Raises
    ------
    DataValidationError
        A duration that is not a whole number of working days or is shorter than the number
        of deliverables; a negative budget.

    Notes
    -----
    WBS: phase *k* is ``k``; its deliverables are ``k.1``, ``k.2``, ... (one task each) and the
    gates that close it follow as milestones (duration 0). Every task is linked
    finish-to-start to the next in life-cycle order, so the project finishes exactly
    ``duration`` working days after the start. A V-model verification phase also gets an FS
    link from its test basis (or the last deliverable of the phase it verifies) to its first
    task: the traceability of the V, which the sequence already satisfies.

    Durations: the phase durations are the shares of ``duration``, and the deliverable
    durations the weights of their phase's duration, both rounded by the largest remainder
    (Hamilton) method so they add up exactly; a phase gets at least one day per deliverable
    and a deliverable at least one day, taken from the part furthest above its quota.

    Examples
    --------
    >>> plan = instantiate("waterfall", "Payroll upgrade", "2026-01-05", duration=120,
    ...                    project_id="PAY")
    >>> plan.tasks.groupby("phase", sort=False)["duration"].sum().tolist()
    [6.0, 18.0, 18.0, 42.0, 24.0, 6.0, 6.0]
    >>> plan.tasks[["id", "wbs", "name", "duration"]].head(4)
             id  wbs                     name  duration
    0  PAY-0001  1.1            Business case       3.0
    1  PAY-0002  1.2          Project charter       2.0
    2  PAY-0003  1.3  Project management plan       1.0
    3  PAY-0004  1.4   Gate: Project approval       0.0
    >>> plan.schedule().attrs["project_finish"]
    {'PAY': 120.0}
    """
    tpl = load_template(template)
    phases, deliverables = tpl.phases, tpl.deliverables
    n_deliv = len(deliverables)
    days = float(duration)
    if not np.isfinite(days) or days != round(days) or days < n_deliv:
        raise DataValidationError(Problem(
            "instantiate", None, project_id, "duration",
            f"{duration!r} must be a whole number of working days, at least one per "
            f"deliverable ({n_deliv} in {tpl.name})"))
    if not np.isfinite(budget) or budget < 0:
        raise DataValidationError(Problem("instantiate", None, project_id, "budget",
                                          f"{budget!r} must be a number >= 0"))
    cal = calendar or WorkCalendar()
    start_ts = cal.roll_forward(pd.Timestamp(start))
    counts = phases["deliverables"].map(len).to_numpy()
    phase_days = _apportion(int(days), phases["share"], counts)
    gates = tpl.gates

    rows: list[dict] = []
    for k, (phase, pdays) in enumerate(zip(phases.itertuples(), phase_days, strict=True), 1):
        mine = deliverables[deliverables["phase"] == phase.id]
        ddays = _apportion(int(pdays), mine["weight"], 1)
        for j, (d, dd) in enumerate(zip(mine.itertuples(), ddays, strict=True), 1):
            rows.append({"name": d.name, "wbs": f"{k}.{j}", "duration": float(dd),
                         "phase": phase.id, "deliverable": d.id, "gate": None})
        for j, g in enumerate(gates[gates["after"] == phase.id].itertuples(), len(mine) + 1):
            rows.append({"name": f"Gate: {g.name}", "wbs": f"{k}.{j}", "duration": 0.0,
                         "phase": phase.id, "deliverable": None, "gate": g.id})
    tasks = pd.DataFrame(rows)
    ids = [f"{project_id}-{i:04d}" for i in range(1, len(tasks) + 1)]
    tasks.insert(0, "id", ids)
    tasks.insert(1, "project_id", project_id)
    tasks["budget"] = budget * tasks["duration"] / days
    tasks["milestone"] = tasks["duration"] == 0
    tasks["constraint_type"] = "ASAP"
    tasks["constraint_date"] = pd.Series(pd.NaT, index=tasks.index, dtype="datetime64[ns]")

    pairs = [(a, b, "sequence") for a, b in itertools.pairwise(ids)]
    by_deliverable = dict(zip(tasks["deliverable"], tasks["id"], strict=True))
    for phase in phases.itertuples():
        if phase.verifies is None or pd.isna(phase.verifies):
            continue
        basis = phase.test_basis if isinstance(phase.test_basis, str) else \
            deliverables.loc[deliverables["phase"] == phase.verifies, "id"].iloc[-1]
        first = deliverables.loc[deliverables["phase"] == phase.id, "id"].iloc[0]
        pairs.append((by_deliverable[basis], by_deliverable[first], "verification"))
    links = pd.DataFrame(pairs, columns=["pred", "succ", "kind"])
    links = links.drop_duplicates(["pred", "succ"]).reset_index(drop=True)
    links.insert(2, "type", "FS")
    links.insert(3, "lag", 0.0)

    sched = cpm(tasks, links, calendar=cal, start=start_ts)
    tasks.insert(5, "baseline_start", sched["start_date"].to_numpy())
    tasks.insert(6, "baseline_finish", sched["finish_date"].to_numpy())
    order = ["id", "project_id", "name", "wbs", "duration", "baseline_start", "baseline_finish",
             "budget", "milestone", "constraint_type", "constraint_date", "phase",
             "deliverable", "gate"]
    wbs = pd.DataFrame({"project_id": project_id,
                        "wbs": [str(k) for k in range(1, len(phases) + 1)],
                        "name": phases["name"]})
    return ProjectPlan(project_id=project_id, name=name, template=tpl, start=start_ts,
                       duration=int(days), tasks=tasks[order], links=links, wbs=wbs,
                       calendar=cal)


# ----------------------------------------------------------------------------------------
# Gate compliance
# ----------------------------------------------------------------------------------------
def _require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingDataError([Problem(what, 1, None, c, "required column is missing; the "
                                        f"table has {', '.join(map(str, df.columns)) or 'none'}")
                                for c in missing])


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value, so messages show ``7``, not ``np.int64(7)``."""
    return value.item() if isinstance(value, np.generic) else value


def _clean_register(register: pd.DataFrame) -> pd.DataFrame:
    _require_columns(register, REGISTER_COLUMNS, "deliverables register")
    reg = register.reset_index(drop=True).copy()
    status = reg["status"].astype("string").str.strip().str.lower()
    bad = status.isna() | ~status.isin(DELIVERABLE_STATUSES)
    dates = pd.to_datetime(reg["date"], errors="coerce")
    bad_date = dates.isna() & reg["date"].notna() & (reg["date"].astype("string") != "")
    problems = [Problem("deliverables register", i + 2, str(reg.loc[i, "deliverable"]), "status",
                        f"{_plain(reg.loc[i, 'status'])!r} is not one of "
                        f"{', '.join(DELIVERABLE_STATUSES)}") for i in np.flatnonzero(bad)]
    problems += [Problem("deliverables register", i + 2, str(reg.loc[i, "deliverable"]), "date",
                         f"{_plain(reg.loc[i, 'date'])!r} is not a date")
                 for i in np.flatnonzero(bad_date)]
    _fail(problems)
    reg["status"] = status.astype(object)
    reg["date"] = dates.dt.normalize()
    reg["project_id"] = reg["project_id"].astype(str)
    reg["deliverable"] = reg["deliverable"].astype(str).str.strip()
    return reg


def _approver_lookup(template: Template, approvers) -> Callable[[Any], str | None]:
    """Function mapping an ``approved_by`` value to a template role id (or None)."""
    roles = template.roles
    by_role = {str(r).lower(): r for r in roles["id"]}
    by_role |= {str(n).lower(): r for r, n in zip(roles["id"], roles["name"], strict=True)}
    people: dict[str, str] = {}
    if isinstance(approvers, pd.DataFrame):
        _require_columns(approvers, ("name", "role"), "approvers")
        people = dict(zip(approvers["name"].astype(str), approvers["role"].astype(str),
                          strict=True))
    elif approvers is not None:
        people = {str(k): str(v) for k, v in dict(approvers).items()}
    people_ci = {k.strip().lower(): v for k, v in people.items()}

    def role_of(who) -> str | None:
        if who is None or (not isinstance(who, str) and pd.isna(who)):
            return None
        key = str(who).strip().lower()
        role = people_ci.get(key, key)
        return by_role.get(str(role).strip().lower())

    return role_of


def _gate_due(gate_dates) -> dict[str, pd.Timestamp]:
    if isinstance(gate_dates, ProjectPlan):
        gate_dates = gate_dates.gate_dates
    if isinstance(gate_dates, pd.DataFrame):
        _require_columns(gate_dates, ("gate", "due_date"), "gate dates")
        return dict(zip(gate_dates["gate"].astype(str),
                        pd.to_datetime(gate_dates["due_date"]), strict=True))
    return {str(k): pd.Timestamp(v) for k, v in dict(gate_dates).items()}


def deliverable_compliance(register: pd.DataFrame, template: Template | str,
                           gate_dates, status_date, *, project_id: str | None = None,
                           approvers=None) -> pd.DataFrame:
    """Each gate's required deliverables at a status date: met, missing, overdue or approved
    by the wrong role.

    Parameters
    ----------
    register : DataFrame
        The deliverables register (:data:`REGISTER_COLUMNS`): ``project_id``,
        ``deliverable`` (the template's deliverable id), ``status`` (one of
        :data:`DELIVERABLE_STATUSES`), ``approved_by`` (a person, or a role id or name) and
        ``date`` (when the status was reached). Several rows per deliverable are a history:
        the latest dated on or before the status date counts (undated rows come first).
    template : Template or str
        The project's methodology.
    gate_dates : ProjectPlan, DataFrame or mapping
        Due date of each gate: a plan (its :attr:`ProjectPlan.gate_dates`), a table with
        ``gate`` and ``due_date``, or a mapping gate id → date. A gate without a date is never
        overdue.
    status_date : date-like
        The date of the assessment.
    project_id : str, optional
        The project; taken from the plan when ``gate_dates`` is one.
    approvers : mapping or DataFrame, optional
        Who holds which role: person → role id (or name), or a table with ``name`` and
        ``role`` (e.g. the stakeholder register). An ``approved_by`` that is no one's name is
        read as a role.

    Returns
    -------
    DataFrame
        One row per gate (life-cycle order) and required deliverable: ``project_id``,
        ``gate``, ``gate_name``, ``due_date``, ``deliverable``, ``deliverable_name``,
        ``status`` (latest; ``not_started`` without a row), ``date``, ``approved_by``,
        ``approver_role`` (the template role it resolves to, or None), ``authorised_roles``
        (tuple: the deliverable's Accountable role and the gate's approver), ``state`` (one of
        :data:`COMPLIANCE_STATES`) and ``late`` (approved after the due date).

    Raises
    ------
    MissingDataError
        A register without the required columns; no ``project_id``.
    DataValidationError
        An unknown status or a date that cannot be read (with the row).

    Notes
    -----
    ``state`` is ``met`` when the deliverable is approved (or waived) by someone holding an
    authorised role; ``wrong_approver`` when it is approved by anyone else; otherwise
    ``overdue`` when the gate's due date is before the status date and ``missing`` when it is
    not. PRINCE2 and PMBOK both make the Accountable role (RACI ``A``) the one that approves a
    deliverable; the gate's approving role may approve anything the gate requires.

    Examples
    --------
    >>> plan = instantiate("kanban", "Service desk flow", "2026-01-05", duration=100,
    ...                    project_id="SD")
    >>> register = pd.DataFrame({
    ...     "project_id": ["SD"] * 3,
    ...     "deliverable": ["fitness_for_purpose", "definition_of_workflow",
    ...                     "service_level_expectation"],
    ...     "status": ["approved", "approved", "draft"],
    ...     "approved_by": ["service_request_manager", "team", None],
    ...     "date": ["2026-01-12", "2026-01-14", "2026-01-15"]})
    >>> c = deliverable_compliance(register, plan.template, plan, "2026-01-30")
    >>> c[["gate", "deliverable", "state"]].head(3)
                  gate                deliverable           state
    0  system_approval        fitness_for_purpose             met
    1  system_approval     definition_of_workflow  wrong_approver
    2  system_approval  service_level_expectation         overdue
    """
    tpl = load_template(template)
    if isinstance(gate_dates, ProjectPlan) and project_id is None:
        project_id = gate_dates.project_id
    if project_id is None:
        raise MissingDataError(Problem("deliverable_compliance", None, None, "project_id",
                                       "give project_id (or a ProjectPlan as gate_dates)"))
    reg = _clean_register(register)
    due = _gate_due(gate_dates)
    status_ts = pd.Timestamp(status_date).normalize()
    role_of = _approver_lookup(tpl, approvers)
    mine = reg[(reg["project_id"] == str(project_id))
               & (reg["date"].isna() | (reg["date"] <= status_ts))]
    mine = mine.assign(_order=mine["date"].fillna(pd.Timestamp.min), _row=np.arange(len(mine)))
    latest = mine.sort_values(["_order", "_row"]).groupby("deliverable").tail(1) \
        .set_index("deliverable")
    deliv = tpl.deliverables.set_index("id")
    rows = []
    for gate in tpl.gates.itertuples():
        due_date = due.get(gate.id, pd.NaT)
        for d in gate.deliverables:
            rec = latest.loc[d] if d in latest.index else None
            status = rec["status"] if rec is not None else "not_started"
            date = rec["date"] if rec is not None else pd.NaT
            who = rec["approved_by"] if rec is not None else None
            who = None if who is None or (not isinstance(who, str) and pd.isna(who)) else who
            role = role_of(who)
            authorised = tuple(dict.fromkeys([deliv.loc[d, "accountable"], gate.approver]))
            approved = status in _APPROVED
            if approved and role in authorised:
                state = "met"
            elif approved:
                state = "wrong_approver"
            elif pd.notna(due_date) and due_date < status_ts:
                state = "overdue"
            else:
                state = "missing"
            rows.append({
                "project_id": str(project_id), "gate": gate.id, "gate_name": gate.name,
                "due_date": due_date, "deliverable": d,
                "deliverable_name": deliv.loc[d, "name"], "status": status, "date": date,
                "approved_by": who, "approver_role": role, "authorised_roles": authorised,
                "state": state,
                "late": bool(approved and pd.notna(date) and pd.notna(due_date)
                             and date > due_date),
            })
    cols = ["project_id", "gate", "gate_name", "due_date", "deliverable", "deliverable_name",
            "status", "date", "approved_by", "approver_role", "authorised_roles", "state",
            "late"]
    out = pd.DataFrame(rows, columns=cols)
    for col in ("due_date", "date"):
        out[col] = pd.to_datetime(out[col])
    return out


def gate_compliance(register: pd.DataFrame, template: Template | str, gate_dates,
                    status_date, *, project_id: str | None = None,
                    approvers=None) -> pd.DataFrame:
    """One row per gate of a project: how many required deliverables are met, and the gate's
    state.

    Parameters are those of :func:`deliverable_compliance`.

    Returns
    -------
    DataFrame
        ``project_id``, ``gate``, ``name``, ``after`` (the phase it closes), ``approver``
        (role), ``due_date``, ``required`` (number of required deliverables), ``met``,
        ``missing``, ``overdue``, ``wrong_approver`` (counts), ``compliance`` (met / required,
        1.0 for a gate that requires nothing) [frac], ``state`` (one of :data:`GATE_STATES`:
        ``met`` when every deliverable is met, else ``overdue`` once the due date is before
        the status date, else ``open``) and ``open_items`` (``"deliverable (state)"`` for each
        one not met, separated by ``"; "``).

    Raises
    ------
    MissingDataError, DataValidationError
        As :func:`deliverable_compliance`.

    Examples
    --------
    >>> plan = instantiate("scrum", "Mobile app", "2026-01-05", duration=100,
    ...                    project_id="APP")
    >>> register = pd.DataFrame({"project_id": ["APP"], "deliverable": ["product_goal"],
    ...                          "status": ["approved"], "approved_by": ["Product Owner"],
    ...                          "date": ["2026-01-09"]})
    >>> g = gate_compliance(register, plan.template, plan, "2026-01-30")
    >>> g[["gate", "due_date", "required", "met", "state"]]
                     gate   due_date  required  met    state
    0             funding 2026-01-16         3    1  overdue
    1  release_1_decision 2026-03-20         2    0     open
    2  release_2_decision 2026-05-22         2    0     open
    """
    tpl = load_template(template)
    detail = deliverable_compliance(register, tpl, gate_dates, status_date,
                                    project_id=project_id, approvers=approvers)
    if isinstance(gate_dates, ProjectPlan) and project_id is None:
        project_id = gate_dates.project_id
    status_ts = pd.Timestamp(status_date).normalize()
    due = _gate_due(gate_dates)
    rows = []
    for gate in tpl.gates.itertuples():
        part = detail[detail["gate"] == gate.id]
        counts = part["state"].value_counts()
        n = len(part)
        met = int(counts.get("met", 0))
        due_date = due.get(gate.id, pd.NaT)
        if met == n:
            state = "met"
        elif pd.notna(due_date) and due_date < status_ts:
            state = "overdue"
        else:
            state = "open"
        rows.append({
            "project_id": str(project_id), "gate": gate.id, "name": gate.name,
            "after": gate.after, "approver": gate.approver, "due_date": due_date,
            "required": n, "met": met, "missing": int(counts.get("missing", 0)),
            "overdue": int(counts.get("overdue", 0)),
            "wrong_approver": int(counts.get("wrong_approver", 0)),
            "compliance": met / n if n else 1.0, "state": state,
            "open_items": "; ".join(f"{d} ({s})" for d, s in
                                    zip(part["deliverable"], part["state"], strict=True)
                                    if s != "met"),
        })
    out = pd.DataFrame(rows)
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out


def portfolio_compliance(register: pd.DataFrame, plans, status_date, *,
                         approvers=None) -> pd.DataFrame:
    """Gate compliance of several projects: one row per project and gate.

    Parameters
    ----------
    register : DataFrame
        The deliverables register of all the projects (see :func:`deliverable_compliance`).
    plans : iterable
        One item per project: a :class:`ProjectPlan`, or a tuple ``(project_id, template,
        gate_dates)`` for a project whose gate dates come from its own schedule.
    status_date : date-like
        The date of the assessment.
    approvers : mapping or DataFrame, optional
        Who holds which role (see :func:`deliverable_compliance`).

    Returns
    -------
    DataFrame
        The columns of :func:`gate_compliance` plus ``methodology`` (the template name), in
        the order of ``plans`` and then of the gates.

    Examples
    --------
    >>> plans = [instantiate("waterfall", "ERP", "2026-01-05", duration=200, project_id="ERP"),
    ...          instantiate("kanban", "Service desk", "2026-02-02", duration=60,
    ...                      project_id="SD")]
    >>> empty = pd.DataFrame(columns=list(REGISTER_COLUMNS))
    >>> table = portfolio_compliance(empty, plans, "2026-03-31")
    >>> table.groupby("project_id", sort=False)["state"].value_counts().to_dict()
    {('ERP', 'open'): 4, ('ERP', 'overdue'): 2, ('SD', 'overdue'): 2, ('SD', 'open'): 1}
    """
    parts = []
    for item in plans:
        if isinstance(item, ProjectPlan):
            pid, tpl, dates = item.project_id, item.template, item
        else:
            pid, tpl, dates = item
            tpl = load_template(tpl)
        table = gate_compliance(register, tpl, dates, status_date, project_id=pid,
                                approvers=approvers)
        table.insert(1, "methodology", tpl.name)
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=["project_id", "methodology", "gate", "name", "after",
                                     "approver", "due_date", "required", "met", "missing",
                                     "overdue", "wrong_approver", "compliance", "state",
                                     "open_items"])
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------------
# Stakeholders, communication plan, lessons learned
# ----------------------------------------------------------------------------------------
def grid_quadrant(influence, interest, *, threshold: float = 3):
    """Quadrant of the influence/interest grid (Mendelow's power/interest matrix).

    Parameters
    ----------
    influence, interest : int, array or Series
        Scores from 1 (low) to 5 (high).
    threshold : float
        A score above it is high (default 3: 4 and 5 are high).

    Returns
    -------
    str, array or Series
        ``manage closely`` (high influence, high interest), ``keep satisfied`` (high, low),
        ``keep informed`` (low, high) or ``monitor`` (low, low); see :data:`QUADRANTS`.

    Examples
    --------
    >>> grid_quadrant(5, 4), grid_quadrant(2, 5), grid_quadrant(3, 3)
    ('manage closely', 'keep informed', 'monitor')
    """
    hi_inf = np.asarray(influence, dtype=float) > threshold
    hi_int = np.asarray(interest, dtype=float) > threshold
    labels = np.asarray(QUADRANTS, dtype=object)
    out = labels[np.where(hi_inf, np.where(hi_int, 0, 1), np.where(hi_int, 2, 3))]
    if isinstance(influence, pd.Series):
        return pd.Series(out, index=influence.index, name="quadrant")
    return str(out) if np.ndim(influence) == 0 and np.ndim(interest) == 0 else out


def stakeholder_register(stakeholders: pd.DataFrame, *, threshold: float = 3) -> pd.DataFrame:
    """Check a stakeholder register and add its influence/interest ``quadrant``.

    Parameters
    ----------
    stakeholders : DataFrame
        ``id``, ``name``, ``role`` (a template role id or name, or any other title),
        ``influence`` and ``interest`` (whole numbers 1–5); other columns (``organisation``,
        ``expectations``, ...) are kept.
    threshold : float
        A score above it is high (see :func:`grid_quadrant`).

    Returns
    -------
    DataFrame
        A copy with ``influence`` and ``interest`` as integers and a ``quadrant`` column (one
        of :data:`QUADRANTS`).

    Raises
    ------
    MissingDataError
        A required column is missing.
    DataValidationError
        A score that is not a whole number from 1 to 5, a blank or duplicate ``id`` (with
        the row: the header is row 1).

    Examples
    --------
    >>> s = pd.DataFrame({"id": ["S1", "S2"], "name": ["Ana Ruiz", "Works council"],
    ...                   "role": ["sponsor", "Employee representatives"],
    ...                   "influence": [5, 2], "interest": [5, 4]})
    >>> stakeholder_register(s)["quadrant"].tolist()
    ['manage closely', 'keep informed']
    """
    _require_columns(stakeholders, STAKEHOLDER_COLUMNS, "stakeholders")
    out = stakeholders.reset_index(drop=True).copy()
    problems = []
    ids = out["id"].astype("string")
    for i in np.flatnonzero(ids.isna() | (ids.str.strip() == "")):
        problems.append(Problem("stakeholders", int(i) + 2, None, "id", "blank id"))
    for i in np.flatnonzero(ids.duplicated() & ids.notna()):
        problems.append(Problem("stakeholders", int(i) + 2, str(ids[i]), "id", "duplicate id"))
    for col in ("influence", "interest"):
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < 1) | (values > 5)
        problems += [Problem("stakeholders", int(i) + 2, str(out.loc[i, "id"]), col,
                             f"{_plain(out.loc[i, col])!r} must be a whole number from 1 to 5")
                     for i in np.flatnonzero(bad)]
        out[col] = values
    _fail(problems)
    for col in ("influence", "interest"):
        out[col] = out[col].astype(int)
    out["quadrant"] = grid_quadrant(out["influence"], out["interest"], threshold=threshold)
    return out


def communication_plan(template: Template | str, stakeholders: pd.DataFrame, *,
                       threshold: float = 3) -> pd.DataFrame:
    """Who receives which report, how often and through which channel.

    Each rule of the template's ``communications`` section names a report, its owner role,
    its frequency and channel, and its audience by role (``audience_roles``) and by
    influence/interest quadrant (``audience_quadrants``). A stakeholder receives a report
    when their ``role`` is one of the audience roles (matched to the template's role ids and
    names, ignoring case) or their quadrant is one of the audience quadrants.

    Parameters
    ----------
    template : Template or str
        The project's methodology.
    stakeholders : DataFrame
        The stakeholder register (see :func:`stakeholder_register`).
    threshold : float
        Influence/interest threshold (see :func:`grid_quadrant`).

    Returns
    -------
    DataFrame
        One row per report and recipient, in the template's report order: ``report_id``,
        ``report``, ``owner`` (role id), ``stakeholder_id``, ``stakeholder`` (name), ``role``,
        ``quadrant``, ``frequency``, ``channel`` and ``reason`` (``role`` or ``quadrant``:
        why the stakeholder receives it).

    Warns
    -----
    UserWarning
        Stakeholders who receive no report at all.

    Examples
    --------
    >>> s = pd.DataFrame({"id": ["S1", "S2"], "name": ["Ana Ruiz", "Works council"],
    ...                   "role": ["Project Sponsor", "Employee representatives"],
    ...                   "influence": [5, 2], "interest": [5, 4]})
    >>> plan = communication_plan("waterfall", s)
    >>> plan[["report", "stakeholder", "frequency", "reason"]]
                                 report    stakeholder      frequency    reason
    0                  Highlight report       Ana Ruiz    fortnightly      role
    1  End stage report and gate review       Ana Ruiz  at each gate      role
    2                Project newsletter  Works council        monthly  quadrant
    """
    tpl = load_template(template)
    reg = stakeholder_register(stakeholders, threshold=threshold)
    roles = tpl.roles
    canon = {str(r).lower(): r for r in roles["id"]}
    canon |= {str(n).lower(): r for r, n in zip(roles["id"], roles["name"], strict=True)}
    role_id = reg["role"].astype("string").str.strip().str.lower().map(canon)
    rows = []
    for rule in tpl.communications.itertuples():
        for i, person in reg.iterrows():
            if role_id[i] in rule.audience_roles:
                reason = "role"
            elif person["quadrant"] in rule.audience_quadrants:
                reason = "quadrant"
            else:
                continue
            rows.append({"report_id": rule.id, "report": rule.report, "owner": rule.owner,
                         "stakeholder_id": person["id"], "stakeholder": person["name"],
                         "role": person["role"], "quadrant": person["quadrant"],
                         "frequency": rule.frequency, "channel": rule.channel,
                         "reason": reason})
    out = pd.DataFrame(rows, columns=["report_id", "report", "owner", "stakeholder_id",
                                      "stakeholder", "role", "quadrant", "frequency",
                                      "channel", "reason"])
    left_out = sorted(set(reg["id"].astype(str)) - set(out["stakeholder_id"].astype(str)))
    if left_out:
        warnings.warn(f"stakeholders {', '.join(left_out)} receive no report from the "
                      f"{tpl.name} communication rules; add a rule for their role or quadrant",
                      stacklevel=2)
    return out


def search_lessons(register: pd.DataFrame, *, phase=None, category=None,
                   text: str | None = None, project_id=None) -> pd.DataFrame:
    """Search a lessons-learned register shared across projects.

    Parameters
    ----------
    register : DataFrame
        Columns :data:`LESSON_COLUMNS`: ``id``, ``project_id``, ``phase`` (a template phase id
        or name), ``category`` (e.g. "Governance", "Requirements", "Supplier", "Testing"),
        ``lesson`` (what happened), ``recommendation`` (what to do next time), ``date``.
    phase, category, project_id : str or list of str, optional
        Keep the lessons with one of these values (ignoring case and surrounding spaces).
    text : str, optional
        Keep the lessons whose lesson or recommendation contains every word of ``text``
        (ignoring case).

    Returns
    -------
    DataFrame
        The matching lessons, most recent first (the original index is kept).

    Raises
    ------
    MissingDataError
        A required column is missing.

    Examples
    --------
    >>> lessons = pd.DataFrame({
    ...     "id": ["L1", "L2", "L3"], "project_id": ["CRM", "ERP", "APP"],
    ...     "phase": ["test", "requirements", "test"],
    ...     "category": ["Testing", "Requirements", "Testing"],
    ...     "lesson": ["UAT started before the test data was anonymised",
    ...                "Requirements signed off without the works council",
    ...                "Store review rejected the release for payment rules"],
    ...     "recommendation": ["Plan data anonymisation in the test strategy",
    ...                        "Consult employee representatives before the baseline",
    ...                        "Book a pre-submission review with the store"],
    ...     "date": ["2025-03-01", "2025-06-15", "2025-11-20"]})
    >>> search_lessons(lessons, phase="Test")["id"].tolist()
    ['L3', 'L1']
    >>> search_lessons(lessons, text="test data")["id"].tolist()
    ['L1']
    """
    _require_columns(register, LESSON_COLUMNS, "lessons register")
    keep = pd.Series(True, index=register.index)

    def norm(series: pd.Series) -> pd.Series:
        return series.astype("string").str.strip().str.lower()

    for col, wanted in (("phase", phase), ("category", category), ("project_id", project_id)):
        if wanted is None:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        keep &= norm(register[col]).isin([str(v).strip().lower() for v in values]).fillna(False)
    if text:
        body = (register["lesson"].astype("string").fillna("") + " "
                + register["recommendation"].astype("string").fillna("")).str.lower()
        for word in str(text).lower().split():
            keep &= body.str.contains(word, regex=False).fillna(False)
    found = register[keep.astype(bool)]
    dates = pd.to_datetime(found["date"], errors="coerce").to_numpy()
    return found.assign(_date=dates).sort_values(
        "_date", ascending=False, kind="stable", na_position="last").drop(columns="_date")


# ----------------------------------------------------------------------------------------
# Charter
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectInfo:
    """The project data a charter needs.

    Parameters
    ----------
    id, name : str
        Project ID and name.
    purpose : str
        Why the project exists (the business need).
    objectives : tuple of str
        Measurable objectives (SMART).
    scope, out_of_scope : tuple of str
        What the project delivers, and what it explicitly does not.
    sponsor, manager : str
        Project sponsor and project manager.
    start, finish : date-like, optional
        Planned start and finish.
    budget : float, optional
        Approved budget. [cur]
    currency : str
        ISO currency code of the budget.
    stakeholders : DataFrame, optional
        Stakeholder register (see :func:`stakeholder_register`).
    risks : DataFrame, optional
        Risk register with ``id``, ``title``, ``probability`` [frac], ``cost_impact`` [cur]
        and optionally ``owner``, ``response``, ``state`` (only ``open`` risks are shown) and
        ``status_date`` (only the latest snapshot is shown): the columns of the portfolio's
        ``risks`` table.
    milestones : DataFrame, optional
        ``name`` and ``date``; by default the gate dates of the plan given to
        :func:`charter`, or the template's gates without dates.
    lessons : DataFrame, optional
        Lessons from earlier projects to heed (see :func:`search_lessons`).
    assumptions, constraints : tuple of str
        Planning assumptions and imposed constraints.

    A plain dict with these keys is accepted wherever a ProjectInfo is.
    """

    id: str
    name: str
    purpose: str
    objectives: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    sponsor: str = ""
    manager: str = ""
    start: Any = None
    finish: Any = None
    budget: float | None = None
    currency: str = "EUR"
    stakeholders: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    risks: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    milestones: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    lessons: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    assumptions: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("objectives", "scope", "out_of_scope", "assumptions", "constraints"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str)
                               else tuple(value or ()))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ProjectInfo:
        """Build from a dict; an unknown key raises a DataValidationError listing the valid
        ones."""
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        missing = [k for k in ("id", "name", "purpose") if k not in data]
        problems = [Problem("project", None, None, k, f"unknown field; use {', '.join(known)}")
                    for k in unknown]
        problems += [Problem("project", None, None, k, "required field is missing")
                     for k in missing]
        _fail(problems)
        return cls(**data)


@cache
def _jinja() -> jinja2.Environment:
    folder = _shipped()

    def load(name: str) -> str | None:
        file = folder / name
        return file.read_text(encoding="utf-8") if file.is_file() else None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load),
                             autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = _markdown_text
    return env


def _markdown_text(value: Any) -> str:
    """Text for a Markdown line or table cell: one line, with the characters that would be
    read as markup (backslash, pipe, HTML angle brackets) escaped."""
    text = " ".join(str(value).split())
    for char in "\\|<>":
        text = text.replace(char, "\\" + char)
    return text


def _date_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _top_risks(risks: pd.DataFrame | None, n: int) -> list[dict]:
    if risks is None or risks.empty:
        return []
    _require_columns(risks, ("id", "title", "probability", "cost_impact"), "risks")
    r = risks.copy()
    if "status_date" in r.columns:
        dates = pd.to_datetime(r["status_date"])
        r = r[dates == dates.max()]
    if "state" in r.columns:
        r = r[r["state"].astype("string").str.lower() == "open"]
    r = r.assign(exposure=pd.to_numeric(r["probability"], errors="coerce")
                 * pd.to_numeric(r["cost_impact"], errors="coerce"))
    r = r.sort_values("exposure", ascending=False, kind="stable").head(n)
    return [{"id": str(x["id"]), "title": str(x["title"]),
             "probability": f"{float(x['probability']):.0%}",
             "impact": f"{float(x['cost_impact']):,.0f}",
             "exposure": f"{float(x['exposure']):,.0f}",
             "owner": "" if pd.isna(x.get("owner")) else str(x.get("owner", "")),
             "response": "" if pd.isna(x.get("response")) else str(x.get("response", ""))}
            for _, x in r.iterrows()]


def _charter_context(tpl: Template, project: ProjectInfo, plan: ProjectPlan | None,
                     top_risks: int) -> dict:
    gates = tpl.gates
    roles = dict(zip(tpl.roles["id"], tpl.roles["name"], strict=True))
    deliv_names = dict(zip(tpl.deliverables["id"], tpl.deliverables["name"], strict=True))
    due = _gate_due(plan) if plan is not None else {}
    phases = []
    for p in tpl.phases.itertuples():
        phases.append({
            "name": p.name, "share": f"{p.share:g}",
            "deliverables": [deliv_names[d] for d in p.deliverables],
            "gates": [{"id": g.id, "name": g.name, "approver": roles[g.approver],
                       "date": _date_text(due.get(g.id)),
                       "deliverables": [deliv_names[d] for d in g.deliverables],
                       "exit_criteria": list(g.exit_criteria)}
                      for g in gates[gates["after"] == p.id].itertuples()],
        })
    if project.milestones is not None:
        _require_columns(project.milestones, ("name", "date"), "milestones")
        milestones = [{"name": str(m["name"]), "date": _date_text(m["date"])}
                      for _, m in project.milestones.iterrows()]
    else:
        milestones = [{"name": f"Gate: {g.name}", "date": _date_text(due.get(g.id))}
                      for g in gates.itertuples()]
    stakeholders = []
    if project.stakeholders is not None and not project.stakeholders.empty:
        reg = stakeholder_register(project.stakeholders)
        stakeholders = [{"name": str(s["name"]), "role": str(s["role"]),
                         "quadrant": s["quadrant"]} for _, s in reg.iterrows()]
    matrix = tpl.raci_matrix
    raci = {"roles": [roles[r] for r in matrix.columns],
            "rows": [{"deliverable": deliv_names[d], "codes": list(matrix.loc[d])}
                     for d in matrix.index]}
    lessons = []
    if project.lessons is not None and not project.lessons.empty:
        lessons = [{"phase": str(x.get("phase", "")), "category": str(x.get("category", "")),
                    "lesson": str(x.get("lesson", "")),
                    "recommendation": str(x.get("recommendation", ""))}
                   for _, x in project.lessons.head(5).iterrows()]
    start = project.start if project.start is not None else (plan.start if plan else None)
    finish = project.finish if project.finish is not None else (plan.finish if plan else None)
    return {
        "project": project, "template": tpl, "start": _date_text(start),
        "finish": _date_text(finish),
        "budget": "" if project.budget is None else f"{project.budget:,.0f} {project.currency}",
        "phases": phases, "milestones": milestones, "stakeholders": stakeholders,
        "risks": _top_risks(project.risks, top_risks), "raci": raci, "lessons": lessons,
    }


def charter(template: Template | str, project: ProjectInfo | Mapping[str, Any], *,
            fmt: str = "html", plan: ProjectPlan | None = None, top_risks: int = 5) -> str:
    """The project charter, rendered from the template and the project's data.

    Sections: purpose, objectives, scope (in and out), assumptions and constraints, budget,
    stakeholders (with their influence/interest quadrant), the life cycle with its gates,
    milestones, the top risks by exposure (probability × cost impact), the RACI matrix and,
    when given, lessons from earlier projects.

    Parameters
    ----------
    template : Template or str
        The project's methodology.
    project : ProjectInfo or dict
        The project data (see :class:`ProjectInfo`).
    fmt : {"html", "markdown"}
        Output format (:data:`CHARTER_FORMATS`). The HTML is a standalone page; every value
        is HTML-escaped.
    plan : ProjectPlan, optional
        Gives the gate dates (milestones) and, when the project has none, start and finish.
    top_risks : int
        How many risks to show.

    Returns
    -------
    str
        The charter (Jinja2 templates ``templates/charter.html.j2`` and ``charter.md.j2``).

    Raises
    ------
    DataValidationError
        An unknown format, or an unknown field in a project dict.

    Examples
    --------
    >>> info = {"id": "PAY", "name": "Payroll <upgrade>", "purpose": "Replace the payroll engine.",
    ...         "objectives": ["Go live by 2026-12-01"], "sponsor": "CFO", "budget": 850000}
    >>> md = charter("waterfall", info, fmt="markdown")
    >>> print(md.splitlines()[0])          # Markdown escapes its markup characters
    # Project charter: Payroll \\<upgrade\\> (PAY)
    >>> "Payroll &lt;upgrade&gt;" in charter("waterfall", info)
    True
    """
    if fmt not in CHARTER_FORMATS:
        raise DataValidationError(Problem("charter", None, None, "fmt",
                                          f"unknown format {fmt!r}; use one of "
                                          f"{', '.join(CHARTER_FORMATS)}"))
    tpl = load_template(template)
    info = project if isinstance(project, ProjectInfo) else ProjectInfo.from_mapping(project)
    name = "charter.html.j2" if fmt == "html" else "charter.md.j2"
    return _jinja().get_template(name).render(**_charter_context(tpl, info, plan, top_risks))


# ----------------------------------------------------------------------------------------
# Which approach fits?
# ----------------------------------------------------------------------------------------
@cache
def _questions() -> Mapping[str, Any]:
    text = (_shipped() / f"{_QUESTIONNAIRE}.yaml").read_text(encoding="utf-8")
    return _freeze(_parse_yaml(text, f"{_QUESTIONNAIRE}.yaml"))


def questionnaire() -> pd.DataFrame:
    """The "which approach fits?" questions, their answers and each answer's scores.

    Returns
    -------
    DataFrame
        One row per question and answer option: ``question`` (id), ``question_text``,
        ``option`` (id, the value to give :func:`recommend_approach`), ``option_text``,
        ``basis`` (why the question matters, with its source) and one score column per
        approach of :data:`APPROACHES` (0 = poor fit to 3 = good fit).

    Examples
    --------
    >>> q = questionnaire()
    >>> q["question"].nunique(), list(q.columns[-5:])
    (8, ['waterfall', 'v_model', 'scrum', 'kanban', 'hybrid'])
    """
    rows = [{"question": q["id"], "question_text": q["text"], "option": o["id"],
             "option_text": o["text"], "basis": q["basis"].strip(), **dict(o["scores"])}
            for q in _questions()["questions"] for o in q["options"]]
    return pd.DataFrame(rows, columns=["question", "question_text", "option", "option_text",
                                       "basis", *APPROACHES])


@dataclass(frozen=True)
class Recommendation:
    """The outcome of :func:`recommend_approach`.

    Attributes
    ----------
    approach : str
        The recommended template (one of :data:`APPROACHES`; load it with
        :func:`load_template`).
    scores : Series
        Total score per approach, highest first.
    breakdown : DataFrame
        One row per question: ``question``, ``answer`` (option id), ``answer_text`` and one
        score column per approach.
    runner_up : str
        The second-best approach.
    margin : float
        Lead of the recommendation over the runner-up. [points]
    rationale : tuple of str
        The reasoning in plain sentences: the overall result, then each answer and what it
        favours, then the sources.
    """

    approach: str
    scores: pd.Series = field(repr=False, compare=False)
    breakdown: pd.DataFrame = field(repr=False, compare=False)
    runner_up: str = ""
    margin: float = 0.0
    rationale: tuple[str, ...] = field(default=(), repr=False)


def recommend_approach(answers: Mapping[str, str]) -> Recommendation:
    """Recommend a delivery approach from the answers to the questionnaire.

    Parameters
    ----------
    answers : mapping
        Question id → option id, for every question of :func:`questionnaire`.

    Returns
    -------
    Recommendation
        The approach with the highest total score, the scores, the per-question breakdown and
        the rationale.

    Raises
    ------
    MissingDataError
        An unanswered question (the message lists its options).
    DataValidationError
        An unknown question or option (the message lists the valid ones).

    Notes
    -----
    Each answer scores every approach from 0 (poor fit) to 3 (good fit); the scores add up,
    with equal weight per question. A tie goes to the approach listed first in
    :data:`APPROACHES`. The questions cover Boehm and Turner's five home-ground factors (size,
    criticality, dynamism, personnel; culture through the contract and the customer's
    availability) and the Stacey matrix's agreement/certainty axis, plus regulation and the
    kind of work. A margin of 2 points or less is flagged as a close call: discuss both
    approaches, or tailor the hybrid.

    References
    ----------
    B. Boehm and R. Turner, *Balancing Agility and Discipline: A Guide for the Perplexed*,
    Addison-Wesley, 2004. R. D. Stacey, *Strategic Management and Organisational Dynamics*,
    1996. PMI and Agile Alliance, *Agile Practice Guide*, 2017, Annex X3.

    Examples
    --------
    >>> r = recommend_approach({
    ...     "requirements_stability": "volatile", "regulation": "none", "criticality": "low",
    ...     "customer_availability": "dedicated", "team_experience": "experienced",
    ...     "team_size": "small", "contract": "fixed_budget", "work_pattern": "one_off"})
    >>> r.approach, r.runner_up, int(r.margin)
    ('scrum', 'kanban', 7)
    >>> r.scores.to_dict()
    {'scrum': 21, 'kanban': 14, 'hybrid': 11, 'waterfall': 5, 'v_model': 3}
    """
    data = _questions()
    questions = {q["id"]: q for q in data["questions"]}
    problems: list[Problem] = [
        Problem("questionnaire", None, str(k), None, f"unknown question; questions: "
                f"{', '.join(questions)}") for k in answers if k not in questions]
    missing = []
    for qid, q in questions.items():
        options = {o["id"]: o for o in q["options"]}
        if qid not in answers:
            missing.append(Problem("questionnaire", None, qid, None,
                                   f"not answered ({q['text']}); options: "
                                   f"{', '.join(options)}"))
        elif answers[qid] not in options:
            problems.append(Problem("questionnaire", None, qid, None,
                                    f"unknown answer {answers[qid]!r}; options: "
                                    f"{', '.join(options)}"))
    _fail(problems)
    _fail(missing, MissingDataError)

    rows, lines = [], []
    for qid, q in questions.items():
        option = next(o for o in q["options"] if o["id"] == answers[qid])
        scores = dict(option["scores"])
        rows.append({"question": qid, "answer": option["id"], "answer_text": option["text"],
                     **{a: scores[a] for a in APPROACHES}})
        best = max(scores.values())
        favoured = [a for a in APPROACHES if scores[a] == best]
        lines.append(f"{q['text']} {option['text']}: favours {' and '.join(favoured)}. "
                     f"{' '.join(q['basis'].split())}")
    breakdown = pd.DataFrame(rows, columns=["question", "answer", "answer_text", *APPROACHES])
    totals = breakdown[list(APPROACHES)].sum()
    order = sorted(APPROACHES, key=lambda a: (-totals[a], APPROACHES.index(a)))
    scores = totals[order].astype(int)
    best, second = order[0], order[1]
    margin = float(scores[best] - scores[second])
    top = len(questions) * 3
    head = (f"Recommended: {best} ({load_template(best).title}) with {scores[best]} of {top} "
            f"points, ahead of {second} ({scores[second]}).")
    if margin == 0:
        head += (f" It ties with {second}; the tie goes to {best} by the order of "
                 "APPROACHES: weigh both.")
    elif margin <= 2:
        points = "point" if margin == 1 else "points"
        head += f" A close call ({margin:g} {points}): discuss both, or tailor the hybrid."
    sources = "Sources: " + " ".join(data["references"])
    return Recommendation(approach=best, scores=scores, breakdown=breakdown,
                          runner_up=second, margin=margin,
                          rationale=(head, *lines, sources))
