"""Import CMS NCCI procedure-to-procedure (PTP) edit files as ``bundled`` rules.

Pure core: no CLI, no Textual, nothing is written until the caller asks for it.

Input
-----
The quarterly Medicare PTP files ("practitioner" and "hospital outpatient" tables; CMS splits
each into several parts, e.g. ``ccipra-v321r0-f1.txt`` .. ``-f4.txt``) in their published layout:

    Column 1 | Column 2 | * = in existence prior to 1996 (or blank) | Effective Date (YYYYMMDD) |
    Deletion Date (YYYYMMDD, or * = no deletion) | Modifier indicator (0/1/9) | PTP Edit Rationale

Tab-delimited text (the published form) and CSV (comma-delimited, optionally quoted, with or
without a header row) are both accepted; a ``.zip`` holding one ``.txt``/``.csv`` file is read
without extracting it. Files are streamed line by line (never read whole).

* Every line before the first data row is a title/header line and is skipped. The first data row
  is the first line whose first field (tab- or comma-separated) is a code; its separator fixes the
  delimiter for the rest of the file.
* After that, blank lines are skipped and every other line must be a valid row, or
  :class:`NcciFormatError` names the file, the line number and what is wrong. Accepted: 6 columns
  (older files without a rationale) or 7; trailing empty columns are ignored; in an unquoted CSV
  line commas after the sixth separator belong to the rationale. Dates are ``YYYYMMDD`` (or
  ``YYYY-MM-DD``); no deletion is ``*`` or blank.
* Only rows whose two codes are both in ``known_codes`` are kept (``keep_all=True`` keeps every
  row: meant for small files and tests -- a full table is millions of rows, and rules naming codes
  missing from knowledge/codes.toml do not load).

Output: the source record (design)
----------------------------------
A quarterly PTP table is a complete replacement of the previous one, so the importer writes:

* ``knowledge/rules/ncci-ptp-<setting>.toml`` -- ONE rules file per setting, overwritten by each
  import, so a newer quarter replaces the older one instead of stacking stale, contradicting copies.
* ``knowledge/sources/ncci-ptp-<quarter>.toml`` -- a companion ``[[source]]`` file whose id,
  ``ncci-ptp-<quarter>``, every imported rule cites. The loader reads sources only from
  ``knowledge/sources/*.toml``, so the source cannot live in the rules file. One source file per
  quarter: practitioner and hospital imports of the same quarter write identical content; an older
  quarter's source file that no rules file cites any more is harmless (and may be deleted).

The quarter is taken from the file name: the CMS version tag (``ccipra-v321r0-f1.txt`` ->
``v321r0``), else a year-quarter (``ptp-2026Q1.csv`` -> ``2026q1``), else the file stem.

Rules: relation ``bundled``, codes_a = [column 1], codes_b = [column 2], scope "same date of
service (NCCI PTP edit)", effective_from = effective date, effective_to = deletion date (omitted when
none; the engine treats it as the first date the edit no longer applies), modifier_indicator as
published (9 is kept: the engine never denies on it), reason "NCCI PTP edit: <rationale>.". An edit
whose deletion date equals its effective date never applied: it is skipped and counted. CMS's
"mutually exclusive" rationale is still written as ``bundled``: the engine gives both relations the
same verdicts, and column 1 / column 2 keep their published meaning.

Writing is atomic (temporary file in the same folder, then rename). Every input file is parsed in
full before anything is rendered, so a malformed line anywhere means nothing is written.

Typical use (what a CLI command does)::

    kb = load_knowledge(kb_dir)
    imp = import_ncci(paths, known_codes=kb.codes, setting="practitioner", reviewed=date.today())
    problems = find_conflicts(imp.rules, kb.rules)      # would the app refuse to start?
    if not problems:
        write_ncci_import(imp, kb_dir)
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, Literal

from faqbot.codes import CODE_FORM
from faqbot.knowledge import dates_overlap, rule_verdict_class
from faqbot.model import PAIR_RELATIONS, Rule

__all__ = [
    "NCCI_PTP_URL",
    "NCCI_PUBLISHER",
    "SCOPE",
    "ImportResult",
    "NcciFormatError",
    "MAX_LINE_BYTES",
    "NcciImport",
    "PtpEdit",
    "edits_to_rules",
    "find_conflicts",
    "import_ncci",
    "output_paths",
    "parse_ptp_line",
    "quarter_from_name",
    "read_ptp_file",
    "render_rules_toml",
    "render_source_toml",
    "rules_file_name",
    "source_file_name",
    "source_id_for",
    "source_title",
    "write_ncci_import",
    "write_rules_toml",
    "write_source_toml",
]

# The CMS page that links the quarterly PTP files (as returned by the reference search; CMS has
# since also served it under /medicare/coding-billing/national-correct-coding-initiative-ncci-edits/).
NCCI_PTP_URL = (
    "https://www.cms.gov/medicare-medicaid-coordination/national-correct-coding-initiative-ncci/"
    "ncci-medicare/medicare-ncci-procedure-procedure-ptp-edits"
)
NCCI_PUBLISHER = "Centers for Medicare & Medicaid Services (CMS)"
SCOPE = "same date of service (NCCI PTP edit)"
Setting = Literal["practitioner", "hospital"]
_SETTINGS = ("practitioner", "hospital")

# ASCII-only (``\d`` would also accept other scripts' digits); a subset of faqbot.codes.is_normal_code.
_CODE = re.compile(r"(?:[0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4})")
_YMD = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")
_INDICATORS = {"0": 0, "1": 1, "9": 9}
_C = rf"({CODE_FORM})"
_FAST_TAB = re.compile(_C + r"\t" + _C + r"\t(\*?)\t([0-9]{8})\t([0-9]{8}|\*)\t[019](?:\t[^\t\"]*)?")
_FAST_CSV = re.compile(_C + "," + _C + r",(\*?),([0-9]{8}),([0-9]{8}|\*),[019](?:,[^\"]*)?")
_MAX_SHOWN = 40
# A published PTP row is under 300 bytes; a longer line is refused (with its number) instead of being
# copied into a rules file. Lines are read with this limit, so one huge line never fills memory.
MAX_LINE_BYTES = 10_000


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One row of a PTP edit file."""

    column1: str
    column2: str
    effective: date
    deleted: date | None
    modifier_indicator: int
    rationale: str
    line: int
    prior_1996: bool = False

    @property
    def never_effective(self) -> bool:
        """Deleted on the day it took effect: the edit never applied to any date of service."""
        return self.deleted is not None and self.deleted <= self.effective


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The rows read from one file."""

    edits: tuple[PtpEdit, ...]
    rows_read: int
    rows_kept: int
    source_name: str
    delimiter: str = "\t"
    lines_skipped: int = 0  # title/header lines before the data, and blank lines


@dataclass(frozen=True, slots=True)
class NcciImport:
    """Rules built from one setting's PTP files, ready to write."""

    setting: str
    quarter: str
    source_id: str
    reviewed: date
    rules: tuple[Rule, ...]
    results: tuple[ImportResult, ...]
    never_effective: int  # kept rows whose deletion date equals their effective date (skipped)
    duplicates: int  # identical rows seen more than once (written once)

    @property
    def rows_read(self) -> int:
        return sum(result.rows_read for result in self.results)

    @property
    def rows_kept(self) -> int:
        return sum(result.rows_kept for result in self.results)


