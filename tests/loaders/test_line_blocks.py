"""Tests of reelgraph.loaders.line_blocks, the engine under imdb_tsv, on its own: plain and gzip files of numbered lines."""

from __future__ import annotations

import gzip
import re

import pytest

from reelgraph.errors import InputError
from reelgraph.loaders import line_blocks
from reelgraph.loaders.line_blocks import BadLine, ParsedBlock, parse_blocks

LINES = 5000  # "n 1" ... "n 5000" after the header "n"


@pytest.fixture(autouse=True, params=["threads", "inline"])
def reading_mode(request, monkeypatch):
    """Each test with a reader thread and parse pool (large files), and in the caller's thread (small files); tiny blocks."""
    monkeypatch.setattr(line_blocks, "SMALL_FILE_BYTES", 0 if request.param == "threads" else 1 << 40)
    monkeypatch.setattr(line_blocks, "BLOCK_BYTES", 512)
    return request.param


def numbered(n: int = LINES) -> bytes:
    return b"n\n" + b"".join(b"n %d\n" % i for i in range(1, n + 1))


def numbers(block) -> ParsedBlock:
    """Each line's number, in order; a line that is not 'n <digits>' is a BadLine."""
    values = []
    for index, line in enumerate(bytes(block).split(b"\n")[:-1]):
        if not re.fullmatch(rb"n [0-9]+", line):
            raise BadLine(index, f"bad line {line[:20]!r}")
        values.append(int(line[2:]))
    return ParsedBlock(values, lines=len(values), rows=len(values))


def read(path, **kwargs):
    headers = []
    values = [v for block in parse_blocks(path, numbers, check_header=headers.append, progress=False, **kwargs) for v in block.value]
    return headers, values


@pytest.mark.parametrize("gz", [False, True])
def test_every_line_once_in_order(tmp_path, gz):
    path = tmp_path / ("n.txt.gz" if gz else "n.txt")
    path.write_bytes(gzip.compress(numbered()) if gz else numbered())
    assert read(path) == ([b"n"], list(range(1, LINES + 1)))


def test_gzip_is_told_by_its_bytes_not_its_name(tmp_path):
    path = tmp_path / "n.txt"
    path.write_bytes(gzip.compress(numbered(3)))
    assert read(path) == ([b"n"], [1, 2, 3])


def test_last_line_without_newline_and_empty_file(tmp_path):
    path = tmp_path / "n.txt"
    path.write_bytes(numbered(3)[:-1])
    assert read(path) == ([b"n"], [1, 2, 3])
    path.write_bytes(b"")
    assert read(path) == ([None], [])
    path.write_bytes(b"n")
    assert read(path) == ([b"n"], [])


def test_a_bad_line_is_named_by_its_line_in_the_file(tmp_path):
    data = numbered().split(b"\n")
    data[3001] = b"n three thousand"  # file line 3002: the header is line 1
    path = tmp_path / "n.txt.gz"
    path.write_bytes(gzip.compress(b"\n".join(data)))
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:3002: bad line b'n three thousand'$"):
        read(path)


def test_a_header_check_can_refuse_the_file(tmp_path):
    path = tmp_path / "n.txt"
    path.write_bytes(b"x\n" + numbered()[2:])

    def refuse(line):
        raise InputError(path, f"wrong header {line!r}", line=1)

    with pytest.raises(InputError, match=r"n\.txt:1: wrong header b'x'$"):
        next(parse_blocks(path, numbers, check_header=refuse, progress=False))


def test_broken_streams(tmp_path):
    data = gzip.compress(numbered())
    path = tmp_path / "n.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"n\.txt\.gz:\d+: broken gzip stream \(.+\)$") as info:
        read(path)
    assert 2 <= info.value.line <= LINES + 1
    path.write_bytes(numbered())
    with pytest.raises(InputError, match=r"n\.txt\.gz:1: not gzip-compressed, though named \.gz$"):
        read(path)
    with pytest.raises(InputError, match=r"gone\.txt: no such file$"):
        read(tmp_path / "gone.txt")


def test_a_bad_line_before_a_broken_stream_comes_first(tmp_path):
    data = numbered().split(b"\n")
    data[10] = b"n ten"
    whole = gzip.compress(b"\n".join(data))
    path = tmp_path / "n.txt.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=r"n\.txt\.gz:11: bad line b'n ten'$"):
        read(path)


def test_a_line_too_long_is_an_error_not_a_whole_read(tmp_path, monkeypatch):
    monkeypatch.setattr(line_blocks, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "n.txt"
    path.write_bytes(numbered(3) + b"x" * 5000)
    with pytest.raises(InputError, match=r"n\.txt:5: line too long \(no newline in 0 MB\): not a TSV file\?$"):
        read(path, kind="TSV")
    path.write_bytes(b"y" * 5000)
    with pytest.raises(InputError, match=r"n\.txt:1: line too long \(no newline in 0 MB\): not a text file\?$"):
        read(path)


def test_other_errors_of_the_parse_function_go_through(tmp_path):
    path = tmp_path / "n.txt"
    path.write_bytes(numbered())

    def fails(block):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError, match="^a bug$"):
        list(parse_blocks(path, fails, check_header=lambda line: None, progress=False))


def test_stopping_early_stops_the_reader(tmp_path, reading_mode):
    import threading

    path = tmp_path / "n.txt"
    path.write_bytes(numbered(50000))
    before = threading.active_count()
    blocks = parse_blocks(path, numbers, check_header=lambda line: None, progress=False)
    assert next(blocks).value[0] == 1
    blocks.close()
    assert threading.active_count() == before
