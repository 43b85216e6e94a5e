"""The fitted-index cache (faqbot.text_index): same answers as a fresh fit, keyed by its inputs, safe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import faqbot.text_index as text_index
from faqbot.cache_files import read_arrays
from faqbot.phrasing_cache import CachedTexts
from faqbot.ranking import Ranker
from faqbot.text_index import KEEP_FILES, cache_key, default_cache_dir, fit_or_load, keyed_by

DOCS = ["imrt plan code", "basic dosimetry calculation", "weekly treatment management"]
WHOLE = ["imrt plan code answer", "dosimetry answer", "management answer"]


def test_a_cached_index_ranks_exactly_like_a_fresh_one(kb, tmp_path: Path) -> None:
    fresh = Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations)
    Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)  # writes
    assert len(list(tmp_path.glob("index-*.bin"))) == 1
    cached = Ranker(kb.entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)  # reads
    for question in ("can 77295 and 77300 be billed together", "port films per week", "wat is 77012", "hello"):
        codes = [c for c in ("77295", "77300", "77012") if c in question]
        assert np.array_equal(fresh.features(question, codes), cached.features(question, codes))


def test_the_second_build_reads_the_file_instead_of_fitting(tmp_path: Path, monkeypatch) -> None:
    first = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    monkeypatch.setattr(text_index, "fit_text", lambda *a, **k: pytest.fail("fitted again"))
    second = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    assert (first.word_t != second.word_t).nnz == 0 and (first.char != second.char).nnz == 0
    assert list(first.char_terms) == list(second.char_terms)


def test_any_change_to_the_inputs_is_another_file() -> None:
    key = cache_key(DOCS, WHOLE, char_term_major=True)
    assert cache_key([*DOCS[:-1], "weekly treatment management!"], WHOLE, char_term_major=True) != key
    assert cache_key(DOCS, [*WHOLE[:-1], "changed answer"], char_term_major=True) != key
    assert cache_key(DOCS, WHOLE, char_term_major=False) != key


def test_a_given_key_names_the_file_and_the_texts_are_read_only_to_fit(tmp_path: Path) -> None:
    key = keyed_by("a" * 40, char_term_major=True)
    assert len({key, keyed_by("b" * 40, char_term_major=True), keyed_by("a" * 40, char_term_major=False)}) == 3
    first = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path, key=key)
    assert [p.name for p in tmp_path.iterdir()] == [f"index-{key}.bin"]
    unread = CachedTexts(len(DOCS), lambda: pytest.fail("texts read"))
    second = fit_or_load(unread, unread, char_term_major=True, cache_dir=tmp_path, key=key)
    assert (first.word_t != second.word_t).nnz == 0


def test_a_damaged_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    (path,) = tmp_path.glob("index-*.bin")
    path.write_bytes(b"not an index file")
    fitted = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    assert fitted.word_t.shape[1] == len(DOCS)
    data = read_arrays(path)  # a real index file again, numeric arrays only
    assert data is not None and "word_terms" in data


def test_old_files_are_pruned(tmp_path: Path) -> None:
    for i in range(KEEP_FILES + 3):
        fit_or_load([*DOCS, f"doc {i}"], [*WHOLE, f"whole {i}"], char_term_major=True, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("index-*.bin"))) == KEEP_FILES
    assert not list(tmp_path.glob(".index-*"))  # no temporary files left behind


def test_an_unwritable_cache_folder_only_costs_the_fit(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    fitted = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=blocker / "sub")
    assert fitted.entry_t.shape == (fitted.word_t.shape[0], len(WHOLE))


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("FAQBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "faqbot"
    monkeypatch.setenv("FAQBOT_NO_CACHE", "1")
    assert default_cache_dir() is None


def test_a_truncated_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    """Trial row 8: a cut-off index file is fitted again and replaced, never raised."""
    fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    (path,) = tmp_path.glob("index-*.bin")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    fitted = fit_or_load(DOCS, WHOLE, char_term_major=True, cache_dir=tmp_path)
    assert fitted.word_t.shape[1] == len(DOCS)
    data = read_arrays(path)
    assert data is not None and "word_terms" in data


def test_a_truncated_cache_never_locks_the_command_line_out(tmp_path: Path, monkeypatch, capsys) -> None:
    """Trial row 8: truncate the cache file a real ``faqbot ask`` wrote; the next one answers and rewrites it."""
    from conftest import DATA
    from faqbot.cli import main

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path))
    argv = ["ask", "--json", "--kb", str(DATA / "kb_small"), "what is 77014"]
    assert main(argv) == 0
    (path,) = tmp_path.glob("index-*.bin")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])
    capsys.readouterr()
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out.strip()
    assert path.read_bytes() == whole  # rewritten in full


def test_the_pruner_deletes_only_files_it_wrote(tmp_path: Path) -> None:
    """Trial §7: a shared cache folder keeps other programs' files, even ones named index-*.bin."""
    foreign = [tmp_path / "index-notes.bin", tmp_path / "index-0123.bin", tmp_path / "other.bin"]
    for path in foreign:
        path.write_bytes(b"someone else's file")
    for i in range(KEEP_FILES + 2):
        fit_or_load([*DOCS, f"doc {i}"], [*WHOLE, f"whole {i}"], char_term_major=True, cache_dir=tmp_path)
    assert all(path.exists() for path in foreign)
    assert len([p for p in tmp_path.glob("index-*.bin") if p not in foreign]) == KEEP_FILES


def test_a_large_index_is_written_as_fitted_and_served_mapped_from_its_file(tmp_path: Path, monkeypatch) -> None:
    """A large build writes each part as soon as it is fitted, then answers from the file (mapped)."""
    import faqbot.cache_files as cache_files

    fresh = fit_or_load(DOCS, WHOLE, char_term_major=False, cache_dir=None)
    monkeypatch.setattr(cache_files, "MAP_FROM", 0)
    written = fit_or_load(DOCS, WHOLE, char_term_major=False, cache_dir=tmp_path)
    assert not written.word_t.data.flags.writeable  # a view of the mapped file, not the fit's arrays
    assert written.char_words is not None and fresh.char_words is not None
    pairs = [(written.word_t, fresh.word_t), (written.entry_t, fresh.entry_t), (written.char, fresh.char)]
    pairs += [(written.char_words.doc_words, fresh.char_words.doc_words)]
    pairs += [(written.char_words.word_grams_t, fresh.char_words.word_grams_t)]
    for ours, theirs in pairs:
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.data, theirs.data)
    assert np.array_equal(written.char_words.norms, fresh.char_words.norms)
    assert list(written.word_terms) == list(fresh.word_terms) and written.char_terms == fresh.char_terms
    assert np.array_equal(written.word_idf, fresh.word_idf) and np.array_equal(written.char_idf, fresh.char_idf)


def test_a_write_failing_midway_leaves_no_file_and_still_fits(tmp_path: Path, monkeypatch) -> None:
    from faqbot.cache_files import ArrayFileWriter

    added = ArrayFileWriter.add

    def failing(self, name, array):  # the disk fills up after the character model
        if name.startswith("word_t"):
            raise OSError("no space left on device")
        added(self, name, array)

    monkeypatch.setattr(ArrayFileWriter, "add", failing)
    fitted = fit_or_load(DOCS, WHOLE, char_term_major=False, cache_dir=tmp_path)
    assert fitted.word_t.shape[1] == len(DOCS) and not list(tmp_path.iterdir())  # no file, no temporary
