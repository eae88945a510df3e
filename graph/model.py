"""The canonical film graph: four tables every loader makes and every store reads.

A :class:`FilmGraph` holds four pandas DataFrames:

``films``
    one row a title: ``id``, ``title``, ``year``, ``title_type``, ``rating``,
    ``votes``, ``runtime_minutes``, ``genres`` (list), ``certificate``,
    ``release_date``, ``countries`` (list), ``languages`` (list), ``plot``,
    ``keywords`` (list), ``companies`` (list), ``budget``,
    ``gross_worldwide``, ``source``, and the extra columns in
    :data:`FILM_COLUMNS`.
``people``
    ``id``, ``name``, ``birth_year``, ``death_year``, ``professions`` (list).
``credits``
    ``person_id``, ``film_id``, ``role`` (actor, director, writer, producer,
    composer, ...), ``characters`` (list), ``job``, ``billing``, ``star``.
``similar``
    ``film_id``, ``similar_id``, ``rank``, ``source``: IMDb's "More like
    this" links and any other film-to-film similarity a source states.

Identity
--------
IMDb ids (``tt...``, ``nm...``) whenever a source knows them.  Otherwise a
derived key that is stable across runs and sources:

* a person known only by name: ``name:<slug>`` (:func:`person_key`);
* a film known only by title (a "More like this" entry on a copied page):
  ``title:<slug>``, or ``title:<slug>:<year>`` when the year is known
  (:func:`film_key`).  Such a film is a *stub* (``stub`` is True) until a
  source brings its full data.

:func:`merge_graphs` is the one place where sources meet: it resolves derived
keys to IMDb ids when exactly one id-bearing row has the same name or title,
and folds duplicate rows into one (see its docstring for which values win).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import math
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "FILM_COLUMNS",
    "PEOPLE_COLUMNS",
    "CREDIT_COLUMNS",
    "SIMILAR_COLUMNS",
    "TABLE_COLUMNS",
    "LIST_COLUMNS",
    "INT_LIST_COLUMNS",
    "arrow_types",
    "aligned_keyword_votes",
    "ROLES",
    "MORE_LIKE_THIS",
    "FilmGraph",
    "film_key",
    "person_key",
    "slugify",
    "is_imdb_film_id",
    "is_imdb_person_id",
    "IMDB_ID_DIGITS",
    "VALUE_BOUNDS",
    "NAME_COLUMNS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "bad_value",
    "first_bad_row",
    "normalize_table",
    "merge_graphs",
    "cyclic_gc_paused",
]

#: Column name -> pandas dtype of the ``films`` table.  ``object`` columns
#: hold Python lists (for the list columns) or plain strings.
FILM_COLUMNS = {
    "id": "object",
    "title": "object",
    "year": "Int64",
    "title_type": "object",
    "rating": "Float64",
    "votes": "Int64",
    "runtime_minutes": "Int64",
    "genres": "object",
    "certificate": "object",
    "release_date": "object",  # ISO date "YYYY-MM-DD" (or "YYYY-MM", "YYYY")
    "countries": "object",
    "languages": "object",
    "plot": "object",
    "keywords": "object",
    "companies": "object",
    "budget": "Int64",
    "gross_worldwide": "Int64",
    "source": "object",
    # Columns beyond the core contract: what title pages show as well.
    "stub": "boolean",  # known only by title, from another film's "More like this"
    "original_title": "object",
    "is_adult": "boolean",
    "popularity": "Int64",
    "metascore": "Int64",
    "tagline": "object",
    "storyline": "object",
    "release_country": "object",
    "also_known_as": "object",  # list
    "filming_locations": "object",  # list
    "keywords_total": "Int64",  # keywords on IMDb, including those not shown
    # A /keywords page's interest votes ("14 of 15 found this relevant"): lists of
    # ints, item i counting for keywords[i]; keywords with votes come first, most
    # relevant first, so these lists may be shorter than keywords
    # (aligned_keyword_votes keeps that true through merges).
    "keyword_relevant": "object",  # list: users who found keywords[i] relevant
    "keyword_voters": "object",  # list: users who voted on keywords[i]
    # Credit lists a saved page states a total for.  A merged film's
    # incomplete_credits holds only the roles no source listed completely
    # (merge_graphs: the union of every source's marks less every role some
    # source listed in full), so a /fullcredits page clears what the main
    # page or /reference left incomplete; complete_credits is what clears it.
    "incomplete_credits": "object",  # list: roles a page listed only in part (fewer items than its total) and none in full
    "complete_credits": "object",  # list: roles a page listed in full (as many items as its total)
    "budget_currency": "object",
    "gross_currency": "object",
    "cluster": "Int64",  # written back by the similarity clustering
}

PEOPLE_COLUMNS = {
    "id": "object",
    "name": "object",
    "birth_year": "Int64",
    "death_year": "Int64",
    "professions": "object",  # list
    "source": "object",
}

CREDIT_COLUMNS = {
    "person_id": "object",
    "film_id": "object",
    "role": "object",
    "characters": "object",  # list
    "job": "object",
    "billing": "Int64",
    "star": "boolean",
    "source": "object",
}

SIMILAR_COLUMNS = {
    "film_id": "object",
    "similar_id": "object",
    "rank": "Int64",
    "source": "object",
}

TABLE_COLUMNS = {
    "films": FILM_COLUMNS,
    "people": PEOPLE_COLUMNS,
    "credits": CREDIT_COLUMNS,
    "similar": SIMILAR_COLUMNS,
}

#: Columns whose cells are lists (of strings, or of ints: :data:`INT_LIST_COLUMNS`).
LIST_COLUMNS = {
    "films": ("genres", "countries", "languages", "keywords", "companies", "also_known_as", "filming_locations",
              "incomplete_credits", "complete_credits", "keyword_relevant", "keyword_voters"),
    "people": ("professions",),
    "credits": ("characters",),
    "similar": (),
}

#: The list columns of :data:`LIST_COLUMNS` whose items are whole numbers (the others hold strings).
INT_LIST_COLUMNS = {"films": ("keyword_relevant", "keyword_voters"), "people": (), "credits": (), "similar": ()}

#: The Arrow type of a column of each pandas dtype of :data:`TABLE_COLUMNS` that is not a list.
_ARROW_SCALAR_TYPES = {"object": "string", "Int64": "int64", "Float64": "float64", "float64": "float64",
                       "boolean": "bool"}


def arrow_types(table: str) -> dict:
    """Each column of canonical table ``table`` -> its Arrow type, whatever the values (none, say).

    pandas writes a column that holds no value as type ``null`` (lists as
    ``list<null>``); these are the types such a column takes when it holds
    values, so that files of one table written with and without them can
    share one schema.

    Examples
    --------
    >>> types = arrow_types("films")
    >>> str(types["certificate"]), str(types["genres"]), str(types["keyword_voters"]), str(types["year"])
    ('string', 'list<item: string>', 'list<item: int64>', 'int64')
    """
    import pyarrow as pa

    items = {name: pa.int64() if name in INT_LIST_COLUMNS[table] else pa.string() for name in LIST_COLUMNS[table]}
    return {name: pa.list_(items[name]) if name in items else pa.type_for_alias(_ARROW_SCALAR_TYPES[dtype])
            for name, dtype in TABLE_COLUMNS[table].items()}

#: Roles with a relationship type of their own in Neo4j; any other role is
#: kept as it is and stored as ``WORKED_ON {role}``.
ROLES = ("actor", "director", "writer", "producer", "composer", "cinematographer", "editor", "self")

#: ``similar.source`` of IMDb's "More like this" links.
MORE_LIKE_THIS = "imdb-more-like-this"

#: IMDb's ids are ``tt`` / ``nm`` and at least this many digits (zero-padded: ``nm0000001``).
IMDB_ID_DIGITS = 7
IMDB_FILM_PREFIX, IMDB_PERSON_PREFIX = "tt", "nm"
_IMDB_FILM_ID = re.compile(rf"^{IMDB_FILM_PREFIX}\d{{{IMDB_ID_DIGITS},}}$")
_IMDB_PERSON_ID = re.compile(rf"^{IMDB_PERSON_PREFIX}\d{{{IMDB_ID_DIGITS},}}$")


def is_imdb_film_id(value) -> bool:
    """True for an IMDb title id such as ``"tt1334260"``."""
    return isinstance(value, str) and bool(_IMDB_FILM_ID.fullmatch(value))  # fullmatch: "$" would let a newline end it


def is_imdb_person_id(value) -> bool:
    """True for an IMDb name id such as ``"nm0461136"``."""
    return isinstance(value, str) and bool(_IMDB_PERSON_ID.fullmatch(value))


# -- plausible values -------------------------------------------------------------
#
# What every loader checks before a row reaches a store, as a database's
# CHECK constraints would: a value outside these bounds is a row error naming
# its file and line, never stored.

_THIS_YEAR = datetime.date.today().year

#: Inclusive ``(lowest, highest)`` of each bounded numeric column, by table.
#: Film years start with the first moving pictures (1874's "Passage de Venus"
#: is IMDb's oldest title) and reach a century ahead, since IMDb lists films
#: announced for far years ("100 Years", tt5174640, is due in 2115).  Runtimes
#: may be 0: IMDb rounds films under a minute down to it; the longest films
#: run weeks (tens of thousands of minutes).  People's years reach back to
#: writers credited centuries later (Shakespeare, born 1564), never ahead.
VALUE_BOUNDS = {
    "films": {
        "year": (1870, _THIS_YEAR + 100),
        "rating": (1.0, 10.0),
        "votes": (0, 10**10),
        "runtime_minutes": (0, 1_000_000),
        "budget": (0, 10**15),
        "gross_worldwide": (0, 10**15),
        "popularity": (0, 10**10),
        "metascore": (0, 100),
        "keywords_total": (0, 10**7),
    },
    "people": {"birth_year": (1, _THIS_YEAR), "death_year": (1, _THIS_YEAR)},
    "credits": {"billing": (0, 10**7)},
    "similar": {"rank": (0, 10**7)},
}

#: Columns holding a title or a name, by table: at most :data:`MAX_NAME_CHARS` characters.
NAME_COLUMNS = {"films": ("title", "original_title"), "people": ("name",), "credits": (), "similar": ()}
#: The longest title or name a loader accepts (IMDb's longest titles run to a few hundred characters).
MAX_NAME_CHARS = 2_000
#: The longest text of any other cell (a plot, a storyline, a list item, a JSON list of characters).
MAX_TEXT_CHARS = 100_000


def bad_value(table: str, column: str, value) -> str | None:
    """What is wrong with ``value`` in ``table.column`` (None when nothing is), in a few words.

    Numbers are checked against :data:`VALUE_BOUNDS` (they must be finite
    numbers), text against :data:`MAX_NAME_CHARS` / :data:`MAX_TEXT_CHARS`;
    a missing value (None, NaN, NA) is never wrong.

    Examples
    --------
    >>> bad_value("films", "rating", 99.9)
    'rating 99.9 out of range (1.0 to 10.0)'
    >>> bad_value("films", "year", "two thousand")
    "year 'two thousand' is not a number"
    >>> bad_value("films", "year", 2010) is None, bad_value("films", "year", None) is None
    (True, True)
    >>> bad_value("films", "title", "x" * 200_000)
    'title of 200,000 characters (at most 2,000)'
    """
    if _empty_value(value) and not isinstance(value, (list, tuple)):
        return None
    bounds = VALUE_BOUNDS[table].get(column)
    if bounds is not None:
        number = _number(value)
        if number is None:
            return f"{column} {_shown(value)} is not a number"
        lowest, highest = bounds
        if not lowest <= number <= highest:
            shown = value.strip()[:40] if isinstance(value, str) else _shown(value)  # a number as written
            return f"{column} {shown} out of range ({lowest} to {highest})"
        return None
    limit = MAX_NAME_CHARS if column in NAME_COLUMNS[table] else MAX_TEXT_CHARS
    items = value if isinstance(value, (list, tuple, np.ndarray)) else [value]
    longest = max((len(item) for item in items if isinstance(item, str)), default=0)
    if longest > limit:
        return f"{column} of {longest:,} characters (at most {limit:,})"
    return None


def _number(value):
    """``value`` as a finite int or float, or None (text that is no number, inf, NaN, a bool)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        try:
            value = float(value) if not re.fullmatch(r"\s*[-+]?\d+\s*", value) else int(value)
        except ValueError:
            return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return float(value)
    return None


