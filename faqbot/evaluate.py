"""Answer quality on labeled questions, faqbot next to two baselines, with a threshold sweep.

Labeled questions use the transcript format: a turn's ``entry`` is the expected entry id
(``"none"`` when the right answer is a code card or a rule check), ``status = "no_match"``
marks a question that must be refused, ``verdict`` the expected rule-check verdict.

Systems compared on the same questions in the same run:
- ``rapidfuzz``: ``process.extractOne`` (WRatio) over every entry's question and alternates;
- ``tfidf-word``: TF-IDF word 1-2 grams over the same phrasings, cosine, no code signal;
- ``faqbot``: the real :meth:`Faqbot.answer` (text + codes + intent + rules + code cards).
Each system answers with its best entry when its score reaches the threshold, else refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from faqbot.engine import CONFIDENCE_LEVELS, MATCH_THRESHOLD, Answer, Faqbot
from faqbot.transcripts import Transcript

# Out-of-scope questions the threshold must refuse on the dev sets: all but 1 in 100 (a confident answer
# to a question faqbot does not cover costs more than a refusal; README, "Quality").
REFUSAL_TARGET = 0.99
SWEEP = tuple(round(x, 2) for x in np.arange(0.0, 1.0001, 0.05))


@dataclass(frozen=True, slots=True)
class Labeled:
    question: str
    expected_entry: str | None  # None: not labeled with an entry
    expect_refusal: bool
    expected_verdict: str | None
    as_of: date | None
    also: frozenset[str] = frozenset()  # other entries that answer it as well

    @property
    def right_entries(self) -> frozenset[str]:
        """The labeled entry and the others that answer it as well (empty when not labeled with one)."""
        return frozenset({self.expected_entry, *self.also}) if self.expected_entry else frozenset()


@dataclass(frozen=True, slots=True)
class Prediction:
    """A system's answer: its ranked entries (best first) with scores, and whether it answered."""

    ranked: tuple[tuple[str, float], ...]
    answered: bool
    entry: str  # the entry it answered with, "none" for an answer without entry, "" when it refused
    verdict: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    system: str
    threshold: float
    in_scope: int
    coverage: float
    top1: float
    top3: float
    mrr: float
    out_of_scope: int
    refused: float
    answered_right: float
    verdicts: int
    verdict_accuracy: float | None
    handled_right: float  # of all questions: answered with the right entry, or rightly refused
    answered_wrong: float  # of all questions: answered, and wrongly (another entry, or should refuse)
    refused_in_scope: float  # of all questions: refused although an entry (or a card) answers it
    wrong: tuple[tuple[str, str, str, float, float], ...]  # question, expected, got, got score, expected score


class Evaluation(TypedDict):
    """What :func:`evaluate` finds (``faqbot eval --json`` prints it)."""

    reports: list[Report]  # faqbot first, then the baselines
    sweep: list[tuple[float, Report]]  # faqbot at each threshold
    recommended_threshold: float
    reliability: list[tuple[float, float, int, float]]  # (low, high, answers, share right)
    levels: list[tuple[str, int, int]]  # (confidence label, answers, wrong answers)
    # Right entries left out: (another entry's confidence label, "card or rule check" or "refused", questions).
    left_out: list[tuple[str, int]]


def labeled_questions(transcripts: Iterable[Transcript]) -> list[Labeled]:
    out: list[Labeled] = []
    for transcript in transcripts:
        for turn in transcript.turns:
            refusal = turn.status == "no_match"
            entry = None if turn.entry is None else (turn.entry or "none")
            if entry is None and not refusal and turn.verdict is None:
                continue
            out.append(Labeled(turn.question, entry, refusal, turn.verdict, turn.as_of, frozenset(turn.also)))
    return out


def _is_right(item: Labeled, prediction: Prediction) -> bool:
    if item.expect_refusal:
        return not prediction.answered
    if item.expected_entry is None:
        return prediction.answered
    return prediction.answered and (prediction.entry == item.expected_entry or prediction.entry in item.also)


