"""A load stopped dead at any file operation leaves the store as it was before or as it is after.

Fault injection (``store_crash_driver.py``): the load is run once to count
its operations (every rename, write, link, folder creation and deletion under
the store's parent folder), then once per operation, stopped with
``os._exit`` just before it, as ``kill -9`` would.  Afterwards:

* the store reads as the graph before the load or the graph after it, never
  anything else (a reader puts back a store left aside between two renames);
* ``reelgraph stats`` works on it;
* the same load run again gives what a clean load gives, and leaves nothing
  beside the store but its lock files.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reelgraph import workflows
from reelgraph.cli import main
from reelgraph.errors import StoreError
from reelgraph.loaders.sample import SAMPLE_SOURCES
from reelgraph.store import LocalStore

DRIVER = Path(__file__).with_name("store_crash_driver.py")
SAMPLE_TABLES, SAMPLE_PAGE = (str(source) for source in SAMPLE_SOURCES)


def _tables(store: Path) -> dict[str, pd.DataFrame] | None:
    """The store's tables in a fixed row order; None when there is no store."""
    try:
        graph = LocalStore(store).read()
    except StoreError as exc:
        assert "no graph stored here yet" in str(exc), exc
        return None
    return {name: df.astype(str).sort_values(list(df.columns)).reset_index(drop=True)
            for name, df in graph.tables().items()}


def _same(got, expected) -> bool:
    if got is None or expected is None:
        return got is expected
    return all(got[name].equals(expected[name]) for name in expected)


def _drive(config: dict) -> dict:
    path = Path(config["root"]) / f"{config['points'] if isinstance(config['points'], str) else 'stops'}.json"
    path.write_text(json.dumps(config))
    subprocess.run([sys.executable, str(DRIVER), str(path)], check=True, timeout=900)
    return config


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """Two loads, each stopped at every operation: the first load into nothing, a page into a store."""
    root = tmp_path_factory.mktemp("crash")
    template = root / "template"
    workflows.load([SAMPLE_TABLES], store=template / "store")
    found = {}
    for name, before, sources in [("first load", None, [SAMPLE_TABLES]), ("page added", template, [SAMPLE_PAGE])]:
        folder = root / name.replace(" ", "-")
        folder.mkdir()
        config = {"sources": sources, "template": str(before) if before else None, "root": str(folder)}
        _drive({**config, "points": "count"})
        operations = json.loads((folder / "operations.json").read_text())
        _drive({**config, "points": list(range(1, len(operations) + 2))})  # the last one: not stopped
        clean = folder / "clean"
        workflows.load(sources, store=clean / "store")  # a store of these sources alone
        if before:
            clean = folder / "clean-after"
            workflows.load([SAMPLE_TABLES, *sources], store=clean / "store")
        found[name] = {
            "folder": folder, "operations": operations,
            "statuses": json.loads((folder / "statuses.json").read_text()),
            "before": _tables(before / "store") if before else None, "after": _tables(clean / "store"),
        }
    return found


@pytest.mark.parametrize("name", ["first load", "page added"])
def test_every_stop_leaves_the_graph_before_or_after(scenarios, name):
    scenario = scenarios[name]
    operations, statuses = scenario["operations"], scenario["statuses"]
    # What is stopped at: the store's own renames and removals are among them, not only staging writes.
    assert any(op == "rename store" for op in operations), operations
    assert any(op.startswith("fsync tree .store.new-") for op in operations), operations
    if name == "page added":
        assert any(op.startswith("rename .store.old-") for op in operations), operations
        assert any(op.startswith("rmtree .store.old-") for op in operations), operations
    assert len(operations) >= 30
    states = []
    for point, status in statuses["stopped"].items():
        stopped = int(point) <= len(operations)
        assert status == (77 if stopped else 0), f"stop {point} ({operations[int(point) - 1]}): exit {status}"
        store = scenario["folder"] / f"p{int(point):04d}" / "store"
        got = _tables(store)
        state = "before" if _same(got, scenario["before"]) else "after" if _same(got, scenario["after"]) else None
        where = operations[int(point) - 1] if stopped else "the end"
        assert state, f"stopped before '{where}': the store is neither the graph before nor the graph after"
        states.append(state)
        result = CliRunner().invoke(main, ["stats", "--store", str(store), "--json"])
        if got is None:
            assert result.exit_code == 1 and "no graph stored here yet" in result.output, result.output
        else:
            assert result.exit_code == 0, f"stats after a stop before '{where}': {result.output}"
            counts = json.loads(result.output)
            assert counts["films"] + counts["stub_films"] == len(got["films"])
    # Stops up to the store's swap leave the graph before; from the swap on, the graph after.
    swap = next(i for i, op in enumerate(operations) if op == "rename store")
    assert states == ["before"] * (swap + 1) + ["after"] * (len(states) - swap - 1)


@pytest.mark.parametrize("name", ["first load", "page added"])
def test_a_rerun_after_any_stop_equals_a_clean_load_and_leaves_nothing_behind(scenarios, name):
    scenario = scenarios[name]
    reruns = scenario["statuses"]["reruns"]
    assert len(reruns) >= 4  # distinct states left: staging only, source folder, old version aside, ...
    for point, status in reruns.items():
        folder = scenario["folder"] / f"r{int(point):04d}"
        assert status == 0, f"the rerun after stop {point} failed"
        assert _same(_tables(folder / "store"), scenario["after"]), f"the rerun after stop {point}"
        left = sorted(p.name for p in folder.iterdir() if p.name != "store" and not p.name.endswith(".lock"))
        assert left == [], f"after stop {point} and a rerun, left beside the store: {left}"
