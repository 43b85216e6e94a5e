"""A code card: description, unit, component, status on the as-of date, replacement, note, sources."""

from __future__ import annotations

from datetime import date

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from faqbot.model import CodeCard, KnowledgeBase

STATUS_STYLE = {"active": "$text-success", "deleted": "bold $text-error", "not_yet_effective": "bold $text-warning"}
STATUS_MARK = {"active": "● ", "deleted": "✖ ", "not_yet_effective": "◌ "}


def card_content(card: CodeCard, kb: KnowledgeBase, as_of: date) -> Content:
    """The body of a code card. Built from plain text pieces, so nothing in the knowledge base is read as markup."""
    from faqbot.engine import code_status_text  # a card is shown only once the engine has loaded

    family = kb.families.get(card.family)
    status = card.status_on(as_of)
    pieces: list[str | tuple[str, str | Style]] = [
        (STATUS_MARK[status] + code_status_text(card, as_of), STATUS_STYLE[status]),
        "\n",
        card.description,
        "\n",
        ("Family ", "$text-muted"),
        family.title if family else card.family,
    ]
    if card.unit:
        pieces += ["\n", ("Unit ", "$text-muted"), card.unit]
    if card.component:
        pieces += ["\n", ("Component ", "$text-muted"), card.component]
    if card.replaced_by:
        pieces += ["\n", ("Replaced by ", "$text-muted"), (", ".join(card.replaced_by), "bold")]
    if card.note:
        pieces += ["\n", ("Note ", "$text-muted"), card.note]
    for source_id in card.sources:
        source = kb.sources.get(source_id)
        if source is not None:
            pieces += [
                "\n",
                ("↗ ", "$text-muted"),
                (source.title, Style(link=source.url, underline=True)),
                (f" ({source.tier})", "$text-muted"),
            ]
    return Content.assemble(*pieces)


class CodeCardView(Static):
    """A code card with the code and system in its border title; class -deleted when deleted on the as-of date."""

    def __init__(self, card: CodeCard, kb: KnowledgeBase, as_of: date, *, id: str | None = None) -> None:
        status = card.status_on(as_of)
        super().__init__(card_content(card, kb, as_of), id=id, classes=f"code-card -{status.replace('_', '-')}")
        self.card = card
        self.border_title = f"{card.code} · {card.system}"
        if status == "deleted":
            self.border_subtitle = "DELETED" if card.deletion_confirmed else "REPORTED DELETED"
        elif status == "not_yet_effective":
            self.border_subtitle = "NOT YET VALID"


class UnknownCodeView(Static):
    """A code the question names that is not in the code table."""

    def __init__(self, code: str, guess: str | None) -> None:
        hint = f" Did you mean {guess}?" if guess else ""
        super().__init__(
            Content(f"Not in our code table, so faqbot has no answer about it.{hint}"), classes="code-card -unknown"
        )
        self.border_title = code