def _shown(value) -> str:
    """``value`` for a message: numbers as they are, text quoted and cut to 40 characters."""
    if isinstance(value, str):
        return repr(value[:40] + ("..." if len(value) > 40 else ""))
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer() and abs(value) >= 1e16:
        return f"{value:.3g}"
    return str(value)


def first_bad_row(table: str, df: pd.DataFrame) -> tuple[int, str] | None:
    """The first row of ``df`` (a canonical table, or rows on their way to one) with a bad value, and what is wrong.

    Every column :func:`bad_value` checks, plus ``birth_year`` after
    ``death_year``.  Returns ``(row position, problem)`` or None.  Numeric
    columns are checked at numpy speed; text columns cell by cell only when
    some cell is long enough to be wrong.

    Examples
    --------
    >>> people = pd.DataFrame({"id": ["nm1", "nm2"], "birth_year": [1950, 1990], "death_year": [2000, 1980]})
    >>> first_bad_row("people", people)
    (1, 'birth_year 1990 after death_year 1980')
    """
    found = []
    for column in df.columns:
        if column not in TABLE_COLUMNS[table] or not len(df):
            continue
        values = df[column]
        if column in VALUE_BOUNDS[table]:
            numbers = values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")
            lowest, highest = VALUE_BOUNDS[table][column]
            wrong = values.notna().to_numpy(dtype=bool) & ~((numbers >= lowest) & (numbers <= highest)).fillna(False).to_numpy(dtype=bool)
        elif pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            limit = MAX_NAME_CHARS if column in NAME_COLUMNS[table] else MAX_TEXT_CHARS
            lengths = values.map(lambda v: len(v) if isinstance(v, str) else max((len(i) for i in v if isinstance(i, str)), default=0)
                                 if isinstance(v, (list, tuple)) else 0)
            wrong = (lengths > limit).to_numpy(dtype=bool)
        else:
            continue
        if wrong.any():
            row = int(np.argmax(wrong))
            found.append((row, bad_value(table, column, values.iloc[row])))
    if table == "people" and {"birth_year", "death_year"} <= set(df.columns) and len(df):
        birth = pd.to_numeric(df["birth_year"], errors="coerce")
        death = pd.to_numeric(df["death_year"], errors="coerce")
        late = (birth > death).fillna(False).to_numpy(dtype=bool)
        if late.any():
            row = int(np.argmax(late))
            found.append((row, f"birth_year {_shown(df['birth_year'].iloc[row])} after death_year {_shown(df['death_year'].iloc[row])}"))
    return min(found) if found else None


