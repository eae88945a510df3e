"""Will a run fit in memory?  Checked before it starts, from the store's counts.

A run that holds the whole graph in memory (clustering reads every table and
builds the similarity graph) is killed by the kernel, with no message, when
the store is larger than the machine.  :func:`check_fits` stops it first
with a :class:`~reelgraph.errors.TooBigError` naming the option that narrows
it.  The cost per row is measured, not derived: see :data:`CLUSTER_BYTES`.
"""

from __future__ import annotations

import os

from reelgraph.errors import TooBigError

__all__ = ["CLUSTER_BYTES", "available_memory", "check_fits", "cluster_memory"]

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
