"""The HTML document of a view: one self-contained file, no network, no ``lib/``.

Private helper of :mod:`reelgraph.views`.  What it guarantees:

* **Everything inline.**  vis-network's JavaScript and CSS are read from the
  copy the pyvis package ships (``pyvis/templates/lib/vis-9.1.2/``) and put
  in ``<script>``/``<style>`` elements; the page's own script and style are
  constants of this module (not data files, so they install with the
  package whatever the packaging says).  No bootstrap, no tom-select, no CDN
  link, nothing written next to the file.  A Content-Security-Policy
  (``default-src 'none'``) makes the browser refuse any request the page
  might still try, and allows only the page's own two scripts (by hash), so
  even an injected inline event handler could not run.
* **Every data string escaped, exactly once, for where it goes.**  Node and
  edge data travel as JSON in a ``<script type="application/json">`` block,
  with ``<``, ``>``, ``&`` (and U+2028/U+2029) written as ``\\u003c`` etc., so
  a title holding ``</script>`` cannot close the block; the page reads it
  with ``JSON.parse``.  Tooltips are built as DOM elements with
  ``textContent`` (never ``innerHTML``), and their IMDb link is an ``<a>``
  whose href the script checks against ``https://www.imdb.com/title|name/``.
  Title, note and legend are HTML, escaped with :func:`html.escape` once.
* **Physics stops.**  Stabilisation iterations are bounded by the caller's
  options and the script turns physics off on ``stabilizationIterationsDone``;
  there is no loading bar, only a small status text that clears itself.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
from importlib import resources

__all__ = ["VIS_VERSION", "vis_assets", "json_for_script", "render_document", "iframe_srcdoc"]

#: The vis-network release pyvis 0.3.2 ships and its own templates use.
VIS_VERSION = "9.1.2"


@functools.lru_cache(maxsize=None)
def vis_assets() -> tuple[str, str]:
    """``(javascript, css)`` of vis-network, from the pyvis package's bundled copy.

    Any ``</script`` or ``</style`` inside them (there is none in 9.1.2) is
    written ``<\\/...`` so the inline element cannot end early.
    """
    root = resources.files("pyvis")
    for folder in ("templates/lib", "lib"):
        base = root.joinpath(folder, f"vis-{VIS_VERSION}")
        js_file, css_file = base.joinpath("vis-network.min.js"), base.joinpath("vis-network.css")
        if js_file.is_file() and css_file.is_file():
            js = js_file.read_text(encoding="utf-8")
            css = css_file.read_text(encoding="utf-8")
            return _neutralise_end_tag(js, "script"), _neutralise_end_tag(css, "style")
    raise RuntimeError(f"pyvis has no bundled vis-network {VIS_VERSION} (looked in {root}/templates/lib and {root}/lib)")


def _neutralise_end_tag(text: str, tag: str) -> str:
    lowered = text.lower()
    needle = "</" + tag
    if needle not in lowered:
        return text
    out, start = [], 0
    while True:
        at = lowered.find(needle, start)
        if at < 0:
            out.append(text[start:])
            return "".join(out)
        out.append(text[start:at] + "<\\/")
        start = at + 2


_JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _finite(value):
    """JSON-safe copy: NaN/inf become None, tuples and sets become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_finite(v) for v in value]
    return value


def json_for_script(data) -> str:
    """JSON text that is safe inside a ``<script>`` element.

    Examples
    --------
    >>> json_for_script({"title": "</script><b>&amp;"})
    '{"title":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026amp;"}'
    """
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.translate(_JSON_SCRIPT_ESCAPES)


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


# -- legend symbols (our own constants; colours are checked anyway) --------

_SAFE_COLOUR_CHARS = set("#0123456789abcdefABCDEF")


def _colour(value: str) -> str:
    value = str(value)
    if value.startswith("#") and len(value) in (4, 7) and set(value) <= _SAFE_COLOUR_CHARS:
        return value
    return "#999999"