def _matches(ids: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """``pattern`` matches each of ``ids`` (False for None and non-strings): the whole column at once."""
    import pyarrow as pa  # a dependency of the package; pandas has it loaded already
    import pyarrow.compute as pc

    try:
        values = pa.array(ids.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # some id is no string
        return ids.map(lambda v: isinstance(v, str) and bool(pattern.match(v))).to_numpy(dtype=bool)
    return pc.fill_null(pc.match_substring_regex(values, pattern.pattern), False).to_numpy(zero_copy_only=False)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by ``-``: the stable part of derived keys.

    Examples
    --------
    >>> slugify("Pride & Prejudice")
    'pride-prejudice'
    >>> slugify("Amélie")
    'amelie'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def film_key(title: str, year: int | None = None) -> str:
    """The derived key of a film known only by title (and maybe year).

    Examples
    --------
    >>> film_key("Jane Eyre", 2011)
    'title:jane-eyre:2011'
    >>> film_key("Jane Eyre")
    'title:jane-eyre'
    """
    slug = slugify(title) or "untitled"
    return f"title:{slug}:{int(year)}" if year is not None and not pd.isna(year) else f"title:{slug}"


def person_key(name: str) -> str:
    """The derived key of a person known only by name.

    Examples
    --------
    >>> person_key("Keira Knightley")
    'name:keira-knightley'
    """
    return f"name:{slugify(name) or 'unnamed'}"


def _empty_value(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value) == 0
    if isinstance(value, str):
        return value == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, np.ndarray)):
        return list(value)
    if _empty_value(value):
        return []
    return [value]


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while building millions of lists and strings.

    Each collection walks every container allocated since the last one, so
    building a table's list cells with the collector on takes about ten
    times as long; the cells form no reference cycles, so nothing is lost by
    collecting afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def normalize_table(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """Give ``df`` exactly the canonical columns of ``table``, in order, with their dtypes.

    Missing columns are added empty (lists as ``[]``); list cells are made
    Python lists; extra columns are kept after the canonical ones.  Columns
    that already are what they should be are left as they are (not copied),
    so normalizing a canonical table again costs little.
    """
    columns = TABLE_COLUMNS[table]
    df = pd.DataFrame(columns=list(columns)) if df is None else df.copy(deep=False)  # columns are replaced, never changed in place
    with cyclic_gc_paused():
        for name in columns:
            if name not in df.columns:
                df[name] = pd.Series([None] * len(df), index=df.index, dtype="object")
        for name in LIST_COLUMNS[table]:
            if not all(type(v) is list for v in df[name]):
                df[name] = [_as_list(v) for v in df[name]]
    for name, dtype in columns.items():
        if name in LIST_COLUMNS[table]:
            continue
        if dtype == "object":
            missing = df[name].isna()
            if df[name].dtype != "object" or missing.any():  # NaN, NA, NaT -> None
                df[name] = df[name].astype("object").where(~missing, None)
        elif df[name].dtype == dtype:
            continue
        elif dtype == "Int64":
            df[name] = pd.to_numeric(df[name], errors="coerce").round().astype("Int64")
        elif dtype == "Float64":
            df[name] = pd.to_numeric(df[name], errors="coerce").astype("Float64")
        else:
            df[name] = df[name].astype(dtype)
    extra = [c for c in df.columns if c not in columns]
    return df[list(columns) + extra].reset_index(drop=True)


@dataclasses.dataclass
class FilmGraph:
    """The four canonical tables; see the module docstring for their columns.

    Examples
    --------
    >>> g = FilmGraph.empty()
    >>> g.counts()
    {'films': 0, 'people': 0, 'credits': 0, 'similar': 0}
    """

    films: pd.DataFrame
    people: pd.DataFrame
    credits: pd.DataFrame
    similar: pd.DataFrame

    TABLES = ("films", "people", "credits", "similar")

    def __post_init__(self):
        for name in self.TABLES:
            setattr(self, name, normalize_table(getattr(self, name), name))

    @classmethod
    def empty(cls) -> "FilmGraph":
        return cls(None, None, None, None)

    @classmethod
    def from_records(cls, films=(), people=(), credits=(), similar=()) -> "FilmGraph":
        """Build a graph from lists of dicts keyed by column name."""
        return cls(*(pd.DataFrame.from_records(list(rows)) if rows else None for rows in (films, people, credits, similar)))

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.TABLES}

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.TABLES}

    def to_records(self) -> dict[str, list[dict]]:
        """JSON-ready records: lists stay lists, missing values become None."""
        out = {}
        for name, df in self.tables().items():
            records = []
            for row in df.to_dict("records"):
                records.append({k: (None if not isinstance(v, list) and _empty_value(v) else _plain(v)) for k, v in row.items()})
            out[name] = records
        return out


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- merging ---------------------------------------------------------------


