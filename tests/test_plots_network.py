"""Cross-project dependency charts draw the map they are given (checked on the artists).

The hand-checked portfolio is the one of test_network_dependencies: at 2026-03, A -> B has
one late link (margin -3), A -> C one done and one at risk (+2), B -> C one on track (+11).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from test_network_dependencies import _portfolio

from pmo_lib import DataValidationError, network, plots

D = pd.Timestamp


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def pf():
    return _portfolio()


@pytest.fixture(scope="module")
def table(pf):
    return network.dependency_map(pf, "2026-03")


def _arrow(ax, gid):
    (hit,) = [p for p in ax.patches if p.get_gid() == gid]
    return hit


def _nodes(ax) -> dict[str, tuple[float, float]]:
    (nodes,) = [c for c in ax.collections if c.get_label() == "Projects"]
    names = [t.get_text() for t in ax.texts if t.get_gid() is None]
    return dict(zip(names, map(tuple, nodes.get_offsets()), strict=True))


def _labels(ax) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


# ---------------------------------------------------------------------------------------
# The project map
# ---------------------------------------------------------------------------------------
def test_dependency_map_colours_counts_and_margins(pf, table):
    ax = plots.dependency_map(table, projects=pf.projects)
    colour = {gid: mcolors.to_hex(_arrow(ax, gid).get_edgecolor()) for gid in
              ("A->B", "A->C", "B->C")}
    assert colour == {"A->B": plots.DEPENDENCY_COLOURS["late"],
                      "A->C": plots.DEPENDENCY_COLOURS["at risk"],
                      "B->C": plots.DEPENDENCY_COLOURS["on track"]}
    assert len([p for p in ax.patches if p.get_gid()]) == 3
    # A -> C: its done link does not count in the worst open margin.
    assert _labels(ax) == {"A->B": "1 · -3 d", "A->C": "2 · +2 d", "B->C": "1 · +11 d"}
    assert _arrow(ax, "A->C").get_linewidth() > _arrow(ax, "A->B").get_linewidth()
    # Layers: B waits on A, C on both.
    assert {k: x for k, (x, _) in _nodes(ax).items()} == {"A": 0.0, "B": 1.0, "C": 2.0}
    assert ax.get_title(loc="left") == "Cross-project dependencies, 2026-03"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:4] == ["Late", "At risk", "On track", "Done"]
    assert {"Core", "Field"} <= set(texts)
    assert any("at risk: margin ≤ 10 d" in t for t in texts)


def test_dependency_map_by_programme(pf, table):
    ax = plots.dependency_map(table, projects=pf.projects, layout="programme",
                              title="By programme")
    nodes = _nodes(ax)
    assert nodes["A"][0] == nodes["B"][0] == 0.0 and nodes["C"][0] > 0.0   # Core | Field
    assert nodes["A"][1] > nodes["B"][1]                                   # A first: layer 0
    assert ax.get_title(loc="left") == "By programme"
    # Programme colours: A and B share one, C has another.
    (coll,) = [c for c in ax.collections if c.get_label() == "Projects"]
    faces = [mcolors.to_hex(c) for c in coll.get_facecolors()]
    assert faces[0] == faces[1] != faces[2]


def test_dependency_map_without_projects_and_done_pairs(sample):
    m = network.dependency_map(sample, "2026-04")
    ax = plots.dependency_map(m)
    graph = network.project_graph(sample)
    gids = {p.get_gid() for p in ax.patches if p.get_gid()}
    assert gids == {f"{u}->{v}" for u, v in graph.edges}
    labels = _labels(ax)
    assert labels["DCM->ERP"] == "2 · done"
    assert labels["ERP->WMS"] == "1 · -51 d" and labels["PLT->WMS"] == "1 · -3 d"
    done = mcolors.to_hex(plots.DEPENDENCY_COLOURS["done"])
    assert mcolors.to_hex(_arrow(ax, "DCM->ERP").get_edgecolor()) == done
    # Every project is right of the projects it waits on, unless they wait on each other.
    x = {k: v[0] for k, v in _nodes(ax).items()}
    assert set(x) == set(graph)                     # all 11 projects have a cross link
    for u, v in graph.edges:
        assert x[u] < x[v] or graph.has_edge(v, u)


def test_dependency_map_sample_fits_its_figure(sample):
    ax = plots.dependency_map(network.dependency_map(sample, sample.latest_month),
                              projects=sample.projects)
    fig = ax.figure
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().x1 <= fig.bbox.x1 + 0.5
    assert len(_nodes(ax)) == 11
    # The limits are set from the nodes (networkx would widen them to its arcs).
    ys = [y for _, y in _nodes(ax).values()]
    assert ax.get_ylim() == pytest.approx((min(ys) - 0.6, max(ys) + 0.6))


def test_dependency_map_errors_and_empty_map(pf, table):
    with pytest.raises(DataValidationError, match=r"unknown layout 'circle'.*'layers', "
                                                  r"'programme'"):
        plots.dependency_map(table, layout="circle")
    with pytest.raises(DataValidationError, match="'status'"):
        plots.dependency_map(table.drop(columns="status"))
    one = network.dependency_map(pf.select("A"), "2026-03")
    ax = plots.dependency_map(one, projects=pf.select("A").projects)
    assert list(_nodes(ax)) == ["A"] and not [p for p in ax.patches if p.get_gid()]


# ---------------------------------------------------------------------------------------
# Links at risk: forecast against need date
# ---------------------------------------------------------------------------------------
def test_links_at_risk_chart(pf):
    risky = network.links_at_risk(pf, "2026-03")
    ax = plots.links_at_risk(risky)
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    assert set(lines) == {"AM->B2", "A2->C2"}
    # The first row (the worst) on top: y = 1 for AM -> B2, 0 for A2 -> C2.
    late = lines["AM->B2"]
    assert list(late.get_ydata()) == [1.0, 1.0]
    assert [mdates.date2num(d) for d in late.get_xdata()] == \
        [mdates.date2num(D("2026-03-20")), mdates.date2num(D("2026-03-25"))]
    assert mcolors.to_hex(late.get_color()) == plots.DEPENDENCY_COLOURS["late"]
    collections = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert set(collections) == {"Baseline", "Need date", "Forecast (late)",
                                "Forecast (at risk)"}
    need = collections["Need date"]
    assert list(need[:, 0]) == [mdates.date2num(D("2026-03-20")),
                                mdates.date2num(D("2026-03-27"))]
    assert list(need[:, 1]) == [1.0, 0.0]
    assert list(collections["Forecast (at risk)"][0]) == [mdates.date2num(D("2026-03-25")),
                                                          0.0]
    assert list(collections["Baseline"][:, 0]) == [mdates.date2num(D("2026-03-20"))] * 2
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                     strict=True))
    assert ticks == {1.0: "AM → B2 (FS+2)", 0.0: "A2 → C2 (FF)"}
    margins = [t.get_text() for t in ax.texts if t.get_text().endswith(" d")]
    assert margins == ["-3 d", "+2 d"]
    status = [line for line in ax.get_lines() if line.get_label() == "Status date"]
    assert status[0].get_xdata()[0] == mdates.date2num(D("2026-03-14"))   # end of Fri 13
    assert ax.get_title(loc="left") == "Cross-project links at risk, 2026-03"


def test_links_at_risk_chart_of_the_whole_plan(pf):
    plan = network.dependency_map(pf)
    ax = plots.links_at_risk(plan, title="Plan")
    assert len([line for line in ax.get_lines() if line.get_gid()]) == len(plan) == 4
    assert not [line for line in ax.get_lines() if line.get_label() == "Status date"]
    assert {c.get_label() for c in ax.collections} >= {"Forecast (at risk)",
                                                       "Forecast (on track)"}
    assert ax.get_title(loc="left") == "Plan"
    empty = plots.links_at_risk(plan.iloc[:0])
    assert not [line for line in empty.get_lines() if line.get_gid()]


def test_sample_links_at_risk_chart(sample):
    risky = network.links_at_risk(sample, "2026-04")
    ax = plots.links_at_risk(risky)
    assert len([line for line in ax.get_lines() if line.get_gid()]) == len(risky) == 5
    assert len(ax.collections[1].get_offsets()) == 5            # one need date per link


def test_exports():
    assert {"DEPENDENCY_COLOURS", "DEPENDENCY_LAYOUTS", "dependency_map",
            "links_at_risk"} <= set(plots.__all__)
    assert set(plots.DEPENDENCY_COLOURS) == set(network.LINK_STATUSES)
