"""The NetworkX mirror of the canonical tables and the counts ``reelgraph mirror --check`` compares."""

import networkx as nx
import numpy as np
import pytest

from reelgraph.mirror import build_mirror, mirror_counts
from reelgraph.schema import RELATIONSHIP_TYPES, relationship_type
from reelgraph.model import MORE_LIKE_THIS, FilmGraph


@pytest.fixture
def tables():
    return FilmGraph.from_records(
        films=[
            {"id": "tt0414387", "title": "Pride & Prejudice", "year": 2005, "rating": 7.8, "votes": 300000, "genres": ["Drama", "Romance"], "title_type": "movie", "cluster": 3},
            {"id": "tt0783233", "title": "Atonement", "year": 2007, "genres": ["Drama", "Romance", "War"], "title_type": "movie"},
            {"id": "title:jane-eyre:2011", "title": "Jane Eyre", "year": 2011, "stub": True},
        ],
        people=[
            {"id": "nm0461136", "name": "Keira Knightley", "birth_year": 1985, "professions": ["actress", "producer"]},
            {"id": "nm0942504", "name": "Joe Wright", "birth_year": 1972},
        ],
        credits=[
            {"person_id": "nm0461136", "film_id": "tt0414387", "role": "actor", "characters": ["Elizabeth Bennet"], "billing": 1},
            {"person_id": "nm0461136", "film_id": "tt0414387", "role": "producer", "billing": 9},
            {"person_id": "nm0461136", "film_id": "tt0783233", "role": "actor", "characters": ["Cecilia Tallis"], "billing": 2},
            {"person_id": "nm0942504", "film_id": "tt0414387", "role": "director"},
            {"person_id": "nm0942504", "film_id": "tt0783233", "role": "director"},
            {"person_id": "nm0000001", "film_id": "tt0783233", "role": "composer"},  # not in people
            {"person_id": "nm0000002", "film_id": "tt0783233", "role": "editor"},  # not in people
            {"person_id": "nm0000003", "film_id": "tt0783233", "role": "self"},  # not in people
            {"person_id": "nm0000004", "film_id": "tt0783233", "role": "writer"},  # not in people
        ],
        similar=[
            {"film_id": "tt0414387", "similar_id": "tt0783233", "rank": 1, "source": MORE_LIKE_THIS},
            {"film_id": "tt0414387", "similar_id": "title:jane-eyre:2011", "rank": 2, "source": MORE_LIKE_THIS},
            {"film_id": "tt0783233", "similar_id": "tt0000099", "rank": 1, "source": MORE_LIKE_THIS},  # not in films
        ],
    )


def test_nodes_are_keyed_by_id_with_attributes(tables):
    G = build_mirror(tables).nx
    assert G.nodes["tt0414387"] == {
        "kind": "film", "label": "Pride & Prejudice", "year": 2005, "rating": 7.8, "votes": 300000,
        "genres": ["Drama", "Romance"], "title_type": "movie", "stub": False, "cluster": 3,
    }
    assert G.nodes["title:jane-eyre:2011"]["stub"] is True
    assert G.nodes["nm0461136"] == {"kind": "person", "label": "Keira Knightley", "birth_year": 1985, "professions": ["actress", "producer"]}
    # Referenced without a row: a node labelled by its id, like Neo4j's MERGE makes.
    assert G.nodes["nm0000001"]["label"] == "nm0000001" and G.nodes["nm0000001"]["kind"] == "person"
    assert G.nodes["tt0000099"]["kind"] == "film" and G.nodes["tt0000099"]["year"] is None


def test_credit_edges_fold_roles(tables):
    G = build_mirror(tables).nx
    assert G.edges["nm0461136", "tt0414387"] == {"roles": ["actor", "producer"], "characters": ["Elizabeth Bennet"], "billing": 1}
    assert G.edges["nm0942504", "tt0783233"] == {"roles": ["director"], "characters": [], "billing": None}
    assert G.number_of_edges() == 8  # 9 credit rows, two of them one (person, film)


def test_more_like_this_is_a_separate_digraph(tables):
    G = build_mirror(tables).nx
    similar = G.graph["similar"]
    assert isinstance(similar, nx.DiGraph)
    assert similar.edges["tt0414387", "tt0783233"] == {"rank": 1, "source": MORE_LIKE_THIS}
    assert set(similar.nodes) == {"tt0414387", "tt0783233", "title:jane-eyre:2011", "tt0000099"}
    # No film-film edge in the credit graph: paths cannot use "More like this".
    assert not any(G.nodes[a]["kind"] == G.nodes[b]["kind"] for a, b in G.edges)
    assert not nx.has_path(G, "tt0414387", "title:jane-eyre:2011")


def test_mirror_counts_follow_the_neo4j_rule(tables):
    counts = mirror_counts(build_mirror(tables))
    assert counts == {
        "nodes": {"Film": 4, "Person": 6, "Genre": 3},
        "relationships": {
            "ACTED_IN": 2, "DIRECTED": 2, "WROTE": 1, "PRODUCED": 1, "COMPOSED": 1,
            "WORKED_ON": 2, "IN_GENRE": 5, "MORE_LIKE_THIS": 3,
        },
    }
    assert list(counts["relationships"]) == list(RELATIONSHIP_TYPES)
    assert mirror_counts(tables) == counts  # a FilmGraph works too
    assert relationship_type("cinematographer") == "WORKED_ON"


