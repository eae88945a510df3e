"""Views over PLAIN_EDGES_FROM nodes draw plain edges (no dashes, no arrowheads), and their legend says so."""

import pytest

from reelgraph.views import neighbourhood_view
from reelgraph.views.style import EDGE_STYLES, PLAIN_EDGES_FROM


@pytest.fixture(scope="module")
def graph():
    from tests.views.conftest import make_graph

    return make_graph(n_films=1100, cast=6, seed=3, similar=5, hostile=False)


def _edge_legend(view) -> dict:
    labels = {style["label"] for style in EDGE_STYLES.values()}
    return {entry["label"]: entry["shape"] for entry in view.legend if entry["label"] in labels}


def test_a_view_just_over_the_limit_draws_plain_edges(graph):
    view = neighbourhood_view(graph, "tt1000005", depth=8, max_nodes=PLAIN_EDGES_FROM + 1)
    assert view.shown == 3001
    assert {(e["dashes"], e["arrows"]) for e in view.edges} == {(False, "")}
    assert _edge_legend(view) == {"credit (person \u2013 film)": "line", "more like this": "line"}


def test_a_view_at_the_limit_keeps_dashes_and_arrows(graph):
    view = neighbourhood_view(graph, "tt1000005", depth=8, max_nodes=PLAIN_EDGES_FROM)
    assert view.shown == 3000
    similar = [e for e in view.edges if e["rgKind"] == "similar"]
    assert similar and all(e["dashes"] is True and e["arrows"] in ("to", "to, from") for e in similar)
    assert _edge_legend(view) == {"credit (person \u2013 film)": "line", "more like this": "dashed-arrow"}
