"""Run ``reelgraph load`` and stop it dead at a chosen file operation: the driver of test_store_crash.py.

    python store_crash_driver.py CONFIG.json

CONFIG holds ``sources`` (what to load), ``template`` (a folder holding the
store as it is before the load, or null for none), ``root`` (where each run
gets a folder ``pNNNN`` of its own) and ``points``: the operations to stop
at, counted from 1, or ``"count"`` to run the load once to the end and write
the list of its operations to ``root/operations.json``.

Every operation that renames, writes, links, creates or deletes a file or
folder under the run's folder is counted (a whole ``shutil.rmtree`` or tree
``fsync`` counts as one, plus one stop just after its first deletion), and
the load is ended with ``os._exit`` just before the chosen one: no cleanup
runs, as with ``kill -9``.  Each run is a fork of this process, which has
imported reelgraph but run nothing, so a run costs the load's time only.
Then, for each distinct state the stopped runs left, the driver reruns the
same load to the end on a copy of it (``rNNNN``): the next command a user
would type.  Runs go two or more at a time, one per core.
"""

import builtins
import importlib
import io
import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import numba
import pyarrow.parquet as pq

import reelgraph.graph_index
import reelgraph.store
from reelgraph import workflows

STOPPED = 77  # the exit status of a run stopped at its operation


class _Operations:
    """The count of operations so far in this process, and where to stop."""

    def __init__(self, root: Path, stop_at: int | None):
        self.root, self.stop_at = str(root), stop_at
        self.count, self.muted, self.names = 0, 0, []

    def seen(self, kind: str, path) -> None:
        if self.muted or not isinstance(path, (str, bytes, os.PathLike)):
            return  # file objects and descriptors: their opening was counted
        path = os.fsdecode(os.fspath(path))
        if not os.path.abspath(path).startswith(self.root):
            return  # the interpreter's own files (caches), not the store's
        self.count += 1
        self.names.append(f"{kind} {os.path.relpath(os.path.abspath(path), self.root)}")
        if self.count == self.stop_at:
            os._exit(STOPPED)


def _install(operations: _Operations) -> None:
    def counted(owner, name, kind, which=0):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            operations.seen(kind, args[which] if len(args) > which else None)
            return original(*args, **kwargs)

        setattr(owner, name, wrapper)

    for name in ("rename", "replace", "link", "symlink"):
        counted(os, name, name, which=1)  # the target: the name that appears
    for name in ("unlink", "remove", "rmdir", "mkdir"):
        counted(os, name, name)
    counted(shutil, "copy2", "copy", which=1)
    counted(pq, "write_table", "write parquet", which=1)

    original_open = builtins.open

    def opened(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            operations.seen("write", file)
        return original_open(file, mode, *args, **kwargs)

    builtins.open = io.open = opened

    original_os_open = os.open

    def os_opened(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and not str(path).endswith(".lock"):
            operations.seen("write", path)
        return original_os_open(path, flags, *args, **kwargs)

    os.open = os_opened

    def as_one(owner, name, kind):
        """A whole tree operation is one stop, plus one just after its first file."""
        original = getattr(owner, name)

        def wrapper(path, *args, **kwargs):
            operations.seen(kind, path)
            operations.muted += 1
            first = {"done": False}
            original_unlink = os.unlink

            def first_then_muted(target, *a, **k):
                result = original_unlink(target, *a, **k)
                if not first["done"]:
                    first["done"] = True
                    operations.muted -= 1
                    operations.seen(f"{kind} (first file gone)", path)
                    operations.muted += 1
                return result

            os.unlink = first_then_muted
            try:
                return original(path, *args, **kwargs)
            finally:
                os.unlink = original_unlink
                operations.muted -= 1

        setattr(owner, name, wrapper)

    as_one(shutil, "rmtree", "rmtree")
    for module in (reelgraph.store, reelgraph.graph_index):
        as_one(module, "sync_tree", "fsync tree")


def _load(config: dict, folder: Path) -> None:
    workflows.load(config["sources"], store=folder / "store", **config.get("options", {}))


def _start(run) -> int:
    """Start ``run()`` in a child process; its process id."""
    pid = os.fork()
    if pid == 0:
        signal.alarm(300)  # a hung run fails the test rather than CI
        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - reported by the parent's assertion
            print(f"run failed: {exc!r}", file=sys.stderr)
            os._exit(3)
        os._exit(0)
    return pid


def _run_all(runs: list, workers: int) -> list[int]:
    """Run each of ``runs`` in a child, ``workers`` at a time; their exit statuses in order."""
    statuses, running, pending = [None] * len(runs), {}, list(enumerate(runs))
    while pending or running:
        while pending and len(running) < workers:
            position, run = pending.pop(0)
            running[_start(run)] = position
        pid, status = os.wait()
        statuses[running.pop(pid)] = os.waitstatus_to_exitcode(status)
    return statuses


def _fresh(config: dict, folder: Path) -> Path:
    if config["template"]:
        shutil.copytree(config["template"], folder)
    else:
        folder.mkdir()
    return folder


def _shape(folder: Path) -> str:
    """What a stopped run left, as a rerun sees it: the folder's entries with process ids and random
    suffixes taken out, and which version the store's manifest names."""
    names = sorted({re.sub(r"-[^.]*$", "-*", entry.name) if entry.name.startswith(".store.") else entry.name
                    for entry in folder.iterdir()})
    manifest = folder / "store" / "manifest.json"
    version = json.loads(manifest.read_text())["version"] if manifest.is_file() else None
    return json.dumps([names, version])


def _warm_up(modules_file: Path) -> None:
    """Import what a load imports and ready numba's compiler, once, before forking: runs then start in
    a fraction of the time.  Nothing here starts a thread, which a fork would not carry over."""
    for name in json.loads(modules_file.read_text()) if modules_file.is_file() else []:
        if not name.startswith("__"):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a module that imports only in its own context is left out
                pass
    numba.njit(lambda: 1)()


def main(config_file: str) -> None:
    config = json.loads(Path(config_file).read_text())
    root = Path(config["root"])
    workers = max(1, min(4, os.cpu_count() or 1))
    if config["points"] == "count":
        folder = _fresh(config, root / "count")
        names_file = root / "operations.json"

        def counted_run():
            operations = _Operations(folder, None)
            _install(operations)
            _load(config, folder)
            Path(names_file).write_bytes(json.dumps(operations.names).encode())  # written after the count
            (root / "modules.json").write_text(json.dumps(sorted(sys.modules)))

        assert _run_all([counted_run], 1) == [0], "the load failed without a stop"
        return

    _warm_up(root / "modules.json")

    def stopped_run(point):
        folder = root / f"p{point:04d}"
        _install(_Operations(folder, point))
        _load(config, folder)

    points = config["points"]
    for point in points:
        _fresh(config, root / f"p{point:04d}")
    statuses = _run_all([lambda point=point: stopped_run(point) for point in points], workers)
    # A rerun for each distinct state left behind (the states of stops inside one staging folder differ only
    # in what that folder holds, which a writer removes whole).
    shapes = {}
    for point in points:
        shapes.setdefault(_shape(root / f"p{point:04d}"), point)
    for point in shapes.values():
        shutil.copytree(root / f"p{point:04d}", root / f"r{point:04d}")
    reruns = _run_all([lambda point=point: _load(config, root / f"r{point:04d}") for point in shapes.values()], workers)
    (root / "statuses.json").write_text(json.dumps({
        "stopped": dict(zip(points, statuses)), "reruns": dict(zip(shapes.values(), reruns))}))


if __name__ == "__main__":
    main(sys.argv[1])