class NcciFormatError(Exception):
    """A PTP file cannot be read: names the file, the line (when there is one) and the problem."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}: line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


# --------------------------------------------------------------------------------------------
# Parsing one line


def _shown(value: str) -> str:
    return repr(value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "...")


class _LineParser:
    """Parses data lines of one file; caches the validity of codes and dates it has seen."""

    __slots__ = ("name", "delimiter", "_codes", "_dates")

    def __init__(self, name: str, delimiter: str) -> None:
        if delimiter not in ("\t", ","):
            raise ValueError("delimiter must be a tab or a comma")
        self.name = name
        self.delimiter = delimiter
        self._codes: dict[str, str] = {}
        self._dates: dict[str, date] = {}

    def error(self, line: int, problem: str) -> NcciFormatError:
        return NcciFormatError(self.name, line, problem)

    def fields(self, text: str, line: int) -> list[str]:
        delimiter = self.delimiter
        if '"' in text:
            try:
                rows = list(csv.reader([text], delimiter=delimiter, strict=True))
                fields = rows[0] if rows else []
            except csv.Error as exc:
                if delimiter == ",":
                    raise self.error(line, f"cannot split the line into columns: {exc}") from None
                fields = text.split("\t")  # a tab file with a stray quote: the quote is text
        elif delimiter == ",":
            fields = text.split(",", 6)  # the rationale, last, may contain commas
        else:
            fields = text.split("\t")
        while len(fields) > 7 and not fields[-1].strip():
            fields.pop()
        if len(fields) not in (6, 7):
            what = "tab" if delimiter == "\t" else "comma"
            raise self.error(line, f"expected 7 {what}-separated columns (6 without a rationale), got {len(fields)}")
        return fields

    def code(self, raw: str, column: str, line: int) -> str:
        code = self._codes.get(raw)
        if code is None:
            code = raw.strip().upper()
            if not _CODE.fullmatch(code):
                raise self.error(
                    line, f"{column} is not a CPT/HCPCS code (like 77014, 0073T or G6012), got {_shown(raw)}"
                )
            self._codes[raw] = code
        return code

    def day(self, raw: str, column: str, line: int) -> date:
        day = self._dates.get(raw)
        if day is None:
            match = _YMD.fullmatch(raw.strip())
            if match is None:
                raise self.error(line, f"{column} must be a date YYYYMMDD, got {_shown(raw)}")
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise self.error(line, f"{column} is not a real date, got {_shown(raw)}") from None
            self._dates[raw] = day
        return day

    def parse(self, text: str, line: int) -> PtpEdit:
        fields = self.fields(text, line)
        column1 = self.code(fields[0], "column 1", line)
        column2 = self.code(fields[1], "column 2", line)
        if column1 == column2:
            raise self.error(line, f"column 1 and column 2 are the same code {column1}")
        prior = fields[2].strip()
        if prior not in ("", "*"):
            raise self.error(line, f"'in existence prior to 1996' must be '*' or blank, got {_shown(fields[2])}")
        effective = self.day(fields[3], "effective date", line)
        raw_deleted = fields[4].strip()
        deleted = None if raw_deleted in ("*", "") else self.day(raw_deleted, "deletion date", line)
        if deleted is not None and deleted < effective:
            raise self.error(
                line, f"deletion date {deleted.isoformat()} is before the effective date {effective.isoformat()}"
            )
        indicator = _INDICATORS.get(fields[5].strip())
        if indicator is None:
            raise self.error(line, f"modifier indicator must be 0, 1 or 9, got {_shown(fields[5].strip())}")
        rationale = " ".join(fields[6].split()) if len(fields) == 7 else ""
        return PtpEdit(column1, column2, effective, deleted, indicator, rationale, line, prior == "*")


def parse_ptp_line(text: str, delimiter: str = "\t", *, name: str = "<line>", line: int = 1) -> PtpEdit:
    """Parse one data line (without its line ending). Raises only :class:`NcciFormatError`."""
    return _LineParser(name, delimiter).parse(text.rstrip("\r\n"), line)


def _detect_delimiter(text: str) -> str | None:
    """The delimiter of a data line (its first field is a code), or None for a title/header line."""
    for delimiter in ("\t", ","):
        if delimiter in text:
            first = text.split(delimiter, 1)[0].strip().strip('"').strip().upper()
            if _CODE.fullmatch(first):
                return delimiter
    return None


# --------------------------------------------------------------------------------------------
# Reading files


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.rstrip("\r\n")


def _open_binary(path: Path) -> tuple[str, IO[bytes], list[IO[bytes] | zipfile.ZipFile]]:
    """(display name, binary stream, things to close). A zip must hold exactly one .txt/.csv file."""
    if path.suffix.lower() == ".zip":
        archive = zipfile.ZipFile(path)
        try:
            members = [m for m in archive.namelist() if m.lower().endswith((".txt", ".csv")) and not m.endswith("/")]
            if len(members) != 1:
                raise NcciFormatError(
                    path.name, None, f"a .zip must hold exactly one .txt or .csv file, found {len(members)}"
                )
            stream = archive.open(members[0])
        except BaseException:
            archive.close()
            raise
        return f"{path.name}:{Path(members[0]).name}", stream, [stream, archive]
    stream = path.open("rb")
    return path.name, stream, [stream]


def read_ptp_file(
    path: str | os.PathLike[str], *, known_codes: Collection[str], keep_all: bool = False
) -> ImportResult:
    """Stream one PTP edit file; keep the rows whose two codes are both known (all with ``keep_all``).

    Raises :class:`NcciFormatError` (file name, line number, problem) on the first malformed line,
    when the file holds no data row, or when it cannot be read.
    """
    path = Path(path)
    known = known_codes if isinstance(known_codes, (set, frozenset, dict)) else frozenset(known_codes)
    name = path.name
    try:
        name, stream, closers = _open_binary(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise NcciFormatError(name, None, f"cannot read: {exc}") from None
    kept: list[PtpEdit] = []
    rows = skipped = 0
    parser: _LineParser | None = None
    line = 0
    try:
        lines: Iterator[bytes] = iter(partial(stream.readline, MAX_LINE_BYTES + 1), b"")
        # Title and header lines, up to the first data row.
        for line, raw in enumerate(lines, 1):
            if len(raw) > MAX_LINE_BYTES:
                _check_length(raw, name, line)
            text = _decode(raw)
            if line == 1:
                text = text.lstrip("\ufeff")
            delimiter = _detect_delimiter(text)
            if delimiter is None:
                skipped += 1
                continue
            parser = _LineParser(name, delimiter)
            edit = parser.parse(text, line)
            rows += 1
            if keep_all or (edit.column1 in known and edit.column2 in known):
                kept.append(edit)
            break
        if parser is None:
            raise NcciFormatError(
                name,
                None,
                "no data rows found (expected tab- or comma-separated PTP edit rows "
                "starting with a code, like 77338<TAB>77334<TAB>...)",
            )
        parse, append = parser.parse, kept.append
        fast = (_FAST_TAB if parser.delimiter == "\t" else _FAST_CSV).fullmatch
        good_dates: set[str] = set()
        # Data rows: hot loop. A plain well-formed row is checked by one regex (plus a cached date
        # check) and only turned into a PtpEdit when kept; anything else takes the full parser,
        # which either copes (spaces, quotes, trailing empty columns) or raises.
        first_data_line = line + 1
        for line, raw in enumerate(lines, first_data_line):
            if len(raw) > MAX_LINE_BYTES:
                _check_length(raw, name, line)
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                text = _decode(raw)
            match = fast(text)
            if match is not None:
                c1, c2, effective, deleted = match.group(1, 2, 4, 5)
                if (
                    c1 != c2
                    and effective in good_dates
                    and (deleted == "*" or (deleted in good_dates and deleted >= effective))
                ):
                    rows += 1
                    if keep_all or (c1 in known and c2 in known):
                        append(parse(text, line))
                    continue
                edit = parse(text, line)  # raises on a bad date; else remember the dates as good
                good_dates.add(effective)
                if deleted != "*":
                    good_dates.add(deleted)
            elif not text or text.isspace():
                skipped += 1
                continue
            else:
                edit = parse(text, line)
            rows += 1
            if keep_all or (edit.column1 in known and edit.column2 in known):
                append(edit)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise NcciFormatError(name, line or None, f"cannot read: {exc}") from None
    finally:
        for closer in closers:
            closer.close()
    delimiter = parser.delimiter
    return ImportResult(tuple(kept), rows, len(kept), name, delimiter, skipped)


def _check_length(raw: bytes, name: str, line: int) -> None:
    """``raw`` came from ``readline(MAX_LINE_BYTES + 1)``: without its line end it is longer than the cap."""
    if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES or not raw.endswith(b"\n"):
        raise NcciFormatError(
            name,
            line,
            f"the line is longer than {MAX_LINE_BYTES:,} bytes "
            "(a PTP edit row is a few hundred); is this the right file?",
        )


# --------------------------------------------------------------------------------------------
# Quarter, ids, file names

_VERSION_TAG = re.compile(r"v(\d{3,4})r(\d+)", re.IGNORECASE)
_YEAR_QUARTER = re.compile(r"((?:19|20)\d{2})[ _.-]?q([1-4])", re.IGNORECASE)
_PART = re.compile(r"[-_. ]?(?:f|part)\d+$", re.IGNORECASE)


def quarter_from_name(path: str | os.PathLike[str]) -> str:
    """``ccipra-v321r0-f1.txt`` -> ``v321r0``; ``ptp_2026Q1.csv`` -> ``2026q1``; else the stem, slugged."""
    name = Path(path).name
    if (match := _VERSION_TAG.search(name)) is not None:
        return f"v{match[1]}r{match[2]}"
    if (match := _YEAR_QUARTER.search(name)) is not None:
        return f"{match[1]}q{match[2]}"
    stem = Path(name)
    while stem.suffix.lower() in (".txt", ".csv", ".zip", ".tsv"):
        stem = stem.with_suffix("")
    slug = re.sub(r"[^a-z0-9]+", "-", _PART.sub("", stem.name).lower()).strip("-")
    return slug or "unknown"


def source_id_for(quarter: str) -> str:
    return f"ncci-ptp-{quarter}"


def source_file_name(quarter: str) -> str:
    """Relative to the knowledge folder."""
    return f"sources/{source_id_for(quarter)}.toml"


def rules_file_name(setting: str) -> str:
    """Relative to the knowledge folder: one file per setting, replaced by each quarter's import."""
    return f"rules/ncci-ptp-{setting}.toml"


