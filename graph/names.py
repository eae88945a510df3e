"""Turn what a user types (a name, a title, an id) into one node id of the mirror.

Ids (``nm...``, ``tt...``, ``name:...``, ``title:...``) are taken as they
are.  Otherwise the text must equal a name or title up to case, accents and
runs of blanks ("keira   KNIGHTLEY" and "Amelie" find "Keira Knightley" and
"Amélie").  A title may end with a year in brackets, "Jane Eyre (2011)", to
pick one of several films of that title.  Nothing fuzzier is ever *chosen*:
a wrong guess in a "six degrees" answer is worse than a question back.  So

* several matches raise :class:`~reelgraph.errors.AmbiguousNameError` listing
  them with what tells them apart, most famous first:
  ``"nm0461136 Keira Knightley (b. 1985, Pride & Prejudice)"`` or
  ``"tt0414387 Pride & Prejudice (2005, movie, dir. Joe Wright)"``;
* no match raises :class:`~reelgraph.errors.NameNotFoundError` with up to five
  close names (rapidfuzz when it is installed, else :mod:`difflib`).

Name matching is vectorised with pyarrow (normalising a million names takes
well under a second) and cached per mirror.
"""

from __future__ import annotations

import difflib
import re
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from reelgraph.errors import AmbiguousNameError, NameNotFoundError
from reelgraph.mirror import MISSING_INT, Mirror, build_mirror

__all__ = [
    "normalize_name",
    "resolve_person",
    "resolve_film",
    "resolve_node",
    "resolve_any",
    "describe_person",
    "describe_film",
    "MAX_CANDIDATES",
    "MAX_SUGGESTIONS",
]

#: Candidates an :class:`AmbiguousNameError` lists before "... and N more".
MAX_CANDIDATES = 10
#: Close names a :class:`NameNotFoundError` suggests.
MAX_SUGGESTIONS = 5

_YEAR_SUFFIX = re.compile(r"^(.*\S)\s*\((\d{4})\)\s*$")
_cache: "weakref.WeakKeyDictionary[Mirror, dict]" = weakref.WeakKeyDictionary()


def _normalize_array(values) -> pa.Array:
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    arr = pc.utf8_normalize(arr, form="NFKD")
    arr = pc.replace_substring_regex(arr, pattern=r"\p{Mn}+", replacement="")  # accents: combining marks
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, pattern=r"\s+", replacement=" ")
    return pc.utf8_trim_whitespace(arr)


def normalize_name(text: str) -> str:
    """The form names are compared in: no accents, lower case, single spaces.

    Examples
    --------
    >>> normalize_name("  Amélie   POULAIN ")
    'amelie poulain'
    """
    # The same pyarrow kernels as for the whole table, so both sides agree
    # even on unusual characters.
    return _normalize_array([text])[0].as_py() or ""


def _normalized(mirror: Mirror, kind: str) -> pa.Array:
    per_mirror = _cache.setdefault(mirror, {})
    if kind not in per_mirror:
        labels = mirror.labels[: mirror.n_people] if kind == "person" else mirror.labels[mirror.n_people :]
        per_mirror[kind] = _normalize_array(labels)
    return per_mirror[kind]


def _as_mirror(mirror_or_graph) -> Mirror:
    return build_mirror(mirror_or_graph)


def resolve_person(mirror_or_graph, name_or_id: str) -> str:
    """The id of the one person ``name_or_id`` names.

    Parameters
    ----------
    mirror_or_graph : Mirror or FilmGraph
    name_or_id : str
        An id of a person in the graph, or a name (case, accents and extra
        blanks do not matter).

    Returns
    -------
    str
        The person's id.

    Raises
    ------
    AmbiguousNameError
        Several people have that name; ``candidates`` describes each.
    NameNotFoundError
        Nobody has that name; ``suggestions`` holds up to five close names.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(people=[{"id": "nm0000001", "name": "Zoë Wanamaker"}])
    >>> resolve_person(g, "zoe wanamaker")
    'nm0000001'
    """
    return _resolve(_as_mirror(mirror_or_graph), name_or_id, "person")


def resolve_film(mirror_or_graph, title_or_id: str) -> str:
    """The id of the one film ``title_or_id`` names.

    Like :func:`resolve_person`; a title may end with its year in brackets,
    ``"Jane Eyre (2011)"``, to choose among films of the same title.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Jane Eyre", "year": 1943},
    ...                                   {"id": "tt0000002", "title": "Jane Eyre", "year": 2011}])
    >>> resolve_film(g, "jane eyre (2011)")
    'tt0000002'
    """
    return _resolve(_as_mirror(mirror_or_graph), title_or_id, "film")