def score(system: str, items: Sequence[Labeled], predictions: Sequence[Prediction], threshold: float) -> Report:
    in_scope = [(i, p) for i, p in zip(items, predictions) if not i.expect_refusal and i.expected_entry]
    out_scope = [(i, p) for i, p in zip(items, predictions) if i.expect_refusal]
    ranks: list[int | None] = []
    for item, prediction in in_scope:
        if _is_right(item, prediction):  # the answer itself comes first (also a code card or verdict: "none")
            ranks.append(1)
            continue
        ids = [entry for entry, _ in prediction.ranked]
        hits = [ids.index(e) + 1 for e in item.right_entries if e in ids]
        ranks.append(min(hits) if hits else None)
    top1 = sum(_is_right(i, p) for i, p in in_scope)
    answered = [(i, p) for i, p in zip(items, predictions) if p.answered]
    verdict_items = [(i, p) for i, p in zip(items, predictions) if i.expected_verdict]
    wrong = []
    for item, prediction in zip(items, predictions):
        if not _is_right(item, prediction):
            scores = dict(prediction.ranked)
            got = prediction.entry or "(refused)"
            wrong.append(
                (
                    item.question,
                    item.expected_entry or ("(refuse)" if item.expect_refusal else "(answer)"),
                    got,
                    prediction.ranked[0][1] if prediction.ranked else 0.0,
                    scores.get(item.expected_entry or "", 0.0),
                )
            )
    return Report(
        system=system,
        threshold=threshold,
        in_scope=len(in_scope),
        coverage=sum(p.answered for _, p in in_scope) / len(in_scope) if in_scope else 0.0,
        top1=top1 / len(in_scope) if in_scope else 0.0,
        top3=sum(r is not None and r <= 3 for r in ranks) / len(ranks) if ranks else 0.0,
        mrr=sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0,
        out_of_scope=len(out_scope),
        refused=sum(not p.answered for _, p in out_scope) / len(out_scope) if out_scope else 0.0,
        answered_right=sum(_is_right(i, p) for i, p in answered) / len(answered) if answered else 0.0,
        verdicts=len(verdict_items),
        verdict_accuracy=(
            sum(p.verdict == i.expected_verdict for i, p in verdict_items) / len(verdict_items)
            if verdict_items
            else None
        ),
        handled_right=sum(_is_right(i, p) for i, p in zip(items, predictions)) / len(items) if items else 0.0,
        answered_wrong=sum(not _is_right(i, p) for i, p in answered) / len(items) if items else 0.0,
        refused_in_scope=(
            sum(not p.answered for i, p in zip(items, predictions) if not i.expect_refusal) / len(items)
            if items
            else 0.0
        ),
        wrong=tuple(wrong),
    )


def overall_accuracy(report: Report) -> float:
    """Right answers plus right refusals, over all in- and out-of-scope questions."""
    total = report.in_scope + report.out_of_scope
    return (report.top1 * report.in_scope + report.refused * report.out_of_scope) / total if total else 0.0


class Baseline:
    """A baseline ranks entries by one similarity over every question and alternate; ``similarities``
    scores a list of questions (questions x entries)."""

    def __init__(self, engine: Faqbot, similarities: Callable[[list[str]], np.ndarray]) -> None:
        self.engine = engine
        self.similarities = similarities

    def rank_all(self, questions: Sequence[str]) -> list[tuple[tuple[str, float], ...]]:
        if not questions:
            return []
        return [self._ranked(row) for row in self.similarities(list(questions))]

    def _ranked(self, per_entry: np.ndarray) -> tuple[tuple[str, float], ...]:
        order = np.argsort(-per_entry, kind="stable")[:5]
        return tuple((self.engine.kb.entries[i].id, float(per_entry[i])) for i in order)

    @staticmethod
    def at(ranked: tuple[tuple[str, float], ...], threshold: float) -> Prediction:
        answered = bool(ranked) and ranked[0][1] >= threshold
        return Prediction(ranked, answered, ranked[0][0] if answered else "")


def _phrasings(engine: Faqbot) -> tuple[list[str], np.ndarray]:
    docs, owners = [], []
    for index, entry in enumerate(engine.kb.entries):
        for text in (entry.question, *entry.alternates):
            docs.append(text)
            owners.append(index)
    return docs, np.array(owners)


def rapidfuzz_baseline(engine: Faqbot) -> Baseline:
    """Each entry scored by its best phrasing under rapidfuzz's WRatio (one ``cdist`` row per question;
    every question of an evaluation in one call)."""
    docs, owners = _phrasings(engine)
    starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])

    def similarities(questions: list[str]) -> np.ndarray:
        # Every question in one call: each cell is scored on its own, so the same numbers as row by row.
        scores = process.cdist(questions, docs, scorer=fuzz.WRatio, dtype=np.float64, workers=-1)
        return np.maximum.reduceat(scores, starts, axis=1) / 100

    return Baseline(engine, similarities)


def tfidf_word_baseline(engine: Faqbot) -> Baseline:
    docs, owners = _phrasings(engine)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0])

    def similarities(questions: list[str]) -> np.ndarray:
        # One question at a time: the sparse products sum in the same order as they always have.
        per_doc = [(matrix @ vectorizer.transform([q]).T).toarray().ravel() for q in questions]
        return np.maximum.reduceat(np.stack(per_doc), starts, axis=1)

    return Baseline(engine, similarities)


