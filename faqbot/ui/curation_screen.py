"""F6: the curation screen. The logged questions that need attention, grouped as ``faqbot curate
list`` groups them; ``a`` attaches the highlighted group to an entry (its candidates first), ``d``
drafts a new entry for it. The work is :mod:`faqbot.curation`'s; this screen only shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from faqbot.ui.feedback_screen import EntryPickerScreen

if TYPE_CHECKING:
    from faqbot.curation import Group
    from faqbot.engine import Faqbot
    from faqbot.question_log import QuestionLog


# (label, width) of the group table's columns; the question gets what is left of a 120-column window.
COLUMNS = (("#", 3), ("group", 8), ("asked", 5), ("faqbot chose", 26), ("feedback", 9), ("question", 48))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class CurationScreen(ModalScreen[None]):
    """Groups of logged questions; attach one to an entry or draft an entry for it."""

    BINDINGS = [
        Binding("a", "attach", "Attach to entry", id="curation.attach"),
        Binding("d", "draft", "Draft entry", id="curation.draft"),
        Binding("escape,f6", "dismiss(None)", "Close", id="curation.close"),
    ]

    def __init__(self, engine: Faqbot, log: QuestionLog) -> None:
        super().__init__()
        self.engine = engine
        self.question_log = log
        self.groups: list[Group] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="curation-dialog"):
            yield DataTable(id="curation-groups", cursor_type="row", zebra_stripes=True)
            yield Static(id="curation-detail", markup=False)
            yield Label(Content("Reading the question log…"), id="curation-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#curation-dialog").border_title = "Questions that need attention"
        table = self.query_one("#curation-groups", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.load_groups()

    @work(thread=True, exclusive=True, group="curation")
    def load_groups(self) -> None:
        from faqbot.curation import attention_groups

        records, bad = self.question_log.read()
        groups = attention_groups(records, self.engine)
        self.app.call_from_thread(self._show_groups, groups, len(records), bad)

    def _show_groups(self, groups: list[Group], records: int, bad: int) -> None:
        self.groups = groups
        table = self.query_one("#curation-groups", DataTable)
        table.clear()
        for g in groups:
            feedback = ", ".join(
                part
                for part in (f"wrong ×{g.wrong}" if g.wrong else "", f"right ×{g.right}" if g.right else "")
                if part
            )
            chosen = ", ".join(e for e, _ in g.chosen)
            cells = (str(g.number), g.id, str(g.count), chosen, feedback, g.questions[0][0])
            table.add_row(*(Text(_clip(cell, width)) for cell, (_, width) in zip(cells, COLUMNS)), key=g.id)
        skipped = f"; {bad} unreadable line(s) skipped" if bad else ""
        self._status(
            f"{len(groups)} group(s) from {records} record(s) in {self.question_log.path}{skipped} · a attach · d draft · Esc close"
            if groups
            else f"Nothing needs attention ({records} record(s) in {self.question_log.path}{skipped})."
        )
        self._show_detail()

    def _status(self, text: str) -> None:
        self.query_one("#curation-status", Label).update(Content(text))

    @property
    def current(self) -> Group | None:
        table = self.query_one("#curation-groups", DataTable)
        if not self.groups or table.cursor_row is None or table.cursor_row >= len(self.groups):
            return None
        return self.groups[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        group = self.current
        detail = self.query_one("#curation-detail", Static)
        if group is None:
            detail.update(Content(""))
            return
        lines = [f"“{q}”" + (f" ×{n}" if n > 1 else "") for q, n in group.questions[:5]]
        lines += [f"comment: {c}" for c in group.comments[:2]]
        lines += [
            f"candidate {c.entry_id} ({c.score:.2f})" + (" · named in feedback" if c.named_by_feedback else "")
            for c in group.candidates
        ]
        detail.update(Content("\n".join(lines)))

    def action_attach(self) -> None:
        group = self.current
        if group is None or self.busy:
            return
        first = [c.entry_id for c in group.candidates]
        entries = sorted(self.engine.kb.entries, key=lambda e: first.index(e.id) if e.id in first else len(first))
        self.app.push_screen(EntryPickerScreen(entries), lambda entry_id: self._attach_chosen(group, entry_id))

    def _attach_chosen(self, group: Group, entry_id: str | None) -> None:
        if entry_id:
            self.busy = True
            self._status(f"Attaching group {group.id} to {entry_id}: quality before, relearning, quality after…")
            self.attach(group, entry_id)

    @work(thread=True, group="curation-attach")
    def attach(self, group: Group, entry_id: str) -> None:
        from faqbot.curation import CurationError, attach_group
        from faqbot.engine import Faqbot

        try:
            result = attach_group(group, entry_id, self.engine)
        except CurationError as exc:
            self.app.call_from_thread(self._done, str(exc), "error", None)
            return
        figures = ", ".join(
            f"{a.name} {b.handled_right:.3f}→{a.handled_right:.3f}" for b, a in zip(result.before, result.after)
        )
        if not result.kept:
            self.app.call_from_thread(
                self._done, f"Refused, nothing changed: {'; '.join(result.refused_because)}", "error", None
            )
            return
        engine = Faqbot.from_path(self.engine.kb.roots[0] if len(self.engine.kb.roots) == 1 else self.engine.kb.roots)
        text = f"Attached {len(result.added)} question(s) to {entry_id}. Handled right: {figures}"
        self.app.call_from_thread(self._done, text, "information", engine)

    def draft_now(self, group: Group) -> None:
        from faqbot.curation import CurationError, draft_group

        try:
            result = draft_group(group, self.engine)
        except CurationError as exc:
            self.app.notify(str(exc), severity="error", markup=False)
            return
        self.app.notify(
            f"Drafted {result.entry_id} in {result.file}: not served until its answer, a source and reviewed are filled in.",
            title="Draft written",
            markup=False,
        )
        self.load_groups()

    def action_draft(self) -> None:
        group = self.current
        if group is not None and not self.busy:
            self.draft_now(group)

    def _done(self, message: str, severity: str, engine: Faqbot | None) -> None:
        self.busy = False
        if engine is not None:
            self.engine = engine
            self.app.engine = engine  # type: ignore[attr-defined]  # later answers use the changed knowledge
        self.app.notify(message, severity=severity, markup=False, timeout=15)  # type: ignore[arg-type]
        self.load_groups()
