"""Curating the question log: group what needs attention, attach a group to an entry, or draft one.

``faqbot curate list`` (:func:`attention_groups`) groups the logged questions that need attention
(refused, low confidence, marked wrong) with TF-IDF on the questions; each group names what faqbot
chose, the feedback and the best candidate entries. ``attach`` (:func:`attach_group`) adds a group's
questions as alternates of an entry in its knowledge file, keeping the file's formatting and comments
(tomlkit), validates, relearns the ranking weights for that folder and compares the quality figures
on the labeled sets before and after: it undoes the change when they drop. ``draft``
(:func:`draft_group`) writes an entry skeleton to the folder's ``drafts.toml``.

A tool, not the answer path: it may import scikit-learn and scipy.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import tomlkit
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import hstack
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from tomlkit.items import AoT, Array, Table

from faqbot.drafts import DRAFTS_HEADER, drafted_questions, drafts_path, phrasing_key
from faqbot.engine import MATCH_THRESHOLD, Faqbot, confidence_level
from faqbot.kb_weights import write_kb_weights
from faqbot.knowledge import validate_knowledge
from faqbot.model import ASPECTS, KnowledgeBase
from faqbot.question_log import LogRecord, latest_records
from faqbot.question_reading import read_question
from faqbot.ranking import RankingWeights

# Questions at least this similar (TF-IDF cosine, average link) share a group. On the help-desk log of
# tests/helpdesk_log.py, 0.3 puts half the pairs asking for the same entry together and 0.15% of the
# other pairs (0.4: 28% and 0.06%).
GROUP_SIMILARITY = 0.3
MAX_CANDIDATES = 3
# The labeled sets `attach` compares before and after (a source checkout has them): the dev parts only.
# The blind parts decide nothing (an attach kept or refused by a blind set would tune the knowledge base
# on it); `faqbot eval` reports them.
EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "data"
EVAL_SETS = ("devset.toml", "realq-dev.toml", "realq2-dev.toml")
# Where attach copies a shipped entry in a local folder layered over it, and that file's header.
ATTACHED_NAME = "attached.toml"
ATTACHED_HEADER = """\
# Shipped entries copied here by `faqbot curate attach`, with this help desk's own alternates. Each
# replaces the shipped entry of the same id; `faqbot kb validate` warns when the shipped one has
# been reviewed after the copy (then compare them and copy the new answer over).

"""
# A masked question carries placeholders, not words a caller would type: never an alternate.
_PLACEHOLDER = re.compile(r"\[(?:name|DOB|member id|MRN|SSN)\]")


class CurationError(Exception):
    """A curation step that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    question: str
    score: float  # the best confidence faqbot gives the entry over the group's questions
    named_by_feedback: bool = False  # a person said "this should have been entry X"


@dataclass(frozen=True, slots=True)
class Group:
    """Near-identical logged questions that need attention."""

    id: str  # stable: from the group's first question
    number: int  # 1 = the largest group in this listing
    questions: tuple[tuple[str, int], ...]  # (question, times asked), most asked first
    codes: tuple[str, ...]
    chosen: tuple[tuple[str, int], ...]  # (entry id, or "(refused)" / "(code card)" ..., times)
    right: int
    wrong: int
    comments: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.questions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "count": self.count,
            "questions": [{"question": q, "count": n} for q, n in self.questions],
            "codes": list(self.codes),
            "chosen": [{"entry_id": e, "count": n} for e, n in self.chosen],
            "feedback": {"right": self.right, "wrong": self.wrong, "comments": list(self.comments)},
            "candidates": [
                {
                    "entry_id": c.entry_id,
                    "question": c.question,
                    "score": round(c.score, 3),
                    "named_by_feedback": c.named_by_feedback,
                }
                for c in self.candidates
            ],
        }


def needs_attention(record: LogRecord) -> bool:
    """Refused, answered with low confidence, or marked wrong; an answer marked right does not."""
    if record.feedback == "right":
        return False
    if record.kind == "out_of_scope" and record.feedback is None:
        return False  # a topic faqbot refuses on purpose (scope.toml), and nobody said otherwise
    return (
        record.status == "no_match"
        or record.feedback == "wrong"
        or record.correct_entry is not None
        or (record.status == "answered" and confidence_level(record.confidence) == "low")
    )


