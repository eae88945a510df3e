"""reelgraph.views.view: the view a request means, drawn from the part of the mirror it needs; and `reelgraph show` on it.

The path view's title counts the chain as ``reelgraph path`` does (co-star
steps, film-to-film steps for films), so the page and the command agree.
"""

import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner

from reelgraph import views
from reelgraph.analysis.paths import costar_path, film_path
from reelgraph.cli import main
from reelgraph.errors import NameNotFoundError, ReelgraphError
from reelgraph.mirror import build_mirror
from reelgraph.store import LocalStore


@pytest.fixture(scope="module")
def mirror(sample_graph):
    return build_mirror(sample_graph)


@pytest.fixture(scope="module")
def store(sample_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("store")
    LocalStore(path).write(sample_graph)
    return path


def _same(a: views.View, b: views.View):
    assert (a.kind, a.title, a.note, a.shown, a.omitted, a.legend) == (b.kind, b.title, b.note, b.shown, b.omitted, b.legend)
    assert (a.nodes, a.edges, a.options) == (b.nodes, b.edges, b.options)


# -- the API ------------------------------------------------------------------------------------


def test_each_request_gives_the_view_the_whole_graph_gives(mirror):
    _same(views.view(mirror, "Never Let Me Go"), views.neighbourhood_view(mirror, "tt1334260"))
    _same(views.view(mirror, "Carey Mulligan", depth=2, max_nodes=40, colour_by="cluster", size_by="rating"),
          views.neighbourhood_view(mirror, "name:carey-mulligan", depth=2, max_nodes=40, colour_by="cluster", size_by="rating"))
    chain = [step["id"] for step in costar_path(mirror, "Keira Knightley", "Sally Hawkins").path]
    _same(views.view(mirror, path=("Keira Knightley", "Sally Hawkins")), views.path_view(mirror, chain))
    _same(views.view(mirror, path=chain), views.path_view(mirror, chain))
    _same(views.view(mirror, clusters=True), views.cluster_view(mirror, max_nodes=2000))
    _same(views.view(mirror, more_like_this=True), views.more_like_this_view(mirror, max_nodes=2000))
    _same(views.view(mirror, "Never Let Me Go", more_like_this=True, depth=1, max_nodes=5),
          views.more_like_this_view(mirror, "tt1334260", depth=1, max_nodes=5))


def test_a_film_graph_is_mirrored_first(sample_graph, mirror):
    _same(views.view(sample_graph, "Never Let Me Go"), views.view(mirror, "Never Let Me Go"))


@pytest.mark.parametrize("kwargs", [
    {},
    {"name": "Never Let Me Go", "clusters": True},
    {"name": "Never Let Me Go", "path": ("Keira Knightley", "Sally Hawkins")},
    {"clusters": True, "more_like_this": True},
    {"path": ("Keira Knightley",)},
    {"name": "Never Let Me Go", "max_nodes": 0},
    {"name": "Never Let Me Go", "depth": -1},
])
def test_asking_for_no_view_or_several_is_a_value_error(mirror, kwargs):
    with pytest.raises(ValueError):
        views.view(mirror, **kwargs)


def test_names_and_ids_that_are_not_there(mirror):
    with pytest.raises(NameNotFoundError, match="Never Let Me Goo"):
        views.view(mirror, "Never Let Me Goo")
    with pytest.raises(NameNotFoundError, match="no film named 'Carey Mulligan'"):
        views.view(mirror, "Carey Mulligan", more_like_this=True)
    with pytest.raises(NameNotFoundError, match="tt404"):
        views.view(mirror, path=["name:keira-knightley", "tt1334260", "tt404"])


def test_no_path_is_an_error_the_user_can_fix(mirror):
    with pytest.raises(ReelgraphError):
        views.view(mirror, path=("Keira Knightley", "Aaron Sorkin"))  # a writer: no co-star chain reaches him


# -- the path's length, as `reelgraph path` says it ------------------------------------------------------


def _steps(title: str) -> tuple[int, str]:
    match = re.search(r"\((\d+) (co-star step|film-to-film step|link)s?\)$", title)
    assert match, title
    return int(match.group(1)), match.group(2)


def test_path_titles_count_co_star_steps_as_the_command_does(mirror):
    people = ["Keira Knightley", "Sally Hawkins", "Carey Mulligan", "Emma Thompson", "Andrew Garfield"]
    distances = set()
    for a in people:
        for b in people:
            if a != b:
                result = costar_path(mirror, a, b)
                view = views.path_view(mirror, [step["id"] for step in result.path])
                assert _steps(view.title) == (result.distance, "co-star step")
                distances.add(result.distance)
    # and the farthest pair of the sample, as far as the command goes
    ids = mirror.ids[: mirror.n_people]
    far = max((costar_path(mirror, "name:carey-mulligan", p) for p in ids[:60] if p != "name:carey-mulligan"
               and _acts(mirror, p)), key=lambda r: r.distance or 0)
    view = views.path_view(mirror, [step["id"] for step in far.path])
    assert _steps(view.title) == (far.distance, "co-star step") and far.distance >= 2
    assert len(view.nodes) == 2 * far.distance + 1


def _acts(mirror, person) -> bool:
    try:
        return costar_path(mirror, "name:carey-mulligan", person).found
    except ReelgraphError:
        return False


def test_film_path_titles_count_film_to_film_steps(mirror):
    result = film_path(mirror, "Never Let Me Go", "Paddington")
    view = views.path_view(mirror, [step["id"] for step in result.path])
    assert _steps(view.title) == (result.distance, "film-to-film step") == (1, "film-to-film step")


def test_other_paths_count_their_links(graph_factory):
    G = graph_factory(n_films=30, cast=5, seed=1, hostile=False)
    assert views.path_view(G, ["tt1000000", "tt1000001"]).title.endswith("(1 link)")  # a "More like this" link
    person = next(iter(G.neighbors("tt1000000")))
    assert views.path_view(G, [person, "tt1000000"]).title.endswith("(1 link)")  # a person and a film
    chain = nx.shortest_path(G, "tt1000000", "tt1000003")
    assert _steps(views.path_view(G, chain).title) == ((len(chain) - 1) // 2, "film-to-film step")
    assert views.path_view(G, ["tt1000000"]).title == f"Path: {G.nodes['tt1000000']['label']}"


# -- `reelgraph show` ----------------------------------------------------------------------------------------


def run(store, *args):
    return CliRunner().invoke(main, [*map(str, args), "--store", str(store)], env={"NEO4J_URI": ""})


def test_show_json_says_what_it_wrote(store, tmp_path):
    out = tmp_path / "nlmg.html"
    result = run(store, "show", "Never Let Me Go", "-o", out, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {"output": str(out), "shown": 36, "omitted": 0, "title": "Neighbourhood of Never Let Me Go (1 step)"}
    assert out.is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["nlmg.html"]


def test_show_path_and_the_path_command_agree(store, tmp_path):
    out = tmp_path / "path.html"
    said = json.loads(run(store, "path", "Keira Knightley", "Andrew Garfield", "--json").output)
    shown = json.loads(run(store, "show", "--path", "Keira Knightley", "Andrew Garfield", "-o", out, "--json").output)
    assert _steps(shown["title"]) == (said["distance"], "co-star step")
    assert shown["shown"] == 2 * said["distance"] + 1


def test_show_cut_reports_what_it_left_out(store, tmp_path):
    result = run(store, "show", "Never Let Me Go", "--max-nodes", "10", "-o", tmp_path / "cut.html", "--json")
    data = json.loads(result.output)
    assert (data["shown"], data["omitted"]) == (10, 26)
    result = run(store, "show", "Never Let Me Go", "--max-nodes", "10", "-o", tmp_path / "cut.html")
    assert result.output == f"wrote {tmp_path / 'cut.html'} (10 nodes, 26 left out)\n"


@pytest.mark.parametrize("args", [[], ["Never Let Me Go", "--clusters"], ["--clusters", "--more-like-this"], ["Never Let Me Go", "--max-nodes", "0"]])
def test_show_without_one_view_is_a_usage_error(store, tmp_path, args):
    result = run(store, "show", *args, "-o", tmp_path / "x.html")
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output and not (tmp_path / "x.html").exists()
