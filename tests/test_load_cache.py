"""The cached knowledge base (faqbot.kb_cache) and the ranker's cached phrasings (faqbot.phrasing_cache):
equal to a fresh load, keyed by every input, a damaged file rebuilt silently, a broken folder never cached."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import faqbot.kb_cache as kb_cache
from conftest import DATA, TODAY
from faqbot.cache_files import read_checked, source_digest, write_checked
from faqbot.engine import Faqbot
from faqbot.kb_cache import CACHE_NAME, knowledge_key, load_knowledge_cached
from faqbot.knowledge import KnowledgeError, load_knowledge
from faqbot.ranking import Ranker


def test_the_cached_shipped_knowledge_base_equals_a_fresh_load(kb, kb_dir: Path, tmp_path: Path, monkeypatch) -> None:
    assert load_knowledge_cached(kb_dir, tmp_path) == kb  # loads and writes
    (path,) = tmp_path.glob("kb-*.json")
    monkeypatch.setattr(kb_cache, "load_knowledge", lambda root: pytest.fail("loaded again"))
    cached = load_knowledge_cached(kb_dir, tmp_path)  # reads
    assert cached == kb and cached.root == kb_dir
    assert cached.entries_by_id == kb.entries_by_id and list(cached.codes) == list(kb.codes)


def _small_copy(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", root)
    return root


def test_an_edited_or_added_file_is_another_key_and_is_loaded(tmp_path: Path) -> None:
    root = _small_copy(tmp_path)
    cache = tmp_path / "cache"
    first = load_knowledge_cached(root, cache)
    key = knowledge_key(root)
    faq = next((root / "faq").glob("*.toml"))
    question = first.entries[0].question
    faq.write_text(faq.read_text(encoding="utf-8").replace(question, question + " today"), encoding="utf-8")
    assert knowledge_key(root) != key
    assert load_knowledge_cached(root, cache).entries[0].question == question + " today"
    edited = knowledge_key(root)
    (root / "faq" / "extra.toml").write_text("")
    added = knowledge_key(root)
    assert added != edited
    (root / "notes.txt").write_text("not read by the loader")
    (root / ".git").mkdir()
    (root / ".git" / "x.toml").write_text("")
    assert knowledge_key(root) == added  # what the loader never reads does not count


def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root = _small_copy(tmp_path)
    expected = load_knowledge_cached(root, tmp_path)
    (path,) = tmp_path.glob("kb-*.json")
    whole = path.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole.replace(b"77", b"78", 1), b"not json"):
        path.write_bytes(damaged)
        assert load_knowledge_cached(root, tmp_path) == expected
        assert path.read_bytes() == whole
    write_checked(path, b'{"entries": [["only", "two"]]}', pattern=CACHE_NAME)  # valid checksum, wrong shape
    assert load_knowledge_cached(root, tmp_path) == expected
    assert read_checked(path) is not None and path.read_bytes() == whole


def test_a_broken_knowledge_base_is_reported_and_never_cached(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge_cached(DATA / "kb_broken", tmp_path)
    with pytest.raises(KnowledgeError) as fresh:
        load_knowledge(DATA / "kb_broken")
    assert [str(p) for p in raised.value.problems] == [str(p) for p in fresh.value.problems]
    assert not list(tmp_path.iterdir())


def test_other_loader_code_is_another_key(tmp_path: Path) -> None:
    one, two = tmp_path / "a.py", tmp_path / "b.py"
    one.write_text("x = 1")
    two.write_text("x = 2")
    assert source_digest(str(one)) != source_digest(str(two))
    assert source_digest(str(one)) == source_digest(str(one))


def test_the_ranker_reads_its_phrasings_from_the_cache_and_ranks_alike(engine, kb, tmp_path: Path, monkeypatch) -> None:
    import faqbot.ranking as ranking

    fresh = engine.ranker  # built without a cache
    Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)  # writes
    (path,) = tmp_path.glob("phrasings-*.json")
    monkeypatch.setattr(ranking, "prepare_phrasings", lambda *a: pytest.fail("prepared again"))
    cached = Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)
    assert tuple(cached.docs) == fresh.docs and cached.question_codes == fresh.question_codes
    assert cached.intents == fresh.intents and cached.subject_codes == fresh.subject_codes
    assert cached._vocabulary_by_initial == fresh._vocabulary_by_initial
    for question in ("can 77295 and 77300 be billed together", "how often are port films billed", "hello"):
        codes = [c for c in ("77295", "77300") if c in question]
        assert np.array_equal(fresh.features(question, codes), cached.features(question, codes))
    monkeypatch.undo()
    path.write_bytes(path.read_bytes()[:100])  # cut off: prepared again and rewritten
    assert (
        tuple(Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path).docs)
        == fresh.docs
    )
    assert read_checked(path) is not None
    (texts,) = tmp_path.glob("texts-*.json")
    written = texts.read_bytes()
    texts.write_bytes(written[:100])  # texts cut off, and no index to spare reading them: prepared again
    for index in tmp_path.glob("index-*.bin"):
        index.unlink()
    again = Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)
    assert tuple(again.docs) == fresh.docs and texts.read_bytes() == written
    assert np.array_equal(fresh.features("port films weekly", ()), again.features("port films weekly", ()))


def test_an_engine_from_a_warm_cache_answers_like_one_built_fresh(engine, kb_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path))
    Faqbot.from_path(kb_dir)  # fills the cache
    warm = Faqbot.from_path(kb_dir)
    assert {p.name.split("-")[0] for p in tmp_path.iterdir()} == {"kb", "phrasings", "texts", "index"}
    for question in ("Can CPT 77295 and 77300 be billed together?", "what is 77014", "port films weekly?"):
        assert warm.answer(question, as_of=TODAY).to_dict() == engine.answer(question, as_of=TODAY).to_dict()


def test_numeric_arrays_round_trip_and_a_damaged_file_reads_as_none(tmp_path: Path) -> None:
    import re

    from faqbot.cache_files import read_arrays, read_prefaulted, write_arrays

    arrays = {
        "number": np.array(3),
        "flag": np.array(True),
        "floats": np.linspace(0, 1, 7, dtype=np.float32),
        "matrix": np.arange(12, dtype=np.int64).reshape(3, 4),
        "empty": np.array([], dtype=np.uint8),
    }
    path = tmp_path / "arrays-1.bin"
    write_arrays(path, arrays, pattern=re.compile(r"arrays-\d+\.bin"))
    read = read_arrays(path)
    assert read is not None and list(read) == list(arrays)
    for name, array in arrays.items():
        assert read[name].dtype == array.dtype and read[name].shape == array.shape
        assert np.array_equal(read[name], array)
    assert _equal(read_arrays(path, map_from=0), arrays)  # mapped (a large file) rather than copied
    whole = path.read_bytes()
    assert bytes(read_prefaulted(path)) == whole  # read into pre-mapped memory: the same bytes
    for damaged in (whole[:-3], whole[:-8] + b"\1" * 8, b"foreign", b""):
        path.write_bytes(damaged)
        assert read_arrays(path) is None and read_arrays(path, map_from=0) is None
    with pytest.raises(ValueError):
        write_arrays(path, {"objects": np.array([object()])}, pattern=re.compile("x"))


def _equal(read: dict[str, np.ndarray] | None, arrays: dict[str, np.ndarray]) -> bool:
    return read is not None and list(read) == list(arrays) and all(np.array_equal(read[k], arrays[k]) for k in arrays)


def test_a_mapped_array_file_survives_being_replaced_and_pruned_as_faqbot_does(tmp_path: Path) -> None:
    """faqbot renames a new file over the old name and unlinks old ones: a running map keeps its pages."""
    import re

    from faqbot.cache_files import read_arrays, write_arrays

    pattern = re.compile(r"arrays-\d+\.bin")
    first = {"values": np.arange(300_000, dtype=np.float32)}
    path = tmp_path / "arrays-1.bin"
    write_arrays(path, first, pattern=pattern)
    mapped = read_arrays(path, map_from=0)
    write_arrays(path, {"values": np.zeros(10, dtype=np.float32)}, pattern=pattern)  # replaced...
    path.unlink()  # ... and pruned
    assert _equal(mapped, first)
