"""Speed check of the NCCI PTP importer: ``python -m faqbot.ncci_bench [--rows N] [--runs R]``.

Generates a tab-delimited PTP file in the published layout (title lines, then N rows of realistic
code pairs, about 1% with both codes in the code table) in a temporary folder, times
:func:`faqbot.ncci_import.read_ptp_file` on it and prints the median rows per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from faqbot.knowledge import KnowledgeError, load_knowledge
from faqbot.ncci_import import read_ptp_file

_TITLE = (
    "CPT only copyright 2025 American Medical Association. All rights reserved.\n"
    "\n"
    "Column 1/Column 2 Edits\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
)
_RATIONALES = (
    "Misuse of column two code with column one code",
    "Standards of medical / surgical practice",
    "CPT Manual or CMS manual coding instructions",
    "Mutually exclusive procedures",
    "CPT separate procedure definition",
    "More extensive procedure",
    "HCPCS/CPT procedure code definition",
    "Medicare policy",
)
_FALLBACK_KNOWN = ("77014", "77280", "77290", "77295", "77300", "77301", "77334", "77336", "77338", "77427")


def _known_codes() -> list[str]:
    try:
        return sorted(load_knowledge().codes)
    except (KnowledgeError, OSError):
        return list(_FALLBACK_KNOWN)


def _random_code(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.80:
        return f"{rng.randint(10004, 99499)}"  # CPT Level I
    if roll < 0.93:
        return f"{rng.choice('ABCEGJLQ')}{rng.randint(0, 9999):04d}"  # HCPCS Level II
    return f"{rng.randint(1, 999):04d}{rng.choice('TU')}"  # Category III / PLA


def generate(path: Path, rows: int, known: list[str], *, known_share: float = 0.01, seed: int = 1) -> int:
    """Write ``rows`` data rows; return how many have both codes in ``known``."""
    rng = random.Random(seed)
    known_set = set(known)
    both = 0
    effective = [f"{year}{month:02d}01" for year in range(1996, 2027) for month in (1, 4, 7, 10)]
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(_TITLE)
        chunk: list[str] = []
        for _ in range(rows):
            if rng.random() < known_share:
                c1, c2 = rng.sample(known, 2)
            else:
                c1, c2 = _random_code(rng), _random_code(rng)
                if c1 == c2:
                    c2 = "99499" if c1 != "99499" else "10004"
            both += c1 in known_set and c2 in known_set
            eff = rng.choice(effective)
            prior = "*" if eff == "19960101" and rng.random() < 0.5 else ""
            roll = rng.random()
            if roll < 0.80:
                deleted = "*"
            elif roll < 0.83:
                deleted = eff  # deleted on its effective date
            else:
                deleted = str(min(int(eff[:4]) + rng.randint(1, 10), 2026)) + eff[4:]
                if deleted <= eff:
                    deleted = "*"
            indicator = rng.choices("019", weights=(25, 72, 3))[0]
            chunk.append(f"{c1}\t{c2}\t{prior}\t{eff}\t{deleted}\t{indicator}\t{rng.choice(_RATIONALES)}\n")
            if len(chunk) >= 10_000:
                out.writelines(chunk)
                chunk.clear()
        out.writelines(chunk)
    return both


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faqbot.ncci_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    known = _known_codes()
    # Inside the project (git-ignored .bench/), removed afterwards: nothing is written elsewhere.
    work = Path(__file__).resolve().parent.parent / ".bench"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ncci-bench-", dir=work) as tmp:
        path = Path(tmp) / "ccipra-v999r0-f1.txt"
        started = time.perf_counter()
        both = generate(path, args.rows, known)
        size_mb = path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size_mb:.1f} MB, {both:,} with both codes known) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        times: list[float] = []
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            result = read_ptp_file(path, known_codes=known)
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            print(f"run {run}: {elapsed:.2f} s, rows read {result.rows_read:,}, kept {result.rows_kept:,}")
        median = statistics.median(times)
        print(f"median {median:.2f} s over {args.runs} runs: {args.rows / median:,.0f} rows/second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