def test_indexes_and_views(tables):
    m = build_mirror(tables)
    assert (m.n_people, m.n_films) == (6, 4)
    assert list(m.ids[:2]) == ["nm0461136", "nm0942504"]
    assert m.index_of("tt0414387") == 6 and "tt0414387" in m and "nope" not in m
    with pytest.raises(KeyError):
        m.index_of("nope")
    actors = m.view(m.role_set())
    assert actors.n_edges == 2
    everyone = m.view(m.role_set(actors_only=False))
    assert everyone.n_edges == 7  # self is left out by default; actor+producer is one edge
    row = everyone.indices[everyone.indptr[0] : everyone.indptr[1]]
    assert [m.ids[i] for i in row] == ["tt0414387", "tt0783233"]
    assert m.view(m.role_set()) is actors  # cached
    assert m.node("nm0942504")["label"] == "Joe Wright"


TRICKY_IDS = ["nm0000007", "nm01", "nm00000007", "nm1234567", "nm10000001", "nm012345678", "nm1234567890",
              "Amélie", "nm000000٧", "nm 000007", "tt0000007", "", "nm"]


def test_imdb_number_one_id_and_a_column_agree():
    import pyarrow as pa
    from reelgraph._imdb_ids import imdb_number, imdb_numbers

    one = [imdb_number(text, "nm") for text in TRICKY_IDS]
    assert one == [7, -1, -1, 1234567, 10000001, -1, -1, -1, -1, -1, -1, -1, -1]
    assert imdb_numbers(pa.array(TRICKY_IDS), "nm", limit=1 << 31).tolist() == one
    assert imdb_number(7, "nm") == imdb_number(None, "nm") == -1


@pytest.mark.parametrize("slots", [None, 10**8])
def test_people_are_found_by_imdb_number_and_other_ids_by_text(monkeypatch, slots):
    import reelgraph.mirror as mirror_module

    if slots:  # numbers of 8 digits: the array is allowed only when it may be that big
        monkeypatch.setattr(mirror_module, "_SLOTS_PER_PERSON", slots)
    person_ids = [text for text in TRICKY_IDS if text.startswith(("nm", "A")) and text != "nm"]
    if not slots:
        person_ids.remove("nm10000001")
    g = FilmGraph.from_records(people=[{"id": pid, "name": f"P{k}"} for k, pid in enumerate(person_ids)],
                               films=[{"id": "tt0000007", "title": "Seven"}])
    m = build_mirror(g)
    by_number = m._people_by_number
    assert by_number is not None
    assert len(by_number) == (10000002 if slots else 1234568)
    for pid in person_ids:
        assert m.ids[m.index_of(pid)] == pid
    assert m.index_of("tt0000007") == m.n_people
    for missing in ["nm0000008", "nm7", "nm000007", 7]:
        with pytest.raises(KeyError):
            m.index_of(missing)


def test_people_numbers_too_sparse_for_an_array_are_looked_up_by_text():
    g = FilmGraph.from_records(people=[{"id": "nm0000001", "name": "A"}, {"id": "nm9999999", "name": "B"}])
    m = build_mirror(g)
    assert m._people_by_number is None
    assert (m.index_of("nm0000001"), m.index_of("nm9999999")) == (0, 1)


def test_empty_graph():
    m = build_mirror(FilmGraph.empty())
    assert m.n_nodes == 0 and m.nx.number_of_nodes() == 0
    assert mirror_counts(m)["relationships"] == dict.fromkeys(RELATIONSHIP_TYPES, 0)
    assert m.view(m.role_set()).n_edges == 0


def test_duplicate_rows_in_hand_made_tables_keep_one_node():
    g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}, {"id": "tt0000001", "title": "A again"}])
    m = build_mirror(g)
    assert m.n_films == 1 and m.label(0) == "A"


def test_sample_tables_mirror():
    from reelgraph.loaders.sample import SAMPLE_DIR
    from reelgraph.loaders.tables import read_tables

    folder = SAMPLE_DIR / "tables"
    if not (folder / "films.csv").exists():
        pytest.skip("sample tables not written yet")
    g = read_tables(folder)
    m = build_mirror(g)
    counts = mirror_counts(m)
    assert counts["relationships"]["MORE_LIKE_THIS"] == len(g.similar)
    assert sum(counts["relationships"][t] for t in RELATIONSHIP_TYPES[:6]) == len(g.credits)
    assert counts["nodes"]["Film"] >= len(g.films) and counts["nodes"]["Person"] >= len(g.people)
    assert m.nx.number_of_nodes() == m.n_nodes
    assert np.all(m.view(m.role_set()).degree >= 0)


def test_mirror_counts_fold_credits_neo4j_merges():
    """Two actor credits of one person in one film are one ACTED_IN; WORKED_ON stays one per role."""
    g = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": "A"}], people=[{"id": "nm0000001", "name": "X"}],
        credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": role, "characters": chars}
                 for role, chars in [("actor", ["Twin 1"]), ("actor", ["Twin 2"]), ("editor", []),
                                     ("cinematographer", []), ("director", [])]])
    assert len(g.credits) == 5
    rels = mirror_counts(g)["relationships"]
    assert (rels["ACTED_IN"], rels["DIRECTED"], rels["WORKED_ON"], rels["WROTE"]) == (1, 1, 2, 0)
