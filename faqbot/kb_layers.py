"""Local knowledge layered over the shipped knowledge base: what a validation says about the layers.

Loading itself is :func:`faqbot.knowledge.validate_knowledge` over several folders (``--kb`` given
several times, or ``FAQBOT_KB`` with a path list): the last folder wins on the same id, problems name
their folder. This module turns the replacements it records into the notes ``faqbot kb validate``
prints: a local record replacing a shipped one that was reviewed more recently may be out of date.
"""

from __future__ import annotations

from faqbot.model import KnowledgeBase, Override


def newer_replaced(override: Override) -> bool:
    """The replaced record was reviewed after the one replacing it."""
    return (
        override.reviewed is not None
        and override.replaced_reviewed is not None
        and override.replaced_reviewed > override.reviewed
    )


def override_notes(kb: KnowledgeBase) -> list[str]:
    """One line per local record that replaces another: a warning when the replaced one is newer."""
    notes = []
    for o in kb.overrides:
        if newer_replaced(o):
            notes.append(
                f"warning: {o.file}: {o.kind} '{o.id}' (reviewed {o.reviewed}) overrides the one in "
                f"{o.replaced_file}, which was reviewed later ({o.replaced_reviewed}): check the local one "
                "against it"
            )
        else:
            notes.append(f"{o.file}: {o.kind} '{o.id}' overrides the one in {o.replaced_file}")
    return notes
