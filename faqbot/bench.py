"""Speed figures, one command: ``python -m faqbot.bench`` (add ``--quick`` for fewer runs and sizes).

Prints medians over several runs (this kind of machine is noisy), each next to its baseline:
- cold start of ``faqbot ask --json`` as a whole process, next to the bare import of its
  dependencies (the ratio is the figure);
- per-question latency in batch mode on the shipped knowledge base (p50, p99), next to a plain
  TF-IDF matcher (word 1-2 grams over the raw phrasings, best phrasing per entry) on the same questions;
- ``Answer.to_dict`` per answer, next to the ``dataclasses.asdict`` conversion it replaced;
- a command-palette keystroke over the whole code table (median, slowest), against 50 ms;
- the cost curve at 1k, 10k and 100k synthetic entries derived from the real ones: index build
  time, per-question p50/p99 and peak memory, and the plain matcher's p50, each in its own process;
  then, per size, a first start that builds and writes the caches (its peak memory) and a restart
  that reads them and answers (start time, peak memory, p50, and the memory it holds at the end as
  private pages and pages of the mapped index file), as a user restarting the app gets;
- the chat app's time from launch to a usable input and to the first answer (when the UI is installed).
No test asserts any of these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from faqbot.engine import Answer
    from faqbot.model import Entry

AS_OF = date(2026, 11, 26)
DEPENDENCY_IMPORT = "import numpy, scipy.sparse, rapidfuzz"  # what answering from a cached index needs


def bytecode_env() -> dict[str, str]:
    """The environment with bytecode caching on, as on a user's machine after the first run
    (PYTHONDONTWRITEBYTECODE disables it for any non-empty value, even "0")."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=bytecode_env())
    return time.perf_counter() - start


def cold_start(runs: int) -> dict[str, float]:
    """Medians of ``runs`` pairs, ask and bare import alternating so machine drift hits both alike."""
    ask = [
        sys.executable,
        "-m",
        "faqbot",
        "ask",
        "--json",
        "--as-of",
        AS_OF.isoformat(),
        "Can CPT 77295 and 77300 be billed together?",
    ]
    bare = [sys.executable, "-c", DEPENDENCY_IMPORT]
    _seconds(ask)  # warm the file cache and bytecode
    pairs = [(_seconds(ask), _seconds(bare)) for _ in range(runs)]
    return {
        "ask_cold_s": statistics.median(a for a, _ in pairs),
        "bare_import_s": statistics.median(b for _, b in pairs),
        "ratio": statistics.median(a / b for a, b in pairs),
    }


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50, p99


def sample_questions(limit: int = 400) -> list[str]:
    """Real questions: the transcripts and the dev set, when present; else every entry's phrasings."""
    from faqbot.transcripts import parse_transcript, transcript_files

    root = Path(__file__).resolve().parent.parent
    folders = [p for p in (root / "transcripts", root / "tests" / "data" / "devset.toml") if p.exists()]
    questions = [t.question for tr in (parse_transcript(p) for p in transcript_files(folders)) for t in tr.turns]
    return questions[:limit]


