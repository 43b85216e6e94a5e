"""The chat app's claim view: several pasted claim lines get a claim check; the export keeps it."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from faqbot.ui.claim_view import ClaimTable, ClaimView
from faqbot.ui.conversation import Turn
from faqbot.ui.question_input import PASTED_LINE_BREAK

from .helpers import SIZE, ask, settle

TRIAL_PASTE = (
    "Claim 4471 DOS 03/15/2025 POS 22 ln1 77263 ln2 77301 ln3 77300 x4 ln4 77338 ln5 77385 x28 "
    "ln6 77427 x6 ln7 77014-TC x28 ln8 77336 x6 -59 ln9 77387-26 x28 [bold]x[/]"
)


async def test_pasted_claim_lines_get_a_claim_view_not_an_answer(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, TRIAL_PASTE, type_it=False)
        assert turn.answer is None and turn.claim is not None
        view = turn.query_one(ClaimView)
        assert turn.claim.summary_line().startswith("7 problems")
        assert turn.claim.setting == "hospital"  # POS 22
        assert not any(f.kind == "deleted" for f in turn.claim.findings)  # 77385 is valid in 2025
        tables = view.query(ClaimTable)
        assert [t.part for t in tables] == ["findings", "lines"]
        assert "patient data" in str(view.query_one(".claim-note").render())


async def test_a_multi_line_paste_keeps_its_lines(app):
    async with app.run_test(size=SIZE) as pilot:
        box = app.query_one("#question", Input)
        box.focus()
        box.post_message(events.Paste("2026-03-02 77407\n2026-03-02 77387\n"))
        await pilot.pause()
        assert box.value == f"2026-03-02 77407{PASTED_LINE_BREAK}2026-03-02 77387"
        await pilot.press("enter")
        await settle(app, pilot)
        turn = app.query(Turn).last()
        assert turn.question == "2026-03-02 77407\n2026-03-02 77387"
        assert turn.claim is not None and turn.claim.problems
        box.post_message(events.Paste("what is 77427\n"))  # one line: pasted once, as before
        await pilot.pause()
        assert box.value == "what is 77427"


async def test_a_question_with_two_codes_is_still_a_question(app):
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, "can 77301 and 77014 be billed together on 2025-03-15?", type_it=False)
        assert turn.answer is not None and turn.claim is None


async def test_export_includes_the_claim_view_with_the_patient_data_reminder(app, export_dir: Path):
    async with app.run_test(size=SIZE) as pilot:
        await ask(app, pilot, TRIAL_PASTE, type_it=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        (path,) = export_dir.glob("*.md")
        text = path.read_text(encoding="utf-8")
        assert "**This export may contain patient data**" in text
        assert "| severity | lines | codes | rule | reason | sources |" in text
        assert "| problem |" in text and "77301-bundles-planning-services-opps" in text
        assert "\\[bold\\]x\\[/\\]" in text  # the pasted text is escaped, never markup


async def test_a_long_paste_is_shortened_above_the_claim_view(app):
    from faqbot.ui.conversation import QuestionView

    text = "\n".join(f"2026-03-{day:02d} 77407" for day in range(2, 12))
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(app, pilot, text, type_it=False)
        assert turn.claim is not None and len(turn.claim.lines) == 10
        shown = str(turn.query_one(QuestionView).render())
        assert "2026-03-05 77407" in shown and "2026-03-06" not in shown and "6 more lines" in shown
