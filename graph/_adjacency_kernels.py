"""A row of a :class:`reelgraph.mirror.CsrView` read in compiled code: from its base CSR, or from its delta.

A small edit of the store (a saved page added to the whole IMDb) changes
the rows of a few nodes of each adjacency view.  The graph index keeps the
view's files as they were (the base) and writes those rows apart (the
delta, :class:`reelgraph.mirror.CsrView`), so a kernel reads a node's row
from one or the other.

Kernels take the six values of ``CsrView.kernel_args`` as separate
arguments (numba's dispatcher looks at each argument anyway; an object
would cost more) and read a row as::

    held, lo, hi = row(indptr, indices, dbits, drank, dptr, didx, v)
    for e in range(lo, hi):
        w = entry(indices, didx, held, e)

A view without a delta passes ``None`` for its four delta arrays, and
numba compiles the kernel for that apart, with the plain CSR reads only:
even an untaken test of the delta at every row made a path query at IMDb's
size three times slower (320 -> 1,100 us).  With a delta, each row costs a
look at one bit of the delta's bitmap (a path query: about 550 us).
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

from reelgraph._prefetch import prefetch

__all__ = ["row", "entry", "prefetch_row"]

_ONE = np.uint64(1)
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(cache=True, nogil=True, inline="always")
def _popcount(x):
    # (the classic bit-parallel count: numba has no popcount of its own to call)
    x = x - ((x >> _ONE) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return np.int64((x * _H01) >> np.uint64(56))


def row(indptr, indices, dbits, drank, dptr, didx, v):
    """``(held, lo, hi)``: node ``v``'s neighbours are ``didx[lo:hi]`` when ``held`` (in the delta), else ``indices[lo:hi]``."""
    raise TypeError("row() is for compiled code (numba) only")


def entry(indices, didx, held, e):
    """Entry ``e`` of a row that :func:`row` found (``held``: in the delta)."""
    raise TypeError("entry() is for compiled code (numba) only")


def prefetch_row(indices, didx, held, lo):
    """Ask the CPU for the start of a row that :func:`row` found (:func:`reelgraph._prefetch.prefetch`)."""
    raise TypeError("prefetch_row() is for compiled code (numba) only")


def _no_delta(array) -> bool:
    return isinstance(array, (types.NoneType, types.Omitted)) or array is None


@overload(row, inline="always")
def _row(indptr, indices, dbits, drank, dptr, didx, v):
    if _no_delta(dbits):
        def base(indptr, indices, dbits, drank, dptr, didx, v):
            return False, np.int64(indptr[v]), np.int64(indptr[v + 1])
        return base

    def base_or_delta(indptr, indices, dbits, drank, dptr, didx, v):
        w = v >> 6
        word = dbits[w]
        b = np.uint64(v & 63)
        if (word >> b) & _ONE:
            r = drank[w] + _popcount(word & ((_ONE << b) - _ONE))
            return True, np.int64(dptr[r]), np.int64(dptr[r + 1])
        return False, np.int64(indptr[v]), np.int64(indptr[v + 1])
    return base_or_delta


@overload(entry, inline="always")
def _entry(indices, didx, held, e):
    if _no_delta(didx):
        def base(indices, didx, held, e):
            return indices[e]
        return base

    def base_or_delta(indices, didx, held, e):
        # (if/else, not a conditional expression: inlined, that one made numba warn of a variable out of scope)
        if held:
            return didx[e]
        return indices[e]
    return base_or_delta


@overload(prefetch_row, inline="always")
def _prefetch_row(indices, didx, held, lo):
    if _no_delta(didx):
        return lambda indices, didx, held, lo: prefetch(indices, lo)

    def either(indices, didx, held, lo):
        if held:
            prefetch(didx, lo)
        else:
            prefetch(indices, lo)
    return either
