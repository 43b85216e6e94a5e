"""Reading claim lines: CSV or TSV with a header row, or plain lines as people paste them.

``read_claim`` turns text into frozen :class:`ClaimLine` records plus :class:`UnreadableLine` records
for what it could not read (with the line number and why), so one bad line never stops the rest.
It never raises on any text. Plain lines look like ``2026-03-02 77412 x1``, ``03/02/2026 77387-26``
or ``ln3 77300 x4 POS 22``; a line with a date, a place of service or a course but no code (``Claim
4471 DOS 03/15/2025 POS 22``) sets them for the lines after it, a date carries on to the next
lines, and ``ln1 ... ln2 ...`` markers split a claim pasted on one line. CSV/TSV data without a
header row is refused line by line (its columns cannot be told apart).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date

from faqbot.codes import KNOWN_MODIFIERS
from faqbot.rules import POS_SETTINGS

# Place of service -> setting is POS_SETTINGS (faqbot.rules): 11 office (physician fee schedule,
# freestanding centre); 19 and 22 hospital outpatient (off- and on-campus). Other places of service
# leave the setting open. The words a setting column may hold:
SETTING_WORDS: dict[str, str] = {
    "practitioner": "practitioner",
    "physician": "practitioner",
    "office": "practitioner",
    "freestanding": "practitioner",
    "pfs": "practitioner",
    "mpfs": "practitioner",
    "hospital": "hospital",
    "outpatient": "hospital",
    "hopd": "hospital",
    "opps": "hospital",
    "facility": "hospital",
    "any": "any",
}
# Header names (lower case, letters and digits only) -> column.
COLUMN_ALIASES: dict[str, str] = {
    "dos": "dos",
    "date": "dos",
    "from": "dos",
    "fromdate": "dos",
    "dateofservice": "dos",
    "servicedate": "dos",
    "code": "code",
    "cpt": "code",
    "hcpcs": "code",
    "cpthcpcs": "code",
    "procedure": "code",
    "procedurecode": "code",
    "proc": "code",
    "modifiers": "modifiers",
    "modifier": "modifiers",
    "mod": "modifiers",
    "mods": "modifiers",
    "units": "units",
    "unit": "units",
    "qty": "units",
    "quantity": "units",
    "pos": "pos",
    "placeofservice": "pos",
    "setting": "setting",
    "patient": "patient",
    "patientid": "patient",
    "course": "course",
    "courseid": "course",
    "line": "label",
    "ln": "label",
}
MAX_UNITS = 9999

_CODE = r"(?:\d{5}|\d{4}[FTUftu]|[A-Za-z]\d{4})"
_CODE_TOKEN = re.compile(rf"(?<![\w/.-])(?P<code>{_CODE})(?P<mods>(?:-[A-Za-z0-9]{{2}})*)(?![\w/.])")
_ISO = re.compile(r"(?<![\w/-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\w/-])")
_US = re.compile(r"(?<![\w/-])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?![\w/-])")
_UNITS = re.compile(
    r"(?:(?<![\w])[x×]\s*(?P<a>\d+)(?!\w)|\b(?:units?|qty)\s*[:=]?\s*(?P<b>\d+)\b|\b(?P<c>\d+)\s*(?:units?|u)\b)",
    re.IGNORECASE,
)
_POS = re.compile(r"\bpos\s*[:#=]?\s*(?P<pos>\d{2})\b", re.IGNORECASE)
_MOD_WORD = re.compile(
    r"\bmod(?:ifiers?|s)?\b\s*[:=]?\s*(?P<mods>[A-Za-z0-9]{2}(?!\w)(?:\s*[,/ ]\s*[A-Za-z0-9]{2}(?!\w))*)", re.I
)
_LOOSE_MOD = re.compile(r"(?<![\w-])-(?P<mod>[A-Za-z0-9]{2})(?![\w])")
_SPACED_MOD = re.compile(r"\s+(?P<mod>[A-Za-z0-9]{2})(?![\w])(?!\s*(?:units?|u)\b)", re.IGNORECASE)
_BARE_MOD = re.compile(r"(?<![\w-])(?P<mod>TC|XE|XS|XP|XU)(?![\w])")
_COURSE = re.compile(r"\b(?:course|patient|pt|mrn|acct|account)\s*[:#=]?\s*(?P<id>[A-Za-z0-9][\w.-]*)", re.IGNORECASE)
_SKIP_AFTER = re.compile(r"\b(?:claim|patient|pt|mrn|acct|account|course|icn|npi|tin|#)\s*[:#=]?\s*$", re.IGNORECASE)
_SETTING = re.compile(r"\bsetting\s*[:=]?\s*(?P<word>[A-Za-z]+)", re.IGNORECASE)
_LABEL = re.compile(r"(?<![\w])(?:ln|line)\s*#?\s*(?P<n>\d{1,4})(?![\w])", re.IGNORECASE)
_CONTEXT_WORDS = re.compile(r"^\s*(?:claim|patient|course|dos|pos|total|charges?|header)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One billed line: a code on a date of service, with its modifiers, units and setting."""

    line: int  # where it is in the input (1-based; for a one-line paste, the ln number)
    dos: date
    code: str  # normalized (upper case); may be a code faqbot does not know
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pos: str = ""  # place of service as written ("22"), or ""
    setting: str = ""  # practitioner | hospital | any, from a setting column or the POS; "" = not stated
    course: str = ""  # patient / course the line belongs to ("" = the only course)
    text: str = ""  # the line as written


