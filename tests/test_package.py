"""The package users import: one name, reelgraph, that a user's own files cannot shadow."""

import subprocess
import sys

import reelgraph


def test_public_face_names_resolve():
    missing = [name for name in reelgraph.__all__ if getattr(reelgraph, name, None) is None]
    assert missing == []
    assert set(reelgraph.__all__) <= set(dir(reelgraph))


def test_a_graph_py_and_loaders_py_in_the_working_folder_break_nothing(tmp_path):
    # The wheel used to install top-level 'graph' and 'loaders' packages: a
    # user's own graph.py beside a notebook shadowed them.
    (tmp_path / "graph.py").write_text("raise SystemExit('the user graph.py was imported')\n")
    (tmp_path / "loaders.py").write_text("raise SystemExit('the user loaders.py was imported')\n")
    code = ("import graph, loaders\n"  # the user's own modules
            "import reelgraph as rg\n"
            "print(rg.read_sources(rg.SAMPLE_SOURCES).counts()['films'])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and "the user graph.py was imported" in proc.stderr  # theirs is theirs
    code = "import reelgraph as rg\nprint(rg.read_sources(rg.SAMPLE_SOURCES).counts()['films'])\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "30"
    proc = subprocess.run([sys.executable, "-m", "reelgraph", "parse", str(rg_sample_page())], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "tt1334260  Never Let Me Go (2010)  rating 7.1" in proc.stdout


def rg_sample_page():
    return reelgraph.SAMPLE_SOURCES[1]


def test_python_dash_m_reelgraph_is_the_command():
    proc = subprocess.run([sys.executable, "-m", "reelgraph", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: python -m reelgraph")
    assert "Explore:" in proc.stdout


def test_every_public_function_and_class_has_an_example():
    import inspect

    without = [name for name in reelgraph.__all__
               if callable(getattr(reelgraph, name))
               and not (inspect.isclass(getattr(reelgraph, name)) and issubclass(getattr(reelgraph, name), Exception))
               and ">>>" not in (inspect.getdoc(getattr(reelgraph, name)) or "")]
    assert without == []


def test_load_reads_a_path_with_a_tilde_as_a_shell_would(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copytree(reelgraph.SAMPLE_SOURCES[0], tmp_path / "sample-tables")
    result = reelgraph.load(["~/sample-tables"], store=tmp_path / "store")
    assert result.after == {"films": 29, "people": 281, "credits": 361, "similar": 11}
