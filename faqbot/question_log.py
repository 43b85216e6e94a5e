"""The help desk's question log: JSON Lines in the user's data folder, readable by the user only.

A line is written for a question faqbot refused or answered with low confidence, and for feedback
on an answer ("right", "wrong", "should have been entry X"); ``faqbot curate`` reads it back.
Questions that look like they carry patient data (a name next to a date of birth, a member id, a
medical record number) are masked before they are written: the log never holds them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from faqbot.engine import Answer

LOG_NAME = "questions.jsonl"
LOG_MODE = 0o600  # the log may hold what people typed: readable by the user only
DIR_MODE = 0o700
# Turning the log off: FAQBOT_NO_LOG=1 (the chat app's --no-log does the same for one session).
NO_LOG_ENV = "FAQBOT_NO_LOG"

Feedback = Literal["right", "wrong"]

# -- masking -----------------------------------------------------------------------------------

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}"  # 01/02/1960, 1960-01-02, 1.2.60
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}"  # Jan 2, 1960
    rf"|\d{{1,2}}\s+{_MONTHS},?\s+\d{{2,4}}"  # 2 Jan 1960
    r"|\d{8})"  # 19600102
)
_DOB_WORD = r"(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"
_DOB = re.compile(rf"(?<!\w)({_DOB_WORD})(\s*[:#\-–]?\s*)({_DATE})(?!\w)", re.IGNORECASE)
# Up to three capitalised words (or "Last, First") right before a date-of-birth phrase, or after
# "patient"/"pt"/"name" when the question also gives a date of birth.
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_NAME = rf"(?-i:{_NAME_WORD}(?:,?\s+{_NAME_WORD}){{0,2}})"
_NAME_BEFORE_DOB = re.compile(
    rf"(?<![\w\[])({_NAME})(\s*[,(\-–:]?\s*\(?\s*)(?=(?i:{_DOB_WORD})\s*[:#\-–]?\s*(?i:{_DATE}|\[DOB\]))"
)
_NAME_AFTER_LABEL = re.compile(
    rf"(?<!\w)((?:patient|pt\.?|name|member)(?:\s+name)?\s*[:#\-–]?\s*)({_NAME})", re.IGNORECASE
)
# Words next to a date of birth that are not part of a name ("Patient DOB ...", "for John Smith DOB ...").
NOT_NAMES = frozenset(
    "patient pt the a an our my his her their this that with and for dob date born birth name member "
    "medicare medicaid cpt hcpcs mrn id can is are was we i for to on of about from by at in".split()
)
_MEMBER_ID = re.compile(
    r"(?<!\w)((?:member|subscriber|policy|insurance|medicare|medicaid|patient|beneficiary)\s*"
    r"(?:id|i\.d\.|#|no\.?|number)\s*[:#]?\s*|(?:mbi|hicn)\s*[:#]?\s*)"
    r"([A-Za-z0-9][A-Za-z0-9\-]{4,})(?!\w)",
    re.IGNORECASE,
)
_MRN = re.compile(
    r"(?<!\w)((?:mrn|medical\s+record\s*(?:number|no\.?|#)?|chart\s*(?:number|no\.?|#))\s*[:#]?\s*)"
    r"([A-Za-z0-9][A-Za-z0-9\-]{3,})(?!\w)",
    re.IGNORECASE,
)
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")


def _mask_name(match: re.Match[str], group: int) -> str:
    """The match with its name group masked, leading words that are not names ("For", "Patient") kept."""
    name = match.group(group)
    words = name.split()
    while words and words[0].strip(",").lower() in NOT_NAMES:
        words.pop(0)
    if not words:
        return match.group(0)
    kept = name[: len(name) - len(" ".join(words))]
    start = match.start(group) - match.start(0)
    whole = match.group(0)
    return whole[:start] + kept + "[name]" + whole[start + len(name) :]


def mask_patient_data(text: str) -> str:
    """``text`` with what looks like patient data replaced by placeholders: dates of birth ``[DOB]``,
    a name next to a date of birth ``[name]``, member ids ``[member id]``, record numbers ``[MRN]``,
    social security numbers ``[SSN]``. Codes, dates of service and everything else are kept."""
    has_dob = bool(_DOB.search(text))
    masked = _NAME_BEFORE_DOB.sub(lambda m: _mask_name(m, 1), text)
    masked = _DOB.sub(lambda m: m.group(1) + m.group(2) + "[DOB]", masked)
    if has_dob:
        masked = _NAME_AFTER_LABEL.sub(lambda m: _mask_name(m, 2), masked)
    masked = _MEMBER_ID.sub(
        lambda m: m.group(1) + "[member id]" if re.search(r"\d", m.group(2)) else m.group(0), masked
    )
    masked = _MRN.sub(lambda m: m.group(1) + "[MRN]" if re.search(r"\d", m.group(2)) else m.group(0), masked)
    return _SSN.sub("[SSN]", masked)


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line of the log: a question as faqbot answered it, and any feedback on that answer."""

    question: str  # masked
    asked_at: str  # ISO date and time, to the second: with the question, names one answer
    status: str  # answered | no_match
    kind: str  # faq, code_card, rule_check, none ... (Answer.kind)
    entry_id: str | None
    confidence: float
    suggestions: tuple[str, ...] = ()  # the entries faqbot offered besides its answer
    feedback: Feedback | None = None
    comment: str = ""
    correct_entry: str | None = None  # "this should have been entry X"
    masked: bool = False  # the question was masked before it was written
    origin: str = "chat"  # chat | ask

    @property
    def key(self) -> tuple[str, str]:
        """Which answer the record is about (a feedback line repeats its answer's key)."""
        return (self.asked_at, self.question)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        data["confidence"] = round(self.confidence, 3)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogRecord:
        feedback = data.get("feedback")
        return cls(
            question=str(data["question"]),
            asked_at=str(data["asked_at"]),
            status=str(data["status"]),
            kind=str(data.get("kind", "")),
            entry_id=data.get("entry_id") if isinstance(data.get("entry_id"), str) else None,
            confidence=float(data.get("confidence", 0.0)),
            suggestions=tuple(str(s) for s in data.get("suggestions", ()) if isinstance(s, str)),
            feedback=feedback if feedback in ("right", "wrong") else None,
            comment=str(data.get("comment", "") or ""),
            correct_entry=data.get("correct_entry") if isinstance(data.get("correct_entry"), str) else None,
            masked=bool(data.get("masked", False)),
            origin=str(data.get("origin", "chat")),
        )