def _richness(df: pd.DataFrame) -> pd.Series:
    """How many cells of each row hold a value: the richer row wins a merge."""
    filled = pd.DataFrame({c: [not _empty_value(v) for v in df[c]] for c in df.columns}, index=df.index)
    return filled.sum(axis=1)


#: Per table, list columns ``(marked, clearing)`` folded as ``union(marked) - union(clearing)``:
#: what one source marks (a credit list shown only in part) another source clears.
_SETTLED_BY = {"films": (("incomplete_credits", "complete_credits"),)}


def aligned_keyword_votes(keywords: list, votes: dict) -> dict:
    """A film's ``keywords``, ``keyword_relevant`` and ``keyword_voters`` from its keywords and their votes.

    ``votes`` maps a keyword to ``(found it relevant, voted)``.  Keywords
    with votes come first, most relevant first (ties: more voters, then
    their order), so item i of the vote lists counts for keyword i;
    keywords without votes follow, in their order.

    Examples
    --------
    >>> aligned_keyword_votes(["clone", "organ donor", "1970s"], {"organ donor": (9, 10), "clone": (4, 8)})
    {'keywords': ['organ donor', 'clone', '1970s'], 'keyword_relevant': [9, 4], 'keyword_voters': [10, 8]}
    """
    voted = sorted((k for k in keywords if k in votes), key=lambda k: (-votes[k][0], -votes[k][1]))  # stable
    return {"keywords": voted + [k for k in keywords if k not in votes],
            "keyword_relevant": [votes[k][0] for k in voted], "keyword_voters": [votes[k][1] for k in voted]}


