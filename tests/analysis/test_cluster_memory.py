"""Clustering a store too big for the machine stops at once with one line, not killed by the kernel halfway."""

import pytest
from click.testing import CliRunner

from reelgraph import _memory, workflows
from reelgraph.cli import main
from reelgraph.errors import TooBigError
from reelgraph.loaders.sample import SAMPLE_SOURCES


@pytest.fixture
def sample_store(tmp_path):
    workflows.load(SAMPLE_SOURCES, store=tmp_path / "store")
    return tmp_path / "store"


def test_a_store_too_big_for_free_memory_is_refused_before_reading(sample_store, monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 200_000)  # 200 kB free
    before = (sample_store / "films.parquet").read_bytes()
    with pytest.raises(TooBigError, match=r"^clustering 30 films and 361 credits would need about 0\.0 GB of memory "
                                          r"and 0\.0 GB is free: cluster a store of fewer titles \(reelgraph load "
                                          r"DATASETS --title-types movie --min-votes N --store SMALLER\)$"):
        workflows.cluster(sample_store)
    assert (sample_store / "films.parquet").read_bytes() == before  # no cluster ids written


def test_the_cli_says_it_in_one_line_and_exits_1(sample_store, monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 200_000)
    result = CliRunner().invoke(main, ["clusters", "--store", str(sample_store), "--quiet"], env={"NEO4J_URI": ""})
    assert result.exit_code == 1
    assert result.output.startswith("reelgraph: error: clustering 30 films and 361 credits would need about")
    assert result.output.count("\n") == 1


def test_the_estimate_is_the_measured_cost_per_row():
    # 490k movies, 3.97M credits: 6.3 GB measured at the peak (benchmarks/results/analysis.json).
    assert 6.0 < _memory.cluster_memory({"films": 489_788, "credits": 3_965_645}) / 2**30 < 6.5
    # The whole IMDb (11.8M films, 95.3M credits): far beyond a 24 GB machine.
    assert _memory.cluster_memory({"films": 11_800_000, "credits": 95_300_000}) / 2**30 > 100
    _memory.check_fits(_memory.cluster_memory({"films": 30, "credits": 361}), "clustering", "narrow it")
