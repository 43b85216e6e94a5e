"""Speed figures, one command: ``python -m faqbot.bench`` (add ``--quick`` for fewer runs).

Prints medians over several runs (this kind of machine is noisy):
- cold start of ``faqbot ask --json`` as a whole process, next to the bare import of its
  dependencies, and the ratio;
- per-question latency in batch mode on the shipped knowledge base (p50, p99);
- the cost curve at 1k, 10k and 100k synthetic entries derived from the real ones: index build
  time, per-question p50/p99 and peak memory, each size in its own process;
- the chat app's time from launch to a usable input (when the UI is installed).
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
from dataclasses import replace
from datetime import date
from pathlib import Path

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


def batch_latency(rounds: int) -> dict[str, float]:
    from faqbot.engine import Faqbot

    engine = Faqbot.from_path()
    questions = sample_questions() or [e.question for e in engine.kb.entries]
    for question in questions[:20]:
        engine.answer(question, as_of=AS_OF)
    samples = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            engine.answer(question, as_of=AS_OF)
            samples.append(time.perf_counter() - start)
    p50, p99 = _percentiles(samples)
    return {"questions": len(questions), "p50_ms": p50 * 1000, "p99_ms": p99 * 1000}


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


def scale_worker(size: int, questions: int) -> dict[str, float]:
    """Build a ranker over ``size`` synthetic entries and time questions; run in its own process."""
    from faqbot.codes import recognize
    from faqbot.ranking import Ranker

    kb, entries = synthetic_entries(size)
    start = time.perf_counter()
    ranker = Ranker(entries, kb.codes.keys(), abbreviations=kb.abbreviations)
    build = time.perf_counter() - start
    asked = (sample_questions() or [e.question for e in kb.entries])[:questions]
    scans = [recognize(q, kb.codes.keys()).codes for q in asked]
    for q, codes in zip(asked[:10], scans[:10]):
        ranker.rank(q, codes)
    samples = []
    for q, codes in zip(asked, scans):
        t0 = time.perf_counter()
        ranker.rank(q, codes)
        samples.append(time.perf_counter() - t0)
    p50, p99 = _percentiles(samples)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"entries": size, "build_s": build, "p50_ms": p50 * 1000, "p99_ms": p99 * 1000, "peak_rss_mb": peak_mb}


def scale_curve(sizes: list[int], questions: int) -> list[dict[str, float]]:
    rows = []
    for size in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "faqbot.bench", "--scale-worker", str(size), "--questions", str(questions)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(done.stdout))
    return rows


def chat_startup(runs: int) -> dict[str, float] | None:
    try:
        from faqbot.ui.timing import measure_startup
    except ImportError:
        return None
    return measure_startup(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faqbot.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller sizes")
    parser.add_argument("--scale-worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_worker is not None:
        print(json.dumps(scale_worker(args.scale_worker, args.questions)))
        return 0
    runs = 3 if args.quick else 7
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    cold = cold_start(runs)
    print(
        f"cold start, median of {runs}: faqbot ask --json {cold['ask_cold_s']:.2f} s; "
        f"bare '{DEPENDENCY_IMPORT}' {cold['bare_import_s']:.2f} s; ratio {cold['ratio']:.2f}x"
    )
    batch = batch_latency(1 if args.quick else 5)
    print(
        f"batch, {batch['questions']} questions on the shipped knowledge base: "
        f"p50 {batch['p50_ms']:.2f} ms, p99 {batch['p99_ms']:.2f} ms per question"
    )
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    print(f"{'entries':>8} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'peak MB':>8}")
    for row in scale_curve(sizes, args.questions):
        print(
            f"{row['entries']:>8} {row['build_s']:>8.2f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['peak_rss_mb']:>8.0f}"
        )
    chat = chat_startup(3 if args.quick else 5)
    if chat is not None:
        print("chat app: " + ", ".join(f"{k} {v:.2f}" for k, v in chat.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