def _symbol_svg(shape: str, colour: str, border: str | None = None, dashed: bool = False) -> str:
    fill = _colour(colour)
    stroke = _colour(border or colour)
    dash = ' stroke-dasharray="2 1.5"' if dashed else ""
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}'
    if shape == "diamond":
        body = f'<polygon points="8,1.5 14.5,8 8,14.5 1.5,8" {common}/>'
    elif shape == "square":
        body = f'<rect x="2.5" y="2.5" width="11" height="11" {common}/>'
    elif shape == "triangle":
        body = f'<polygon points="8,2 14.5,14 1.5,14" {common}/>'
    elif shape == "star":
        body = f'<polygon points="8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6" {common}/>'
    elif shape in ("line", "dashed-line", "arrow", "dashed-arrow"):
        line_dash = ' stroke-dasharray="3 2"' if shape.startswith("dashed") else ""
        body = f'<line x1="1" y1="8" x2="14" y2="8" stroke="{stroke}" stroke-width="2"{line_dash}/>'
        if shape.endswith("arrow"):
            body += f'<polygon points="15.5,8 9.5,4.5 9.5,11.5" fill="{stroke}"/>'
    else:  # dot
        body = f'<circle cx="8" cy="8" r="6" {common}/>'
    return f'<svg class="rg-sym" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{body}</svg>'


def _legend_html(legend) -> str:
    if not legend:
        return ""
    items = []
    for entry in legend:
        symbol = _symbol_svg(entry.get("shape", "dot"), entry.get("colour", "#999999"), entry.get("border"), bool(entry.get("dashed")))
        items.append(f"<li>{symbol}<span>{_esc(entry.get('label', ''))}</span></li>")
    return '<ul class="rg-legend" aria-label="Legend">' + "".join(items) + "</ul>"


# -- the page ----------------------------------------------------------------

PAGE_CSS = r"""
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; background: #ffffff; color: #1f2328;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
.rg-header { flex: 0 0 auto; padding: 8px 12px 6px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
.rg-title { margin: 0; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.rg-note { margin: 6px 0 0; padding: 3px 8px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; display: inline-block; }
.rg-legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 13px; }
.rg-legend li { display: inline-flex; align-items: center; gap: 5px; }
.rg-sym { flex: 0 0 auto; }
.rg-help { color: #57606a; font-size: 12px; margin-left: 8px; }
.rg-stage { position: relative; flex: 1 1 auto; min-height: 360px; }
#rg-network { position: absolute; top: 0; right: 0; bottom: 0; left: 0; }
.rg-status { position: absolute; right: 10px; bottom: 8px; z-index: 5; padding: 2px 8px; border-radius: 4px;
  background: rgba(246, 248, 250, 0.9); color: #57606a; font-size: 12px; pointer-events: none; }
.rg-status:empty { display: none; }
.rg-tooltip { position: absolute; z-index: 10; max-width: 340px; padding: 8px 10px; background: #ffffff;
  border: 1px solid #8c959f; border-radius: 6px; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); font-size: 13px;
  overflow-wrap: anywhere; white-space: normal; }
.rg-tooltip[hidden] { display: none; }
.rg-tip-title { font-weight: 600; margin-bottom: 2px; }
.rg-tip-line { color: #24292f; }
.rg-tip-more { color: #57606a; font-style: italic; }
.rg-tip-link { display: inline-block; margin-top: 4px; color: #0969da; }
"""

