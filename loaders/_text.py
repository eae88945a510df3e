"""Reading a user's file as text, with the one-line errors every loader shares."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from reelgraph.errors import InputError

__all__ = ["check_regular_file", "read_text_file", "sniff"]

#: What a file that is not a regular one is, by its ``stat`` kind, for the refusal.
_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISSOCK, "a socket"))


def check_regular_file(path) -> None:
    """Raise :class:`InputError` unless ``path`` is a regular file (after symbolic links) that exists.

    Checked with :func:`os.stat` before anything opens the file: opening a
    FIFO would wait for a writer for ever, a device could give bytes for ever.

    Examples
    --------
    >>> check_regular_file("/dev/null")
    Traceback (most recent call last):
    reelgraph.errors.InputError: /dev/null: not a regular file but a character device
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "a loop of symbolic links, not a file") from None
        if exc.errno == errno.ENOENT:
            raise InputError(path, "no such file" + (" (a symbolic link to nothing)" if os.path.islink(path) else "")) from None
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InputError(path, "is a folder, expected a file")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "a special file")
        raise InputError(path, f"not a regular file but {kind}")


def sniff(path, size=4096) -> bytes:
    """The first ``size`` bytes of ``path`` (for format detection); a file that is not regular is refused first."""
    check_regular_file(path)
    with open(path, "rb") as handle:
        return handle.read(size)


def read_text_file(path) -> str:
    """Read ``path`` as UTF-8 text, or raise :class:`InputError` saying why not.

    Missing, a folder, not a regular file (a FIFO, a device, a loop of
    symbolic links), empty (or only white space), binary (NUL bytes) and
    non-UTF-8 files are each refused with their own message.
    """
    path = Path(path)
    check_regular_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {os.strerror(exc.errno) if exc.errno else exc}") from None
    if not data.strip():
        raise InputError(path, "empty file")
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary file, expected text or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x})", line=line) from None
    return text