def _keyword_votes(rows) -> dict:
    """Each keyword's ``(found it relevant, voted)`` from film rows, highest-ranked first: the first row's votes win."""
    votes = {}
    for row in rows:
        keywords, relevant, voters = (_as_list(row.get(c)) for c in ("keywords", "keyword_relevant", "keyword_voters"))
        for keyword, up, total in zip(keywords, relevant, voters):
            votes.setdefault(keyword, (int(up), int(total)))
    return votes


def _any_star(values: list):
    """A credit's ``star`` from several rows: True when any row says so, else the first stated value.

    The main page marks the stars and a ``/fullcredits`` page says nothing
    of them (or a ``/reference`` page marks fewer): being a star on one
    page of a film makes the credit a star's.

    Examples
    --------
    >>> _any_star([False, None, True]), _any_star([None, False]), _any_star([None, None])
    (True, False, None)
    """
    stated = [v for v in values if not _empty_value(v)]
    if any(v is True or v is np.True_ for v in stated):
        return True
    return stated[0] if stated else values[0]


#: A job part that counts a series' episodes ("6 episodes"): one count a credit, the highest-ranked row's.
_EPISODE_COUNT = re.compile(r"\d[\d,]* episodes?")


def _united_text(values: list):
    """The parts (``", "``-separated) of several rows' texts, each once, highest-ranked row first; None if none.

    Two pages may count a series credit's episodes differently (saved on
    different days): only the highest-ranked row's count is kept.

    Examples
    --------
    >>> _united_text(["screenplay", "novel, screenplay", None])
    'screenplay, novel'
    >>> _united_text(["uncredited, 7 episodes", "6 episodes, as Jo"])
    'uncredited, 7 episodes, as Jo'
    """
    parts = []
    for value in values:
        if not isinstance(value, str):
            continue
        for part in value.split(", "):
            counted = _EPISODE_COUNT.fullmatch(part) and any(_EPISODE_COUNT.fullmatch(p) for p in parts)
            if part and part not in parts and not counted:
                parts.append(part)
    return ", ".join(parts) or None