#: The page's script.  Reads the JSON data block, draws the network, stops
#: physics once the layout settles, and shows tooltips built from text nodes.
PAGE_JS = r"""
(function () {
  "use strict";
  function now() { return (window.performance && performance.now) ? performance.now() : Date.now(); }
  var started = now();
  var IMDB_URL = /^https:\/\/www\.imdb\.com\/(title\/tt[0-9]{7,}|name\/nm[0-9]{7,})\/$/;
  var data = JSON.parse(document.getElementById("rg-data").textContent);
  var container = document.getElementById("rg-network");
  var stage = document.getElementById("rg-stage");
  var statusEl = document.getElementById("rg-status");
  var tip = document.getElementById("rg-tooltip");
  var root = document.documentElement;

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var state = {network: network, nodes: nodes, edges: edges, meta: data.meta, stable: false,
               timings: {scriptStart: started, networkReady: now(), stable: null}};
  window.reelgraph = state;
  // The names pyvis pages use, for people (and tests) used to them.
  window.network = network;
  window.nodes = nodes;
  window.edges = edges;

  function settle() {
    if (state.stable) { return; }
    network.setOptions({physics: {enabled: false}});
    state.stable = true;
    state.timings.stable = now();
    root.setAttribute("data-rg-state", "stable");
    statusEl.textContent = "";
  }

  var physics = data.options && data.options.physics;
  if (physics && physics.enabled !== false && physics.stabilization && physics.stabilization.enabled !== false) {
    statusEl.textContent = "Laying out\u2026";
    network.on("stabilizationProgress", function (p) {
      if (p && p.total) {
        statusEl.textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
      }
    });
    network.once("stabilizationIterationsDone", settle);
    network.once("stabilized", settle);
  } else {
    network.once("afterDrawing", settle);
    setTimeout(settle, 0);
  }

  // -- tooltips: DOM elements and text nodes only ---------------------------
  var hideTimer = null;
  var pinned = null;
  var shown = null;

  function imdbUrl(node) {
    var url = node && node.rgUrl;
    return (typeof url === "string" && IMDB_URL.test(url)) ? url : null;
  }

  function addLine(cls, text) {
    var div = document.createElement("div");
    div.className = cls;
    div.textContent = String(text);
    tip.appendChild(div);
  }

  function fill(node) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    var t = node.rgTip || {};
    addLine("rg-tip-title", t.title != null ? t.title : node.label);
    var lines = Array.isArray(t.lines) ? t.lines : [];
    for (var i = 0; i < lines.length; i++) { addLine("rg-tip-line", lines[i]); }
    if (t.more) { addLine("rg-tip-more", t.more); }
    var url = imdbUrl(node);
    if (url) {
      var a = document.createElement("a");
      a.className = "rg-tip-link";
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = "Open on IMDb \u2197";
      tip.appendChild(a);
    }
  }

  function place(id) {
    var pos = network.getPositions([id])[id];
    if (!pos) { return; }
    var dom = network.canvasToDOM(pos);
    var box = network.getBoundingBox(id);
    var scale = network.getScale();
    var half = box ? Math.max(6, 0.5 * (box.right - box.left) * scale) : 12;
    var w = stage.clientWidth, h = stage.clientHeight;
    var x = dom.x + half + 8, y = dom.y - 12;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    if (x + tw > w - 4) { x = Math.max(4, dom.x - half - 8 - tw); }
    if (y + th > h - 4) { y = Math.max(4, h - 4 - th); }
    if (y < 4) { y = 4; }
    tip.style.left = Math.round(x) + "px";
    tip.style.top = Math.round(y) + "px";
  }

  function show(id) {
    var node = nodes.get(id);
    if (!node) { return; }
    cancelHide();
    fill(node);
    tip.hidden = false;
    place(id);
    shown = id;
  }

  function hide() {
    tip.hidden = true;
    shown = null;
    pinned = null;
  }

  function cancelHide() {
    if (hideTimer !== null) { clearTimeout(hideTimer); hideTimer = null; }
  }

  function scheduleHide() {
    if (pinned !== null) { return; }
    cancelHide();
    hideTimer = setTimeout(function () { hideTimer = null; if (pinned === null) { hide(); } }, 400);
  }

  network.on("hoverNode", function (p) { if (pinned === null || pinned === p.node) { show(p.node); } });
  network.on("blurNode", scheduleHide);
  tip.addEventListener("mouseenter", cancelHide);
  tip.addEventListener("mouseleave", scheduleHide);
  network.on("click", function (p) {
    if (p.nodes && p.nodes.length) { pinned = null; show(p.nodes[0]); pinned = p.nodes[0]; }
    else { hide(); }
  });
  network.on("doubleClick", function (p) {
    if (!p.nodes || !p.nodes.length) { return; }
    var url = imdbUrl(nodes.get(p.nodes[0]));
    if (url) { window.open(url, "_blank", "noopener,noreferrer"); }
  });
  network.on("dragStart", function () { if (pinned === null) { hide(); } });
  network.on("zoom", function () { if (shown !== null) { place(shown); } });
  network.on("dragging", function () { if (shown !== null) { place(shown); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
})();
"""


