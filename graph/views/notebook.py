"""Showing a view in Jupyter: the page in a sandboxed ``<iframe srcdoc>``.

pyvis's own notebook output stays blank in VS Code and Colab; an iframe
whose ``srcdoc`` is the whole page renders wherever notebooks run HTML
output, and its sandbox keeps the page's script away from the notebook.

Examples
--------
>>> markup = iframe_srcdoc("<p>a & b</p>", title="A view")
>>> markup.startswith('<div class="reelgraph-view"><iframe srcdoc="&lt;p&gt;a &amp; b&lt;/p&gt;" title="A view"')
True
"""

from __future__ import annotations

import re

from markupsafe import escape

__all__ = ["show_inline", "iframe_srcdoc"]


def show_inline(view, height="650px"):
    """Show ``view`` in a notebook: an :class:`IPython.display.HTML` sandboxed ``<iframe srcdoc>``.

    The whole page is the iframe's ``srcdoc`` (escaped once for the
    attribute), so it renders wherever notebooks run HTML output, including
    VS Code and Colab, and its script cannot reach the notebook page.

    Examples
    --------
    >>> import reelgraph as rg
    >>> mirror = rg.build_mirror(rg.read_sources(rg.SAMPLE_SOURCES))
    >>> html = show_inline(rg.view(mirror, "Never Let Me Go"), height="500px")
    >>> html.data.startswith('<div class="reelgraph-view"><iframe srcdoc=')
    True
    """
    from IPython.display import HTML

    if isinstance(height, (int, float)) and not isinstance(height, bool):
        height = f"{int(height)}px"
    height = str(height)
    if not re.fullmatch(r"\d+(\.\d+)?(px|em|rem|vh|%)", height):
        raise ValueError(f"height must be a CSS length such as '650px', not {height!r}")
    return HTML(iframe_srcdoc(view.html(), title=view.title, height=height))


def iframe_srcdoc(document: str, *, title: str, height: str = "650px") -> str:
    """An ``<iframe srcdoc>`` holding ``document``, escaped once for the attribute.

    Wrapped in a ``<div>``: IPython warns about HTML that starts with ``<iframe``.

    Sandboxed: scripts run (the page needs them) in an opaque origin, links
    may open a new tab and the view's "Export PNG" button may save a file;
    the notebook page around it is out of reach.
    """
    return (
        '<div class="reelgraph-view">'
        f'<iframe srcdoc="{escape(document)}" title="{escape(title)}" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads" '
        f'style="box-sizing: border-box; width: 100%; height: {escape(height)}; border: 1px solid #d0d7de; border-radius: 4px;" '
        'loading="eager" referrerpolicy="no-referrer"></iframe></div>'
    )