def open_records(records: Sequence[LogRecord], kb: KnowledgeBase) -> list[LogRecord]:
    """The latest record of each logged answer that needs attention and is not yet resolved: its
    question is not a phrasing of an entry (attached) or of a draft."""
    known = {phrasing_key(text) for entry in kb.entries for text in (entry.question, *entry.alternates)}
    known |= drafted_questions(kb.roots)
    return [r for r in latest_records(records) if needs_attention(r) and phrasing_key(r.question) not in known]


def _chosen_label(record: LogRecord) -> str:
    if record.entry_id:
        return record.entry_id
    return {
        "code_card": "(code card)",
        "rule_check": "(rule check)",
        "not_covered": "(not covered)",
        "out_of_scope": "(out of scope)",
        "unknown_code": "(unknown code)",
        "clarify": "(asked to say more)",
    }.get(record.kind, "(refused)")


def cluster(
    texts: Sequence[str], code_sets: Sequence[frozenset[str]], *, similarity: float = GROUP_SIMILARITY
) -> list[int]:
    """A cluster label per text: TF-IDF cosine (character 3-5-grams within words and words, stop words
    left out), average link, cut at ``similarity``; texts naming codes, none of them shared, never
    share a cluster."""
    if len(texts) < 2:
        return [0] * len(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    try:
        words = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
        matrix = normalize(hstack([chars, words]).tocsr())
    except ValueError:  # nothing but stop words
        matrix = chars
    sims = np.asarray((matrix @ matrix.T).todense())
    vocabulary = {code: n for n, code in enumerate(sorted(set().union(*code_sets)))}
    naming = np.zeros((len(texts), max(1, len(vocabulary))))
    for row, codes in enumerate(code_sets):
        naming[row, [vocabulary[c] for c in codes]] = 1.0
    names_any = naming.sum(axis=1) > 0
    sims[np.outer(names_any, names_any) & (naming @ naming.T == 0)] = 0.0
    distances = np.clip(1.0 - sims, 0.0, 1.0)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    return [int(label) for label in fcluster(tree, t=1.0 - similarity, criterion="distance")]


def group_id(first_question: str) -> str:
    return "g" + hashlib.sha1(phrasing_key(first_question).encode("utf-8")).hexdigest()[:6]


def attention_groups(records: Sequence[LogRecord], engine: Faqbot) -> list[Group]:
    """The open records (:func:`open_records`) grouped, largest group first, with candidates."""
    pending = open_records(records, engine.kb)
    unique: dict[str, list[LogRecord]] = {}
    for record in pending:
        unique.setdefault(phrasing_key(record.question), []).append(record)
    keys = list(unique)
    texts = [unique[k][0].question for k in keys]
    code_sets = [frozenset(engine.scan(text).codes) for text in texts]
    labels = cluster(texts, code_sets)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(label, []).append(index)
    groups: list[Group] = []
    for indices in members.values():
        records_in = [r for i in indices for r in unique[keys[i]]]
        records_in.sort(key=lambda r: r.asked_at)
        asked: Counter[str] = Counter()
        first_text: dict[str, str] = {}
        for r in records_in:
            key = phrasing_key(r.question)
            asked[key] += 1
            first_text.setdefault(key, r.question)
        questions = tuple((first_text[k], n) for k, n in sorted(asked.items(), key=lambda kv: (-kv[1], kv[0])))
        chosen = Counter(_chosen_label(r) for r in records_in)
        groups.append(
            Group(
                id=group_id(records_in[0].question),
                number=0,
                questions=questions,
                codes=tuple(sorted(code_sets[indices[0]])),
                chosen=tuple(chosen.most_common()),
                right=sum(r.feedback == "right" for r in records_in),
                wrong=sum(r.feedback == "wrong" for r in records_in),
                comments=tuple(dict.fromkeys(r.comment for r in records_in if r.comment)),
                candidates=_candidates(engine, [q for q, _ in questions], records_in),
            )
        )
    groups.sort(key=lambda g: (-g.count, -g.wrong, g.questions[0][0].lower()))
    return [_numbered(g, n) for n, g in enumerate(groups, start=1)]


def _numbered(group: Group, number: int) -> Group:
    return Group(**{**{f: getattr(group, f) for f in Group.__dataclass_fields__}, "number": number})


def _candidates(engine: Faqbot, questions: Sequence[str], records: Sequence[LogRecord]) -> tuple[Candidate, ...]:
    """The entries a person named ("should have been X") first, then the best-scored entries over the
    group's questions (any threshold: what faqbot would have said had it trusted itself)."""
    best: dict[str, float] = {}
    for question in questions[:5]:
        answer = engine.answer(question, threshold=0.0)
        scored = [(answer.entry_id, answer.confidence)] if answer.entry_id else []
        scored += [(s.entry_id, s.score) for s in answer.suggestions]
        for entry_id, score in scored:
            if entry_id is not None:
                best[entry_id] = max(best.get(entry_id, 0.0), score)
    entries = engine.kb.entries_by_id
    named = Counter(r.correct_entry for r in records if r.correct_entry in entries)
    out = [
        Candidate(entry_id, entries[entry_id].question, best.get(entry_id, 0.0), named_by_feedback=True)
        for entry_id, _ in named.most_common()
        if entry_id is not None
    ]
    for entry_id, score in sorted(best.items(), key=lambda kv: -kv[1]):
        if entry_id not in named:
            out.append(Candidate(entry_id, entries[entry_id].question, score))
    return tuple(out[:MAX_CANDIDATES])


def find_group(groups: Sequence[Group], wanted: str) -> Group:
    """A group by its id (``g3fa2c1``) or its number in the listing (``3``)."""
    wanted = wanted.strip()
    for group in groups:
        if wanted.lower() == group.id or (wanted.isdigit() and int(wanted) == group.number):
            return group
    raise CurationError(f"no group {wanted!r} needs attention (faqbot curate list shows the groups)")


# -- quality figures ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """faqbot's quality on one labeled set: handled right and answered wrong, of all its questions."""

    name: str
    questions: int
    handled_right: float
    answered_wrong: float


def quality_figures(engine: Faqbot, files: Sequence[Path]) -> tuple[Figures, ...]:
    """Handled right and answered wrong on each labeled set, as ``faqbot eval`` reports them at the
    shipped threshold (one answer per question: no sweep, no baselines)."""
    from faqbot.evaluate import Prediction, labeled_questions, score
    from faqbot.transcripts import parse_transcript

    out = []
    for path in files:
        items = labeled_questions([parse_transcript(path)])
        predictions = []
        for item in items:
            answer = engine.answer(item.question, as_of=item.as_of, others=False)
            answered = answer.status == "answered"
            verdict = answer.rule_check.verdict if answer.rule_check else None
            predictions.append(Prediction((), answered, (answer.entry_id or "none") if answered else "", verdict))
        report = score("faqbot", items, predictions, MATCH_THRESHOLD)
        out.append(Figures(path.stem, len(items), report.handled_right, report.answered_wrong))
    return tuple(out)


def default_eval_files() -> tuple[Path, ...]:
    return tuple(path for name in EVAL_SETS if (path := EVAL_DIR / name).is_file())


def dropped(before: Sequence[Figures], after: Sequence[Figures], *, allow: int = 0) -> list[str]:
    """Each set whose figures got worse by more than ``allow`` questions: fewer handled right, or
    more answered wrong."""
    out = []
    for b, a in zip(before, after):
        lost = round(b.handled_right * b.questions) - round(a.handled_right * a.questions)
        more_wrong = round(a.answered_wrong * a.questions) - round(b.answered_wrong * b.questions)
        if lost > allow or more_wrong > allow:
            out.append(
                f"{b.name}: handled right {b.handled_right:.3f} -> {a.handled_right:.3f}, "
                f"answered wrong {b.answered_wrong:.3f} -> {a.answered_wrong:.3f}"
            )
    return out


# -- attach ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttachResult:
    group: str
    entry_id: str
    file: Path
    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (question, why)
    before: tuple[Figures, ...]
    after: tuple[Figures, ...]
    kept: bool
    refused_because: tuple[str, ...] = ()
    weights_file: Path | None = None  # where relearned weights were written (None: the ones in use still hold)
    weights: str = ""  # "relearned" or "in use": the weights the kept change answers with

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "entry_id": self.entry_id,
            "file": str(self.file),
            "added": list(self.added),
            "skipped": [{"question": q, "why": why} for q, why in self.skipped],
            "before": [_figures_dict(f) for f in self.before],
            "after": [_figures_dict(f) for f in self.after],
            "kept": self.kept,
            "refused_because": list(self.refused_because),
            "weights_file": str(self.weights_file) if self.weights_file else None,
            "weights": self.weights,
        }