def plain_tfidf(entries: Sequence[Entry]) -> Callable[[str], np.ndarray]:
    """The plain baseline (as ``faqbot eval``'s): word 1-2 gram TF-IDF over the raw phrasings, each
    entry scored by its best phrasing."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [text for entry in entries for text in (entry.question, *entry.alternates)]
    starts = np.cumsum([0] + [1 + len(entry.alternates) for entry in entries[:-1]])
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)

    def similarity(question: str) -> np.ndarray:
        per_doc = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
        return np.maximum.reduceat(per_doc, starts)

    return similarity


def _timed(function: Callable[[Any], object], items: Sequence[Any], rounds: int) -> list[float]:
    """Seconds of each call of ``function`` on each item, ``rounds`` times over."""
    samples = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            function(item)
            samples.append(time.perf_counter() - start)
    return samples


def asdict_reference(answer: Answer) -> dict[str, Any]:
    """``Answer.to_dict`` as it was: ``dataclasses.asdict`` deep copies, the rule check converted twice."""
    from faqbot.engine import with_rounded_scores
    from faqbot.rules import jsonable

    data = jsonable(asdict(answer))
    data["rule_check"] = jsonable(asdict(answer.rule_check)) if answer.rule_check else None
    if answer.rule_check is not None:
        for finding, out in zip(answer.rule_check.findings, data["rule_check"]["findings"]):
            out["weakly_sourced"] = finding.weakly_sourced
    return with_rounded_scores(data, answer)


def batch_latency(rounds: int) -> dict[str, float]:
    """faqbot per question, the plain matcher per question, and to_dict (new and as it was) per answer."""
    from faqbot.engine import Faqbot

    engine = Faqbot.from_path()
    questions = sample_questions() or [e.question for e in engine.kb.entries]
    for question in questions[:20]:
        engine.answer(question, as_of=AS_OF)
    p50, p99 = _percentiles(_timed(lambda q: engine.answer(q, as_of=AS_OF), questions, rounds))
    plain = plain_tfidf(engine.kb.entries)
    plain_p50, _ = _percentiles(_timed(plain, questions, rounds))
    answers = [engine.answer(question, as_of=AS_OF) for question in questions]
    to_dict = _percentiles(_timed(lambda answer: answer.to_dict(), answers, rounds))[0]
    reference = _percentiles(_timed(asdict_reference, answers, rounds))[0]
    return {
        "questions": len(questions),
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
        "plain_p50_ms": plain_p50 * 1000,
        "to_dict_ms": to_dict * 1000,
        "asdict_ms": reference * 1000,
    }


def synthetic_entries(size: int):
    """``size`` entries derived from the real ones: each copy gets a distinct marker word."""
    from faqbot.knowledge import load_knowledge

    kb = load_knowledge()
    real = kb.entries
    out = []
    for i in range(size):
        base = real[i % len(real)]
        tag = f"variant{i}"
        out.append(
            replace(
                base,
                id=f"{base.id}-{i}",
                question=f"{base.question} {tag}",
                alternates=tuple(f"{alt} {tag}" for alt in base.alternates),
            )
        )
    return kb, out


def scale_worker(
    size: int, questions: int, *, baseline: bool = False, cache_dir: Path | None = None
) -> dict[str, float]:
    """Build a ranker (or, with ``baseline``, the plain matcher) over ``size`` synthetic entries and time
    questions; run in its own process, so peak memory is this index's alone. ``cache_dir``: the
    ranker reads its prepared phrasings and fitted index from there, or builds and writes them
    (as the app does on its first start)."""
    from faqbot.codes import recognize
    from faqbot.ranking import Ranker

    kb, entries = synthetic_entries(size)
    asked = (sample_questions() or [e.question for e in kb.entries])[:questions]
    start = time.perf_counter()
    if baseline:
        rank: Callable[[str, tuple[str, ...]], object] = lambda q, codes: plain(q)  # noqa: E731
        plain = plain_tfidf(entries)
    else:
        ranker = Ranker(entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=cache_dir)
        rank = ranker.rank
    build = time.perf_counter() - start
    scans = [recognize(q, kb.codes.keys()).codes for q in asked]
    for q, codes in zip(asked[:10], scans[:10]):
        rank(q, codes)
    samples = []
    for q, codes in zip(asked, scans):
        t0 = time.perf_counter()
        rank(q, codes)
        samples.append(time.perf_counter() - t0)
    p50, p99 = _percentiles(samples)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "entries": size,
        "build_s": build,
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
        "peak_rss_mb": peak_mb,
        **resident_now(),
    }


def resident_now() -> dict[str, float]:
    """This process's resident memory now, split (Linux; else nothing): ``anon_mb``, private memory
    (Python objects, arrays, a privately read index), and ``file_mb``, the pages of mapped files it
    has touched (a mapped index file's among them), which the page cache shares and can reclaim.
    Peak RSS counts both."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status)
        return {
            "anon_mb": int(fields["RssAnon"].split()[0]) / 1024,
            "file_mb": int(fields["RssFile"].split()[0]) / 1024,
        }
    except (OSError, KeyError, ValueError):
        return {}


def scale_curve(sizes: list[int], questions: int, *, baseline: bool = False) -> list[dict[str, float]]:
    return [_scale_run(size, questions, ["--baseline"] if baseline else []) for size in sizes]


def _scale_run(size: int, questions: int, options: list[str]) -> dict[str, float]:
    command = [sys.executable, "-m", "faqbot.bench", "--scale-worker", str(size), "--questions", str(questions)]
    done = subprocess.run([*command, *options], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def serving_curve(sizes: list[int], questions: int) -> list[dict[str, float]]:
    """Per size, in a fresh cache folder: a first start (build, then write the caches: its peak
    memory) and a restart (read the caches, answer: its start time, peak memory and p50), each in
    its own process, as a user gets them."""
    import tempfile

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="faqbot-bench-") as folder:
            first = _scale_run(size, questions, ["--cache-dir", folder])
            again = _scale_run(size, questions, ["--cache-dir", folder])
        rows.append(
            {
                "entries": size,
                "first_peak_mb": first["peak_rss_mb"],
                "restart_s": again["build_s"],
                "restart_peak_mb": again["peak_rss_mb"],
                "restart_p50_ms": again["p50_ms"],
                "restart_anon_mb": again.get("anon_mb", float("nan")),
                "restart_file_mb": again.get("file_mb", float("nan")),
            }
        )
    return rows


def chat_startup(runs: int) -> dict[str, float] | None:
    try:
        from faqbot.ui.timing import measure_startup
    except ImportError:
        return None
    return measure_startup(runs)


def palette_keystrokes() -> dict[str, float] | None:
    try:
        from faqbot.ui.palette_timing import measure_palette
    except ImportError:
        return None
    return measure_palette()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faqbot.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes (1k and 10k entries)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="synthetic sizes of the cost curve")
    parser.add_argument(
        "--cold-pairs", type=int, default=None, help="pairs of cold starts (default 3 with --quick, else 7)"
    )
    parser.add_argument("--cold-only", action="store_true", help="measure the cold start only")
    parser.add_argument("--scale-worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-restart", action="store_true", help="skip the first-start / restart figures")
    args = parser.parse_args(argv)
    if args.scale_worker is not None:
        result = scale_worker(args.scale_worker, args.questions, baseline=args.baseline, cache_dir=args.cache_dir)
        print(json.dumps(result))
        return 0
    runs = 3 if args.quick else 7
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}; medians")
    print(f"{'measure':<52} {'faqbot':>16}   {'baseline':<46} target")
    pairs = args.cold_pairs or runs
    cold = cold_start(pairs)
    _row(
        f"cold ask --json, cached index ({pairs} pairs)",
        f"{cold['ask_cold_s']:.3f} s",
        f"bare import {cold['bare_import_s']:.3f} s: ratio {cold['ratio']:.2f}x",
        "<= 1.3x",
    )
    if args.cold_only:
        return 0
    batch = batch_latency(1 if args.quick else 5)
    _row(
        f"per question, shipped KB ({batch['questions']:.0f} q), p50 / p99",
        f"{batch['p50_ms']:.2f} / {batch['p99_ms']:.2f} ms",
        f"plain TF-IDF matcher p50 {batch['plain_p50_ms']:.2f} ms",
        "p50 <= 2 ms",
    )
    _row(
        "Answer.to_dict per answer, p50",
        f"{batch['to_dict_ms'] * 1000:.0f} us",
        f"dataclasses.asdict, as before: {batch['asdict_ms'] * 1000:.0f} us",
        "",
    )
    palette = palette_keystrokes()
    if palette is not None:
        _row(
            f"palette keystroke, {palette['codes']:.0f} codes, median / slowest",
            f"{palette['p50_ms']:.2f} / {palette['max_ms']:.2f} ms",
            f"{palette['keystrokes']:.0f} keystrokes",
            "< 50 ms",
        )
    chat = chat_startup(3 if args.quick else 5)
    if chat is not None:
        _row("chat: launch to usable input", f"{chat['usable input s (median)']:.2f} s", "", "<= 0.5 s")
        _row("chat: launch to first answer (warm)", f"{chat['first answer s (median)']:.2f} s", "", "<= 1.5 s")
    sizes = args.sizes or ([1000, 10000] if args.quick else [1000, 10000, 100000])
    print(
        f"{'entries':>8} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'peak MB':>8}   plain TF-IDF: build s, p50 ms, peak MB"
    )
    for row, plain in zip(scale_curve(sizes, args.questions), scale_curve(sizes, args.questions, baseline=True)):
        print(
            f"{row['entries']:>8} {row['build_s']:>8.2f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{row['peak_rss_mb']:>8.0f}   {plain['build_s']:.2f} s, {plain['p50_ms']:.2f} ms, {plain['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    if not args.no_restart:
        print(
            f"{'entries':>8} {'first start: peak MB (build + write caches)':>44}   restart from the caches: ready s, "
            "peak MB (at the end: anonymous + mapped-file pages), p50 ms"
        )
        for served in serving_curve(sizes, args.questions):
            print(
                f"{served['entries']:>8} {served['first_peak_mb']:>44.0f}   {served['restart_s']:.2f} s, "
                f"{served['restart_peak_mb']:.0f} MB ({served['restart_anon_mb']:.0f} + {served['restart_file_mb']:.0f}), "
                f"{served['restart_p50_ms']:.2f} ms",
                flush=True,
            )
    return 0


def _row(measure: str, figure: str, baseline: str, target: str) -> None:
    print(f"{measure:<52} {figure:>16}   {baseline:<46} {target}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
