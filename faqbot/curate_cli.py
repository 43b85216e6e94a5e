"""``faqbot curate list|attach|draft``: the command-line face of :mod:`faqbot.curation` (only formats)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_curate_parser(sub: argparse._SubParsersAction, add_kb: Callable[[argparse.ArgumentParser], None]) -> None:
    curate = sub.add_parser("curate", help="group the logged questions that need attention; attach or draft")
    curate_sub = curate.add_subparsers(dest="curate_command", parser_class=type(curate), metavar="command")

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--log", type=Path, default=None, help="question log (default: the user's own)")
        parser.add_argument("--json", action="store_true")
        add_kb(parser)

    listing = curate_sub.add_parser("list", help="the logged questions that need attention, grouped")
    common(listing)
    listing.set_defaults(func=_cmd_list)
    attach = curate_sub.add_parser("attach", help="add a group's questions as alternates of an entry")
    attach.add_argument("group", help="a group id (g3fa2c1) or its number in the list")
    attach.add_argument("entry_id")
    attach.add_argument(
        "--allow-drop",
        type=int,
        default=0,
        metavar="N",
        help="keep the change when a labeled set loses at most N questions (default 0: refuse any drop)",
    )
    common(attach)
    attach.set_defaults(func=_cmd_attach)
    draft = curate_sub.add_parser("draft", help="write a new entry skeleton for a group into drafts.toml")
    draft.add_argument("group", help="a group id (g3fa2c1) or its number in the list")
    common(draft)
    draft.set_defaults(func=_cmd_draft)
    curate.set_defaults(curate_parser=curate, func=_need_command)


def _need_command(args: argparse.Namespace) -> int:
    from faqbot.cli import UsageError

    raise UsageError("faqbot curate: choose a command: list, attach, draft (see faqbot curate --help)")


def _groups(args: argparse.Namespace):
    from faqbot.cli import UsageError, kb_engine, shown
    from faqbot.curation import attention_groups
    from faqbot.question_log import QuestionLog, default_log_path

    log = QuestionLog(args.log or default_log_path())
    try:
        records, bad = log.read()
    except OSError as exc:
        raise UsageError(
            f"faqbot curate: cannot read the question log {shown(log.path)}: {shown(exc.strerror or exc)}"
        ) from None
    engine = kb_engine(args)
    return engine, log, records, bad, attention_groups(records, engine)


def _cmd_list(args: argparse.Namespace) -> int:
    from faqbot.curation import format_groups

    _, log, records, bad, groups = _groups(args)
    if args.json:
        print(
            json.dumps(
                {
                    "log": str(log.path),
                    "records": len(records),
                    "unreadable_lines": bad,
                    "groups": [g.to_dict() for g in groups],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(format_groups(groups, log_path=log.path, records=len(records), skipped_lines=bad))
    return EXIT_OK


def _cmd_attach(args: argparse.Namespace) -> int:
    from faqbot.cli import shown
    from faqbot.curation import CurationError, attach_group, find_group, format_figures

    engine, _, _, _, groups = _groups(args)
    try:
        group = find_group(groups, args.group)
        result = attach_group(
            group,
            args.entry_id,
            engine,
            allow_drop=max(0, args.allow_drop),
            progress=lambda step: print(f"faqbot curate: {step} ...", file=sys.stderr),
        )
    except CurationError as exc:
        print(f"faqbot curate attach: {shown(exc)}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for question, why in result.skipped:
            print(f"skipped “{shown(question)}”: {why}")
        if result.before:
            print(format_figures(result.before, result.after))
        else:
            print("no labeled sets found (tests/data in a source checkout): quality figures not compared")
        if result.kept:
            weights = (
                f"weights relearned in {result.weights_file}"
                if result.weights_file
                else "the ranking weights in use kept (relearned: within the staleness tolerance, or lower figures)"
            )
            print(
                f"attached {len(result.added)} question(s) of group {result.group} to {result.entry_id} "
                f"in {result.file}; {weights}"
            )
        else:
            print(f"refused, nothing changed: the quality figures dropped ({'; '.join(result.refused_because)})")
    return EXIT_OK if result.kept else EXIT_FAIL


def _cmd_draft(args: argparse.Namespace) -> int:
    from faqbot.cli import shown
    from faqbot.curation import CurationError, draft_group, find_group

    engine, _, _, _, groups = _groups(args)
    try:
        result = draft_group(find_group(groups, args.group), engine)
    except CurationError as exc:
        print(f"faqbot curate draft: {shown(exc)}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(
            f"drafted entry '{result.entry_id}' in {result.file} ({1 + len(result.alternates)} phrasing(s)); "
            "it is not served until you write its answer, cite a source and set reviewed"
        )
    return EXIT_OK
