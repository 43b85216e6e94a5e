"""The question log (faqbot.question_log): masking of patient data (property tests), the file."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.question_log import (
    NOT_NAMES,
    QuestionLog,
    default_log_path,
    latest_records,
    mask_patient_data,
    record_for,
    with_feedback,
    worth_logging,
)

NAMES = st.lists(
    st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True).filter(lambda w: w.lower() not in NOT_NAMES | {"dob", "born"}),
    min_size=1,
    max_size=3,
)
DATES = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
DATE_STYLES = st.sampled_from(["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%y", "%b %d, %Y", "%d %B %Y", "%m.%d.%Y"])
DOB_WORDS = st.sampled_from(["DOB", "dob", "D.O.B.", "DOB:", "date of birth", "born", "born on", "birthdate"])
SEPARATORS = st.sampled_from([" ", ", ", " (", " - "])
CODES = st.sampled_from(["77014", "77427", "G6012", "0394T", "77261-77263", "77014-26", "77300"])
TEMPLATES = st.sampled_from(
    [
        "Can we bill {code} for {patient}?",
        "{patient} had {code} twice this week, is that ok",
        "denied {code} for pt {patient}, why",
        "{patient}: is {code} allowed with 77300",
    ]
)


@settings(max_examples=100, deadline=None)
@given(names=NAMES, born=DATES, style=DATE_STYLES, word=DOB_WORDS, sep=SEPARATORS, code=CODES, template=TEMPLATES)
def test_a_name_next_to_a_date_of_birth_never_reaches_the_log(names, born, style, word, sep, code, template) -> None:
    name = " ".join(names)
    typed_date = born.strftime(style)
    question = template.format(code=code, patient=f"{name}{sep}{word} {typed_date}")
    masked = mask_patient_data(question)
    assert "[DOB]" in masked and "[name]" in masked
    assert typed_date not in masked
    assert all(part not in masked for part in names)
    assert code in masked  # the codes asked about are kept


@settings(max_examples=100, deadline=None)
@given(
    label=st.sampled_from(
        [
            "member id",
            "Member ID:",
            "subscriber #",
            "policy number",
            "MBI",
            "Medicare ID",
            "MRN",
            "MRN:",
            "medical record number",
        ]
    ),
    value=st.from_regex(r"[A-Z0-9]{0,3}[0-9]{3,9}[A-Z0-9]{0,3}", fullmatch=True).filter(lambda v: len(v) >= 6),
    code=CODES,
)
def test_member_ids_and_record_numbers_are_masked(label, value, code) -> None:
    masked = mask_patient_data(f"claim for {label} {value} denied {code}, why?")
    assert value not in masked and ("[member id]" in masked or "[MRN]" in masked)
    assert code in masked


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120))
def test_masking_is_idempotent_and_never_fails(text) -> None:
    once = mask_patient_data(text)
    assert mask_patient_data(once) == once


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from("can we bill the with and for weekly plan physics Medicare hospital on".split()), max_size=12
    ),
    code=CODES,
    dos=DATES,
)
def test_billing_questions_without_patient_data_are_kept_as_typed(words, code, dos) -> None:
    question = f"{' '.join(words)} {code} on {dos.isoformat()} dos {dos.strftime('%m/%d/%Y')}?"
    assert mask_patient_data(question) == question  # dates of service are not dates of birth


def test_real_looking_questions(tmp_path) -> None:
    cases = {
        "Can I bill 77014 for John Smith DOB 01/02/1960?": "Can I bill 77014 for [name] DOB [DOB]?",
        "Smith, John (DOB 1960-01-02) needs 77301": "[name] (DOB [DOB]) needs 77301",
        "patient name: Jane Doe, born on Jan 2, 1960, 77370?": "patient name: [name], born on [DOB], 77370?",
        "member id W123456789 denied 77386": "member id [member id] denied 77386",
        "SSN 123-45-6789 and 77261-77263": "SSN [SSN] and 77261-77263",
        "medicare 77014 alone on 2025-05-01?": "medicare 77014 alone on 2025-05-01?",
    }
    for question, expected in cases.items():
        assert mask_patient_data(question) == expected


def test_the_log_is_json_lines_readable_by_the_user_only(engine, tmp_path) -> None:
    log = QuestionLog(tmp_path / "faqbot" / "questions.jsonl")
    answer = engine.answer("Can we bill 77014 for John Smith DOB 01/02/1960 with the weather?", as_of=date(2026, 12, 3))
    record = record_for(answer, asked_at=datetime(2026, 12, 3, 9, 30, 15, 999))
    log.append([record, with_feedback(record, "wrong", comment="pt Jane Roe DOB 2/3/1950 again\nsecond line")])
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["asked_at"] == "2026-12-03T09:30:15" for line in lines)
    assert "John" not in log.path.read_text() and "Jane" not in log.path.read_text()
    log.path.write_text(log.path.read_text() + "not json\n{}\n", encoding="utf-8")
    records, bad = log.read()
    assert bad == 2 and records[0].masked and records[1].comment == "pt [name] DOB [DOB] again second line"
    (latest,) = latest_records(records)
    assert latest.feedback == "wrong"


def test_what_is_logged_without_being_asked(engine) -> None:
    as_of = date(2026, 12, 3)
    assert worth_logging(engine.answer("what is the weather in Boston", as_of=as_of))
    assert not worth_logging(engine.answer("Can 77014 be billed alone?", as_of=as_of))


def test_the_log_lives_in_the_user_data_folder(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_log_path() == tmp_path / "faqbot" / "questions.jsonl"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # not absolute: ignored, as the XDG spec says
    assert default_log_path().parts[-3:] == ("share", "faqbot", "questions.jsonl")
