"""The ``faqbot`` command line: ask, lookup, check, kb validate, rules import-ncci, replay, eval, curate, chat.

Thin: every command parses its arguments, calls the core, and formats the result. Bad arguments
give one line on stderr and exit 2; a broken knowledge base lists its problems and exits 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, NoReturn

from faqbot.knowledge import KnowledgeError, KnowledgePath, default_kb_dir, kb_folders, kb_label

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def shown(text: object) -> str:
    """Text from the user (or a file) as it may appear in a message: one line, control characters and
    undecodable bytes escaped (a terminal never receives an escape sequence from a message)."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def _clean_argument(text: str) -> str:
    """An argument as text: bytes that were not UTF-8 (kept by Python as surrogates) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _choose(prog: str, subparsers: argparse._SubParsersAction):
    """A command function for a parser that needs a sub-command: names the choices in the words users type."""

    def need_subcommand(args: argparse.Namespace) -> int:
        raise UsageError(f"{prog}: choose a command: {', '.join(subparsers.choices)} (see {prog} --help)")

    return need_subcommand


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # also rejects nan
        raise argparse.ArgumentTypeError(f"threshold must be a number from 0 to 1, got {shown(text)!r}")
    return value


def _check_writable(path: Path, command: str, what: str) -> None:
    """Fail in one line, before any work starts, unless ``path`` can be written as a file.

    The check opens the file for appending (which neither truncates nor changes an existing file)
    and removes it again if it did not exist, so it holds for every user, root included."""
    if path.is_dir():
        raise UsageError(f"{command}: {what} {shown(path)} is a folder; give a file name")
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        raise UsageError(f"{command}: cannot write {what} {shown(path)}: {shown(exc.strerror or exc)}") from None
    if not existed:
        path.unlink(missing_ok=True)


def _write_text(path: Path, text: str, command: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{command}: cannot write {what} {shown(path)}: {shown(exc.strerror or exc)}") from None


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add_kb(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kb",
        type=Path,
        action="append",
        default=None,
        help="knowledge folder (default: the shipped one, or $FAQBOT_KB); give it again to layer a local "
        "folder over it (the last wins on the same id)",
    )


def kb_path(args: argparse.Namespace) -> KnowledgePath:
    """The knowledge folder(s) of ``--kb`` (repeatable), else the default."""
    if not args.kb:
        return default_kb_dir()
    return args.kb[0] if len(args.kb) == 1 else tuple(args.kb)


def _engine(args: argparse.Namespace):
    from faqbot.engine import Faqbot

    return Faqbot.from_path(kb_path(args))


kb_engine = _engine  # for the command modules beside this one (curate_cli)


def input_lines(stream: IO[str]) -> Iterator[str]:
    """The lines of ``stream`` as batch mode reads them: split at LF, CRLF or a bare CR, blank lines
    kept, bytes that are not UTF-8 replaced by U+FFFD (so the output is always valid UTF-8)."""
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        for raw in binary:
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            raw = raw[:-1] if raw.endswith(b"\r") else raw
            for part in raw.split(b"\r"):
                yield part.decode("utf-8", "replace")
        return
    for line in stream:  # a text stream without bytes underneath (embedding, tests)
        line = line[:-1] if line.endswith("\n") else line
        line = line[:-1] if line.endswith("\r") else line
        yield from (_clean_argument(part) for part in line.split("\r"))


def empty_question_answer(as_of: date):
    """What batch mode prints for a blank line: an object of the usual shape, so lines stay aligned."""
    from faqbot.engine import Answer

    return Answer(
        question="",
        status="no_match",
        entry_id=None,
        answer="Empty line: no question to answer.",
        confidence=0.0,
        codes=(),
        unknown_codes=(),
        suggestions=(),
        sources=(),
        as_of=as_of,
        kind="none",
    )


def _cmd_ask(args: argparse.Namespace) -> int:
    setting = None if args.setting in (None, "any") else args.setting
    if not args.question:
        if not args.json:
            raise UsageError("faqbot ask: give a QUESTION (or use --json to read questions from stdin)")
        if sys.stdin.isatty():
            print(
                "faqbot ask --json: reading questions from stdin, one per line "
                "(Ctrl+D ends; give a QUESTION to ask just one)",
                file=sys.stderr,
            )
        engine = _engine(args)
        out = getattr(sys.stdout, "buffer", None)
        for line in input_lines(sys.stdin):
            question = line.strip()
            if question:
                answer = engine.answer(question, as_of=args.as_of, setting=setting)
                _log_answer(args, answer)
            else:
                answer = empty_question_answer(args.as_of or date.today())
            text = json.dumps(answer.to_dict(), ensure_ascii=False) + "\n"
            if out is not None:  # UTF-8 whatever the locale says
                out.write(text.encode("utf-8"))
                out.flush()
            else:
                sys.stdout.write(text)
        return EXIT_OK
    question = _clean_argument(" ".join(args.question))
    if not question.strip():
        raise UsageError(
            "faqbot ask: the question is empty; give a QUESTION (or no QUESTION and --json "
            "to read questions from stdin)"
        )
    engine = _engine(args)
    answer = engine.answer(question, as_of=args.as_of, setting=setting)
    _log_answer(args, answer)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        from faqbot.terminal_format import format_answer

        print(format_answer(answer))
    return EXIT_OK


def _log_answer(args: argparse.Namespace, answer) -> None:
    """With ``--log``: a refusal or a low-confidence answer goes to the question log (masked)."""
    if not args.log:
        return
    from datetime import datetime

    from faqbot.question_log import QuestionLog, default_log_path, logging_disabled, record_for, worth_logging

    if worth_logging(answer) and not logging_disabled():
        try:
            QuestionLog(default_log_path()).append([record_for(answer, asked_at=datetime.now(), origin="ask")])
        except OSError as exc:
            print(f"faqbot ask: could not write the question log: {shown(exc)}", file=sys.stderr)


def resolve_lookup(terms: Sequence[str], engine) -> tuple[list[str], list[str]]:
    """Codes for lookup terms (codes, ranges, family ids or titles) and the terms that matched nothing."""
    kb = engine.kb
    codes: list[str] = []
    missing: list[str] = []
    for term in terms:
        lowered = term.lower().strip()
        family = next(
            (
                f
                for f in kb.families.values()
                if lowered in (f.id, f.title.lower()) or lowered.replace(" ", "_") == f.id
            ),
            None,
        )
        if family is not None:
            codes.extend(card.code for card in kb.codes_in_family(family.id) if card.code not in codes)
            continue
        scan = engine.scan(term)
        if not scan.codes:
            hint = f" (did you mean {', '.join(scan.did_you_mean.values())}?)" if scan.did_you_mean else ""
            missing.append(shown(term) + hint)
        else:  # a known code beside an unknown one: name the unknown one too, never drop it
            for code in scan.unknown:
                hint = f" (did you mean {scan.did_you_mean[code]}?)" if code in scan.did_you_mean else ""
                missing.append(code + hint)
        codes.extend(code for code in scan.codes if code not in codes)
    return codes, missing


def _refuse_bad_ranges(terms: Sequence[str], command: str) -> None:
    """A reversed or too-wide range is an error, never silently read as its two ends."""
    from faqbot.codes import range_problems

    for term in terms:
        for problem in range_problems(term):
            raise UsageError(f"{command}: {shown(problem)}")


def _cmd_lookup(args: argparse.Namespace) -> int:
    from faqbot.terminal_format import format_card

    terms = [_clean_argument(term) for term in args.codes]
    _refuse_bad_ranges(terms, "faqbot lookup")
    engine = _engine(args)
    codes, missing = resolve_lookup(terms, engine)
    as_of = args.as_of or date.today()
    if args.json:
        from dataclasses import asdict

        from faqbot.rules import jsonable

        cards = [dict(jsonable(asdict(engine.kb.codes[c])), status=engine.kb.codes[c].status_on(as_of)) for c in codes]
        print(json.dumps({"codes": cards, "not_found": missing, "as_of": as_of.isoformat()}, indent=2))
    elif codes:  # nothing on stdout when nothing was found
        print("\n\n".join(format_card(engine.kb.codes[c], engine.kb, as_of) for c in codes))
    for term in missing:
        print(f"faqbot lookup: not in the code table: {term}", file=sys.stderr)
    return EXIT_OK if codes and not missing else EXIT_FAIL


def _cmd_check(args: argparse.Namespace) -> int:
    terms = [_clean_argument(term) for term in args.codes]
    _refuse_bad_ranges(terms, "faqbot check")
    engine = _engine(args)
    codes: list[str] = []
    modifiers: dict[str, tuple[str, ...]] = {}
    for term in terms:
        scan = engine.scan(term)
        if scan.unknown or not scan.codes:
            hint = f" (did you mean {', '.join(scan.did_you_mean.values())}?)" if scan.did_you_mean else ""
            raise UsageError(f"faqbot check: not in the code table: {shown(term)}{hint}")
        codes.extend(c for c in scan.codes if c not in codes)
        for code, mods in scan.modifiers.items():  # 77336-59, 77387-26: the modifiers count
            modifiers[code] = tuple(dict.fromkeys((*modifiers.get(code, ()), *mods)))
    setting = args.setting
    if args.pos is not None:
        from faqbot.rules import POS_SETTINGS

        if args.setting != "any" and POS_SETTINGS.get(args.pos, args.setting) != args.setting:
            raise UsageError(f"faqbot check: --pos {args.pos} contradicts --setting {args.setting}")
        setting = POS_SETTINGS.get(args.pos, setting)
    check = engine.check(
        codes,
        dos=args.dos or date.today(),
        setting=setting,
        alone=args.alone or len(codes) == 1,
        modifiers=modifiers,
        pos=args.pos or "",
    )
    if args.json:
        print(json.dumps(check.to_dict(), indent=2))
    else:
        from faqbot.disclaimer import DISCLAIMER
        from faqbot.terminal_format import format_check

        print(format_check(check))
        print()
        print(DISCLAIMER)
    return EXIT_OK


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10000, got {shown(text)!r}")
    return int(text)


def _cmd_claim(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from faqbot.claim_check import check_claim
    from faqbot.claim_lines import read_claim
    from faqbot.claim_report import claim_report_json, format_claim_report
    from faqbot.knowledge import load_knowledge
    from faqbot.rules import RuleChecker

    name = "standard input" if args.file == "-" else args.file
    try:
        if args.file == "-":
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        else:
            raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"faqbot claim: cannot read {shown(name)}: {shown(exc.strerror or exc)}") from None
    claim = read_claim(raw.decode("utf-8", "replace"))
    if not claim.lines:
        why = f" ({len(claim.unreadable)} unreadable; line {claim.unreadable[0].line}: {claim.unreadable[0].reason})"
        raise UsageError(
            f"faqbot claim: no claim line could be read from {shown(name)}"
            + (shown(why) if claim.unreadable else "")
            + " (expected CSV/TSV with a header row, or lines like '2026-03-02 77412 x1')"
        )
    if args.course:
        claim = replace(
            claim, lines=tuple(line if line.course else replace(line, course=args.course) for line in claim.lines)
        )
    report = check_claim(RuleChecker(load_knowledge(args.kb)), claim, setting=args.setting, fractions=args.fractions)
    if args.json:
        print(claim_report_json(report, verbose=args.verbose))
    else:
        from faqbot.disclaimer import DISCLAIMER

        print(format_claim_report(report, verbose=args.verbose))
        print()
        print(DISCLAIMER)
    return EXIT_FAIL if report.problems else EXIT_OK


def _cmd_kb_validate(args: argparse.Namespace) -> int:
    from faqbot.knowledge import validate_knowledge

    root = kb_path(args)
    kb, problems = validate_knowledge(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if kb is None:
        print(f"{len(problems)} problem(s) in {kb_label(root)}", file=sys.stderr)
        return EXIT_FAIL
    print(
        f"knowledge base OK: {len(kb.entries)} entries, {len(kb.codes)} codes, {len(kb.families)} families, "
        f"{len(kb.rules)} rules, {len(kb.sources)} sources ({kb_label(root)})"
    )
    from faqbot.drafts import draft_notes
    from faqbot.kb_layers import override_notes

    for note in [*override_notes(kb), *draft_notes(kb.roots)]:
        print(f"note: {shown(note)}")
    return EXIT_OK


def _cmd_kb_stats(args: argparse.Namespace) -> int:
    from faqbot.kb_stats import format_stats, knowledge_stats
    from faqbot.knowledge import load_knowledge

    stats = knowledge_stats(load_knowledge(kb_path(args)), args.as_of or date.today())
    print(json.dumps(stats.to_dict(), indent=2) if args.json else format_stats(stats))
    return EXIT_OK


def default_question_log():
    """The user's question log, or None when FAQBOT_NO_LOG is set."""
    from faqbot.question_log import QuestionLog, default_log_path, logging_disabled

    return None if logging_disabled() else QuestionLog(default_log_path())


