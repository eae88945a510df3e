"""Loaders: every source format becomes the canonical tables of :mod:`reelgraph.model`.

One module per format:

* :mod:`reelgraph.loaders.imdb_text`: an IMDb title page as copied from a browser (``.txt``);
* :mod:`reelgraph.loaders.imdb_html`: a saved IMDb title page (``.html``);
* :mod:`reelgraph.loaders.imdb_tsv`: a folder of IMDb's TSV datasets (``.tsv`` or ``.tsv.gz``);
* :mod:`reelgraph.loaders.tables`: a folder of canonical CSV tables (the bundled sample);
* :mod:`reelgraph.loaders.synth`: writes synthetic datasets in IMDb's format (for tests and benchmarks);
* :mod:`reelgraph.loaders.download`: fetches IMDb's dataset files.

Under them, :mod:`reelgraph.loaders.line_blocks` parses large (gzip) files of
lines block by block in threads (the engine of ``imdb_tsv``), and
``reelgraph.loaders._text`` reads a user's file as text.

:func:`read_source` detects the format of one path; :func:`read_sources` reads
several and merges them; :func:`read_partitions` keeps each source apart,
under the key that says which later source replaces it (:func:`source_key`).
All of them read everything before anything is written, so bad input never
leaves a half-loaded graph.

A bad source raises :class:`~reelgraph.errors.InputError` and nothing is
returned; with ``on_error="skip"``, :func:`read_sources` and
:func:`read_partitions` leave bad saved pages out instead and say which
(:class:`Skipped`: each page's path and what is wrong with it), so that one bad page
in a folder does not stop the others.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from reelgraph.errors import InputError
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.loaders._text import check_regular_file, sniff

__all__ = [
    "detect_format",
    "read_source",
    "read_sources",
    "read_partitions",
    "source_key",
    "copy_facts",
    "replaces_copy",
    "CopyNote",
    "Partitions",
    "Skipped",
    "PAGE_SUFFIXES",
    "INCOMPLETE_PAGE",
]

log = logging.getLogger(__name__)

#: The ``extra`` key of the INFO record :func:`read_partitions` logs for each page that lists a
#: credit category only in part: ``{"path", "film_id", "title", "page_kind", "roles": {role: [shown, total]}}``.
INCOMPLETE_PAGE = "incomplete_page"

#: File endings read as saved title pages inside a folder.
PAGE_SUFFIXES = (".txt", ".html", ".htm")


class Skipped(NamedTuple):
    """A saved page left out by ``on_error="skip"``: its path (as given, or in its folder) and why.

    ``message`` is what the :class:`~reelgraph.errors.InputError` says after
    the path: its problem, after ``line N:`` when it names a line.  So
    ``f"{path}: {message}"`` is the one line the error would have printed
    (with ``:N`` spelled ``: line N``).  A pair: ``for path, message in
    parts.skipped`` works.

    Examples
    --------
    >>> Skipped.from_error(InputError("pages/a.txt", "not UTF-8 text (invalid byte 0xff)", line=3))
    Skipped(path='pages/a.txt', message='line 3: not UTF-8 text (invalid byte 0xff)')
    """

    path: str
    message: str

    @classmethod
    def from_error(cls, error: InputError, path=None) -> Skipped:
        """The record of the page at ``path`` (default: the one ``error`` names) that raised ``error``."""
        where = f"line {error.line}: " if error.line is not None else ""
        return cls(str(path if path is not None else error.path), f"{where}{error.problem}")


class Partitions(dict):
    """Source key -> :class:`~reelgraph.model.FilmGraph`, as :func:`read_partitions` returns it.

    A plain dict plus ``skipped``: the :class:`Skipped` pages, in the order met.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.skipped: list[Skipped] = []