def _check_setting(setting: str) -> None:
    if setting not in _SETTINGS:
        raise ValueError(f"setting must be 'practitioner' or 'hospital', got {setting!r}")


def _check_file_setting(path: Path, setting: str) -> None:
    """Refuse the obvious mix-up: a CMS practitioner file imported as hospital, or the reverse."""
    name = path.name.lower()
    if "ccipra" in name and setting != "practitioner":
        raise ValueError(f"{path.name} is a CMS practitioner file, but setting is {setting!r}")
    if "ccioph" in name and setting != "hospital":
        raise ValueError(f"{path.name} is a CMS hospital outpatient file, but setting is {setting!r}")


# --------------------------------------------------------------------------------------------
# Edits -> rules


def _reason(rationale: str) -> str:
    text = " ".join(rationale.split()).rstrip(". ")
    return f"NCCI PTP edit: {text}." if text else "NCCI PTP edit (the file gives no rationale)."


def _rule_id(setting: str, edit: PtpEdit) -> str:
    return f"ncci-{setting}-{edit.column1}-{edit.column2}-{edit.effective:%Y%m%d}".lower()


def edits_to_rules(
    edits: Iterable[PtpEdit], *, setting: str, source_id: str, reviewed: date
) -> tuple[list[Rule], int, int]:
    """(rules sorted by column 1, column 2, effective date; never-effective edits skipped; duplicates)."""
    _check_setting(setting)
    never = duplicates = 0
    seen: set[tuple[str, str, date, date | None, int]] = set()
    unique: list[PtpEdit] = []
    for edit in edits:
        if edit.never_effective:
            never += 1
            continue
        key = (edit.column1, edit.column2, edit.effective, edit.deleted, edit.modifier_indicator)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        unique.append(edit)
    unique.sort(key=lambda e: (e.column1, e.column2, e.effective, e.deleted or date.max, e.modifier_indicator))
    rules: list[Rule] = []
    ids: set[str] = set()
    for edit in unique:
        base = rule_id = _rule_id(setting, edit)
        n = 1
        while rule_id in ids:
            n += 1
            rule_id = f"{base}-{n}"
        ids.add(rule_id)
        rules.append(
            Rule(
                id=rule_id,
                relation="bundled",
                codes_a=(edit.column1,),
                codes_b=(edit.column2,),
                scope=SCOPE,
                setting=setting,
                reason=_reason(edit.rationale),
                sources=(source_id,),
                reviewed=reviewed,
                effective_from=edit.effective,
                effective_to=edit.deleted,
                modifier_indicator=edit.modifier_indicator,
            )
        )
    return rules, never, duplicates


