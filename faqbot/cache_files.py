"""Files in faqbot's cache folder: named by a hash of their inputs, written atomically, checked on
reading, pruned to the newest few. Shared by the fitted index (:mod:`faqbot.text_index`), the loaded
knowledge base (:mod:`faqbot.kb_cache`) and the ranker's prepared phrasings (:mod:`faqbot.ranking`).

A cache file is never trusted blindly: its name encodes every input (a changed input gets another
name, so a stale file is never read), and a checked file carries a SHA-256 of its content, so a
truncated or damaged file is ignored and rewritten. Nothing in a cache file can run code (JSON, and
numeric arrays as raw bytes: no pickle).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np

KEEP_FILES = 4  # older files of one kind are removed
_HEADER = b"faqbot-cache sha256 "


def digest(parts: Iterable[Any]) -> str:
    """A 40-hex-digit key for JSON-able ``parts`` (any change to any part is another key)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else json.dumps(part, ensure_ascii=False).encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:40]


def source_digest(*files: str | None) -> str:
    """A key for the source code of the given module files: a cache built by other code is not read.
    A file that cannot be read (a frozen install) gives a key that matches nothing else's."""
    contents: list[bytes] = []
    for name in files:
        try:
            contents.append(Path(name or "").read_bytes())
        except OSError:
            contents.append(os.urandom(16))
    return digest(contents)


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], *, pattern: re.Pattern[str]) -> None:
    """Write through ``write`` into a temporary file, then rename it to ``path``; prune older files
    named by ``pattern``. A cache that cannot be written is skipped (it only costs the rebuild)."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = "." + path.name.split("-", 1)[0] + "-"  # ".index-...": never a name ``pattern`` matches
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=prefix, suffix=path.suffix, delete=False) as handle:
            temporary = Path(handle.name)
            write(handle)
        os.replace(temporary, path)
        prune(path.parent, keep=path, pattern=pattern)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def prune(folder: Path, *, keep: Path, pattern: re.Pattern[str]) -> None:
    """Keep the newest :data:`KEEP_FILES` files whose whole name matches ``pattern``; never touch others."""
    files = [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [f for f in files if f != keep][KEEP_FILES - 1 :]:
        old.unlink(missing_ok=True)


def write_checked(path: Path, payload: bytes, *, pattern: re.Pattern[str]) -> None:
    """Write ``payload`` with a header line holding its SHA-256 (see :func:`read_checked`)."""
    header = _HEADER + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n"
    write_atomically(path, lambda handle: handle.writelines((header, payload)), pattern=pattern)  # no joined copy


def read_checked(path: Path) -> bytes | None:
    """The payload :func:`write_checked` wrote, or None when the file is missing, cut off or damaged."""
    content = _checked(path)
    return None if content is None else bytes(content)


def read_checked_text(path: Path) -> str | None:
    """:func:`read_checked`'s payload decoded as UTF-8, without a copy of the payload's bytes (a large
    knowledge base's prepared phrasings are hundreds of megabytes)."""
    content = _checked(path)
    try:
        return None if content is None else str(content, "utf-8")
    except UnicodeDecodeError:
        return None


def _checked(path: Path) -> memoryview | None:
    """The payload of a checked file as a view of its bytes, or None (missing, cut off, damaged)."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    start = content.find(b"\n") + 1
    header, payload = content[: max(start - 1, 0)], memoryview(content)[start:] if start else memoryview(b"")
    if (
        not start
        or not header.startswith(_HEADER)
        or header[len(_HEADER) :] != hashlib.sha256(payload).hexdigest().encode()
    ):
        return None
    return payload


_ARRAYS_MAGIC = b"faqbot-arrays 2\n"  # 2: the header after the data, so arrays are written one by one
_TRAILER = struct.Struct("<Q")  # the header's offset, the file's last 8 bytes
_NUMERIC_KINDS = frozenset("biuf")  # bool, int, unsigned, float: never objects, never pickle


class ArrayFileWriter:
    """Writes an array file one array at a time, so a caller can let each array go once it is added
    (a large index's build never holds all of its matrices at once). Layout: a magic line, the raw
    data of each array (8-byte aligned), a JSON header (names, dtypes, shapes, offsets, CRC-32 of the
    data) and the header's offset as the last 8 bytes. Written to a temporary file and renamed to
    ``path`` by :meth:`commit` (then older files named by ``pattern`` are pruned); left unfinished
    (an error, no commit), the temporary file is removed. Read back with :func:`read_arrays`."""

    def __init__(self, path: Path, *, pattern: re.Pattern[str]) -> None:
        self._path, self._pattern = path, pattern
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = "." + path.name.split("-", 1)[0] + "-"  # ".index-...": never a name ``pattern`` matches
        # Closed by commit() or on leaving the with block (this object is the context manager).
        self._handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=prefix, suffix=path.suffix, delete=False)  # noqa: SIM115
        self._entries: list[list[Any]] = []
        self._offset = 0
        self._crc = 0
        self._handle.write(_ARRAYS_MAGIC)

    def add(self, name: str, array: np.ndarray) -> None:
        """Append ``array``'s bytes (its own memory, no copy) under ``name``."""
        array = np.asarray(array, order="C")  # (np.ascontiguousarray would make a number 1-d)
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"{name}: only numeric arrays are stored, not {array.dtype}")
        data = array.reshape(-1).view(np.uint8).data
        self._entries.append([name, array.dtype.str, list(array.shape), self._offset, len(data)])
        for chunk in (data, b"\0" * (-len(data) % 8)):
            self._handle.write(chunk)
            self._crc = zlib.crc32(chunk, self._crc)
        self._offset += len(data) + (-len(data) % 8)

    def commit(self) -> None:
        """Write the header, then rename the file into place and prune older ones."""
        header = json.dumps({"arrays": self._entries, "crc32": self._crc}).encode("ascii")
        self._handle.write(header + _TRAILER.pack(len(_ARRAYS_MAGIC) + self._offset))
        self._handle.close()
        os.replace(self._handle.name, self._path)
        with contextlib.suppress(OSError):  # the new file is in place; an old one left only costs disk space
            prune(self._path.parent, keep=self._path, pattern=self._pattern)

    def __enter__(self) -> ArrayFileWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._handle.closed or Path(self._handle.name).exists():  # not committed
            self._handle.close()
            Path(self._handle.name).unlink(missing_ok=True)


def write_arrays(path: Path, arrays: dict[str, np.ndarray], *, pattern: re.Pattern[str]) -> None:
    """Numeric arrays in one file (:class:`ArrayFileWriter`); read back with :func:`read_arrays`
    without copying. A cache that cannot be written is skipped (it only costs the rebuild)."""
    with contextlib.suppress(OSError), ArrayFileWriter(path, pattern=pattern) as writer:
        for name, array in arrays.items():
            writer.add(name, array)
        writer.commit()


# Array files at least this large are served from a read-only map of the file (see read_arrays).
MAP_FROM = 64 << 20
_CRC_BLOCK = 8 << 20  # bytes checked at once when a mapped file's CRC-32 is read through the file


def read_arrays(path: Path, *, map_from: int | None = None) -> dict[str, np.ndarray] | None:
    """The arrays :func:`write_arrays` wrote (read-only views of the file's bytes), or None when the
    file is missing, cut off, damaged or not such a file.

    A file of ``map_from`` bytes or more (default :data:`MAP_FROM`) (a large knowledge base's index: 0.8 GB at 100,000 entries)
    is mapped read-only instead of copied: only the pages a question reads become resident, shared
    with the page cache. Its CRC-32 is read through the same open file, a block at a time, not
    through the map (so the check does not make the whole file resident). Sound because faqbot never
    changes an array file in place: it writes a new file and renames it over the old name, and prunes
    by unlinking, both of which leave a mapped file's pages as they were; only another program that
    truncates or rewrites the file in place while it is mapped could fault (SIGBUS) a running app.
    Smaller files are read into private memory (:func:`read_prefaulted`)."""
    try:
        with open(path, "rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < (MAP_FROM if map_from is None else map_from) or not size:
                content = read_prefaulted(path, handle=handle)
                return _arrays(content, lambda start, end: zlib.crc32(memoryview(content)[start:end]))
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            return _arrays(mapped, lambda start, end: _crc_through(handle, start, end))
    except (OSError, ValueError, TypeError, KeyError):  # unreadable, or not what write_arrays writes
        return None


def _crc_through(handle: IO[bytes], start: int, end: int) -> int:
    """CRC-32 of the file's bytes from ``start`` to ``end``, read a block at a time into one buffer."""
    handle.seek(start)
    view = memoryview(bytearray(_CRC_BLOCK))
    crc = 0
    while start < end and (count := handle.readinto(view[: min(_CRC_BLOCK, end - start)])):  # type: ignore[attr-defined]
        crc = zlib.crc32(view[:count], crc)
        start += count
    return crc


def _arrays(content: bytes | mmap.mmap, data_crc: Callable[[int, int], int]) -> dict[str, np.ndarray] | None:
    """The arrays in ``content`` (a whole array file), after checking ``data_crc(start, end)``, the
    CRC-32 of the data's bytes."""
    start, size = len(_ARRAYS_MAGIC), len(content)
    if content[:start] != _ARRAYS_MAGIC or size < start + _TRAILER.size:
        return None
    (end,) = _TRAILER.unpack(content[size - _TRAILER.size :])
    if not start <= end <= size - _TRAILER.size:
        return None
    header = json.loads(content[end : size - _TRAILER.size])
    if data_crc(start, end) != header["crc32"]:
        return None
    payload = memoryview(content).toreadonly()[start:end]
    arrays: dict[str, np.ndarray] = {}
    for name, dtype_text, shape, offset, length in header["arrays"]:
        dtype = np.dtype(dtype_text)
        if dtype.kind not in _NUMERIC_KINDS or offset + length > len(payload):
            return None
        values = np.frombuffer(payload, dtype=dtype, count=length // dtype.itemsize, offset=offset)
        arrays[name] = values.reshape(tuple(shape))  # () for a single number
    return arrays


def read_prefaulted(path: Path, *, handle: IO[bytes] | None = None) -> bytes | mmap.mmap:
    """A file's bytes, read into memory the kernel maps in one go (anonymous, ``MAP_POPULATE``) rather
    than page by page as a ``bytes`` object fills: a third quicker for the 7 MB index. Private memory,
    not a mapping of the file, so a file changed afterwards never changes (or faults) what was read.
    Elsewhere than Linux, or should that fail: ``Path.read_bytes``. ``handle``: ``path`` already open
    (unbuffered, at its start)."""
    if handle is not None:
        return _read_prefaulted(handle)
    with open(path, "rb", buffering=0) as opened:
        return _read_prefaulted(opened)


def _read_prefaulted(handle: IO[bytes]) -> bytes | mmap.mmap:
    populate = getattr(mmap, "MAP_POPULATE", 0)
    size = os.fstat(handle.fileno()).st_size
    if not populate or not size:
        return handle.read()
    try:
        memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    except (OSError, ValueError):
        return handle.read()
    view, done = memoryview(memory), 0
    while done < size and (count := handle.readinto(view[done:])):  # type: ignore[attr-defined]
        done += count
    view.release()
    return memory if done == size else memory[:done]  # shorter: the file was cut while read