@dataclass(frozen=True, slots=True)
class UnreadableLine:
    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClaimInput:
    lines: tuple[ClaimLine, ...]
    unreadable: tuple[UnreadableLine, ...]
    header: tuple[str, ...] = ()  # the columns found, in order, when the input had a header row


class _Unreadable(Exception):
    pass


def parse_date(text: str) -> date | None:
    """A date written YYYY-MM-DD or MM/DD/YYYY; None when it is not one (or not a real day)."""
    text = text.strip()
    match = _ISO.fullmatch(text) or _US.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def setting_of(pos: str, setting_word: str = "") -> str:
    """The setting a line states: a setting word first, else its place of service; "" when neither says."""
    if setting_word:
        return SETTING_WORDS.get(setting_word.strip().lower(), "")
    return POS_SETTINGS.get(pos.strip(), "")


def split_modifiers(text: str) -> tuple[str, ...]:
    """Modifiers separated by spaces, commas or hyphens (``"26, 59"``, ``"26-59"``); raises on a bad one."""
    mods = tuple(part.upper() for part in re.split(r"[\s,;/\-]+", text.strip()) if part)
    for mod in mods:
        if not re.fullmatch(r"[A-Z0-9]{2}", mod):
            raise _Unreadable(f"not a modifier: {mod!r} (modifiers are two letters or digits, such as 26, TC, 59)")
    return mods


def _units(text: str) -> int:
    text = text.strip()
    if not text:
        return 1
    if not text.isdigit():
        raise _Unreadable(f"units must be a whole number, got {text!r}")
    value = int(text)
    if not 1 <= value <= MAX_UNITS:
        raise _Unreadable(f"units must be from 1 to {MAX_UNITS}, got {value}")
    return value


def _code_and_mods(cell: str) -> tuple[str, tuple[str, ...]]:
    match = _CODE_TOKEN.fullmatch(cell.strip())
    if match is None:
        raise _Unreadable(f"not a procedure code: {cell.strip()!r}")
    return match["code"].upper(), split_modifiers(match["mods"])


def _header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = COLUMN_ALIASES.get(re.sub(r"[^a-z0-9]", "", cell.lower()))
        if key is not None and key not in columns:
            columns[key] = index
    return columns if "code" in columns else None


def _delimiter(line: str) -> str | None:
    if "\t" in line:
        return "\t"
    if "," in line:
        return ","
    if ";" in line:
        return ";"
    return None


