"""Files in faqbot's cache folder: named by a hash of their inputs, written atomically, checked on
reading, pruned to the newest few. Shared by the fitted index (:mod:`faqbot.text_index`), the loaded
knowledge base (:mod:`faqbot.kb_cache`) and the ranker's prepared phrasings (:mod:`faqbot.ranking`).

A cache file is never trusted blindly: its name encodes every input (a changed input gets another
name, so a stale file is never read), and a checked file carries a SHA-256 of its content, so a
truncated or damaged file is ignored and rewritten. Nothing in a cache file can run code (JSON and
numpy arrays read with ``allow_pickle=False``; no pickle).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

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
    write_atomically(path, lambda handle: handle.write(header + payload), pattern=pattern)


def read_checked(path: Path) -> bytes | None:
    """The payload :func:`write_checked` wrote, or None when the file is missing, cut off or damaged."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    header, _, payload = content.partition(b"\n")
    if not header.startswith(_HEADER) or header[len(_HEADER) :] != hashlib.sha256(payload).hexdigest().encode():
        return None
    return payload
