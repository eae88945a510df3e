"""Saved IMDb title pages (``.html``): the page a browser writes on "Save page as".

IMDb title pages carry their data twice, as JSON, besides the visible HTML:

``<script id="__NEXT_DATA__" type="application/json">``
    The Next.js page state (IMDb's React layout, 2020 onwards).  Its
    ``props.pageProps`` holds the title as GraphQL objects:
    ``aboveTheFoldData`` (title, year, type, rating, runtime, genres,
    certificate, plot, keywords, popularity, metascore, the principal
    credits, ...) and ``mainColumnData`` (cast with characters, directors,
    writers, creators, "More like this", countries, languages, companies,
    budget, gross, also-known-as titles, filming locations, taglines, ...).
    Older pages (early 2022) keep the same objects in
    ``pageProps.urqlState[<hash>].data.title`` (sometimes as a JSON string);
    newer ones group credits as ``principalCreditsV2`` / ``castV2`` /
    ``crewV2`` (``grouping`` + ``credits`` with ``creditedRoles``).
``<script type="application/ld+json">``
    A schema.org ``Movie`` / ``TVSeries`` / ... block: name, datePublished,
    genre, aggregateRating, duration (ISO 8601), keywords, contentRating,
    description and the stars, directors and creators (``/name/nm.../``).

:func:`read_imdb_html` reads ``__NEXT_DATA__`` first, through small helpers
that try several paths per field and never fail on a missing key, and fills
whatever it lacks from JSON-LD; a page with JSON-LD only (the classic layout
before 2021) is read from JSON-LD alone.

Page kinds
----------
The kind of page (:data:`PAGE_KINDS`) comes from ``__NEXT_DATA__``'s route
(``page``: ``/title/[tconst]/reference``), else the ``imdb:subPageType``
meta tag, else the page's address:

``main``
    the title's main page, read as above.
``reference``
    the same ``aboveTheFoldData`` / ``mainColumnData`` (rating under
    ``mainColumnData.ratingsSummary``, keywords in ``storylineKeywords``,
    directors in ``crewV2``, stars in ``principalCreditsV2``), plus every
    credit category in ``mainColumnData.categories[]``; no "More like this".
``fullcredits``
    ``props.pageProps.contentData``: the title in ``entityMetadata`` or
    ``data.title``, every credit category in ``categories[]``.
``keywords``
    ``contentData``: the title's whole keyword list
    (``keywords.edges[].node``, or ``section.items[].rowTitle`` in older
    saves).

Credit categories (``{id, name, section: {items[], total}}``) are read by
:func:`reelgraph.loaders.imdb_credits.read_categories`, which maps each to a
role by IMDb's category id first; a category listing fewer items than its
``total`` is named in the film's ``incomplete_credits``, and a role whose
categories show their whole ``total`` in its ``complete_credits`` (so that
merging the pages of a title clears the marks of what another page lists
in full).  A ``/fullcredits``
page says nothing of stars, so its credits leave ``star`` empty and a merge
keeps the main page's.  The graph has ``page_kind`` set, for
:func:`reelgraph.loaders.source_key` (each kind of page of a title is a
source of its own).

What the graph gets
-------------------
* one film row (``source`` ``"imdb-html"``, ``stub`` False) with every field
  the page states (see :data:`reelgraph.model.FILM_COLUMNS`): title, original
  title, year, title type (``movie``, ``tvSeries``, ...), rating, votes,
  runtime in minutes, genres, certificate, release date and country,
  countries, languages, plot, storyline, keywords (and how many IMDb has),
  companies, budget and worldwide gross (with currencies), popularity rank,
  metascore, tagline, also-known-as titles, filming locations, adult flag;
* people (``nm`` ids and names) and their credits: actors with their
  characters and billing (1..n in page order: the principal cast, then the
  rest of the top cast), directors, writers (``job`` is what the page says,
  e.g. ``"novel"``, ``"screenplay"``; series creators are writers with job
  ``"creator"``), and producers, composers, ... when the page lists them.
  ``star`` is True for the people the page marks as its stars (the "Stars"
  principal credits, else the principal cast, else the JSON-LD actors) and,
  when the page marks none, for the first three billed; crew ``billing`` is
  left empty; a credit's ``source`` names the page kind when it is a
  sub-page (``imdb-html/fullcredits``, :func:`credit_source`), so a merged
  credit says which pages gave it;
* one ``similar`` row per "More like this" title (``rank`` 1..n, ``source``
  :data:`reelgraph.model.MORE_LIKE_THIS`) and a stub film row for each of them
  (``stub`` True; id, title, year, type, rating and votes as given).

Bad input
---------
Every problem raises :class:`reelgraph.errors.InputError` with a one-line message
that starts with the file: a missing, empty, binary (NUL bytes) or non-UTF-8
file (the messages every loader shares, :func:`reelgraph.loaders._text.read_text_file`);
text that is not HTML; HTML that is not an IMDb title page of a kind
read (another site, an IMDb name page or one of its sub-pages, or a
title's other sub-pages such as ``.../episodes``: the message names the
kinds read); a page without title data; a ``/reference`` or
``/fullcredits`` page without credit categories, a ``/keywords`` page
without keywords, a sub-page whose ``__NEXT_DATA__`` is truncated (its data
is there only) or whose data is of another title than its address.

Two choices worth knowing:

* ``__NEXT_DATA__`` truncated or not valid JSON: when the page's JSON-LD
  block describes the same title, the page is read from JSON-LD alone and a
  :class:`UserWarning` says so (a browser that stops saving mid-file keeps
  the JSON-LD, which comes first, and loses "More like this"); otherwise it
  is an error saying the JSON is truncated or invalid.
* a title page without any cast is an error ("no cast"): a film without
  people adds nothing to a graph of films and people, and an empty cast
  almost always means the save went wrong.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from reelgraph.errors import InputError
from reelgraph.model import MORE_LIKE_THIS, FilmGraph, aligned_keyword_votes, film_key, is_imdb_film_id
from reelgraph.loaders._graphql import empty as _empty, get as _get, nodes as _nodes, parse_json as _parse_json
from reelgraph.loaders._graphql import pick as _pick, text as _text, texts as _texts, to_float as _float, to_int as _int
from reelgraph.loaders._page_checks import deep_nesting_refused, page_graph
from reelgraph.loaders._text import read_text_file
from reelgraph.loaders.imdb_credits import NAME_ID as _NAME_ID, Credits as _Credits, characters_of as _characters
from reelgraph.loaders.imdb_credits import credit_role, job_of as _job, join_jobs as _join, person_key_of as _person_key
from reelgraph.loaders.imdb_credits import read_categories

__all__ = ["SOURCE", "PAGE_KINDS", "credit_source", "looks_like_imdb_html", "read_imdb_html"]

#: ``source`` of every row this loader makes.
SOURCE = "imdb-html"

#: How many top-billed actors are stars when the page marks none.
_DEFAULT_STARS = 3

_TITLE_PATH = re.compile(r"(?:^|/)title/(tt\d{7,})(?:/(.*))?$")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)(</script\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|script|title|div)\b", re.IGNORECASE)
_IMDB_MARK = re.compile(
    r"""imdb\.com|imdb:page|property\s*=\s*["']pageid["']|-\s*imdb\s*</title>""", re.IGNORECASE
)
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.IGNORECASE)

