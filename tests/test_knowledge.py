"""The knowledge base loader and validator, on the real knowledge base and on broken fixtures."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import DATA
from faqbot.knowledge import KnowledgeError, load_knowledge, validate_knowledge
from faqbot.model import KnowledgeBase

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_shipped_knowledge_base_is_valid(kb_dir: Path) -> None:
    kb, problems = validate_knowledge(kb_dir)
    assert problems == []
    assert kb is not None and len(kb.entries) >= 45


def test_every_entry_has_at_least_four_alternates_and_a_source(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        assert len(entry.alternates) >= 4, entry.id
        assert entry.sources, entry.id
        assert all(kb.sources[s].url.startswith("http") for s in entry.sources)


def test_every_code_and_rule_cites_a_source_with_url_and_date(kb: KnowledgeBase) -> None:
    for card in kb.codes.values():
        assert card.sources and all(kb.sources[s].url for s in card.sources), card.code
    for rule in kb.rules:
        assert rule.sources and all(kb.sources[s].accessed for s in rule.sources), rule.id


@pytest.mark.skipif(not (REFERENCE / "codes.tsv").exists(), reason="shared reference not present")
def test_code_table_covers_every_reference_code(kb: KnowledgeBase) -> None:
    with (REFERENCE / "codes.tsv").open(encoding="utf-8") as handle:
        reference = {row["code"] for row in csv.DictReader(handle, delimiter="\t")}
    assert reference - set(kb.codes) == set()


def test_deleted_codes_name_a_replacement_or_say_why_not(kb: KnowledgeBase) -> None:
    for card in kb.codes.values():
        if card.deleted_on is not None:
            assert card.replaced_by or card.note, card.code


def test_small_fixture_loads() -> None:
    kb = load_knowledge(DATA / "kb_small")
    assert [e.id for e in kb.entries] == ["what-is-77012"]
    assert kb.codes["77014"].replaced_by == ("77280",)


def test_broken_fixture_reports_every_problem_with_file_record_and_field() -> None:
    kb, problems = validate_knowledge(DATA / "kb_broken")
    assert kb is None
    lines = [str(p) for p in problems]
    expected = [
        "kb_broken/codes.toml: code '7701': field 'code': malformed code '7701'",
        "kb_broken/codes.toml: code '77014': field 'deleted_on': expected a date",
        "kb_broken/codes.toml: code '77014': field 'system': expected CPT or HCPCS, got 'AMA'",
        "kb_broken/codes.toml: code '77014': field 'family': unknown family 'no_such_family'",
        "kb_broken/codes.toml: code '77014': field 'sources': unknown source id 'no-such-source'",
        "kb_broken/faq/faq.toml: entry 'what-is-77012': field 'answer': empty",
        "kb_broken/faq/faq.toml: entry 'what-is-77012': field 'codes': unknown code '77999'",
        "kb_broken/faq/faq.toml: entry 'what-is-77012': field 'reviewed': expected a date",
        "kb_broken/faq/faq.toml: entry 'what-is-77012': field 'alternates': needs at least 4",
        "kb_broken/faq/faq.toml: entry 'what-is-77012': field 'id': duplicate entry id",
        "kb_broken/faq/not_toml.toml: not valid TOML",
        "kb_broken/rules/rules.toml: rule 'bad-indicator': field 'modifier_indicator': expected one of 0, 1, 9",
        "kb_broken/rules/rules.toml: rule 'bad-indicator': field 'setting'",
        "kb_broken/rules/rules.toml: rule 'bundled-pair': field 'relation': contradicts rule 'allowed-pair'",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), start
    assert len(lines) == len(expected)
    assert all("\n" not in line for line in lines)


def test_load_refuses_a_broken_knowledge_base() -> None:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(DATA / "kb_broken")
    assert len(info.value.problems) == 14


def test_missing_folder_is_one_problem(tmp_path: Path) -> None:
    kb, problems = validate_knowledge(tmp_path / "nowhere")
    assert kb is None and len(problems) == 1 and "not found" in str(problems[0])


def test_phrasing_shared_by_two_entries_is_reported(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", root)
    extra = (root / "faq" / "faq.toml").read_text().replace('id = "what-is-77012"', 'id = "copy-of-77012"')
    (root / "faq" / "copy.toml").write_text(extra)
    _, problems = validate_knowledge(root)
    assert any("field 'alternates'" in str(p) and "is also used by entry" in str(p) for p in problems)


def test_refusal_examples_load_and_a_bad_list_is_reported(tmp_path: Path, kb: KnowledgeBase) -> None:
    import shutil

    assert len(kb.refusal_examples) >= 100
    root = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", root)
    (root / "refusals.toml").write_text('questions = ["how do i reset my password", "How do I reset my password"]\n')
    _, problems = validate_knowledge(root)
    assert [str(p) for p in problems] == [
        "kb/refusals.toml: field 'questions': duplicate question 'How do I reset my password'"
    ]
    (root / "refusals.toml").write_text("questions = [1, 2]\n")
    _, problems = validate_knowledge(root)
    assert len(problems) == 1 and "refusals.toml" in str(problems[0]) and "non-empty strings" in str(problems[0])


def test_a_file_with_a_byte_order_mark_is_named_as_such(tmp_path: Path) -> None:
    """Trial row 32: not "Invalid statement (at line 1, column 1)"."""
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", kb)
    faq = kb / "faq" / "faq.toml"
    faq.write_bytes(b"\xef\xbb\xbf" + faq.read_bytes())
    _, problems = validate_knowledge(kb)
    assert [str(p) for p in problems if "faq.toml" in str(p)] == [
        "kb/faq/faq.toml: the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
    ]


def test_a_scope_topic_with_a_bad_exception_pattern_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", root)
    (root / "scope.toml").write_text(
        '[[topic]]\nid = "drugs"\npatterns = ["chemo admin"]\nunless = ["radio(pharm"]\nmessage = "not covered"\n'
    )
    _, problems = validate_knowledge(root)
    assert [str(p).split(": not a valid")[0] for p in problems] == ["kb/scope.toml: topic 'drugs': field 'unless'"]
