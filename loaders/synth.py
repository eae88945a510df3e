"""Synthetic IMDb datasets: all seven ``*.tsv.gz`` files, at any size, from a seed.

:func:`write_synthetic_datasets` writes a folder that looks like the one
IMDb publishes at https://datasets.imdbws.com/ (``title.basics``,
``title.principals``, ``name.basics``, ``title.ratings``, ``title.crew``,
``title.akas``, ``title.episode``), in IMDb's exact format: UTF-8,
tab-separated, one header line, ``\\N`` for a missing value, no quoting,
``characters`` a JSON list such as ``["Ruth"]``, rows in id order, gzip.

The *shape* follows the real files, so a loader and a benchmark meet the same
problems as on the real thing:

* IMDb's title-type mix: mostly ``tvEpisode``, then ``short``, about 5 %
  ``movie``, and ``video``, ``tvSeries``, ``tvMovie``, ``tvMiniSeries``,
  ``tvSpecial``, ``videoGame``, ``tvShort`` (``movie_share`` changes the
  movie share, the rest keep their proportions);
* 5 to 15 principals a title (about 10 on average), with IMDb's category mix
  (actor, actress, self, director, writer, producer, cinematographer,
  composer, editor, production_designer, archive_footage, archive_sound);
* heavy-tailed careers: the number of credits of a person follows a Zipf
  law (exponent 2) truncated at the square root of the number of
  principal rows, so most people have one or two credits and a few have
  hundreds (thousands, at IMDb's size);
* most titles have no rating; votes are log-normal;
* ``\\N`` wherever IMDb has gaps (years, runtimes, genres, jobs, ...);
* a few ``nconst`` ids in ``title.principals`` that ``name.basics`` lacks
  (about 0.05 % of the people, at least 2): dangling references, as in the
  real dumps;
* names and titles with quotes, commas, apostrophes, accents and non-Latin
  scripts (never a tab or a newline).

Everything is vectorised (numpy for the draws, pyarrow compute to build the
text) and gzip compression runs in a background thread; the same seed gives
byte-identical files (the gzip header carries no time stamp or file name).
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reelgraph._arrow_text import text_buffer

__all__ = ["HEADERS", "TITLE_TYPE_MIX", "CATEGORY_MIX", "SynthSummary", "write_synthetic_datasets"]

#: The header line (column names) of each file, exactly as IMDb writes them.
HEADERS = {
    "title.basics": ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear", "runtimeMinutes", "genres"],
    "title.principals": ["tconst", "ordering", "nconst", "category", "job", "characters"],
    "name.basics": ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
    "title.ratings": ["tconst", "averageRating", "numVotes"],
    "title.crew": ["tconst", "directors", "writers"],
    "title.akas": ["titleId", "ordering", "title", "region", "language", "types", "attributes", "isOriginalTitle"],
    "title.episode": ["tconst", "parentTconst", "seasonNumber", "episodeNumber"],
}

#: Share of each title type, close to IMDb's own mix (2020s dumps).
TITLE_TYPE_MIX = {
    "tvEpisode": 0.777,
    "short": 0.090,
    "movie": 0.050,
    "video": 0.030,
    "tvSeries": 0.025,
    "tvMovie": 0.015,
    "tvMiniSeries": 0.005,
    "tvSpecial": 0.004,
    "videoGame": 0.003,
    "tvShort": 0.001,
}

#: Share of each principal category, close to IMDb's ``title.principals``.
CATEGORY_MIX = {
    "actor": 0.285,
    "actress": 0.205,
    "self": 0.140,
    "director": 0.100,
    "writer": 0.100,
    "producer": 0.060,
    "cinematographer": 0.032,
    "composer": 0.030,
    "editor": 0.030,
    "production_designer": 0.008,
    "archive_footage": 0.008,
    "archive_sound": 0.002,
}

NULL = "\\N"
PRINCIPALS_PER_TITLE = (5, 15)
_CAREER_EXPONENT = 2.0
_CHUNK_ROWS = 1 << 20

_GENRES = [
    "Drama", "Comedy", "Documentary", "Talk-Show", "Romance", "Action", "Thriller", "Crime", "Family",
    "Reality-TV", "Animation", "Adventure", "Horror", "Music", "Short", "News", "Mystery", "Fantasy",
    "Biography", "History", "Sci-Fi", "Game-Show", "Sport", "Musical", "Adult", "War", "Western", "Film-Noir",
]
_FIRST = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Maria", "José", "François", "Zoë", "Renée", "Björn", "Søren", "Łukasz", "Małgorzata", "Jürgen",
    "Ngozi", "Chidi", "Aiko", "Hiroshi", "Yuki", "Wei", "Mei", "Priya", "Arjun", "Ananya", "Olga",
    "Ирина", "Дмитрий", "Ana", "João", "Inês", "Ömer", "Ayşe", "Siobhán", "Seán", "Zoltán", "Ágnes",
    "Dolores", "Mónica", "Chloé", "Noémie", "Luca", "Giulia", "Ahmed", "Fatima", "Youssef", "美咲",
    "健太", "민준", "서연", "Thảo", "Kwame", "Amara", "Nikolaos", "Ελένη", "Jean-Luc", "Mary-Kate",
]
_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "García", "Müller", "Schmidt", "Rossi", "Dubois", "Lefèvre", "Nowak", "Kowalski", "Wiśniewski",
    "Иванов", "Петрова", "Nguyễn", "Trần", "Kim", "Lee", "Park", "山田", "佐藤", "Tanaka", "Suzuki",
    "Singh", "Patel", "Kumar", "O'Brien", "O'Neil", "D'Angelo", "van der Berg", "de la Cruz", "Núñez",
    "Peña", "Çelik", "Yılmaz", "Øvergaard", "Ångström", "Ó Súilleabháin", "Mbeki", "Okafor", "Haddad",
    "Cohen", "Levi", "Papadopoulos", "Κωνσταντίνου", "Bergman", "Kurosawa", "Fellini", "Varda",
]
_NICK = ["Dr", "Bud", "Kid", "Ace", "Red", "Doc", "Lucky", "Big Mike", "Ñoño", "Lulu"]
_SUFFIX = [", Jr.", ", Sr.", ", III", ", Jr"]
_NOUNS = [
    "Shadow", "River", "Night", "City", "Heart", "Road", "House", "Dream", "Stranger", "Garden", "Winter",
    "Summer", "Fire", "Storm", "Secret", "Mirror", "Island", "Moon", "King", "Queen", "Ghost", "Love", "War",
    "Home", "Light", "Sea", "Mountain", "Girl", "Boy", "Man", "Woman", "Doctor", "Detective", "Station",
    "Train", "Letter", "Song", "Dance", "Game", "Line", "Edge", "Kingdom", "Empire", "Voyage", "Journey",
    "Town", "Wolf", "Bird", "Star", "Child", "Hunter", "Widow", "Bride", "Silence", "Echo", "Harbor",
]
_ADJS = [
    "Last", "Lost", "Dark", "Silent", "Broken", "Golden", "Hidden", "Red", "Blue", "Little", "Great", "Wild",
    "Cold", "Final", "Forgotten", "Crimson", "Electric", "Lonely", "Beautiful", "Strange", "Endless", "Sweet",
    "Bitter", "Burning", "Long", "Quiet", "Restless", "Secret", "Savage", "Tender",
]
_FOREIGN = [
    "Amélie", "La vie en rose", "Le Fabuleux Destin", "Ça commence aujourd'hui", "Das Boot", "Die Brücke",
    "Señor Ávila", "El Niño", "Ночь", "Москва слезам не верит", "東京物語", "千と千尋の神隠し", "기생충",
    "Ο Θίασος", "Smultronstället", "Jäger", "Żywot Łódź", "Kärlek", "Cidade de Deus", "Ação", "Fünf Freunde",
    "Der Himmel über Berlin", "Mañana", "Noël", "Öl", "Çocuklar", "Şehir", "Đêm", "Крик", "Ходячие", "愛",
]
_ROLES = [
    "Ruth", "Himself", "Herself", "Narrator", "Doctor", "Detective", "Mother", "Father", "Nurse", "Police Officer",
    "Host", "Guest", "Waiter", "Young Ruth", "The Stranger", "Captain O'Hara", "Señora Núñez", "Émile", "Мария",
    "花子", "Bartender", "Soldier", "Journalist", "Priest", "Bride", "Judge", "Dancer", "Singer", "Boy", "Girl",
]
_JOBS = {
    "writer": ["screenplay", "story", "novel", "written by", "teleplay", "based on the play by", "characters"],
    "producer": ["producer", "executive producer", "co-producer", "line producer"],
    "cinematographer": ["director of photography"],
    "composer": ["original score", "music by"],
    "editor": ["film editor"],
    "production_designer": ["production designer"],
}
_EXTRA_PROFESSIONS = ["soundtrack", "miscellaneous", "music_department", "camera_department", "make_up_department", "stunts", "casting_director"]
_REGIONS = ["US", "GB", "FR", "DE", "JP", "RU", "IN", "BR", "ES", "IT", "CA", "MX", "KR", "SE", "GR", "TR", "XWW"]
_LANGUAGES = ["en", "ja", "ru", "fr", "de", "es", "hi", "tr"]
_AKA_TYPES = ["imdbDisplay", "working", "alternative", "festival", "dvd", "tv", "video"]
_AKA_ATTRIBUTES = ["literal English title", "complete title", "informal title", "short title", "alternative spelling", "new title"]
#: Chance that a title of each type has a rating.
_RATED_SHARE = {"movie": 0.45, "tvSeries": 0.35, "tvMiniSeries": 0.45, "tvMovie": 0.3, "tvEpisode": 0.07, "short": 0.15}
_RATED_SHARE_DEFAULT = 0.2


@dataclasses.dataclass
class SynthSummary:
    """What :func:`write_synthetic_datasets` wrote."""

    folder: str
    seed: int
    titles: int
    title_types: dict[str, int]
    principals: int
    people: int  # rows in name.basics
    dangling_nconsts: list[str]  # in title.principals, not in name.basics
    rows: dict[str, int]  # data rows (without header) per file
    bytes: dict[str, int]  # compressed size per file
    seconds: float

    @property
    def movies(self) -> int:
        return self.title_types.get("movie", 0)


# -- writing ---------------------------------------------------------------


class _GzipSink:
    """A ``.tsv.gz`` file written from a background thread (zlib releases the GIL)."""

    def __init__(self, path: Path, header: list[str], level: int):
        self.path = path
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._file = open(path, "wb")
        self._comp = zlib.compressobj(level, zlib.DEFLATED, 31)  # gzip wrapper: mtime 0, no name
        self._thread = threading.Thread(target=self._run, name=f"gzip {path.name}", daemon=True)
        self._thread.start()
        self.rows = 0
        self.put(("\t".join(header) + "\n").encode("utf-8"), 0)

    def _run(self):
        try:
            while True:
                data = self._queue.get()
                if data is None:
                    self._file.write(self._comp.flush())
                    return
                self._file.write(self._comp.compress(data))
        except BaseException as exc:  # re-raised in close()
            self._error = exc
            while self._queue.get() is not None:  # drain so put() never blocks
                pass

    def put(self, data, rows: int):
        self._queue.put(data)
        self.rows += rows

    def close(self):
        self._queue.put(None)
        self._thread.join()
        self._file.close()
        if self._error is not None:
            raise self._error


def _write_rows(sink: _GzipSink, columns: list, tick=None, rows: int | None = None):
    """Append rows to ``sink``: per column a string array, a scalar, or a function ``(start, stop) -> array``.

    Nulls become ``\\N``.  A function builds its column one chunk of
    :data:`_CHUNK_ROWS` rows at a time (then ``rows`` says how many): the
    principals of a whole-IMDb-size folder are 120M rows, whose text in one
    array would pass Arrow's 2 GiB limit and take gigabytes.
    """
    n = rows if rows is not None else max(len(c) for c in columns if not isinstance(c, pa.Scalar) and not callable(c))
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        parts = []
        for col in columns:
            if isinstance(col, pa.Scalar):
                parts.append(col)
            else:
                part = col(start, stop) if callable(col) else col[start:stop]
                parts.append(pc.fill_null(part, NULL) if part.null_count else part)
        line = pc.binary_join_element_wise(*parts, "\t")
        line = pc.binary_join_element_wise(line, "", "\n")
        sink.put(text_buffer(line), stop - start)
        if tick is not None:
            tick(stop - start)


# -- text building ---------------------------------------------------------


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """``tt0000001``-style ids: the prefix, then at least seven digits."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=7, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _int_text(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    arr = pc.cast(pa.array(values, pa.int64()), pa.string())
    if missing is not None and missing.any():
        arr = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), arr)
    return arr