def import_ncci(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    known_codes: Collection[str],
    setting: Setting | str,
    reviewed: date | None = None,
    keep_all: bool = False,
    quarter: str | None = None,
    source_id: str | None = None,
) -> NcciImport:
    """Read one setting's PTP files (e.g. the four parts of a quarter) into rules.

    Every file is read in full first; :class:`NcciFormatError` from any of them means no result.
    ``quarter`` defaults to :func:`quarter_from_name` of the files (they must agree);
    ``source_id`` to ``ncci-ptp-<quarter>``; ``reviewed`` to today.
    """
    _check_setting(setting)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("no PTP files given")
    for path in files:
        _check_file_setting(path, setting)
    if quarter is None:
        quarters = sorted({quarter_from_name(path) for path in files})
        if len(quarters) != 1:
            raise ValueError(f"the files name different quarters ({', '.join(quarters)}); pass quarter=...")
        quarter = quarters[0]
    elif not re.fullmatch(r"[a-z0-9][a-z0-9-]*", quarter):
        raise ValueError(f"quarter must be lower case letters, digits and hyphens, got {quarter!r}")
    source_id = source_id or source_id_for(quarter)
    reviewed = reviewed or date.today()
    known = frozenset(known_codes)
    results = tuple(read_ptp_file(path, known_codes=known, keep_all=keep_all) for path in files)
    rules, never, duplicates = edits_to_rules(
        (edit for result in results for edit in result.edits),
        setting=setting,
        source_id=source_id,
        reviewed=reviewed,
    )
    return NcciImport(setting, quarter, source_id, reviewed, tuple(rules), results, never, duplicates)


