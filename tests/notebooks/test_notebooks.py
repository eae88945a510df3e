"""The notebooks in notebooks/: stored clean, and every one runs from top to bottom.

Each notebook runs with nbclient in a fresh ``python3`` kernel, in a temporary
working directory, with ``REELGRAPH_STORE`` pointing at a temporary folder (so
no run touches a real store); ``PYTHONPATH`` is left alone: the notebooks import the installed
``reelgraph``, as a user's do.  The kernel inherits the rest of the environment, so
``04_cypher_from_python.ipynb`` reaches the test Neo4j server through the
``NEO4J_*`` variables ``scripts/test`` exports; without ``REELGRAPH_TEST_NEO4J``
that notebook is skipped (the others need no server).  The notebooks assert
key values themselves, so a broken API fails their run.
"""

import os
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))

QUICKSTART = "01_quickstart.ipynb"
CYPHER = "04_cypher_from_python.ipynb"
#: Notebooks that show views inline with show_inline().
WITH_VIEWS = ("02_costar_paths.ipynb", "03_similarity_clusters.ipynb")
EXPECTED = (QUICKSTART, *WITH_VIEWS, CYPHER)
#: Notebooks that need the test Neo4j server.
NEEDS_NEO4J = {CYPHER}

CELL_TIMEOUT = 120  # seconds per cell
KERNEL = "python3"
NEO4J_SKIP = "needs the test Neo4j server: run ./scripts/test (or set REELGRAPH_TEST_NEO4J=1 and NEO4J_*)"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _params(names):
    return [pytest.param(name, id=Path(name).stem, marks=[pytest.mark.neo4j] if name in NEEDS_NEO4J else [])
            for name in names]


def execute(name: str, workdir: Path, env_changes: dict | None = None):
    """Run notebook ``name`` in a fresh kernel with cwd ``workdir``; return the executed notebook.

    ``env_changes`` are set in the kernel's environment (``None`` removes a variable).
    Raises :class:`nbclient.exceptions.CellExecutionError` at the first failing cell.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    env = dict(os.environ)
    env["REELGRAPH_STORE"] = str(workdir / "store")
    for key, value in (env_changes or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return nb


def _message(exc: Exception) -> str:
    return _ANSI.sub("", str(exc))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``executed(name)`` -> (executed notebook, its working directory); each notebook runs once per module."""
    results = {}

    def run(name):
        if name in NEEDS_NEO4J and not os.environ.get("REELGRAPH_TEST_NEO4J"):
            pytest.skip(NEO4J_SKIP)
        if name not in results:
            workdir = tmp_path_factory.mktemp(Path(name).stem)
            try:
                results[name] = (execute(name, workdir), workdir, None)
            except Exception as exc:  # CellExecutionError, a dead kernel, a timeout: remembered, not rerun
                results[name] = (None, workdir, exc)
        nb, workdir, error = results[name]
        if error is not None:
            pytest.fail(f"{name} failed:\n{_message(error)}", pytrace=False)
        return nb, workdir

    return run


def test_the_notebooks_are_there():
    assert set(EXPECTED) <= set(NOTEBOOKS), f"missing from notebooks/: {sorted(set(EXPECTED) - set(NOTEBOOKS))}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs(name):
    """Notebooks are committed clean: no outputs, no execution counts, no run metadata."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells"
    for i, cell in enumerate(nb.cells):
        where = f"{name}, cell {i} ({cell.source.splitlines()[0][:60] if cell.source else 'empty'!r})"
        assert cell.source.strip(), f"{where}: empty cell"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{where}: stored with outputs; clear them before committing"
            assert cell.execution_count is None, f"{where}: stored with an execution count"
        assert "execution" not in cell.metadata, f"{where}: stored with execution timing metadata"
    # The file itself: nothing an editor could add beside the cells (widget state, outputs in raw JSON).
    text = (NOTEBOOK_DIR / name).read_text(encoding="utf-8")
    assert '"output_type"' not in text and "application/vnd.jupyter.widget-state" not in text


@pytest.mark.parametrize("name", _params(NOTEBOOKS))
def test_notebook_runs(name, executed):
    nb, workdir = executed(name)
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"]
    assert not errors
    if name == QUICKSTART:
        # The store went where REELGRAPH_STORE said, not to the user's default store.
        assert (workdir / "store" / "manifest.json").is_file()


@pytest.mark.parametrize("name", _params(WITH_VIEWS))
def test_inline_views_render_as_iframes(name, executed):
    """Every cell calling show_inline() outputs the view as an HTML <iframe srcdoc=...>."""
    nb, _ = executed(name)
    shown = [cell for cell in nb.cells if cell.cell_type == "code"
             and any(line.startswith("rg.show_inline(") for line in cell.source.splitlines())]
    assert shown, f"{name} shows no view inline"
    for cell in shown:
        html = [out.data["text/html"] for out in cell.outputs
                if out.output_type in ("execute_result", "display_data") and "text/html" in out.get("data", {})]
        assert html, f"{name}: no text/html output from {cell.source!r}"
        assert any("<iframe srcdoc=" in h for h in html), f"{name}: no <iframe srcdoc= in the output of {cell.source!r}"
        # The whole page is inside the (escaped) srcdoc attribute: no live script tag in the notebook page.
        assert not any("<script" in h.split("<iframe srcdoc=", 1)[0] for h in html)


def test_cypher_notebook_without_neo4j_stops_with_a_clear_message(tmp_path):
    """Not configured, notebook 04 stops at connect() with Neo4jUnavailableError saying what to set."""
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError) as info:
        execute(CYPHER, tmp_path, {"NEO4J_URI": None})
    assert info.value.ename == "Neo4jUnavailableError"
    assert "Neo4j is not configured: set NEO4J_URI" in info.value.evalue
    assert "reelgraph neo4j start" in info.value.evalue


def test_quickstart_refuses_a_store_that_holds_other_sources(tmp_path):
    """Notebook 01 never mixes the sample into a store holding other data (REELGRAPH_STORE pointing at it)."""
    from nbclient.exceptions import CellExecutionError

    import reelgraph as rg

    other = tmp_path / "other"
    other.mkdir()
    (other / "films.csv").write_text("id,title,year\ntt0000001,Some Other Film,1999\n")
    rg.load([other], store=tmp_path / "store")
    with pytest.raises(CellExecutionError) as info:
        execute(QUICKSTART, tmp_path)
    assert info.value.ename == "RuntimeError"
    assert "already holds other sources (1)" in info.value.evalue
    assert rg.open_store(tmp_path / "store").read().counts()["films"] == 1  # untouched