def read_claim(text: str, *, default_dos: date | None = None) -> ClaimInput:
    """Claim lines from CSV/TSV (header row) or plain pasted lines. Never raises."""
    text = text.lstrip("\ufeff")
    physical = text.splitlines()
    first = next((i for i, line in enumerate(physical) if line.strip() and not line.lstrip().startswith("#")), None)
    if first is not None:
        delimiter = _delimiter(physical[first])
        if delimiter is not None:
            cells = next(csv.reader([physical[first]], delimiter=delimiter))
            columns = _header(cells)
            if columns is not None:
                return _read_table(physical, first, delimiter, columns)
            if len(cells) >= 3 and (parse_date(cells[0]) or _CODE_TOKEN.fullmatch(cells[0].strip())):
                # Data without a header row: its units, modifiers and POS columns cannot be told apart.
                reason = "a CSV/TSV file needs a header row naming its columns (dos, code, modifiers, units, pos)"
                return ClaimInput(
                    (),
                    tuple(UnreadableLine(i, line, reason) for i, line in enumerate(physical, start=1) if line.strip()),
                )
    return _read_plain(physical, default_dos)


def _cell_reader(cells: list[str], columns: dict[str, int]):
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    return cell


def _read_table(physical: list[str], first: int, delimiter: str, columns: dict[str, int]) -> ClaimInput:
    lines: list[ClaimLine] = []
    unreadable: list[UnreadableLine] = []
    for number, raw in enumerate(physical[first + 1 :], start=first + 2):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([raw], delimiter=delimiter), [])
        cell = _cell_reader(cells, columns)

        try:
            code, attached = _code_and_mods(cell("code"))
            dos_text = cell("dos")
            if not dos_text:
                raise _Unreadable("no date of service")
            dos = parse_date(dos_text)
            if dos is None:
                raise _Unreadable(f"not a date of service (YYYY-MM-DD or MM/DD/YYYY): {dos_text!r}")
            modifiers = tuple(dict.fromkeys((*attached, *split_modifiers(cell("modifiers")))))
            pos = cell("pos")
            if pos and not re.fullmatch(r"\d{2}", pos):
                raise _Unreadable(f"place of service must be two digits, got {pos!r}")
            word = cell("setting")
            if word and word.lower() not in SETTING_WORDS:
                raise _Unreadable(f"setting must be practitioner or hospital, got {word!r}")
            course = " / ".join(part for part in (cell("patient"), cell("course")) if part)
            lines.append(
                ClaimLine(
                    line=number,
                    dos=dos,
                    code=code,
                    modifiers=modifiers,
                    units=_units(cell("units")),
                    pos=pos,
                    setting=setting_of(pos, word),
                    course=course,
                    text=raw,
                )
            )
        except _Unreadable as exc:
            unreadable.append(UnreadableLine(number, raw, str(exc)))
    header = tuple(name for name, _ in sorted(columns.items(), key=lambda item: item[1]))
    return ClaimInput(tuple(lines), tuple(unreadable), header)


def _segments(physical: list[str]) -> list[tuple[int, str]]:
    """(line number, text) pieces: one per physical line, or one per ln marker for a one-line paste."""
    numbered = [(i, line) for i, line in enumerate(physical, start=1) if line.strip()]
    if len(numbered) == 1:
        _, only = numbered[0]
        labels = list(_LABEL.finditer(only))
        if len(labels) >= 2:
            pieces: list[tuple[int, str]] = []
            if only[: labels[0].start()].strip():
                pieces.append((0, only[: labels[0].start()]))
            for i, match in enumerate(labels):
                end = labels[i + 1].start() if i + 1 < len(labels) else len(only)
                pieces.append((int(match["n"]), only[match.start() : end]))
            return pieces
    return numbered