class FaqbotPredictor:
    """faqbot's prediction at any threshold, from two answers per question (entry trusted / not)."""

    def __init__(self, engine: Faqbot, items: Sequence[Labeled]) -> None:
        self.cases = []
        self.shipped: list[Answer] = []  # each question's answer at the shipped threshold
        for item in items:
            trusted = engine.answer(item.question, as_of=item.as_of, threshold=0.0, others=False)
            untrusted = engine.answer(item.question, as_of=item.as_of, threshold=float("inf"), others=False)
            ranked: tuple[tuple[str, float], ...] = (
                ((trusted.entry_id, trusted.confidence),) if trusted.entry_id else ()
            )
            ranked += tuple((s.entry_id, s.score) for s in trusted.suggestions)
            self.cases.append((ranked, _prediction(ranked, trusted), _prediction(ranked, untrusted)))
            self.shipped.append(engine.answer(item.question, as_of=item.as_of))

    def at(self, threshold: float) -> list[Prediction]:
        return [
            trusted if ranked and ranked[0][1] >= threshold else untrusted for ranked, trusted, untrusted in self.cases
        ]


def _prediction(ranked: tuple[tuple[str, float], ...], answer: Answer) -> Prediction:
    entry = (answer.entry_id or "none") if answer.status == "answered" else ""
    verdict = answer.rule_check.verdict if answer.rule_check else None
    return Prediction(ranked, answer.status == "answered", entry, verdict)


def recommend_threshold(sweep: Sequence[tuple[float, Report]]) -> float:
    """The lowest threshold that still refuses REFUSAL_TARGET of out-of-scope questions: the most
    in-scope answers without guessing. Without such a threshold, the one with the best overall accuracy."""
    safe = [t for t, report in sweep if report.refused >= REFUSAL_TARGET]
    if safe:
        return min(safe)
    return max(sweep, key=lambda tr: overall_accuracy(tr[1]))[0]


