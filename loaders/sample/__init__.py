"""The bundled sample: the seed IMDb page and a curated table of the films around it.

``SAMPLE_DIR`` is what ``reelgraph demo`` loads; see ``README.md`` beside this file
for what the data is compiled from.
"""

from pathlib import Path

__all__ = ["SAMPLE_DIR", "SAMPLE_SOURCES"]

SAMPLE_DIR = Path(__file__).resolve().parent

#: The sources ``reelgraph demo`` loads, in order: the curated tables, then the seed page.
SAMPLE_SOURCES = (SAMPLE_DIR / "tables", SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt")
