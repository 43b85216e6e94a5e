"""The panel beside the conversation: cards of the codes the current answer mentions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from faqbot.model import KnowledgeBase
from faqbot.ui.code_card import CodeCardView, UnknownCodeView

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.engine import Answer

EMPTY = "Codes an answer mentions appear here, with their status on the answer's date."


class CodePanel(VerticalScroll):
    """Code cards for one answer (known codes first, then codes not in the code table)."""

    def compose(self) -> ComposeResult:
        yield Static(Content(EMPTY), classes="code-panel-empty")

    def on_mount(self) -> None:
        self.border_title = "Codes"

    async def show_answer(self, answer: Answer, kb: KnowledgeBase) -> None:
        await self.show_codes(answer.codes, kb, answer.as_of, unknown=answer.unknown_codes, guesses=answer.did_you_mean)

    async def show_codes(
        self,
        codes: tuple[str, ...],
        kb: KnowledgeBase,
        as_of: date,
        *,
        unknown: tuple[str, ...] = (),
        guesses: dict[str, str] | None = None,
    ) -> None:
        guesses = guesses or {}
        await self.remove_children()
        widgets: list[Widget] = [CodeCardView(kb.codes[code], kb, as_of) for code in codes if code in kb.codes]
        widgets += [UnknownCodeView(code, guesses.get(code)) for code in unknown]
        await self.mount_all(widgets or [Static(Content(EMPTY), classes="code-panel-empty")])
        count = len(widgets)
        self.border_title = f"Codes ({count})" if count else "Codes"
        self.scroll_home(animate=False)

    async def clear(self) -> None:
        await self.remove_children()
        await self.mount(Static(Content(EMPTY), classes="code-panel-empty"))
        self.border_title = "Codes"
