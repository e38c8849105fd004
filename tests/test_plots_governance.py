"""Methodology and governance charts and styled tables of pmo_lib.plots (checked on the artists).

Reference values from the shipped templates and the payroll worked example of training module
01 (pmo_lib.exercises.methodology): the waterfall's gates G1 to G5 close its first five phases,
G6 its last; at 13 March 2026 gate G2 (due 23 Feb) is overdue; the payroll answers recommend
waterfall, one point ahead of the hybrid.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pmo_lib import DataValidationError, MissingDataError, methodology, plots
from pmo_lib.exercises import methodology as training


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _gate_offsets(ax) -> np.ndarray:
    return np.concatenate([c.get_offsets() for c in ax.collections])


def test_phase_shares_draws_every_phase_and_gate():
    ax = plots.phase_shares()
    shares = methodology.phase_shares()
    assert sum(len(c) for c in ax.containers) == len(shares)
    gates = sum(len(methodology.load_template(n).gates) for n in methodology.APPROACHES)
    assert len(ax.collections[0].get_offsets()) + sum(
        len(c.get_offsets()) for c in ax.collections[1:]) == gates
    # One bar per template, top to bottom in APPROACHES order, phases end to end.
    assert [t.get_text() for t in ax.get_yticklabels()] == list(methodology.APPROACHES)
    for container, name in zip(ax.containers, methodology.APPROACHES, strict=True):
        part = shares[shares["template"] == name]
        assert [b.get_width() for b in container] == part["share"].tolist()
        assert [b.get_x() for b in container] == part["start"].tolist()
    assert ax.get_xlim() == (0, 100)
    assert ax.get_title(loc="left") == "Typical share of the effort per phase"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Gate"]


def test_phase_shares_diamonds_sit_at_the_end_of_gated_phases():
    ax = plots.phase_shares(["waterfall"], title="Waterfall")
    x = _gate_offsets(ax)[:, 0]
    # G1..G5 close initiation (5 %), requirements (20 %), design (35 %), build (70 %), test
    # (90 %); deployment (95 %) has no gate; G6 closes closure (100 %).
    assert x.tolist() == [5, 20, 35, 70, 90, 100]
    assert ax.get_title(loc="left") == "Waterfall"


def test_phase_shares_takes_the_engine_table():
    table = methodology.phase_shares(["scrum", "waterfall"])
    ax = plots.phase_shares(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["scrum", "waterfall"]
    assert sum(len(c) for c in ax.containers) == len(table)
    with pytest.raises(MissingDataError, match="unknown template"):
        plots.phase_shares(["prince2"])


def test_v_model_pairs_each_level():
    ax = plots.v_model()
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith("test basis:") for t in texts) == 4
    assert "Unit\ntesting" in texts and "Implementation" in texts
    # Each verification phase faces the phase it verifies, at the same height (-level).
    v = methodology.load_template("v_model").phases.set_index("id")
    where = {t.get_text(): t.get_position() for t in ax.texts}
    for pid, row in v[v["verifies"].notna()].iterrows():
        mine = where[row["name"].replace(" ", "\n", 1)]
        theirs = where[v.at[row["verifies"], "name"].replace(" ", "\n", 1)]
        assert mine[1] == theirs[1] == -row["level"] and mine[0] > theirs[0], pid
    assert ax.get_title(loc="left").endswith("specify on the left, verify on the right")
    with pytest.raises(DataValidationError, match="no verification phases"):
        plots.v_model("scrum")


def test_raci_and_compliance_tables():
    page = plots.raci_matrix("waterfall").to_html()
    assert "Senior Supplier" in page and plots.RACI_COLOURS["A"][0] in page
    assert "solution_design" in plots.raci_matrix("waterfall", names=False).to_html()
    plan, register = training.payroll_plan(), training.payroll_register()
    gates = methodology.gate_compliance(register, plan.template, plan, "2026-03-13",
                                        approvers=training.payroll_stakeholders())
    page = plots.compliance_table(gates, ["gate", "due_date", "compliance", "state"]).to_html()
    assert plots.COMPLIANCE_COLOURS["overdue"] in page and "23 Feb 2026" in page


def test_every_code_and_state_has_a_colour():
    assert set(plots.RACI_COLOURS) == set(methodology.RACI_CODES)
    assert set(plots.COMPLIANCE_COLOURS) == (set(methodology.COMPLIANCE_STATES)
                                             | set(methodology.GATE_STATES))


def test_approach_scores_stacks_the_breakdown():
    rec = methodology.recommend_approach(training.payroll_answers())
    ax = plots.approach_scores(rec)
    assert len(ax.containers) == len(rec.breakdown)
    widths = sum(pd.Series([b.get_width() for b in c]) for c in ax.containers)
    assert widths.tolist() == rec.scores.tolist()
    assert "1 point behind" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_yticklabels()] == list(rec.scores.index)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [q.replace("_", " ") for q in rec.breakdown["question"]]


def test_stakeholder_grid_places_each_stakeholder():
    register = pd.DataFrame({"id": ["S1", "S2", "S3", "S4", "S5"],
                             "name": ["Sponsor", "Users", "Auditor", "Ops", "Finance"],
                             "role": ["sponsor"] * 5, "influence": [5, 2, 4, 1, 5],
                             "interest": [4, 5, 2, 1, 4]})
    ax = plots.stakeholder_grid(register)
    dots = next(c for c in ax.collections if c.get_label() == "Stakeholders")
    xy = dots.get_offsets()
    # Sponsor and Finance share the cell (4, 5): drawn 0.22 apart around it, not on top.
    assert np.allclose(xy[[1, 2, 3]], [[5, 2], [2, 4], [1, 1]])
    assert np.allclose(xy[[0, 4]].mean(axis=0), [4, 5]) and not np.allclose(xy[0], xy[4])
    quadrants = {p.get_gid(): p for p in ax.patches}
    assert set(quadrants) == {f"quadrant-{q}" for q in methodology.QUADRANTS}
    high = quadrants["quadrant-manage closely"]
    assert (high.get_x(), high.get_y()) == (3.5, 3.5)
    names = [t.get_text() for t in ax.texts if t.get_text() in methodology.QUADRANTS]
    assert sorted(names) == sorted(methodology.QUADRANTS)
    # Each stakeholder lies in the quadrant methodology.grid_quadrant assigns it.
    for (x, y), q in zip(xy, methodology.grid_quadrant(register["influence"],
                                                        register["interest"]), strict=True):
        box = quadrants[f"quadrant-{q}"]
        assert box.get_x() <= x <= box.get_x() + box.get_width()
        assert box.get_y() <= y <= box.get_y() + box.get_height()
