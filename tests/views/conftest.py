"""Fixtures of the view tests: graphs built by hand, and headless Chromium over CDP.

Chromium is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages on file descriptors 3 and 4, each
ended by a NUL byte).  Nothing but Debian's ``chromium`` and the standard
library: no chromedriver/selenium (a second binary that must match the
browser's version), no WebSocket package, no debugging port to find or to
leave open, no HTTP.  Screenshots are decoded with a small PNG reader here,
so Pillow is not needed either.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import random
import shutil
import struct
import subprocess
import threading
import time
import zlib

import networkx as nx
import pytest

HOSTILE_TITLE = '<img src=x onerror="window.__xss=1">'
SCRIPT_TITLE = "</script><script>window.__xss=2</script>"
AMP_TITLE = "Pride & Prejudice"
LITERAL_ENTITY_TITLE = "Tom &amp; Jerry &lt;3"
HOSTILE_CHARACTER = "<b>Kathy</b> & 'Ruth' \"H.\""
HOSTILE_NAME = "Mal<script>window.__xss=3</script>ory"

FILM_WORDS = ["Never", "Let", "Me", "Go", "Silent", "River", "Glass", "Harbour", "Winter", "Light", "Echo", "Orchard", "Paper", "Moon", "Distant", "Shore"]
NAMES = ["Ann", "Bo", "Carey", "Dev", "Ela", "Fin", "Gus", "Hana", "Ivo", "Jun", "Kit", "Lea", "Milo", "Noor", "Oli", "Pia"]
GENRES = ["Drama", "Romance", "Sci-Fi", "Thriller", "Comedy", "Mystery", "Horror", "Animation"]


def make_graph(n_films=30, cast=5, seed=1, similar=4, hostile=True, clusters=4, stubs=3):
    """A mirror-shaped NetworkX graph: films, people, credits, "More like this" links.

    Film ``tt1000000`` is the first; with ``hostile`` its title is
    :data:`HOSTILE_TITLE` and the first few films and people carry the other
    hostile strings.  The last ``stubs`` films are derived-id stubs.
    """
    rng = random.Random(seed)
    G = nx.Graph()
    S = nx.DiGraph()
    films = []
    for i in range(n_films):
        stub = i >= n_films - stubs
        fid = f"title:stub-film-{i}" if stub else f"tt{1000000 + i:07d}"
        title = " ".join(rng.sample(FILM_WORDS, rng.randint(1, 3)))
        if hostile and i < 4:
            title = [HOSTILE_TITLE, SCRIPT_TITLE, AMP_TITLE, LITERAL_ENTITY_TITLE][i]
        attrs = {
            "kind": "film",
            "label": title,
            "year": None if stub else 1950 + rng.randint(0, 74),
            "rating": None if stub else round(rng.uniform(3, 9), 1),
            "votes": None if stub else rng.randint(100, 2_000_000),
            "genres": [] if stub else rng.sample(GENRES, rng.randint(1, 3)),
            "title_type": "movie",
            "stub": stub,
            "cluster": None if stub else i % clusters,
        }
        G.add_node(fid, **attrs)
        S.add_node(fid)
        films.append(fid)
    n_people = max(1, n_films * cast // 2)
    people = []
    for j in range(n_people):
        pid = f"name:person-{j}" if j % 17 == 16 else f"nm{2000000 + j:07d}"
        name = f"{rng.choice(NAMES)} {rng.choice(NAMES)}son"
        if hostile and j == 0:
            name = HOSTILE_NAME
        G.add_node(pid, kind="person", label=name, birth_year=1930 + rng.randint(0, 70), professions=rng.sample(["actor", "actress", "director", "writer"], 1))
        people.append(pid)
    for i, fid in enumerate(films):
        for billing, pid in enumerate(rng.sample(people, min(cast, len(people))), start=1):
            role = "director" if billing == cast else "actor"
            character = HOSTILE_CHARACTER if (hostile and i == 0 and billing == 1) else f"Role {i}-{billing}"
            G.add_edge(pid, fid, roles=[role], characters=[character] if role == "actor" else [], billing=billing)
        # "More like this" links mostly stay inside the film's cluster, as similarity clusters do
        same = [f for k, f in enumerate(films) if k % clusters == i % clusters and f != fid]
        for rank in range(1, min(similar, len(films) - 1) + 1):
            pool = same if same and rng.random() < 0.8 else films
            other = rng.choice(pool)
            if other != fid:
                S.add_edge(fid, other, rank=rank, source="imdb-more-like-this")
    if hostile and n_films > 1:
        # the hostile film is linked to the second film and a known person
        G.add_edge(people[0], films[0], roles=["actor"], characters=[HOSTILE_CHARACTER], billing=1)
        S.add_edge(films[0], films[1], rank=1, source="imdb-more-like-this")
        if stubs:
            S.add_edge(films[0], films[-1], rank=2, source="imdb-more-like-this")
    G.graph["similar"] = S
    return G


@pytest.fixture
def graph_factory():
    return make_graph


# -- PNG (enough of it for Chromium's screenshots) -------------------------------------


def decode_png(data: bytes):
    """``(width, height, pixels)`` of an 8-bit RGB/RGBA, non-interlaced PNG; pixels as RGB tuples."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG: depth {depth}, colour type {colour}"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    pixels = []
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                row[i] = (row[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 0xFF
        pixels.extend(tuple(row[i : i + 3]) for i in range(0, stride, bpp))
        prev = row
    return width, height, pixels


@pytest.fixture
def png_decoder():
    return decode_png


# -- Chromium over the DevTools pipe ------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--window-size=1280,800",
    # Every host name fails to resolve: nothing can leave the machine even if
    # the blocking below missed a request.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    "--remote-debugging-pipe",
]


#: True once a view's page has laid out and turned its physics off.
STABLE = "document.documentElement.getAttribute('data-rg-state') === 'stable'"


class CdpError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium, spoken to over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, user_data_dir: str, log_path: str):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def plug_pipes():  # in the child: the pipe ends become fds 3 (commands) and 4 (replies)
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=plug_pipes,
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._out = to_chrome_w
        self._in = from_chrome_r
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict = {}
        self._reply_ready = threading.Condition()
        self.events: list = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.send("Browser.getVersion", timeout=30)

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = os.read(self._in, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                with self._reply_ready:
                    self._replies["closed"] = True
                    self._reply_ready.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                msg = json.loads(message)
                with self._reply_ready:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self._reply_ready.notify_all()

    def send(self, method, params=None, session=None, timeout=60):
        with self._lock:
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._out, view)
                view = view[written:]
        deadline = time.monotonic() + timeout
        with self._reply_ready:
            while mid not in self._replies:
                if self._replies.get("closed"):
                    raise CdpError(f"Chromium closed the pipe during {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CdpError(f"no reply to {method} within {timeout} s")
                self._reply_ready.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, predicate, timeout=30, start=0):
        deadline = time.monotonic() + timeout
        with self._reply_ready:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._reply_ready.wait(left)

    def new_page(self, width=1280, height=800):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session, width, height)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


