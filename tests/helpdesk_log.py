"""A realistic question log: a help desk asks the 80 real dev questions (tests/data/realq-dev.toml)
and 36 paraphrases of them (tests/data/helpdesk/paraphrases.toml) in the chat over a month, and rates
every answer the way a careful coder would (right; wrong, naming the right entry for every other one).

Run ``python tests/helpdesk_log.py`` to print ``faqbot curate list`` for that log on a copy of the
knowledge base; add ``--attach`` to attach the largest group to its first candidate and print the
quality figures before and after (everything happens in a temporary folder).
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from faqbot.engine import Faqbot
from faqbot.question_log import LogRecord, QuestionLog, record_for, with_feedback

DATA = Path(__file__).parent / "data"
QUESTION_FILES = (DATA / "realq-dev.toml", DATA / "helpdesk" / "paraphrases.toml")
FIRST_DAY = datetime(2026, 11, 2, 9, 0)


def labeled() -> list[tuple[str, str | None]]:
    """(question, expected entry id, or None when faqbot should refuse)."""
    out = []
    for path in QUESTION_FILES:
        for turn in tomllib.loads(path.read_text(encoding="utf-8"))["turn"]:
            refuse = turn.get("status") == "no_match" or turn.get("entry") in (None, "none")
            out.append((turn["question"], None if refuse else turn["entry"]))
    return out


def helpdesk_records(engine: Faqbot) -> list[LogRecord]:
    """Every question asked, answered and rated: one line per answer and one per rating."""
    from datetime import date

    records: list[LogRecord] = []
    for number, (question, expected) in enumerate(labeled()):
        answer = engine.answer(question, as_of=date(2026, 12, 3))
        record = record_for(answer, asked_at=FIRST_DAY + timedelta(hours=5 * number + 1))
        records.append(record)
        if expected is None and answer.status == "no_match":
            continue  # rightly refused: logged as a refusal, nobody rates it
        if answer.status == "answered" and (expected is None or answer.entry_id == expected):
            records.append(with_feedback(record, "right"))
            continue
        if expected is None:
            records.append(with_feedback(record, "wrong", comment="this is not a billing-code question"))
            continue
        named = expected if number % 2 == 0 else None
        comment = "answers another point" if number % 4 == 1 else ""
        records.append(with_feedback(record, "wrong", comment=comment, correct_entry=named))
    return records


def write_helpdesk_log(engine: Faqbot, path: Path) -> QuestionLog:
    log = QuestionLog(path)
    log.append(helpdesk_records(engine))
    return log


def main() -> None:
    import argparse
    import os
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attach", action="store_true", help="attach the largest group to its first candidate")
    parser.add_argument(
        "--attach-named",
        action="store_true",
        help="attach, one by one, every group to the entry a person named for it; figures at the start and end",
    )
    args = parser.parse_args()
    from faqbot.cli import main as faqbot

    with tempfile.TemporaryDirectory() as tmp:
        kb_dir = Path(tmp) / "knowledge"
        shutil.copytree(Path(__file__).parents[1] / "knowledge", kb_dir)
        os.environ["XDG_DATA_HOME"] = tmp
        log_path = Path(tmp) / "faqbot" / "questions.jsonl"
        write_helpdesk_log(Faqbot.from_path(kb_dir), log_path)
        questions = len({(r.asked_at, r.question) for r in QuestionLog(log_path).read()[0]})
        print(f"$ faqbot curate list   # {questions} questions logged\n")
        faqbot(["curate", "list", "--kb", str(kb_dir)])
        if args.attach:
            from faqbot.curation import attention_groups

            records, _ = QuestionLog(log_path).read()
            group = attention_groups(records, Faqbot.from_path(kb_dir))[0]
            entry = group.candidates[0].entry_id
            print(f"\n$ faqbot curate attach {group.id} {entry}\n")
            faqbot(["curate", "attach", group.id, entry, "--kb", str(kb_dir)])
        if args.attach_named:
            attach_named(kb_dir, log_path)


def attach_named(kb_dir: Path, log_path: Path) -> None:
    """Attach every group with an entry named in feedback, one after another (each checked)."""
    from faqbot.curation import attach_group, attention_groups, default_eval_files, format_figures, quality_figures

    start = quality_figures(Faqbot.from_path(kb_dir), default_eval_files())
    kept = refused = 0
    tried: set[str] = set()
    while True:
        engine = Faqbot.from_path(kb_dir)
        records, _ = QuestionLog(log_path).read()
        groups = [g for g in attention_groups(records, engine) if g.candidates and g.candidates[0].named_by_feedback]
        todo = [g for g in groups if g.id not in tried]
        if not todo:
            break
        group = todo[0]
        tried.add(group.id)
        result = attach_group(group, group.candidates[0].entry_id, engine)
        kept += result.kept
        refused += not result.kept
        print(
            f"{group.id} -> {result.entry_id}: {'kept' if result.kept else 'refused: ' + '; '.join(result.refused_because)}"
        )
    end = quality_figures(Faqbot.from_path(kb_dir), default_eval_files())
    print(f"\n{kept} group(s) attached, {refused} refused; figures at the start and at the end:")
    print(format_figures(start, end))


if __name__ == "__main__":
    main()