# --------------------------------------------------------------------------------------------
# Conflicts with the rules already in the knowledge base


def find_conflicts(imported: Sequence[Rule], existing: Iterable[Rule] = ()) -> list[str]:
    """Pairs where an imported rule would contradict another rule (the loader's check: same pair,
    same setting, overlapping dates, one allowed and the other restricted). The app refuses to start
    on any of these, so check before writing. Existing rules from an earlier NCCI import of the
    same setting are ignored (the new file replaces them)."""
    replaced = {rules_file_name(r.setting).split("/")[-1] for r in imported}
    by_pair: dict[tuple[frozenset[str], str], list[tuple[Rule, bool]]] = {}
    for rule, is_new in [*((r, False) for r in existing), *((r, True) for r in imported)]:
        if rule.relation not in PAIR_RELATIONS:
            continue
        if not is_new and rule.file and Path(rule.file).name in replaced:
            continue
        for a in rule.codes_a:
            for b in rule.codes_b:
                by_pair.setdefault((frozenset((a, b)), rule.setting), []).append((rule, is_new))
    problems: list[str] = []
    for (pair, setting), items in by_pair.items():
        for i, (first, first_new) in enumerate(items):
            for second, second_new in items[i + 1 :]:
                if not (first_new or second_new) or first.id == second.id:
                    continue
                if rule_verdict_class(first) != rule_verdict_class(second) and dates_overlap(first, second):
                    problems.append(
                        f"rule '{second.id}' contradicts rule '{first.id}' for {'+'.join(sorted(pair))} "
                        f"in setting '{setting}' on overlapping dates"
                    )
    return problems


