"""Command palette entries: look up a code, check codes, code browser, export, clear, rate, curate, help."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
        hits: list[Hit] = []
        words = query.lower().split()
        for card in engine.kb.codes.values():
            text = f"Look up {card.code} — {card.description}"
            if card.code in scan.codes:
                score = 1.0
            else:  # every typed word in the code or its description (and only then the slower fuzzy score)
                haystack = f"{card.code} {card.description}".lower()
                score = matcher.match(haystack) if words and all(w in haystack for w in words) else 0
            if score > 0:
                hits.append(
                    Hit(
                        score,
                        matcher.highlight(text) if card.code not in scan.codes else text,
                        partial(app.show_card, card.code),
                        text=text,
                        help=f"{card.system} code card",
                    )
                )
        hits.sort(key=lambda hit: hit.score, reverse=True)
        for hit in hits[:MAX_CODE_HITS]:
            yield hit
