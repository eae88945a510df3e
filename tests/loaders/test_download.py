"""Tests of reelgraph.loaders.download: fetching IMDb's dataset files, resuming, skipping unchanged ones, failing clearly.

Everything talks to a local ``http.server.ThreadingHTTPServer`` on 127.0.0.1
(port 0) that a fixture starts in a thread.  It serves small synthetic
``*.tsv.gz`` files, honours Range / If-Range / If-None-Match /
If-Modified-Since, logs every request, and misbehaves on demand (cuts a
transfer, stalls, ignores Range or conditions, sends HTML or an error).
"""

from __future__ import annotations

import email.utils
import errno
import gzip
import hashlib
import http.server
import json
import re
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reelgraph.loaders.download as download  # noqa: E402
from reelgraph.errors import ReelgraphError  # noqa: E402
from reelgraph.loaders.download import (  # noqa: E402
    DATASET_FILES,
    DEFAULT_FILES,
    ENV_BASE_URL,
    STATE_FILE,
    DownloadError,
    DownloadIncompleteError,
    download_datasets,
    resolve_files,
)
from reelgraph.loaders.synth import write_synthetic_datasets  # noqa: E402

DEFAULT_NAMES = [DATASET_FILES[k] for k in DEFAULT_FILES]
HTML = b"<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>Please try again later.</body></html>\n"
MTIME = 1_700_000_000  # Last-Modified of the served files (a fixed date: exact headers)


# -- the test server -------------------------------------------------------------


class Served:
    """What the test server serves, how it misbehaves, and what it was asked."""

    def __init__(self):
        self.files = {}  # name -> {"body", "etag", "last_modified", "mtime"}
        self.log = []  # one dict a request
        self.lock = threading.Lock()
        self.base_url = None
        # misbehaviour switches
        self.cut_once = {}  # name -> bytes to send before closing the connection (next GET only)
        self.stall_once = {}  # name -> bytes to send before stalling (next GET only)
        self.status = {}  # name -> HTTP error status to answer
        self.html = set()  # names answered by an HTML page, status 200, text/html
        self.html_as_octet = set()  # the same page, but labelled application/octet-stream
        self.ignore_range = False  # answer 200 with the whole file to Range requests
        self.ignore_if_range = False  # honour Range even when If-Range names another version
        self.ignore_conditional = False  # answer 200 to If-None-Match / If-Modified-Since
        self.no_validators = False  # send neither ETag nor Last-Modified

    def put(self, name: str, body: bytes, mtime: int = MTIME) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        self.files[name] = {"body": body, "etag": etag, "mtime": mtime,
                            "last_modified": email.utils.formatdate(mtime, usegmt=True)}

    def gets(self, name: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.log if r["method"] == "GET" and (name is None or r["name"] == name)]

    def bodies(self) -> int:
        """How many GET answers carried (part of) a file."""
        return sum(1 for r in self.gets() if r["status"] in (200, 206) and r["sent"] > 0 and not r.get("html"))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection: a cut is a closed connection
    server_version = "TestIMDb/1.0"

    def log_message(self, format, *args):  # keep pytest's output clean
        pass

    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool):
        served: Served = self.server.served
        name = urllib.parse.unquote(self.path.lstrip("/"))
        entry = {"method": self.command, "name": name, "headers": dict(self.headers.items()), "status": None, "sent": 0}
        with served.lock:
            served.log.append(entry)
        if name in served.status:
            entry["status"] = served.status[name]
            self.send_error(served.status[name])
            return
        if name in served.html or name in served.html_as_octet:
            entry["status"], entry["html"] = 200, True
            ctype = "text/html; charset=utf-8" if name in served.html else "application/octet-stream"
            self._send(200, HTML, {"Content-Type": ctype}, head, entry)
            return
        f = served.files.get(name)
        if f is None:
            entry["status"] = 404
            self.send_error(404)
            return
        body = f["body"]
        validators = {} if served.no_validators else {"ETag": f["etag"], "Last-Modified": f["last_modified"]}
        base = {"Content-Type": "application/x-gzip", "Accept-Ranges": "bytes", **validators}

        if not served.ignore_conditional and not served.no_validators:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            # RFC 9110: If-None-Match wins over If-Modified-Since when both are sent.
            if inm is not None:
                fresh = inm == f["etag"]
            elif ims is not None:
                fresh = email.utils.parsedate_to_datetime(ims).timestamp() >= f["mtime"]
            else:
                fresh = False
            if fresh:
                entry["status"] = 304
                self.send_response(304)
                for k, v in validators.items():
                    self.send_header(k, v)
                self.end_headers()
                return

        rng = self.headers.get("Range")
        if rng and not served.ignore_range:
            if_range = self.headers.get("If-Range")
            matches = if_range is None or served.ignore_if_range or if_range in (f["etag"], f["last_modified"])
            if matches:
                start = int(rng.removeprefix("bytes=").split("-")[0])
                if start >= len(body):
                    entry["status"] = 416
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = dict(base, **{"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"})
                self._send(206, body[start:], headers, head, entry, name)
                return
        self._send(200, body, base, head, entry, name)

    def _send(self, status, body, headers, head, entry, name=None):
        served: Served = self.server.served
        entry["status"] = status
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if head:
            return
        limit, stall = len(body), False
        if name in served.cut_once:
            limit = served.cut_once.pop(name)
        elif name in served.stall_once:
            limit, stall = served.stall_once.pop(name), True
        try:
            self.wfile.write(body[:limit])
            self.wfile.flush()
            entry["sent"] = limit
            if stall:
                time.sleep(1.0)  # bounded: longer than the client's time-out in that test
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: that is its right
            pass


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> dict:
    """The seven synthetic dataset files: name -> bytes."""
    folder = tmp_path_factory.mktemp("source")
    write_synthetic_datasets(folder, titles=60, seed=1, progress=False)
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.tsv.gz"))}