def _figures_dict(f: Figures) -> dict[str, Any]:
    return {
        "set": f.name,
        "questions": f.questions,
        "handled_right": round(f.handled_right, 3),
        "answered_wrong": round(f.answered_wrong, 3),
    }


def _is_shipped(root: Path) -> bool:
    shipped = Path(__file__).resolve().parent.parent / "knowledge"
    return root.resolve() == shipped.resolve()


def _entry_table(doc: tomlkit.TOMLDocument, entry_id: str) -> Table:
    tables = doc.get("entry")
    if isinstance(tables, AoT | list):
        for table in tables:
            if table.get("id") == entry_id:
                return table
    raise CurationError(f"entry '{entry_id}' not found in its file")


def alternates_to_add(group: Group, kb: KnowledgeBase) -> tuple[list[str], list[tuple[str, str]]]:
    """The group's questions that may become alternates, and the others with the reason."""
    used = {phrasing_key(text) for entry in kb.entries for text in (entry.question, *entry.alternates)}
    added: list[str] = []
    skipped: list[tuple[str, str]] = []
    for question, _ in group.questions:
        text = " ".join(question.split())
        if _PLACEHOLDER.search(text):
            skipped.append((question, "masked (it held patient data)"))
        elif phrasing_key(text) in used:
            skipped.append((question, "already a phrasing of an entry"))
        else:
            used.add(phrasing_key(text))
            added.append(text)
    return added, skipped


