"""The bulk loader (neo4j-admin import) against real servers: same graph as sync_graph, refusals, failures.

The bulk import stops and restarts the server it fills, so it never touches
the shared test server: it fills a scratch home of its own (jars shared
through symlinks, free ports), and the shared test server (``neo4j_driver``)
holds what ``sync_graph`` makes of the same graph, for comparison.
"""

import shutil
from pathlib import Path

import pytest

from reelgraph.neo4j import server as ns
from reelgraph.model import FilmGraph, merge_graphs
from reelgraph.neo4j.bulk import (
    Neo4jBulkError,
    bulk_load,
    choose_loader,
    load_graph,
    managed_home,
    relationship_count,
    write_import_files,
)
from reelgraph.neo4j.sync import Neo4jSettings, connect, neo4j_counts, run_cypher, sync_graph

pytestmark = pytest.mark.neo4j


def _settings(home) -> Neo4jSettings:
    s = ns.connection_settings(home)
    return Neo4jSettings(uri=s["uri"], user=s["user"], password=s["password"])


def dump(driver) -> tuple[list, list]:
    """Every node and relationship with its properties (load_id left out), sorted: a whole graph to compare."""
    nodes = run_cypher(driver, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = run_cypher(driver, "MATCH (a)-[r]->(b) RETURN type(r) AS type, coalesce(a.id, a.name) AS a, "
                      "coalesce(b.id, b.name) AS b, properties(r) AS props")

    def strip(props):
        return {k: v for k, v in props.items() if k != "load_id"}

    node_rows = sorted((sorted(labels), sorted(strip(p).items())) for labels, p in zip(nodes["labels"], nodes["props"]))
    rel_rows = sorted((t, a, b, sorted(strip(p).items()))
                      for t, a, b, p in zip(rels["type"], rels["a"], rels["b"], rels["props"]))
    return node_rows, rel_rows


def stamps(driver) -> set:
    return set(run_cypher(driver, "MATCH (n) RETURN DISTINCT n.load_id AS s UNION "
                                  "MATCH ()-[r]->() RETURN DISTINCT r.load_id AS s").s)


def wipe(driver) -> None:
    run_cypher(driver, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", write=True)


@pytest.fixture(scope="module")
def scratch(neo4j_settings, tmp_path_factory, free_ports):
    """A running managed server in a scratch home (jars shared with the default home), stopped at the end."""
    source = ns.install()  # the default home: has (or fetches once) the jars
    home = tmp_path_factory.mktemp("bulk") / "neo4j-bulk"
    home.mkdir()
    for name in ("lib", "plugins"):
        (home / name).symlink_to(source / name, target_is_directory=True)
    ns.install(home)
    bolt, http = free_ports()
    ns.start(home, bolt_port=bolt, http_port=http, password="bulk-test-password", heap="512m", pagecache="128m",
             timeout=300)
    yield home
    ns.stop(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def scratch_driver(scratch):
    driver = connect(_settings(scratch))
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def bulk_loaded(scratch, sample_graph):
    """The sample bulk-loaded into the scratch server (once for the module)."""
    driver = connect(_settings(scratch))
    wipe(driver)
    driver.close()
    return bulk_load(sample_graph, scratch, progress=False)


def test_write_import_files_headers_and_tricky_values(tmp_path):
    graph = FilmGraph.from_records(
        films=[{"id": "tt0000001", "title": 'He said "no", then; left', "year": 2010, "rating": 7.1,
                "gross_worldwide": 2_923_706_026, "genres": ["Drama", "Sci;Fi"], "stub": False},
               {"id": "tt0000002", "title": "", "plot": "two\nlines", "keywords": []}],
        people=[{"id": "nm0000001", "name": "O'Brien, Pat \\ \u00e9"}],
        credits=[{"person_id": "nm0000001", "film_id": "tt0000001", "role": "actor", "characters": ['Ruth "R"', "a;b"],
                  "billing": 1, "star": True},
                 {"person_id": "nm0000001", "film_id": "tt0000001", "role": "editor", "job": "cut"},
                 {"person_id": "nm9999999", "film_id": "tt0000001", "role": "actor"}],  # no such person: left out
        similar=[{"film_id": "tt0000001", "similar_id": "tt0000002", "rank": 1, "source": "imdb-more-like-this"}])
    files = write_import_files(graph, tmp_path)
    nodes, relationships = files
    assert [p[0].name for _, p in nodes] == ["films.csv", "people.csv", "genres.csv"]
    assert [p[0].name for _, p in relationships] == ["credits.csv", "in_genre.csv", "similar.csv"]
    assert files.rows == {"films.csv": 2, "people.csv": 1, "genres.csv": 2, "credits.csv": 2, "in_genre.csv": 2,
                          "similar.csv": 1}
    assert files.extra_args == ["--id-type=integer", "--array-delimiter=U+001F", "--multiline-fields-format=v2",
                                f"--multiline-fields={(tmp_path / 'films.csv').resolve()}"]
    text = {name: (tmp_path / name).read_text() for name in files.rows}
    # Quoted text with inner quotes doubled; "" an empty string, nothing a missing value; ; kept inside a list item.
    assert text["films.csv"] == (
        ":ID(Film),id,:LABEL,title,year:long,rating:double,genres:string[],plot,gross_worldwide:long,"
        "stub:boolean\n"
        '0,"tt0000001",Film,"He said ""no"", then; left",2010,7.1,"Drama\x1fSci;Fi",,2923706026,false\n'
        '1,"tt0000002",Film,"",,,,"two\nlines",,\n')
    assert text["people.csv"] == ':ID(Person),id,:LABEL,name\n0,"nm0000001",Person,"O\'Brien, Pat \\ \u00e9"\n'
    assert text["genres.csv"] == ':ID(Genre),name,:LABEL\n0,"Drama",Genre\n1,"Sci;Fi",Genre\n'
    assert text["credits.csv"] == (
        ":START_ID(Person),:END_ID(Film),:TYPE,characters:string[],billing:long,star:boolean,job,role\n"
        '0,0,ACTED_IN,"Ruth ""R""\x1fa;b",1,true,,\n'
        '0,0,WORKED_ON,,,,"cut","editor"\n')
    assert text["in_genre.csv"] == ':START_ID(Film),:END_ID(Genre),:TYPE\n0,0,IN_GENRE\n0,1,IN_GENRE\n'
    assert text["similar.csv"] == (':START_ID(Film),:END_ID(Film),:TYPE,rank:long,source\n'
                                   '0,1,MORE_LIKE_THIS,1,"imdb-more-like-this"\n')


def test_array_delimiter_avoids_values_that_contain_it(tmp_path):
    graph = FilmGraph.from_records(films=[{"id": "tt0000001", "title": "x", "genres": ["a\x1fb", "c"]}])
    files = write_import_files(graph, tmp_path)
    assert files.extra_args == ["--id-type=integer", "--array-delimiter=U+001E"]
    assert '"a\x1fb\x1ec"' in (tmp_path / "films.csv").read_text()


def test_the_load_help_states_the_bulk_threshold():
    from click.testing import CliRunner

    from reelgraph.cli import main
    from reelgraph.neo4j.bulk import BULK_THRESHOLD

    help_text = " ".join(CliRunner().invoke(main, ["load", "--help"]).output.split())
    assert f"the import tool for over {BULK_THRESHOLD / 1e6:g}M relationships" in help_text


def test_bulk_counts_equal_sync(bulk_loaded, neo4j_driver, sample_graph, expected_counts):
    synced = sync_graph(neo4j_driver, sample_graph, progress=False)
    assert {k: bulk_loaded[k] for k in ("nodes", "relationships")} == synced == expected_counts(sample_graph)
    assert bulk_loaded["nodes"] == {"Film": 30, "Person": 281, "Genre": 16}
    assert bulk_loaded["relationships"] == {"ACTED_IN": 275, "DIRECTED": 29, "IN_GENRE": 68, "MORE_LIKE_THIS": 12,
                                            "WROTE": 57}


def test_bulk_graph_is_identical_to_the_synced_one(bulk_loaded, scratch_driver, neo4j_driver, sample_graph):
    sync_graph(neo4j_driver, sample_graph, progress=False)
    assert dump(scratch_driver) == dump(neo4j_driver)
    # A first load stamps nothing, whichever loader made it: nothing is stale yet.
    assert stamps(scratch_driver) == stamps(neo4j_driver) == {None}


def test_parallel_small_batches_give_the_same_graph(bulk_loaded, scratch_driver, neo4j_driver, sample_graph, expected_counts):
    """Tiny batches: the two-worker lanes, the CREATE path (empty database) and then the MERGE path."""
    created = sync_graph(neo4j_driver, sample_graph, progress=False, batch_size=7, workers=2)
    assert created == expected_counts(sample_graph)
    assert dump(neo4j_driver) == dump(scratch_driver)
    merged = sync_graph(neo4j_driver, sample_graph, progress=False, batch_size=7, workers=2)
    assert merged == created
    assert len(stamps(neo4j_driver)) == 1 and None not in stamps(neo4j_driver)  # a later sync stamps all it keeps
    assert dump(neo4j_driver) == dump(scratch_driver)
    assert sync_graph(neo4j_driver, sample_graph, progress=False, workers=1) == created


def test_bulk_values_round_trip(bulk_loaded, scratch_driver):
    film = run_cypher(scratch_driver, "MATCH (f:Film {id: $id}) RETURN f.title AS title, f.rating AS rating, "
                      "f.votes AS votes, f.year AS year, f.genres AS genres, f.stub AS stub, f.keywords[0] AS keyword",
                      {"id": "tt1334260"}).iloc[0].to_dict()
    assert film == {"title": "Never Let Me Go", "rating": 7.1, "votes": 141000, "year": 2010,
                    "genres": ["Drama", "Romance", "Sci-Fi", "Thriller"], "stub": False, "keyword": "dystopia"}
    # An empty list is no property at all, as sync_graph leaves it.
    assert run_cypher(scratch_driver, "MATCH (f:Film {id: 'tt1781769'}) RETURN f.keywords AS k, "
                      "f.rating AS r").values.tolist() == [[None, None]]
    ruth = run_cypher(scratch_driver, "MATCH (p:Person {name: $name})-[r:ACTED_IN]->(:Film {id: $id}) "
                      "RETURN r.characters AS characters, r.billing AS billing, r.star AS star",
                      {"name": "Keira Knightley", "id": "tt1334260"}).iloc[0].to_dict()
    assert ruth == {"characters": ["Ruth"], "billing": 1, "star": True}
    writers = run_cypher(scratch_driver, "MATCH (p:Person)-[w:WROTE]->(:Film {id: $id}) RETURN p.name AS name, "
                         "w.job AS job ORDER BY w.billing", {"id": "tt1334260"})
    assert writers.values.tolist() == [["Kazuo Ishiguro", "novel"], ["Alex Garland", "screenplay"]]
    links = run_cypher(scratch_driver, "MATCH (:Film {id: $id})-[m:MORE_LIKE_THIS]->(g) RETURN m.rank AS rank, "
                       "m.source AS source, g.title AS title ORDER BY rank", {"id": "tt1334260"})
    assert links["rank"].tolist() == list(range(1, 13))
    assert links.title.tolist()[:3] == ["An Education", "Shame", "Atonement"]
    assert set(links.source) == {"imdb-more-like-this"}
    types = run_cypher(scratch_driver, "MATCH (f:Film {id: $id}) RETURN valueType(f.year) AS y, valueType(f.rating) AS r",
                       {"id": "tt1334260"}).iloc[0].to_dict()
    assert types == {"y": "INTEGER NOT NULL", "r": "FLOAT NOT NULL"}


def test_bulk_load_creates_the_schema(bulk_loaded, scratch_driver):
    constraints = set(run_cypher(scratch_driver, "SHOW CONSTRAINTS YIELD name RETURN name").name)
    assert {"film_id", "person_id", "genre_name"} <= constraints
    indexes = run_cypher(scratch_driver, "SHOW INDEXES YIELD name, state RETURN name, state")
    assert {"person_name", "film_title", "film_year", "film_titles", "person_names"} <= set(indexes.name)
    assert set(indexes.state) == {"ONLINE"}
    hits = run_cypher(scratch_driver, "CALL db.index.fulltext.queryNodes('person_names', $q) YIELD node "
                      "RETURN node.name AS name LIMIT 1", {"q": "knightley"})
    assert hits.name.tolist() == ["Keira Knightley"]


def test_bulk_refuses_a_database_that_holds_data(bulk_loaded, scratch, scratch_driver, sample_graph):
    before = neo4j_counts(scratch_driver)
    with pytest.raises(Neo4jBulkError, match=r"holds 327 nodes and 441 relationships; the bulk loader only fills "
                                             r"an empty one") as info:
        bulk_load(sample_graph, scratch, progress=False)
    assert "\n" not in str(info.value)
    assert neo4j_counts(scratch_driver) == before


def test_bulk_refuses_a_home_that_is_not_a_running_managed_server(tmp_path, sample_graph):
    with pytest.raises(Neo4jBulkError, match="no reelgraph-managed Neo4j in"):
        bulk_load(sample_graph, tmp_path / "nothing", progress=False)
    stopped = tmp_path / "stopped"
    stopped.mkdir()
    for name in ("lib", "plugins"):  # the jars of the default home, when it has them, rather than a second copy
        if (ns.default_home() / name).is_dir():
            (stopped / name).symlink_to(ns.default_home() / name, target_is_directory=True)
    ns.install(stopped)
    with pytest.raises(Neo4jBulkError, match="is not running; start it with 'reelgraph neo4j start'"):
        bulk_load(sample_graph, stopped, progress=False)


def test_choose_loader(bulk_loaded, scratch, neo4j_settings, sample_graph):
    settings = _settings(scratch)
    assert relationship_count(sample_graph) == 361 + 12 + 68
    assert managed_home(settings, scratch) == scratch
    assert managed_home(neo4j_settings, scratch) is None  # another server
    assert choose_loader(sample_graph, settings, bulk=True, home=scratch) == "bulk"
    assert choose_loader(sample_graph, settings, bulk=False, home=scratch) == "batched"
    # Small graph: batched, whatever the target.
    assert choose_loader(sample_graph, settings, home=scratch) == "batched"
    # Big enough, but the managed database holds data: batched.
    assert choose_loader(sample_graph, settings, home=scratch, threshold=100) == "batched"
    # Big enough, but not the managed server: batched, and --bulk is refused.
    assert choose_loader(sample_graph, neo4j_settings, home=scratch, threshold=100) == "batched"
    with pytest.raises(Neo4jBulkError, match="--bulk fills only the running reelgraph-managed Neo4j"):
        load_graph(sample_graph, neo4j_settings, bulk=True, home=scratch, progress=False)


def test_tricky_values_bulk_equal_sync(bulk_loaded, scratch, scratch_driver, neo4j_driver, sample_graph, expected_counts):
    tricky = FilmGraph.from_records(
        films=[{"id": "tt9000001", "title": 'Quote "q", comma; semi \\ back', "year": 1999, "rating": 6.35,
                "gross_worldwide": 2_923_706_026, "genres": ["Drama", "Sci;Fi"], "plot": "line one\nline two\r\n",
                "keywords": ["a,b", 'c"d'], "tagline": "", "stub": False},
               {"id": "tt9000002", "title": "\u6f22\u5b57 \u00e9\u00e8 \U0001f3ac", "genres": []}],
        people=[{"id": "nm9000001", "name": "O'Brien, \"Pat\"", "professions": ["actor", "x;y"]},
                {"id": "name:jo", "name": "Jo"}],
        credits=[{"person_id": "nm9000001", "film_id": "tt9000001", "role": "actor",
                  "characters": ["Himself; narrator", 'The "Boss"'], "billing": 3, "star": False},
                 {"person_id": "nm9000001", "film_id": "tt9000002", "role": "cinematographer", "job": "DoP"},
                 {"person_id": "name:jo", "film_id": "tt9000001", "role": "self", "characters": []}],
        similar=[{"film_id": "tt9000001", "similar_id": "tt1334260", "rank": 4, "source": "imdb-more-like-this"}])
    graph = merge_graphs(sample_graph, tricky)
    wipe(scratch_driver)
    counts = load_graph(graph, _settings(scratch), bulk=True, home=scratch, progress=False)
    assert counts == ("bulk", expected_counts(graph))
    sync_graph(neo4j_driver, graph, progress=False)
    assert dump(scratch_driver) == dump(neo4j_driver)
    film = run_cypher(scratch_driver, "MATCH (f:Film {id: 'tt9000001'}) RETURN f.title AS t, f.plot AS p, "
                      "f.gross_worldwide AS g, f.keywords AS k, f.tagline AS tag, f.genres AS genres").iloc[0].to_dict()
    assert film == {"t": 'Quote "q", comma; semi \\ back', "p": "line one\nline two\r\n", "g": 2_923_706_026,
                    "k": ["a,b", 'c"d'], "tag": "", "genres": ["Drama", "Sci;Fi"]}
    worked = run_cypher(scratch_driver, "MATCH (:Person)-[r:WORKED_ON]->(f:Film) RETURN r.role AS role, "
                        "coalesce(r.job, '-') AS job, f.id AS film ORDER BY role")
    assert worked.values.tolist() == [["cinematographer", "DoP", "tt9000002"], ["self", "-", "tt9000001"]]


def test_a_failed_import_says_why_in_one_line_and_restarts_the_server(bulk_loaded, scratch, scratch_driver,
                                                                      sample_graph, monkeypatch):
    import reelgraph.neo4j.bulk as bulk

    real = bulk.write_import_files

    def broken(film_graph, folder, **kwargs):
        files = real(film_graph, folder, **kwargs)
        path = files.relationships[0][1][0]  # credits.csv: add a credit of nobody
        columns = path.read_text().split("\n", 1)[0].count(",") + 1
        with open(path, "a") as out:
            out.write("999999,0,ACTED_IN" + "," * (columns - 3) + "\n")
        return files

    monkeypatch.setattr(bulk, "write_import_files", broken)
    wipe(scratch_driver)
    with pytest.raises(Neo4jBulkError, match=r"neo4j-admin import failed: credits\.csv line \d+: .*referring to missing node 999999 .*"
                                             r"the database is empty") as info:
        bulk_load(sample_graph, scratch, progress=False)
    assert "\n" not in str(info.value)
    assert ns.status(scratch)["running"]
    with connect(_settings(scratch)) as driver:
        assert neo4j_counts(driver) == {"nodes": {"Film": 0, "Person": 0, "Genre": 0}, "relationships": {}}


def test_a_failed_write_restarts_the_server_and_leaves_the_database_as_it_was(bulk_loaded, scratch, scratch_driver,
                                                                              sample_graph, monkeypatch):
    """The server stops while the files are written; a write that fails still gets it back."""
    import reelgraph.neo4j.bulk as bulk

    def full_disk(film_graph, folder, **kwargs):
        raise OSError(28, "No space left on device", str(Path(folder) / "credits.csv"))

    monkeypatch.setattr(bulk, "write_import_files", full_disk)
    wipe(scratch_driver)
    with pytest.raises(OSError, match="No space left on device"):
        bulk_load(sample_graph, scratch, progress=False)
    assert ns.status(scratch)["running"]
    assert not list((scratch / "import").glob("reelgraph-bulk-*"))
    with connect(_settings(scratch)) as driver:
        assert neo4j_counts(driver) == {"nodes": {"Film": 0, "Person": 0, "Genre": 0}, "relationships": {}}


# -- from Parquet files (out of core): the same database ---------------------------------------


def test_bulk_from_parquet_is_identical_to_the_synced_one(scratch, neo4j_driver, sample_graph, expected_counts,
                                                          tmp_path, monkeypatch):
    """The sample plus tricky values, bulk-loaded from its Parquet files, never read into pandas."""
    from reelgraph.store import TableFiles, _write_tables

    tricky = FilmGraph.from_records(
        films=[{"id": "tt9000001", "title": 'Quote "q", comma; semi \\ back', "year": 1999, "rating": 0.1 + 0.2,
                "genres": ["Drama", "Sci;Fi"], "plot": "line one\nline two\r\n", "keywords": ["a,b", 'c"d'],
                "tagline": "", "stub": False}],
        people=[{"id": "nm9000001", "name": "O'Brien, \"Pat\"", "professions": ["actor", "x;y"]}],
        credits=[{"person_id": "nm9000001", "film_id": "tt9000001", "role": "cinematographer", "job": "DoP"},
                 {"person_id": "nm9000001", "film_id": "tt9000001", "role": "actor", "characters": ["A\nB", '"C"']}])
    graph = merge_graphs(sample_graph, tricky)
    _write_tables(graph, tmp_path / "tables")
    tables = TableFiles(tmp_path / "tables")
    monkeypatch.setattr(TableFiles, "read", lambda self: pytest.fail("the bulk route read the tables into pandas"))
    with connect(_settings(scratch)) as driver:
        wipe(driver)
    loader, counts = load_graph(tables, _settings(scratch), bulk=True, home=scratch, progress=False)
    assert (loader, counts) == ("bulk", expected_counts(graph))
    sync_graph(neo4j_driver, graph, progress=False)
    with connect(_settings(scratch)) as driver:
        assert dump(driver) == dump(neo4j_driver)
        assert stamps(driver) == {None}
        film = run_cypher(driver, "MATCH (f:Film {id: 'tt9000001'}) RETURN f.rating AS r, f.plot AS p, "
                                  "f.tagline AS t").iloc[0].to_dict()
        assert film == {"r": 0.1 + 0.2, "p": "line one\nline two\r\n", "t": ""}
        indexes = run_cypher(driver, "SHOW INDEXES YIELD name, state RETURN name, state")
        assert {"person_name", "film_titles", "person_names"} <= set(indexes.name) and set(indexes.state) == {"ONLINE"}


def test_choose_loader_counts_relationships_of_parquet_files(scratch, sample_graph, tmp_path):
    from reelgraph.store import TableFiles, _write_tables

    _write_tables(sample_graph, tmp_path / "tables")
    tables = TableFiles(tmp_path / "tables")
    assert relationship_count(tables) == relationship_count(sample_graph) == 441
    assert relationship_count(tables, above=100) == 373  # credits and links already say "more": no genre scan
    with connect(_settings(scratch)) as driver:
        wipe(driver)
    assert choose_loader(tables, _settings(scratch), home=scratch, threshold=100) == "bulk"
    assert choose_loader(tables, _settings(scratch), home=scratch) == "batched"


def test_a_batched_load_of_parquet_files_reads_them(scratch, sample_graph, expected_counts, tmp_path):
    """Into a database that holds data the batched sync runs, from the tables read into memory."""
    from reelgraph.store import TableFiles, _write_tables

    _write_tables(sample_graph, tmp_path / "tables")
    with connect(_settings(scratch)) as driver:
        wipe(driver)
    loaded = load_graph(TableFiles(tmp_path / "tables"), _settings(scratch), home=scratch, progress=False)
    assert loaded == ("batched", expected_counts(sample_graph))


def test_sync_after_bulk_keeps_the_graph(scratch, sample_graph, expected_counts):
    """Last: a batched sync on a bulk-loaded database changes nothing but the stamps."""
    with connect(_settings(scratch)) as driver:
        wipe(driver)
    loaded = bulk_load(sample_graph, scratch, progress=False)
    with connect(_settings(scratch)) as driver:
        before = dump(driver)
        counts = sync_graph(driver, sample_graph, progress=False)
        assert counts == {k: loaded[k] for k in ("nodes", "relationships")} == expected_counts(sample_graph)
        assert dump(driver) == before
        new = stamps(driver)
        assert len(new) == 1 and None not in new  # the bulk load stamped nothing; this sync stamped everything
        assert sync_graph(driver, sample_graph, progress=False) == counts