class Page:
    """One tab: network blocked, every request and every error recorded."""

    BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]
    STABLE = STABLE

    def __init__(self, browser: Chromium, target, session, width, height):
        self.browser, self.target, self.session = browser, target, session
        self.first_event = len(browser.events)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        try:
            self.send("Network.setBlockedURLs", {"urls": self.BLOCKED})
        except CdpError:  # newer protocol: URL patterns
            self.send("Network.setBlockedURLs", {"urlPatterns": [{"urlPattern": u, "block": True} for u in self.BLOCKED]})
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method, params=None, timeout=60):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def my_events(self, method=None):
        return [e for e in self.browser.events[self.first_event :] if e.get("sessionId") == self.session and (method is None or e.get("method") == method)]

    def navigate(self, url, timeout=60):
        start = len(self.browser.events)
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise CdpError(f"navigation to {url} failed: {reply['errorText']}")
        loaded = self.browser.wait_event(lambda e: e.get("sessionId") == self.session and e.get("method") == "Page.loadEventFired", timeout, start)
        if loaded is None:
            raise CdpError(f"{url} did not load within {timeout} s")

    def evaluate(self, expression, timeout=60):
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in reply:
            raise CdpError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression, timeout=60, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                return value
            time.sleep(interval)

    def mouse_move(self, x, y):
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, "button": "none"})

    def click(self, x, y):
        """A left click at ``(x, y)`` (CSS pixels of the viewport), as a person's mouse makes it."""
        self.mouse_move(x, y)
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "buttons": 1 if kind == "mousePressed" else 0, "clickCount": 1})

    def type_text(self, text):
        """Text typed into the focused element, one character at a time (an ``input`` event each)."""
        for char in text:
            self.send("Input.insertText", {"text": char})

    def press_key(self, key, code=None, key_code=0):
        """A key pressed and released (``"Escape"``, ``"Enter"``, ``"ArrowDown"`` ...)."""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code or key, "windowsVirtualKeyCode": key_code})

    def open_view(self, path, timeout=60.0):
        """Navigate to a written view and wait until its physics is off; ``(url, seconds it took)``."""
        url = path.resolve().as_uri()
        start = time.monotonic()
        self.navigate(url, timeout=timeout)
        assert self.wait_for(STABLE, timeout=timeout), f"{path.name} did not settle within {timeout} s"
        return url, time.monotonic() - start

    def node_position(self, node_id):
        """Where node ``node_id`` is in the viewport, in CSS pixels."""
        return self.evaluate(
            "(function(id){ var p = network.canvasToDOM(network.getPositions([id])[id]);"
            " var r = document.getElementById('rg-network').getBoundingClientRect();"
            " return {x: r.left + p.x, y: r.top + p.y}; })(%s)" % json.dumps(node_id)
        )

    def open_notebook(self, outer_path, timeout=30.0):
        """Open a page holding a view in an ``<iframe>`` (as a notebook shows it) and wait until the view is still.

        The sandboxed iframe runs in a process (and DevTools target) of its
        own: this attaches to it and returns ``(in_frame, frame_errors)``:
        a function evaluating an expression in the view's page, and one
        listing the errors and exceptions the view's page reported.
        """
        start = len(self.browser.events)
        self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True})
        self.navigate(outer_path.resolve().as_uri())
        attached = self.browser.wait_event(
            lambda e: e.get("method") == "Target.attachedToTarget" and e["params"]["targetInfo"]["type"] == "iframe",
            timeout=timeout,
            start=start,
        )
        assert attached, "no iframe target"
        frame_session = attached["params"]["sessionId"]
        self.browser.send("Runtime.enable", session=frame_session)

        def in_frame(expression):
            reply = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=frame_session)
            assert "exceptionDetails" not in reply, reply
            return reply["result"].get("value")

        def frame_errors():
            # (errors thrown before Runtime.enable reached the frame are not listed; the
            # "stable" state waited for below is only set once the view's script has run to the end)
            return [
                e for e in self.browser.events[start:]
                if e.get("sessionId") == frame_session
                and (e.get("method") == "Runtime.exceptionThrown" or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error"))
            ]

        deadline = time.monotonic() + timeout
        while not in_frame(STABLE) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_frame(STABLE), "the view in the iframe did not settle"
        return in_frame, frame_errors

    def assert_offline_and_clean(self, url):
        assert self.requests() == [url], "the page fetched something besides itself"
        assert self.errors() == []

    def screenshot(self, clip=None) -> bytes:
        params = {"format": "png", "captureBeyondViewport": False}
        if clip:
            params["clip"] = clip
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.my_events("Network.requestWillBeSent")]

    def errors(self) -> list[str]:
        out = []
        for e in self.my_events():
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.append("exception: " + str(details.get("exception", {}).get("description") or details.get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{params['type']}: " + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                entry = params["entry"]
                out.append(f"log {entry.get('source')} {entry['level']}: {entry.get('text')} {entry.get('url', '')}")
        return out

    def close(self):
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=10)
        except CdpError:
            pass


def chromium_binary():
    return os.environ.get("REELGRAPH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    binary = chromium_binary()
    if not binary:
        pytest.skip("needs headless Chromium (Debian package 'chromium'; ./scripts/test installs it)")
    root = tmp_path_factory.mktemp("chromium")
    chrome = Chromium(binary, str(root / "profile"), str(root / "chromium.log"))
    yield chrome
    chrome.close()


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    yield tab
    tab.close()