def resolve_node(mirror: Mirror, name_or_id: str, kind: str) -> int:
    """Node index for :func:`resolve_person` (``kind="person"``) or :func:`resolve_film`."""
    m = _as_mirror(mirror)
    if isinstance(name_or_id, str):
        # Fast path for ids: one hash lookup, no normalisation.
        index = _id_index(m, name_or_id, kind)
        if index >= 0:
            return index
    return m.index_of(_resolve(m, name_or_id, kind))


def _id_index(mirror: Mirror, text: str, kind: str) -> int:
    """The node index of ``text`` taken as an id of a ``kind`` node, else -1."""
    try:
        index = mirror.index_of(text)
    except KeyError:
        return -1
    in_kind = mirror.is_person(index) if kind == "person" else mirror.is_film(index)
    return index if in_kind else -1


def _resolve(mirror: Mirror, text, kind: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise NameNotFoundError(kind, text)
    text = text.strip()
    if _id_index(mirror, text, kind) >= 0:
        return text
    offset = 0 if kind == "person" else mirror.n_people
    normalized = _normalized(mirror, kind)
    found = _equal(normalized, normalize_name(text))
    if not len(found) and kind == "film":
        match = _YEAR_SUFFIX.match(text)
        if match:
            found = _equal(normalized, normalize_name(match.group(1)))
            found = found[mirror.film_year[found] == int(match.group(2))]
    if len(found) > 1 and kind == "film":
        # A film known only from a "More like this" list loses to the full film of that title.
        stub = mirror.films["stub"].to_numpy(dtype=bool, na_value=False)[found]
        if (~stub).sum() == 1:
            found = found[~stub]
    if len(found) == 1:
        return str(mirror.ids[found[0] + offset])
    if len(found) > 1:
        nodes = found + offset
        raise AmbiguousNameError(kind, text, _describe_many(mirror, nodes, kind), count=len(nodes))
    raise NameNotFoundError(kind, text, _suggestions(mirror, normalized, text, kind))


def _equal(normalized: pa.Array, query: str) -> np.ndarray:
    mask = pc.equal(normalized, query).to_numpy(zero_copy_only=False)
    return np.flatnonzero(np.asarray(mask, dtype=bool))


# -- describing candidates --------------------------------------------------


def _person_summaries(mirror: Mirror, people: np.ndarray) -> dict:
    """Per person: (best-known film index or -1, its votes, number of credits)."""
    rows = np.flatnonzero(np.isin(mirror.credit_person, people))
    out = {int(p): (-1, -1, 0) for p in people}
    if not len(rows):
        return out
    p = mirror.credit_person[rows]
    f = mirror.credit_film[rows]
    votes = mirror.film_votes[f - mirror.n_people]
    # Credit rows per (person, film): someone who wrote and directed a film is
    # best known for it when no film of theirs has a vote count.
    key = p.astype(np.int64) * mirror.n_nodes + f
    uniq, per_pair = np.unique(key, return_counts=True)
    pair_votes = dict(zip(key.tolist(), votes.tolist()))
    people_seen, per_person = np.unique(p, return_counts=True)
    totals = dict(zip(people_seen.tolist(), per_person.tolist()))
    best: dict[int, tuple] = {}
    for k, n in zip(uniq.tolist(), per_pair.tolist()):
        person, film = divmod(k, mirror.n_nodes)
        rank = (pair_votes[k], n, -film)
        if person not in best or rank > best[person][0]:
            best[person] = (rank, film)
    for person, (rank, film) in best.items():
        out[person] = (film, rank[0], int(totals[person]))
    return out


def _directors(mirror: Mirror, films: np.ndarray) -> dict:
    codes = [i for i, name in enumerate(mirror.role_names) if name == "director"]
    rows = np.flatnonzero(np.isin(mirror.credit_film, films) & np.isin(mirror.credit_role, codes))
    out: dict[int, list] = {}
    for f, p in zip(mirror.credit_film[rows].tolist(), mirror.credit_person[rows].tolist()):
        out.setdefault(f, []).append(mirror.label(p))
    return out


def describe_person(mirror_or_graph, person_id: str) -> str:
    """One line telling a person apart from namesakes.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(
    ...     films=[{"id": "tt0414387", "title": "Pride & Prejudice", "votes": 300000}],
    ...     people=[{"id": "nm0461136", "name": "Keira Knightley", "birth_year": 1985}],
    ...     credits=[{"person_id": "nm0461136", "film_id": "tt0414387", "role": "actor"}])
    >>> describe_person(g, "nm0461136")
    'nm0461136 Keira Knightley (b. 1985, Pride & Prejudice)'
    """
    m = _as_mirror(mirror_or_graph)
    return _describe_many(m, np.array([m.index_of(person_id)]), "person")[0]


def describe_film(mirror_or_graph, film_id: str) -> str:
    """One line telling a film apart from others of the same title.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(films=[{"id": "tt0414387", "title": "Pride & Prejudice", "year": 2005, "title_type": "movie"}])
    >>> describe_film(g, "tt0414387")
    'tt0414387 Pride & Prejudice (2005, movie)'
    """
    m = _as_mirror(mirror_or_graph)
    return _describe_many(m, np.array([m.index_of(film_id)]), "film")[0]


def _describe_many(mirror: Mirror, nodes: np.ndarray, kind: str) -> list[str]:
    """Describe nodes most famous first; past :data:`MAX_CANDIDATES`, one "... and N more" line."""
    nodes = np.asarray(nodes, dtype=np.int64)
    lines = []
    if kind == "person":
        summaries = _person_summaries(mirror, nodes)
        births = mirror.people["birth_year"]
        for p in nodes.tolist():
            film, votes, n_credits = summaries[p]
            details = []
            birth = births.iat[p]
            if not pd.isna(birth):
                details.append(f"b. {int(birth)}")
            if film >= 0:
                details.append(mirror.label(film))
            text = f"{mirror.ids[p]} {mirror.label(p)}" + (f" ({', '.join(details)})" if details else "")
            lines.append(((-votes, -n_credits, str(mirror.ids[p])), text))
    else:
        directors = _directors(mirror, nodes)
        types = mirror.films["title_type"]
        for f in nodes.tolist():
            j = f - mirror.n_people
            details = []
            if mirror.film_year[j] != MISSING_INT:
                details.append(str(int(mirror.film_year[j])))
            if isinstance(types.iat[j], str):
                details.append(types.iat[j])
            if f in directors:
                details.append("dir. " + ", ".join(sorted(set(directors[f]))[:2]))
            text = f"{mirror.ids[f]} {mirror.label(f)}" + (f" ({', '.join(details)})" if details else "")
            lines.append(((-int(mirror.film_votes[j]), str(mirror.ids[f])), text))
    lines.sort(key=lambda pair: pair[0])
    texts = [text for _, text in lines]
    if len(texts) > MAX_CANDIDATES:
        texts = texts[:MAX_CANDIDATES] + [f"... and {len(texts) - MAX_CANDIDATES} more"]
    return texts


# -- suggestions ------------------------------------------------------------


def _suggestions(mirror: Mirror, normalized: pa.Array, text: str, kind: str) -> list[str]:
    """Up to :data:`MAX_SUGGESTIONS` labels whose normalised form is close to ``text``."""
    query = normalize_name(_YEAR_SUFFIX.sub(r"\1", text))
    if not query:
        return []
    distinct = pc.unique(pc.drop_null(normalized))
    choices = distinct.to_pylist()
    close: list[str]
    try:
        from rapidfuzz import fuzz, process

        found = process.extract(query, choices, scorer=fuzz.ratio, limit=MAX_SUGGESTIONS, score_cutoff=60)
        close = [choice for choice, _score, _i in found]
    except ImportError:
        if len(choices) > 20_000:
            # difflib is quadratic per pair; keep the names sharing a word
            # (or, failing that, the first letters) with the query.
            words = [w for w in query.split() if len(w) >= 3] or query.split()
            mask = None
            for word in words:
                hit = pc.match_substring(distinct, word)
                mask = hit if mask is None else pc.or_(mask, hit)
            if mask is None or not pc.any(mask).as_py():
                mask = pc.starts_with(distinct, query[:2])
            choices = pc.filter(distinct, mask).to_pylist()
        close = difflib.get_close_matches(query, choices, n=MAX_SUGGESTIONS, cutoff=0.6)
    offset = 0 if kind == "person" else mirror.n_people
    out = []
    for norm in close:
        first = _equal(normalized, norm)
        if len(first):
            label = mirror.label(int(first[0]) + offset)
            if label not in out:
                out.append(label)
    return out


def resolve_any(mirror_or_graph, name_or_id: str) -> str:
    """A film or a person by name or id: whichever kind has it; a name that both kinds have is ambiguous.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Atonement"}],
    ...     people=[{"id": "nm0000001", "name": "Saoirse Ronan"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}])
    >>> resolve_any(g, "Atonement"), resolve_any(g, "Saoirse Ronan")
    ('tt0000001', 'nm0000001')
    """
    found, errors = [], []
    for resolve in (resolve_film, resolve_person):
        try:
            found.append(resolve(mirror_or_graph, name_or_id))
        except NameNotFoundError as exc:
            errors.append(exc)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise AmbiguousNameError("node", name_or_id, found)
    raise NameNotFoundError("film or person", name_or_id, [s for e in errors for s in e.suggestions][:MAX_SUGGESTIONS])
