"""The HTML page of a view: one self-contained file, no network, no ``lib/``.

What it guarantees:

* **Everything inline.**  vis-network's JavaScript and CSS are read from the
  copy the pyvis package ships (``pyvis/templates/lib/vis-9.1.2/``), the
  page's own script and style from this package's ``static/page.js`` with
  ``static/explore.js``, and ``static/page.css``, all through :mod:`importlib.resources` (so they come
  from wherever the package is installed, a wheel included), and put in
  ``<script>``/``<style>`` elements of the page, which is the Jinja2
  template ``templates/page.html``.  No bootstrap, no tom-select, no CDN
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
  Title, note and legend are escaped by the template's autoescaping; legend
  colours must be ``#RGB`` or ``#RRGGBB`` (anything else is drawn grey).
* **Physics stops.**  Stabilisation iterations are bounded by the caller's
  options and the script turns physics off on ``stabilizationIterationsDone``;
  there is no loading bar, only a small status text that clears itself.

Examples
--------
>>> page = render_document(title="A <b>bold</b> title", note=None, omitted=0, legend=[], nodes=[], edges=[], options={}, meta={})
>>> "<title>A &lt;b&gt;bold&lt;/b&gt; title</title>" in page
True
>>> '<script type="application/json" id="rg-data">{"nodes":[],"edges":[],' in page
True
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import json
import math
import re
from importlib import resources

import jinja2
from markupsafe import Markup

from reelgraph.views._values import shorten

__all__ = ["VIS_VERSION", "PAGE_SCRIPTS", "vis_assets", "page_script", "page_style", "json_for_script", "render_document"]

#: The vis-network release pyvis 0.3.2 ships and its own templates use.
VIS_VERSION = "9.1.2"


@functools.cache
def vis_assets() -> tuple[str, str]:
    """``(javascript, css)`` of vis-network, from the pyvis package's bundled copy.

    Any ``</script`` or ``</style`` inside them (there is none in 9.1.2) is
    written ``<\\/...`` so the inline element cannot end early.
    """
    root = _pyvis_root()
    for folder in ("templates/lib", "lib"):
        base = root.joinpath(folder, f"vis-{VIS_VERSION}")
        js_file, css_file = base.joinpath("vis-network.min.js"), base.joinpath("vis-network.css")
        if js_file.is_file() and css_file.is_file():
            js = js_file.read_text(encoding="utf-8")
            css = css_file.read_text(encoding="utf-8")
            return _neutralise_end_tag(js, "script"), _neutralise_end_tag(css, "style")
    raise RuntimeError(f"pyvis has no bundled vis-network {VIS_VERSION} (looked in {root}/templates/lib and {root}/lib)")


def _pyvis_root():
    """The pyvis package's folder (a Traversable), found without importing pyvis.

    ``import pyvis`` imports IPython (for notebooks), about 0.2 s of every
    ``reelgraph show``; a page only needs pyvis's files.
    """
    spec = importlib.util.find_spec("pyvis")  # a top-level package: found, not executed
    reader = spec.loader.get_resource_reader(spec.name) if spec and hasattr(spec.loader, "get_resource_reader") else None
    return reader.files() if reader is not None else resources.files("pyvis")


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


#: The page's own scripts, run in this order as one inline script: drawing and tooltips, then
#: what a person explores with (focus, search, filters, legend, labels, export).
PAGE_SCRIPTS = ("page.js", "explore.js")


@functools.cache
def page_script() -> str:
    """The page's own script: ``static/page.js`` then ``static/explore.js`` of this package."""
    return _neutralise_end_tag("\n".join(_package_file("static", name) for name in PAGE_SCRIPTS), "script")


@functools.cache
def page_style() -> str:
    """The page's own style sheet, ``static/page.css`` of this package."""
    return _neutralise_end_tag(_package_file("static", "page.css"), "style")


def _package_file(*parts: str) -> str:
    return resources.files(__package__).joinpath(*parts).read_text(encoding="utf-8")


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: _package_file("templates", name)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly instead of leaving a gap
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("page.html")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_SAFE_COLOUR_CHARS = set("#0123456789abcdefABCDEF")


def _colour(value) -> str:
    value = str(value)
    if value.startswith("#") and len(value) in (4, 7) and set(value) <= _SAFE_COLOUR_CHARS:
        return value
    return "#999999"


def _legend_entries(legend) -> list[dict]:
    """What the template's legend draws: the label (escaped there) and checked colours."""
    entries = []
    for entry in legend or ():
        colour = entry.get("colour", "#999999")
        entries.append({
            "label": str(entry.get("label", "")),
            "shape": str(entry.get("shape", "dot")),
            "fill": _colour(colour),
            "stroke": _colour(entry.get("border") or colour),
            "dashed": bool(entry.get("dashed")),
            "cluster": None if entry.get("cluster") is None else str(entry["cluster"]),
        })
    return entries


#: The longest view title shown whole in a page's header.
HEADING_CHARACTERS = 160


def render_document(*, title: str, note: str | None, omitted: int, legend, nodes, edges, options, meta) -> str:
    """The whole HTML document of a view.

    ``title``, ``note`` and the ``legend`` labels are plain text (the
    template escapes them); ``nodes``, ``edges``, ``options`` and ``meta``
    are JSON-ready data (embedded with :func:`json_for_script`).
    """
    vis_js, vis_css = vis_assets()
    own_js = page_script()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(own_js)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    return _template().render(
        title=str(title),
        # the header is cut (a 100,000-character title would push the graph off screen); the whole title is its tooltip
        heading=shorten(str(title), HEADING_CHARACTERS),
        note=str(note) if note else None,
        omitted=int(omitted),
        legend=_legend_entries(legend),
        csp=csp,
        pyvis_version=_pyvis_version(),
        vis_version=VIS_VERSION,
        # Markup: trusted files and JSON already made safe for a <script> element
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_js=Markup(own_js),
        page_css=Markup(page_style()),
        data=Markup(json_for_script({"nodes": nodes, "edges": edges, "options": options, "meta": meta})),
    )


_VERSION_LINE = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.M)


@functools.cache
def _pyvis_version() -> str:
    # Read from pyvis/_version.py rather than imported: importing any pyvis module imports IPython (see _pyvis_root).
    try:
        found = _VERSION_LINE.search(_pyvis_root().joinpath("_version.py").read_text(encoding="utf-8"))
        if found:
            return found.group(1)
        from pyvis._version import __version__

        return str(__version__)
    except Exception:  # pragma: no cover - any pyvis without the module
        return "unknown"
