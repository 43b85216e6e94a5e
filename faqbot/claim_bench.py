"""Speed of ``faqbot claim``: a generated 10,000-line claim file, read and checked (medians).

    python -m faqbot.claim_bench [--lines 10000] [--runs 5]

The file is CSV with a header: courses of a 2026 IMRT treatment (planning, 25-30 fractions of
delivery with 77387-26, weekly management and physics, a few planted errors), one patient per
course, as a practice's export would look. A second figure checks the same number of lines as one
course (the worst case for the course-level pairs). Nothing is written.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from faqbot.claim_check import check_claim
from faqbot.claim_lines import read_claim
from faqbot.knowledge import load_knowledge
from faqbot.rules import RuleChecker


def _weekdays(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def course_rows(patient: str, start: date, rng: random.Random) -> list[str]:
    """One IMRT course as CSV rows (dos,code,modifiers,units,pos,setting,patient): a freestanding
    centre's global claim (POS 11) or a hospital's facility charges (no POS, setting hospital)."""
    place = rng.choice(["11,", ",hospital"])

    def row(day: date, code: str, modifiers: str = "", units: int = 1) -> str:
        return f"{day},{code},{modifiers},{units},{place},{patient}"

    plan_day = start + timedelta(days=2)
    rows = [
        row(start, "77263"),
        row(start, "77290"),
        row(plan_day, "77301"),
        row(plan_day, "77300", units=rng.randint(1, 4)),
        row(plan_day, "77338"),
    ]
    fractions = rng.randint(25, 30)
    for number, day in enumerate(_weekdays(start + timedelta(days=7), fractions), start=1):
        rows.append(row(day, "77412" if rng.random() < 0.3 else "77407"))
        rows.append(row(day, "77387", "26" if rng.random() > 0.02 else ""))
        if number % 5 == 0:
            rows.append(row(day, "77427"))
            rows.append(row(day, "77336"))
    return rows


def claim_text(lines: int, *, seed: int = 7, one_course: bool = False) -> str:
    rng = random.Random(seed)
    rows: list[str] = []
    patient = 0
    while len(rows) < lines:
        patient += 1
        start = date(2026, 1, 5) + timedelta(days=rng.randint(0, 250))
        rows.extend(course_rows("P1" if one_course else f"P{patient}", start, rng))
    return "\n".join(["dos,code,modifiers,units,pos,setting,patient", *rows[:lines]]) + "\n"


def _median_seconds(text: str, checker: RuleChecker, runs: int) -> tuple[float, float, int, int]:
    reads, checks = [], []
    report = None
    for _ in range(runs):
        started = time.perf_counter()
        claim = read_claim(text)
        read_done = time.perf_counter()
        report = check_claim(checker, claim)
        checks.append(time.perf_counter() - read_done)
        reads.append(read_done - started)
    assert report is not None
    return statistics.median(reads), statistics.median(checks), len(report.lines), len(report.findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faqbot.claim_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    checker = RuleChecker(load_knowledge())
    print(f"knowledge base loaded in {time.perf_counter() - started:.2f} s (once per command)")
    for label, one_course in (("courses of ~60 lines", False), ("one course", True)):
        text = claim_text(args.lines, one_course=one_course)
        read, check, lines, findings = _median_seconds(text, checker, args.runs)
        print(
            f"{lines:,} lines as {label}: read {read * 1000:.0f} ms + check {check * 1000:.0f} ms = "
            f"{(read + check) * 1000:.0f} ms (median of {args.runs}; {findings} findings)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
