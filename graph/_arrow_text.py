"""Arrow string arrays as bytes: to write, for the writers of text files, and to read, for compiled loops.

:func:`text_buffer` is shared by the IMDb-format generator
(:mod:`reelgraph.loaders.synth`) and the bulk loader's CSV files
(:mod:`reelgraph.neo4j.bulk`): both build each line as one Arrow string with
pyarrow's kernels, then write the lines' bytes in one go.
:func:`string_buffers` gives numba loops over every string of an array its
offsets and bytes (the index builder's id hashing, :mod:`reelgraph._imdb_ids`,
:mod:`reelgraph._slugs`); :func:`string_chunks` does so a chunk of a column at a time.
"""

import numpy as np
import pyarrow as pa

__all__ = ["string_buffers", "string_chunks", "text_buffer"]


def text_buffer(lines: pa.Array):
    """The bytes of a string array whose every item already ends with a newline.

    Examples
    --------
    >>> bytes(text_buffer(pa.array(["a\\n", "bc\\n"])))
    b'a\\nbc\\n'
    """
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    _, offsets, _ = string_buffers(lines)
    return lines.buffers()[2][int(offsets[0]) : int(offsets[-1])]


def string_buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The validity bitmap (empty: all valid), offsets and bytes of an Arrow (large) string array, as numpy views."""
    validity, offsets, data = array.buffers()
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=offset_type)[array.offset: array.offset + len(array) + 1] \
        if offsets is not None else np.zeros(len(array) + 1, dtype=offset_type)
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    validity = np.frombuffer(validity, dtype=np.uint8) if validity is not None and array.null_count \
        else np.zeros(0, dtype=np.uint8)
    return validity, offsets, data


def string_chunks(texts: pa.ChunkedArray):
    """Each chunk of a text column with rows, as ``(start, offsets, data, valid)`` numpy views for a compiled loop.

    ``start`` is the chunk's first row in ``texts``; ``offsets`` (one more
    than its rows) index ``data``, its bytes; ``valid`` is a mask of its
    rows that are not null, or None when none is.  A column of another type
    (null, dictionary) is cast to text first.

    Examples
    --------
    >>> [(start, offsets.tolist(), bytes(data), valid) for start, offsets, data, valid
    ...  in string_chunks(pa.chunked_array([["ab"], [], ["c"]]))]
    [(0, [0, 2], b'ab', None), (1, [0, 1], b'c', None)]
    """
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.string())
    start = 0
    for chunk in texts.chunks:
        if len(chunk):
            _, offsets, data = string_buffers(chunk)
            yield start, offsets, data, chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else None
        start += len(chunk)