def render_document(*, title: str, note: str | None, omitted: int, legend, nodes, edges, options, meta, help_text: str = "") -> str:
    """The whole HTML document of a view.

    ``title``, ``note``, ``legend`` labels and ``help_text`` are plain text
    (escaped here); ``nodes``, ``edges``, ``options`` and ``meta`` are
    JSON-ready data (embedded with :func:`json_for_script`).
    """
    vis_js, vis_css = vis_assets()
    payload = json_for_script({"nodes": nodes, "edges": edges, "options": options, "meta": meta})
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(PAGE_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    note_html = ""
    if note:
        note_html = f'<p class="rg-note" id="rg-note" role="status" data-omitted="{int(omitted)}">{_esc(note)}</p>'
    help_html = f'<span class="rg-help">{_esc(help_text)}</span>' if help_text else ""
    parts = [
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(csp)}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="generator" content="reelgraph views (pyvis ',
        _esc(_pyvis_version()),
        f', vis-network {VIS_VERSION})">\n',
        f"<title>{_esc(title)}</title>\n",
        "<style>\n", vis_css, "\n</style>\n",
        "<style>", PAGE_CSS, "</style>\n",
        "</head>\n<body>\n",
        '<header class="rg-header">\n',
        f'<h1 class="rg-title" id="rg-title">{_esc(title)}{help_html}</h1>\n',
        note_html,
        _legend_html(legend),
        "\n</header>\n",
        '<div class="rg-stage" id="rg-stage">\n',
        '<div id="rg-network" role="img" aria-label="', _esc(title), '"></div>\n',
        '<div id="rg-tooltip" class="rg-tooltip" role="tooltip" hidden></div>\n',
        '<div id="rg-status" class="rg-status" aria-live="polite"></div>\n',
        "<noscript><p>This view needs JavaScript to draw the graph.</p></noscript>\n",
        "</div>\n",
        '<script type="application/json" id="rg-data">', payload, "</script>\n",
        "<script>", vis_js, "</script>\n",
        "<script>", PAGE_JS, "</script>\n",
        "</body>\n</html>\n",
    ]
    return "".join(parts)


@functools.lru_cache(maxsize=None)
def _pyvis_version() -> str:
    try:
        from pyvis._version import __version__

        return str(__version__)
    except Exception:  # pragma: no cover - any pyvis without the module
        return "unknown"


def iframe_srcdoc(document: str, *, title: str, height: str = "650px") -> str:
    """An ``<iframe srcdoc>`` holding ``document``, escaped once for the attribute.

    Wrapped in a ``<div>``: IPython warns about HTML that starts with ``<iframe``.

    Sandboxed: scripts run (the page needs them) in an opaque origin, and
    links may open a new tab; the notebook page around it is out of reach.
    """
    return (
        '<div class="reelgraph-view">'
        f'<iframe srcdoc="{html.escape(document, quote=True)}" title="{_esc(title)}" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
        f'style="width: 100%; height: {_esc(height)}; border: 1px solid #d0d7de; border-radius: 4px;" '
        'loading="eager" referrerpolicy="no-referrer"></iframe></div>'
    )
