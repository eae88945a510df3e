"""Download IMDb's dataset files (https://datasets.imdbws.com/) into a folder: resumable, verified, incremental.

:func:`download_datasets` fetches the ``*.tsv.gz`` files that
:func:`reelgraph.loaders.imdb_tsv.read_imdb_datasets` reads, so that a user gets from
nothing to ``reelgraph load DIR`` with one command.

==============  ===========================  ==========================
short name      file                         fetched by default
==============  ===========================  ==========================
``basics``      ``title.basics.tsv.gz``      yes (required by the loader)
``principals``  ``title.principals.tsv.gz``  yes (required)
``names``       ``name.basics.tsv.gz``       yes (required)
``ratings``     ``title.ratings.tsv.gz``     yes (optional for the loader)
``crew``        ``title.crew.tsv.gz``        yes (optional)
``akas``        ``title.akas.tsv.gz``        no (the loader does not read it)
``episode``     ``title.episode.tsv.gz``     no (the loader does not read it)
==============  ===========================  ==========================

``files`` takes short names, stems (``title.basics``) or file names, as a
list or a comma-separated string; ``"all"`` means all seven.

The address is :data:`DEFAULT_BASE_URL` unless ``base_url`` or the
environment variable :data:`ENV_BASE_URL` (``REELGRAPH_IMDB_BASE_URL``, for a
mirror or a proxy) names another; a file's URL is the base URL followed by
its file name.

How one file is fetched
-----------------------
1. **A ``NAME.part`` is there** (an earlier transfer broke): ask for the rest
   with ``Range: bytes=N-`` and ``If-Range`` naming the version the part
   came from (its strong ETag, else its Last-Modified).  ``206`` whose
   ``Content-Range`` starts at ``N`` is appended (status ``resumed``); ``200``
   means the server ignores ranges or the file changed, so the part is
   truncated and the whole file written again (status ``fetched``); ``416``
   (the part is as long as the file, or longer) restarts from zero too.
   A part whose version is unknown (the server sent neither ETag nor
   Last-Modified) is never resumed, since the result could splice two
   versions of the file.
2. **Else, a completed download of the file is on record** (see *State*
   below) and the file is still there with the recorded size: a conditional
   ``GET`` with ``If-None-Match`` / ``If-Modified-Since``.  ``304`` means
   ``unchanged`` and nothing is transferred.  A server that ignores the
   conditions but answers ``200`` with the same ETag (or Last-Modified and
   length) is also taken as ``unchanged``; the body is not read.
3. **Else** a plain ``GET`` (status ``fetched``).

The body is written to ``NAME.part`` in blocks of :data:`CHUNK_BYTES` with a
tqdm progress bar (bytes, rate, ETA) on stderr.  ``NAME.part`` becomes
``NAME`` (an atomic :func:`os.replace`) only when all the announced bytes
arrived (``Content-Length`` / ``Content-Range``) **and** the file is a whole,
valid gzip stream: it is decompressed to the end, in constant memory, which
checks the end-of-stream marker and the CRC-32 and length in the trailer.
So a ``NAME.tsv.gz`` in the folder is always complete, and the loader (which
never looks at ``*.part``) cannot read half a file.

State
-----
``.reelgraph-download.json`` (:data:`STATE_FILE`) next to the files remembers,
per file, the URL, ETag, Last-Modified and size of the last complete
download (``files``) and of a transfer in progress (``partial``, written
before the first byte of the body, so that even an interrupted process --
Ctrl-C, a crash -- leaves a resumable part).  It is a cache: when it is
missing or damaged the files are simply fetched again.

Errors
------
Every failure a user can meet raises :class:`DownloadError` (a
:class:`~reelgraph.errors.ReelgraphError`: the CLI prints its one-line message,
which names the URL or the file, and exits with :attr:`DownloadError.exit_code`):

* no network, a host name that does not resolve, a refused connection, a
  time-out before the answer;
* an HTTP error (``404``, ``403``, ``5xx``, ...), with its status;
* a server that sends an HTML page (or anything else that is not gzip)
  instead of the file: the ``.part`` is deleted, an earlier good file is kept;
* a download that is no valid gzip stream although all its bytes arrived:
  the ``.part`` is deleted, an earlier good file is kept;
* a full disk (``ENOSPC``) or another write error: the ``.part`` is deleted
  (it would only keep the disk full);
* a transfer cut in the middle (the connection closes or stalls before the
  announced length): :class:`DownloadIncompleteError`; the ``.part`` is kept
  and the next call resumes it.

Files are fetched one after the other, in the order given; the first error
stops the call.  Files finished before it are complete and on record (the
next call finds them ``unchanged``); ``error.report`` lists them.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import gzip
import http.client
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

from reelgraph.errors import ReelgraphError

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "STATE_FILE",
    "PART_SUFFIX",
    "DATASET_FILES",
    "DEFAULT_FILES",
    "CHUNK_BYTES",
    "DownloadError",
    "DownloadIncompleteError",
    "FileResult",
    "DownloadReport",
    "resolve_files",
    "download_datasets",
]

#: Where IMDb publishes its datasets.
DEFAULT_BASE_URL = "https://datasets.imdbws.com/"

#: Environment variable naming another base URL (a mirror, a proxy, a test server).
ENV_BASE_URL = "REELGRAPH_IMDB_BASE_URL"

#: The state file, in the destination folder (see the module docstring).
STATE_FILE = ".reelgraph-download.json"

#: A transfer in progress is written to ``NAME + PART_SUFFIX``.
PART_SUFFIX = ".part"

#: Short name -> file name, in the order the files are fetched by default.
DATASET_FILES = {
    "basics": "title.basics.tsv.gz",
    "principals": "title.principals.tsv.gz",
    "names": "name.basics.tsv.gz",
    "ratings": "title.ratings.tsv.gz",
    "crew": "title.crew.tsv.gz",
    "akas": "title.akas.tsv.gz",
    "episode": "title.episode.tsv.gz",
}

#: The files fetched when ``files`` is None: the ones :mod:`reelgraph.loaders.imdb_tsv` reads.
DEFAULT_FILES = ("basics", "principals", "names", "ratings", "crew")

#: Bytes read from the network (and decompressed when checking) at a time; a
#: module attribute so that tests can make it small.
CHUNK_BYTES = 1 << 20

_GZIP_MAGIC = b"\x1f\x8b"
_STATE_VERSION = 1
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_STATUSES = ("fetched", "resumed", "unchanged")


# -- errors -------------------------------------------------------------------


class DownloadError(ReelgraphError):
    """A dataset file could not be downloaded; the message names the URL or the file.

    Attributes
    ----------
    file : str or None
        The file name (``title.basics.tsv.gz``), when one file is at fault.
    url : str or None
        Its URL.
    report : DownloadReport or None
        The files completed before the error (set by :func:`download_datasets`).
    """

    # Not one of reelgraph.errors' codes (1-5): scripts can tell "download failed" apart.
    exit_code = 6

    def __init__(self, message: str, *, file: str | None = None, url: str | None = None):
        self.file = file
        self.url = url
        self.report = None
        super().__init__(message)


class DownloadIncompleteError(DownloadError):
    """The transfer stopped before the end; ``part`` keeps what arrived and the next call resumes it.

    Attributes
    ----------
    part : str
        The path of the kept ``NAME.part`` (it may be gone when the server gave
        no validator to resume against; ``resumable`` is then False).
    received : int
        Bytes in the part (earlier calls included).
    total : int or None
        The size of the whole file, when the server announced it.
    resumable : bool
        Whether the next call can continue the part rather than start again.
    """

    def __init__(self, message: str, *, file: str, url: str, part: Path, received: int, total: int | None, resumable: bool):
        super().__init__(message, file=file, url=url)
        self.part = os.fspath(part)
        self.received = received
        self.total = total
        self.resumable = resumable


# -- report -------------------------------------------------------------------


@dataclasses.dataclass
class FileResult:
    """What happened to one file.

    Attributes
    ----------
    name : str
        File name, e.g. ``title.basics.tsv.gz``.
    url : str
        Where it came from.
    path : str
        Where it is now.
    status : str
        ``fetched`` (transferred whole), ``resumed`` (an earlier part was
        continued) or ``unchanged`` (the server's file is the one on disk).
    bytes : int
        Bytes of the body transferred by this call (0 when ``unchanged``).
    size : int
        Size of the file on disk.
    seconds : float
        Wall time spent on the file, its gzip check included.
    """

    name: str
    url: str
    path: str
    status: str
    bytes: int
    size: int
    seconds: float


@dataclasses.dataclass
class DownloadReport:
    """What :func:`download_datasets` did, file by file (in the order fetched)."""

    dest: str
    base_url: str
    files: list = dataclasses.field(default_factory=list)  # of FileResult
    seconds: float = 0.0

    def statuses(self) -> dict:
        """File name -> ``fetched`` / ``resumed`` / ``unchanged``."""
        return {f.name: f.status for f in self.files}

    @property
    def bytes(self) -> int:
        """Bytes transferred by this call, all files together."""
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict:
        """Plain data (for ``--json``)."""
        return {
            "dest": self.dest,
            "base_url": self.base_url,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "files": [dict(dataclasses.asdict(f), seconds=round(f.seconds, 3)) for f in self.files],
        }

    def summary(self) -> str:
        """One line a file and a total, for a command line."""
        lines = []
        for f in self.files:
            if f.status == "unchanged":
                lines.append(f"{f.name}: unchanged ({_human(f.size)} on disk)")
            elif f.status == "resumed":
                lines.append(f"{f.name}: resumed, {_human(f.bytes)} more ({_human(f.size)} in all) in {f.seconds:.1f} s")
            else:
                lines.append(f"{f.name}: fetched, {_human(f.bytes)} in {f.seconds:.1f} s")
        lines.append(f"{len(self.files)} files in {self.dest}: {_human(self.bytes)} downloaded in {self.seconds:.1f} s")
        return "\n".join(lines)


def _human(n: int) -> str:
    """``1536`` -> ``1.5 KiB``; powers of 1024, as the progress bar shows them."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# -- arguments ----------------------------------------------------------------


def resolve_files(files=None) -> list[str]:
    """The file names meant by ``files``.

    Parameters
    ----------
    files : str, iterable of str or None
        Short names (``basics``, ``principals``, ``names``, ``ratings``,
        ``crew``, ``akas``, ``episode``), stems (``title.basics``) or file
        names (``title.basics.tsv.gz``), as a list or one comma-separated
        string; ``all`` stands for all seven.  None means
        :data:`DEFAULT_FILES`.

    Returns
    -------
    list of str
        File names, without duplicates, in the order given.

    Raises
    ------
    DownloadError
        An unknown name, or none at all.

    Examples
    --------
    >>> resolve_files("basics, title.ratings,name.basics.tsv.gz")
    ['title.basics.tsv.gz', 'title.ratings.tsv.gz', 'name.basics.tsv.gz']
    >>> resolve_files()[:3]
    ['title.basics.tsv.gz', 'title.principals.tsv.gz', 'name.basics.tsv.gz']
    """
    if files is None:
        items = list(DEFAULT_FILES)
    elif isinstance(files, str):
        items = files.split(",")
    else:
        items = list(files)
    lookup = {}
    for key, name in DATASET_FILES.items():
        stem = name[: -len(".tsv.gz")]
        for alias in (key, stem, name, f"{stem}.tsv"):
            lookup[alias] = name
    out = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"file names must be strings, not {type(item).__name__}")
        item = item.strip()
        if not item:
            continue
        if item.lower() == "all":
            chosen = list(DATASET_FILES.values())
        elif item.lower() in lookup:
            chosen = [lookup[item.lower()]]
        else:
            known = ", ".join(DATASET_FILES)
            raise DownloadError(f"unknown dataset file {item!r}: choose from {known} (or all)")
        out.extend(name for name in chosen if name not in out)
    if not out:
        raise DownloadError("no dataset file named: choose from " + ", ".join(DATASET_FILES))
    return out