def _cmd_chat(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            'faqbot: the chat app needs a terminal; without one use faqbot ask "QUESTION" '
            "or faqbot ask --json < questions.txt (see faqbot --help)"
        )
    from faqbot.ui.app import FaqbotApp

    app = FaqbotApp(
        kb_dir=kb_path(args), as_of=args.as_of, question_log=None if args.no_log else default_question_log()
    )
    app.run()
    return EXIT_FAIL if app.load_problems else EXIT_OK


def _cmd_replay(args: argparse.Namespace) -> int:
    from faqbot.transcripts import TranscriptError, junit_xml, parse_transcript, record, replay, transcript_files

    if args.record is not None:
        if args.out is None or args.paths:
            raise UsageError("faqbot replay: --record QUESTIONS.txt needs --out FILE and no transcript paths")
        if args.out.exists() and not args.out.is_dir() and not args.force:
            raise UsageError(f"faqbot replay: {shown(args.out)} exists; add --force to overwrite it")
        _check_writable(args.out, "faqbot replay", "transcript")
        try:
            questions = [q.strip() for q in args.record.read_text(encoding="utf-8").splitlines() if q.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"faqbot replay: cannot read {shown(args.record)}: {shown(exc)}") from None
        if not questions:
            raise UsageError(f"faqbot replay: no questions in {shown(args.record)}")
        text = record(_engine(args), questions, name=args.record.stem, as_of=args.as_of or date.today())
        _write_text(args.out, text + "\n", "faqbot replay", "transcript")
        print(f"recorded {len(questions)} turns to {args.out}; review the expectations before committing")
        return EXIT_OK
    if not args.paths:
        raise UsageError("faqbot replay: give transcript files or folders")
    if args.junit is not None:
        _check_writable(args.junit, "faqbot replay", "JUnit report")
    try:
        files = transcript_files(args.paths)
        transcripts = [parse_transcript(path) for path in files]
    except TranscriptError as exc:
        print(f"faqbot replay: {shown(exc)}", file=sys.stderr)
        return EXIT_USAGE
    from faqbot.claim_examples import ClaimExampleError, claim_example_files, parse_claim_example

    try:
        examples = [parse_claim_example(path) for path in claim_example_files(args.paths)]
    except ClaimExampleError as exc:
        print(f"faqbot replay: {shown(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if not files and not examples:
        raise UsageError(f"faqbot replay: no transcript files (*.toml) in {', '.join(shown(p) for p in args.paths)}")
    claim_results = _replay_claims(args, examples)
    results = replay(_engine(args), transcripts) if transcripts else []
    failed = [r for r in results if not r.passed]
    claims_failed = [r for r in claim_results if not r.passed]
    if args.junit is not None:
        _write_text(args.junit, junit_xml(results, claim_results), "faqbot replay", "JUnit report")
    if args.json:
        report = {
            "passed": len(results) - len(failed) + len(claim_results) - len(claims_failed),
            "failed": len(failed) + len(claims_failed),
            "claim_failures": [
                {"file": str(r.example.path), "name": r.example.name, "problems": list(r.failures)}
                for r in claims_failed
            ],
            "failures": [
                {
                    "file": str(r.transcript.path),
                    "line": r.turn.line,
                    "turn": r.number,
                    "question": r.turn.question,
                    "problems": list(r.failures),
                    "answer": r.answer.to_dict(),
                }
                for r in failed
            ],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for r in failed:
            print(f"{r.transcript.path}:{r.turn.line}: turn {r.number}: {r.turn.question!r}: {'; '.join(r.failures)}")
        for c in claims_failed:
            print(f"{c.example.path}: claim example {c.example.name!r}: {'; '.join(c.failures)}")
        passed = len(results) - len(failed) + len(claim_results) - len(claims_failed)
        print(f"{passed} passed, {len(failed) + len(claims_failed)} failed")
    return EXIT_FAIL if failed or claims_failed else EXIT_OK


def _replay_claims(args: argparse.Namespace, examples):
    """Example claims checked against their expected findings (no index needed: the rule engine only)."""
    if not examples:
        return []
    from faqbot.claim_examples import replay_claim_example
    from faqbot.knowledge import load_knowledge
    from faqbot.rules import RuleChecker

    checker = RuleChecker(load_knowledge(args.kb))
    return [replay_claim_example(checker, example) for example in examples]


def _cmd_eval(args: argparse.Namespace) -> int:
    from faqbot.evaluate import evaluate, format_reports, labeled_questions
    from faqbot.transcripts import TranscriptError, parse_transcript, transcript_files

    try:
        items = labeled_questions(parse_transcript(p) for p in transcript_files(args.files))
    except TranscriptError as exc:
        print(f"faqbot eval: {shown(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if not items:
        raise UsageError("faqbot eval: no labeled questions in those files")
    result = evaluate(_engine(args), items, threshold=args.threshold, left_out=True)
    if args.json:
        from dataclasses import asdict

        print(
            json.dumps(
                {
                    "reports": [asdict(r) for r in result["reports"]],
                    "sweep": [
                        {"threshold": t, **{k: v for k, v in asdict(r).items() if k != "wrong"}}
                        for t, r in result["sweep"]
                    ],
                    "recommended_threshold": result["recommended_threshold"],
                    "reliability": [
                        {"low": lo, "high": hi, "answers": n, "right": r} for lo, hi, n, r in result["reliability"]
                    ],
                    "levels": [{"label": label, "answers": n, "wrong": w} for label, n, w in result["levels"]],
                    "left_out": [{"label": label, "questions": n} for label, n in result["left_out"]],
                },
                indent=2,
            )
        )
    else:
        print(format_reports(result))
    return EXIT_OK


def _cmd_import_ncci(args: argparse.Namespace) -> int:
    import time

    from faqbot.knowledge import load_knowledge
    from faqbot.ncci_import import (
        NcciFormatError,
        find_conflicts,
        import_ncci,
        output_paths,
        quarter_from_name,
        write_ncci_import,
    )

    command = "faqbot rules import-ncci"
    kb = load_knowledge(kb_path(args))
    root = kb_folders(kb_path(args))[-1]  # the rules go into the last (local) folder
    quarters = {quarter_from_name(path) for path in args.files}
    for path in output_paths(root, quarter=min(quarters), setting=args.setting, rules_path=args.out):
        _check_writable(path, command, "output file")  # before the work: nothing is written on failure
    started = time.perf_counter()
    try:
        imp = import_ncci(args.files, known_codes=kb.codes, setting=args.setting, keep_all=args.all)
    except (NcciFormatError, ValueError) as exc:
        print(f"{command}: {shown(exc)} (nothing written)", file=sys.stderr)
        return EXIT_USAGE
    conflicts = find_conflicts(imp.rules, kb.rules)
    if conflicts:
        for line in conflicts:
            print(f"faqbot rules import-ncci: {line}", file=sys.stderr)
        print("faqbot rules import-ncci: nothing written; resolve the contradictions first", file=sys.stderr)
        return EXIT_FAIL
    try:
        source_path, rules_path = write_ncci_import(imp, root, rules_path=args.out)
    except OSError as exc:
        raise UsageError(f"{command}: cannot write the import: {shown(exc)} (nothing written)") from None
    seconds = time.perf_counter() - started
    print(
        f"read {imp.rows_read} rows in {seconds:.1f} s; kept {len(imp.rules)} edits between known codes "
        f"({imp.never_effective} never in effect, {imp.duplicates} duplicates skipped)"
    )
    print(f"wrote {rules_path} and {source_path}")
    return EXIT_OK


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` (a command name), only that command's part: all a run
    of one command needs (building every command's parser was 3 ms of a cold ``faqbot ask``)."""
    from faqbot import __version__

    parser = _Parser(prog="faqbot", description="Radiation-oncology billing code answers, with sources.")
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="command")
    parser.set_defaults(func=_choose("faqbot", sub))
    for name, add in COMMANDS:
        if command in (None, name):
            add(sub)
    return parser


def _add_ask(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="answer one question (or JSON Lines from stdin with --json)")
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line when reading stdin)")
    ask.add_argument("--as-of", type=_iso_date, default=None, help="answer as of this date (default today)")
    ask.add_argument("--setting", choices=("practitioner", "hospital", "any"), default=None)
    ask.add_argument(
        "--log", action="store_true", help="write refusals and low-confidence answers to the question log (masked)"
    )
    _add_kb(ask)
    ask.set_defaults(func=_cmd_ask)


def _add_lookup(sub: argparse._SubParsersAction) -> None:
    lookup = sub.add_parser("lookup", help="print code cards (codes, ranges or a family name)")
    lookup.add_argument("codes", nargs="+")
    lookup.add_argument("--as-of", type=_iso_date, default=None)
    lookup.add_argument("--json", action="store_true")
    _add_kb(lookup)
    lookup.set_defaults(func=_cmd_lookup)


def _add_check(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="rule check for a combination of codes")
    check.add_argument("codes", nargs="+")
    check.add_argument("--dos", type=_iso_date, default=None, help="date of service (default today)")
    check.add_argument("--setting", choices=("practitioner", "hospital", "any"), default="any")
    check.add_argument(
        "--pos", choices=("11", "19", "22"), default=None, help="place of service: 11 practitioner; 19, 22 hospital"
    )
    check.add_argument("--alone", action="store_true", help="ask whether a single code may be billed alone")
    check.add_argument("--json", action="store_true")
    _add_kb(check)
    check.set_defaults(func=_cmd_check)


def _add_claim(sub: argparse._SubParsersAction) -> None:
    claim = sub.add_parser("claim", help="check a whole claim or course of charges (CSV, TSV or pasted lines)")
    claim.add_argument("file", metavar="FILE", help="claim file, or - for standard input")
    claim.add_argument(
        "--setting",
        choices=("practitioner", "hospital", "any"),
        default="any",
        help="setting for lines whose POS or setting column says nothing (POS 11: practitioner; 19, 22: hospital)",
    )
    claim.add_argument("--course", default="", help="course (or patient) name for lines that name none")
    claim.add_argument(
        "--fractions", type=_positive, default=None, help="fractions in the course when the file has no delivery lines"
    )
    claim.add_argument("--json", action="store_true", help="print JSON (README: Checking a claim)")
    claim.add_argument("--verbose", action="store_true", help="also list the code pairs with no rule known")
    _add_kb(claim)
    claim.set_defaults(func=_cmd_claim)


def _add_kb_tools(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", parser_class=_Parser, metavar="command")
    kb.set_defaults(func=_choose("faqbot kb", kb_sub))
    validate = kb_sub.add_parser("validate", help="check every knowledge file; exit 1 on any problem")
    _add_kb(validate)
    validate.set_defaults(func=_cmd_kb_validate)
    stats = kb_sub.add_parser("stats", help="count entries, codes, rules and sources by tier")
    _add_kb(stats)
    stats.add_argument(
        "--as-of", type=_iso_date, default=None, help="count active and deleted codes on this date (default today)"
    )
    stats.add_argument("--json", action="store_true", help="print JSON (keys: entries, codes, rules, sources ...)")
    stats.set_defaults(func=_cmd_kb_stats)


def _add_chat(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser("chat", help="open the chat app (the default)")
    chat.add_argument("--as-of", type=_iso_date, default=None)
    chat.add_argument("--no-log", action="store_true", help="do not write the question log this session")
    _add_kb(chat)
    chat.set_defaults(func=_cmd_chat)


def _add_rules(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="rule tools")
    rules_sub = rules.add_subparsers(dest="rules_command", parser_class=_Parser, metavar="command")
    rules.set_defaults(func=_choose("faqbot rules", rules_sub))
    ncci = rules_sub.add_parser("import-ncci", help="import CMS NCCI PTP edit files as rules")
    ncci.add_argument("files", nargs="+", type=Path, help="PTP edit files (tab-delimited or CSV, or a .zip)")
    ncci.add_argument("--setting", choices=("practitioner", "hospital"), default="practitioner")
    ncci.add_argument(
        "--out", type=Path, default=None, help="rules file to write (default: knowledge/rules/ncci-ptp-SETTING.toml)"
    )
    ncci.add_argument("--all", action="store_true", help="keep rows whose codes are not in the code table")
    _add_kb(ncci)
    ncci.set_defaults(func=_cmd_import_ncci)


def _add_replay(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser("replay", help="replay transcript files and report failed turns")
    replay.add_argument("paths", nargs="*", type=Path, help="transcript files or folders (recursively)")
    replay.add_argument("--junit", type=Path, default=None, help="also write JUnit XML here")
    replay.add_argument("--json", action="store_true", help="print a machine-readable report")
    replay.add_argument("--record", type=Path, default=None, help="questions file (one per line) to record")
    replay.add_argument("--out", type=Path, default=None, help="with --record: the transcript file to write")
    replay.add_argument("--as-of", type=_iso_date, default=None, help="with --record: the as-of date")
    replay.add_argument("--force", action="store_true", help="with --record: overwrite an existing --out file")
    _add_kb(replay)
    replay.set_defaults(func=_cmd_replay)


def _add_eval(sub: argparse._SubParsersAction) -> None:
    evaluation = sub.add_parser("eval", help="answer quality on labeled questions, next to baselines")
    evaluation.add_argument("files", nargs="+", type=Path, help="labeled transcript files or folders")
    evaluation.add_argument(
        "--threshold", type=_threshold, default=None, help="faqbot's match threshold to report (0-1)"
    )
    evaluation.add_argument("--json", action="store_true")
    _add_kb(evaluation)
    evaluation.set_defaults(func=_cmd_eval)


def _add_curate(sub: argparse._SubParsersAction) -> None:
    from faqbot.curate_cli import add_curate_parser

    add_curate_parser(sub, _add_kb)


# Every command, in the order ``faqbot --help`` lists them, with the function that adds its parser.
COMMANDS: tuple[tuple[str, Callable[[argparse._SubParsersAction], None]], ...] = (
    ("ask", _add_ask),
    ("lookup", _add_lookup),
    ("check", _add_check),
    ("claim", _add_claim),
    ("kb", _add_kb_tools),
    ("chat", _add_chat),
    ("rules", _add_rules),
    ("replay", _add_replay),
    ("eval", _add_eval),
    ("curate", _add_curate),
)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0].startswith(("--kb", "--as-of", "--no-log")):
            argv = ["chat", *argv]
        command = argv[0] if argv[0] in dict(COMMANDS) else None  # else --help, --version or a typo: all
        args = build_parser(command).parse_args(argv)
        return args.func(args)
    except SystemExit as exc:  # --help and --version print and stop
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except UsageError as exc:
        print(shown(exc), file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(shown(problem), file=sys.stderr)
        print(
            f"faqbot: the knowledge base has {len(exc.problems)} problem(s); fix them and try again "
            "(faqbot kb validate lists them)",
            file=sys.stderr,
        )
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The ``faqbot`` program (the console script and ``python -m faqbot``): :func:`main`, then exit.

    Before exiting, every object is moved out of the garbage collector's reach (``gc.freeze``): the
    interpreter's final collections then skip the loaded knowledge base, index and modules that the
    operating system reclaims anyway. That final pass cost a cold ``faqbot ask`` about 40 ms (more
    than answering). Standard streams are still flushed and ``atexit`` handlers still run; every file
    faqbot writes is closed by then. Not part of :func:`main`, which tests call in one process."""
    code = main()
    gc.freeze()
    sys.exit(code)