def _read_plain(physical: list[str], default_dos: date | None) -> ClaimInput:
    lines: list[ClaimLine] = []
    unreadable: list[UnreadableLine] = []
    context_dos, context_pos, context_course = default_dos, "", ""
    for number, raw in _segments(physical):
        if raw.lstrip().startswith("#"):
            continue
        try:
            parsed = _plain_line(raw)
        except _Unreadable as exc:
            unreadable.append(UnreadableLine(number, raw.strip(), str(exc)))
            continue
        code, modifiers, units, dos, pos, course, word = parsed
        if code is None:
            if dos or pos or course or _CONTEXT_WORDS.match(raw):
                context_dos = dos or context_dos
                context_pos = pos or context_pos
                context_course = course or context_course
            else:
                unreadable.append(UnreadableLine(number, raw.strip(), "no procedure code on this line"))
            continue
        dos = context_dos = dos or context_dos  # a date carries on to the lines after it
        if dos is None:
            unreadable.append(
                UnreadableLine(number, raw.strip(), "no date of service (YYYY-MM-DD or MM/DD/YYYY) on or before it")
            )
            continue
        pos = pos or context_pos
        lines.append(
            ClaimLine(
                line=number,
                dos=dos,
                code=code,
                modifiers=modifiers,
                units=units,
                pos=pos,
                setting=setting_of(pos, word),
                course=course or context_course,
                text=raw.strip(),
            )
        )
    return ClaimInput(tuple(lines), tuple(unreadable))


def _plain_line(
    raw: str,
) -> tuple[str | None, tuple[str, ...], int, date | None, str, str, str]:
    """Code, modifiers, units, date, POS, course and setting word of one pasted line; raises _Unreadable."""
    text = _LABEL.sub(" ", raw)
    dates = [m for pattern in (_ISO, _US) for m in pattern.finditer(text)]
    dos: date | None = None
    if dates:
        found = {parse_date(m.group(0)) for m in dates}
        if None in found:
            bad = next(m.group(0) for m in dates if parse_date(m.group(0)) is None)
            raise _Unreadable(f"not a real date: {bad!r}")
        if len(found) > 1:
            raise _Unreadable("more than one date of service on this line")
        dos = found.pop()
        for m in sorted(dates, key=lambda m: m.start(), reverse=True):
            text = text[: m.start()] + " " + text[m.end() :]
    pos_match = _POS.search(text)
    pos = pos_match["pos"] if pos_match else ""
    if pos_match:
        text = text[: pos_match.start()] + " " + text[pos_match.end() :]
    course_match = _COURSE.search(text)
    course = ""
    if course_match and not re.fullmatch(_CODE, course_match["id"]):
        course = course_match["id"]
    setting_match = _SETTING.search(text)
    word = ""
    if setting_match:
        word = setting_match["word"]
        if word.lower() not in SETTING_WORDS:
            raise _Unreadable(f"setting must be practitioner or hospital, got {word!r}")
        text = text[: setting_match.start()] + " " + text[setting_match.end() :]
    codes = [m for m in _CODE_TOKEN.finditer(text) if not _SKIP_AFTER.search(text[: m.start()])]
    if len(codes) > 1:
        raise _Unreadable(
            f"more than one code on this line ({', '.join(m['code'].upper() for m in codes)}): one code per line"
        )
    if not codes:
        return None, (), 1, dos, pos, course, word
    match = codes[0]
    code = match["code"].upper()
    modifiers = list(split_modifiers(match["mods"]))
    after = text[match.end() :]
    while (spaced := _SPACED_MOD.match(after)) and spaced["mod"].upper() in KNOWN_MODIFIERS:
        modifiers.append(spaced["mod"].upper())  # "77387 26": a known modifier after a space
        after = after[spaced.end() :]
    rest = text[: match.start()] + " " + after
    for mod_match in _MOD_WORD.finditer(rest):
        modifiers.extend(split_modifiers(mod_match["mods"]))
    rest = _MOD_WORD.sub(" ", rest)
    modifiers.extend(m["mod"].upper() for m in _LOOSE_MOD.finditer(rest))
    modifiers.extend(m["mod"].upper() for m in _BARE_MOD.finditer(rest))
    unit_matches = list(_UNITS.finditer(rest))
    units = 1
    if len(unit_matches) > 1:
        raise _Unreadable("more than one unit count on this line")
    if unit_matches:
        m = unit_matches[0]
        units = _units(m["a"] or m["b"] or m["c"])
    return code, tuple(dict.fromkeys(modifiers)), units, dos, pos, course, word


def looks_like_claim(text: str) -> bool:
    """Whether pasted text reads as claim lines (two or more lines with a code and a date) rather than a question."""
    if len(text) > 200_000:
        return False
    claim = read_claim(text)
    return len(claim.lines) >= 2 and len(claim.lines) >= len(claim.unreadable)
