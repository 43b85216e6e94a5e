"""Learn the ranking weights: ``python -m faqbot.learn_ranking``.

Training questions are the entries' own alternates, each scored by an index built without it
(k-fold: fold ``f`` holds out every alternate whose position is ``f`` modulo ``FOLDS``), so the model
learns how a new phrasing of an entry looks next to the others. Negatives are the out-of-scope
questions in ``knowledge/refusals.toml``: every entry is wrong for them. Then the dev part of the
real-question set (``tests/data/realq-dev.toml``: questions people asked in public, long ones too),
weighted ``REAL_WEIGHT`` times, because alternates written by us are shorter and plainer than what
people ask. The relevance weights over :data:`faqbot.ranking.FEATURES` are fitted listwise: for each
question a softmax over every entry plus a "none of them" option scored 0 (so a refusal example
teaches the bias), the likelihood of the right choice maximised with an L2 penalty, to convergence
(the optimum is unique, so the same knowledge base gives the same weights, to the last rounded digit; the fit
starts from the shipped weights, which changes only how many steps it takes). The confidence is
calibrated on the same questions (the real ones weighted alike), so that it means the chance of being
right on short phrasings and long posts alike. The weights are written to
``faqbot/ranking_weights.py`` for review in a diff. ``--check`` only compares and exits 1 when the
shipped weights are stale. The blind sets (``tests/data/testset.toml``, ``realq-blind.toml``) and
the older dev set are never used here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from faqbot.knowledge import KnowledgeError, load_knowledge
from faqbot.model import KnowledgeBase
from faqbot.question_reading import asked_codes, read_question
from faqbot.ranking import FEATURES, Ranker, RankingWeights, shipped_weights
from faqbot.transcripts import parse_transcript

FOLDS = 5
# Inverse strength of the L2 penalty on the relevance weights and of the calibration (scikit-learn's C).
REGULARISATION = 1.0
# The fits stop when the gradient is this small: converged, so reproducible to the rounding of 4 places.
GRADIENT_TOLERANCE = 1e-7
# Training only reads features, so it never needs (possibly stale) shipped weights.
_FEATURES_ONLY = RankingWeights(tuple(0.0 for _ in FEATURES), 0.0)
WEIGHTS_FILE = Path(__file__).with_name("ranking_weights.py")
STALE_TOLERANCE = 0.05
# The dev part of the real-question set, in a source checkout (absent from an installed package).
REAL_QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "realq-dev.toml"
REAL_WEIGHT = 8.0


@dataclass(frozen=True, slots=True)
class TrainingQuestion:
    features: np.ndarray  # one row per entry
    coverage: float  # the question's known-word share
    answer: int | None  # index of the right entry, None when it must be refused
    real: bool = False  # a question a person asked (not an alternate we wrote)


def real_questions(kb: KnowledgeBase, path: Path | None = REAL_QUESTIONS) -> list[tuple[str, str | None]]:
    """(question, expected entry id or None to refuse) from a labeled transcript file; questions whose
    right answer is a code card or a rule check ("none") are left out: no entry is right or wrong."""
    if path is None or not path.exists():
        return []
    out: list[tuple[str, str | None]] = []
    for turn in parse_transcript(path).turns:
        if turn.status == "no_match":
            out.append((turn.question, None))
        elif turn.entry and turn.entry in kb.entries_by_id:
            out.append((turn.question, turn.entry))
    return out


def training_questions(
    kb: KnowledgeBase, *, folds: int = FOLDS, real: list[tuple[str, str | None]] | None = None
) -> list[TrainingQuestion]:
    """Held-out alternates scored against every entry, the refusal examples, then the real questions
    (default: :func:`real_questions` of the shipped dev part)."""
    known = frozenset(kb.codes)
    out: list[TrainingQuestion] = []
    for fold in range(folds):
        kept = [
            replace(e, alternates=tuple(a for i, a in enumerate(e.alternates) if i % folds != fold)) for e in kb.entries
        ]
        ranker = Ranker(kept, known, abbreviations=kb.abbreviations, weights=_FEATURES_ONLY)
        for position, entry in enumerate(kb.entries):
            for held_out in entry.alternates[fold::folds]:
                out.append(_question(ranker, held_out, known, position))
    ranker = Ranker(kb.entries, known, abbreviations=kb.abbreviations, weights=_FEATURES_ONLY)
    out.extend(_question(ranker, question, known, None) for question in kb.refusal_examples)
    index_of = {entry.id: i for i, entry in enumerate(kb.entries)}
    for question, entry_id in real_questions(kb) if real is None else real:
        out.append(replace(_question(ranker, question, known, index_of[entry_id] if entry_id else None), real=True))
    return out


def _question(ranker: Ranker, text: str, known: frozenset[str], answer: int | None) -> TrainingQuestion:
    """A question's features as the engine ranks it: the whole text, the codes and the aspect it asks about."""
    reading = read_question(text)
    codes = asked_codes(text, reading, known)
    return TrainingQuestion(
        ranker.features(text, codes, aspect=reading.aspect), ranker.question_coverage(text, codes), answer
    )


