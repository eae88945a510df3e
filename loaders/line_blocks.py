"""Large text files of lines (plain or gzip-compressed) parsed block by block in worker threads.

:func:`parse_blocks` is the engine under :mod:`reelgraph.loaders.imdb_tsv`;
it knows nothing about what the lines hold.  It

1. opens the file, plain or gzip (by its magic bytes; ISA-L's
   ``isal.igzip`` when the ``isal`` package is installed, about twice as
   fast as zlib, else pyarrow's zlib: see :func:`gzip_reader`);
2. reads and decompresses it in a background thread, cutting it into blocks
   of about :data:`BLOCK_BYTES` that end at a newline, the header line apart;
3. hands the header to a check of the caller's and each block to the
   caller's parse function, run by a pool of :data:`WORKERS` threads (worth
   it when the parse function releases the GIL, as pyarrow's CSV parser
   does); files under :data:`SMALL_FILE_BYTES` are read and parsed in the
   caller's thread instead, where threads would cost more than they save;
4. yields the parse results in file order, counting lines so that a bad
   line a parse function reports (:class:`BadLine`) is named by its line
   number in the file, and shows a progress bar (:func:`progress_bar`).

No file is ever held whole in memory: at most a few blocks are in flight,
and a line longer than :data:`MAX_LINE_BYTES` (a binary or wrong file) is an
error rather than a reason to read on looking for a newline.  Every problem
is a one-line :class:`~reelgraph.errors.InputError` naming the file and,
where there is one, the line: unreadable, named ``.gz`` but not gzip, a
broken gzip stream (truncated, corrupt), a line too long, a bad line.

Examples
--------
Count the lines of a small gzip file, in one-block steps:

>>> import gzip, shutil, tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "words.txt.gz"
>>> _ = path.write_bytes(gzip.compress(b"word\\nalpha\\nbeta\\ngamma\\n"))
>>> def count(block):
...     lines = bytes(block).count(b"\\n")
...     return ParsedBlock(lines, lines=lines, rows=lines)
>>> header = []
>>> [block.value for block in parse_blocks(path, count, check_header=header.append, progress=False)], header
([3], [b'word'])
>>> shutil.rmtree(path.parent)
"""

from __future__ import annotations

import collections
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

from reelgraph.errors import InputError
from reelgraph.loaders._text import check_regular_file

__all__ = [
    "BLOCK_BYTES",
    "MAX_LINE_BYTES",
    "SMALL_FILE_BYTES",
    "WORKERS",
    "BadLine",
    "ParsedBlock",
    "gzip_reader",
    "parse_blocks",
    "progress_bar",
]

#: Decompressed bytes parsed at a time (a module attribute so tests can make it small).
#: 2 MB parses as fast as 8 MB here (the parse threads stay busy either way)
#: and holds a quarter of the bytes in flight: the peak of a filtered load
#: stays flat as the files grow (measured by benchmarks/bench_tsv_load.py).
BLOCK_BYTES = 2 << 20

#: A longer line is an error (a binary or wrong file), so that no file is read whole looking for a newline.
MAX_LINE_BYTES = 64 << 20

#: Threads that parse blocks (pyarrow releases the GIL while parsing).
WORKERS = max(1, min(4, os.cpu_count() or 1))

#: Files smaller than this on disk are read and parsed in the caller's thread: threads would cost more than they save.
SMALL_FILE_BYTES = 1 << 20

try:  # optional accelerator: ISA-L's gzip decompresses about twice as fast as zlib
    from isal import igzip as _ISAL
except ImportError:  # pragma: no cover - depends on the environment
    _ISAL = None


def gzip_reader() -> str:
    """Which library decompresses ``.gz`` files: ``"isal"`` or ``"pyarrow (zlib)"``.

    Examples
    --------
    >>> gzip_reader() in ("isal", "pyarrow (zlib)")
    True
    """
    return "isal" if _ISAL is not None else "pyarrow (zlib)"


class ParsedBlock(NamedTuple):
    """What a parse function made of one block, and how many lines and rows that block had.

    ``lines`` counts every line of the block (line numbers of later blocks
    depend on it); ``rows`` is what the progress bar counts;
    ``first_problem``, when lines were skipped, the first one's ``(index in
    the block, what is wrong)``.
    """

    value: object
    lines: int
    rows: int
    first_problem: tuple[int, str] | None = None


