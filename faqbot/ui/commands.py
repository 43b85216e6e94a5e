"""Command palette entries: look up a code, check codes, code browser, export, clear, rate, curate, help."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from faqbot.ui.check_screen import check_question

if TYPE_CHECKING:
    from faqbot.ui.app import FaqbotApp

MAX_CODE_HITS = 15


class FaqbotCommands(Provider):
    """faqbot's commands. Typing codes offers a card for each and a rule check of them together."""

    @property
    def faqbot(self) -> FaqbotApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.faqbot
        return [
            (
                "Look up a code",
                "Open the code browser to find a code and its card (or type a code here)",
                app.action_code_browser,
            ),
            ("Check codes", "Rule check for codes billed together (or type the codes here)", app.action_check_codes),
            ("Open code browser", "Every code in a table, filtered as you type", app.action_code_browser),
            ("Export conversation", "Write the conversation as Markdown for a ticket", app.action_export),
            ("Clear conversation", "Remove every question and answer from the screen", app.action_clear),
            ("Toggle code panel", "Show or hide the code cards beside the conversation", app.action_toggle_code_panel),
            ("Rate the latest answer", "Right, wrong, or the entry it should have been (F5)", app.action_feedback),
            (
                "Curate the question log",
                "Logged questions that need attention: attach or draft (F6)",
                app.action_curate,
            ),
            ("Help", "Keys, how to read an answer, the disclaimer", app.action_help),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self.faqbot
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
        engine = app.engine
        if engine is None:
            return
        scan = engine.scan(query)
        if scan.codes:
            label = f"Check codes {' + '.join(scan.codes)}" + (" alone" if len(scan.codes) == 1 else " together")
            yield Hit(
                1.0,
                label,
                partial(app.ask, check_question(scan.codes, query)),
                text=label,
                help="Rule check on the answer's date",
            )
        words = query.lower().split()
        scored = [
            (1.0 if card.code in scan.codes else word_score(words, f"{card.code} {card.description}"), card)
            for card in engine.kb.codes.values()
        ]
        best = sorted((pair for pair in scored if pair[0] > 0), key=lambda pair: pair[0], reverse=True)
        for score, card in best[:MAX_CODE_HITS]:  # highlighted only when shown
            text = f"Look up {card.code} — {card.description}"
            shown = Content(text) if card.code in scan.codes else highlight_words(text, words, matcher.match_style)
            yield Hit(score, shown, partial(app.show_card, card.code), text=text, help=f"{card.system} code card")


def word_score(words: list[str], text: str) -> float:
    """How well typed words match a code card, by words as the code browser matches (no fuzzy search:
    on long descriptions it took seconds a keystroke): 0 unless every word is in the text; more for
    words that begin a word of the text, and for a code the words begin."""
    lowered = text.lower()
    if not words or not all(word in lowered for word in words):
        return 0.0
    starts = sum(1 for word in words if re.search(rf"(?<!\w){re.escape(word)}", lowered))
    code_first = lowered.split(" ", 1)[0].startswith(words[0])
    return 0.5 + 0.3 * starts / len(words) + (0.15 if code_first else 0.0)


def highlight_words(text: str, words: list[str], style: Style) -> Content:
    """``text`` (never read as markup) with each typed word's occurrences in ``style``."""
    content = Content(text)
    lowered = text.lower()
    for word in words:
        for found in re.finditer(re.escape(word), lowered):
            content = content.stylize(style, found.start(), found.end())
    return content