#: schema.org ``@type`` -> IMDb title type.
_LD_TYPES = {
    "movie": "movie",
    "tvseries": "tvSeries",
    "tvepisode": "tvEpisode",
    "tvminiseries": "tvMiniSeries",
    "tvmovie": "tvMovie",
    "tvspecial": "tvSpecial",
    "videogame": "videoGame",
    "videoobject": "video",
    "musicvideoobject": "musicVideo",
    "podcastseries": "podcastSeries",
    "creativework": None,
}
_SERIES_TYPES = {"tvSeries", "tvMiniSeries"}

#: The kinds of title page read: the main page and three of its sub-pages.
PAGE_KINDS = ("main", "reference", "fullcredits", "keywords")
_KINDS_READ = "a title's main page and its /reference, /fullcredits and /keywords pages"
#: Route parts, sub-page types and URL parts (lower-case letters only) -> page kind.
_KIND_NAMES = {"": "main", "main": "main", "maindetails": "main", "title": "main", "reference": "reference",
               "fullcredits": "fullcredits", "keywords": "keywords", "plotkeywords": "keywords"}
#: An IMDb page of another type (name, list, search, ...), for its one-line refusal.
_OTHER_PATH = re.compile(r"^/(name|list|search|find|chart|company|user|event|interest)\b")

# -- scanning the HTML ------------------------------------------------------


@dataclass
class _Page:
    """What the HTML around the JSON says: meta tags, URLs, the JSON scripts."""

    metas: dict = field(default_factory=dict)  # lower-case property/name -> first content
    urls: list = field(default_factory=list)  # canonical, og:url, "saved from url"
    html_title: str | None = None
    next_data: str | None = None
    next_data_closed: bool = True
    json_ld: list = field(default_factory=list)
    has_tags: bool = False


