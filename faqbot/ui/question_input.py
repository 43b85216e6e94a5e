"""The question box: an Input with a history of asked questions (up/down), like a shell."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from faqbot.ui.conversation import Turn
from faqbot.ui.suggestions import SuggestionList

# A paste of several lines (claim lines) is kept in the one-line box with this between its lines; the
# app turns it back into line breaks when the question is asked.
PASTED_LINE_BREAK = " ⏎ "


class QuestionInput(Input):
    """Enter asks; up and down walk through earlier questions, keeping the unfinished draft."""

    BINDINGS = [
        Binding("up", "history_previous", "Previous question", show=False, id="history.previous"),
        Binding("down", "history_next", "Next question", show=False, id="history.next"),
        Binding("tab", "focus_suggestions", "Suggestions", id="suggestions.focus"),
        Binding(
            "pageup",
            "scroll_conversation('page_up')",
            "Scroll the conversation up",
            show=False,
            id="conversation.page_up",
        ),
        Binding(
            "pagedown",
            "scroll_conversation('page_down')",
            "Scroll the conversation down",
            show=False,
            id="conversation.page_down",
        ),
        Binding("end", "end_or_latest", "End of the line, then of the conversation", show=False, id="conversation.end"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Ask about a code or a billing rule, e.g. Can CPT 77295 and 77300 be billed together?",
            id=id,
        )
        self.history: list[str] = []
        self._position: int | None = None  # index into history while browsing it; None = editing the draft
        self._draft = ""

    def _on_paste(self, event: events.Paste) -> None:
        """Several pasted lines (a claim) are kept, joined by ⏎, instead of only the first."""
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) < 2:
            return  # the Input's own handler (called next) pastes it
        event.stop()
        event.prevent_default()  # the Input's own handler would paste the first line again
        self.insert_text_at_cursor(PASTED_LINE_BREAK.join(lines))

    def remember(self, question: str) -> None:
        """Add an asked question to the history (no immediate repeats) and stop browsing."""
        if question and (not self.history or self.history[-1] != question):
            self.history.append(question)
        self._position = None
        self._draft = ""

    def _show(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history) - 1
        elif self._position > 0:
            self._position -= 1
        self._show(self.history[self._position])

    def action_history_next(self) -> None:
        if self._position is None:
            return
        if self._position < len(self.history) - 1:
            self._position += 1
            self._show(self.history[self._position])
        else:
            self._position = None
            self._show(self._draft)

    def _conversation(self):
        from faqbot.ui.conversation import Conversation

        return self.screen.query_one(Conversation)

    def action_scroll_conversation(self, how: str) -> None:
        """Page the conversation from the question box (the box keeps focus)."""
        conversation = self._conversation()
        if how == "page_up":
            conversation.scroll_page_up(animate=False)
        else:
            conversation.scroll_page_down(animate=False)

    def action_end_or_latest(self) -> None:
        """End moves to the end of the typed text; pressed there (or in an empty box), to the latest answer."""
        if self.cursor_position < len(self.value):
            self.action_end()
        else:
            self._conversation().scroll_end(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_suggestions":
            return self._latest_suggestions() is not None
        return super().check_action(action, parameters)

    def _latest_suggestions(self) -> SuggestionList | None:
        """The suggestions under the latest answer, if it has any."""
        turns = self.screen.query(Turn)
        if not turns:
            return None
        lists = turns.last().query(SuggestionList)
        return lists.first() if lists else None

    def action_focus_suggestions(self) -> None:
        suggestions = self._latest_suggestions()
        if suggestions is not None:
            suggestions.focus()
            if suggestions.highlighted is None:
                suggestions.highlighted = 0