def _pick(words, index: np.ndarray) -> pa.Array:
    return pa.array(words, pa.string()).take(pa.array(index))


def _join(*parts, sep=""):
    return pc.binary_join_element_wise(*parts, sep)


def _ragged_join(values: pa.Array, counts: np.ndarray, sep=",") -> pa.Array:
    """Join consecutive runs of ``values`` (``counts[i]`` items for row i) into one string a row; empty runs are null."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), values)
    joined = pc.binary_join(lists, sep)
    return pc.if_else(pa.array(counts == 0), pa.scalar(None, pa.string()), joined)


def _zipf_weights(n: int, exponent: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def _titles_text(rng, n: int) -> pa.Array:
    """Title-like strings: plain words, articles, colons, commas, quotes, sequels and foreign titles."""
    noun = lambda: _pick(_NOUNS, rng.integers(0, len(_NOUNS), n))  # noqa: E731
    adj = lambda: _pick(_ADJS, rng.integers(0, len(_ADJS), n))  # noqa: E731
    patterns = [
        noun(),
        _join("The ", adj(), " ", noun()),
        _join(noun(), " of the ", noun()),
        _join(adj(), " ", noun(), ": ", noun()),
        _join(noun(), ", ", noun(), " and ", noun()),
        _join("The \"", adj(), "\" ", noun()),
        _pick(_FOREIGN, rng.integers(0, len(_FOREIGN), n)),
        _join(noun(), " ", pc.cast(pa.array(rng.integers(2, 6, n)), pa.string())),
        _join(noun(), "'s ", noun()),
    ]
    choice = rng.choice(len(patterns), n, p=[0.16, 0.2, 0.12, 0.1, 0.05, 0.03, 0.14, 0.1, 0.1])
    return pc.choose(pa.array(choice), *patterns)


def _names_text(rng, n: int) -> pa.Array:
    first = _pick(_FIRST, rng.choice(len(_FIRST), n, p=_zipf_weights(len(_FIRST), 0.5)))
    last = _pick(_LAST, rng.choice(len(_LAST), n, p=_zipf_weights(len(_LAST), 0.5)))
    plain = _join(first, " ", last)
    nick = _join(first, " \"", _pick(_NICK, rng.integers(0, len(_NICK), n)), "\" ", last)
    suffix = _join(first, " ", last, _pick(_SUFFIX, rng.integers(0, len(_SUFFIX), n)))
    single = last
    choice = rng.choice(4, n, p=[0.955, 0.01, 0.03, 0.005])
    return pc.choose(pa.array(choice), plain, nick, suffix, single)


def _characters_pool(rng, size: int = 4000) -> list[str]:
    """JSON lists of character names as IMDb writes them: ``["Ruth"]``, ``["A","B"]``."""
    pool = []
    for i in range(size):
        k = 1 if i % 10 else 2
        names = []
        for _ in range(k):
            kind = rng.integers(0, 10)
            if kind < 6:
                names.append(_ROLES[rng.integers(0, len(_ROLES))])
            elif kind < 8:
                names.append(f"{_FIRST[rng.integers(0, len(_FIRST))]} {_LAST[rng.integers(0, len(_LAST))]}")
            elif kind < 9:
                names.append(f"{_ROLES[rng.integers(0, len(_ROLES))]} (segment \"{_NOUNS[rng.integers(0, len(_NOUNS))]}\")")
            else:
                names.append(f"Self - {_ROLES[rng.integers(0, len(_ROLES))]}, {_NOUNS[rng.integers(0, len(_NOUNS))]}")
        pool.append(json.dumps(names, ensure_ascii=False, separators=(",", ":")))
    return pool


def _genre_pool(rng, size: int = 3000) -> tuple[list[str], np.ndarray]:
    weights = _zipf_weights(len(_GENRES), 1.0)
    pool = []
    for _ in range(size):
        k = int(rng.choice([1, 2, 3], p=[0.45, 0.3, 0.25]))
        picked = sorted(set(rng.choice(len(_GENRES), k, p=weights).tolist()))
        pool.append(",".join(sorted(_GENRES[i] for i in picked)))
    return pool, _zipf_weights(size, 0.8)


# -- the generator ---------------------------------------------------------


def write_synthetic_datasets(out_dir, titles: int = 1000, seed: int = 0, movie_share: float | None = None, progress: bool = True, *, compresslevel: int = 1) -> SynthSummary:
    """Write the seven IMDb dataset files, gzip-compressed, into ``out_dir``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder to write into (created if needed); existing files of the same
        names are replaced.
    titles : int
        Number of titles (rows of ``title.basics``).  ``title.principals``
        gets about ten times as many rows.
    seed : int
        Same seed, same arguments: byte-identical files.
    movie_share : float, optional
        Share of ``movie`` titles; ``None`` keeps IMDb's mix (about 5 %),
        ``1.0`` makes every title a movie (no episodes, then).
    progress : bool
        Show a tqdm progress bar (rows written, rows/s).
    compresslevel : int
        gzip level, 1 (fastest, the default) to 9.

    Returns
    -------
    SynthSummary
        Row counts per file, the title-type counts and the dangling ``nconst``
        ids (in ``title.principals`` but not in ``name.basics``).
    """
    started = time.perf_counter()
    if titles < 1:
        raise ValueError("titles must be at least 1")
    if movie_share is not None and not 0.0 <= movie_share <= 1.0:
        raise ValueError("movie_share must be between 0 and 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(titles)

    from tqdm.auto import tqdm

    bar = tqdm(total=None, unit="rows", unit_scale=True, desc="synthetic IMDb", disable=not progress, smoothing=0.1)
    sinks: dict[str, _GzipSink] = {}

    def sink(name):
        sinks[name] = _GzipSink(out / f"{name}.tsv.gz", HEADERS[name], compresslevel)
        bar.set_description(f"writing {name}")
        return sinks[name]

    try:
        # --- titles ----------------------------------------------------------
        type_names = list(TITLE_TYPE_MIX)
        probs = np.array([TITLE_TYPE_MIX[t] for t in type_names])
        if movie_share is not None:
            movie = type_names.index("movie")
            rest = probs.sum() - probs[movie]
            probs = probs * ((1.0 - movie_share) / rest)
            probs[movie] = movie_share
        probs = probs / probs.sum()
        ttype = rng.choice(len(type_names), n, p=probs)
        t_episode, t_series, t_mini = (type_names.index(t) for t in ("tvEpisode", "tvSeries", "tvMiniSeries"))
        if (ttype == t_episode).any() and not np.isin(ttype, [t_series, t_mini]).any():
            ttype[np.flatnonzero(ttype == t_episode)[0]] = t_series  # episodes need a series
        is_type = {t: ttype == i for i, t in enumerate(type_names)}
        tnum = np.cumsum(rng.integers(1, 4, n))
        tconst = _ids("tt", tnum)

        primary = _titles_text(rng, n)
        season = rng.integers(1, 12, n)
        episode_no = rng.integers(1, 30, n)
        episode_title = _join("Episode #", pc.cast(pa.array(season), pa.string()), ".", pc.cast(pa.array(episode_no), pa.string()))
        use_episode_title = is_type["tvEpisode"] & (rng.random(n) < 0.45)
        primary = pc.if_else(pa.array(use_episode_title), episode_title, primary)
        foreign = rng.random(n) < 0.12
        original = pc.if_else(pa.array(foreign), _pick(_FOREIGN, rng.integers(0, len(_FOREIGN), n)), primary)
        adult = (rng.random(n) < 0.02).astype(np.int64)
        year = np.clip(2025 - np.floor(rng.exponential(14.0, n)).astype(np.int64), 1874, 2031)
        year_missing = rng.random(n) < np.where(is_type["tvEpisode"], 0.12, 0.04)
        series_like = is_type["tvSeries"] | is_type["tvMiniSeries"]
        end_year = np.minimum(year + rng.geometric(0.25, n) - 1, 2031)
        end_missing = ~series_like | year_missing | (rng.random(n) < 0.3)
        runtime = np.select(
            [is_type["movie"] | is_type["tvMovie"], is_type["short"] | is_type["tvShort"], is_type["tvEpisode"]],
            [np.clip(rng.normal(95, 22, n), 40, 320), rng.integers(1, 46, n), rng.choice([11, 22, 24, 30, 43, 44, 60], n)],
            np.clip(rng.normal(50, 20, n), 5, 200),
        ).astype(np.int64)
        runtime_missing = rng.random(n) < np.select([is_type["movie"], is_type["tvEpisode"]], [0.15, 0.6], 0.45)
        runtime_missing |= is_type["videoGame"]
        genre_pool, genre_weights = _genre_pool(rng)
        genres = _pick(genre_pool, rng.choice(len(genre_pool), n, p=genre_weights))
        genres = pc.if_else(pa.array(rng.random(n) < 0.05), pa.scalar(None, pa.string()), genres)
        _write_rows(
            sink("title.basics"),
            [tconst, _pick(type_names, ttype), primary, original, _int_text(adult), _int_text(year, year_missing),
             _int_text(end_year, end_missing), _int_text(runtime, runtime_missing), genres],
            bar.update,
        )

        # --- principals ------------------------------------------------------
        low, high = PRINCIPALS_PER_TITLE
        per_title = rng.integers(low, high + 1, n)
        total = int(per_title.sum())
        title_of_row = np.repeat(np.arange(n), per_title)
        row_start = np.concatenate([[0], np.cumsum(per_title)[:-1]])
        ordering = np.arange(total) - np.repeat(row_start, per_title) + 1
        cat_names = list(CATEGORY_MIX)
        cat_p = np.array(list(CATEGORY_MIX.values()))
        category = rng.choice(len(cat_names), total, p=cat_p / cat_p.sum())

        # Careers: credit counts from a Zipf law truncated at sqrt(rows), until every row has a person.
        cap = max(20, int(total**0.5))
        career_p = np.arange(1, cap + 1, dtype=float) ** -_CAREER_EXPONENT
        career_p /= career_p.sum()
        careers = []
        have = 0
        while have < total:
            draw = rng.choice(np.arange(1, cap + 1), max(1024, (total - have) // 3), p=career_p)
            careers.append(draw)
            have += int(draw.sum())
        careers = np.concatenate(careers)
        cut = int(np.searchsorted(np.cumsum(careers), total))
        careers = careers[: cut + 1].copy()
        careers[-1] -= int(careers.sum()) - total
        people = len(careers)
        person_of_row = rng.permutation(np.repeat(np.arange(people), careers))
        nnum = np.cumsum(rng.integers(1, 4, people))
        nconst = _ids("nm", nnum)
        # A few people never make it into name.basics: dangling references.
        dangling_count = max(2, round(people * 0.0005))
        one_credit = np.flatnonzero(careers == 1)
        candidates = one_credit if len(one_credit) >= dangling_count else np.arange(people)
        dangling = np.sort(rng.choice(candidates, min(dangling_count, len(candidates)), replace=False))

        # The random draws are made for every row at once (the same draws, in the same order, at any
        # size); the text is built a chunk at a time while writing.
        acting = np.isin(category, [cat_names.index(c) for c in ("actor", "actress", "self", "archive_footage")])
        pool = _characters_pool(rng)
        character_idx = rng.integers(0, len(pool), total)
        no_character = ~acting | (rng.random(total) < 0.15)
        del acting
        job_words = sorted({w for words in _JOBS.values() for w in words})
        job_idx = np.full(total, -1)
        for cat, words in _JOBS.items():
            rows = np.flatnonzero(category == cat_names.index(cat))
            rows = rows[rng.random(len(rows)) < 0.6]
            job_idx[rows] = np.array([job_words.index(w) for w in words])[rng.integers(0, len(words), len(rows))]
        none = pa.scalar(None, pa.string())
        _write_rows(
            sink("title.principals"),
            [lambda a, b: tconst.take(pa.array(title_of_row[a:b])),
             lambda a, b: _int_text(ordering[a:b]),
             lambda a, b: nconst.take(pa.array(person_of_row[a:b])),
             lambda a, b: _pick(cat_names, category[a:b]),
             lambda a, b: pc.if_else(pa.array(job_idx[a:b] < 0), none, _pick(job_words, np.maximum(job_idx[a:b], 0))),
             lambda a, b: pc.if_else(pa.array(no_character[a:b]), none, _pick(pool, character_idx[a:b]))],
            bar.update,
            rows=total,
        )
        character_idx = no_character = job_idx = ordering = None  # the text is written: free the draws

        # --- names -----------------------------------------------------------
        keep = np.ones(people, dtype=bool)
        keep[dangling] = False
        by_person = np.argsort(person_of_row, kind="stable")
        first_row = np.concatenate([[0], np.cumsum(careers)[:-1]])
        known_n = np.minimum(careers, 4)
        rank = np.arange(total) - np.repeat(first_row, careers)
        known_rows = by_person[rank < 4]
        known = _ragged_join(tconst.take(pa.array(title_of_row[known_rows])), known_n)
        first_cat = category[by_person[first_row]]
        prof_names = ["actor", "actress", "actor", "director", "writer", "producer", "cinematographer", "composer", "editor", "production_designer", "actor", "soundtrack"]
        prof1 = _pick(prof_names, first_cat)
        prof2 = _pick(_EXTRA_PROFESSIONS, rng.integers(0, len(_EXTRA_PROFESSIONS), people))
        two = rng.random(people) < 0.3
        professions = pc.if_else(pa.array(two), _join(prof1, ",", prof2), prof1)
        professions = pc.if_else(pa.array(rng.random(people) < 0.04), pa.scalar(None, pa.string()), professions)
        birth = np.clip(np.round(rng.normal(1965, 22, people)), 1830, 2018).astype(np.int64)
        birth_missing = rng.random(people) < 0.65
        death = np.minimum(birth + np.maximum(np.round(rng.normal(72, 14, people)), 0).astype(np.int64), 2025)  # never before birth
        death_missing = birth_missing | (death > 2024) | (rng.random(people) < 0.5)
        names = _names_text(rng, people)
        kept = pa.array(np.flatnonzero(keep))
        _write_rows(
            sink("name.basics"),
            [nconst.take(kept), names.take(kept), _int_text(birth, birth_missing).take(kept),
             _int_text(death, death_missing).take(kept), professions.take(kept), known.take(kept)],
            bar.update,
        )
        del names, known, professions, by_person, rank, known_rows

        # --- ratings ---------------------------------------------------------
        rated_p = np.full(n, _RATED_SHARE_DEFAULT)
        for t, share in _RATED_SHARE.items():
            rated_p[is_type[t]] = share
        rated = np.flatnonzero(rng.random(n) < rated_p)
        tenths = np.clip(np.round(rng.normal(6.3, 1.35, len(rated)) * 10), 10, 100).astype(np.int64)
        rating_text = _join(pc.cast(pa.array(tenths // 10), pa.string()), ".", pc.cast(pa.array(tenths % 10), pa.string()))
        mu = np.where(is_type["movie"][rated], 4.6, 3.2)
        votes = np.maximum(5, np.round(rng.lognormal(mu, 1.9))).astype(np.int64)
        _write_rows(sink("title.ratings"), [tconst.take(pa.array(rated)), rating_text, _int_text(votes)], bar.update)

        # --- crew ------------------------------------------------------------
        crew = {}
        for role, cat, extra_p in (("directors", "director", 0.05), ("writers", "writer", 0.25)):
            rows = np.flatnonzero(category == cat_names.index(cat))
            extra_titles = np.flatnonzero(rng.random(n) < extra_p)
            extra_people = person_of_row[rng.integers(0, total, len(extra_titles))]
            t_all = np.concatenate([title_of_row[rows], extra_titles])
            p_all = np.concatenate([person_of_row[rows], extra_people])
            order = np.argsort(t_all, kind="stable")
            crew[role] = _ragged_join(nconst.take(pa.array(p_all[order])), np.bincount(t_all, minlength=n))
        _write_rows(sink("title.crew"), [tconst, crew["directors"], crew["writers"]], bar.update)
        del crew

        # --- akas ------------------------------------------------------------
        aka_n = np.select(
            [is_type["movie"] | is_type["tvMovie"], is_type["tvEpisode"]],
            [rng.integers(1, 9, n), (rng.random(n) < 0.2).astype(np.int64)],
            rng.integers(0, 4, n),
        )
        aka_total = int(aka_n.sum())
        aka_title = np.repeat(np.arange(n), aka_n)
        aka_first = np.concatenate([[0], np.cumsum(aka_n)[:-1]])
        aka_ord = np.arange(aka_total) - np.repeat(aka_first, aka_n) + 1
        is_orig = aka_ord == 1
        aka_text = pc.if_else(
            pa.array(rng.random(aka_total) < 0.5),
            original.take(pa.array(aka_title)),
            _pick(_FOREIGN, rng.integers(0, len(_FOREIGN), aka_total)),
        )
        region = _pick(_REGIONS, rng.integers(0, len(_REGIONS), aka_total))
        region = pc.if_else(pa.array(is_orig), pa.scalar(None, pa.string()), region)
        language = pc.if_else(pa.array(rng.random(aka_total) < 0.85), pa.scalar(None, pa.string()), _pick(_LANGUAGES, rng.integers(0, len(_LANGUAGES), aka_total)))
        types = _pick(_AKA_TYPES, rng.integers(0, len(_AKA_TYPES), aka_total))
        types = pc.if_else(pa.array(rng.random(aka_total) < 0.5), pa.scalar(None, pa.string()), types)
        types = pc.if_else(pa.array(is_orig), pa.scalar("original"), types)
        attributes = pc.if_else(pa.array(rng.random(aka_total) < 0.93), pa.scalar(None, pa.string()), _pick(_AKA_ATTRIBUTES, rng.integers(0, len(_AKA_ATTRIBUTES), aka_total)))
        _write_rows(
            sink("title.akas"),
            [tconst.take(pa.array(aka_title)), _int_text(aka_ord), aka_text, region, language, types, attributes, _int_text(is_orig.astype(np.int64))],
            bar.update,
        )
        del aka_text, region, language, types, attributes

        # --- episodes --------------------------------------------------------
        episodes = np.flatnonzero(is_type["tvEpisode"])
        series = np.flatnonzero(series_like)
        if len(episodes):
            parent = series[rng.choice(len(series), len(episodes), p=_zipf_weights(len(series), 1.0))]
            season_missing = rng.random(len(episodes)) < 0.1
            ep_missing = season_missing | (rng.random(len(episodes)) < 0.03)
            columns = [tconst.take(pa.array(episodes)), tconst.take(pa.array(parent)),
                       _int_text(season[episodes], season_missing), _int_text(episode_no[episodes], ep_missing)]
            _write_rows(sink("title.episode"), columns, bar.update)
        else:
            sink("title.episode")
    finally:
        errors = []
        for s in sinks.values():
            try:
                s.close()
            except BaseException as exc:  # pragma: no cover - disk errors
                errors.append(exc)
        bar.close()
        if errors:
            raise errors[0]

    counts = np.bincount(ttype, minlength=len(type_names))
    return SynthSummary(
        folder=os.fspath(out),
        seed=seed,
        titles=n,
        title_types={t: int(c) for t, c in zip(type_names, counts) if c},
        principals=total,
        people=int(keep.sum()),
        dangling_nconsts=nconst.take(pa.array(dangling)).to_pylist(),
        rows={name: s.rows for name, s in sinks.items()},
        bytes={name: s.path.stat().st_size for name, s in sinks.items()},
        seconds=time.perf_counter() - started,
    )