def _united_sources(values: list):
    """Every row's ``source`` parts, each once, sorted (so the order of the loads never shows).

    Examples
    --------
    >>> _united_sources(["imdb-html/fullcredits", "imdb-html", "imdb-html/fullcredits, imdb-datasets"])
    'imdb-datasets, imdb-html, imdb-html/fullcredits'
    """
    united = _united_text(values)
    return ", ".join(sorted(united.split(", "))) if united else None


#: Per table, columns folded by a function of the rows' values (highest-ranked first) instead of
#: "the richest row's value": a credit seen on several pages (or in a page and the datasets) is
#: one credit whose star flag, jobs (with ``uncredited``, ``as ...``, episode counts) and
#: sources are those of every row.
_UNITED_BY = {"credits": {"star": _any_star, "job": _united_text, "source": _united_sources}}


def _fold_duplicates(df: pd.DataFrame, key: list[str], table: str, list_union=True) -> pd.DataFrame:
    """Fold rows sharing ``key`` into one: per column, the richest row's value wins.

    Rows are ranked by richness (ties: the later row, i.e. the newer source,
    ranks higher); each column takes the value of the highest-ranked row that
    has one; list columns take the union, highest-ranked first; the
    columns of :data:`_UNITED_BY` are united (a credit's ``star`` is True
    when any row's is, its ``job`` and ``source`` hold every row's).  A film's
    ``incomplete_credits`` then loses the roles of its ``complete_credits``
    (:data:`_SETTLED_BY`): a role one source listed in full is not
    incomplete because another listed it in part.  A film's keyword votes
    follow its keywords (:func:`aligned_keyword_votes`).  One row of a key is left
    as it is: a page never marks a role both ways (the readers see to it).
    """
    if df.empty:
        return df
    duplicated = df.duplicated(key, keep=False)
    if not duplicated.any():
        return df
    unique_part = df[~duplicated]
    dup = df[duplicated].copy()
    dup["_rich"] = _richness(dup)
    dup["_order"] = np.arange(len(dup))
    dup = dup.sort_values(["_rich", "_order"], ascending=False)
    list_cols = set(LIST_COLUMNS[table])
    united = _UNITED_BY.get(table, {})
    folded = []
    for _, group in dup.groupby(key, sort=False, dropna=False):
        row = {}
        for column in df.columns:
            values = group[column].tolist()
            if column in list_cols and list_union:
                merged = []
                for cell in values:
                    for item in _as_list(cell):
                        if item not in merged:
                            merged.append(item)
                row[column] = merged
            elif column in united:
                row[column] = united[column](values)
            else:
                row[column] = next((v for v in values if not _empty_value(v)), values[0])
        for marked, clearing in _SETTLED_BY.get(table, ()):
            if marked in row and clearing in row:
                row[marked] = [item for item in _as_list(row[marked]) if item not in _as_list(row[clearing])]
        if table == "films" and "keyword_relevant" in row:  # votes per keyword, not a union of numbers
            row.update(aligned_keyword_votes(_as_list(row["keywords"]), _keyword_votes(group.to_dict("records"))))
        folded.append(row)
    merged = pd.DataFrame.from_records(folded, columns=list(df.columns))
    out = pd.concat([unique_part, merged], ignore_index=True)
    return out


