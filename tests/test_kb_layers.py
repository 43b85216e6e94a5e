"""A practice's own knowledge folder layered over the shipped one (tests/data/kb_local): the last
folder wins on the same id, problems name their folder, local answers and rules say "Local policy"."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import DATA
from faqbot.cli import main
from faqbot.engine import Faqbot
from faqbot.knowledge import default_kb_dir, load_knowledge, validate_knowledge

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_kb_layers")

LOCAL = DATA / "kb_local"
AS_OF = date(2026, 12, 3)


@pytest.fixture(scope="module")
def layered(kb_dir) -> Faqbot:
    return Faqbot(load_knowledge((kb_dir, LOCAL)))


def test_a_local_entry_answers_and_says_it_is_local_policy(layered) -> None:
    answer = layered.answer("do we need prior auth from acme for sbrt", as_of=AS_OF)
    assert answer.entry_id == "acme-sbrt-prior-auth"
    assert answer.notices[0].startswith("Local policy: this answer is your help desk's own entry (folder kb_local)")
    (source,) = answer.sources
    assert source.id == "acme-health-contract-2026" and source.tier == "payer" and source.url.startswith("https://")


def test_a_local_entry_replaces_the_shipped_one_with_the_same_id(layered, engine) -> None:
    shipped = engine.answer("How often can CPT 77336 be billed?", as_of=AS_OF)
    local = layered.answer("How often can CPT 77336 be billed?", as_of=AS_OF)
    assert shipped.entry_id == local.entry_id == "how-often-77336"
    assert local.answer.startswith("Once per week of treatment") and local.answer != shipped.answer
    assert any(n.startswith("Local policy") for n in local.notices)
    assert not any(n.startswith("Local policy") for n in shipped.notices)
    assert len(layered.kb.entries) == len(engine.kb.entries) + 1  # one new, one replaced


def test_a_local_rule_decides_and_replaces_the_shipped_rule(layered, engine) -> None:
    check = layered.check(["77373"], dos=AS_OF, alone=True)
    by_rule = {f.rule_id: f for f in check.findings}
    assert by_rule["acme-77373-prior-auth"].local and by_rule["acme-77373-prior-auth"].verdict == "depends"
    assert by_rule["acme-77373-prior-auth"].reason.startswith("Local policy: ")
    replaced = by_rule["77373-per-fraction-max-5"]
    assert replaced.local and "Our contracts allow" in replaced.reason
    shipped = {f.rule_id: f for f in engine.check(["77373"], dos=AS_OF, alone=True).findings}
    assert not shipped["77373-per-fraction-max-5"].local and "acme-77373-prior-auth" not in shipped


def test_validate_warns_when_a_local_entry_overrides_a_newer_shipped_one(kb_dir, capsys) -> None:
    assert main(["kb", "validate", "--kb", str(kb_dir), "--kb", str(LOCAL)]) == 0
    out = capsys.readouterr().out
    assert "knowledge + " in out and f"{len(load_knowledge().entries) + 1} entries" in out
    warnings = [line for line in out.splitlines() if "warning:" in line]
    assert len(warnings) == 1 and "entry 'how-often-77336' (reviewed 2026-06-01)" in warnings[0]
    assert "reviewed later (2026-12-03)" in warnings[0]
    assert "rule '77373-per-fraction-max-5' overrides the one in knowledge/rules/delivery.toml" in out


def test_problems_name_the_folder_they_are_in(kb_dir, tmp_path) -> None:
    local = tmp_path / "our-policies"
    shutil.copytree(LOCAL, local)
    text = (local / "faq" / "local-policy.toml").read_text()
    (local / "faq" / "local-policy.toml").write_text(
        text.replace(
            'sources = ["acme-health-contract-2026"]\nreviewed = 2026-10-01',
            'sources = ["no-such-source"]\nreviewed = 2026-10-01',
            1,
        )
    )
    (local / "faq" / "twice.toml").write_text(text.split("# Replaces")[0])  # the same id twice in one folder
    kb, problems = validate_knowledge((kb_dir, local))
    assert kb is None
    lines = [str(p) for p in problems]
    assert (
        "our-policies/faq/local-policy.toml: entry 'acme-sbrt-prior-auth': field 'sources': unknown source id 'no-such-source' (add it to knowledge/sources/)"
        in lines
    )
    assert any(
        line.startswith("our-policies/faq/twice.toml: entry 'acme-sbrt-prior-auth': field 'id': duplicate entry id")
        for line in lines
    )
    assert all(line.startswith("our-policies/") for line in lines)


def test_faqbot_kb_takes_a_path_list(kb_dir, monkeypatch, capsys) -> None:
    monkeypatch.setenv("FAQBOT_KB", os.pathsep.join([str(kb_dir), str(LOCAL)]))
    assert default_kb_dir() == (kb_dir, LOCAL)
    assert main(["ask", "--json", "acme sbrt prior auth"]) == 0
    assert '"entry_id": "acme-sbrt-prior-auth"' in capsys.readouterr().out
    monkeypatch.setenv("FAQBOT_KB", str(kb_dir))
    assert default_kb_dir() == kb_dir


def test_a_local_folder_alone_is_not_a_knowledge_base(capsys) -> None:
    assert main(["kb", "validate", "--kb", str(LOCAL)]) == 1
    assert "kb_local/codes.toml: missing file" in capsys.readouterr().err


def test_the_shipped_folder_is_never_written_by_layering(kb_dir) -> None:
    before = {p: p.stat().st_mtime_ns for p in Path(kb_dir).rglob("*.toml")}
    load_knowledge((kb_dir, LOCAL))
    assert before == {p: p.stat().st_mtime_ns for p in Path(kb_dir).rglob("*.toml")}


def test_attach_to_a_shipped_entry_writes_into_the_local_folder(kb_dir, tmp_path, monkeypatch) -> None:
    """The shipped folder is never edited: the entry is copied into the local one with the alternates."""
    import faqbot.curation as curation
    import faqbot.learn_ranking as learn_ranking
    from faqbot.curation import attach_group, attention_groups
    from faqbot.question_log import QuestionLog, record_for

    local = tmp_path / "our-policies"
    shutil.copytree(LOCAL, local)
    engine = Faqbot(load_knowledge((kb_dir, local)))
    monkeypatch.setattr(learn_ranking, "learn_weights", lambda kb: engine.ranker.weights)  # relearning: test_curation
    monkeypatch.setattr(curation, "quality_figures", lambda engine, files: ())
    question = "the therapists made a mask, is that billable"
    log = QuestionLog(tmp_path / "log.jsonl")
    log.append(
        [record_for(engine.answer(question, as_of=AS_OF), asked_at=__import__("datetime").datetime(2026, 12, 3))]
    )
    (group,) = attention_groups(log.read()[0], engine)
    before = {p: p.read_bytes() for p in Path(kb_dir).rglob("*.toml")}
    result = attach_group(group, "what-are-77332-77334", engine)
    assert result.kept and result.file == local / "faq" / "attached.toml"
    assert before == {p: p.read_bytes() for p in Path(kb_dir).rglob("*.toml")}
    layered = Faqbot(load_knowledge((kb_dir, local)))
    assert layered.kb.entries_by_id["what-are-77332-77334"].layer == 1
    assert layered.answer(question, as_of=AS_OF).entry_id == "what-are-77332-77334"
    assert (local / "ranking_weights.toml").exists() is False  # the weights in use still hold