def attach_group(
    group: Group,
    entry_id: str,
    engine: Faqbot,
    *,
    eval_files: Sequence[Path] | None = None,
    allow_drop: int = 0,
    today: date | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> AttachResult:
    """Add the group's questions as alternates of ``entry_id`` in the file that holds it, keeping its
    formatting (a shipped entry under a local folder is copied there first); validate; relearn the
    ranking weights; keep the change only if no set of ``eval_files`` (default: the labeled sets in
    tests/data) loses more than ``allow_drop`` questions (handled right, or answered wrong) with the
    weights chosen (see below), else restore every file."""
    from faqbot.learn_ranking import WEIGHTS_FILE, is_stale, learn_weights, weights_module

    kb = engine.kb
    entry = kb.entries_by_id.get(entry_id)
    if entry is None:
        raise CurationError(f"no entry '{entry_id}' in the knowledge base (faqbot curate list names candidates)")
    added, skipped = alternates_to_add(group, kb)
    source_path = _entry_file(kb, entry.file)
    # With layered folders, a shipped entry is copied into the local folder (where the alternates go):
    # an update of faqbot replaces the shipped folder, never the local one, and the copy overrides
    # the shipped entry (kb validate warns once the shipped one is reviewed again).
    copy_to_local = entry.layer < len(kb.roots) - 1
    path = kb.roots[-1] / "faq" / ATTACHED_NAME if copy_to_local else source_path
    if not added:
        raise CurationError(f"nothing to attach from group {group.id}: " + "; ".join(f"{q!r}: {w}" for q, w in skipped))
    files = default_eval_files() if eval_files is None else tuple(eval_files)
    progress(f"quality before, on {len(files)} labeled set(s)")
    before = quality_figures(engine, files)

    local_weights = not _is_shipped(kb.roots[-1]) or len(kb.roots) > 1
    weights_path = (kb.roots[-1] / "ranking_weights.toml") if local_weights else WEIGHTS_FILE
    saved = {p: (p.read_bytes() if p.exists() else None) for p in (path, weights_path)}

    def restore() -> None:
        for p, content in saved.items():
            if content is None:
                p.unlink(missing_ok=True)
            else:
                p.write_bytes(content)

    try:
        if copy_to_local:
            _copy_entry(source_path, path, entry_id)
        _append_alternates(
            path, entry_id, added, note=f"faqbot curate {group.id}, {(today or date.today()).isoformat()}"
        )
        new_kb, problems = _validate(kb.roots)
        if new_kb is None:
            raise CurationError("the change does not validate: " + "; ".join(str(p) for p in problems[:3]))
        progress("relearning the ranking weights")
        learned = learn_weights(new_kb)
        in_use = engine.ranker.weights
        # The relearned weights when the ones in use are stale (by the weights test's tolerance), else
        # the ones in use. A local folder may fall back on the weights in use when the relearned ones
        # lower the figures (relearning on a few more phrasings can move a borderline answer); the
        # shipped folder never keeps stale weights (its weights test would fail).
        stale = is_stale(in_use, learned)
        options = [("relearned", learned)] if stale else [("in use", in_use)]
        if stale and local_weights:
            options.append(("in use", in_use))
        changed = Faqbot(new_kb, weights=options[0][1])
        outcomes: list[tuple[str, tuple[Figures, ...], list[str]]] = []
        chosen: RankingWeights | None = None
        for name, weights in options:
            progress(f"quality after, with the weights {name}")
            changed.ranker.weights = weights
            after = quality_figures(changed, files)
            outcomes.append((name, after, dropped(before, after, allow=allow_drop)))
            if not outcomes[-1][2]:
                chosen = weights
                break
        if chosen is learned and stale:
            if local_weights:
                write_kb_weights(kb.roots[-1], learned, note=f"learned after attaching group {group.id} to {entry_id}")
            else:
                weights_path.write_text(weights_module(learned), encoding="utf-8")
    except BaseException:
        restore()
        raise
    kept = chosen is not None
    if not kept:
        restore()
    name, after, _ = outcomes[-1] if kept else outcomes[0]
    return AttachResult(
        group=group.id,
        entry_id=entry_id,
        file=path,
        added=tuple(added),
        skipped=tuple(skipped),
        before=before,
        after=after,
        kept=kept,
        refused_because=() if kept else tuple(f"with the weights {n}: " + "; ".join(w) for n, _, w in outcomes),
        weights_file=weights_path if kept and name == "relearned" else None,
        weights=name if kept else "",
    )


def _validate(roots: Sequence[Path]) -> tuple[KnowledgeBase | None, list[Any]]:
    return validate_knowledge(roots[0] if len(roots) == 1 else tuple(roots))


def _entry_file(kb: KnowledgeBase, relative: str) -> Path:
    """An entry's file from its ``file`` (relative to the parent of its knowledge folder)."""
    for root in reversed(kb.roots):
        candidate = root.parent / relative
        if candidate.is_file():
            return candidate
    raise CurationError(f"cannot find the file {relative!r} of the entry")


def _copy_entry(source: Path, target: Path, entry_id: str) -> None:
    """Copy an entry's table, formatting and comments kept, to the end of ``target`` (created if needed)."""
    table = _entry_table(tomlkit.parse(source.read_text(encoding="utf-8")), entry_id)
    doc = tomlkit.parse(target.read_text(encoding="utf-8") if target.exists() else ATTACHED_HEADER)
    entries = doc.get("entry")
    if entries is None:
        entries = tomlkit.aot()
        doc.append("entry", entries)
    entries.append(copy.deepcopy(table))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _append_alternates(path: Path, entry_id: str, questions: Sequence[str], *, note: str) -> None:
    text = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    table = _entry_table(doc, entry_id)
    alternates = table.get("alternates")
    if not isinstance(alternates, Array):
        raise CurationError(f"{path}: entry '{entry_id}' has no alternates list to add to")
    for number, question in enumerate(questions):
        alternates.add_line(question, indent="  ", comment=note if number == 0 else None)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


# -- draft -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftResult:
    group: str
    entry_id: str
    file: Path
    question: str
    alternates: tuple[str, ...]
    codes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "entry_id": self.entry_id,
            "file": str(self.file),
            "question": self.question,
            "alternates": list(self.alternates),
            "codes": list(self.codes),
        }


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:7] or ["question"]
    base = "-".join(words)[:60].strip("-") + "-draft"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def draft_group(group: Group, engine: Faqbot, *, root: Path | None = None) -> DraftResult:
    """Write an entry skeleton for the group into ``drafts.toml`` of ``root`` (default: the last
    knowledge folder, the local one when there are several): its question, the other questions as
    alternates, the codes recognized, the aspect read from the question, an empty answer, no sources
    and no review date. Validation reports it as "draft, not served" until a person completes it."""
    kb = engine.kb
    root = root or kb.roots[-1]
    usable, skipped = alternates_to_add(group, kb)
    if not usable:
        raise CurationError(f"nothing to draft from group {group.id}: " + "; ".join(f"{q!r}: {w}" for q, w in skipped))
    path = drafts_path(root)
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.parse(DRAFTS_HEADER)
    drafts = doc.get("entry")
    if drafts is None:
        drafts = tomlkit.aot()
        doc.append("entry", drafts)
    taken = set(kb.entries_by_id) | {str(t.get("id")) for t in drafts}
    question, alternates = usable[0], usable[1:]
    aspect = read_question(question).aspect or "definition"
    table = tomlkit.table()
    table["id"] = _slug(question, taken)
    table["aspect"] = aspect if aspect in ASPECTS else "definition"
    table["question"] = question
    array = tomlkit.array()
    for alternate in alternates:
        array.add_line(alternate, indent="  ")
    if alternates:
        array.add_line(indent="")
    table["alternates"] = array
    table["answer"] = ""
    table["codes"] = list(group.codes)
    table["sources"] = []
    table.add(tomlkit.comment("reviewed = YYYY-MM-DD  (set when a person has written and checked the answer)"))
    drafts.append(table)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return DraftResult(group.id, str(table["id"]), path, question, tuple(alternates), group.codes)