def _resolve_keys(derived: pd.Series, derived_names: pd.Series, real: pd.Series, real_names: pd.Series, forbidden=None) -> dict:
    """Map derived keys to real ids when exactly one real row has the same name.

    ``forbidden`` maps a derived key to ids it must never resolve to (a film
    is never "more like" itself).
    """
    by_name: dict[str, list[str]] = {}
    for rid, name in zip(real, real_names):
        if isinstance(name, str):
            by_name.setdefault(slugify(name), []).append(rid)
    mapping = {}
    for key, name in zip(derived, derived_names):
        if not isinstance(name, str):
            continue
        candidates = sorted(set(by_name.get(slugify(name), [])))
        if forbidden:
            candidates = [c for c in candidates if c not in forbidden.get(key, ())]
        if len(candidates) == 1:
            mapping[key] = candidates[0]
    return mapping


def _resolve_film_keys(films: pd.DataFrame, similar: pd.DataFrame) -> dict:
    imdb = _matches(films["id"], _IMDB_FILM_ID)
    derived = films[~imdb]
    if derived.empty:
        return {}
    real = films[imdb]
    forbidden: dict[str, set] = {}
    for film_id, similar_id in zip(similar["film_id"], similar["similar_id"]):
        forbidden.setdefault(similar_id, set()).add(film_id)
    mapping = {}
    # A derived key with a year only matches a film of that year.
    for year_known in (True, False):
        part = derived[derived["year"].notna()] if year_known else derived[derived["year"].isna()]
        if part.empty:
            continue
        if year_known:
            for year, group in part.groupby("year"):
                candidates = real[real["year"] == year]
                mapping.update(_resolve_keys(group["id"], group["title"], candidates["id"], candidates["title"], forbidden))
        else:
            mapping.update(_resolve_keys(part["id"], part["title"], real["id"], real["title"], forbidden))
    # Two derived keys of one film (with and without a year) become the one with the year.
    unresolved = derived[~derived["id"].isin(mapping)]
    with_year = unresolved[unresolved["year"].notna()]
    without_year = unresolved[unresolved["year"].isna()]
    if not with_year.empty and not without_year.empty:
        mapping.update(_resolve_keys(without_year["id"], without_year["title"], with_year["id"], with_year["title"], forbidden))
    return mapping


