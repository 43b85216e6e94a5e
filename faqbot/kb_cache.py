"""The loaded, validated knowledge base, cached as JSON beside the fitted index.

Parsing and validating the knowledge folder's TOML is most of what a cold ``faqbot ask`` spends
beyond its imports. The cache file (``kb-<key>.json`` in :func:`faqbot.text_index.default_cache_dir`)
is named by a hash of every TOML file in the folder (path and content), the folder's path and the source
of the code that loads it (``knowledge.py``, ``model.py``, ``codes.py``): an edited entry, an added
file or a new loader never meets a stale copy. Only a knowledge base without problems is cached, so
a broken folder is always reported by the full loader. A damaged file is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import faqbot.codes
import faqbot.knowledge
import faqbot.model
from faqbot.cache_files import read_checked, source_digest, write_checked
from faqbot.knowledge import KnowledgePath, kb_folders, load_knowledge
from faqbot.model import CodeCard, Entry, Family, KnowledgeBase, Rule, ScopeTopic, Source

FORMAT = 1
CACHE_NAME = re.compile(r"kb-[0-9a-f]{40}\.json")


def load_knowledge_cached(path: KnowledgePath, cache_dir: Path | None) -> KnowledgeBase:
    """:func:`faqbot.knowledge.load_knowledge`, read from ``cache_dir`` when a copy for exactly these
    files and this code is there (``cache_dir`` None: always load). Layered folders (a local knowledge
    folder over the shipped one) are always loaded."""
    folders = kb_folders(path)
    if cache_dir is None or len(folders) != 1 or not folders[0].is_dir():
        return load_knowledge(path)
    root = folders[0]
    try:
        key = knowledge_key(root)
    except OSError:  # a file vanished or cannot be read: the loader names it
        return load_knowledge(root)
    path = cache_dir / f"kb-{key}.json"
    cached = _read(path, root)
    if cached is not None:
        return cached
    kb = load_knowledge(root)  # raises on any problem: nothing is cached then
    write_checked(path, json.dumps(encode(kb), ensure_ascii=False).encode("utf-8"), pattern=CACHE_NAME)
    return kb


def knowledge_key(root: Path) -> str:
    """A hash of the folder's path, every TOML file under it (relative path, length and bytes; hidden
    folders such as ``.git`` skipped) and the loader's code."""
    hasher = hashlib.sha256()
    header = [
        FORMAT,
        str(root),
        str(root.resolve()),
        source_digest(faqbot.knowledge.__file__, faqbot.model.__file__, faqbot.codes.__file__),
    ]
    hasher.update(json.dumps(header).encode("utf-8") + b"\0")
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))  # not .git
        relative = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            if name.endswith(".toml"):  # all the loader ever reads
                with open(os.path.join(folder, name), "rb") as handle:
                    content = handle.read()
                path = name if relative == "." else f"{relative}/{name}"
                hasher.update(f"{path}\0{len(content)}\0".encode("utf-8", "surrogateescape") + content)
    return hasher.hexdigest()[:40]


def _read(path: Path, root: Path) -> KnowledgeBase | None:
    payload = read_checked(path)
    if payload is None:
        return None
    try:
        return decode(json.loads(payload), root)
    except Exception:  # foreign or damaged content behind a valid checksum: load again, rewrite
        return None


def _plain(value: Any) -> Any:
    """A field value as JSON: dates as ISO text, tuples as lists, dataclasses as lists of fields."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return [_plain(getattr(value, f.name)) for f in fields(value)]
    return value


def encode(kb: KnowledgeBase) -> dict[str, Any]:
    """The knowledge base as JSON-able data (``root`` and ``entries_by_id`` are rebuilt on reading)."""
    return {
        name: _plain(getattr(kb, name))
        for name in (
            "sources",
            "families",
            "codes",
            "entries",
            "rules",
            "abbreviations",
            "out_of_scope",
            "refusal_examples",
        )
    }


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _decoder(cls: type) -> Any:
    """A function from a JSON list of ``cls``'s fields back to ``cls``: dates and tuples restored."""
    converters: list[Callable[[Any], Any] | None] = []
    for f in fields(cls):
        kind = str(f.type)
        if kind in ("date", "date | None"):
            converters.append(_day)
        elif kind.startswith("tuple["):
            converters.append(tuple)
        elif kind in ("str", "bool", "int", "int | None") or kind[:1].isupper():  # plain values, Literal aliases
            converters.append(None)
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: no JSON decoder for {kind}")

    count = len(converters)
    converting = [(index, convert) for index, convert in enumerate(converters) if convert is not None]

    def decode_one(values: list[Any]) -> Any:  # a fresh list from json.loads: converted in place
        if len(values) != count:
            raise ValueError(f"{cls.__name__}: expected {count} fields")
        for index, convert in converting:
            if values[index] is not None:
                values[index] = convert(values[index])
        return cls(*values)

    return decode_one


def decode(data: dict[str, Any], root: Path) -> KnowledgeBase:
    """The knowledge base :func:`encode` wrote, with ``root`` as its folder."""
    source, family, card, entry, rule, topic = map(_decoder, (Source, Family, CodeCard, Entry, Rule, ScopeTopic))
    entries = tuple(entry(values) for values in data["entries"])
    return KnowledgeBase(
        root=root,
        sources={key: source(values) for key, values in data["sources"].items()},
        families={key: family(values) for key, values in data["families"].items()},
        codes={key: card(values) for key, values in data["codes"].items()},
        entries=entries,
        rules=tuple(rule(values) for values in data["rules"]),
        entries_by_id={e.id: e for e in entries},
        abbreviations=dict(data["abbreviations"]),
        out_of_scope=tuple(topic(values) for values in data["out_of_scope"]),
        refusal_examples=tuple(data["refusal_examples"]),
    )
