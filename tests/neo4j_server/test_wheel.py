"""The built wheel, installed into a fresh venv, runs the local Neo4j from outside the checkout.

This is what a user gets from ``pip install reelgraph``: no editable paths,
no checkout on ``sys.path``, ``pom.xml`` and the example queries as package
data.  The home is new, so ``start`` fetches the jars with the packaged
``pom.xml`` (from ``~/.m2`` once Maven has them: no download).

Kept fast: the wheel is built from a copy of the sources (so nothing is
written into the shared checkout), the venv is made without pip (the running
pip installs into it), and the build backend and the dependencies come from
pip's cache after the first run.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reelgraph.neo4j import server as ns

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
#: What the wheel is built from (pyproject.toml names these folders).
SOURCES = ("pyproject.toml", "README.md", "graph", "loaders")


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    run = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kwargs)
    assert run.returncode == 0, f"{cmd}: {run.stdout[-2000:]}{run.stderr[-2000:]}"
    return run


def test_wheel_in_a_fresh_venv(tmp_path, free_ports):
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    # Build isolation: pyproject's setuptools>=68 (and wheel), from pip's cache after the first run.
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
          "-w", wheels, source])
    (wheel,) = wheels.glob("reelgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"reelgraph/neo4j/pom.xml", "reelgraph/neo4j/server.py", "reelgraph/cli/neo4j.py",
            "reelgraph/neo4j/queries/costars.cypher"} <= names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python, command = venv / "bin" / "python", venv / "bin" / "reelgraph"
    # --no-compile: byte-compiling all of pandas, pyarrow, numba ... up front took 16 of 38 s; the
    # few modules the commands import compile as they are first imported.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile",
          "--disable-pip-version-check", wheel])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEO4J_", "REELGRAPH_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # java and mvn stay on PATH
    where = _run([python, "-c", "import reelgraph; print(reelgraph.__file__)"], cwd=elsewhere, env=env).stdout
    assert Path(where.strip()).is_relative_to(venv / "lib")

    home = tmp_path / "home"
    bolt, http = free_ports()
    try:
        _run([command, "neo4j", "start", "--home", home, "--bolt-port", bolt, "--http-port", http,
              "--heap", "512m", "--pagecache", "64m"], cwd=elsewhere, env=env)
        info = json.loads(_run([command, "neo4j", "status", "--home", home, "--json"], cwd=elsewhere, env=env).stdout)
        assert (info["running"], info["bolt_ready"], info["uri"], info["version"], info["home"]) == (
            True, True, f"bolt://127.0.0.1:{bolt}", ns.NEO4J_VERSION, str(home))
    finally:
        stop = subprocess.run([command, "neo4j", "stop", "--home", home], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
    assert stop.returncode == 0, stop.stderr
    status = subprocess.run([command, "neo4j", "status", "--home", home], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=120)
    assert (status.returncode, status.stdout) == (3, f"stopped ({home})\n")
    # 200 MB of jars and the store: pytest keeps the last runs' tmp dirs.
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
