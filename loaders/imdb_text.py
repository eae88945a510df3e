"""IMDb title pages as copied from a browser: the visible text, select-all and copy.

Such a copy keeps the page's words but loses most of its structure: a link list
comes out run together ("DramaRomanceSci-Fi", "dystopiaamputationclone"), a cast
entry runs the name, the character and "as character" together ("Keira
Knightley Ruthas Ruth"), and names follow names with nothing between them.  This
module reads it back section by section, using what each section repeats or
marks to find the boundaries; the saved HTML of a page (:mod:`reelgraph.loaders.imdb_html`)
carries exact ids and lists and is preferable when a user has it.

The expected shape is the one of ``never-let-me-go.imdb.txt`` in the bundled
sample: a first line ``Title (Year) - IMDb``, the page's address, then the text.

The graph has ``page_kind`` ``"main"`` and ``whole`` (the copy reaches IMDb's
closing copyright line), read by :func:`reelgraph.loaders.source_key` and
:func:`reelgraph.loaders.poorer_copy`: a copied page is a source of its own
beside the saved HTML of the same page, and a copy cut short never replaces
a richer copy.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import wordninja  # splits run-together keywords; small, offline, no dependencies

from reelgraph.errors import InputError
from reelgraph.model import MORE_LIKE_THIS, FilmGraph, film_key, person_key
from reelgraph.loaders._page_checks import page_graph
from reelgraph.loaders._text import read_text_file

__all__ = ["read_imdb_text", "parse_imdb_text", "looks_like_imdb_text", "IMDB_GENRES"]

SOURCE = "imdb-text"

#: IMDb's genre names, to split a run-together genre list.
IMDB_GENRES = (
    "Action", "Adult", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary", "Drama",
    "Family", "Fantasy", "Film-Noir", "Game-Show", "History", "Horror", "Music", "Musical", "Mystery",
    "News", "Reality-TV", "Romance", "Sci-Fi", "Short", "Sport", "Talk-Show", "Thriller", "War", "Western",
)

# Page types that share the "Title (Year) - IMDb" line but are not the title page itself.
_OTHER_PAGES = {
    "keywords": "keywords", "plot keywords": "keywords", "episode list": "episodes", "episodes": "episodes",
    "full cast & crew": "full cast", "reviews": "reviews", "user reviews": "reviews", "trivia": "trivia",
    "quotes": "quotes", "release info": "release info", "parents guide": "parents guide",
    "filming & production": "filming locations", "company credits": "company credits", "awards": "awards",
    "technical specifications": "technical specs", "plot": "plot summary", "plot summary": "plot summary",
    "reference view": "reference", "reference": "reference",
}
_OTHER_PATHS = ("keywords", "episodes", "fullcredits", "reviews", "trivia", "quotes", "releaseinfo",
                "parentalguide", "locations", "companycredits", "awards", "technical", "plotsummary", "reference")
#: Sub-pages whose saved HTML reelgraph reads (their data is in the page's JSON), by the names above.
#: Their copied text is refused all the same: it runs names, characters, jobs and category headings
#: together with nothing (no IMDb ids, no totals) to tell them apart reliably.
_HTML_SUB_PAGES = {"full cast": "/fullcredits", "fullcredits": "/fullcredits", "keywords": "/keywords",
                   "reference": "/reference"}

#: Headings of the credit lists of a ``/reference`` and a ``/fullcredits`` page (the main page shows
#: "Top cast", "Director", "Writers", "Stars" instead): how their copied text is known when its first
#: line is the plain "Title (Year) - IMDb" and the copy has no address.
_CREDIT_LIST_HEADINGS = ("Cast (in credits order)", "Directed by", "Writing Credits", "Produced by", "Music by",
                         "Cinematography by", "Film Editing by", "Casting By", "Production Design by",
                         "Costume Design by", "Series Cast")
_MAIN_PAGE_HEADING = re.compile(r"\bTop cast\b", re.IGNORECASE)
_FULL_CREDITS_HEADING = re.compile(r"\bFull cast (?:&|and) crew\b", re.IGNORECASE)

_HEAD_LINE = re.compile(r"^(?P<title>.+?) \((?:(?P<kind>[A-Za-z][A-Za-z ]*?) )?(?P<year>\d{4})(?:[–-](?P<end>\d{4})?)?\)(?: - (?P<page>[^-]+?))? - IMDb\s*$")
_TITLE_URL = re.compile(r"imdb\.com/title/(tt\d{7,})(?:/(?P<rest>[a-z]+))?")
_RATING = re.compile(r"IMDb RATING (?P<rating>\d{1,2}(?:\.\d)?)/10 (?P<votes>[\d.,]+[KM]?)")
_POPULARITY = re.compile(r"POPULARITY (?P<rank>[\d,]+)")
_CAST_ENTRY = re.compile(
    r"(?P<name>\S+(?: \S+){0,5}?) (?P<character>.+?)as (?P=character)"
    r"(?: \d+ episodes?(?: \d{4}(?:[–-]\d{4})?)?)?(?= |$)"
)
_WRITER_WITH_JOB = re.compile(r"\s*(?P<name>[^()]+?)\s*\((?P<job>[^()]+)\)")
_MONEY = re.compile(r"(?P<currency>[$£€¥₹]|[A-Z]{3}\s?)(?P<amount>[\d,]+)")
#: The last words of every IMDb page ("© 1990-2021 by IMDb.com, Inc."): a copy that has them is whole.
_PAGE_END = re.compile(r"©\s*\d{4}\s*[-–]\s*\d{4}\s+by\s+IMDb\.com", re.IGNORECASE)
_CURRENCIES = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}

# Words that end a production company's name, to split a run-together list.
_COMPANY_ENDINGS = {
    "Films", "Film", "Pictures", "Productions", "Production", "Entertainment", "Studios", "Studio", "Company",
    "Media", "Features", "Group", "Ltd.", "Ltd", "Inc.", "Inc", "LLC", "Corporation", "Fund", "Television",
    "TV", "Releasing", "Distribution", "Animation", "Partners", "Capital", "Ventures", "Cinema", "International",
    "Filmproduktion", "Works", "Industries", "Foundation", "Institute", "Limited", "Co.", "Filmes", "Fiction",
}

# Labels of the Details and Storyline sections, in the order IMDb shows them.
_DETAIL_LABELS = (
    "Release date", "Countries of origin", "Country of origin", "Official sites", "Official site", "Languages",
    "Language", "Also known as", "Filming locations", "Production companies", "Production company",
    "See more company credits at IMDbPro", "Box office",
)
_STORYLINE_LABELS = ("Plot summary", "Plot synopsis", "Taglines", "Tagline", "Genres", "Genre",
                     "Motion Picture Rating (MPAA)", "Certificate", "Parents guide", "Did you know")
# Multi-word values of the Details lists that plain space-splitting would break.
_MULTIWORD_PLACES = ("United Kingdom", "United States", "United Arab Emirates", "New Zealand", "South Africa",
                     "South Korea", "North Korea", "Czech Republic", "Hong Kong", "Soviet Union", "West Germany",
                     "East Germany", "Saudi Arabia", "Sri Lanka", "Costa Rica", "Puerto Rico", "Dominican Republic",
                     "Bosnia and Herzegovina", "Federal Republic of Yugoslavia", "Ivory Coast")
_MULTIWORD_LANGUAGES = ("American Sign Language", "British Sign Language", "Sign Languages", "Scottish Gaelic",
                        "Haitian Creole", "Swiss German", "Old English", "Min Nan", "Ancient (to 1453)")


def looks_like_imdb_text(head: bytes | str) -> bool:
    """True when the start of a file looks like a copied IMDb page."""
    if isinstance(head, bytes):
        head = head.decode("utf-8", "ignore")
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first.endswith("- IMDb") or "IMDb RATING" in head


def read_imdb_text(path) -> FilmGraph:
    """Read the copied text of an IMDb title page into the canonical tables.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.txt`` file holding the page as copied from a browser.

    Returns
    -------
    FilmGraph
        The page's film, its people and credits, and one ``similar`` row (and
        a stub film) for each "More like this" entry.

    Raises
    ------
    InputError
        When the file is missing, empty, binary, not UTF-8, not an IMDb title
        page, or a title page without its cast; the copied text of a
        ``/reference``, ``/fullcredits`` or ``/keywords`` page (named by its
        first line or its address) is refused with a line saying to save
        that page as HTML instead.

    Examples
    --------
    >>> from reelgraph.loaders.sample import SAMPLE_DIR
    >>> g = read_imdb_text(SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt")
    >>> film = g.to_records()["films"][0]
    >>> [film[k] for k in ("id", "title", "year", "rating", "votes")]
    ['tt1334260', 'Never Let Me Go', 2010, 7.1, 141000]
    """
    return parse_imdb_text(read_text_file(path), path)


def parse_imdb_text(text: str, path="<text>") -> FilmGraph:
    """Parse copied page text; ``path`` only names the source in errors."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = _HEAD_LINE.match(lines[0]) if lines else None
    url = next((m for m in map(_TITLE_URL.search, lines[:3]) if m), None)
    if head is None and url is None:
        raise InputError(path, "not a copied IMDb title page (no 'Title (Year) - IMDb' line or title address)")
    page = (head.group("page") or "").strip().lower() if head else ""
    if page in _OTHER_PAGES or (url and url.group("rest") in _OTHER_PATHS):
        kind = _OTHER_PAGES.get(page) or url.group("rest")
        if kind in _HTML_SUB_PAGES:
            raise _copied_sub_page(path, _HTML_SUB_PAGES[kind])
        raise InputError(path, f"an IMDb {kind} page, not a title page: copy the film's main page")
    if head is None:  # the address alone: no title to name the film by
        raise InputError(path, "no 'Title (Year) - IMDb' line at the top: the copy lacks its first line; copy the whole page")
    body = " ".join(lines[1:])
    sub_page = _credit_list_page(body)
    if sub_page:
        raise _copied_sub_page(path, sub_page)
    film = _parse_film(body, head, url)
    cast = _parse_cast(body)
    if not cast:
        raise InputError(path, "no cast found: the copy is cut short or is not a title page")
    people, credits = _credits(body, film["id"], cast)
    more_like_this = _parse_more_like_this(body, film["title"])
    stubs = [
        {"id": key, "title": title, "rating": rating, "stub": True, "source": SOURCE}
        for key, title, rating in more_like_this
    ]
    similar = [
        {"film_id": film["id"], "similar_id": key, "rank": rank, "source": MORE_LIKE_THIS}
        for rank, (key, _, _) in enumerate(more_like_this, start=1)
    ]
    graph = page_graph(path, films=[film, *stubs], people=people, credits=credits, similar=similar)
    graph.page_kind = "main"  # the text reader reads main pages only (the others are refused above)
    graph.layout = "copied text"
    # IMDb's copyright line closes every page: a copy without it was cut
    # short, and what it lacks is no sign that IMDb dropped it.
    graph.whole = bool(_PAGE_END.search(body))
    return graph


def _copied_sub_page(path, page: str) -> InputError:
    return InputError(path, f"copied text of an IMDb {page} page, which cannot be read reliably (names, characters "
                            "and jobs run together): save that page as HTML instead (Save page as..., .html)")


def _credit_list_page(body: str) -> str | None:
    """``"/reference"`` or ``"/fullcredits"`` when copied text is one of those pages by its content, else None.

    Their first line can be the main page's plain "Title (Year) - IMDb",
    and a copy may lack the address: what tells them apart is the credit
    list headings (three or more of :data:`_CREDIT_LIST_HEADINGS`) where a
    main page has "Top cast".  A full credits page names itself "Full
    cast & crew".

    Examples
    --------
    >>> _credit_list_page("Cast (in credits order) Keanu Reeves ... Neo Directed by Lana Wachowski Writing Credits")
    '/reference'
    >>> _credit_list_page("Top cast Keanu Reeves Neo Directed by Lana Wachowski Writing Credits Produced by")
    """
    if _MAIN_PAGE_HEADING.search(body):
        return None
    if sum(heading in body for heading in _CREDIT_LIST_HEADINGS) < 3:
        return None
    return "/fullcredits" if _FULL_CREDITS_HEADING.search(body) else "/reference"


# -- sections ---------------------------------------------------------------------


def _between(text: str, start: str, ends, from_index=0) -> str | None:
    """The text after ``start`` up to the nearest of ``ends`` (None if ``start`` is absent)."""
    i = text.find(start, from_index)
    if i < 0:
        return None
    i += len(start)
    stops = [j for j in (text.find(end, i) for end in ends) if j >= 0]
    return text[i : min(stops)].strip() if stops else text[i:].strip()


def _labelled(section: str, labels) -> dict[str, str]:
    """Split ``section`` at each known label: {label: text up to the next label}."""
    pattern = re.compile(r"(?:^| )(" + "|".join(map(re.escape, labels)) + r")(?= |$)")
    found = list(pattern.finditer(section))
    out = {}
    for this, following in zip(found, found[1:] + [None]):
        end = following.start() if following else len(section)
        out.setdefault(this.group(1), section[this.end() : end].strip())
    return out


def _count(text: str) -> int | None:
    """'141K' -> 141000, '1.2M' -> 1200000, '2,345' -> 2345."""
    text = text.replace(",", "")
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    try:
        return round(float(text.rstrip("KM")) * scale)
    except ValueError:  # "1.2.3K": no count
        return None


def _runtime_minutes(text: str) -> int | None:
    m = re.search(r"(?:(\d+) ?h(?:ours?)?)?\s*(?:(\d+) ?m(?:in(?:utes?)?)?)?", text)
    if not m or not (m.group(1) or m.group(2)):
        return None
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def _money(text: str | None):
    m = _MONEY.search(text or "")
    if not m:
        return None, None
    symbol = m.group("currency").strip()
    return int(m.group("amount").replace(",", "")), _CURRENCIES.get(symbol, symbol)


def _split_run_together(text: str, vocabulary) -> list[str]:
    """Split 'DramaRomanceSci-Fi' by a vocabulary, longest name first."""
    names = sorted(vocabulary, key=len, reverse=True)
    out, i = [], 0
    text = text.replace(" ", "")
    while i < len(text):
        name = next((n for n in names if text.startswith(n, i)), None)
        if name is None:
            return out
        out.append(name)
        i += len(name)
    return out


def _split_phrases(text: str, multiword) -> list[str]:
    """Split a space-run list of places or languages, keeping known multi-word names whole."""
    out, rest = [], text.strip()
    while rest:
        name = next((n for n in multiword if rest == n or rest.startswith(n + " ")), None)
        name = name or rest.split(" ", 1)[0]
        out.append(name)
        rest = rest[len(name) :].strip()
    return out


def _split_companies(text: str) -> list[str]:
    """Split 'DNA Films Film4 Searchlight Films' after the words that end company names.

    A copied page loses the separators between links, so this is a heuristic:
    a name ends at a word such as Films or Pictures, or at a word with a digit
    in it (Film4, Canal+ ...).
    """
    out, current = [], []
    for word in text.split():
        current.append(word)
        if word in _COMPANY_ENDINGS or re.search(r"\d|\+$", word):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def _split_keywords(text: str) -> tuple[list[str], int | None]:
    """'dystopiaamputationclone...human cloning117 more' -> keywords and the total count.

    Words inside one keyword keep their spaces in a copy, while keywords are
    glued together, so every split that ``wordninja`` finds inside a
    space-separated token is a boundary between keywords.
    """
    more = re.search(r"(\d+) more$", text)
    shown_text = text[: more.start()].strip() if more else text
    keywords, current = [], []
    for token in shown_text.split():
        parts = wordninja.split(token) if token.isalpha() and token.islower() else [token]
        # wordninja drops punctuation; keep the token whole if it would change it.
        if "".join(parts) != token:
            parts = [token]
        for k, part in enumerate(parts):
            if k > 0 and current:
                keywords.append(" ".join(current))
                current = []
            current.append(part)
    if current:
        keywords.append(" ".join(current))
    total = len(keywords) + int(more.group(1)) if more else None
    return keywords, total


def _repeated_text(segment: str) -> str:
    """IMDb's copy repeats the plot (two or three times); return one copy."""
    segment = segment.strip()
    for times in (3, 2):
        size = len(segment) // times
        parts = [segment[i * size : (i + 1) * size] for i in range(times)]
        if size and len(segment) == size * times and len(set(parts)) == 1:
            return parts[0].strip()
    return segment.strip()


def _parse_film(body: str, head, url) -> dict:
    film = {"source": SOURCE, "stub": False}
    if head:
        film["title"] = head.group("title")
        film["year"] = int(head.group("year"))
        kind = (head.group("kind") or "").lower()
        film["title_type"] = {"tv series": "tvSeries", "tv mini series": "tvMiniSeries", "tv movie": "tvMovie",
                              "video": "video", "tv episode": "tvEpisode", "short": "short"}.get(kind, "movie")
    if url:
        film["id"] = url.group(1)
    else:
        film["id"] = film_key(film["title"], film.get("year"))

    rating = _RATING.search(body)
    if rating:
        film["rating"] = float(rating.group("rating"))
        film["votes"] = _count(rating.group("votes"))
    popularity = _POPULARITY.search(body)
    if popularity:
        film["popularity"] = int(popularity.group("rank").replace(",", ""))
    metascore = re.search(r"(\d{1,3}) ?Metascore", body)
    if metascore:
        film["metascore"] = int(metascore.group(1))

    # The header: "<title> <year><year> <cert><cert> 1h 43m IMDb RATING" (links copied twice).
    header_end = body.find("IMDb RATING")
    header = body[:header_end] if header_end >= 0 else ""
    m = re.search(r"(\d{4})\1(?:[–-]\d{0,4}){0,2} (?:(?P<cert>[^ ]+?)(?P=cert) )?(?P<runtime>(?:\d+h ?)?(?:\d+m)?)\s*$", header)
    if m:
        if m.group("cert"):
            film["certificate"] = m.group("cert")
        film["runtime_minutes"] = _runtime_minutes(m.group("runtime"))

    # Genres run together between the photo count and the plot.
    genres_match = re.search(r"Photos ((?:" + "|".join(map(re.escape, IMDB_GENRES)) + r")+) ", body)
    plot_start = None
    if genres_match:
        film["genres"] = _split_run_together(genres_match.group(1), IMDB_GENRES)
        plot_start = genres_match.end()
    if plot_start is not None and header_end >= 0:
        plot_end = body.find("IMDb RATING", plot_start)
        if plot_end > plot_start:
            film["plot"] = _repeated_text(body[plot_start:plot_end])

    storyline = _between(body, "Storyline Edit ", ("Did you know", "User reviews", "Details Edit")) or _between(
        body, "Storyline ", ("Did you know", "User reviews", "Details"))
    if storyline:
        _parse_storyline(storyline, film)

    details = _between(body, "Details Edit ", ("Box office", "Technical specs", "Related news")) or ""
    fields = _labelled(details, _DETAIL_LABELS)
    release = fields.get("Release date")
    if release:
        rm = re.match(r"(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})(?: \((?P<country>[^)]+)\))?", release)
        if rm:
            try:
                film["release_date"] = datetime.strptime(rm.group("date"), "%B %d, %Y").date().isoformat()
            except ValueError:  # no such date ("February 30, 2010"): left out
                pass
            film["release_country"] = rm.group("country")
    for label in ("Countries of origin", "Country of origin"):
        if label in fields:
            film["countries"] = _split_phrases(fields[label], _MULTIWORD_PLACES)
    for label in ("Languages", "Language"):
        if label in fields:
            film["languages"] = _split_phrases(fields[label], _MULTIWORD_LANGUAGES)
    if "Also known as" in fields:
        film["also_known_as"] = [fields["Also known as"]]
    if "Filming locations" in fields:
        # The title page shows one location; its commas are part of it.
        film["filming_locations"] = [fields["Filming locations"]]
    for label in ("Production companies", "Production company"):
        if label in fields:
            film["companies"] = _split_companies(fields[label])

    box_office = _between(body, "Box office Edit ", ("See detailed box office", "Technical specs")) or ""
    film["budget"], film["budget_currency"] = _money(_between(box_office, "Budget ", ("Gross", "Opening")))
    film["gross_worldwide"], film["gross_currency"] = _money(_between(box_office, "Gross worldwide ", ("See",)))

    specs = _between(body, "Technical specs Edit ", ("Related news", "Contribute to this page")) or ""
    runtime = _between(specs, "Runtime ", ("Color", "Sound mix", "Aspect ratio"))
    if runtime and _runtime_minutes(runtime):
        film["runtime_minutes"] = _runtime_minutes(runtime)
    return film


def _parse_storyline(storyline: str, film: dict) -> None:
    # "<summary> —<author> <keywords>NNN more Plot summary ... Taglines ... Genres ..."
    first_label = re.search(r" (?:" + "|".join(map(re.escape, _STORYLINE_LABELS)) + r")(?= |$)", storyline)
    lead = storyline[: first_label.start()] if first_label else storyline
    author = re.search(r" —[^—]*?(?= [a-z0-9]| \d|$)", lead)
    summary_end = author.start() if author else None
    if author:
        # Keywords follow the author's name; they are all lower case.
        rest = lead[author.end() :].strip()
        film["storyline"] = lead[:summary_end].strip()
        if rest:
            film["keywords"], film["keywords_total"] = _split_keywords(rest)
    fields = _labelled(storyline, _STORYLINE_LABELS)
    for label in ("Taglines", "Tagline"):
        if label in fields:
            film["tagline"] = fields[label]
    for label in ("Genres", "Genre"):
        if label in fields:
            # The storyline lists every genre; the header shows only the first three.
            genres = [g for g in fields[label].split() if g in IMDB_GENRES]
            film["genres"] = list(dict.fromkeys(film.get("genres", []) + genres))
    rating = fields.get("Motion Picture Rating (MPAA)") or fields.get("Certificate")
    if rating:
        cert = re.match(r"Rated (\S+)", rating)
        if cert:
            film["certificate"] = cert.group(1)


def _parse_cast(body: str) -> list[tuple[str, list[str]]]:
    section = _between(body, "Top cast Edit ", (" Director ", " Directors ", " Creator", " All cast & crew")) or _between(
        body, "Top cast ", (" Director ", " Directors ", " Creator", " All cast & crew"))
    if not section:
        return []
    cast, i = [], 0
    while i < len(section):
        m = _CAST_ENTRY.match(section, i)
        if not m:
            break
        cast.append((m.group("name"), [c.strip() for c in m.group("character").split(" / ") if c.strip()]))
        i = m.end() + 1
    return cast


def _split_names(text: str, known: list[str]) -> list[str]:
    """Split names that follow one another with nothing between them.

    Names already known from the cast are matched first; what is left is
    taken two words at a time (a copy cannot tell more).
    """
    out, rest = [], text.strip()
    known = sorted(set(known), key=len, reverse=True)
    while rest:
        name = next((n for n in known if rest == n or rest.startswith(n + " ")), None)
        if name is None:
            words = rest.split()
            name = rest if len(words) <= 3 else " ".join(words[:2])
        out.append(name)
        rest = rest[len(name) :].strip()
    return out


def _principal_block(body: str) -> dict[str, str]:
    """The Director(s) / Writer(s) / Star(s) block under "Top credits" (or the first one)."""
    start = body.find("Top credits ")
    start = start + len("Top credits ") if start >= 0 else max(body.find("Director"), 0)
    end_marks = [j for j in (body.find(m, start) for m in (" See production", " Top credits", " See more at IMDbPro",
                                                              " User reviews", " Videos")) if j >= 0]
    block = body[start : min(end_marks)] if end_marks else body[start:]
    return _labelled(block, ("Directors", "Director", "Creators", "Creator", "Writers", "Writer", "Stars", "Star"))


def _credits(body: str, film_id: str, cast) -> tuple[list[dict], list[dict]]:
    people: dict[str, dict] = {}
    credits = []

    def person(name):
        key = person_key(name)
        people.setdefault(key, {"id": key, "name": name, "source": SOURCE})
        return key

    block = _principal_block(body)
    cast_names = [name for name, _ in cast]
    stars = set(_split_names(block.get("Stars") or block.get("Star") or "", cast_names))
    for billing, (name, characters) in enumerate(cast, start=1):
        credits.append({"person_id": person(name), "film_id": film_id, "role": "actor", "characters": characters,
                        "billing": billing, "star": name in stars, "source": SOURCE})
    for role, labels in (("director", ("Directors", "Director")), ("creator", ("Creators", "Creator"))):
        text = next((block[label] for label in labels if label in block), "")
        for billing, name in enumerate(_split_names(text, cast_names), start=1):
            credits.append({"person_id": person(name), "film_id": film_id, "role": role, "billing": billing,
                            "star": False, "source": SOURCE})
    writers = block.get("Writers") or block.get("Writer") or ""
    with_jobs = [(m.group("name"), m.group("job")) for m in _WRITER_WITH_JOB.finditer(writers)]
    leftover = _WRITER_WITH_JOB.sub(" ", writers).strip()
    entries = with_jobs + [(name, None) for name in _split_names(leftover, cast_names)]
    for billing, (name, job) in enumerate(entries, start=1):
        credits.append({"person_id": person(name), "film_id": film_id, "role": "writer", "job": job,
                        "billing": billing, "star": False, "source": SOURCE})
    return list(people.values()), credits


def _parse_more_like_this(body: str, own_title: str) -> list[tuple[str, str, float | None]]:
    """The "More like this" entries as (key, title, rating), in page order.

    An entry without a rating runs into the title before it ("The Tesseract
    Never Let Me Go").  The one case a copy lets us split is a title equal to
    the page's own: IMDb never lists a film as like itself, so such an entry is
    another work of the same name, kept as an unrated stub of its own (its key
    is the title's, which the merge never resolves to the page's film).
    """
    section = _between(body, "More like this ", (" Storyline", " Did you know", " Details", " User reviews"))
    if not section:
        return []
    entries = []
    # "7.3 An Education 7.2 Shame ...": split at the ratings, keeping them.
    pieces = re.split(r"(?:^| )(\d{1,2}\.\d) ", section)
    leading = [(None, pieces[0])] if pieces[0].strip() else []
    for rating, title in leading + list(zip(pieces[1::2], pieces[2::2])):
        title = title.strip()
        rating = float(rating) if rating else None
        if not title:
            continue
        if own_title and title.endswith(" " + own_title) and title != own_title:
            entries.append((title[: -len(own_title) - 1], rating))
            entries.append((own_title, None))
        else:
            entries.append((title, rating))
    return [(film_key(title), title, rating) for title, rating in entries]
