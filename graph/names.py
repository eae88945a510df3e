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
  close names (see :func:`close_names`, the standard library only), or, when
  the text names a node of the other kind, says so: ``no person named 'Never
  Let Me Go': it is a film, tt1334260 Never Let Me Go (2010, ...)``
  (``other_kind`` and ``other_id`` of the error hold it).

:func:`resolve_any` (and :func:`resolve_any_node`) take either kind, for
options such as ``avoid`` that accept a person or a film: each value is
resolved once, as whichever kind has it.

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
    "normalize_labels",
    "resolve_person",
    "resolve_film",
    "resolve_node",
    "resolve_any",
    "resolve_any_node",
    "close_names",
    "describe_person",
    "describe_film",
    "MAX_CANDIDATES",
    "MAX_SUGGESTIONS",
    "MAX_SCORED",
]

#: Candidates an :class:`AmbiguousNameError` lists before "... and N more".
MAX_CANDIDATES = 10
#: Close names a :class:`NameNotFoundError` suggests.
MAX_SUGGESTIONS = 5
#: Similarity (difflib's ratio, 0..1) a name needs to be suggested.
SUGGESTION_CUTOFF = 0.6
#: Distinct names :func:`close_names` scores at most; above, the names sharing
#: the most three-letter pieces with the query are scored.
MAX_SCORED = 2000

_YEAR_SUFFIX = re.compile(r"^(.*\S)\s*\((\d{4})\)\s*$")
_cache: "weakref.WeakKeyDictionary[Mirror, dict]" = weakref.WeakKeyDictionary()


def normalize_labels(values) -> pa.Array:
    """Names or titles as :func:`normalize_name` gives each, as one Arrow array (vectorised)."""
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
    return normalize_labels([text])[0].as_py() or ""


def _normalized(mirror: Mirror, kind: str) -> pa.Array:
    persisted = mirror.normalized_labels  # written with the store's graph index
    if persisted is not None:
        return persisted.slice(0, mirror.n_people) if kind == "person" else persisted.slice(mirror.n_people)
    per_mirror = _cache.setdefault(mirror, {})
    if kind not in per_mirror:
        labels = mirror.labels[: mirror.n_people] if kind == "person" else mirror.labels[mirror.n_people :]
        per_mirror[kind] = normalize_labels(labels)
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
    m = mirror if isinstance(mirror, Mirror) else _as_mirror(mirror)
    if isinstance(name_or_id, str):
        # Fast path for ids: one lookup, no normalisation.
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
    # index_of only returns nodes, so one comparison tells the kind (a path query's first step:
    # every call there counts).
    return index if (index < mirror.n_people) == (kind == "person") else -1


def _matches(mirror: Mirror, text: str, kind: str) -> np.ndarray:
    """Node indexes of the ``kind`` nodes ``text`` (stripped) names: an id, else a name up to case and accents."""
    index = _id_index(mirror, text, kind)
    if index >= 0:
        return np.array([index], dtype=np.int64)
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
        stub = mirror.table_rows("films", found, ["stub"])["stub"].to_numpy(dtype=bool, na_value=False)
        if (~stub).sum() == 1:
            found = found[~stub]
    return found.astype(np.int64) + offset


