"""A knowledge folder's own ranking weights (ranking_weights.toml, written by faqbot curate attach)."""

from __future__ import annotations

import shutil

from faqbot.cli import main
from faqbot.kb_weights import load_kb_weights, read_kb_weights, write_kb_weights
from faqbot.ranking import FEATURES, RankingWeights, shipped_weights


def test_weights_round_trip_and_the_last_folder_with_a_file_wins(tmp_path) -> None:
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    for folder in (first, second, third):
        folder.mkdir()
    weights = RankingWeights(tuple(float(i) / 7 for i in range(len(FEATURES))), -1.25, (0.5, 2.0, -1.0))
    write_kb_weights(first, shipped_weights())
    path = write_kb_weights(second, weights, note="test")
    assert read_kb_weights(path) == weights
    assert load_kb_weights([first, second, third]) == weights
    assert load_kb_weights([third]) is None  # the package's weights


def test_a_broken_weights_file_is_one_line_naming_it(kb_dir, tmp_path, capsys) -> None:
    kb = tmp_path / "knowledge"
    shutil.copytree(kb_dir, kb)
    (kb / "ranking_weights.toml").write_text("bias = 1.0\n[coefficients]\nphrasing_word = 1.0\n", encoding="utf-8")
    assert main(["ask", "--kb", str(kb), "77014 alone?"]) == 1
    err = capsys.readouterr().err
    assert "ranking_weights.toml" in err and "do not match this faqbot's ranking features" in err
    assert "Traceback" not in err