def record_for(answer: Answer, *, asked_at: datetime, origin: str = "chat") -> LogRecord:
    """The log record of an answer, its question masked."""
    masked = mask_patient_data(answer.question)
    return LogRecord(
        question=masked,
        asked_at=asked_at.replace(microsecond=0).isoformat(),
        status=answer.status,
        kind=answer.kind,
        entry_id=answer.entry_id,
        confidence=answer.confidence,
        suggestions=tuple(s.entry_id for s in answer.suggestions),
        masked=masked != answer.question,
        origin=origin,
    )


def with_feedback(
    record: LogRecord, feedback: Feedback | None, *, comment: str = "", correct_entry: str | None = None
) -> LogRecord:
    """The same answer with feedback (a wrong answer may name the entry that should have answered).
    The comment is masked like the question and kept to one line."""
    one_line = " ".join(mask_patient_data(comment).split())[:300]
    return replace(record, feedback=feedback, comment=one_line, correct_entry=correct_entry)


def worth_logging(answer: Answer) -> bool:
    """Refusals and low-confidence answers are logged without being asked to (feedback always is)."""
    return answer.status == "no_match" or answer.confidence_level == "low"


# -- the file ----------------------------------------------------------------------------------


def default_log_path() -> Path:
    """``$XDG_DATA_HOME/faqbot/questions.jsonl``, else ``~/.local/share/faqbot/questions.jsonl``."""
    data_home = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else Path.home() / ".local" / "share"
    return base / "faqbot" / LOG_NAME


def logging_disabled() -> bool:
    return os.environ.get(NO_LOG_ENV, "").strip() not in ("", "0")


@dataclass(frozen=True, slots=True)
class QuestionLog:
    """The log file. ``append`` creates it (and its folder) for the owner only."""

    path: Path

    def append(self, records: Iterable[LogRecord]) -> None:
        lines = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
        if not lines:
            return
        self.path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_MODE)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), LOG_MODE)
            handle.write(lines)

    def read(self) -> tuple[list[LogRecord], int]:
        """Every readable record, oldest first, and how many lines could not be read (skipped)."""
        if not self.path.exists():
            return [], 0
        records: list[LogRecord] = []
        bad = 0
        for line in _lines(self.path):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                records.append(LogRecord.from_dict(data))
            except (ValueError, KeyError, TypeError, AttributeError):
                bad += 1
        return records, bad


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from handle


def latest_records(records: Iterable[LogRecord]) -> list[LogRecord]:
    """One record per answer: the latest line about it (its feedback, if any), in first-asked order."""
    latest: dict[tuple[str, str], LogRecord] = {}
    for record in records:
        latest[record.key] = record
    return list(latest.values())
