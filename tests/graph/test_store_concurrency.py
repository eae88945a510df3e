"""One writer at a time, readers see one version, a stopped write is recovered: the store under concurrency.

Real processes, as users run them: several ``reelgraph load`` at once into
one store, and a reader reading while a writer writes.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore


def _tables_folder(folder, prefix: str, n: int):
    folder.mkdir(parents=True)
    (folder / "films.csv").write_text("id,title,year\n" + "".join(
        f"tt{prefix}{i:05d},Film {prefix}-{i},2000\n" for i in range(n)))
    (folder / "people.csv").write_text("id,name\n" + "".join(f"nm{prefix}{i:05d},Person {prefix}-{i}\n" for i in range(n)))
    (folder / "credits.csv").write_text("person_id,film_id,role\n" + "".join(
        f"nm{prefix}{i:05d},tt{prefix}{i:05d},actor\n" for i in range(n)))
    return folder


def test_concurrent_loads_of_different_sources_lose_none(tmp_path):
    # Four loads at once used to overwrite each other's sources (each merged onto the store it had read).
    folders = [_tables_folder(tmp_path / f"source{k}", f"{k + 1}", 300 + k) for k in range(4)]
    store = tmp_path / "store"
    procs = [subprocess.Popen([sys.executable, "-m", "reelgraph", "load", str(f), "--store", str(store), "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in folders]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [code for _, _, code in results] == [0, 0, 0, 0], results
    graph = LocalStore(store).read()
    assert graph.counts()["films"] == 300 + 301 + 302 + 303
    stored = sorted(s for part in LocalStore(store).manifest()["partitions"] for s in part["sources"])
    assert stored == sorted(str(f.resolve()) for f in folders)


WRITER = textwrap.dedent("""
    import sys
    from reelgraph.model import FilmGraph
    from reelgraph.store import LocalStore

    store = LocalStore(sys.argv[1])
    for k in range(1, 25):
        # version k: k films, each with one credit, so films == credits in every version
        store.write(FilmGraph.from_records(
            films=[{"id": f"tt{i:07d}", "title": f"F{i}"} for i in range(k * 40)],
            people=[{"id": f"nm{i:07d}", "name": f"P{i}"} for i in range(k * 40)],
            credits=[{"person_id": f"nm{i:07d}", "film_id": f"tt{i:07d}", "role": "actor"} for i in range(k * 40)]))
""")


def test_a_reader_never_sees_old_films_with_new_credits(tmp_path):
    store = LocalStore(tmp_path / "store")
    store.write(FilmGraph.from_records(films=[{"id": "tt0000000", "title": "F0"}],
                                       people=[{"id": "nm0000000", "name": "P0"}],
                                       credits=[{"person_id": "nm0000000", "film_id": "tt0000000", "role": "actor"}]))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store.path)], stderr=subprocess.PIPE, text=True)
    reads, seen = 0, set()
    try:
        while writer.poll() is None:
            counts = store.read().counts()
            assert counts["films"] == counts["credits"] == counts["people"], counts
            seen.add(counts["films"])
            reads += 1
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0, writer.stderr.read()
    assert reads > 5 and len(seen) > 1  # the reads did overlap the writes
    assert store.read().counts()["films"] == 24 * 40


def test_a_store_left_aside_by_a_stopped_write_is_put_back(tmp_path, caplog):
    store = LocalStore(tmp_path / "s")
    store.write(FilmGraph.from_records(films=[{"id": "tt0000001", "title": "A"}]))
    # A writer killed between its two renames: the store moved aside, the new one not yet in place.
    store.path.rename(tmp_path / ".s.old-4242")
    (tmp_path / ".s.new-abc").mkdir()  # and its staging folder
    assert store.read().counts()["films"] == 1
    assert "put back the store a stopped write left in .s.old-4242" in caplog.text
    store.write(FilmGraph.from_records(films=[{"id": "tt0000002", "title": "B"}]))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.swap.lock", ".s.write.lock", "s"]


def _holding(store) -> subprocess.Popen:
    """Another process that holds ``store`` for writing until a line comes on its stdin.

    No sleep to outlast on a busy machine: it lets go when told.
    """
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from reelgraph.store import LocalStore
        with LocalStore({str(store)!r}).writing():
            print("holding", flush=True)
            sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_writer_waits_and_says_so(tmp_path):
    store = tmp_path / "store"
    holder = _holding(store)
    source = _tables_folder(tmp_path / "src", "9", 10)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}  # the store's lock, not Neo4j's
    load = subprocess.Popen([sys.executable, "-m", "reelgraph", "load", str(source), "--store", str(store), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    waiting = load.stderr.readline()
    assert "another reelgraph is writing to this store; waiting for it to finish" in waiting
    assert load.poll() is None  # still waiting
    holder.communicate("done\n", timeout=30)
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, waiting + err
    assert LocalStore(store).read().counts()["films"] == 10


def test_with_no_wait_a_second_writer_fails_at_once_in_one_line(tmp_path):
    store = tmp_path / "store"
    holder = _holding(store)
    try:
        source = _tables_folder(tmp_path / "src", "8", 10)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        for command in (["load", str(source)], ["clusters"]):
            run = subprocess.run([sys.executable, "-m", "reelgraph", *command, "--store", str(store), "-q", "--no-wait"],
                                 capture_output=True, text=True, env=env, timeout=120)
            assert (run.returncode, run.stdout) == (1, ""), command
            assert run.stderr == (f"reelgraph: error: {store}: another reelgraph is writing to this store; "
                                  "not waiting (--no-wait)\n"), command
    finally:
        holder.communicate("done\n", timeout=30)
    assert not (store / "manifest.json").exists()  # nothing was written


@pytest.mark.parametrize("times", [2])
def test_writing_is_reentrant_within_a_process(tmp_path, times):
    store = LocalStore(tmp_path / "s")
    with store.writing():
        for k in range(times):
            store.write(FilmGraph.from_records(films=[{"id": f"tt000000{k}", "title": "A"}]))
        assert store.read().counts()["films"] == 1
