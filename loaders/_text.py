"""Reading a user's file as text, with the one-line errors every loader shares."""

from __future__ import annotations

import os
from pathlib import Path

from reelgraph.errors import InputError

__all__ = ["read_text_file", "sniff"]


def sniff(path, size=4096) -> bytes:
    """The first ``size`` bytes of ``path`` (for format detection)."""
    with open(path, "rb") as handle:
        return handle.read(size)


def read_text_file(path) -> str:
    """Read ``path`` as UTF-8 text, or raise :class:`InputError` saying why not.

    Missing, a folder, empty (or only white space), binary (NUL bytes) and
    non-UTF-8 files are each refused with their own message.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, expected a file")
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