class _HeadScanner(HTMLParser):
    def __init__(self, page: _Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.page.has_tags = True
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            if key and key not in self.page.metas:
                self.page.metas[key] = attrs.get("content", "").strip()
            if key == "og:url":
                self.page.urls.append(attrs.get("content", ""))
        elif tag == "link" and "canonical" in attrs.get("rel", "").lower().split():
            self.page.urls.insert(0, attrs.get("href", ""))
        elif tag == "title" and self.page.html_title is None:
            self._in_title = True

    def handle_data(self, data):
        if self._in_title:
            self._title.append(data)

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self._in_title = False
            self.page.html_title = "".join(self._title).strip() or None

    def handle_comment(self, data):
        match = re.search(r"saved from url=\(\d+\)(\S+)", data)
        if match:
            self.page.urls.append(match.group(1))


def _scan(text: str) -> _Page:
    page = _Page()
    scanner = _HeadScanner(page)
    try:
        scanner.feed(text)
        scanner.close()
    except Exception:  # html.parser is lenient; never let markup stop the JSON being read
        pass
    page.has_tags = page.has_tags or bool(_HTML_TAG.search(text[:65536]))
    for match in _SCRIPT.finditer(text):
        attrs = {}
        for attr in _ATTR.finditer(match.group(1)):
            attrs[attr.group(1).lower()] = next(v for v in attr.groups()[1:] if v is not None)
        kind = attrs.get("type", "").strip().lower()
        if attrs.get("id") == "__NEXT_DATA__" and page.next_data is None:
            page.next_data = match.group(2)
            page.next_data_closed = bool(match.group(3))
        elif kind == "application/ld+json":
            page.json_ld.append(match.group(2))
    return page


def _url_title(url: str):
    """``(title id, rest of the path)`` of an IMDb title URL, else ``(None, None)``."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None, None
    if parts.netloc and "imdb" not in parts.netloc.lower():
        return None, None
    match = _TITLE_PATH.search(parts.path)
    if not match:
        return None, None
    return match.group(1), (match.group(2) or "").strip("/")


def _kind_of(name: str | None) -> str | None:
    """The page kind (:data:`PAGE_KINDS`) a route part, sub-page type or URL part names; its own name if unread."""
    if name is None:
        return None
    key = re.sub(r"[^a-z]", "", name.lower())
    return _KIND_NAMES.get(key, name.strip().strip("/") or "main")


def _refuse_kind(path: Path, kind: str, title_id: str | None):
    """Raise the one-line error of a title page of a kind reelgraph does not read; pass the kinds it reads."""
    if kind not in PAGE_KINDS:
        raise InputError(path, f"the IMDb {kind} page of {title_id or 'a title'}: reelgraph reads {_KINDS_READ}")


def _check_page_kind(path: Path, page: _Page) -> tuple[str | None, str | None]:
    """``(title id, page kind)`` the HTML states; refuse pages of other kinds (other page types, other sub-pages)."""
    page_type = page.metas.get("imdb:pagetype") or page.metas.get("pagetype")
    sub_type = page.metas.get("imdb:subpagetype") or page.metas.get("subpagetype")
    title_id = page.metas.get("imdb:pageconst") or page.metas.get("pageid")
    title_id = title_id if is_imdb_film_id(title_id) else None
    rest, other = None, None
    for url in page.urls:
        url_id, url_rest = _url_title(url)
        if url_id:
            title_id = title_id or url_id
            rest = url_rest if rest is None else rest
        elif other is None:
            match = _OTHER_PATH.search(urlsplit(url.strip()).path) if "imdb" in url.lower() else None
            other = match.group(1) if match else None
    if page_type and page_type.lower() != "title":
        sub = f" ({sub_type} of it)" if sub_type and sub_type.lower() not in ("main", page_type.lower()) else ""
        raise InputError(path, f"an IMDb {page_type} page{sub}, not a title page: reelgraph reads {_KINDS_READ}")
    if not title_id and other:
        raise InputError(path, f"an IMDb {other} page, not a title page: reelgraph reads {_KINDS_READ}")
    kind = _kind_of(sub_type) if sub_type else _kind_of(rest.split("/")[0]) if rest is not None else None
    if kind:
        _refuse_kind(path, kind, title_id)
    return title_id, kind


def _camel(text: str) -> str | None:
    words = re.findall(r"[A-Za-z0-9]+", text)
    if not words:
        return None
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


def _title_type(value) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and value["id"].strip():
            return value["id"].strip()
        value = _text(value)
    if isinstance(value, str) and value.strip():
        value = value.strip()
        return _camel(value) if (" " in value or "-" in value or value[:1].isupper()) else value
    return None


def _iso_date(value) -> str | None:
    if isinstance(value, str):
        match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
        return "-".join(g for g in match.groups() if g) if match else None
    if isinstance(value, dict):
        year, month, day = _int(value.get("year")), _int(value.get("month")), _int(value.get("day"))
        if not year:
            return None
        out = f"{year:04d}"
        if month:
            out += f"-{month:02d}"
            if day:
                out += f"-{day:02d}"
        return out
    return None


def _minutes_from_duration(value) -> int | None:
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return int(round(days * 1440 + hours * 60 + minutes + seconds / 60))


# -- __NEXT_DATA__ ----------------------------------------------------------


def _find_titles(obj, title_id, found, depth=0):
    """Collect GraphQL ``Title`` objects of ``title_id`` in a cache (``urqlState``, ...)."""
    if depth > 8:
        return
    obj = _parse_json(obj)
    if isinstance(obj, dict):
        if obj.get("id") == title_id and any(k in obj for k in ("titleText", "cast", "principalCast", "ratingsSummary", "__typename")):
            found.append(obj)
            return
        for value in obj.values():
            _find_titles(value, title_id, found, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            _find_titles(value, title_id, found, depth + 1)


def _next_titles(next_data: dict, title_id: str | None):
    """``(title id, [title objects])`` of the NEXT_DATA, newest shapes first."""
    props = next_data.get("props") if isinstance(next_data.get("props"), dict) else {}
    page_props = props.get("pageProps") if isinstance(props.get("pageProps"), dict) else next_data.get("pageProps")
    page_props = page_props if isinstance(page_props, dict) else {}
    query = next_data.get("query") if isinstance(next_data.get("query"), dict) else {}
    candidates = [
        page_props.get("tconst"),
        _get(page_props, "aboveTheFoldData.id"),
        _get(page_props, "mainColumnData.id"),
        query.get("tconst"),
        query.get("id"),
        _get(page_props, "requestContext.pageConst"),
    ]
    next_id = next((c for c in candidates if is_imdb_film_id(c)), None)
    title_id = title_id or next_id
    titles = []
    for key in ("aboveTheFoldData", "mainColumnData"):
        obj = page_props.get(key)
        if isinstance(obj, dict) and (obj.get("id") in (None, title_id)):
            titles.append(obj)
    for key in ("urqlState", "fetchCacheItems", "fetchState", "apolloState", "initialState"):
        if key in page_props and title_id:
            _find_titles(page_props[key], title_id, titles)
    return title_id, titles


def _next_page_kind(path: Path, next_data: dict, title_id: str | None, is_imdb: bool) -> str | None:
    """The page kind the Next.js route names (``/title/[tconst]/reference``); refuse other kinds and other pages."""
    route = next_data.get("page")
    if not isinstance(route, str) or not route.startswith("/"):
        return None
    parts = [p for p in route.split("/") if p]
    if parts[:1] != ["title"]:
        if is_imdb:
            sub = f" ({parts[2]} of it)" if len(parts) > 2 else ""
            raise InputError(path, f"an IMDb {parts[0] if parts else 'home'} page{sub}, not a title page: "
                                   f"reelgraph reads {_KINDS_READ}")
        return None
    kind = _kind_of(parts[2]) if len(parts) > 2 else "main"
    _refuse_kind(path, kind, title_id)
    return kind


def _film_from_next(titles: list, title_id: str) -> dict:
    film = {
        "id": title_id,
        "title": _text(_pick(titles, "titleText")),
        "original_title": _text(_pick(titles, "originalTitleText")),
        "year": _int(_pick(titles, "releaseYear.year", "releaseYear", "releaseDate.year")),
        "title_type": _title_type(_pick(titles, "titleType")),
        "rating": _float(_pick(titles, "ratingsSummary.aggregateRating")),
        "votes": _int(_pick(titles, "ratingsSummary.voteCount")),
        "certificate": _text(_pick(titles, "certificate.rating", "certificate")),
        "release_date": _iso_date(_pick(titles, "releaseDate")),
        "release_country": _text(_pick(titles, "releaseDate.country")),
        "plot": _text(_pick(titles, "plot.plotText", "plot", "outlines.edges.0.node.plotText")),
        "storyline": _text(_pick(titles, "summaries.edges.0.node.plotText", "summaries.0.plotText")),
        "popularity": _int(_pick(titles, "meterRanking.currentRank")),
        "metascore": _int(_pick(titles, "metacritic.metascore.score", "metacritic.metascore")),
        "is_adult": _pick(titles, "isAdult") if isinstance(_pick(titles, "isAdult"), bool) else None,
        "keywords_total": _int(_pick(titles, "keywords.total", "storylineKeywords.total")),
    }
    seconds = _int(_pick(titles, "runtime.seconds", "runtimes.edges.0.node.seconds", "runtimes.0.seconds"))
    film["runtime_minutes"] = int(round(seconds / 60)) if seconds else None

    genres = []
    for obj in titles:
        for item in _nodes(_get(obj, "genres.genres") or _get(obj, "genres") or _get(obj, "titleGenres.genres")):
            name = _text(item.get("genre") if isinstance(item, dict) and "genre" in item else item)
            if name and name not in genres:
                genres.append(name)
    film["genres"] = genres

    def union(*paths, keys=()):
        out = []
        for dotted in paths:
            for obj in titles:
                for found in _texts(_get(obj, dotted), *keys):
                    if found not in out:
                        out.append(found)
        return out

    film["countries"] = union("countriesOfOrigin.countries", "countriesOfOrigin")
    film["languages"] = union("spokenLanguages.spokenLanguages", "spokenLanguages")
    film["keywords"] = union("keywords", "storylineKeywords")
    film["companies"] = union("production", "companyCredits", "productionCompanies", keys=("company", "companyText"))
    film["also_known_as"] = union("akas")
    film["filming_locations"] = union("filmingLocations")
    taglines = union("taglines")
    film["tagline"] = taglines[0] if taglines else None

    budget = _pick(titles, "productionBudget.budget", "productionBudget")
    film["budget"] = _int(_get(budget, "amount"))
    film["budget_currency"] = _text(_get(budget, "currency"))
    gross = _pick(titles, "worldwideGross.total", "worldwideGross")
    film["gross_worldwide"] = _int(_get(gross, "amount"))
    film["gross_currency"] = _text(_get(gross, "currency"))
    return film


def _group_category(group: dict) -> tuple[str | None, str | None]:
    """``(heading, category id)`` of a credit group (``grouping`` of 2025, ``category`` before)."""
    label, category_id = None, None
    for dotted in ("category.id", "category.text", "grouping.text", "grouping.groupingId", "grouping.id", "category"):
        value = _get(group, dotted)
        if not isinstance(value, str) or not value.strip():
            continue
        if value.startswith("amzn1."):
            category_id = category_id or value
        elif label is None:
            label = value
    return label, category_id


def _groups(value, default_label: str | None):
    """``[((heading, category id), [credit nodes])]`` of a list of credit groups, or of bare credits."""
    out, loose = [], []
    for item in _nodes(value):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("credits"), (list, dict)) and "name" not in item:
            label, category_id = _group_category(item)
            out.append(((label or default_label, category_id), _nodes(item["credits"])))
        else:
            loose.append(item)
    if loose:
        out.append(((default_label, None), loose))
    return out


def _node_category(node: dict) -> tuple[str | None, str | None]:
    """``(heading, category id)`` of a node of a mixed ``credits`` list; ``(None, None)`` when it names none."""
    category = node.get("category")
    if isinstance(category, dict):
        return _group_category({"category": category})
    return (category, None) if isinstance(category, str) else (None, None)


def _actor_role(node: dict) -> str | None:
    """The role of a node of a mixed ``credits`` list (None: not a cast member)."""
    label, category_id = _node_category(node)
    if not (label or category_id):
        return "actor"
    role, _ = credit_role(label, category_id)
    return role if role in ("actor", "self") else None


def _credits_from_next(titles: list, cast: _Credits, crew: _Credits) -> tuple[_Credits, _Credits, set]:
    """Cast and crew (added to ``cast`` and ``crew``, which may hold credits already) and the ids marked as stars."""

    def add_cast(node, role="actor"):
        job = _job(node, with_role_texts=False)
        return cast.add(node, role, job, _characters(node))

    # The ordered cast: the top cast, older and newer names of it, cast-like credits.
    main = []
    for obj in titles:
        for node in _nodes(obj.get("cast")):
            main.append((node, "actor"))
        for key in ("castV2", "creditGroupings"):
            for (label, category_id), nodes in _groups(obj.get(key), "cast"):
                role, _ = credit_role(label, category_id, "actor")
                if role in ("actor", "self"):
                    main.extend((node, role) for node in nodes)
        for node in _nodes(obj.get("credits")):
            role = _actor_role(node) if isinstance(node, dict) else None
            if role:
                main.append((node, role))
    principal = [node for obj in titles for _, nodes in _groups(obj.get("principalCast"), "cast") for node in nodes]
    main_keys = {_person_key(node) for node, _ in main}
    for node in principal:  # principal cast missing from the top cast comes first
        if _person_key(node) not in main_keys:
            add_cast(node)
    for node, role in main:
        add_cast(node, role)

    # Every crew credit, and the people the principal credits mark as stars.
    star_nodes = []
    sources = (("directors", "director"), ("writers", "writer"), ("creators", "creator"), ("crewV2", None),
               ("creditGroupings", None), ("principalCredits", None), ("principalCreditsV2", None))
    for key, default in sources:
        for obj in titles:
            for (label, category_id), nodes in _groups(obj.get(key), default):
                role, job = credit_role(label, category_id, default)
                if role in ("actor", "self"):
                    if key.startswith("principalCredits"):
                        star_nodes.extend(nodes)
                    continue
                for node in nodes if role else ():
                    crew.add(node, role, _join(job, _job(node, with_role_texts=True)))
    for obj in titles:
        for node in _nodes(obj.get("credits")):
            if isinstance(node, dict) and not _actor_role(node):
                role, job = credit_role(*_node_category(node))
                if role:
                    crew.add(node, role, _join(job, _job(node, with_role_texts=True)))
    if not cast.items:  # no cast list: the stars are the cast
        for node in star_nodes:
            add_cast(node)
    stars = {_person_key(node) for node in (star_nodes or principal)} - {None}
    return cast, crew, stars


def _similar_from_next(titles: list, title_id: str) -> list[dict]:
    out, seen = [], {title_id}
    for obj in titles:
        for node in _nodes(obj.get("moreLikeThisTitles")):
            if not isinstance(node, dict):
                continue
            title = _text(node.get("titleText")) or _text(node.get("title"))
            year = _int(_get(node, "releaseYear.year") or node.get("releaseYear") or node.get("year"))
            similar_id = node.get("id") if is_imdb_film_id(node.get("id")) else None
            if not similar_id:
                if not title:
                    continue
                similar_id = film_key(title, year)
            if similar_id in seen:
                continue
            seen.add(similar_id)
            out.append({
                "id": similar_id,
                "title": title,
                "year": year,
                "title_type": _title_type(node.get("titleType")),
                "rating": _float(_get(node, "ratingsSummary.aggregateRating")),
                "votes": _int(_get(node, "ratingsSummary.voteCount")),
            })
    return out


# -- JSON-LD ----------------------------------------------------------------


def _ld_items(data):
    if isinstance(data, list):
        for item in data:
            yield from _ld_items(item)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _ld_items(data["@graph"])
        else:
            yield data


def _ld_type(item: dict) -> str | None:
    kind = item.get("@type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    return kind if isinstance(kind, str) else None


def _jsonld_title(blocks: list[str], title_id: str | None) -> dict | None:
    """The schema.org title object of the page (of ``title_id`` when known)."""
    for raw in blocks:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for item in _ld_items(data):
            kind = (_ld_type(item) or "").lower()
            url_id, _ = _url_title(item.get("url") or "") if isinstance(item.get("url"), str) else (None, None)
            if kind not in _LD_TYPES and not url_id:
                continue
            if title_id and url_id and url_id != title_id:
                continue
            if not (item.get("name") or url_id):
                continue
            return item
    return None


def _unescaped(value) -> str | None:
    return html.unescape(value).strip() or None if isinstance(value, str) else None


def _film_from_jsonld(item: dict) -> dict:
    url_id, _ = _url_title(item.get("url") or "") if isinstance(item.get("url"), str) else (None, None)
    published = _iso_date(item.get("datePublished"))
    rating = item.get("aggregateRating") if isinstance(item.get("aggregateRating"), dict) else {}
    genres = item.get("genre")
    genres = [genres] if isinstance(genres, str) else genres if isinstance(genres, list) else []
    keywords = item.get("keywords")
    keywords = keywords.split(",") if isinstance(keywords, str) else keywords if isinstance(keywords, list) else []
    kind = _ld_type(item)
    alternate = _unescaped(item.get("alternateName"))
    return {
        "id": url_id,
        "title": _unescaped(item.get("name")),
        "year": int(published[:4]) if published else None,
        "title_type": _LD_TYPES.get(kind.lower(), kind[:1].lower() + kind[1:]) if kind else None,
        "rating": _float(rating.get("ratingValue")),
        "votes": _int(rating.get("ratingCount")),
        "runtime_minutes": _minutes_from_duration(item.get("duration")),
        "genres": [g for g in (_unescaped(x) for x in genres) if g],
        "certificate": _unescaped(item.get("contentRating")),
        "release_date": published,
        "plot": _unescaped(item.get("description")),
        "keywords": [k for k in (_unescaped(x) for x in keywords) if k],
        "also_known_as": [alternate] if alternate else [],
    }


def _ld_people(value) -> list[dict]:
    """Person nodes (``{"url": "/name/nm.../", "name"}``) of a JSON-LD field; organisations dropped."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    out = []
    for item in items:
        if not isinstance(item, dict) or (_ld_type(item) not in (None, "Person")):
            continue
        url = item.get("url") if isinstance(item.get("url"), str) else ""
        match = _NAME_ID.search(url)
        name = _unescaped(item.get("name"))
        if match or name:
            out.append({"name": {"id": match.group(1) if match else None, "nameText": {"text": name}}})
    return out


# -- assembling the graph ---------------------------------------------------


def _fallback_title(page: _Page, sub_page: bool = False) -> str | None:
    for raw in (page.metas.get("og:title"), page.html_title):
        if raw:
            title = re.sub(r"\s*-\s*IMDb\s*$", "", raw)
            if sub_page:  # "The Matrix (1999) - Full cast & crew": the sub-page's name goes first
                title = re.sub(r"\s+-\s+[^-]+$", "", title)
            title = re.sub(r"\s*\([^()]*\d{4}[^()]*\)\s*$", "", title).strip()
            if title:
                return title
    return None


def _page_props(next_data: dict) -> dict:
    props = next_data.get("props") if isinstance(next_data.get("props"), dict) else {}
    page_props = props.get("pageProps") if isinstance(props.get("pageProps"), dict) else next_data.get("pageProps")
    return page_props if isinstance(page_props, dict) else {}


def _keywords_of(content: dict) -> tuple[list[str], int | None, dict[str, tuple[int, int]]]:
    """``(keywords, how many IMDb has, votes)`` of a ``/keywords`` page's ``contentData``, in page order.

    The 2025-2026 shape is a connection ``keywords.edges[].node.text``, each
    node with its interest votes (``interestScore {usersInterested,
    usersVoted}``: "14 of 15 found this relevant"), under
    ``contentData.data.title`` or ``contentData`` itself; older saves list
    them as ``section.items[].rowTitle`` (also per category), without votes.
    ``votes`` maps a keyword to ``(found it relevant, voted)``.
    """
    places = [_get(content, "data.title.keywords"), content.get("keywords"), _get(content, "entityMetadata.keywords"),
              content.get("section")]
    places += [category.get("section") for category in _nodes(content.get("categories")) if isinstance(category, dict)]
    keywords, total, votes = [], None, {}
    for place in places:
        if not isinstance(place, dict):
            continue
        for node in _nodes(place):
            score = node.get("interestScore") if isinstance(node, dict) else None
            if isinstance(node, dict) and ("rowTitle" in node or "keyword" in node):
                node = node.get("rowTitle") or node.get("keyword")
            found = _text(node)
            if found and found not in keywords:
                keywords.append(found)
                relevant, voted = (_int(score.get(k)) for k in ("usersInterested", "usersVoted")) if isinstance(
                    score, dict) else (None, None)
                if relevant is not None and voted is not None and 0 <= relevant <= voted:
                    votes[found] = (relevant, voted)
        total = total if total is not None else _int(place.get("total"))
    return keywords, total, votes


def _content_titles(path: Path, page_props: dict, title_id: str | None, kind: str):
    """``(title id, contentData, [title objects])`` of a ``/fullcredits`` or ``/keywords`` page."""
    content = page_props.get("contentData")
    if not isinstance(content, dict):
        raise InputError(path, f"no contentData in the {kind} page's __NEXT_DATA__; save the complete page")
    titles = [obj for obj in (content.get("entityMetadata"), _get(content, "data.title")) if isinstance(obj, dict)]
    data_id = next((obj.get("id") for obj in titles if is_imdb_film_id(obj.get("id"))), None)
    if title_id and data_id and data_id != title_id:
        raise InputError(path, f"the {kind} page's address names {title_id} but its data is of {data_id}")
    title_id = title_id or data_id or next(
        (c for c in (page_props.get("tconst"), _get(page_props, "requestContext.pageConst")) if is_imdb_film_id(c)), None)
    if not title_id:
        raise InputError(path, f"no title id (tt...) in the {kind} page")
    return title_id, content, titles


def credit_source(kind: str) -> str:
    """``source`` of the credits a page of ``kind`` gives: :data:`SOURCE`, with the sub-page's kind after a ``/``.

    A credit seen on several pages of a film is one credit whose ``source``
    names each (:func:`reelgraph.model.merge_graphs`), so which page gave it
    stays known.

    Examples
    --------
    >>> credit_source("main"), credit_source("fullcredits")
    ('imdb-html', 'imdb-html/fullcredits')
    """
    return SOURCE if kind == "main" else f"{SOURCE}/{kind}"


def _graph(path: Path, film: dict, cast: _Credits, crew: _Credits, stars: set | None, similar_stubs=(),
           kind: str = "main") -> FilmGraph:
    """The graph of one page: its film, its people and credits (cast billed in order), its "More like this".

    ``stars`` None: the page does not say who the stars are (a ``/fullcredits``
    page); ``star`` is then left empty, so merging with the main page keeps
    the main page's stars.  The credits' ``source`` names the page's ``kind``
    (:func:`credit_source`).
    """
    title_id = film["id"]
    source = credit_source(kind)
    people, credits = {}, []
    for billing, credit in enumerate(cast.items.values(), start=1):
        credits.append({
            "person_id": credit.person_id, "film_id": title_id, "role": credit.role,
            "characters": credit.characters, "job": credit.job, "billing": billing,
            "star": None if stars is None else credit.person_id in stars, "source": source,
        })
        people[credit.person_id] = people.get(credit.person_id) or credit.name
    for credit in crew.items.values():
        credits.append({
            "person_id": credit.person_id, "film_id": title_id, "role": credit.role,
            "characters": [], "job": credit.job, "billing": None, "star": None if stars is None else False,
            "source": source,
        })
        people[credit.person_id] = people.get(credit.person_id) or credit.name
    films, similar = [film], []
    for rank, stub in enumerate(similar_stubs, start=1):
        films.append({**stub, "stub": True, "source": SOURCE})
        similar.append({"film_id": title_id, "similar_id": stub["id"], "rank": rank, "source": MORE_LIKE_THIS})
    return page_graph(
        path,
        films=films,
        people=[{"id": pid, "name": name, "source": SOURCE} for pid, name in people.items()],
        credits=credits,
        similar=similar,
    )


def _read_content_page(path: Path, page: _Page, next_data: dict, title_id: str | None, kind: str) -> FilmGraph:
    """A ``/fullcredits`` or ``/keywords`` page: its film (title, year, ...) and credits or keywords."""
    title_id, content, titles = _content_titles(path, _page_props(next_data), title_id, kind)
    film = _film_from_next(titles, title_id)
    film["title"] = film.get("title") or _fallback_title(page, sub_page=True)
    if not film["title"]:
        raise InputError(path, f"no title text found for {title_id}")
    film.update(id=title_id, source=SOURCE, stub=False)
    cast, crew, counts = _Credits(), _Credits(), {}
    if kind == "keywords":
        keywords, total, votes = _keywords_of(content)
        if not keywords:
            raise InputError(path, f"no keywords in the keywords page of {title_id}; save the complete page")
        film.update(aligned_keyword_votes(keywords, votes))
        film["keywords_total"] = total if total is not None else film.get("keywords_total")
    else:
        categories = content.get("categories") or _get(content, "data.title.categories")
        if not _nodes(categories):
            raise InputError(path, f"no credit categories in the fullcredits page of {title_id} "
                                   "(contentData.categories); save the complete page")
        found = read_categories(categories, cast, crew)
        if not (cast.items or crew.items):
            raise InputError(path, f"no credits: the fullcredits page of {title_id} lists nobody")
        counts = _mark_credit_lists(film, [found])
    graph = _graph(path, film, cast, crew, None, kind=kind)
    graph.incomplete_counts = counts
    return graph


#: Credit lists of the 2025 layout (``{grouping, credits}`` groups).
_GROUPINGS_2025 = ("principalCreditsV2", "castV2", "crewV2")


def _layout(next_data: dict | None, titles: list) -> str:
    """Which documented shape a main or ``/reference`` page was read from, for ``reelgraph parse``.

    Examples
    --------
    >>> _layout(None, [])
    'JSON-LD only'
    >>> _layout({"props": {"pageProps": {"aboveTheFoldData": {}}}}, [{"castV2": []}])
    'aboveTheFoldData + mainColumnData, 2025 groupings'
    """
    if next_data is None or not titles:
        return "JSON-LD only"
    page_props = _get(next_data, "props.pageProps") or {}
    base = ("aboveTheFoldData + mainColumnData" if isinstance(page_props, dict) and (
        "aboveTheFoldData" in page_props or "mainColumnData" in page_props) else "urqlState (2022)")
    if any(isinstance(obj, dict) and obj.get("categories") for obj in titles):
        return f"{base}, categories"
    if any(isinstance(obj, dict) and any(key in obj for key in _GROUPINGS_2025) for obj in titles):
        return f"{base}, 2025 groupings"
    return base


def _mark_credit_lists(film: dict, found: list) -> dict:
    """Set the film's ``incomplete_credits`` and ``complete_credits`` from what :func:`read_categories` found.

    A role incomplete in any of ``found`` is incomplete; one complete in
    some and incomplete in none is complete, so a page never marks a role
    both ways.  Returns the incomplete roles' ``(shown, total)`` (the first
    count of each), which ``reelgraph parse`` prints and the store does not keep.
    """
    incomplete, complete, counts = [], [], {}
    for each in found:
        incomplete.extend(role for role in each.incomplete if role not in incomplete)
        complete.extend(role for role in each.complete if role not in complete)
        for role, shown in each.counts.items():
            counts.setdefault(role, tuple(shown))
    film["incomplete_credits"] = incomplete
    film["complete_credits"] = [role for role in complete if role not in incomplete]
    return {role: counts[role] for role in incomplete}


def read_imdb_html(path) -> FilmGraph:
    """Read a saved IMDb title page into a :class:`~reelgraph.model.FilmGraph`.

    Parameters
    ----------
    path : str or os.PathLike
        An IMDb title page saved from a browser as HTML: the main page
        (``https://www.imdb.com/title/tt.../``), or its ``/reference``,
        ``/fullcredits/`` or ``/keywords/`` page (:data:`PAGE_KINDS`).
        Films and TV series (and episodes, shorts, ...) are all title pages.

    Returns
    -------
    FilmGraph
        The page's film (``source`` ``"imdb-html"``), its people and credits,
        and, from a main page, its "More like this" titles as stub films
        linked by ``similar`` rows (``source``
        :data:`~reelgraph.model.MORE_LIKE_THIS`, rank 1..n).  The film's
        ``incomplete_credits`` lists the roles whose list the page shows
        only in part, ``complete_credits`` those it shows in full.
        Attributes beside the tables, not stored: ``graph.page_kind``
        (which kind of page it was), ``graph.layout`` (which documented
        shape it was read from, e.g. ``"aboveTheFoldData +
        mainColumnData, 2025 groupings"``), ``graph.incomplete_counts`` (role ->
        ``(shown, total)`` of its incomplete roles) and ``graph.whole``
        (False when the copy was cut short and read from JSON-LD alone:
        :func:`reelgraph.loaders.poorer_copy` then lets it replace no
        richer copy).

    Raises
    ------
    InputError
        When the file is missing, empty, binary or not UTF-8; not an IMDb
        title page of a kind read (another site, another IMDb page type,
        or a sub-page such as ``/episodes``); when ``__NEXT_DATA__`` is
        truncated or invalid and no JSON-LD block describes the title (a
        sub-page: whenever it is); when the page has no title data at all;
        when a main or ``/reference`` page lists no cast, a ``/reference``
        or ``/fullcredits`` page no credit categories, a ``/keywords`` page
        no keywords.

    Warns
    -----
    UserWarning
        When ``__NEXT_DATA__`` is truncated or invalid but the JSON-LD block
        describes the title: the page is then read from JSON-LD alone.

    Examples
    --------
    >>> graph = read_imdb_html("never-let-me-go.html")  # doctest: +SKIP
    >>> graph.films.loc[0, ["id", "title", "year"]].tolist()  # doctest: +SKIP
    ['tt1334260', 'Never Let Me Go', 2010]
    """
    path = Path(path)
    with deep_nesting_refused(path):
        return _read_imdb_html(path)


def _read_imdb_html(path: Path) -> FilmGraph:
    """:func:`read_imdb_html` of a path."""
    text = read_text_file(path)
    page = _scan(text)
    if not page.has_tags:
        raise InputError(path, "not an HTML page, expected a saved IMDb title page")
    title_id, kind = _check_page_kind(path, page)

    next_data, next_problem = None, None
    if page.next_data is not None:
        try:
            next_data = json.loads(page.next_data)
            if not isinstance(next_data, dict):
                raise ValueError("top level is not an object")
        except (ValueError, RecursionError) as exc:
            next_data = None
            reason = ("cut off before its end" if not page.next_data_closed else
                      "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0])
            next_problem = f"__NEXT_DATA__ JSON is truncated or invalid ({reason})"

    is_imdb = bool(title_id) or bool(_IMDB_MARK.search(text[:200000]))
    titles = []
    if next_data is not None:
        kind = _next_page_kind(path, next_data, title_id, is_imdb) or kind
    kind = kind or "main"
    if kind in ("fullcredits", "keywords"):
        if next_data is None:  # their data is in __NEXT_DATA__ only: no JSON-LD to fall back on
            raise InputError(path, f"{next_problem or 'no __NEXT_DATA__ script'}: the {kind} page of "
                                   f"{title_id or 'a title'} keeps its data there; save the complete page")
        graph = _read_content_page(path, page, next_data, title_id, kind)
        graph.page_kind = kind
        graph.layout = "contentData"
        graph.whole = True  # a sub-page cut short is refused above: its data is in __NEXT_DATA__ only
        return graph
    if next_data is not None:
        title_id, titles = _next_titles(next_data, title_id)

    ld_item = _jsonld_title(page.json_ld, title_id)
    ld_film = _film_from_jsonld(ld_item) if ld_item else {}
    title_id = title_id or ld_film.get("id")

    if next_problem:
        if ld_item and ld_film.get("title") and (ld_film.get("id") or title_id):
            warnings.warn(f"{path}: {next_problem}; read from the JSON-LD block only", UserWarning, stacklevel=2)
        elif is_imdb:
            raise InputError(path, f"{next_problem} and no JSON-LD block describes the title")
    if not title_id:
        raise InputError(path, "not an IMDb title page (no title id tt... found)")
    if not titles and not ld_item:
        raise InputError(path, f"no title data for {title_id} (neither __NEXT_DATA__ nor a JSON-LD block); save the complete page")

    # The film: NEXT_DATA first, JSON-LD for what it lacks.
    film = _film_from_next(titles, title_id) if titles else {"id": title_id}
    for key, value in ld_film.items():
        if key != "id" and _empty(film.get(key)) and not _empty(value):
            film[key] = value
    film["title"] = film.get("title") or _fallback_title(page, sub_page=kind != "main")
    if not film["title"]:
        raise InputError(path, f"no title text found for {title_id}")
    film.update(id=title_id, source=SOURCE, stub=False)

    # People and credits: every credit category first (a /reference page: the
    # whole cast in billing order), then NEXT_DATA's groupings; JSON-LD fills
    # each role NEXT_DATA lacks.
    cast, crew = _Credits(), _Credits()
    categories = [obj.get("categories") for obj in titles if _nodes(obj.get("categories"))]
    if kind == "reference" and not categories and titles:
        raise InputError(path, f"no credit categories in the reference page of {title_id} "
                               "(mainColumnData.categories); save the complete page")
    counts = _mark_credit_lists(film, [read_categories(value, cast, crew) for value in categories])
    cast, crew, stars = _credits_from_next(titles, cast, crew) if titles else (cast, crew, set())
    if ld_item:
        ld_actors = _ld_people(ld_item.get("actor"))
        if not cast.items:
            for node in ld_actors:
                cast.add(node, "actor")
        if not stars:
            stars = {_person_key(node) for node in ld_actors} - {None}
        if not crew.of_role("director"):
            for node in _ld_people(ld_item.get("director")):
                crew.add(node, "director")
        if not crew.of_role("writer"):
            job = "creator" if film.get("title_type") in _SERIES_TYPES else None
            for node in _ld_people(ld_item.get("creator")):
                crew.add(node, "writer", job)
    if not cast.items:
        raise InputError(path, f"no cast: {title_id} lists no actors, nothing to link it to people")
    if not stars:
        stars = {c.person_id for c in list(cast.items.values())[:_DEFAULT_STARS]}
    graph = _graph(path, film, cast, crew, stars, _similar_from_next(titles, title_id) if titles else [], kind=kind)
    graph.page_kind = kind
    graph.layout = _layout(next_data, titles)
    graph.incomplete_counts = counts
    # Read from JSON-LD alone: the browser stopped saving before the page's
    # end, so what is missing is no sign that IMDb dropped it.
    graph.whole = next_problem is None
    return graph


def looks_like_imdb_html(head) -> bool:
    """True when ``head`` (the first bytes of a file) looks like a saved IMDb page.

    Cheap and permissive, for choosing a loader: HTML markup plus an IMDb
    marker (``imdb.com``, ``imdb:pageType`` meta tags, an IMDb ``<title>``).
    It is also True for IMDb pages that :func:`read_imdb_html` then refuses
    with a precise message (sub-pages such as ``/keywords``, name pages), and
    False for text copied from a page (no markup) and for binary data.

    Parameters
    ----------
    head : bytes or str
        The start of the file; a few kilobytes are enough.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_like_imdb_html(b'<!DOCTYPE html><html><head><link rel="canonical" href="https://www.imdb.com/title/tt1334260/"/>')
    True
    >>> looks_like_imdb_html("Never Let Me Go (2010) - IMDb\\nhttps://www.imdb.com/title/tt1334260/")
    False
    """
    if isinstance(head, (bytes, bytearray)):
        if b"\x00" in head:  # binary (or UTF-16, which the reader refuses as well)
            return False
        text = bytes(head).decode("utf-8", "ignore")
    elif isinstance(head, str):
        text = head
    else:
        return False
    return bool(_HTML_TAG.search(text) and _IMDB_MARK.search(text))