# --------------------------------------------------------------------------------------------
# Writing TOML

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_str(value: str) -> str:
    out = []
    for ch in value:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif 0xD800 <= ord(ch) <= 0xDFFF:  # a lone surrogate cannot be written as UTF-8
            out.append("\\uFFFD")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _rule_toml(rule: Rule) -> str:
    lines = [
        "[[rule]]",
        f"id = {_toml_str(rule.id)}",
        f"relation = {_toml_str(rule.relation)}",
        f"codes_a = {_toml_list(rule.codes_a)}",
        f"codes_b = {_toml_list(rule.codes_b)}",
        f"scope = {_toml_str(rule.scope)}",
        f"setting = {_toml_str(rule.setting)}",
    ]
    if rule.effective_from is not None:
        lines.append(f"effective_from = {rule.effective_from.isoformat()}")
    if rule.effective_to is not None:
        lines.append(f"effective_to = {rule.effective_to.isoformat()}")
    if rule.modifier_indicator is not None:
        lines.append(f"modifier_indicator = {rule.modifier_indicator}")
    if rule.modifiers:
        lines.append(f"modifiers = {_toml_list(rule.modifiers)}")
    if rule.limit:
        lines.append(f"limit = {_toml_str(rule.limit)}")
    lines += [
        f"reason = {_toml_str(rule.reason)}",
        f"sources = {_toml_list(rule.sources)}",
        f"reviewed = {rule.reviewed.isoformat()}",
    ]
    return "\n".join(lines) + "\n"


