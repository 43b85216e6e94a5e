"""Learning the ranking weights from the knowledge base (faqbot.learn_ranking)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import DATA
from faqbot.learn_ranking import (
    FOLDS,
    TrainingQuestion,
    fit_listwise,
    is_stale,
    learn_weights,
    listwise_loss,
    main,
    real_questions,
    training_questions,
    weights_module,
)
from faqbot.ranking import FEATURES, RankingWeights, shipped_weights

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_learn_ranking")


@pytest.fixture(scope="module")
def questions(kb) -> list[TrainingQuestion]:
    return training_questions(kb)


@pytest.fixture(scope="module")
def learned(kb, questions) -> RankingWeights:
    return learn_weights(kb, questions)


def test_shipped_weights_are_the_ones_the_knowledge_base_teaches(learned) -> None:
    """Edit the knowledge base, then run python -m faqbot.learn_ranking: this fails until you do."""
    assert not is_stale(shipped_weights(), learned)


def test_training_holds_every_alternate_out_once_and_adds_the_refusals_and_real_questions(kb, questions) -> None:
    alternates = sum(len(e.alternates) for e in kb.entries)
    real = real_questions(kb)
    assert len(real) >= 60  # the dev part of the real-question set, less its code-card answers
    assert len(questions) == alternates + len(kb.refusal_examples) + len(real)
    assert sum(q.real for q in questions) == len(real)
    assert sum(q.answer is None for q in questions) == len(kb.refusal_examples) + sum(e is None for _, e in real)
    assert all(q.features.shape == (len(kb.entries), len(FEATURES)) for q in questions)
    assert FOLDS >= 2


def test_learned_relevance_puts_most_held_out_alternates_first(questions, learned) -> None:
    answerable = [q for q in questions if q.answer is not None]
    right = sum(int(np.argmax(learned.relevance(q.features))) == q.answer for q in answerable)
    assert right / len(answerable) > 0.6  # one entry in 250 by chance; many entries share a code


def test_refusal_examples_get_a_low_confidence(kb, questions, learned) -> None:
    refusals = [q for q in questions if q.answer is None]
    confident = [learned.confidence(learned.relevance(q.features), q.coverage).max() for q in refusals]
    assert np.median(confident) < 0.25


def test_learned_signals_have_the_expected_signs(learned) -> None:
    weight = dict(zip(FEATURES, learned.coefficients))
    assert weight["entry_word"] > 0 and weight["phrasing_char"] > 0 and weight["codes_question"] > 0
    assert weight["codes_elsewhere"] < 0  # an entry about other codes is rarely the answer


def test_weights_module_round_trips(learned) -> None:
    namespace: dict[str, object] = {}
    exec(weights_module(learned), namespace)
    assert tuple(namespace["COEFFICIENTS"].values()) == learned.coefficients
    assert namespace["BIAS"] == learned.bias and namespace["CALIBRATION"] == learned.calibration


def test_check_reports_stale_weights_without_writing(monkeypatch, capsys, learned) -> None:
    import faqbot.learn_ranking as learn_ranking

    monkeypatch.setattr(learn_ranking, "shipped_weights", lambda: RankingWeights(tuple(0.0 for _ in FEATURES), 0.0))
    monkeypatch.setattr(learn_ranking, "learn_weights", lambda kb: learned)
    before = learn_ranking.WEIGHTS_FILE.read_text()
    assert main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert learn_ranking.WEIGHTS_FILE.read_text() == before


def test_a_broken_knowledge_base_is_one_line_and_exit_2(capsys) -> None:
    assert main(["--check", "--kb", str(DATA / "kb_broken")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("faqbot: ") and "Traceback" not in err


def test_the_listwise_gradient_is_the_slope_of_its_loss() -> None:
    """Finite differences on a small random problem (3 questions, one to be refused)."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(3, 5, 4))
    answers, sample = np.array([2, -1, 0]), np.array([1.0, 1.0, 8.0])
    theta = rng.normal(size=5)
    _, gradient = listwise_loss(theta, features, answers, sample)
    step = 1e-6
    for k in range(len(theta)):
        bump = np.zeros_like(theta)
        bump[k] = step
        slope = (
            listwise_loss(theta + bump, features, answers, sample)[0]
            - listwise_loss(theta - bump, features, answers, sample)[0]
        ) / (2 * step)
        assert gradient[k] == pytest.approx(slope, rel=1e-5, abs=1e-6)


def test_the_listwise_fit_converges_to_one_answer() -> None:
    """The fit runs to the unique optimum: a reordered copy of the questions gives the same weights, and
    no nearby point does better, so a knowledge-base change moves the weights only as much as it
    changes the data (a loosely stopped fit once halved a weight after 13 new entries)."""
    rng = np.random.default_rng(11)
    features = rng.normal(size=(40, 6, 3))
    answers = rng.integers(-1, 6, size=40)
    sample = np.ones(40)
    fitted = fit_listwise(features, answers, sample)
    order = rng.permutation(40)
    again = fit_listwise(features[order], answers[order], sample[order])
    assert np.allclose(fitted, again, atol=1e-4)
    assert (
        listwise_loss(fitted, features, answers, sample)[0]
        <= listwise_loss(fitted + 0.01, features, answers, sample)[0]
    )


def test_the_fit_starts_from_the_shipped_weights_unless_they_no_longer_fit_the_features(monkeypatch) -> None:
    """After a feature is added, ranking_weights.py no longer matches: the fit starts from zeros then,
    so learn_ranking can still write the new weights."""
    import faqbot.learn_ranking as learning

    start = learning._shipped_start()
    assert start is not None and len(start) == len(FEATURES) + 1

    def mismatched() -> RankingWeights:
        raise ValueError("faqbot/ranking_weights.py does not match FEATURES")

    monkeypatch.setattr(learning, "shipped_weights", mismatched)
    assert learning._shipped_start() is None
