"""Will a run fit in memory?  Checked before it starts, from the store's counts; and the process's own memory.

A run that holds the whole graph in memory (clustering reads every table and
builds the similarity graph) is killed by the kernel, with no message, when
the store is larger than the machine.  :func:`check_fits` stops it first
with a :class:`~reelgraph.errors.TooBigError` naming the option that narrows
it.  The cost per row is measured, not derived: see :data:`CLUSTER_BYTES`.
A long build reads its own resident memory and hands freed heap back
(:func:`resident_memory`, :func:`trim_malloc`).
"""

from __future__ import annotations

import ctypes
import os

from reelgraph.errors import TooBigError

__all__ = ["CLUSTER_BYTES", "available_memory", "check_fits", "cluster_memory", "resident_memory", "trim_malloc"]

#: Bytes clustering holds per stored credit and per film: the peak of
#: ``benchmarks/bench_analysis.py`` (6.3 GB for 490k films and 3.97M credits:
#: the tables in pandas, the mirror, the similarity graph, Louvain), rounded up.
CLUSTER_BYTES = {"credits": 1_400, "films": 2_000}


def cluster_memory(counts: dict) -> int:
    """Bytes :func:`reelgraph.workflows.cluster` needs for a store of these counts (its manifest's).

    Examples
    --------
    >>> round(cluster_memory({"films": 489_788, "credits": 3_965_645}) / 2**30, 1)
    6.1
    """
    return sum(per_row * int(counts.get(table, 0)) for table, per_row in CLUSTER_BYTES.items())


def available_memory() -> int | None:
    """Bytes the kernel says can be had without swapping (``MemAvailable``); None where it does not say."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_fits(needed: int, what: str, narrower: str, available: int | None = None) -> None:
    """Raise :class:`TooBigError` when ``needed`` bytes exceed what is free.

    Parameters
    ----------
    needed : int
        Bytes the run would hold.
    what : str
        The run, as the message names it ("clustering 11.8M films").
    narrower : str
        What the user can do to narrow it.
    available : int, optional
        Free bytes; default :func:`available_memory` (no check where unknown).

    Examples
    --------
    >>> check_fits(2 * 2**30, "clustering 1,000 films", "load fewer titles", available=8 * 2**30)
    >>> check_fits(40 * 2**30, "clustering 9M films", "load fewer titles", available=8 * 2**30)
    Traceback (most recent call last):
    ...
    reelgraph.errors.TooBigError: clustering 9M films would need about 40.0 GB of memory and 8.0 GB is free: load fewer titles
    """
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        raise TooBigError(f"{what} would need about {needed / 2**30:.1f} GB of memory and "
                          f"{available / 2**30:.1f} GB is free: {narrower}")


def resident_memory() -> int:
    """Bytes of this process resident now (Linux's ``/proc``); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def trim_malloc() -> None:
    """Hand the C allocator's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    numpy's arrays come from malloc, which keeps pages freed in the middle
    of its heaps, and one heap a thread: 2 GB of a store's edit stayed
    through a patched index's build at IMDb's size.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc():
    """The C library, when it is glibc (it has ``malloc_trim``); None elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (macOS, Windows, musl)
        return None


_LIBC = _glibc()
