"""Resolving what a user types to one id: exact up to case and accents, else a question back."""

import re

import pytest

from reelgraph.errors import AmbiguousNameError, NameNotFoundError
from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph
from reelgraph.names import (
    MAX_CANDIDATES,
    MAX_SCORED,
    close_names,
    describe_film,
    describe_person,
    normalize_name,
    resolve_any,
    resolve_any_node,
    resolve_film,
    resolve_node,
    resolve_person,
)


@pytest.fixture
def graph():
    return build_mirror(
        FilmGraph.from_records(
            films=[
                {"id": "tt0414387", "title": "Pride & Prejudice", "year": 2005, "title_type": "movie", "votes": 300000},
                {"id": "tt0783233", "title": "Atonement", "year": 2007, "title_type": "movie", "votes": 280000},
                {"id": "tt0000010", "title": "Small Film", "year": 2019, "votes": 10},
                {"id": "tt0036969", "title": "Jane Eyre", "year": 1943, "title_type": "movie", "votes": 20000},
                {"id": "tt1229822", "title": "Jane Eyre", "year": 2011, "title_type": "movie", "votes": 90000},
                {"id": "tt0000020", "title": "Amélie"},
            ],
            people=[
                {"id": "nm0461136", "name": "Keira Knightley", "birth_year": 1985},
                {"id": "nm0000002", "name": "Keira Knightley"},
                {"id": "nm0000003", "name": "Zoë Wanamaker", "birth_year": 1949},
                {"id": "nm0000004", "name": "Cary Fukunaga"},
                {"id": "nm0000005", "name": "Robert Stevenson"},
            ],
            credits=[
                {"person_id": "nm0461136", "film_id": "tt0783233", "role": "actor"},
                {"person_id": "nm0461136", "film_id": "tt0414387", "role": "actor"},
                {"person_id": "nm0000002", "film_id": "tt0000010", "role": "actor"},
                {"person_id": "nm0000004", "film_id": "tt1229822", "role": "director"},
                {"person_id": "nm0000005", "film_id": "tt0036969", "role": "director"},
            ],
        )
    )


def test_normalize_name():
    assert normalize_name("  Zoë   WANAMAKER ") == "zoe wanamaker"
    assert normalize_name("Amélie") == normalize_name("Ame\u0301lie") == "amelie"


def test_ids_are_taken_as_they_are(graph):
    assert resolve_person(graph, "nm0000002") == "nm0000002"
    assert resolve_film(graph, "tt1229822") == "tt1229822"
    assert resolve_node(graph, "nm0000003", "person") == 2


def test_exact_name_up_to_case_accents_and_blanks(graph):
    assert resolve_person(graph, "zoe  wanamaker") == "nm0000003"
    assert resolve_person(graph, "ZOË WANAMAKER") == "nm0000003"
    assert resolve_film(graph, "amelie") == "tt0000020"
    assert resolve_film(graph, "pride & prejudice") == "tt0414387"


def test_ambiguous_person_lists_candidates_most_famous_first(graph):
    with pytest.raises(AmbiguousNameError, match=re.escape("2 people are named 'Keira Knightley', pass an id instead")) as info:
        resolve_person(graph, "Keira Knightley")
    assert info.value.candidates == [
        "nm0461136 Keira Knightley (b. 1985, Pride & Prejudice)",
        "nm0000002 Keira Knightley (Small Film)",
    ]


def test_best_known_film_without_votes_is_the_one_with_most_credits():
    g = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": "Acted"}, {"id": "tt0000002", "title": "Wrote and directed"}],
        people=[{"id": "nm0000001", "name": "Ann"}],
        credits=[
            {"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"},
            {"person_id": "nm0000001", "film_id": "tt0000002", "role": "writer"},
            {"person_id": "nm0000001", "film_id": "tt0000002", "role": "director"},
        ],
    )
    assert describe_person(g, "nm0000001") == "nm0000001 Ann (Wrote and directed)"