class BadLine(Exception):
    """Raised by a parse function for the bad line at ``index`` (0-based) of its block.

    :func:`parse_blocks` turns it into an :class:`~reelgraph.errors.InputError`
    naming the line's number in the file.
    """

    def __init__(self, index: int, problem: str):
        super().__init__(problem)
        self.index = index
        self.problem = problem


class _StreamError(Exception):
    """The (gzip) stream under a file broke: truncated, corrupt, unreadable."""


class _LineTooLong(_StreamError):
    """No newline in :data:`MAX_LINE_BYTES`: not a file of lines (and never read whole)."""


def _open_stream(path: Path, compressed: bool):
    """A binary stream of the file's (decompressed) bytes: isal's igzip when installed, else pyarrow's zlib."""
    if not compressed:
        return open(path, "rb")
    if _ISAL is not None:
        return _ISAL.open(path, "rb")
    return pa.input_stream(str(path), compression="gzip")


class _Blocks:
    """The header line, then blocks of whole lines of a file, read and decompressed ahead by a background thread.

    Iterating yields the header (bytes, without its newline; None for an
    empty file) and then blocks that each end with a newline; a stream error
    arrives as :class:`_StreamError` after every block read before it.  With
    ``threaded=False`` (small files, where a thread costs more than it
    saves) the same happens in the caller's thread.
    """

    def __init__(self, path: Path, size: int, threaded: bool = True):
        self.path = path
        self.size = size
        check_regular_file(path)  # a FIFO would block the open for ever
        try:
            with open(path, "rb") as f:
                magic = f.read(2)
        except OSError as exc:
            raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
        self.gzip = magic == b"\x1f\x8b"
        if path.name.endswith(".gz") and magic and not self.gzip:
            raise InputError(path, "not gzip-compressed, though named .gz", line=1)
        self._thread = None
        if threaded:
            self._queue: queue.Queue = queue.Queue(maxsize=3)
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name=f"read {path.name}", daemon=True)
            self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self):
        for item in self._produce():
            if not self._put(item):
                return

    def _produce(self):
        """(kind, item) pairs: ("header", bytes or None), ("block", view), ... then ("end"|"error"|"too-long", ...)."""
        # One allocation a block: read into a fresh buffer behind the carried partial line, hand out a view.
        carry = b""
        header_sent = False
        size = min(self.size, 1 << 20)  # small first blocks get the parsers going early; then double up to self.size
        try:
            with _open_stream(self.path, self.gzip) as stream:
                while True:
                    start = len(carry)
                    buffer = bytearray(start + size)
                    size = min(self.size, size * 2)
                    buffer[:start] = carry
                    view = memoryview(buffer)
                    got = stream.readinto(view[start:])
                    if not got:
                        break
                    end = start + got
                    begin = 0
                    if not header_sent:
                        newline = buffer.find(b"\n", 0, end)
                        if newline < 0:
                            carry = bytes(view[:end])
                            if len(carry) > MAX_LINE_BYTES:
                                yield ("too-long", None)
                                return
                            continue
                        header_sent = True
                        yield ("header", bytes(view[:newline]))
                        begin = newline + 1
                    cut = buffer.rfind(b"\n", begin, end)
                    if cut < 0:
                        carry = bytes(view[begin:end])
                        if len(carry) > MAX_LINE_BYTES:
                            yield ("too-long", None)
                            return
                        continue
                    carry = bytes(view[cut + 1 : end])
                    yield ("block", view[begin : cut + 1])
            if not header_sent:
                yield ("header", carry or None)
                carry = b""
            if carry:
                yield ("block", carry + b"\n")
            yield ("end", None)
        except Exception as exc:  # handed to the consumer, in order
            yield ("error", str(exc) or type(exc).__name__)

    def __iter__(self):
        if self._thread is not None:
            items = iter(self._queue.get, None)
        else:
            items = self._inline = self._produce()
        for kind, item in items:
            if kind == "end":
                return
            if kind == "error":
                raise _StreamError(item)
            if kind == "too-long":
                raise _LineTooLong(f"no newline in {MAX_LINE_BYTES >> 20} MB")
            yield item

    def close(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        elif getattr(self, "_inline", None) is not None:
            self._inline.close()  # closes the file


class _Inline:
    """A stand-in for the thread pool that runs each job at once, in the caller's thread."""

    class _Done:
        def __init__(self, fn, args):
            try:
                self._result, self._error = fn(*args), None
            except Exception as exc:  # raised again by result(), in order, like a future
                self._result, self._error = None, exc

        def result(self):
            if self._error is not None:
                raise self._error
            return self._result

        def cancel(self):
            return False

    def submit(self, fn, *args):
        return self._Done(fn, args)

    def shutdown(self, wait=True):
        pass


class _NoBar:
    """What :func:`progress_bar` gives when no bar is shown."""

    def update(self, n=1):
        pass

    def close(self):
        pass


def progress_bar(progress: bool, desc: str):
    """A tqdm bar counting rows (rows/s) on stderr, or a stand-in that shows nothing when ``progress`` is false.

    Examples
    --------
    >>> bar = progress_bar(False, "title.basics.tsv.gz")
    >>> bar.update(10); bar.close()
    """
    if not progress:
        return _NoBar()
    import warnings

    from tqdm import TqdmExperimentalWarning

    with warnings.catch_warnings():  # tqdm.auto less its asyncio part (15 ms to import); only when a bar is shown
        warnings.simplefilter("ignore", TqdmExperimentalWarning)
        from tqdm.autonotebook import tqdm

    return tqdm(total=None, unit="rows", unit_scale=True, desc=desc, leave=True, smoothing=0.1, mininterval=0.5)


def parse_blocks(
    path,
    parse: Callable[[memoryview], ParsedBlock],
    *,
    check_header: Callable[[bytes | None], object],
    progress: bool = True,
    kind: str = "text",
) -> Iterator[ParsedBlock]:
    """Parse the file at ``path`` block by block; yield each block's :class:`ParsedBlock`, in file order.

    Parameters
    ----------
    path : str or os.PathLike
        A file of lines, plain or gzip-compressed (told by its first bytes;
        a name ending ``.gz`` must be gzip).  The last line may lack its newline.
    parse : callable
        ``parse(block) -> ParsedBlock``, given whole lines (a buffer ending
        with a newline, the header excluded); runs in :data:`WORKERS`
        threads at once for files of :data:`SMALL_FILE_BYTES` or more.  It
        raises :class:`BadLine` to report a bad line; any other exception
        goes through to the caller as it is.
    check_header : callable
        Called with the first line (bytes without its newline; None for an
        empty file) before any block is parsed; it raises
        :class:`~reelgraph.errors.InputError` to refuse the file.
    progress : bool
        Show a bar named after the file, counting ``ParsedBlock.rows``.
    kind : str
        What the file should be, for the message of a line too long
        (``"not a TSV file?"``).

    Yields
    ------
    ParsedBlock
        One a block; the consumer runs between blocks, in the caller's thread.

    Raises
    ------
    InputError
        Unreadable file, ``.gz`` that is not gzip, a broken stream, a line
        over :data:`MAX_LINE_BYTES`, a :class:`BadLine` (named by its line
        number in the file); a bad line in a block before a broken stream
        is raised first.
    """
    path = Path(path)
    try:
        threaded = WORKERS > 1 and path.stat().st_size > SMALL_FILE_BYTES
    except OSError:
        threaded = True  # _Blocks says what is wrong
    blocks = _Blocks(path, BLOCK_BYTES, threaded)
    bar = progress_bar(progress, path.name)
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="reelgraph-parse") if threaded else _Inline()
    # Futures in file order: at most WORKERS + 1 blocks are parsed or waiting at once, which bounds memory.
    pending: collections.deque = collections.deque()
    lines_done = 1  # lines consumed so far, header included

    def collect() -> ParsedBlock:
        nonlocal lines_done
        future = pending.popleft()
        try:
            parsed = future.result()
        except BadLine as exc:
            raise InputError(path, exc.problem, line=lines_done + 1 + exc.index) from None
        lines_done += parsed.lines
        bar.update(parsed.rows)
        return parsed

    def broken(exc, line):
        if isinstance(exc, _LineTooLong):
            return InputError(path, f"line too long ({exc}): not a {kind} file?", line=line)
        what = "broken gzip stream" if blocks.gzip else "unreadable file"
        return InputError(path, f"{what} ({exc})", line=line)

    try:
        iterator = iter(blocks)
        try:
            header = next(iterator, None)
        except _StreamError as exc:
            raise broken(exc, 1) from None
        check_header(header)
        try:
            for block in iterator:
                pending.append(pool.submit(parse, block))
                while len(pending) > WORKERS:
                    yield collect()
        except _StreamError as exc:
            while pending:  # an earlier bad line comes first
                yield collect()
            raise broken(exc, lines_done + 1) from None
        while pending:
            yield collect()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        blocks.close()
        bar.close()