@pytest.fixture
def server(source, monkeypatch):
    # Only 127.0.0.1: no proxy from the environment may take these requests elsewhere.
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    served = Served()
    for name, body in source.items():
        served.put(name, body)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.served = served
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    served.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def newer_version(body: bytes) -> bytes:
    """Another valid gzip file: the same rows and one more."""
    return gzip.compress(gzip.decompress(body) + b"tt9999999\tmovie\tNew\tNew\t0\t2024\t\\N\t90\tDrama\n", mtime=0)


def fetch(server, dest, files=None, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("timeout", 5)
    return download_datasets(dest, files=files, base_url=server.base_url, **kw)


def state(dest: Path) -> dict:
    return json.loads((dest / STATE_FILE).read_text(encoding="utf-8"))


# -- names and arguments ---------------------------------------------------------


def test_default_files_are_the_loaders_files():
    from reelgraph.loaders.imdb_tsv import FILES

    assert set(DEFAULT_FILES) == set(FILES)
    assert {DATASET_FILES[k] for k in FILES} == {f"{stem}.tsv.gz" for stem in FILES.values()}


def test_resolve_files_accepts_short_names_stems_and_file_names():
    assert resolve_files(None) == DEFAULT_NAMES
    assert resolve_files("basics,principals,names,ratings,crew,akas,episode") == list(DATASET_FILES.values())
    assert resolve_files(["title.akas", "episode", "title.akas.tsv.gz", " Basics "]) == [
        "title.akas.tsv.gz", "title.episode.tsv.gz", "title.basics.tsv.gz"]
    assert resolve_files("all") == list(DATASET_FILES.values())
    with pytest.raises(DownloadError, match=r"^unknown dataset file 'movies': choose from basics, principals, names, ratings, crew, akas, episode \(or all\)$"):
        resolve_files("basics,movies")
    with pytest.raises(DownloadError, match="no dataset file named"):
        resolve_files(" , ")


def test_base_url_must_be_http(tmp_path):
    with pytest.raises(DownloadError, match=r"^base URL 'ftp://example\.org/' is not an http:// or https:// address$"):
        download_datasets(tmp_path, base_url="ftp://example.org/", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_error_is_a_reelgraph_error():
    assert issubclass(DownloadIncompleteError, DownloadError)
    assert issubclass(DownloadError, ReelgraphError)
    assert DownloadError.exit_code == 6


# -- the normal cases ------------------------------------------------------------


def test_first_download_fetches_every_default_file(server, source, tmp_path):
    dest = tmp_path / "imdb"
    report = fetch(server, dest)
    assert report.statuses() == {name: "fetched" for name in DEFAULT_NAMES}
    for f in report.files:
        assert (dest / f.name).read_bytes() == source[f.name]
        assert f.bytes == f.size == len(source[f.name])
        assert f.url == server.base_url + f.name
        assert f.path == str(dest / f.name)
        assert f.seconds >= 0
    assert report.bytes == sum(len(source[n]) for n in DEFAULT_NAMES)
    assert sorted(p.name for p in dest.iterdir()) == sorted(DEFAULT_NAMES + [STATE_FILE])
    assert [r["name"] for r in server.gets()] == DEFAULT_NAMES
    # no conditions on a first download; identity encoding, so the bytes are the file's
    assert all("If-None-Match" not in r["headers"] and "Range" not in r["headers"] for r in server.gets())
    assert all(r["headers"]["Accept-Encoding"] == "identity" for r in server.gets())
    recorded = state(dest)
    assert recorded["partial"] == {}
    assert recorded["files"]["title.basics.tsv.gz"] == {
        "url": server.base_url + "title.basics.tsv.gz",
        "size": len(source["title.basics.tsv.gz"]),
        "etag": server.files["title.basics.tsv.gz"]["etag"],
        "last_modified": "Tue, 14 Nov 2023 22:13:20 GMT",
    }


def test_downloaded_folder_loads(server, tmp_path):
    from reelgraph.loaders import detect_format
    from reelgraph.loaders.imdb_tsv import read_imdb_datasets

    fetch(server, tmp_path)
    assert detect_format(tmp_path) == "imdb-datasets"
    graph = read_imdb_datasets(tmp_path, title_types=None, progress=False)
    assert graph.report.rows_read["basics"] == 60
    assert graph.report.missing_optional == []


def test_unchanged_files_are_not_fetched_again(server, source, tmp_path):
    fetch(server, tmp_path)
    before = server.bodies()
    assert before == 5
    report = fetch(server, tmp_path)
    assert report.statuses() == {name: "unchanged" for name in DEFAULT_NAMES}
    assert [(f.bytes, f.size) for f in report.files] == [(0, len(source[n])) for n in DEFAULT_NAMES]
    assert report.bytes == 0
    assert server.bodies() == before  # zero GET bodies served the second time
    second = server.gets()[5:]
    assert [r["status"] for r in second] == [304] * 5
    assert [r["headers"]["If-None-Match"] for r in second] == [server.files[n]["etag"] for n in DEFAULT_NAMES]
    assert {r["headers"]["If-Modified-Since"] for r in second} == {"Tue, 14 Nov 2023 22:13:20 GMT"}
    for name in DEFAULT_NAMES:
        assert (tmp_path / name).read_bytes() == source[name]


def test_only_the_changed_file_is_fetched(server, source, tmp_path):
    fetch(server, tmp_path)
    newer = gzip.compress(b"tconst\taverageRating\tnumVotes\ntt0000001\t5.7\t2101\n", mtime=0)
    server.put("title.ratings.tsv.gz", newer, mtime=MTIME + 86400)
    report = fetch(server, tmp_path)
    assert report.statuses() == {name: ("fetched" if name == "title.ratings.tsv.gz" else "unchanged") for name in DEFAULT_NAMES}
    assert report.bytes == len(newer)
    assert (tmp_path / "title.ratings.tsv.gz").read_bytes() == newer
    assert state(tmp_path)["files"]["title.ratings.tsv.gz"]["etag"] == server.files["title.ratings.tsv.gz"]["etag"]
    # and a third call finds everything unchanged
    assert set(fetch(server, tmp_path).statuses().values()) == {"unchanged"}


def test_a_deleted_file_is_fetched_again(server, source, tmp_path):
    fetch(server, tmp_path, "basics,crew")
    (tmp_path / "title.crew.tsv.gz").unlink()
    report = fetch(server, tmp_path, "basics,crew")
    assert report.statuses() == {"title.basics.tsv.gz": "unchanged", "title.crew.tsv.gz": "fetched"}
    assert "If-None-Match" not in server.gets("title.crew.tsv.gz")[-1]["headers"]
    assert (tmp_path / "title.crew.tsv.gz").read_bytes() == source["title.crew.tsv.gz"]


def test_server_ignoring_conditions_but_same_version_is_unchanged(server, source, tmp_path):
    fetch(server, tmp_path, "basics")
    server.ignore_conditional = True
    report = fetch(server, tmp_path, "basics")
    assert report.statuses() == {"title.basics.tsv.gz": "unchanged"}
    assert report.files[0].bytes == 0
    assert server.gets()[-1]["status"] == 200  # the server did answer with the body; it was left unread
    assert (tmp_path / "title.basics.tsv.gz").read_bytes() == source["title.basics.tsv.gz"]


def test_damaged_state_file_only_costs_a_download(server, source, tmp_path):
    fetch(server, tmp_path, "crew")
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    report = fetch(server, tmp_path, "crew")
    assert report.statuses() == {"title.crew.tsv.gz": "fetched"}
    assert (tmp_path / "title.crew.tsv.gz").read_bytes() == source["title.crew.tsv.gz"]
    assert fetch(server, tmp_path, "crew").statuses() == {"title.crew.tsv.gz": "unchanged"}


def test_base_url_from_the_environment(server, source, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_BASE_URL, server.base_url.rstrip("/"))  # without the final slash
    report = download_datasets(tmp_path, files="episode", progress=False, timeout=5)
    assert report.base_url == server.base_url
    assert report.statuses() == {"title.episode.tsv.gz": "fetched"}
    assert (tmp_path / "title.episode.tsv.gz").read_bytes() == source["title.episode.tsv.gz"]


def test_report_as_data_and_text(server, source, tmp_path):
    report = fetch(server, tmp_path, "ratings")
    data = json.loads(json.dumps(report.to_dict()))
    size = len(source["title.ratings.tsv.gz"])
    assert data["dest"] == str(tmp_path)
    assert data["bytes"] == size
    assert [(f["name"], f["status"], f["bytes"], f["size"]) for f in data["files"]] == [("title.ratings.tsv.gz", "fetched", size, size)]
    lines = report.summary().splitlines()
    assert lines[0].startswith(f"title.ratings.tsv.gz: fetched, {size} B in ")
    assert lines[1].startswith(f"1 files in {tmp_path}: {size} B downloaded in ")
    again = fetch(server, tmp_path, "ratings")
    assert again.summary().splitlines()[0] == f"title.ratings.tsv.gz: unchanged ({size} B on disk)"


def test_progress_bar_shows_bytes(server, tmp_path, capsys):
    fetch(server, tmp_path, "basics", progress=True)
    err = capsys.readouterr().err
    assert "title.basics.tsv.gz" in err
    assert "B/s" in err  # tqdm's rate, in bytes


# -- a broken transfer -----------------------------------------------------------


def test_cut_transfer_keeps_the_part_and_the_next_call_resumes(server, source, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "CHUNK_BYTES", 256)  # several reads a file
    name = "title.principals.tsv.gz"
    whole = source[name]
    cut = 1000
    assert len(whole) > 2 * cut
    server.cut_once[name] = cut
    with pytest.raises(DownloadIncompleteError, match=rf"^{re.escape(server.base_url + name)}: transfer cut after 1,000 of {len(whole):,} bytes "
                                                      rf"\(the connection closed\); {re.escape(name)}\.part keeps them: run again to resume$") as caught:
        fetch(server, tmp_path, "basics,principals,names")
    exc = caught.value
    assert (exc.file, exc.received, exc.total, exc.resumable) == (name, cut, len(whole), True)
    assert exc.report.statuses() == {"title.basics.tsv.gz": "fetched"}  # finished before the cut
    assert not (tmp_path / name).exists()
    assert (tmp_path / f"{name}.part").read_bytes() == whole[:cut]
    assert not (tmp_path / "name.basics.tsv.gz").exists()  # the call stopped at the cut
    assert state(tmp_path)["partial"][name]["etag"] == server.files[name]["etag"]

    report = fetch(server, tmp_path, "basics,principals,names")
    assert report.statuses() == {"title.basics.tsv.gz": "unchanged", name: "resumed", "name.basics.tsv.gz": "fetched"}
    resumed = report.files[1]
    assert (resumed.bytes, resumed.size) == (len(whole) - cut, len(whole))
    request = server.gets(name)[-1]
    assert request["headers"]["Range"] == "bytes=1000-"
    assert request["headers"]["If-Range"] == server.files[name]["etag"]
    assert request["status"] == 206
    assert (tmp_path / name).read_bytes() == whole
    assert not (tmp_path / f"{name}.part").exists()
    assert state(tmp_path)["partial"] == {}
    assert fetch(server, tmp_path, "principals").statuses() == {name: "unchanged"}


def test_server_ignoring_range_restarts_from_zero(server, source, tmp_path):
    name = "name.basics.tsv.gz"
    server.cut_once[name] = 700
    with pytest.raises(DownloadIncompleteError, match="transfer cut after 700 of"):
        fetch(server, tmp_path, "names")
    server.ignore_range = True
    report = fetch(server, tmp_path, "names")
    assert report.statuses() == {name: "fetched"}
    assert report.files[0].bytes == len(source[name])
    last = server.gets(name)[-1]
    assert last["headers"]["Range"] == "bytes=700-" and last["status"] == 200
    assert (tmp_path / name).read_bytes() == source[name]
    assert not (tmp_path / f"{name}.part").exists()


def test_file_changed_since_the_cut_is_fetched_whole(server, source, tmp_path):
    name = "title.basics.tsv.gz"
    server.cut_once[name] = 500
    with pytest.raises(DownloadIncompleteError):
        fetch(server, tmp_path, "basics")
    newer = newer_version(source[name])
    server.put(name, newer, mtime=MTIME + 3600)
    report = fetch(server, tmp_path, "basics")
    assert report.statuses() == {name: "fetched"}  # If-Range failed: the server sent the new file whole
    assert server.gets(name)[-1]["status"] == 200
    assert (tmp_path / name).read_bytes() == newer


def test_206_of_another_version_is_not_spliced(server, source, tmp_path):
    name = "title.basics.tsv.gz"
    server.cut_once[name] = 500
    with pytest.raises(DownloadIncompleteError):
        fetch(server, tmp_path, "basics")
    # another version, longer than the part, whose bytes after 500 differ from the old ones
    newer = gzip.compress(b"".join(hashlib.sha1(b"%d" % i).hexdigest().encode() + b"\n" for i in range(100)), mtime=0)
    assert len(newer) > 500 and newer[500:] != source[name][500:len(newer)]
    server.put(name, newer, mtime=MTIME + 3600)
    server.ignore_if_range = True  # a broken server: 206 of the new version
    report = fetch(server, tmp_path, "basics")
    assert report.statuses() == {name: "fetched"}
    requests = server.gets(name)
    assert [r["status"] for r in requests[-2:]] == [206, 200]  # the 206 was refused, then a whole download
    assert "Range" not in requests[-1]["headers"]
    assert (tmp_path / name).read_bytes() == newer


def test_part_longer_than_the_file_restarts_after_416(server, source, tmp_path):
    name = "title.crew.tsv.gz"
    server.cut_once[name] = 300
    with pytest.raises(DownloadIncompleteError):
        fetch(server, tmp_path, "crew")
    part = tmp_path / f"{name}.part"
    part.write_bytes(part.read_bytes() + b"\0" * len(source[name]))  # longer than the whole file
    report = fetch(server, tmp_path, "crew")
    assert report.statuses() == {name: "fetched"}
    assert [r["status"] for r in server.gets(name)[-2:]] == [416, 200]
    assert (tmp_path / name).read_bytes() == source[name]


def test_cut_without_validators_cannot_be_resumed(server, source, tmp_path):
    name = "title.basics.tsv.gz"
    server.no_validators = True
    server.cut_once[name] = 400
    with pytest.raises(DownloadIncompleteError, match=r"transfer cut after 400 of [\d,]+ bytes \(the connection closed\); "
                                                      r"the server gave no version to resume against: run again to download it again$") as caught:
        fetch(server, tmp_path, "basics")
    assert caught.value.resumable is False
    assert list(tmp_path.glob("*.part")) == []
    report = fetch(server, tmp_path, "basics")
    assert report.statuses() == {name: "fetched"}
    assert "Range" not in server.gets(name)[-1]["headers"]
    assert (tmp_path / name).read_bytes() == source[name]


def test_stalled_transfer_times_out_and_resumes(server, source, tmp_path):
    name = "title.basics.tsv.gz"
    server.stall_once[name] = 600
    with pytest.raises(DownloadIncompleteError, match=r"transfer cut after 600 of [\d,]+ bytes \(timed out\)"):
        fetch(server, tmp_path, "basics", timeout=0.25)
    report = fetch(server, tmp_path, "basics")
    assert report.statuses() == {name: "resumed"}
    assert (tmp_path / name).read_bytes() == source[name]


# -- errors ----------------------------------------------------------------------


def test_404_names_the_url_and_keeps_what_was_done(server, source, tmp_path):
    del server.files["title.akas.tsv.gz"]
    url = server.base_url + "title.akas.tsv.gz"
    with pytest.raises(DownloadError, match=rf"^{re.escape(url)}: HTTP 404 Not Found \(no such file on the server: check the file name and the base URL\)$") as caught:
        fetch(server, tmp_path, "crew,akas,episode")
    assert caught.value.url == url
    assert caught.value.report.statuses() == {"title.crew.tsv.gz": "fetched"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE, "title.crew.tsv.gz"]


@pytest.mark.parametrize("status, words", [
    (403, "Forbidden (the server refuses access)"),
    (503, "Service Unavailable (a server error: try again later)"),
])
def test_http_errors_give_their_status(server, tmp_path, status, words):
    server.status["title.ratings.tsv.gz"] = status
    with pytest.raises(DownloadError, match=rf"^{re.escape(server.base_url)}title\.ratings\.tsv\.gz: HTTP {status} {re.escape(words)}$"):
        fetch(server, tmp_path, "ratings")
    assert not (tmp_path / "title.ratings.tsv.gz").exists()


def test_no_network_connection_refused(tmp_path, monkeypatch):
    for var in ("http_proxy", "no_proxy", "HTTP_PROXY", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/title.basics.tsv.gz"
    with pytest.raises(DownloadError, match=rf"^{re.escape(url)}: cannot download \(connection refused\)$"):
        download_datasets(tmp_path, "basics", base_url=f"http://127.0.0.1:{port}", progress=False, timeout=5)
    assert list(tmp_path.glob("*.tsv.gz*")) == []


def test_html_page_with_status_200_keeps_the_previous_file(server, source, tmp_path):
    name = "title.basics.tsv.gz"
    fetch(server, tmp_path, "basics")
    server.put(name, newer_version(source[name]), mtime=MTIME + 60)  # a new version is due...
    server.html.add(name)  # ...but the server answers with an error page
    with pytest.raises(DownloadError, match=rf"^{re.escape(server.base_url + name)}: the server sent an HTML page \(Content-Type text/html\), "
                                            rf"not the gzip file; nothing was saved, the previous {re.escape(name)} is kept$"):
        fetch(server, tmp_path, "basics")
    assert (tmp_path / name).read_bytes() == source[name]
    assert not (tmp_path / f"{name}.part").exists()
    assert state(tmp_path)["partial"] == {}


def test_html_page_labelled_binary_is_caught_by_its_first_bytes(server, tmp_path):
    name = "title.crew.tsv.gz"
    server.html_as_octet.add(name)
    with pytest.raises(DownloadError, match=rf"^{re.escape(server.base_url + name)}: the server sent an HTML page, not the gzip file; "
                                            rf"nothing was saved, no {re.escape(name)} was written$"):
        fetch(server, tmp_path, "crew")
    assert list(tmp_path.glob("title.crew*")) == []


def test_truncated_gzip_with_the_right_length_is_refused(server, source, tmp_path):
    name = "title.principals.tsv.gz"
    truncated = source[name][: len(source[name]) // 2]
    server.put(name, truncated)  # Content-Length says len(truncated): every byte arrives
    with pytest.raises(DownloadError, match=rf"^{re.escape(server.base_url + name)}: the download is not a valid gzip file "
                                            rf"\(it ends before the end of the compressed stream\); it was deleted, no {re.escape(name)} was written$"):
        fetch(server, tmp_path, "principals")
    assert list(tmp_path.glob("title.principals*")) == []
    assert state(tmp_path)["partial"] == {}


def test_corrupt_gzip_fails_the_crc_check(server, source, tmp_path):
    name = "title.ratings.tsv.gz"
    body = bytearray(source[name])
    body[-8] ^= 0xFF  # the trailer's CRC-32
    server.put(name, bytes(body))
    with pytest.raises(DownloadError, match=rf"^{re.escape(server.base_url + name)}: the download is not a valid gzip file \(CRC check failed"):
        fetch(server, tmp_path, "ratings")
    assert list(tmp_path.glob("title.ratings*")) == []


def test_disk_full_removes_the_part(server, source, tmp_path, monkeypatch):
    name = "name.basics.tsv.gz"
    fetch(server, tmp_path, "names")
    newer = newer_version(source[name])
    server.put(name, newer, mtime=MTIME + 60)

    def full(fh, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(download, "_write_chunk", full)
    need = download._human(len(newer))
    with pytest.raises(DownloadError, match=rf"^cannot write {re.escape(str(tmp_path / name))}\.part: disk full \(no space left on device\); "
                                            rf"the partial file was removed; free at least {re.escape(need)} and run again$"):
        fetch(server, tmp_path, "names")
    assert not (tmp_path / f"{name}.part").exists()
    assert (tmp_path / name).read_bytes() == source[name]  # the previous file is untouched
    assert state(tmp_path)["partial"] == {}