def merge_graphs(*graphs: FilmGraph) -> FilmGraph:
    """Merge several canonical graphs into one, without duplicates.

    The same film or person from two sources becomes one row:

    * a derived key (``title:...``, ``name:...``) becomes the IMDb id of the
      one row that has an id and the same title (and year, when the derived
      key has one) or name; with none or several such rows it stays as it is.
      A film is never resolved to a film that lists it as "more like this"
      (IMDb never lists a film as like itself: an entry with the page's own
      title is another film of that name);
    * duplicate rows fold into one; each value comes from the richest row
      that has it (the row with most filled cells; on a tie the later graph),
      and lists are united, except that a film's ``incomplete_credits`` keeps
      only the roles that no row lists in its ``complete_credits`` (a page
      listing a role in full clears another page's mark, in any order);
    * a credit (a person's role in a film) seen in several sources is one
      credit with every source's characters, jobs and attributes
      (``uncredited``, ``as ...``, episode counts live in ``job``), a star
      when any source marks it one, and every source named in ``source``;
    * a film is a stub only if every row of it was a stub.

    Later graphs win ties, so loading a newer copy of a source updates values.

    Examples
    --------
    >>> a = FilmGraph.from_records(films=[{"id": "title:jane-eyre", "title": "Jane Eyre", "stub": True}])
    >>> b = FilmGraph.from_records(films=[{"id": "tt1229822", "title": "Jane Eyre", "year": 2011}])
    >>> merged = merge_graphs(a, b)
    >>> merged.films[["id", "year", "stub"]].values.tolist()
    [['tt1229822', 2011, False]]
    """
    graphs = [g for g in graphs if g is not None]
    if not graphs:
        return FilmGraph.empty()
    films, people, credits, similar = (pd.concat([getattr(g, name) for g in graphs], ignore_index=True)
                                       for name in FilmGraph.TABLES)
    return _fold_resolved(films, people, credits, similar, _derived_key_maps(films, people, similar))


def _derived_key_maps(films: pd.DataFrame, people: pd.DataFrame, similar: pd.DataFrame) -> dict:
    """Which derived keys of the rows of all sources become IMDb ids: ``{"film": {...}, "person": {...}}``.

    Only ``films`` ``id``, ``title`` and ``year``, ``people`` ``id`` and
    ``name``, and ``similar`` ``film_id`` and ``similar_id`` are read; rows
    that can change no answer may be left out (an IMDb id whose title or
    name no derived key has, a link to an IMDb id), which lets the store
    work the maps out without reading every row of every source.
    """
    film_map = _resolve_film_keys(films, similar)
    imdb = _matches(people["id"], _IMDB_PERSON_ID)
    person_map = _resolve_keys(people["id"][~imdb], people["name"][~imdb], people["id"][imdb], people["name"][imdb]) if not imdb.all() else {}
    return {"film": film_map, "person": person_map}


def _fold_resolved(films: pd.DataFrame, people: pd.DataFrame, credits: pd.DataFrame, similar: pd.DataFrame,
                   resolved: dict) -> FilmGraph:
    """The merged graph of the rows of all sources (in source order), given the :func:`_derived_key_maps`.

    Each merged row depends only on the rows that share its key (after the
    maps), and on their order: the store re-merges only the keys a load
    touched, with the maps of all sources.  The frames are changed in place.
    """
    film_map, person_map = resolved["film"], resolved["person"]
    if film_map:
        films["id"] = films["id"].replace(film_map)
        credits["film_id"] = credits["film_id"].replace(film_map)
        similar["film_id"] = similar["film_id"].replace(film_map)
        similar["similar_id"] = similar["similar_id"].replace(film_map)
    if person_map:
        people["id"] = people["id"].replace(person_map)
        credits["person_id"] = credits["person_id"].replace(person_map)

    stub = films["stub"].fillna(False).astype(bool)
    folded = _fold_duplicates(films, ["id"], "films")
    if folded is films:  # one row a film already
        films = films.assign(stub=stub.astype("boolean"))
    else:
        films = folded.assign(stub=folded["id"].map(stub.groupby(films["id"], sort=False).all()).astype("boolean"))
    people = _fold_duplicates(people, ["id"], "people")
    credits = _fold_duplicates(credits, ["person_id", "film_id", "role"], "credits")
    # The best (smallest) rank of a link wins; the rest of the row folds as usual.
    similar = similar.sort_values("rank", na_position="last", kind="stable")
    similar = similar.drop_duplicates(["film_id", "similar_id", "source"], keep="first")
    similar = similar[similar["film_id"] != similar["similar_id"]]
    merged = FilmGraph(films, people, credits, similar.sort_values(["film_id", "source", "rank"], kind="stable"))
    # Which derived keys became IMDb ids here: a store's change report counts
    # a stub completed by its film as updated, not as one removed and one added.
    merged.resolved_keys = resolved
    return merged
