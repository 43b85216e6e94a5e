"""The help desk's loop (faqbot.curation, faqbot curate): log, group, attach, draft, on copies of the
knowledge base in tmp_path; the shipped folder and the package's weights are never touched."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from helpdesk_log import helpdesk_records

from faqbot.cli import main
from faqbot.curation import (
    CurationError,
    Figures,
    attention_groups,
    cluster,
    dropped,
    find_group,
    open_records,
)
from faqbot.engine import Faqbot
from faqbot.learn_ranking import WEIGHTS_FILE
from faqbot.question_log import QuestionLog, default_log_path, record_for, with_feedback
from faqbot.ranking import FEATURES, RankingWeights

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_curation")

REFUSED = "our therapist built a foam block, can we charge"
REFUSED_AGAIN = "our therapist built a foam block for him, can we charge?"
DEVICES = "what-are-77332-77334"
AS_OF = date(2026, 12, 3)


def _copy(kb_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(kb_dir, copy)
    return copy


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_refused_question_logged_grouped_attached_then_answered(kb_dir, tmp_path, capsys) -> None:
    """The whole loop through the command line, with the quality figures before and after."""
    kb = _copy(kb_dir, tmp_path)
    shipped = {p: p.read_bytes() for p in [WEIGHTS_FILE, *kb_dir.rglob("*.toml")]}
    for question in (REFUSED, REFUSED_AGAIN):
        code, out, _ = _run(capsys, "ask", "--log", "--json", "--kb", str(kb), question)
        assert code == 0 and json.loads(out)["status"] == "no_match"
    _run(capsys, "ask", "--log", "--kb", str(kb), "Can 77014 be billed alone?")  # answered well: not logged
    assert len(default_log_path().read_text().splitlines()) == 2

    code, out, _ = _run(capsys, "curate", "list", "--json", "--kb", str(kb))
    groups = json.loads(out)["groups"]
    (group,) = [g for g in groups if REFUSED in [q["question"] for q in g["questions"]]]
    assert group["count"] == 2 and group["chosen"] == [{"entry_id": "(refused)", "count": 2}]
    assert group["candidates"]

    code, out, err = _run(capsys, "curate", "attach", group["id"], DEVICES, "--kb", str(kb), "--json")
    result = json.loads(out)
    assert code == 0 and result["kept"], result
    assert sorted(result["added"]) == sorted([REFUSED, REFUSED_AGAIN])
    assert [f["set"] for f in result["before"]] == ["devset", "realq-dev", "realq2-dev"]  # dev parts only
    for before, after in zip(result["before"], result["after"]):
        assert after["handled_right"] >= before["handled_right"] and after["answered_wrong"] <= before["answered_wrong"]
    assert "relearning the ranking weights" in err

    edited = Path(result["file"])
    original = (kb_dir / edited.relative_to(kb)).read_text(encoding="utf-8")
    new_lines = [line for line in edited.read_text(encoding="utf-8").splitlines() if line not in original.splitlines()]
    assert len(new_lines) == 2 and "# faqbot curate " + group["id"] in new_lines[0]  # the rest kept as it was
    entry = next(e for e in tomllib.loads(edited.read_text())["entry"] if e["id"] == DEVICES)
    assert REFUSED in entry["alternates"]

    code, out, _ = _run(capsys, "ask", "--json", "--kb", str(kb), REFUSED)
    assert json.loads(out)["entry_id"] == DEVICES
    code, out, _ = _run(capsys, "curate", "list", "--json", "--kb", str(kb))
    assert all(g["id"] != group["id"] for g in json.loads(out)["groups"])  # resolved
    assert shipped == {p: p.read_bytes() for p in shipped}  # the shipped folder and weights untouched


@pytest.fixture
def one_refused_group(kb_dir, tmp_path):
    kb = _copy(kb_dir, tmp_path)
    local = Faqbot.from_path(kb)
    log = QuestionLog(default_log_path())
    log.append([record_for(local.answer(REFUSED, as_of=AS_OF), asked_at=datetime(2026, 12, 3))])
    (group,) = attention_groups(log.read()[0], local)
    return kb, local, group


def _figures(monkeypatch, *handled_right: float) -> None:
    """quality_figures answers these (before, then after with each weights option), relearning stale weights."""
    import faqbot.curation as curation
    import faqbot.learn_ranking as learn_ranking

    figures = iter([(Figures("devset", 100, hr, 0.1),) for hr in handled_right])
    monkeypatch.setattr(curation, "quality_figures", lambda engine, files: next(figures))
    monkeypatch.setattr(learn_ranking, "learn_weights", lambda kb: RankingWeights((0.0,) * len(FEATURES), 0.0))


def test_attach_refuses_and_restores_when_the_figures_drop(one_refused_group, monkeypatch) -> None:
    from faqbot.curation import attach_group

    kb, local, group = one_refused_group
    _figures(monkeypatch, 0.9, 0.89, 0.88)
    before = {p: p.read_bytes() for p in kb.rglob("*") if p.is_file()}
    result = attach_group(group, DEVICES, local)
    assert not result.kept and result.refused_because == (
        "with the weights relearned: devset: handled right 0.900 -> 0.890, answered wrong 0.100 -> 0.100",
        "with the weights in use: devset: handled right 0.900 -> 0.880, answered wrong 0.100 -> 0.100",
    )
    assert {p: p.read_bytes() for p in kb.rglob("*") if p.is_file()} == before  # restored, no weights file


def test_attach_keeps_the_weights_in_use_when_relearned_ones_lower_the_figures(one_refused_group, monkeypatch) -> None:
    from faqbot.curation import attach_group

    kb, local, group = one_refused_group
    _figures(monkeypatch, 0.9, 0.89, 0.9)
    result = attach_group(group, DEVICES, local)
    assert result.kept and result.weights == "in use" and result.weights_file is None
    assert not (kb / "ranking_weights.toml").exists()
    assert attention_groups(QuestionLog(default_log_path()).read()[0], Faqbot.from_path(kb)) == []  # resolved


def test_figures_drop_counts_questions() -> None:
    before = (Figures("realq-dev", 80, 0.65, 0.25),)
    assert dropped(before, (Figures("realq-dev", 80, 0.6375, 0.25),)) != []
    assert dropped(before, (Figures("realq-dev", 80, 0.6375, 0.25),), allow=1) == []
    assert dropped(before, (Figures("realq-dev", 80, 0.65, 0.2625),)) != []
    assert dropped(before, (Figures("realq-dev", 80, 0.6625, 0.2375),)) == []


def test_draft_writes_a_skeleton_that_validation_reports_as_not_served(kb_dir, tmp_path, capsys) -> None:
    kb = _copy(kb_dir, tmp_path)
    questions = [
        "patient skipped the last week, what about management",
        "patient skipped the last week of treatment, what about the management code?",
    ]
    for question in questions:
        _run(capsys, "ask", "--log", "--kb", str(kb), question)
    code, out, _ = _run(capsys, "curate", "draft", "1", "--kb", str(kb), "--json")
    draft = json.loads(out)
    assert code == 0 and draft["entry_id"].endswith("-draft")
    (written,) = tomllib.loads((kb / "drafts.toml").read_text())["entry"]
    assert written["answer"] == "" and written["sources"] == [] and "reviewed" not in written
    assert {written["question"], *written["alternates"]} == set(questions)
    code, out, _ = _run(capsys, "kb", "validate", "--kb", str(kb))
    assert code == 0 and f"entry '{draft['entry_id']}': draft, not served (needs answer, sources, reviewed)" in out
    code, out, _ = _run(capsys, "curate", "list", "--json", "--kb", str(kb))
    assert json.loads(out)["groups"] == []  # drafted: no longer open

    # A person completes it: it is served (and validated like any entry).
    text = (kb / "drafts.toml").read_text()
    text = text.replace(
        'answer = ""', 'answer = "Management is billed for the fractions given; see the counting rules."'
    )
    text = text.replace("sources = []", 'sources = ["gn-cms-mln-modifier-59"]\nreviewed = 2026-12-03')
    (kb / "drafts.toml").write_text(text)
    code, _, err = _run(capsys, "kb", "validate", "--kb", str(kb))
    assert code == 1 and "drafts.toml" in err and "needs at least 4 alternate phrasings" in err


def test_curate_errors_are_one_line(kb_dir, tmp_path, capsys) -> None:
    kb = _copy(kb_dir, tmp_path)
    _run(capsys, "ask", "--log", "--kb", str(kb), REFUSED)
    code, _, err = _run(capsys, "curate", "attach", "g000000", DEVICES, "--kb", str(kb))
    assert code == 1 and err.count("\n") == 1 and "no group 'g000000'" in err
    code, _, err = _run(capsys, "curate", "attach", "1", "no-such-entry", "--kb", str(kb))
    assert code == 1 and err.count("\n") == 1 and "no entry 'no-such-entry'" in err
    code, _, err = _run(capsys, "curate")
    assert code == 2 and "choose a command" in err
    code, _, err = _run(capsys, "curate", "list", "--log", str(tmp_path), "--kb", str(kb))
    assert code == 2 and err.count("\n") == 1 and "cannot read the question log" in err


@pytest.fixture(scope="module")
def helpdesk(engine):
    return helpdesk_records(engine)


def test_a_month_of_help_desk_questions_groups_paraphrases_together(engine, helpdesk) -> None:
    """116 questions (the real dev questions and paraphrases), every answer rated."""
    assert len({r.key for r in helpdesk}) == 116
    groups = attention_groups(helpdesk, engine)
    assert sum(g.count for g in groups) == len(open_records(helpdesk, engine.kb))
    by_question = {q: g for g in groups for q, _ in g.questions}
    same = by_question["daily cbct physician review requirements, does a screenshot count"]
    assert any(q.startswith("What are the CBCT (XVI) review requirements") for q, _ in same.questions)
    assert same.wrong == 2 and same.candidates[0].entry_id == "77387-review-documentation"
    assert same.candidates[0].named_by_feedback
    assert len(groups) < len(by_question)  # paraphrases share groups
    assert find_group(groups, same.id) is same and find_group(groups, str(same.number)) is same
    with pytest.raises(CurationError):
        find_group(groups, "g999999")


def test_questions_naming_different_codes_never_share_a_group() -> None:
    texts = ["can 77014 be billed alone", "can 77012 be billed alone", "can 77014 be billed by itself"]
    labels = cluster(texts, [frozenset({"77014"}), frozenset({"77012"}), frozenset({"77014"})])
    assert labels[0] == labels[2] != labels[1]


def test_a_masked_question_is_never_attached(engine, tmp_path) -> None:
    from faqbot.curation import alternates_to_add

    log = QuestionLog(tmp_path / "log.jsonl")
    answer = engine.answer("the therapists made a mask for John Smith DOB 1/2/1950, is that billable", as_of=AS_OF)
    record = record_for(answer, asked_at=datetime(2026, 12, 3))
    log.append([with_feedback(record, "wrong", correct_entry=DEVICES)])
    (group,) = attention_groups(log.read()[0], engine)
    added, skipped = alternates_to_add(group, engine.kb)
    assert added == [] and skipped[0][1] == "masked (it held patient data)"
    assert group.candidates[0].entry_id == DEVICES and group.candidates[0].named_by_feedback
