"""Refreshing the graph with a newer copy of IMDb's datasets: the result equals a clean load."""

import gzip
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.store import LocalStore
from reelgraph.loaders.sample import SAMPLE_DIR
from reelgraph.loaders.synth import write_synthetic_datasets

SEED = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"


def _read(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header, *lines = handle.read().splitlines()
    return header, [line.split("\t") for line in lines]


def _write(path, header, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join([header, *("\t".join(r) for r in rows)]) + "\n")


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Version A of a small datasets folder, and version B: ratings changed, credits removed, a title added."""
    root = tmp_path_factory.mktemp("imdb")
    a, b = root / "a", root / "b"
    write_synthetic_datasets(a, titles=400, seed=7, movie_share=1.0, progress=False)
    shutil.copytree(a, b)
    header, ratings = _read(b / "title.ratings.tsv.gz")
    changed = [r[0] for r in ratings[:20]]
    for r in ratings[:20]:
        r[1], r[2] = "9.9", str(int(r[2]) + 1000)
    _write(b / "title.ratings.tsv.gz", header, ratings)
    header, principals = _read(b / "title.principals.tsv.gz")
    kept = [r for r in principals if r[3] in ("actor", "actress")]
    removed = kept[:15]
    _write(b / "title.principals.tsv.gz", header, [r for r in principals if r not in removed] +
           [["tt9999991", "1", removed[0][2], "actor", "\\N", '["Newcomer"]']])
    header, basics = _read(b / "title.basics.tsv.gz")
    basics.append(["tt9999991", "movie", "A Brand New Film", "A Brand New Film", "0", "2026", "\\N", "99", "Drama"])
    _write(b / "title.basics.tsv.gz", header, basics)
    return a, b, changed, removed


def _load(store, *sources):
    result = CliRunner().invoke(main, ["load", "--quiet", "--json", "--store", str(store), *map(str, sources)],
                                env={"NEO4J_URI": ""})
    assert result.exit_code == 0, result.output
    return result


def _canonical(graph):
    out = {}
    for name, df in graph.tables().items():
        df = df.drop(columns=["cluster"], errors="ignore").astype(object)
        df = df.map(lambda v: tuple(v) if isinstance(v, list) else (None if v is None or v is pd.NA else v))
        out[name] = sorted(map(tuple, df.astype(str).values.tolist()))
    return out


def test_refresh_equals_a_clean_load_and_keeps_pages(tmp_path, versions):
    a, b, changed, removed = versions
    _load(tmp_path / "refreshed", a, SEED)
    import json

    report = json.loads(_load(tmp_path / "refreshed", b).output)
    _load(tmp_path / "clean", b, SEED)
    refreshed, clean = LocalStore(tmp_path / "refreshed").read(), LocalStore(tmp_path / "clean").read()
    assert _canonical(refreshed) == _canonical(clean)

    films = refreshed.films.set_index("id")
    assert (films.loc[changed, "rating"] == 9.9).all()
    assert films.loc["tt9999991", "title"] == "A Brand New Film"
    credits = set(zip(refreshed.credits.person_id, refreshed.credits.film_id))
    assert not {(r[2], r[0]) for r in removed[1:]} & credits
    # The saved page and its "More like this" links are still there.
    assert films.loc["tt1334260", "rating"] == 7.1
    assert len(refreshed.similar) == 12
    assert report["changes"]["films"]["added"] == 1
    assert report["changes"]["films"]["updated"] >= 20
    assert report["changes"]["credits"]["removed"] >= 14


def test_loading_the_same_copy_again_changes_nothing(tmp_path, versions):
    import json

    a, _, _, _ = versions
    _load(tmp_path / "s", a)
    report = json.loads(_load(tmp_path / "s", a).output)
    assert all(change == {"added": 0, "updated": 0, "removed": 0} for change in report["changes"].values())


@pytest.mark.neo4j
def test_refresh_in_neo4j_equals_a_clean_load(tmp_path, versions, neo4j_driver):
    from reelgraph.neo4j.sync import neo4j_counts, run_cypher, sync_graph

    a, b, changed, _ = versions
    _load(tmp_path / "s", a, SEED)
    sync_graph(neo4j_driver, LocalStore(tmp_path / "s").read(), progress=False)
    _load(tmp_path / "s", b)
    refreshed = sync_graph(neo4j_driver, LocalStore(tmp_path / "s").read(), progress=False)
    query = "MATCH (p:Person)-[r]->(f:Film) RETURN p.id AS p, type(r) AS t, f.id AS f, f.rating AS rating ORDER BY p, t, f"
    refreshed_rows = run_cypher(neo4j_driver, query)
    with neo4j_driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    _load(tmp_path / "clean", b, SEED)
    clean = sync_graph(neo4j_driver, LocalStore(tmp_path / "clean").read(), progress=False)
    assert refreshed == clean == neo4j_counts(neo4j_driver)
    pd.testing.assert_frame_equal(refreshed_rows, run_cypher(neo4j_driver, query))
    ratings = run_cypher(neo4j_driver, "MATCH (f:Film) WHERE f.id IN $ids RETURN DISTINCT f.rating AS r", {"ids": changed})
    assert ratings.r.tolist() == [9.9]
