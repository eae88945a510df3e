"""A prefetch for numba kernels: ask the CPU for memory a loop will read a few steps later.

Shared by the searches of :mod:`reelgraph.analysis._path_kernels` and
:mod:`reelgraph._nx_backend_kernels`, which read the neighbour lists of a
frontier one node after the other: on a graph out of the CPU's cache each
list is a wait for memory, and asked for :data:`PREFETCH_AHEAD` nodes ahead
they arrive while the earlier ones are read.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["PREFETCH_AHEAD", "prefetch"]

#: How many frontier nodes ahead of the one being read the search asks for a neighbour list.
PREFETCH_AHEAD = 4


@intrinsic
def prefetch(typingctx, array, index):
    """Ask the CPU to bring ``array[index]`` into its cache, without waiting for it.

    Written by hand because numba has no prefetch: this emits LLVM's
    ``llvm.prefetch`` (read, high locality) for the element's address.  A
    search's time on a graph not in the cache is mostly waiting for the
    neighbour lists of the frontier, one after the other; asked for a few
    nodes ahead, they arrive while the earlier ones are read (the co-star
    search on the 500k-movie benchmark's graph, with networkit's search run
    between the queries: 16.7 -> 13.8 us at p50, 136 -> 78 us at p99).
    """
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0])
        address = cgutils.get_item_pointer(context, builder, array_type, data, [args[1]])
        byte_pointer, int32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        llvm_prefetch = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]), "llvm.prefetch.p0i8")
        builder.call(llvm_prefetch, [builder.bitcast(address, byte_pointer), int32(0), int32(3), int32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen
