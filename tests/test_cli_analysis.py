"""The analysis commands on the bundled sample: exact answers, files written, errors."""

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.store import LocalStore


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store")
    result = CliRunner().invoke(main, ["demo", "--quiet", "--store", str(path)], env={"NEO4J_URI": ""})
    assert result.exit_code == 0, result.output
    return path


def run(store, *args):
    return CliRunner().invoke(main, [*map(str, args), "--store", str(store)], env={"NEO4J_URI": ""})


def test_path_between_two_actresses(store):
    result = run(store, "path", "Keira Knightley", "Sally Hawkins")
    assert result.exit_code == 0
    assert result.output == "distance 1\n  Keira Knightley -> Never Let Me Go (2010) -> Sally Hawkins\n"


def test_path_json_with_all_paths(store):
    data = json.loads(run(store, "path", "Keira Knightley", "Carey Mulligan", "--all", "--json").output)
    assert data["distance"] == 1
    titles = sorted(path[1]["label"] for path in data["paths"])
    assert data["total_paths"] == len(titles) == 2
    assert titles == ["Never Let Me Go", "Pride & Prejudice"]


def test_path_year_filter_changes_the_answer(store):
    data = json.loads(run(store, "path", "Keira Knightley", "Sally Hawkins", "--years", "2011-2020", "--json").output)
    assert data["distance"] >= 2
    assert all(step.get("year", 2011) >= 2011 for step in data["paths"][0] if step["kind"] == "film")


def test_unknown_name_suggests_close_names(store):
    result = run(store, "path", "Keira Knightly", "Sally Hawkins")
    assert result.exit_code == 3
    assert result.output == "reelgraph: error: no person named 'Keira Knightly'; did you mean 'Keira Knightley'?\n"


def test_film_title_prefers_the_full_film_over_a_stub(store):
    result = run(store, "path", "--films", "Never Let Me Go", "Paddington")
    assert result.output == "distance 1\n  Never Let Me Go (2010) -> Sally Hawkins -> Paddington (2014)\n"


def test_bacon_numbers(store):
    data = json.loads(run(store, "bacon", "Carey Mulligan", "--json").output)
    assert data["histogram"][0] == 1
    assert sum(data["histogram"]) + data["unreachable"] == 219
    assert data["unreachable"] == 0


def test_similar_explains_itself(store):
    rows = json.loads(run(store, "similar", "Never Let Me Go", "--top", "1", "--json").output)
    assert rows[0]["title"] == "An Education"
    assert "More like this #1" in rows[0]["reasons"]


def test_clusters_are_deterministic_and_written_back(store):
    first = json.loads(run(store, "clusters", "--json").stdout)
    second = json.loads(run(store, "clusters", "--json").stdout)
    assert first == second
    films = LocalStore(store).read().films
    assert films.loc[films.stub == False, "cluster"].notna().all()  # noqa: E712
    assert films["cluster"].nunique() == len(first["clusters"])
    assert 0 < first["modularity"] < 1


def test_show_writes_one_offline_file(store, tmp_path):
    out = tmp_path / "nlmg.html"
    result = run(store, "show", "Never Let Me Go", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (")
    html = out.read_text()
    assert "Never Let Me Go" in html and "https://cdn" not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nlmg.html"]


@pytest.mark.parametrize("args,shown", [
    (["Never Let Me Go"], 36),
    (["--path", "Keira Knightley", "Sally Hawkins"], 3),
    (["--more-like-this", "Never Let Me Go"], 13),
    (["--clusters"], 30),
])
def test_show_draws_what_the_whole_graph_would(store, tmp_path, args, shown):
    """show draws from a cut-out of the mirror; the page is the one the whole graph gives."""
    from reelgraph import views
    from reelgraph.mirror import build_mirror

    out = tmp_path / "view.html"
    result = run(store, "show", *args, "-o", out)
    assert result.exit_code == 0, result.output
    mirror = build_mirror(LocalStore(store).read())
    if args[0] == "--path":
        whole = views.path_view(mirror, ["name:keira-knightley", "tt1334260", "name:sally-hawkins"])
    elif args[0] == "--more-like-this":
        whole = views.more_like_this_view(mirror, "tt1334260", max_nodes=2000)
    elif args[0] == "--clusters":
        whole = views.cluster_view(mirror, max_nodes=2000)
    else:
        whole = views.neighbourhood_view(mirror, "tt1334260", depth=1, max_nodes=300)
    assert whole.shown == shown
    assert out.read_text() == whole.html()


def test_show_more_like_this_of_a_person_says_it_needs_a_film(store, tmp_path):
    result = run(store, "show", "--more-like-this", "Carey Mulligan", "-o", tmp_path / "x.html")
    assert result.exit_code == 3
    assert result.output.startswith("reelgraph: error: no film named 'Carey Mulligan'")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_for_gephi(store, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    assert run(store, "export", "--format", fmt, "-o", out).exit_code == 0
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (311, 373)


def test_mirror_counts(store):
    counts = json.loads(run(store, "mirror", "--json").output)
    assert counts["nodes"] == {"Film": 30, "Person": 281, "Genre": 16}
    assert counts["relationships"]["ACTED_IN"] == 275