RELIABILITY_BINS = (0.0, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def reliability(items: Sequence[Labeled], shipped: Sequence[Answer]) -> list[tuple[float, float, int, float]]:
    """Answered questions binned by faqbot's confidence: (low, high, count, share right)."""
    rows = []
    for low, high in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        hits = [
            _is_right(item, _prediction((), answer))
            for item, answer in zip(items, shipped)
            if answer.status == "answered" and low <= answer.confidence < high
        ]
        if hits:
            rows.append((low, min(high, 1.0), len(hits), sum(hits) / len(hits)))
    return rows


def by_confidence_level(items: Sequence[Labeled], shipped: Sequence[Answer]) -> list[tuple[str, int, int]]:
    """Answered questions per confidence label (high, medium, low): (label, answers, wrong answers)."""
    counts = {label: [0, 0] for _, label in CONFIDENCE_LEVELS}
    for item, answer in zip(items, shipped):
        if answer.status == "answered":
            counts[answer.confidence_level][0] += 1
            counts[answer.confidence_level][1] += not _is_right(item, _prediction((), answer))
    return [(label, answers, wrong) for label, (answers, wrong) in counts.items()]


def answered_without_the_answer(engine: Faqbot, items: Sequence[Labeled]) -> list[tuple[str, int]]:
    """Each question that an entry answers, asked again as if the knowledge base lacked its right
    entries (the asked point not covered, as for many real questions): how many faqbot then answers
    with another entry at each confidence label (every one of them wrong; "high" ones are the worst),
    with a code card or a rule check (which may still be right: "what is X" gets X's card), and how
    many it refuses. Questions a card already answers are left out."""
    counts = {label: 0 for _, label in CONFIDENCE_LEVELS} | {"card or rule check": 0, "refused": 0}
    for item in items:
        right = item.right_entries
        if item.expect_refusal or not right or "none" in right:
            continue
        answer = engine.answer(item.question, as_of=item.as_of, others=False, without=right)
        if answer.status != "answered":
            counts["refused"] += 1
        elif answer.entry_id is None:
            counts["card or rule check"] += 1
        else:
            counts[answer.confidence_level] += 1
    return list(counts.items())


def evaluate(
    engine: Faqbot,
    items: Sequence[Labeled],
    *,
    threshold: float | None = None,
    baselines: bool = True,
    left_out: bool = False,
) -> Evaluation:
    """Reports for each system at its chosen threshold (faqbot alone without ``baselines``), and the
    sweep that chose faqbot's; with ``left_out``, :func:`answered_without_the_answer` too."""
    faq_threshold = MATCH_THRESHOLD if threshold is None else threshold
    predictor = FaqbotPredictor(engine, items)
    sweep = [(t, score("faqbot", items, predictor.at(t), t)) for t in SWEEP]
    recommended = recommend_threshold(sweep)
    # The headline figures are the real answers at that threshold; the sweep approximates the others.
    exact = (
        predictor.at(faq_threshold)
        if threshold is not None
        else [_prediction(ranked, answer) for (ranked, _, _), answer in zip(predictor.cases, predictor.shipped)]
    )
    reports = [score("faqbot", items, exact, faq_threshold)]
    systems = (("rapidfuzz", rapidfuzz_baseline), ("tfidf-word", tfidf_word_baseline)) if baselines else ()
    for name, make_baseline in systems:
        baseline = make_baseline(engine)
        ranked = baseline.rank_all([i.question for i in items])
        _, best_report = max(
            ((t, score(name, items, [baseline.at(r, t) for r in ranked], t)) for t in SWEEP),
            key=lambda tr: overall_accuracy(tr[1]),
        )
        reports.append(best_report)
    return Evaluation(
        reports=reports,
        sweep=sweep,
        recommended_threshold=recommended,
        reliability=reliability(items, predictor.shipped),
        levels=by_confidence_level(items, predictor.shipped),
        left_out=answered_without_the_answer(engine, items) if left_out else [],
    )


def format_reports(result: Evaluation) -> str:
    reports, sweep = result["reports"], result["sweep"]
    head = f"{'system':<12}{'thresh':>7}{'top-1':>8}{'top-3':>8}{'MRR':>7}{'refused':>9}{'ans.right':>10}{'verdict':>9}{'overall':>9}"
    first = reports[0]
    lines = [
        f"{first.in_scope} in-scope, {first.out_of_scope} out-of-scope, {first.verdicts} with a verdict",
        f"faqbot, of all questions: handled right {first.handled_right:.3f}, answered wrong "
        f"{first.answered_wrong:.3f}, in-scope refused {first.refused_in_scope:.3f}",
        "",
        head,
    ]
    for r in reports:
        verdict = f"{r.verdict_accuracy:.3f}" if r.verdict_accuracy is not None else "-"
        lines.append(
            f"{r.system:<12}{r.threshold:>7.2f}{r.top1:>8.3f}{r.top3:>8.3f}{r.mrr:>7.3f}{r.refused:>9.3f}"
            f"{r.answered_right:>10.3f}{verdict:>9}{overall_accuracy(r):>9.3f}"
        )
    lines += [
        "",
        "faqbot threshold sweep (coverage = in-scope answered, accuracy = answered right):",
        f"{'thresh':>7}{'coverage':>10}{'accuracy':>10}{'refused':>9}{'overall':>9}",
    ]
    for t, r in sweep:
        lines.append(
            f"{t:>7.2f}{r.coverage:>10.3f}{r.answered_right:>10.3f}{r.refused:>9.3f}{overall_accuracy(r):>9.3f}"
        )
    lines.append(
        f"recommended threshold: {result['recommended_threshold']:.2f} "
        f"(the lowest that refuses at least {REFUSAL_TARGET:.0%} of out-of-scope questions)"
    )
    lines += [
        "",
        "faqbot confidence vs correctness (answered questions):",
        f"{'confidence':>12}{'answers':>9}{'right':>8}",
    ]
    lines += [f"{low:>5.2f}-{high:<6.2f}{count:>9}{right:>8.2f}" for low, high, count, right in result["reliability"]]
    lines += ["", "faqbot answers by confidence label:", f"{'label':>8}{'answers':>9}{'wrong':>7}{'wrong share':>13}"]
    lines += [
        f"{label:>8}{answers:>9}{wrong:>7}{(wrong / answers if answers else 0.0):>13.3f}"
        for label, answers, wrong in result["levels"]
    ]
    if result["left_out"]:
        lines += [
            "",
            "faqbot with each question's right entries left out (the point not covered), answered with another entry",
            "at each label (all wrong), with a code card or rule check, or refused:",
            "  " + ", ".join(f"{label} {count}" for label, count in result["left_out"]),
        ]
    wrong = reports[0].wrong
    lines += ["", f"faqbot wrong answers ({len(wrong)}):"]
    lines += [f"  {q!r}: expected {e}, got {g} ({gs:.2f}; expected scored {es:.2f})" for q, e, g, gs, es in wrong]
    return "\n".join(lines)
