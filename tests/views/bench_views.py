"""How big views behave in headless Chromium: time to a still picture, search and focus, zoom, frames while panning.

Not a test (pytest collects ``test_*.py`` only): a benchmark, run by hand::

    python -m tests.views.bench_views            # 2,000 and 10,000 nodes
    python -m tests.views.bench_views 10000      # one size

Each size is a neighbourhood view of a synthetic graph (``conftest.make_graph``)
written to a file and opened in one headless Chromium (``conftest.Chromium``,
the tests' driver, network blocked).  Views over
:data:`reelgraph.views.style.PLAIN_EDGES_FROM` nodes, which the page draws
itself (``static/page.js``: nodes as vis-network custom shapes, edges in
batches), are also measured "before": the same view drawn by vis-network
alone, as smaller views are, so one run shows what the page's drawing
changes.  One JSON line per run (``drawn_by``).

The figures move with the machine's load (other processes on two cores
double them); compare runs made together.
"""

from __future__ import annotations

import json
import pathlib
import sys
import tempfile
import time
from unittest import mock

from reelgraph.views import neighbourhood_view, style, write_html
from reelgraph.views import page as page_module
from tests.views.conftest import Chromium, chromium_binary, make_graph

__all__ = ["measure", "main"]

#: Films of the synthetic graph whose neighbourhood (depth 8) has at least this many nodes.
FILMS_FOR = {2000: 700, 10000: 3300}

SEARCH_AND_FOCUS = """(function(){ return new Promise(function(done){
  var t0 = performance.now(), box = document.getElementById('rg-search'); box.value = %s;
  box.dispatchEvent(new Event('input')); var t1 = performance.now();
  box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); var t2 = performance.now();
  requestAnimationFrame(function(){ requestAnimationFrame(function(){
    done({search: t1 - t0, focus: t2 - t1, toFrame: performance.now() - t0}); }); }); }); })()"""

ZOOM_STEP = """(function(){ return new Promise(function(done){
  var t0 = performance.now(); network.once('afterDrawing', function(){ done(performance.now() - t0); });
  var c = document.querySelector('#rg-network canvas'), r = c.getBoundingClientRect();
  c.dispatchEvent(new WheelEvent('wheel', {deltaY: -120, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2,
                                           bubbles: true, cancelable: true})); }); })()"""

STILL_FRAME = """(function(){ return new Promise(function(done){
  var t0 = performance.now(); network.once('afterDrawing', function(){ done(performance.now() - t0); }); network.redraw(); }); })()"""

RECORD_DRAWS = ("window.__draws = []; network.on('beforeDrawing', function(){ window.__t0 = performance.now(); });"
                " network.on('afterDrawing', function(){ window.__draws.push(performance.now() - window.__t0); }); 0")


def _median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


#: What page.js says to draw big views itself from; "before" raises it past any view.
FAST_DRAW_LINE = "var FAST_DRAW_FROM = %d;" % style.PLAIN_EDGES_FROM


def _vis_network_only_script() -> str:
    script = page_module.page_script()
    assert FAST_DRAW_LINE in script, "page.js no longer says " + FAST_DRAW_LINE
    return script.replace(FAST_DRAW_LINE, "var FAST_DRAW_FROM = 1e12;")


def _write_view(n: int, folder: pathlib.Path, *, fast: bool):
    G = make_graph(n_films=FILMS_FOR[n], cast=6, seed=3, similar=5, hostile=False)
    script = page_module.page_script() if fast else _vis_network_only_script()
    # "before": vis-network draws every node and edge, as in views of up to PLAIN_EDGES_FROM nodes
    with mock.patch.object(page_module, "page_script", lambda: script):
        started = time.perf_counter()
        view = neighbourhood_view(G, "tt1000005", depth=8, max_nodes=n)
        path = write_html(view, folder / f"view-{n}-{'page' if fast else 'vis'}.html")
    return view, path, time.perf_counter() - started


def measure(browser: Chromium, n: int, folder: pathlib.Path, *, fast: bool = True) -> dict:
    """The figures of one view of ``n`` nodes (see the module docstring)."""
    view, path, python_s = _write_view(n, folder, fast=fast)
    page = browser.new_page(width=1400, height=900)
    try:
        _, to_still = page.open_view(path, timeout=300)
        timings = page.evaluate("reelgraph.timings")
        name = next(node for node in view.nodes if node["rgKind"] == "person")["rgTip"]["title"]
        found = page.evaluate(SEARCH_AND_FOCUS % json.dumps(name))
        time.sleep(0.5)
        page.evaluate("reelgraph.clearFocus(); network.fit(); 0")
        time.sleep(0.3)
        zoom = page.evaluate(ZOOM_STEP)
        time.sleep(0.5)
        page.evaluate(RECORD_DRAWS)
        x, y = 700, 500
        page.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1})
        for step in range(1, 31):  # a drag of 30 moves, one a frame
            page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x + 6 * step, "y": y + 2 * step, "button": "left", "buttons": 1})
            time.sleep(0.016)
        page.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x + 180, "y": y + 60, "button": "left", "buttons": 0, "clickCount": 1})
        time.sleep(0.3)
        draws = page.evaluate("window.__draws.slice()")
        stills = [page.evaluate(STILL_FRAME) for _ in range(3)]
        fast_drawn = page.evaluate("reelgraph.fastDraw")
        assert page.errors() == [], page.errors()
        return {
            "nodes": view.shown, "edges": len(view.edges),
            "edges_drawn": "plain" if all(e["dashes"] is False and e["arrows"] == "" for e in view.edges) else "dashed and arrowed",
            "drawn_by": "page (batched edges, custom nodes)" if fast_drawn else "vis-network",
            "python_view_and_write_s": round(python_s, 2), "html_mb": round(path.stat().st_size / 1e6, 1),
            "open_to_still_s": round(to_still, 2), "script_to_still_ms": round(timings["stable"] - timings["scriptStart"]),
            "search_ms": round(found["search"]), "focus_ms": round(found["focus"]), "search_focus_to_frame_ms": round(found["toFrame"]),
            "zoom_step_to_frame_ms": round(zoom), "pan_frames": len(draws) - 1,
            "pan_frame_median_ms": round(_median(draws[:-1])) if len(draws) > 1 else None,
            "still_frame_median_ms": round(_median(stills)),
        }
    finally:
        page.close()


def main(sizes=(2000, 10000)) -> None:
    binary = chromium_binary()
    if not binary:
        raise SystemExit("needs headless Chromium (Debian package 'chromium')")
    folder = pathlib.Path(tempfile.mkdtemp())
    browser = Chromium(binary, str(folder / "profile"), str(folder / "chromium.log"))
    try:
        for n in sizes:
            variants = (False, True) if n > style.PLAIN_EDGES_FROM else (True,)
            for fast in variants:
                print(json.dumps(measure(browser, n, folder, fast=fast)), flush=True)
    finally:
        browser.close()


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or (2000, 10000))