def detect_format(path) -> str:
    """Name the format of ``path``: ``imdb-datasets``, ``tables``, ``pages``, ``imdb-text`` or ``imdb-html``."""
    from reelgraph.loaders import tables

    path = Path(path)
    if not path.exists():
        if path.is_symlink():  # dangling, or a loop of links
            check_regular_file(path)
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        if tables.is_tables_folder(path):
            return "tables"
        from reelgraph.loaders import imdb_tsv

        if imdb_tsv.is_imdb_datasets_folder(path):
            return "imdb-datasets"
        if any(p.suffix.lower() in PAGE_SUFFIXES for p in path.iterdir() if not p.is_dir()):
            return "pages"
        raise InputError(path, "folder holds no IMDb datasets, canonical tables (films.csv) or saved pages")
    try:
        head = sniff(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    from reelgraph.loaders import imdb_html
    from reelgraph.loaders.imdb_text import looks_like_imdb_text  # imports wordninja's dictionary (50 ms): files only

    if suffix in (".html", ".htm") or imdb_html.looks_like_imdb_html(head):
        return "imdb-html"
    if suffix == ".txt" or looks_like_imdb_text(head):
        return "imdb-text"
    if not head.strip():
        raise InputError(path, "empty file")
    raise InputError(path, "unknown format: expected a saved IMDb page (.txt, .html) or a folder")


def read_source(path, **dataset_options) -> FilmGraph:
    """Read one source (file or folder) of any supported format.

    ``dataset_options`` go to :func:`reelgraph.loaders.imdb_tsv.read_imdb_datasets`
    (filters, ``on_error``, ``progress``) when ``path`` is a datasets folder.
    Any bad page raises, in a folder too: :func:`read_partitions` and
    :func:`read_sources` can skip bad pages instead.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "pages":
        return merge_graphs(*(read_source(p) for p in _page_files(path)))
    on_error = dataset_options.pop("on_error", "raise")
    return _read_kind(path, kind, on_error, dataset_options)


def read_sources(paths, *, on_error: str = "raise", **dataset_options) -> FilmGraph:
    """Read every source in ``paths`` and merge them into one graph.

    ``on_error`` is that of :func:`read_partitions`: with ``"skip"`` a bad
    saved page is left out and listed in the merged graph's ``skipped``
    attribute (a list of :class:`Skipped`, empty when nothing was skipped).
    ``graph.reports`` lists what the datasets loader reported.

    Examples
    --------
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> graph = read_sources(SAMPLE_SOURCES)
    >>> films = graph.films.set_index("id")
    >>> float(films.loc["tt1334260", "rating"]), int(films.loc["tt1229822", "year"]), graph.skipped
    (7.1, 2011, [])
    """
    read, skipped = _read_all(paths, on_error, dataset_options)
    # Merged as before there was skipping: a folder of pages first on its own, then with the other sources.
    graphs = [merge_graphs(*(graph for _, _, graph in files)) if kind == "pages" else files[0][2]
              for _, kind, files in read if files]
    merged = merge_graphs(*graphs)
    # What the datasets loader reports (rows read, skipped, dangling people) outlives the merge.
    merged.reports = [g.report for g in graphs if getattr(g, "report", None) is not None]
    merged.skipped = skipped
    return merged


def source_key(kind: str, path, graph: FilmGraph) -> str:
    """The key under which the store keeps a source; a later source with the same key replaces it.

    IMDb's datasets are one source wherever a copy lives (a newer copy
    replaces the older); a saved page is its film's page of its kind (a
    newer save of the same film's same page replaces the older, while its
    main page, ``/reference``, ``/fullcredits`` and ``/keywords`` pages are
    kept side by side, so a sub-page never replaces the main page's facts);
    a folder of tables is itself.

    A page copied as text (``page:tt...:text``) is a source of its own
    beside the saved HTML of the same page: the text has names only, the
    HTML IMDb's ids and exact lists, and either may hold what the other
    lacks (a copy from another day), so neither replaces the other and the
    merge matches the text's names to the HTML's ids.  Between copies of
    one kind, :func:`replaces_copy` keeps a cut-short copy from replacing a
    richer one.

    Examples
    --------
    >>> from reelgraph.model import FilmGraph
    >>> page = FilmGraph.from_records(films=[{"id": "tt1334260", "title": "Never Let Me Go"}])
    >>> source_key("imdb-html", "a.html", page)
    'page:tt1334260'
    >>> source_key("imdb-text", "a.txt", page)
    'page:tt1334260:text'
    >>> page.page_kind = "fullcredits"
    >>> source_key("imdb-html", "b.html", page)
    'page:tt1334260:fullcredits'
    """
    if kind == "imdb-datasets":
        return "imdb-datasets"
    if kind in ("imdb-text", "imdb-html"):
        films = graph.films[~graph.films["stub"].fillna(False).astype(bool)]
        key = f"page:{films['id'].iloc[0]}" if len(films) else f"page:{Path(path).resolve()}"
        page_kind = getattr(graph, "page_kind", "main")  # set by the readers
        key = key if page_kind == "main" else f"{key}:{page_kind}"
        return f"{key}:text" if kind == "imdb-text" else key
    return f"{kind}:{Path(path).resolve()}"


#: What :func:`copy_facts` counts, in the order messages name them.
COPY_FACTS = ("credits", "IMDb person ids", "links", "keywords")


def copy_facts(graph: FilmGraph) -> dict[str, int]:
    """What a copy of a page gives its own film(s), the measure of a richer copy.

    The page's films are its rows that are no stub ("More like this" titles
    are); counted for them: ``credits``, the credits whose person has an
    IMDb id (``IMDb person ids``), "More like this" ``links`` and
    ``keywords``.  One copy is poorer than another when any count is lower:
    a sum would let more keywords hide lost credits.

    Examples
    --------
    >>> page = FilmGraph.from_records(films=[{"id": "tt1334260", "title": "Never Let Me Go", "keywords": ["clone"]}],
    ...     credits=[{"person_id": "nm0461136", "film_id": "tt1334260", "role": "actor"},
    ...              {"person_id": "name:sally-hawkins", "film_id": "tt1334260", "role": "actor"}])
    >>> copy_facts(page)
    {'credits': 2, 'IMDb person ids': 1, 'links': 0, 'keywords': 1}
    """
    from reelgraph.model import is_imdb_person_id

    films = graph.films[~graph.films["stub"].fillna(False).astype(bool)]
    own = set(films["id"])
    credits = graph.credits[graph.credits["film_id"].isin(own)]
    return {"credits": len(credits),
            "IMDb person ids": int(sum(map(is_imdb_person_id, credits["person_id"]))),
            "links": int(graph.similar["film_id"].isin(own).sum()),
            "keywords": int(sum(len(k) for k in films["keywords"]))}


class CopyNote(str):
    """The one line :func:`replaces_copy` says about a poorer copy, with what it says as values.

    A ``str`` (the line itself, which the store logs as it is), plus
    ``name`` (the copy), ``kept_out`` (True: the copy was refused and the
    stored one kept; False: it replaced the stored one) and ``fewer``
    (fact -> ``(this copy, the stored copy)``, the facts of
    :data:`COPY_FACTS` it has fewer of), so that ``reelgraph load --json``
    reports them without reading the line.

    Examples
    --------
    >>> note = CopyNote("a.html: ...", name="a.html", kept_out=True, fewer={"credits": (0, 1)})
    >>> note, note.kept_out, note.fewer
    ('a.html: ...', True, {'credits': (0, 1)})
    """

    name: str
    kept_out: bool
    fewer: dict

    def __new__(cls, line: str, *, name: str, kept_out: bool, fewer: dict):
        note = super().__new__(cls, line)
        note.name, note.kept_out, note.fewer = name, kept_out, dict(fewer)
        return note

    def to_dict(self) -> dict:
        """JSON-ready: ``{"source", "message", "fewer": {fact: [this copy, stored copy]}}``."""
        return {"source": self.name, "message": str(self),
                "fewer": {fact: list(counts) for fact, counts in self.fewer.items()}}


def replaces_copy(name: str, new: FilmGraph, old: FilmGraph) -> tuple[bool, CopyNote | None]:
    """Whether the new copy of a page replaces the stored copy with the same :func:`source_key`, and what to say.

    A newer save of a page replaces the older (refresh), unless it is
    poorer (:func:`copy_facts`: any count lower) *and* cut short by its own
    signs (``new.whole`` False: a saved page read from JSON-LD alone, a
    copied page without IMDb's closing line).  A cut copy is then kept out
    and the stored one kept: losing data to a browser that stopped saving
    is never silent.  A poorer copy that is whole replaces the older one
    (IMDb removed a credit), and the loss is said too.  A graph no page
    reader made (no ``whole``) counts as whole.

    Parameters
    ----------
    name : str
        What the message calls the new copy (its file, its source key).
    new, old : FilmGraph
        The new copy and the stored one.

    Returns
    -------
    (bool, CopyNote or None)
        Replace or not, and the one line for the user (None when the new
        copy is at least as rich): a :class:`CopyNote`, a ``str`` that
        also holds what it says.

    Examples
    --------
    >>> old = FilmGraph.from_records(films=[{"id": "tt1", "title": "A"}],
    ...     credits=[{"person_id": "nm0000001", "film_id": "tt1", "role": "actor"}])
    >>> cut = FilmGraph.from_records(films=[{"id": "tt1", "title": "A"}])
    >>> cut.whole = False
    >>> print(replaces_copy("a.html", cut, old)[1])
    a.html: not loaded, the stored copy is kept: this one is cut short and poorer (credits 0 against 1, IMDb person ids 0 against 1)
    >>> cut.whole = True
    >>> replaces_copy("a.html", cut, old)[0]
    True
    """
    now, before = copy_facts(new), copy_facts(old)
    fewer = [fact for fact in COPY_FACTS if now[fact] < before[fact]]
    if not fewer:
        return True, None
    counts = ", ".join(f"{fact} {now[fact]} against {before[fact]}" for fact in fewer)
    lost = {fact: (now[fact], before[fact]) for fact in fewer}
    if getattr(new, "whole", True):
        return True, CopyNote(f"{name}: replaces the stored copy with fewer facts ({counts}): it is whole, "
                              "so IMDb no longer lists them", name=name, kept_out=False, fewer=lost)
    return False, CopyNote(f"{name}: not loaded, the stored copy is kept: this one is cut short and poorer ({counts})",
                           name=name, kept_out=True, fewer=lost)


def read_partitions(paths, *, on_error: str = "raise", **dataset_options) -> tuple[Partitions, dict[str, list[str]]]:
    """Read every source in ``paths``, each kept apart under its :func:`source_key`.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Saved pages (``.txt``, ``.html``), folders of them, a folder of
        IMDb's datasets, folders of canonical tables.
    on_error : {"raise", "skip"}
        ``"raise"`` (the default): the first bad source raises and nothing
        is returned (all or nothing).  ``"skip"``: a saved page that raises
        :class:`~reelgraph.errors.InputError` (missing, empty, binary, not
        UTF-8, truncated, not a title page, ...) is left out and recorded in
        ``parts.skipped``; that is each page file in a folder of pages, each
        file named directly in ``paths``, and a missing path named like a
        page (``.txt``, ``.html``, ``.htm``).  A folder of datasets gets
        ``on_error`` too (bad lines are skipped and counted in its report);
        anything else wrong with a folder still raises.
    **dataset_options
        Passed to :func:`reelgraph.loaders.imdb_tsv.read_imdb_datasets`
        (filters, ``progress``) for a datasets folder.  With ``tables_dir``
        (a folder), a datasets folder is read out of core instead
        (:func:`reelgraph.loaders.imdb_bulk.write_imdb_tables`): its tables
        are written as Parquet files in a new folder inside it and its part
        is a :class:`~reelgraph.store.TableFiles`, never held in memory.

    Returns
    -------
    parts : Partitions
        The graphs by source key (a dict); a folder of pages gives one key a
        page.  ``parts.skipped`` lists the :class:`Skipped` pages in the
        order met (empty with ``"raise"``).  ``graph.report`` of the
        datasets loader is kept on its graph.
    sources : dict
        Source key -> the resolved paths it was read from.

    Raises
    ------
    InputError
        A bad source with ``"raise"``; with ``"skip"``, a bad folder, or
        every source skipped (the error of the first, saying how many more).

    Examples
    --------
    A folder with a good page and an empty one:

    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from reelgraph.loaders.sample import SAMPLE_DIR
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = shutil.copy(SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt", folder / "seed.txt")
    >>> _ = (folder / "zero.html").write_bytes(b"")
    >>> parts, sources = read_partitions([folder], on_error="skip")
    >>> list(parts), [(Path(path).name, message) for path, message in parts.skipped]
    (['page:tt1334260:text'], [('zero.html', 'empty file')])
    >>> read_partitions([folder])
    Traceback (most recent call last):
    reelgraph.errors.InputError: .../zero.html: empty file
    >>> shutil.rmtree(folder)
    """
    read, skipped = _read_all(paths, on_error, dataset_options)
    parts = Partitions()
    parts.skipped = skipped
    sources: dict[str, list[str]] = {}
    for _, _, files in read:
        for file, kind, graph in files:
            _note_incomplete(file, graph)
            key = source_key(kind, file, graph)
            parts[key] = merge_graphs(_in_memory(parts[key]), _in_memory(graph)) if key in parts else graph
            if getattr(graph, "report", None) is not None:
                parts[key].report = graph.report
            sources.setdefault(key, []).append(str(file.resolve()))
    return parts, sources


def _note_incomplete(path: Path, graph) -> None:
    """Log (INFO, ``extra`` :data:`INCOMPLETE_PAGE`) a page that lists some credit category only in part.

    The page readers leave ``incomplete_counts`` (role -> ``(shown, total)``)
    on the graph; ``reelgraph load`` collects these records to say which
    pages were incomplete (the store keeps only the film's marks).
    """
    counts = getattr(graph, "incomplete_counts", None)
    if not counts:
        return
    films = graph.films[~graph.films["stub"].fillna(False).astype(bool)]
    film_id, title = (films["id"].iloc[0], films["title"].iloc[0]) if len(films) else (None, None)
    roles = {role: [int(shown), int(total)] for role, (shown, total) in counts.items()}
    note = {"path": str(path), "film_id": film_id, "title": title,
            "page_kind": getattr(graph, "page_kind", "main"), "roles": roles}
    log.info("%s: %s page of %s lists only part of: %s", path, note["page_kind"], film_id,
             ", ".join(f"{role} ({shown:,} of {total:,})" for role, (shown, total) in roles.items()),
             extra={INCOMPLETE_PAGE: note})


def _in_memory(graph) -> FilmGraph:
    """A source's graph in memory, read first if it was written to files (two dataset folders in one load)."""
    return graph.read() if hasattr(graph, "read") else graph


def _page_files(folder: Path) -> list[Path]:
    """The saved pages in ``folder``, sorted (sub-folders are not looked into).

    Anything named like a page that is no folder is one, so that a FIFO or a
    loop of symbolic links is refused by name rather than passed over.
    """
    return sorted(p for p in folder.iterdir() if not p.is_dir() and p.suffix.lower() in PAGE_SUFFIXES)


def _read_kind(path: Path, kind: str, on_error: str, dataset_options: dict) -> FilmGraph:
    """Read ``path`` (a file or a non-pages folder) whose format ``kind`` is known."""
    if kind == "imdb-datasets":
        options = dict(dataset_options)
        tables_dir = options.pop("tables_dir", None)
        if tables_dir is not None:  # out of core: the tables go to Parquet files, for the store to link in
            from reelgraph.loaders.imdb_bulk import write_imdb_tables
            from reelgraph.store import TableFiles

            out = Path(tempfile.mkdtemp(prefix="imdb-datasets-", dir=tables_dir))
            report = write_imdb_tables(path, out, on_error=on_error, fold_repeats=True, **options)
            return TableFiles(out, report=report, merged=True)
        from reelgraph.loaders.imdb_tsv import read_imdb_datasets

        return read_imdb_datasets(path, on_error=on_error, **options)
    if kind == "tables":
        from reelgraph.loaders.tables import read_tables

        return read_tables(path)
    if kind == "imdb-html":
        from reelgraph.loaders.imdb_html import read_imdb_html

        return read_imdb_html(path)
    from reelgraph.loaders.imdb_text import read_imdb_text

    return read_imdb_text(path)


def _read_all(paths, on_error: str, dataset_options: dict) -> tuple[list[tuple[Path, str, list]], list[Skipped]]:
    """Read ``paths``: ``[(path, kind, [(file, file kind, graph), ...]), ...]`` and the skipped pages.

    Nothing is skipped unless ``on_error`` is ``"skip"``; then only pages
    are (see :func:`read_partitions`), and skipping all raises the first error.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    skip = on_error == "skip"
    read = []
    skipped: list[Skipped] = []
    errors: list[InputError] = []

    def left_out(path: Path, exc: InputError):
        skipped.append(Skipped.from_error(exc, path))
        errors.append(exc)

    for path in map(Path, paths):
        try:
            kind = detect_format(path)
        except InputError as exc:
            # Named directly: a file is a page (the other formats are folders); so is a missing *.txt / *.html.
            named_page = (os.path.lexists(path) and not path.is_dir()) or (not path.exists() and path.suffix.lower() in PAGE_SUFFIXES)
            if not (skip and named_page):
                raise
            left_out(path, exc)
            continue
        if kind != "pages":
            try:
                files = [(path, kind, _read_kind(path, kind, on_error, dataset_options))]
            except InputError as exc:
                if not (skip and kind in ("imdb-text", "imdb-html")):
                    raise
                left_out(path, exc)
                continue
        else:
            files = []
            for file in _page_files(path):
                try:
                    file_kind = detect_format(file)
                    files.append((file, file_kind, _read_kind(file, file_kind, on_error, dataset_options)))
                except InputError as exc:
                    if not skip:
                        raise
                    left_out(file, exc)
        read.append((path, kind, files))
    if errors and not any(files for _, _, files in read):
        first = errors[0]
        if len(errors) == 1:
            raise first
        raise InputError(first.path, f"{first.problem} (and {len(errors) - 1} more bad pages: nothing to load)", line=first.line)
    return read, skipped
