"""FaqbotApp: the chat app for billing help-desk staff.

The knowledge base loads in a worker so the window appears at once; a question asked before it is
ready waits for it, with an indicator. Every answer comes from :meth:`faqbot.engine.Faqbot.answer`.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import AwaitMount
from textual.widgets import Footer, Header, Input, Label, LoadingIndicator, Markdown

from faqbot.knowledge import KnowledgeError, KnowledgePath, default_kb_dir
from faqbot.ui.check_screen import CheckCodesScreen, check_question
from faqbot.ui.code_browser import CodeBrowserScreen
from faqbot.ui.code_card_screen import CodeCardScreen
from faqbot.ui.code_panel import CodePanel
from faqbot.ui.commands import FaqbotCommands
from faqbot.ui.conversation import Conversation, Turn, welcome_markdown
from faqbot.ui.error_screen import KnowledgeErrorScreen
from faqbot.ui.export import conversation_markdown, default_export_dir, write_export
from faqbot.ui.feedback_screen import FeedbackChoice, FeedbackScreen, log_answer, log_feedback
from faqbot.ui.help_screen import HelpScreen
from faqbot.ui.question_input import PASTED_LINE_BREAK, QuestionInput
from faqbot.ui.suggestions import SuggestionList, suggestion_choices

if TYPE_CHECKING:
    from faqbot.engine import Faqbot
    from faqbot.question_log import QuestionLog

SUB_TITLE = "radiation-oncology billing codes · reference information, not billing advice"
EXPORT_NOTICE = "It may contain patient data: it is readable only by you; share it only where patient data is allowed."
# The footer's labels are short (it must fit 80 columns); help and the welcome text say more.
HELP_WORDS = {
    "toggle_code_panel": "Show or hide the code panel",
    "check_codes": "Check codes",
    "feedback": "Rate the latest answer: right, wrong, or the entry it should have been",
    "curate": "Curate the question log: group, attach, draft",
}


class FaqbotApp(App[None]):
    """Ask billing-code questions; read sourced answers, verdict tables and code cards."""

    CSS_PATH = "app.tcss"
    TITLE = "faqbot"
    SUB_TITLE = SUB_TITLE
    COMMANDS = App.COMMANDS | {FaqbotCommands}
    AUTO_FOCUS = "#question"
    # Below 100 columns the code panel gives way to the conversation (F3 brings it back).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("f2,ctrl+b", "code_browser", "Codes", id="app.code_browser"),
        Binding("f3", "toggle_code_panel", "Panel", id="app.toggle_code_panel"),
        Binding("f4", "check_codes", "Check", id="app.check_codes"),
        Binding("f5", "feedback", "Rate", id="app.feedback"),
        Binding("f6", "curate", "Curate", id="app.curate"),
        Binding("ctrl+s", "export", "Export", id="app.export"),
        Binding("ctrl+l", "clear", "Clear", id="app.clear"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("escape", "focus_question", "Back to question", show=False, id="app.focus_question"),
    ]
    # Keys that need a loaded knowledge base: hidden (and inert) when it could not be loaded.
    NEEDS_KNOWLEDGE = frozenset(
        {"code_browser", "check_codes", "export", "clear", "toggle_code_panel", "feedback", "curate"}
    )

    def __init__(
        self,
        kb_dir: KnowledgePath | None = None,
        as_of: date | None = None,
        *,
        export_dir: Path | None = None,
        engine: Faqbot | None = None,
        question_log: QuestionLog | None = None,
    ) -> None:
        """``engine``: an already loaded engine for ``kb_dir`` (tests share one); else it loads in a worker.
        ``question_log``: where refusals, low-confidence answers and feedback go (None: nowhere)."""
        super().__init__()
        self.kb_dir = kb_dir if kb_dir is not None else default_kb_dir()
        self.as_of = as_of
        self.export_dir = export_dir if export_dir is not None else default_export_dir()
        self.engine: Faqbot | None = None
        self._preloaded = engine
        self.load_problems: list[str] | None = None
        self.question_log = question_log
        self._kb_ready = asyncio.Event()

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="❯")
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield Conversation(welcome=welcome_markdown(self.welcome_keys()), id="conversation")
                yield QuestionInput(id="question")
                with Horizontal(id="status"):
                    yield LoadingIndicator(id="status-spinner")
                    yield Label(Content("Loading the knowledge base…"), id="status-text")
            yield CodePanel(id="code-panel")
        yield Footer(compact=True)  # compact: every key, F5 and F6 included, fits 80 columns

    def on_mount(self) -> None:
        # After the first paint: the import in the loading thread holds the GIL for a second, and
        # the question box should be usable before it starts.
        if self._preloaded is not None:
            self.call_after_refresh(self._knowledge_loaded, self._preloaded)
        else:
            self.call_after_refresh(self.load_knowledge)

    @property
    def as_of_date(self) -> date:
        """The date answers are valid for: the fixed ``as_of``, else today."""
        return self.as_of or date.today()

    # -- knowledge loading --------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="knowledge")
    def load_knowledge(self) -> None:
        """Load and index the knowledge base off the UI thread."""
        try:
            from faqbot.engine import Faqbot  # scikit-learn is imported here, off the UI thread

            engine = Faqbot.from_path(self.kb_dir)
        except KnowledgeError as exc:
            self.call_from_thread(self._knowledge_failed, [str(problem) for problem in exc.problems])
        except Exception as exc:  # an unreadable folder or file: show it, never a traceback
            self.call_from_thread(self._knowledge_failed, [f"{self.kb_dir}: {type(exc).__name__}: {exc}"])
        else:
            self.call_from_thread(self._knowledge_loaded, engine)

    def _knowledge_loaded(self, engine: Faqbot) -> None:
        from faqbot.disclaimer import DISCLAIMER

        self.engine = engine
        kb = engine.kb
        self.query_one("#welcome", Markdown).update(welcome_markdown(self.welcome_keys(), DISCLAIMER))
        as_of = self.as_of.isoformat() if self.as_of else f"today ({date.today().isoformat()})"
        self.query_one("#status-spinner").display = False
        self.query_one("#status-text", Label).update(
            Content.assemble(
                ("● ", "$text-success"),
                f"Ready · {len(kb.entries)} entries, {len(kb.codes)} codes, {len(kb.rules)} rules · as of {as_of}",
            )
        )
        self._kb_ready.set()

    def _knowledge_failed(self, problems: list[str]) -> None:
        self.load_problems = problems
        self.query_one("#status-spinner").display = False
        self.query_one("#status-text", Label).update(
            Content.assemble(
                ("✖ ", "$text-error"),
                f"The knowledge base could not be loaded ({len(problems)} problem(s))",
            )
        )
        self._kb_ready.set()
        self.refresh_bindings()
        self.push_screen(KnowledgeErrorScreen(self.kb_dir, problems))

    # -- asking -------------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def _question_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.value = ""
        self.ask(event.value.replace(PASTED_LINE_BREAK, "\n"))  # a multi-line paste keeps its lines

    @on(SuggestionList.Chosen)
    def _suggestion_chosen(self, event: SuggestionList.Chosen) -> None:
        event.stop()
        self.ask(event.question)

    def ask(self, question: str) -> None:
        """Ask ``question``: show it at once, answer it when the knowledge base is ready."""
        if not question.strip():
            return
        while len(self.screen_stack) > 1 and self.load_problems is None:
            self.pop_screen()
        question_input = self.query_one(QuestionInput)
        question_input.remember(question)
        question_input.focus()
        turn = Turn(question)
        mounted = self.query_one(Conversation).mount(turn)
        self.run_worker(self._answer(turn, mounted), group="answers")

    async def _answer(self, turn: Turn, mounted: AwaitMount) -> None:
        await mounted
        conversation = self.query_one(Conversation)
        conversation.scroll_end(animate=False)
        if not self._kb_ready.is_set():
            turn.show_waiting()
            await self._kb_ready.wait()
        if self.engine is None:
            await turn.show_error("No answer: the knowledge base could not be loaded.")
            return
        from faqbot.claim_lines import looks_like_claim

        if looks_like_claim(turn.question):  # pasted claim lines: a claim check, not a question answer
            from faqbot.claim_check import check_claim
            from faqbot.claim_lines import read_claim

            await turn.show_claim(check_claim(self.engine.checker, read_claim(turn.question)))
            conversation.retire_suggestions(keep=turn)
            self.refresh_bindings()
            self.call_after_refresh(conversation.scroll_to_widget, turn, animate=False, top=True)
            return
        answer = self.engine.answer(turn.question, as_of=self.as_of)
        turn.log_record = log_answer(self.question_log, answer)
        choices = suggestion_choices(answer, self.engine.scan(answer.question).mentions)
        await turn.show_answer(answer, choices)
        conversation.retire_suggestions(keep=turn)
        await self.query_one(CodePanel).show_answer(answer, self.engine.kb)
        self.refresh_bindings()
        self.call_after_refresh(conversation.scroll_to_widget, turn, animate=False, top=True)

    def answered_turns(self) -> list[Turn]:
        return [t for t in self.query_one(Conversation).turns if t.answer is not None or t.claim is not None]

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NEEDS_KNOWLEDGE and self.load_problems is not None:
            return False
        return super().check_action(action, parameters)

    def _need_engine(self) -> Faqbot | None:
        if self.engine is None:
            if self.load_problems is not None:
                self.notify("The knowledge base could not be loaded.", severity="error")
            else:
                self.notify("The knowledge base is still loading; try again in a moment.", severity="warning")
        return self.engine

    def _ask_if_chosen(self, question: str | None) -> None:
        if question:
            self.ask(question)

    def action_focus_question(self) -> None:
        self.query_one(QuestionInput).focus()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_help()))

    def action_code_browser(self) -> None:
        if (engine := self._need_engine()) is not None:
            self.push_screen(CodeBrowserScreen(engine.kb, self.as_of_date), self._ask_if_chosen)

    def show_card(self, code: str) -> None:
        """Open the card of one code (from the command palette)."""
        if (engine := self._need_engine()) is not None and code in engine.kb.codes:
            self.push_screen(CodeCardScreen(engine.kb.codes[code], engine.kb, self.as_of_date), self._ask_if_chosen)

    def action_check_codes(self) -> None:
        if self._need_engine() is not None:
            self.push_screen(CheckCodesScreen(), self._check_typed)

    def _check_typed(self, typed: str | None) -> None:
        if not typed or self.engine is None:
            return
        scan = self.engine.scan(typed)
        if not scan.codes:
            hint = f" Did you mean {', '.join(scan.did_you_mean.values())}?" if scan.did_you_mean else ""
            self.notify(f"No code from the code table in “{typed}”.{hint}", severity="warning", markup=False)
            return
        self.ask(check_question(scan.codes, typed))

    def action_feedback(self) -> None:
        """Rate the latest answer (F5): right, wrong with a comment, or the entry it should have been."""
        turns = self.answered_turns()
        if (engine := self._need_engine()) is None:
            return
        if not turns:
            self.notify("Nothing to rate yet: ask a question first.", severity="warning")
            return
        turn = turns[-1]
        if turn.answer is not None:
            self.push_screen(FeedbackScreen(turn.answer, engine.kb.entries), partial(self._feedback_given, turn))

    def _feedback_given(self, turn: Turn, choice: FeedbackChoice | None) -> None:
        if choice is None or turn.answer is None:
            return
        if self.question_log is None:
            self.notify(
                "The question log is off (--no-log or FAQBOT_NO_LOG): feedback is not kept.", severity="warning"
            )
            return
        try:
            turn.log_record = log_feedback(self.question_log, turn.answer, turn.log_record, choice)
        except OSError as exc:
            self.notify(f"Could not write the question log: {exc}", severity="error", markup=False)
            return
        self.notify(choice.summary(), title="Feedback logged", markup=False)

    def action_curate(self) -> None:
        """The curation screen (F6): the logged questions that need attention, grouped; attach or draft."""
        if (engine := self._need_engine()) is None:
            return
        if self.question_log is None:
            self.notify("The question log is off (--no-log or FAQBOT_NO_LOG): nothing to curate.", severity="warning")
            return
        from faqbot.ui.curation_screen import CurationScreen

        self.push_screen(CurationScreen(engine, self.question_log))

    def action_toggle_code_panel(self) -> None:
        """Show or hide the code panel. By default it shows on wide windows and gives way on narrow ones
        (``-narrow``); F3 overrides that either way, for this session."""
        panel = self.query_one(CodePanel)
        shown = panel.display
        panel.set_class(shown, "-hidden")
        panel.set_class(not shown, "-shown")

    async def action_clear(self) -> None:
        await self.query_one(Conversation).clear()
        await self.query_one(CodePanel).clear()
        self.refresh_bindings()
        self.action_focus_question()

    def action_export(self) -> Path | None:
        """Write the conversation as Markdown into the export folder; the path is shown in a notification."""
        turns = self.answered_turns()
        if not turns:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return None
        items: list = []
        for turn in turns:
            choices = tuple(choice.question for choice in turn.choices)
            if turn.answer is not None:
                items.append((turn.answer, choices))
            elif turn.claim is not None:
                items.append(((turn.question, turn.claim), choices))
        markdown = conversation_markdown(
            items,
            exported_at=datetime.now(),
            kb_root=self.kb_dir,
        )
        try:
            path = write_export(markdown, self.export_dir, now=datetime.now())
        except OSError as exc:
            self.notify(f"Could not export to {self.export_dir}: {exc}", severity="error", markup=False)
            return None
        self.last_export = path
        self.notify(f"{path}\n{EXPORT_NOTICE}", title="Conversation exported", markup=False, timeout=10)
        return path

    # -- keys, for the footer, the welcome text and help ---------------------------------------

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, description) for every binding worth knowing, from the bindings themselves."""
        rows: list[tuple[str, str]] = []
        for bindings in (FaqbotApp.BINDINGS, QuestionInput.BINDINGS, SuggestionList.BINDINGS):
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    row = (self._keys(binding.key), HELP_WORDS.get(binding.action, binding.description))
                    if row not in rows:
                        rows.append(row)
        rows.append((self._keys(self.COMMAND_PALETTE_BINDING), "Command palette"))
        return rows

    def welcome_keys(self) -> str:
        wanted = {"help", "code_browser", "check_codes", "export"}
        parts = [
            f"**{self._keys(b.key)}** {HELP_WORDS.get(b.action, b.description).lower()}"
            for b in self.BINDINGS
            if isinstance(b, Binding) and b.action in wanted
        ]
        parts.insert(2, f"**{self._keys(self.COMMAND_PALETTE_BINDING)}** commands")
        return " · ".join(parts)

    def _keys(self, keys: str) -> str:
        return " / ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))