def _as_rules(
    items: Iterable[PtpEdit | Rule], setting: str | None, source_id: str | None, reviewed: date | None
) -> list[Rule]:
    items = list(items)
    edits = [item for item in items if isinstance(item, PtpEdit)]
    rules = [item for item in items if isinstance(item, Rule)]
    if len(edits) + len(rules) != len(items):
        raise TypeError("expected PtpEdit or Rule items")
    if edits:
        if setting is None or source_id is None or reviewed is None:
            raise ValueError("writing PtpEdit items needs setting, source_id and reviewed")
        rules += edits_to_rules(edits, setting=setting, source_id=source_id, reviewed=reviewed)[0]
    return rules


def render_rules_toml(
    items: Iterable[PtpEdit | Rule],
    *,
    setting: str | None = None,
    source_id: str | None = None,
    reviewed: date | None = None,
    comment: str = "",
) -> str:
    """The text of a rules file. :class:`Rule` items are written as they are; :class:`PtpEdit` items
    are converted first (needs ``setting``, ``source_id`` and ``reviewed``; never-effective edits
    are left out)."""
    rules = _as_rules(items, setting, source_id, reviewed)
    head = [
        "# NCCI procedure-to-procedure (PTP) edits, imported by faqbot.ncci_import. Do not edit by hand:",
        "# re-run the import with the next quarter's files (this file is replaced, not merged).",
        "# Column 1 = codes_a, column 2 = codes_b; effective_to = the CMS deletion date.",
    ]
    head += [f"# {line}".rstrip() for line in comment.splitlines()]
    return "\n".join(head) + "\n" + "".join("\n" + _rule_toml(rule) for rule in rules)


def render_source_toml(
    *, source_id: str, title: str, url: str = NCCI_PTP_URL, publisher: str = NCCI_PUBLISHER, accessed: date
) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", source_id):
        raise ValueError(f"source id must be lower case letters, digits and hyphens, got {source_id!r}")
    return (
        "# Source of the imported NCCI PTP edits (written by faqbot.ncci_import).\n\n"
        "[[source]]\n"
        f"id = {_toml_str(source_id)}\n"
        f"title = {_toml_str(title)}\n"
        f"publisher = {_toml_str(publisher)}\n"
        f"url = {_toml_str(url)}\n"
        f"accessed = {accessed.isoformat()}\n"
        'tier = "regulator"\n'
    )