# -- text --------------------------------------------------------------------------------------


def format_groups(groups: Sequence[Group], *, log_path: Path, records: int, skipped_lines: int = 0) -> str:
    if not groups:
        return f"Nothing needs attention in {log_path} ({records} record(s))."
    pending = sum(g.count for g in groups)
    lines = [
        f"{len(groups)} group(s), {pending} logged question(s) needing attention "
        f"(of {records} record(s) in {log_path}"
        + (f"; {skipped_lines} unreadable line(s) skipped" if skipped_lines else "")
        + ")",
    ]
    for g in groups:
        feedback = []
        if g.wrong:
            feedback.append(f"wrong ×{g.wrong}")
        if g.right:
            feedback.append(f"right ×{g.right}")
        chosen = ", ".join(f"{e} ×{n}" for e, n in g.chosen)
        lines += [
            "",
            f"{g.number:>3}. {g.id}  {g.count} question(s)"
            + (f"  codes {', '.join(g.codes)}" if g.codes else "")
            + f"  faqbot chose: {chosen}"
            + (f"  feedback: {', '.join(feedback)}" if feedback else ""),
        ]
        for question, n in g.questions[:4]:
            shown = question if len(question) <= 110 else question[:107] + "..."
            lines.append(f"       “{shown}”" + (f" ×{n}" if n > 1 else ""))
        if len(g.questions) > 4:
            lines.append(f"       ... and {len(g.questions) - 4} more")
        for comment in g.comments[:2]:
            lines.append(f"       comment: {comment}")
        for c in g.candidates:
            mark = " (named in feedback)" if c.named_by_feedback else ""
            score = f" ({c.score:.2f})" if c.score > 0 else ""
            lines.append(f"       candidate {c.entry_id}{score}{mark}")
    lines += [
        "",
        "faqbot curate attach GROUP ENTRY_ID adds a group's questions to an entry; draft GROUP starts a new one.",
    ]
    return "\n".join(lines)


def format_figures(before: Sequence[Figures], after: Sequence[Figures]) -> str:
    lines = [f"{'set':<14}{'questions':>10}{'handled right':>22}{'answered wrong':>22}"]
    for b, a in zip(before, after):
        lines.append(
            f"{b.name:<14}{b.questions:>10}{f'{b.handled_right:.3f} -> {a.handled_right:.3f}':>22}"
            f"{f'{b.answered_wrong:.3f} -> {a.answered_wrong:.3f}':>22}"
        )
    return "\n".join(lines)