def test_ambiguous_film_and_year_suffix(graph):
    with pytest.raises(AmbiguousNameError, match="2 films are named 'Jane Eyre'") as info:
        resolve_film(graph, "Jane Eyre")
    assert info.value.candidates == [
        "tt1229822 Jane Eyre (2011, movie, dir. Cary Fukunaga)",
        "tt0036969 Jane Eyre (1943, movie, dir. Robert Stevenson)",
    ]
    assert resolve_film(graph, "jane eyre (1943)") == "tt0036969"
    with pytest.raises(NameNotFoundError):
        resolve_film(graph, "Jane Eyre (1999)")


def test_unknown_names_suggest_close_ones(graph):
    with pytest.raises(NameNotFoundError, match=re.escape("no person named 'Kiera Knightly'; did you mean 'Keira Knightley'?")) as info:
        resolve_person(graph, "Kiera Knightly")
    assert info.value.suggestions == ["Keira Knightley"]
    with pytest.raises(NameNotFoundError, match="no film named 'Atonment'") as info:
        resolve_film(graph, "Atonment")
    assert "Atonement" in info.value.suggestions and len(info.value.suggestions) <= 5
    with pytest.raises(NameNotFoundError, match=r"no person named 'Qqqqqq'$"):
        resolve_person(graph, "Qqqqqq")


def test_an_id_of_the_wrong_kind_is_not_found(graph):
    with pytest.raises(NameNotFoundError, match="no film named 'nm0461136'"):
        resolve_film(graph, "nm0461136")
    with pytest.raises(NameNotFoundError):
        resolve_person(graph, "nm9999999")
    with pytest.raises(NameNotFoundError):
        resolve_person(graph, "   ")


def test_many_namesakes_are_cut_short():
    n = MAX_CANDIDATES + 3
    g = FilmGraph.from_records(people=[{"id": f"nm{i:07d}", "name": "John Smith"} for i in range(n)])
    with pytest.raises(AmbiguousNameError) as info:
        resolve_person(g, "john smith")
    assert len(info.value.candidates) == MAX_CANDIDATES + 1
    assert info.value.candidates[0] == "nm0000000 John Smith"
    assert info.value.candidates[-1] == "... and 3 more"


def test_describe_film(graph):
    assert describe_film(graph, "tt0000020") == "tt0000020 Amélie"


