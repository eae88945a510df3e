"""Screenshots of every kind of view at 1,400 x 900, for docs/screenshots/ (what a reader gets before installing).

Run from the repository (needs Debian's ``chromium`` and the test extras)::

    python scripts/screenshots.py            # writes docs/screenshots/*.png
    python scripts/screenshots.py --out DIR

The views are made as a user makes them: ``reelgraph demo`` on the bundled
sample (a neighbourhood, a path, the clusters, "More like this"), ``reelgraph
show NAME --chain A B``, and ``reelgraph show`` of 2,000 and 10,000 nodes
from a ``reelgraph synth`` store.  Each is opened in headless Chromium (the
browser tests' driver, network blocked) and photographed once its picture is
still; the neighbourhood also after typing a name in the search box, the
chain view after pressing "Highlight chain".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.views.conftest: the browser driver of the tests

from tests.views.conftest import Chromium, chromium_binary  # noqa: E402

WIDTH, HEIGHT = 1400, 900


def _reelgraph(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "reelgraph", *args], check=True, stdout=subprocess.DEVNULL)


#: What is done on a page before its picture: type a name in the search box (and choose it), or press a button.
SEARCH = ("(function(){ var box = document.getElementById('rg-search'); box.value = %s; "
          "box.dispatchEvent(new Event('input')); box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); "
          "return 0; })()")
PRESS = "document.getElementById(%s).click(); 0"


def _views(work: Path) -> dict[str, tuple[Path, str | None]]:
    """Write the views; name -> (HTML file, JavaScript to run before the picture, or None)."""
    store, views = work / "store", work / "views"
    _reelgraph("demo", "--store", str(store), "--views", str(views), "-q")
    _reelgraph("show", "Never Let Me Go", "--chain", "Keira Knightley", "Andrew Garfield", "--store", str(store),
               "-o", str(views / "chain.html"))
    _reelgraph("synth", "--titles", "200000", "-o", str(work / "synth"), "-q")
    _reelgraph("load", str(work / "synth"), "--store", str(work / "synth-store"), "-q")
    centre = json.loads(subprocess.run([sys.executable, "-m", "reelgraph", "centres", "--top", "1", "--json",
                                        "--store", str(work / "synth-store")],
                                       check=True, capture_output=True, text=True).stdout)
    person = centre["centres"][0]["id"]
    for n in (2000, 10000):
        _reelgraph("show", person, "--depth", "4", "--max-nodes", str(n), "--store", str(work / "synth-store"),
                   "-o", str(views / f"nodes-{n}.html"))
    return {
        "neighbourhood": (views / "never-let-me-go.html", None),
        "neighbourhood-search": (views / "never-let-me-go.html", SEARCH % json.dumps("Carey Mulligan")),
        "path": (views / "path.html", None),
        "chain": (views / "chain.html", PRESS % json.dumps("rg-chain")),
        "clusters": (views / "clusters.html", None),
        "more-like-this": (views / "more-like-this.html", None),
        "nodes-2000": (views / "nodes-2000.html", None),
        "nodes-10000": (views / "nodes-10000.html", None),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    binary = chromium_binary()
    if not binary:
        sys.exit("needs headless Chromium: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        browser = Chromium(binary, str(work / "profile"), str(work / "chromium.log"))
        try:
            for name, (html, action) in _views(work).items():
                page = browser.new_page(width=WIDTH, height=HEIGHT)
                try:
                    page.open_view(html, timeout=300)
                    time.sleep(1.0)  # the fit's last frame
                    if action:
                        page.evaluate(action)
                        time.sleep(1.5)  # a glide to the choice
                    (args.out / f"{name}.png").write_bytes(page.screenshot())
                    errors = page.errors()
                    if errors:
                        sys.exit(f"{html}: the page reported errors: {errors}")
                finally:
                    page.close()
                print(args.out / f"{name}.png")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
