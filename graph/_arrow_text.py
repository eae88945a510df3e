"""Arrow string arrays as bytes to write, for the writers of text files.

Shared by the IMDb-format generator (:mod:`reelgraph.loaders.synth`) and the bulk
loader's CSV files (:mod:`reelgraph.neo4j.bulk`): both build each line as one
Arrow string with pyarrow's kernels, then write the lines' bytes in one go.
"""

import numpy as np
import pyarrow as pa

__all__ = ["text_buffer"]


def text_buffer(lines: pa.Array):
    """The bytes of a string array whose every item already ends with a newline.

    Examples
    --------
    >>> bytes(text_buffer(pa.array(["a\\n", "bc\\n"])))
    b'a\\nbc\\n'
    """
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offsets_type)[lines.offset : lines.offset + len(lines) + 1]
    return lines.buffers()[2][int(offsets[0]) : int(offsets[-1])]