def test_many_namesakes_are_all_counted_and_the_best_known_listed():
    people = [{"id": f"nm{i:07d}", "name": "Same Name"} for i in range(1, 13)]
    films = [{"id": f"tt{i:07d}", "title": f"Film {i}", "votes": i * 100} for i in range(1, 13)]
    credits = [{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"} for i in range(1, 13)]
    g = FilmGraph.from_records(films=films, people=people, credits=credits)
    with pytest.raises(AmbiguousNameError, match=re.escape("12 people are named 'same name', pass an id instead: "
                                                           "nm0000012 Same Name (Film 12); ")) as info:
        resolve_person(g, "same name")
    assert info.value.count == 12
    assert len(info.value.candidates) == 11
    assert info.value.candidates[-2:] == ["nm0000003 Same Name (Film 3)", "... and 2 more"]


# -- either kind: resolve_any ------------------------------------------------------------


def test_resolve_any_takes_a_person_or_a_film(graph):
    assert resolve_any(graph, "Atonement") == "tt0783233"
    assert resolve_any(graph, "zoe wanamaker") == "nm0000003"
    assert resolve_any(graph, "nm0000002") == "nm0000002"
    assert resolve_any(graph, "jane eyre (1943)") == "tt0036969"
    with pytest.raises(AmbiguousNameError, match=re.escape("2 people are named 'Keira Knightley', pass an id instead")):
        resolve_any(graph, "Keira Knightley")
    with pytest.raises(AmbiguousNameError, match=re.escape("2 films are named 'Jane Eyre', pass an id instead")):
        resolve_any(graph, "Jane Eyre")
    with pytest.raises(NameNotFoundError, match=re.escape(
            "no person or film named 'Atonment'; did you mean 'Atonement'?")) as info:
        resolve_any(graph, "Atonment")
    assert info.value.kind == "person or film"
    with pytest.raises(NameNotFoundError, match=r"^no person or film named 'Zoe Wanamakr'; did you mean 'Zoë Wanamaker'\?$"):
        resolve_any(graph, "Zoe Wanamakr")


def test_resolve_any_of_a_name_both_kinds_have():
    g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Selena", "year": 1997}],
                               people=[{"id": "nm0000001", "name": "Selena", "birth_year": 1971}])
    with pytest.raises(AmbiguousNameError, match=re.escape(
            "2 people or films are named 'selena', pass an id instead: nm0000001 Selena (b. 1971); tt0000001 Selena (1997)")) as info:
        resolve_any(g, "selena")
    assert info.value.count == 2 and info.value.kind == "person or film"
    assert resolve_any_node(build_mirror(g), "tt0000001") == 1


def test_the_other_kind_is_named_not_suggested(graph):
    with pytest.raises(NameNotFoundError, match=re.escape(
            "no person named 'Atonement': it is a film, tt0783233 Atonement (2007, movie)")) as info:
        resolve_person(graph, "Atonement")
    assert (info.value.other_kind, info.value.other_id, info.value.suggestions) == ("film", "tt0783233", [])
    with pytest.raises(NameNotFoundError, match=re.escape(
            "no film named 'Zoë Wanamaker': it is a person, nm0000003 Zoë Wanamaker (b. 1949)")):
        resolve_film(graph, "Zoë Wanamaker")
    with pytest.raises(NameNotFoundError, match=re.escape("no film named 'Keira Knightley': it names 2 people")):
        resolve_film(graph, "Keira Knightley")


# -- suggestions: the standard library only, the same whatever is installed --------------------


def test_close_names_scores_and_orders():
    assert close_names("kiera knightly", ["sally hawkins", "keira knightley", "keira"]) == [
        (pytest.approx(0.896551724, abs=1e-9), "keira knightley")]
    # Ties go to the name that sorts first; at most ``limit``; nothing below the cutoff.
    assert close_names("abcd", ["abce", "abcf", "abcx", "zzzz"], limit=2) == [(0.75, "abce"), (0.75, "abcf")]
    assert close_names("abcd", ["wxyz"]) == [] and close_names("", ["a"]) == [] and close_names("a", []) == []


def test_suggestions_do_not_depend_on_rapidfuzz(graph, monkeypatch):
    import sys
    import types

    before = [info.value.suggestions for info in _not_found(graph)]
    fake = types.ModuleType("rapidfuzz")  # whatever rapidfuzz would say, it is never asked
    fake.process = types.SimpleNamespace(extract=lambda *a, **k: [("qqqqqq", 100, 0)])
    fake.fuzz = types.SimpleNamespace(ratio=None)
    monkeypatch.setitem(sys.modules, "rapidfuzz", fake)
    monkeypatch.setitem(sys.modules, "rapidfuzz.process", fake.process)
    monkeypatch.setitem(sys.modules, "rapidfuzz.fuzz", fake.fuzz)
    assert [info.value.suggestions for info in _not_found(graph)] == before == [
        ["Keira Knightley"], ["Atonement"], ["Zoë Wanamaker"]]


def _not_found(graph):
    out = []
    for resolve, text in ((resolve_person, "Kiera Knightly"), (resolve_film, "Atonment"), (resolve_person, "zoe wanamakr")):
        with pytest.raises(NameNotFoundError) as info:
            resolve(graph, text)
        out.append(info)
    return out


def test_suggestions_among_many_names():
    """Past MAX_SCORED names only those sharing the most three-letter pieces are scored: typos in every word still match."""
    rng = __import__("numpy").random.default_rng(0)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    names = {"".join(rng.choice(letters, 6)) + " " + "".join(rng.choice(letters, 8)) for _ in range(3 * MAX_SCORED)}
    people = [{"id": f"nm{i:07d}", "name": n} for i, n in enumerate(sorted(names))]
    people += [{"id": "nm9999998", "name": "Keira Knightley"}, {"id": "nm9999999", "name": "Keira Knightly-Smith"}]
    g = build_mirror(FilmGraph.from_records(people=people))
    with pytest.raises(NameNotFoundError, match=re.escape(
            "no person named 'Kiera Knightly'; did you mean 'Keira Knightley', 'Keira Knightly-Smith'?")):
        resolve_person(g, "Kiera Knightly")
