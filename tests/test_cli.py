"""The command line: the demo, parse's JSON contract, load/stats, and bad input."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.model import CREDIT_COLUMNS, FILM_COLUMNS, PEOPLE_COLUMNS, SIMILAR_COLUMNS
from reelgraph.store import LocalStore
from reelgraph.loaders.sample import SAMPLE_DIR

SEED = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("REELGRAPH_STORE", str(tmp_path / "store"))
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_demo_summarises_the_sample(run, tmp_path):
    result = run("demo", "--quiet")
    assert result.exit_code == 0, result.output
    assert "films:            29 (+ 1 known only from 'More like this')" in result.output
    assert "people:           281" in result.output
    assert "more like this:   12 links" in result.output
    assert "best connected:   Carey Mulligan" in result.output
    assert f"graph stored in {tmp_path / 'store'}" in result.output
    # The two people farthest apart in the sample (its diameter is 5), as 'reelgraph path' finds them.
    assert "co-star path:     Alexander Rendel to Brian Milligan, the two people farthest apart" in result.output
    assert "distance 5\n" in result.output
    stats = json.loads(run("stats", "--json").output)
    assert (stats["films"], stats["stub_films"], stats["people"], stats["credits"]) == (29, 1, 281, 361)
    assert stats["credits_by_role"] == {"actor": 275, "writer": 57, "director": 29}


def test_demo_twice_changes_nothing(run, tmp_path):
    run("demo", "--quiet")
    first = LocalStore(tmp_path / "store").read().counts()
    run("demo", "--quiet")
    assert LocalStore(tmp_path / "store").read().counts() == first


def test_parse_json_contract(run):
    result = run("parse", SEED, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["films", "people", "credits", "similar", "pages"]
    assert data["pages"] == [{
        "file": str(SEED), "kind": "main", "layout": "copied text", "films": [{"id": "tt1334260", "title": "Never Let Me Go"}],
        "cast": 18, "crew": {"director": 1, "writer": 2}, "links": 12, "keywords": 5, "incomplete": {}}]
    for table, columns in (("films", FILM_COLUMNS), ("people", PEOPLE_COLUMNS), ("credits", CREDIT_COLUMNS),
                           ("similar", SIMILAR_COLUMNS)):
        assert set(columns) <= set(data[table][0]), table
    film = next(f for f in data["films"] if f["id"] == "tt1334260")
    assert (film["title"], film["year"], film["rating"], film["votes"], film["runtime_minutes"]) == (
        "Never Let Me Go", 2010, 7.1, 141000, 103)
    assert film["genres"] == ["Drama", "Romance", "Sci-Fi", "Thriller"]
    assert len(data["credits"]) == 21 and len(data["similar"]) == 12
    assert data["credits"][0] == {
        "person_id": "name:keira-knightley", "film_id": "tt1334260", "role": "actor", "characters": ["Ruth"],
        "job": None, "billing": 1, "star": True, "source": "imdb-text"}


def test_load_reports_counts_and_is_idempotent(run, tmp_path):
    first = run("load", SEED, "--json")
    assert first.exit_code == 0
    report = json.loads(first.output)
    assert report["before"]["films"] == 0 and report["after"]["films"] == 13
    again = json.loads(run("load", SEED, "--json").output)
    assert again["before"] == again["after"] == report["after"]


def _truncated_html(path):
    path.write_text('<html><head><title>Never Let Me Go (2010) - IMDb</title>'
                    '<link rel="canonical" href="https://www.imdb.com/title/tt1334260/">'
                    '<script id="__NEXT_DATA__" type="application/json">'
                    '{"props":{"pageProps":{"aboveTheFoldData":{"id":"tt1334260","titleText":{"text":"Never Le')


def _keywords_page(path):
    path.write_text("Never Let Me Go (2010) - Plot keywords - IMDb\nhttps://www.imdb.com/title/tt1334260/keywords/\n"
                    "dystopia clone\n")


def _no_cast(path):
    text = SEED.read_text()
    path.write_text(text[: text.index("Top cast")])


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("empty.txt", lambda p: p.write_bytes(b""), "empty file"),
        ("binary.txt", lambda p: p.write_bytes(bytes(range(256)) * 4), "binary file"),
        ("latin1.txt", lambda p: p.write_bytes("Amélie (2001) - IMDb\n".encode("latin-1")), "not UTF-8"),
        ("keywords.txt", _keywords_page, "keywords page"),
        ("truncated.html", _truncated_html, "__NEXT_DATA__"),
        ("nocast.txt", _no_cast, "no cast"),
        ("missing.txt", None, "no such file"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(run, tmp_path, name, make, message):
    bad = tmp_path / name
    if make:
        make(bad)
    result = CliRunner().invoke(main, ["load", str(SEED), str(bad)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"reelgraph: error: {bad}")
    assert message in lines[0]
    assert not LocalStore(tmp_path / "store").exists()


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = subprocess.run([sys.executable, "-m", "reelgraph", "load", str(empty)], capture_output=True, text=True,
                          env={"REELGRAPH_STORE": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert proc.stderr == f"reelgraph: error: {empty}: empty file\n"
    assert "Traceback" not in proc.stdout + proc.stderr


def test_stats_without_a_store_says_what_to_do(run, tmp_path):
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    assert "no graph stored here yet; run 'reelgraph load SOURCE' or 'reelgraph demo'" in result.output


def test_a_reader_that_stops_early_gets_no_error(tmp_path):
    """`reelgraph demo | head -1`: the closed pipe ends the command quietly (exit 141, as a shell reports it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}  # the local store only
    proc = subprocess.Popen([sys.executable, "-m", "reelgraph", "demo", "--store", str(tmp_path / "store")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().startswith("reelgraph demo: the sample around 'Never Let Me Go' (2010)")
    proc.stdout.close()
    assert proc.wait(timeout=300) == 141
    stderr = proc.stderr.read()
    assert "error" not in stderr and "Traceback" not in stderr, stderr


def test_a_folder_with_a_bad_page_loads_nothing_unless_told_to_skip_it(run, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "never-let-me-go.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (pages / "broken.html").write_bytes(b"\x00\x01binary")
    runner = CliRunner()
    stopped = runner.invoke(main, ["load", str(pages), "--quiet"])
    assert stopped.exit_code == 2
    assert stopped.output.strip().startswith(f"reelgraph: error: {pages / 'broken.html'}:")
    assert not (tmp_path / "store" / "manifest.json").exists()  # nothing stored

    skipped = runner.invoke(main, ["load", str(pages), "--quiet", "--on-error", "skip"])
    assert skipped.exit_code == 0, skipped.output
    assert f"reelgraph: skipped {pages / 'broken.html'}: " in skipped.output
    assert "loaded 1 source into" in skipped.output
    assert LocalStore(tmp_path / "store").read().films.set_index("id").loc["tt1334260", "title"] == "Never Let Me Go"
    as_json = json.loads(runner.invoke(main, ["load", str(pages), "-q", "--on-error", "skip", "--json"]).stdout)
    assert [entry["path"] for entry in as_json["skipped"]] == [str(pages / "broken.html")]


def test_a_load_that_only_adds_reports_nothing_removed(run):
    run("load", SEED, "--quiet")
    result = run("load", SAMPLE_DIR / "tables", "--quiet")
    assert "  films           13 ->        30   (17 added, 11 updated, 0 removed)" in result.output
    assert "  similar         12 ->        12   (0 added, 11 updated, 0 removed)" in result.output


def test_parse_says_no_rating_rather_than_none(run, tmp_path):
    page = tmp_path / "unrated.txt"
    page.write_text(SEED.read_text(encoding="utf-8").replace("IMDb RATING 7.1/10 141K ", ""),
                    encoding="utf-8")
    result = run("parse", page)
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert "  tt1334260  Never Let Me Go (2010)  no rating" in result.output


#: What numpy advises for its large arrays in this process (huge pages or not).
_ADVICE = """
try:
    from numpy._core.multiarray import _get_madvise_hugepage
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _get_madvise_hugepage
print(_get_madvise_hugepage())
"""
_ADVICE_AFTER_COMMAND = """
import sys
from reelgraph.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
""" + _ADVICE


@pytest.mark.parametrize("args, default", [(["stats"], False), (["show", "--help"], False), (["load", "--help"], True)])
def test_short_commands_ask_numpy_for_no_huge_pages(tmp_path, args, default):
    """A command that answers and exits allocates its big arrays without huge-page advice; a load keeps numpy's default."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"} | {"REELGRAPH_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-c", _ADVICE_AFTER_COMMAND, *args], capture_output=True, text=True, env=env, timeout=120)
    numpy_default = subprocess.run([sys.executable, "-c", _ADVICE], capture_output=True, text=True, env=env, timeout=60).stdout.strip()
    assert done.stdout.strip().splitlines()[-1] == (numpy_default if default else "False"), done.stderr
