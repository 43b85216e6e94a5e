"""Export a conversation as Markdown (for pasting into a ticket) into the user's own data folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from faqbot.knowledge import KnowledgePath, kb_folders
from faqbot.ui.answer_markdown import answer_markdown, escape_markdown

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.claim_check import ClaimReport
    from faqbot.engine import Answer


def default_export_dir() -> Path:
    """``$XDG_DATA_HOME/faqbot/exports``, else ``~/.local/share/faqbot/exports``."""
    data_home = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else Path.home() / ".local" / "share"
    return base / "faqbot" / "exports"


def conversation_markdown(
    turns: Iterable[tuple[Answer | tuple[str, ClaimReport], tuple[str, ...]]],
    *,
    exported_at: datetime,
    kb_root: KnowledgePath | None = None,
) -> str:
    """The whole conversation as one Markdown document: each answer with its suggestions (a claim check
    as ``(pasted text, report)``), then the disclaimer."""
    from faqbot.disclaimer import DISCLAIMER
    from faqbot.ui.claim_view import claim_markdown

    turns = list(turns)
    head = [
        "# faqbot conversation",
        f"Exported {exported_at.strftime('%Y-%m-%d %H:%M')} · {len(turns)} question(s)"
        + (
            f" · knowledge base {escape_markdown(' + '.join(folder.name for folder in kb_folders(kb_root)))}"
            if kb_root
            else ""
        ),
    ]
    if any(isinstance(item, tuple) for item, _ in turns):
        head.append(
            "**This export may contain patient data** (pasted claim lines): share it only where that is allowed."
        )
    body = [
        claim_markdown(*item) if isinstance(item, tuple) else answer_markdown(item, suggestions=suggestions)
        for item, suggestions in turns
    ]
    tail = [f"---\n\n*{escape_markdown(DISCLAIMER)}*"]
    return "\n\n".join(head + body + tail) + "\n"


EXPORT_MODE = 0o600  # an export may hold pasted claim lines (patient data): readable by the user only


def write_export(markdown: str, export_dir: Path, *, now: datetime) -> Path:
    """Write ``markdown`` to a new, timestamped file in ``export_dir`` and return its path (never
    overwrites). The file is created readable and writable by its owner only (0600), the folder 0700."""
    export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"faqbot-{now.strftime('%Y%m%d-%H%M%S')}"
    path = export_dir / f"{stem}.md"
    number = 1
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, EXPORT_MODE)
        except FileExistsError:
            number += 1
            path = export_dir / f"{stem}-{number}.md"
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), EXPORT_MODE)
            handle.write(markdown)
        return path