def learn_weights(kb: KnowledgeBase, questions: list[TrainingQuestion] | None = None) -> RankingWeights:
    """Relevance: :func:`fit_listwise` (a softmax over each question's entries and "none"). Confidence: Platt scaling of
    the best entry's relevance and the question's known-word share, on whether that entry is right.
    ``questions``: :func:`training_questions` of ``kb`` when already computed."""
    questions = training_questions(kb) if questions is None else questions
    fitted = fit_listwise(
        np.stack([q.features for q in questions]),
        np.array([-1 if q.answer is None else q.answer for q in questions]),
        np.array([REAL_WEIGHT if q.real else 1.0 for q in questions]),
        start=_shipped_start(),
    )
    coefficients = tuple(round(float(c), 4) for c in fitted[:-1])
    bias = round(float(fitted[-1]), 4)
    # Calibrated on every training question, the real ones weighted as in the relevance fit: short
    # help-desk phrasings and long posts both get a confidence that means the chance of being right.
    tops, right, sample = [], [], []
    for q in questions:
        logits = q.features @ np.asarray(coefficients) + bias
        best = int(np.argmax(logits))
        tops.append((logits[best], q.coverage))
        right.append(best == q.answer)
        sample.append(REAL_WEIGHT if q.real else 1.0)
    platt = LogisticRegression(C=REGULARISATION, max_iter=5000, tol=GRADIENT_TOLERANCE).fit(
        np.array(tops), np.array(right, dtype=int), sample_weight=np.array(sample)
    )
    calibration = tuple(round(float(c), 4) for c in (*platt.coef_[0], platt.intercept_[0]))
    a, b, c = calibration
    return RankingWeights(coefficients, bias, (a, b, c))


def _shipped_start() -> np.ndarray | None:
    """The shipped coefficients and bias, where the fit starts; None (start from zeros) when they do
    not match today's features (a feature was added or removed)."""
    try:
        shipped = shipped_weights()
    except ValueError:
        return None
    return np.array([*shipped.coefficients, shipped.bias])


def listwise_loss(
    theta: np.ndarray, features: np.ndarray, answers: np.ndarray, sample: np.ndarray
) -> tuple[float, np.ndarray]:
    """The penalised negative log-likelihood of the right choices, and its gradient. ``theta``: the
    coefficients, then the bias. ``features``: questions x entries x features. ``answers``: the right
    entry's index, -1 for "none of them". ``sample``: each question's weight."""
    weights, bias = theta[:-1], theta[-1]
    scores = features @ weights + bias  # questions x entries; "none of them" scores 0
    top = np.maximum(scores.max(axis=1), 0.0)
    exps = np.exp(scores - top[:, None])
    total = exps.sum(axis=1) + np.exp(-top)
    rows = np.flatnonzero(answers >= 0)
    chosen = np.zeros(len(answers))
    chosen[rows] = scores[rows, answers[rows]]
    loss = float(sample @ (top + np.log(total) - chosen)) + 0.5 / REGULARISATION * float(weights @ weights)
    slope = exps / total[:, None]  # each entry's probability ...
    slope[rows, answers[rows]] -= 1.0  # ... less 1 for the right one
    slope *= sample[:, None]
    gradient = np.einsum("qe,qef->f", slope, features) + weights / REGULARISATION
    return loss, np.append(gradient, slope.sum())


def fit_listwise(
    features: np.ndarray, answers: np.ndarray, sample: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """The coefficients and the bias (last) that minimise :func:`listwise_loss`. The loss is strictly
    convex, so ``start`` (e.g. the shipped weights, which a small knowledge-base change moves little)
    changes only how many steps it takes, not where it ends (to the tolerance)."""
    result = minimize(
        listwise_loss,
        np.zeros(features.shape[2] + 1) if start is None else start,
        args=(features, answers, sample),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 10_000, "gtol": GRADIENT_TOLERANCE, "ftol": 0.0},
    )
    return np.asarray(result.x)


def weights_module(weights: RankingWeights) -> str:
    lines = [
        '"""Ranking weights learned from the knowledge base. Generated by ``python -m faqbot.learn_ranking``;',
        'do not edit by hand. One logistic-regression coefficient per feature of faqbot.ranking.FEATURES."""',
        "",
        "COEFFICIENTS: dict[str, float] = {",
        *(f'    "{name}": {value!r},' for name, value in zip(FEATURES, weights.coefficients)),
        "}",
        f"BIAS: float = {weights.bias!r}",
        "# Confidence: sigmoid(a * relevance logit + b * known-word share + c), fitted on whether the best entry is right.",
        f"CALIBRATION: tuple[float, float, float] = {weights.calibration!r}",
        "",
    ]
    return "\n".join(lines)


def is_stale(shipped: RankingWeights, learned: RankingWeights, *, tolerance: float = STALE_TOLERANCE) -> bool:
    pairs = [
        *zip(shipped.coefficients, learned.coefficients),
        (shipped.bias, learned.bias),
        *zip(shipped.calibration, learned.calibration),
    ]
    return any(abs(a - b) > tolerance * max(1.0, abs(b)) for a, b in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faqbot.learn_ranking", description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=None, help="knowledge folder (default: the shipped one)")
    parser.add_argument("--check", action="store_true", help="only report whether the shipped weights are stale")
    args = parser.parse_args(argv)
    try:
        kb = load_knowledge(args.kb)
    except KnowledgeError as exc:
        print(f"faqbot: {exc}", file=sys.stderr)
        return 2
    learned = learn_weights(kb)
    if args.check:
        stale = is_stale(shipped_weights(), learned)
        print(
            "ranking weights are stale: run python -m faqbot.learn_ranking"
            if stale
            else "ranking weights are up to date"
        )
        return 1 if stale else 0
    WEIGHTS_FILE.write_text(weights_module(learned), encoding="utf-8")
    print(
        f"wrote {WEIGHTS_FILE.name}: "
        + ", ".join(f"{n}={c:+.2f}" for n, c in zip(FEATURES, learned.coefficients))
        + f", bias={learned.bias:+.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