def _file_mode(path: Path) -> int:
    """The mode a knowledge file gets: the one it has, else what a new file gets (0644 under umask 022).

    ``mkstemp`` creates its file readable by the owner only; knowledge files are shared text."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _temporary_copy(path: Path, data: bytes) -> str:
    """``data`` in a new temporary file beside ``path`` (synced, with ``path``'s mode); returns its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    _atomic_write_all([(path, text)])


def _atomic_write_all(files: Sequence[tuple[Path, str | bytes]]) -> None:
    """Write every file or none: all texts go to temporary files first, then each is renamed into
    place; if a rename fails, the files already replaced get their old content back (or are removed)."""
    temporaries: list[str] = []
    try:
        for path, text in files:
            temporaries.append(_temporary_copy(path, text.encode("utf-8") if isinstance(text, str) else text))
    except BaseException:
        for tmp in temporaries:
            Path(tmp).unlink(missing_ok=True)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for (path, _), tmp in zip(files, temporaries):
            old = path.read_bytes() if path.is_file() else None
            os.replace(tmp, path)
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _atomic_write_all([(path, old)])
        for tmp in temporaries:
            Path(tmp).unlink(missing_ok=True)
        raise


def write_rules_toml(
    items: Iterable[PtpEdit | Rule],
    out_path: str | os.PathLike[str],
    *,
    setting: str | None = None,
    source_id: str | None = None,
    reviewed: date | None = None,
    comment: str = "",
) -> Path:
    """Atomically write a rules file (see :func:`render_rules_toml`). Returns the path."""
    text = render_rules_toml(items, setting=setting, source_id=source_id, reviewed=reviewed, comment=comment)
    out = Path(out_path)
    _atomic_write(out, text)
    return out


def write_source_toml(
    path: str | os.PathLike[str],
    *,
    source_id: str,
    title: str,
    url: str = NCCI_PTP_URL,
    publisher: str = NCCI_PUBLISHER,
    accessed: date,
) -> Path:
    """Atomically write a ``[[source]]`` file with one record. Returns the path."""
    text = render_source_toml(source_id=source_id, title=title, url=url, publisher=publisher, accessed=accessed)
    out = Path(path)
    _atomic_write(out, text)
    return out


def source_title(quarter: str) -> str:
    return f"Medicare NCCI procedure-to-procedure (PTP) edits, quarterly files {quarter}"


def write_ncci_import(
    imp: NcciImport, kb_dir: str | os.PathLike[str], *, rules_path: str | os.PathLike[str] | None = None
) -> tuple[Path, Path]:
    """Write ``sources/ncci-ptp-<quarter>.toml`` and ``rules/ncci-ptp-<setting>.toml`` under ``kb_dir``.

    Both texts are rendered before either is written; both files are written or neither (each is
    replaced atomically, and a failure on the second puts the first back). Returns (source path, rules path).
    """
    root = Path(kb_dir)
    files = ", ".join(result.source_name for result in imp.results)
    comment = (
        f"Setting: {imp.setting}. Quarter: {imp.quarter}. Files: {files}.\n"
        f"Rows read: {imp.rows_read}; kept (both codes in the code table): {imp.rows_kept}; "
        f"deleted on their effective date (skipped): {imp.never_effective}; duplicates: {imp.duplicates}."
    )
    rules_text = render_rules_toml(imp.rules, comment=comment)
    source_text = render_source_toml(source_id=imp.source_id, title=source_title(imp.quarter), accessed=imp.reviewed)
    source_path, rules_path = output_paths(root, quarter=imp.quarter, setting=imp.setting, rules_path=rules_path)
    _atomic_write_all([(source_path, source_text), (rules_path, rules_text)])
    return source_path, rules_path


def output_paths(
    kb_dir: str | os.PathLike[str], *, quarter: str, setting: str, rules_path: str | os.PathLike[str] | None = None
) -> tuple[Path, Path]:
    """(source record path, rules file path) that :func:`write_ncci_import` writes: known before the
    import runs, so a caller can check that both can be written before any work starts."""
    root = Path(kb_dir)
    rules = Path(rules_path) if rules_path is not None else root / rules_file_name(setting)
    return root / source_file_name(quarter), rules
