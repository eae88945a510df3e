"""`reelgraph show` names clusters as `reelgraph clusters` printed them, though the store keeps only their ids.

The sample is clustered at a resolution and seed of its own (not the
defaults), so the names can only come from the stored ids, not from running
Louvain again.
"""

import json
import re

import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.mirror import build_mirror
from reelgraph.store import LocalStore
from reelgraph.views import stored_cluster_names

#: What `reelgraph clusters --resolution 2 --seed 3` prints for the bundled sample.
PRINTED = {
    0: "Comedy / Drama (around Pride & Prejudice, 2005)",
    1: "Sci-Fi / Short (around Never Let Me Go, 2010)",
    2: "Crime / Drama (around The Great Gatsby, 2013)",
    3: "Biography / Drama (around Hunger, 2008)",
    4: "Fantasy / Family (around Happy-Go-Lucky, 2008)",
    5: "War / Romance (around Brooklyn, 2015)",
    6: "Thriller / Sci-Fi (around The Tesseract, 2003)",
}


def run(store, *args):
    return CliRunner().invoke(main, [*map(str, args), "--store", str(store)], env={"NEO4J_URI": ""})


@pytest.fixture(scope="module")
def clustered(sample_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("store")
    LocalStore(path).write(sample_graph)
    result = run(path, "clusters", "--resolution", "2", "--seed", "3", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    return path, json.loads(result.output)


def test_the_clusters_command_prints_these_names(clustered):
    _, printed = clustered
    assert {row["cluster"]: row["name"] for row in printed["clusters"]} == PRINTED


def test_stored_ids_are_named_as_the_command_named_them(clustered):
    store, _ = clustered
    assert stored_cluster_names(build_mirror(LocalStore(store).read())) == PRINTED


def test_a_store_without_clusters_names_none(sample_graph):
    assert stored_cluster_names(build_mirror(sample_graph)) == {}


def _legend(html: str) -> dict:
    """``{cluster id: legend text}`` of a written page."""
    found = re.findall(r'data-rg-cluster="(\d+)".*?<span>([^<]*)</span>', html)
    return {int(c): text.replace("&amp;", "&") for c, text in found}


def _tooltip_lines(html: str) -> set:
    data = json.loads(re.search(r'<script type="application/json" id="rg-data">(.*?)</script>', html, re.S).group(1))
    return {line for node in data["nodes"] for line in node["rgTip"]["lines"] if line.startswith("Cluster")}


def test_show_clusters_names_each_cluster(clustered, tmp_path):
    store, _ = clustered
    out = tmp_path / "clusters.html"
    assert run(store, "show", "--clusters", "-o", out).exit_code == 0
    html = out.read_text()
    sizes = {0: 6, 1: 5, 2: 5, 3: 5, 4: 4, 5: 3, 6: 2}
    assert _legend(html) == {c: f"{PRINTED[c]} ({n} films)" for c, n in sizes.items()}
    assert "cluster 2" not in html
    assert "Cluster 1: Sci-Fi / Short (around Never Let Me Go, 2010)" in _tooltip_lines(html)


@pytest.mark.parametrize("args", [["--more-like-this", "Never Let Me Go"], ["Never Let Me Go", "--colour-by", "cluster"]])
def test_every_view_coloured_by_cluster_names_them(clustered, tmp_path, args):
    store, _ = clustered
    out = tmp_path / "view.html"
    assert run(store, "show", *args, "-o", out).exit_code == 0
    legend = _legend(out.read_text())
    assert legend and all(text.startswith(PRINTED[c] + " (") for c, text in legend.items())


def test_a_view_coloured_by_kind_leaves_the_names_out(clustered, tmp_path):
    """Naming costs a similarity graph: a view that does not colour by cluster does without."""
    store, _ = clustered
    out = tmp_path / "nlmg.html"
    assert run(store, "show", "Never Let Me Go", "-o", out).exit_code == 0
    assert _legend(out.read_text()) == {}
    assert "Cluster: 1" in _tooltip_lines(out.read_text())
