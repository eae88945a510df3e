"""Small film graphs with answers worked out by hand, shared by the analysis tests."""

import pytest

from reelgraph.mirror import build_mirror
from reelgraph.model import FilmGraph

# People: A..F act; G directs f1 and f7; S appears as himself; Z and X are
# actors nobody reaches through acting (Z only shares f8 with S; X is alone).
PEOPLE = {
    "A": ("nm0000001", "Kevin Bacon", 1958),
    "B": ("nm0000002", "Bea Arthur", 1922),
    "C": ("nm0000003", "Carl Weathers", 1948),
    "D": ("nm0000004", "Dana Delany", 1956),
    "E": ("nm0000005", "Emma Stone", 1988),
    "F": ("nm0000006", "Fred Astaire", 1899),
    "G": ("nm0000007", "Gene Director", None),
    "S": ("nm0000008", "Sam Self", None),
    "Z": ("nm0000009", "Zoë Zed", None),
    "X": ("nm0000010", "Xavier Alone", None),
}
# Film key: (id, title, year, votes, [(person, role), ...])
FILMS = {
    "f1": ("tt0000001", "First", 1990, 1000, [("A", "actor"), ("B", "actor"), ("S", "self"), ("G", "director")]),
    "f2": ("tt0000002", "Second", 2000, 1000, [("B", "actor"), ("C", "actor")]),
    "f3": ("tt0000003", "Third", 2010, 1000, [("C", "actor"), ("D", "actor")]),
    "f4": ("tt0000004", "Fourth", 1995, 1000, [("A", "actor"), ("E", "actor")]),
    "f5": ("tt0000005", "Fifth", 2005, 1000, [("E", "actor"), ("F", "actor")]),
    "f6": ("tt0000006", "Sixth", 2015, 10, [("B", "actor"), ("D", "actor")]),
    "f7": ("tt0000007", "Seventh", 2001, 1000, [("F", "actor"), ("D", "actor"), ("G", "director")]),
    "f8": ("tt0000008", "Eighth", 2003, 1000, [("S", "self"), ("Z", "actor")]),
    "f9": ("tt0000009", "Ninth", 2012, 1000, [("X", "actor")]),
}


def pid(key):
    return PEOPLE[key][0]


def fid(key):
    return FILMS[key][0]


def costar_graph() -> FilmGraph:
    people = [{"id": i, "name": n, "birth_year": b} for i, n, b in PEOPLE.values()]
    films = [{"id": i, "title": t, "year": y, "votes": v, "title_type": "movie"} for i, t, y, v, _ in FILMS.values()]
    credits = []
    for film_id, _t, _y, _v, cast in FILMS.values():
        for billing, (person, role) in enumerate(cast, 1):
            credits.append({"person_id": pid(person), "film_id": film_id, "role": role, "billing": billing})
    return FilmGraph.from_records(films=films, people=people, credits=credits)


@pytest.fixture
def costars():
    return build_mirror(costar_graph())


@pytest.fixture
def ids():
    """Letter (A..X) or film key (f1..f9) -> id."""
    out = {k: v[0] for k, v in PEOPLE.items()}
    out.update({k: v[0] for k, v in FILMS.items()})
    return out