def _resolve(mirror: Mirror, text, kind: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise NameNotFoundError(kind, text)
    text = text.strip()
    found = _matches(mirror, text, kind)
    if len(found) == 1:
        return str(mirror.ids[found[0]])
    if len(found) > 1:
        raise AmbiguousNameError(kind, text, _describe_many(mirror, found, kind), count=len(found))
    other = "film" if kind == "person" else "person"
    theirs = _matches(mirror, text, other)
    if len(theirs):
        # Not a typo: the user named the other kind ("a film where a person is expected").
        exc = NameNotFoundError(kind, text)
        exc.other_kind, exc.other_id = other, (str(mirror.ids[theirs[0]]) if len(theirs) == 1 else None)
        if len(theirs) == 1:
            raise _noted(exc, f": it is a {other}, {_describe_many(mirror, theirs, other)[0]}")
        raise _noted(exc, f": it names {len(theirs)} {_PLURAL[other]}")
    raise NameNotFoundError(kind, text, _suggestions(mirror, text, kind))


_PLURAL = {"person": "people", "film": "films"}


def _noted(exc: Exception, tail: str) -> Exception:
    """``exc`` with ``tail`` added to its one-line message."""
    exc.args = (f"{exc.args[0]}{tail}",) + exc.args[1:]
    return exc


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
        births = mirror.table_rows("people", nodes, ["birth_year"])["birth_year"].tolist()
        for p, birth in zip(nodes.tolist(), births):
            film, votes, n_credits = summaries[p]
            details = []
            if not pd.isna(birth):
                details.append(f"b. {int(birth)}")
            if film >= 0:
                details.append(mirror.label(film))
            text = f"{mirror.ids[p]} {mirror.label(p)}" + (f" ({', '.join(details)})" if details else "")
            lines.append(((-votes, -n_credits, str(mirror.ids[p])), text))
    else:
        directors = _directors(mirror, nodes)
        types = mirror.table_rows("films", nodes - mirror.n_people, ["title_type"])["title_type"].tolist()
        for f, title_type in zip(nodes.tolist(), types):
            j = f - mirror.n_people
            details = []
            if mirror.film_year[j] != MISSING_INT:
                details.append(str(int(mirror.film_year[j])))
            if isinstance(title_type, str):
                details.append(title_type)
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


def close_names(query: str, names, limit: int = MAX_SUGGESTIONS, cutoff: float = SUGGESTION_CUTOFF) -> list[tuple[float, str]]:
    """The ``limit`` names most similar to ``query``, as ``(score, name)``, best first.

    The score is :class:`difflib.SequenceMatcher`'s ratio (0..1; at least
    ``cutoff``); ties go to the name that sorts first.  Only the standard
    library is used, so the answer never depends on what else is installed.
    Of more than :data:`MAX_SCORED` distinct names, the ones sharing the most
    three-letter pieces with ``query`` are scored (a pyarrow scan: about
    0.5 s for a million names, an error path only).

    Parameters
    ----------
    query : str
    names : sequence of str or pyarrow.Array
        Compared as they are (normalise both sides first).

    Examples
    --------
    >>> close_names("kiera knightly", ["keira knightley", "sally hawkins", "keira"])
    [(0.896..., 'keira knightley')]
    """
    if not isinstance(names, pa.Array):
        names = pa.array(names, type=pa.string())
    return _close(query, pc.unique(pc.drop_null(names)), limit, cutoff)


def _close(query: str, distinct: pa.Array, limit: int = MAX_SUGGESTIONS, cutoff: float = SUGGESTION_CUTOFF) -> list:
    """:func:`close_names` of names already distinct."""
    if not query or not len(distinct):
        return []
    if len(distinct) > MAX_SCORED:
        pieces = sorted({query[i : i + 3] for i in range(len(query) - 2)}) or [query]
        hits = np.zeros(len(distinct), dtype=np.int32)
        for piece in pieces:
            hits += np.asarray(pc.match_substring(distinct, piece).to_numpy(zero_copy_only=False), dtype=np.int32)
        keep = np.argsort(-hits, kind="stable")[:MAX_SCORED]  # stable: ties in node order, deterministic
        keep = keep[hits[keep] > 0]
        distinct = pc.take(distinct, pa.array(keep, type=pa.int64()))
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(query)
    scored = []
    for name in distinct.to_pylist():
        matcher.set_seq1(name)
        # The cheap upper bounds first, as difflib.get_close_matches does.
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            score = matcher.ratio()
            if score >= cutoff:
                scored.append((score, name))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored[:limit]


def _scored_suggestions(mirror: Mirror, text: str, kind: str) -> list[tuple[float, str]]:
    """``(score, label)`` of up to :data:`MAX_SUGGESTIONS` ``kind`` nodes whose name is close to ``text``."""
    query = normalize_name(_YEAR_SUFFIX.sub(r"\1", text))
    normalized = _normalized(mirror, kind)
    offset = 0 if kind == "person" else mirror.n_people
    out, seen = [], set()
    per_mirror = _cache.setdefault(mirror, {})
    if ("distinct", kind) not in per_mirror:
        per_mirror[("distinct", kind)] = pc.unique(pc.drop_null(normalized))
    for score, norm in _close(query, per_mirror[("distinct", kind)]):
        first = _equal(normalized, norm)
        if len(first):
            label = mirror.label(int(first[0]) + offset)
            if label not in seen:
                seen.add(label)
                out.append((score, label))
    return out


def _suggestions(mirror: Mirror, text: str, kind: str) -> list[str]:
    """Up to :data:`MAX_SUGGESTIONS` labels whose normalised form is close to ``text``."""
    return [label for _, label in _scored_suggestions(mirror, text, kind)]


def resolve_any(mirror_or_graph, name_or_id: str) -> str:
    """The id of the one film or person ``name_or_id`` names, whichever kind has it.

    Ids are taken as they are; a name must name exactly one node of either
    kind (a film and a person of the same name are ambiguous).

    Raises
    ------
    AmbiguousNameError
        Several people, films or both have that name; ``candidates``
        describes each (most famous first, people before films).
    NameNotFoundError
        Neither kind has it (``kind`` is ``"person or film"``);
        ``suggestions`` holds close names of both kinds.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> g = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "Atonement"}],
    ...     people=[{"id": "nm0000001", "name": "Saoirse Ronan"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor"}])
    >>> resolve_any(g, "Atonement"), resolve_any(g, "Saoirse Ronan"), resolve_any(g, "nm0000001")
    ('tt0000001', 'nm0000001', 'nm0000001')
    """
    m = _as_mirror(mirror_or_graph)
    return str(m.ids[resolve_any_node(m, name_or_id)])


def resolve_any_node(mirror: Mirror, name_or_id: str) -> int:
    """Node index for :func:`resolve_any`."""
    m = _as_mirror(mirror)
    kind = "person or film"
    if not isinstance(name_or_id, str) or not name_or_id.strip():
        raise NameNotFoundError(kind, name_or_id)
    text = name_or_id.strip()
    try:
        return m.index_of(text)  # an id of either kind
    except KeyError:
        pass
    people, films = _matches(m, text, "person"), _matches(m, text, "film")
    found = np.concatenate([people, films])
    if len(found) == 1:
        return int(found[0])
    if len(found) > 1:
        if not len(films) or not len(people):
            one = "person" if len(people) else "film"
            raise AmbiguousNameError(one, text, _describe_many(m, found, one), count=len(found))
        lines = _describe_many(m, people, "person") + _describe_many(m, films, "film")
        exc = AmbiguousNameError(kind, text, lines, count=len(found))
        exc.args = (f"{len(found)} people or films are named {text!r}, pass an id instead: {'; '.join(lines)}",)
        raise exc
    scored = _scored_suggestions(m, text, "person") + _scored_suggestions(m, text, "film")
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    labels = list(dict.fromkeys(label for _, label in scored))[:MAX_SUGGESTIONS]
    raise NameNotFoundError(kind, text, labels)
