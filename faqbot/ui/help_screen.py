"""The F1 help screen: ``help.md`` with a key table generated from the app's bindings."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from faqbot.ui.answer_markdown import escape_markdown


def key_table(bindings: Iterable[tuple[str, str]]) -> str:
    """A Markdown table of (key, description) pairs."""
    rows = [f"| {escape_markdown(key)} | {escape_markdown(description)} |" for key, description in bindings]
    return "\n".join(["| Key | What it does |", "| --- | --- |", *rows])


def help_markdown(bindings: Iterable[tuple[str, str]]) -> str:
    """``help.md`` with ``{keys}`` and ``{disclaimer}`` filled in."""
    from faqbot.disclaimer import DISCLAIMER

    text = resources.files("faqbot.ui").joinpath("help.md").read_text(encoding="utf-8")
    return text.replace("{keys}", key_table(bindings)).replace("{disclaimer}", escape_markdown(DISCLAIMER))


class HelpScreen(ModalScreen[None]):
    """Help, in a scrolling modal. Escape or F1 closes it."""

    BINDINGS = [
        Binding("escape,f1", "dismiss(None)", "Close help", id="help.close"),
    ]

    def __init__(self, bindings: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.markdown = help_markdown(bindings)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Markdown(self.markdown, id="help-text")
        yield Footer()

    def on_mount(self) -> None:
        dialog = self.query_one("#help-dialog")
        dialog.border_title = "Help"
        dialog.focus()