def _base_url(base_url: str | None) -> str:
    """The base URL to use, ending with ``/`` so that a file name can simply follow it."""
    url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    # urllib would also open file:// and ftp:// addresses, but Range, ETag and
    # the status codes this module relies on are HTTP's.
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(f"base URL {url!r} is not an http:// or https:// address")
    return url if url.endswith("/") else url + "/"


# -- state file ---------------------------------------------------------------


def _empty_state() -> dict:
    return {"version": _STATE_VERSION, "files": {}, "partial": {}}


def _load_state(dest: Path) -> dict:
    """The state file's content; an empty state when it is missing or damaged.

    A damaged state file only costs a fresh download, so it is no error.
    """
    try:
        data = json.loads((dest / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty_state()
    if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
        return _empty_state()
    state = _empty_state()
    for section in ("files", "partial"):
        entries = data.get(section)
        if isinstance(entries, dict):
            state[section] = {k: v for k, v in entries.items() if isinstance(v, dict)}
    return state


def _save_state(dest: Path, state: dict) -> None:
    """Write the state file atomically (a temporary file, then :func:`os.replace`)."""
    path = dest / STATE_FILE
    tmp = dest / (STATE_FILE + ".tmp")
    try:
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise DownloadError(f"cannot write {path}: {_os_reason(exc)}") from None


# -- HTTP helpers -------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"reelgraph/{version('reelgraph')} (dataset download)"
    except Exception:  # not installed (run from a checkout): any name will do
        return "reelgraph (dataset download)"


def _open(url: str, headers: dict, timeout: float):
    """``GET url``; HTTP errors (304 and 416 included) raise :class:`urllib.error.HTTPError`."""
    request = urllib.request.Request(url, headers=headers, method="GET")
    return urllib.request.urlopen(request, timeout=timeout)


def _strong_etag(etag: str | None) -> str | None:
    """The ETag when it is strong: ``If-Range`` must not use a weak one (RFC 9110, 13.1.5)."""
    return etag if etag and not etag.startswith("W/") else None


def _etag_value(etag: str) -> str:
    """An ETag without its weakness mark, for a weak comparison."""
    return etag[2:] if etag.startswith("W/") else etag


def _content_length(headers) -> int | None:
    value = headers.get("Content-Length")
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    """``bytes 100-199/200`` -> ``(100, 200)``; ``bytes 100-199/*`` -> ``(100, None)``; None if malformed."""
    if not value:
        return None
    try:
        unit, rest = value.strip().split(None, 1)
        span, total = rest.split("/", 1)
        first, _last = span.split("-", 1)
        if unit.lower() != "bytes":
            return None
        return int(first), (None if total.strip() == "*" else int(total))
    except ValueError:
        return None


def _validators(headers) -> dict:
    return {"etag": headers.get("ETag"), "last_modified": headers.get("Last-Modified")}


def _same_version(recorded: dict, headers) -> bool:
    """Whether a response describes the version recorded (used when a server ignores conditional requests)."""
    length = _content_length(headers)
    if length is not None and recorded.get("size") is not None and length != recorded["size"]:
        return False
    etag = headers.get("ETag")
    if etag and recorded.get("etag"):
        return _etag_value(etag) == _etag_value(recorded["etag"])
    last_modified = headers.get("Last-Modified")
    if last_modified and recorded.get("last_modified"):
        return last_modified == recorded["last_modified"] and length is not None
    return False


def _network_reason(exc: BaseException) -> str:
    """A few words on why no answer came."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return "host name not found: no network, or a wrong address"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {getattr(reason, 'reason', None) or reason}"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _http_message(url: str, code: int, reason: str) -> str:
    if code == 404:
        hint = "no such file on the server: check the file name and the base URL"
    elif code in (401, 403):
        hint = "the server refuses access"
    elif code == 429:
        hint = "too many requests: wait a little and try again"
    elif 500 <= code < 600:
        hint = "a server error: try again later"
    else:
        hint = "unexpected answer"
    return f"{url}: HTTP {code} {reason or ''}".rstrip() + f" ({hint})"


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full (no space left on device)"
    return exc.strerror or str(exc)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # nothing to do about it here; the caller's error matters more
        pass


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


# -- writing and checking -----------------------------------------------------


def _write_chunk(fh, data: bytes) -> None:
    """Append ``data`` to the part file.

    A function of its own so that tests can make it fail as a full disk does.
    """
    fh.write(data)


def _bar(desc: str, total: int | None, initial: int, progress: bool, leave: bool = True):
    """A tqdm bar in bytes (KiB, MiB...), with rate and ETA when the total is known."""
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                disable=not progress, leave=leave, miniters=1, smoothing=0.1)


class _BadGzip(Exception):
    """The downloaded file is not one whole gzip stream; the message says why."""


def _check_gzip(path: Path, name: str, progress: bool) -> None:
    """Decompress ``path`` to the end (constant memory) to prove it whole.

    Reaching the end checks the end-of-stream marker, and the gzip trailer's
    CRC-32 and length: a truncated or corrupted file fails here, although it
    had the announced number of bytes.
    """
    size = path.stat().st_size
    with open(path, "rb") as raw:
        # gzip.GzipFile reads an empty file as an empty stream: check the magic first.
        if raw.read(2) != _GZIP_MAGIC:
            raise _BadGzip("it does not start with the gzip signature")
        raw.seek(0)
        with _bar(f"checking {name}", size, 0, progress, leave=False) as bar, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
            position = 0
            try:
                while gz.read(CHUNK_BYTES):
                    now = raw.tell()
                    bar.update(now - position)
                    position = now
                bar.update(raw.tell() - position)
            except EOFError:
                raise _BadGzip("it ends before the end of the compressed stream") from None
            except (gzip.BadGzipFile, zlib.error) as exc:
                raise _BadGzip(str(exc)) from None


def _looks_like_html(head: bytes) -> bool:
    text = head[:512].lstrip().lower()
    return text.startswith(b"<") or b"<html" in text


# -- one file -----------------------------------------------------------------


class _Retry(Exception):
    """The part cannot be continued: start again from zero (at most once a file)."""


class _Fetcher:
    """Downloads one file; see the module docstring for the steps."""

    def __init__(self, name: str, base_url: str, dest: Path, state: dict, progress: bool, timeout: float):
        self.name = name
        self.url = base_url + urllib.parse.quote(name)
        self.dest = dest
        self.final = dest / name
        self.part = dest / (name + PART_SUFFIX)
        self.state = state
        self.progress = progress
        self.timeout = timeout
        self.started = time.perf_counter()

    # -- state helpers

    def _result(self, status: str, transferred: int) -> FileResult:
        return FileResult(name=self.name, url=self.url, path=os.fspath(self.final), status=status,
                          bytes=transferred, size=self.final.stat().st_size, seconds=time.perf_counter() - self.started)

    def _discard_part(self, save: bool = True) -> None:
        """Delete the part and forget its version."""
        _unlink(self.part)
        if self.state["partial"].pop(self.name, None) is not None and save:
            _save_state(self.dest, self.state)

    def _kept(self) -> str:
        return f"the previous {self.name} is kept" if self.final.is_file() else f"no {self.name} was written"

    # -- the steps

    def run(self) -> FileResult:
        # Two attempts at most: the second only when a part could not be continued.
        for attempt in range(2):
            try:
                return self._attempt(may_resume=attempt == 0)
            except _Retry:
                self._discard_part()
        raise AssertionError("unreachable: the second attempt never resumes")  # pragma: no cover

    def _recorded(self) -> dict | None:
        """The last complete download, when the file it describes is still there, of the recorded size."""
        recorded = self.state["files"].get(self.name)
        if not recorded or recorded.get("url") != self.url:
            return None
        if _file_size(self.final) != recorded.get("size"):
            return None
        if not (recorded.get("etag") or recorded.get("last_modified")):
            return None
        return recorded

    def _attempt(self, may_resume: bool) -> FileResult:
        headers = {"User-Agent": _user_agent(), "Accept-Encoding": "identity"}
        partial = self.state["partial"].get(self.name)
        offset = _file_size(self.part) or 0
        if_range = None
        if offset and may_resume and partial and partial.get("url") == self.url:
            if_range = _strong_etag(partial.get("etag")) or partial.get("last_modified")
        if offset and not if_range:
            # Without a validator the server could send the rest of a newer
            # version, and the splice would be garbage: start over.
            self._discard_part()
            offset = 0
        recorded = None
        if offset:
            headers["Range"] = f"bytes={offset}-"
            headers["If-Range"] = if_range
        else:
            recorded = self._recorded()
            if recorded:
                if recorded.get("etag"):
                    headers["If-None-Match"] = recorded["etag"]
                if recorded.get("last_modified"):
                    headers["If-Modified-Since"] = recorded["last_modified"]

        try:
            response = _open(self.url, headers, self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and recorded:
                return self._result("unchanged", 0)
            if exc.code == 416 and offset:
                # The part is as long as the file (or longer): it cannot be continued.
                raise _Retry() from None
            raise DownloadError(_http_message(self.url, exc.code, exc.reason), file=self.name, url=self.url) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise DownloadError(f"{self.url}: cannot download ({_network_reason(exc)})", file=self.name, url=self.url) from None
        with response:
            return self._receive(response, offset, partial, recorded)

    def _receive(self, response, offset: int, partial: dict | None, recorded: dict | None) -> FileResult:
        headers = response.headers
        if response.status == 206 and offset:
            span = _content_range(headers.get("Content-Range"))
            if span is None or span[0] != offset:
                raise _Retry()
            # A server that ignored If-Range could send the rest of another version.
            now = _validators(headers)
            for key in ("etag", "last_modified"):
                if now[key] and partial.get(key) and now[key] != partial[key]:
                    raise _Retry()
            if span[1] is not None and partial.get("size") is not None and span[1] != partial["size"]:
                raise _Retry()  # another length: another version
            total = span[1] if span[1] is not None else partial.get("size")
            validators = {k: now[k] or partial.get(k) for k in now}
            mode, status = "ab", "resumed"
        elif response.status == 200:
            if recorded and _same_version(recorded, headers):
                # The server ignored If-None-Match / If-Modified-Since but names
                # the version on disk: leave the body unread.
                return self._result("unchanged", 0)
            # Either a fresh download, or the server ignored Range (or the file
            # changed and If-Range failed): the body is the whole file.
            offset = 0
            total = _content_length(headers)
            validators = _validators(headers)
            mode, status = "wb", "fetched"
        else:
            raise DownloadError(f"{self.url}: unexpected answer HTTP {response.status} {response.reason}", file=self.name, url=self.url)

        content_type = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type in _HTML_TYPES:
            self._discard_part()
            raise DownloadError(f"{self.url}: the server sent an HTML page (Content-Type {content_type}), not the gzip file; "
                                f"nothing was saved, {self._kept()}", file=self.name, url=self.url)

        if status == "fetched":
            # Record the version before the first byte, so that any
            # interruption (a cut, Ctrl-C, a crash) leaves a resumable part.
            if validators["etag"] or validators["last_modified"]:
                self.state["partial"][self.name] = {"url": self.url, "size": total, **validators}
            else:
                self.state["partial"].pop(self.name, None)
            _save_state(self.dest, self.state)

        expected = _content_length(headers)
        if expected is None and total is not None:
            expected = total - offset
        received = self._write_body(response, mode, offset, total, expected)
        size = offset + received
        if total is not None and size != total:
            self._discard_part()
            raise DownloadError(f"{self.url}: got {size:,} bytes, the server announced {total:,}; nothing was saved, {self._kept()}",
                                file=self.name, url=self.url)

        try:
            _check_gzip(self.part, self.name, self.progress)
        except _BadGzip as exc:
            self._discard_part()
            raise DownloadError(f"{self.url}: the download is not a valid gzip file ({exc}); it was deleted, {self._kept()}",
                                file=self.name, url=self.url) from None
        except OSError as exc:
            raise DownloadError(f"cannot read {self.part}: {_os_reason(exc)}", file=self.name, url=self.url) from None

        try:
            os.replace(self.part, self.final)
        except OSError as exc:
            raise DownloadError(f"cannot rename {self.part} to {self.final.name}: {_os_reason(exc)}", file=self.name, url=self.url) from None
        self.state["partial"].pop(self.name, None)
        self.state["files"][self.name] = {"url": self.url, "size": size, **validators}
        _save_state(self.dest, self.state)
        return self._result(status, received)

    def _write_body(self, response, mode: str, offset: int, total: int | None, expected: int | None) -> int:
        """Stream the body into the part; the number of bytes written.

        Raises on a cut transfer (part kept), on a body that is no gzip (part
        deleted) and on a write error (part deleted).
        """
        received = 0
        cut = None
        not_gzip = None
        try:
            with open(self.part, mode) as fh, _bar(self.name, total, offset, self.progress) as bar:
                # Bounded: each turn either adds bytes towards `expected` or ends the loop.
                while expected is None or received < expected:
                    want = CHUNK_BYTES if expected is None else min(CHUNK_BYTES, expected - received)
                    try:
                        # read1: one system call, so the bytes that came before
                        # a stall or a reset are written, not lost with the exception.
                        chunk = response.read1(want)
                    except (OSError, http.client.HTTPException) as exc:  # reset, time-out, broken chunked encoding
                        cut = exc
                        break
                    if not chunk:  # the connection closed (http.client does not raise on a short body)
                        break
                    if offset == 0 and received == 0 and len(chunk) >= 2 and not chunk.startswith(_GZIP_MAGIC):
                        not_gzip = chunk
                        break
                    _write_chunk(fh, chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            # The disk is full or not writable: a part would only hold on to the space.
            self._discard_part(save=False)
            try:
                _save_state(self.dest, self.state)
            except DownloadError:
                pass
            if exc.errno == errno.ENOSPC:
                need = f"; free at least {_human(total - offset)} and run again" if total is not None else "; free some space and run again"
                raise DownloadError(f"cannot write {self.part}: disk full (no space left on device); the partial file was removed{need}",
                                    file=self.name, url=self.url) from None
            raise DownloadError(f"cannot write {self.part}: {_os_reason(exc)}", file=self.name, url=self.url) from None

        if not_gzip is not None:
            self._discard_part()
            what = "an HTML page" if _looks_like_html(not_gzip) else f"no gzip data (it starts with {not_gzip[:16]!r})"
            raise DownloadError(f"{self.url}: the server sent {what}, not the gzip file; nothing was saved, {self._kept()}",
                                file=self.name, url=self.url)

        if cut is not None or (expected is not None and received < expected):
            have = offset + received
            of = f" of {total:,}" if total is not None else ""
            why = _network_reason(cut) if cut is not None else "the connection closed"
            resumable = self.name in self.state["partial"] and have > 0
            if resumable:
                then = f"{self.part.name} keeps them: run again to resume"
            else:
                self._discard_part()
                then = "the server gave no version to resume against: run again to download it again"
            raise DownloadIncompleteError(f"{self.url}: transfer cut after {have:,}{of} bytes ({why}); {then}",
                                          file=self.name, url=self.url, part=self.part, received=have, total=total, resumable=resumable)
        return received


# -- entry point --------------------------------------------------------------


def download_datasets(dest, files=None, base_url: str | None = None, progress: bool = True, timeout: float = 60) -> DownloadReport:
    """Download IMDb's dataset files into ``dest``, skipping unchanged ones and resuming broken ones.

    Parameters
    ----------
    dest : str or os.PathLike
        Folder to download into (created if needed).  It also gets the state
        file :data:`STATE_FILE` and, while a transfer is unfinished, ``NAME.part``.
    files : str, iterable of str or None
        Which files (see :func:`resolve_files`): short names such as
        ``"basics,principals,names"``, stems or file names; None fetches
        :data:`DEFAULT_FILES` (the five the loader reads).
    base_url : str, optional
        Where the files are; None means ``$REELGRAPH_IMDB_BASE_URL`` or else
        :data:`DEFAULT_BASE_URL`.  Each file's URL is the base URL followed by
        its name.
    progress : bool
        Show a tqdm progress bar a file (bytes, rate, ETA) on stderr.
    timeout : float
        Seconds to wait for the connection and for each read; a stall longer
        than this during a transfer counts as a cut transfer.

    Returns
    -------
    DownloadReport
        Per file: ``fetched`` / ``resumed`` / ``unchanged``, bytes transferred,
        size, seconds.

    Raises
    ------
    DownloadIncompleteError
        A transfer was cut; the part is kept and the next call resumes it.
    DownloadError
        No network, an HTTP error, an HTML page or a broken gzip file instead
        of the file, a full disk... (see the module docstring).  Its
        ``report`` lists the files completed before the error.
    """
    started = time.perf_counter()
    names = resolve_files(files)
    base = _base_url(base_url)
    if not timeout or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {dest}: {_os_reason(exc)}") from None
    if not dest.is_dir():
        raise DownloadError(f"{dest} is not a folder")
    state = _load_state(dest)
    report = DownloadReport(dest=os.fspath(dest), base_url=base)
    for name in names:
        try:
            report.files.append(_Fetcher(name, base, dest, state, progress, timeout).run())
        except DownloadError as exc:
            report.seconds = time.perf_counter() - started
            exc.report = report
            raise
    report.seconds = time.perf_counter() - started
    return report
