"""Reading claim lines: CSV/TSV with a header, pasted lines, unreadable lines; hypothesis property tests."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.claim_lines import looks_like_claim, parse_date, read_claim

TRIAL_PASTE = (
    "Claim 4471 DOS 03/15/2025 POS 22 ln1 77263 ln2 77301 ln3 77300 x4 POS 22 ln4 77338 ln5 77385 x28 "
    "ln6 77427 x6 ln7 77014-TC x28 ln8 77336 x6 -59 ln9 77387-26 x28"
)


def test_the_trial_paste_on_one_line_reads_as_nine_lines_with_dos_pos_units_and_modifiers():
    claim = read_claim(TRIAL_PASTE)
    assert [line.line for line in claim.lines] == list(range(1, 10))
    assert not claim.unreadable
    assert {line.dos for line in claim.lines} == {date(2025, 3, 15)}
    assert {line.setting for line in claim.lines} == {"hospital"}  # POS 22 is hospital outpatient
    by_code = {line.code: line for line in claim.lines}
    assert by_code["77014"].modifiers == ("TC",) and by_code["77014"].units == 28
    assert by_code["77336"].modifiers == ("59",) and by_code["77336"].units == 6
    assert by_code["77387"].modifiers == ("26",)
    assert by_code["77300"].units == 4


def test_plain_lines_as_people_paste_them():
    claim = read_claim("2026-03-02 77412 x1\n03/02/2026 77387-26\nln3 77300 x4 POS 22\n")
    first, second, third = claim.lines
    assert (first.dos, first.code, first.units, first.modifiers) == (date(2026, 3, 2), "77412", 1, ())
    assert (second.code, second.modifiers) == ("77387", ("26",))
    assert (third.line, third.code, third.units, third.pos, third.setting) == (3, "77300", 4, "22", "hospital")
    assert third.dos == date(2026, 3, 2)  # the date of the line before


def test_csv_and_tsv_headers_are_matched_by_name_and_alias_in_any_case():
    csv_text = "Date,HCPCS,Modifier,Qty,POS,Patient\n2026-03-02,77387,26-59,1,11,A\n03/03/2026,g6015,,2,22,B\n"
    tsv_text = csv_text.replace(",", "\t").replace("26-59", "26 59")
    for text in (csv_text, tsv_text):
        claim = read_claim(text)
        assert claim.header == ("dos", "code", "modifiers", "units", "pos", "patient")
        one, two = claim.lines
        assert (one.line, one.modifiers, one.setting, one.course) == (2, ("26", "59"), "practitioner", "A")
        assert (two.code, two.units, two.setting, two.dos) == ("G6015", 2, "hospital", date(2026, 3, 3))


def test_a_bad_line_is_reported_with_its_number_and_the_rest_is_read():
    text = "dos,code,units\n2026-03-02,77412,1\n2026-02-30,77412,1\nnot a date,77407,1\n2026-03-03,7741,1\n2026-03-04,77407,zero\n2026-03-05,77407,1\n"
    claim = read_claim(text)
    assert [line.line for line in claim.lines] == [2, 7]
    reasons = {bad.line: bad.reason for bad in claim.unreadable}
    assert set(reasons) == {3, 4, 5, 6}
    assert "not a date" in reasons[3] and "not a procedure code" in reasons[5] and "units" in reasons[6]


def test_table_data_without_a_header_row_is_refused_not_guessed():
    claim = read_claim("2026-03-02,77407,,28,22\n2026-03-03,77407,,1,22\n")
    assert not claim.lines and [bad.line for bad in claim.unreadable] == [1, 2]
    assert "header row" in claim.unreadable[0].reason


def test_plain_lines_without_a_date_or_with_two_codes_are_unreadable():
    claim = read_claim("77412 x1\n2026-03-02 77412 77387\nhello there\n")
    assert not claim.lines
    assert [bad.line for bad in claim.unreadable] == [1, 2, 3]
    assert "no date of service" in claim.unreadable[0].reason
    assert "one code per line" in claim.unreadable[1].reason


def test_a_question_is_not_a_claim_and_several_lines_are():
    assert not looks_like_claim("can 77301 and 77014 be billed together on 2025-03-15?")
    assert not looks_like_claim("what is 77427")
    assert looks_like_claim(TRIAL_PASTE)
    assert looks_like_claim("2026-03-02 77412\n2026-03-02 77387-26\n")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_read_claim_never_raises_on_any_text(text):
    claim = read_claim(text)
    assert all(line.units >= 1 for line in claim.lines)
    numbers = [line.line for line in claim.lines] + [bad.line for bad in claim.unreadable]
    assert all(n >= 0 for n in numbers)


lines = st.tuples(
    st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["77412", "77387", "77300", "G6015", "0394T", "77427"]),
    st.lists(st.sampled_from(["26", "TC", "59", "XS", "XU", "25"]), max_size=2, unique=True),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(["", "11", "19", "22", "21"]),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, min_size=1, max_size=8), st.sampled_from([",", "\t"]))
def test_written_table_lines_read_back(rows, delimiter):
    header = delimiter.join(["DOS", "CPT", "Mod", "Units", "POS"])
    body = [
        delimiter.join(
            [
                day.isoformat() if iso else f"{day.month:02d}/{day.day:02d}/{day.year}",
                code,
                " ".join(mods),
                str(units),
                pos,
            ]
        )
        for day, code, mods, units, pos, iso in rows
    ]
    claim = read_claim("\n".join([header, *body]))
    assert not claim.unreadable
    got = [(line.dos, line.code, line.modifiers, line.units, line.pos) for line in claim.lines]
    assert got == [(day, code, tuple(mods), units, pos) for day, code, mods, units, pos, _ in rows]


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, min_size=1, max_size=8))
def test_written_plain_lines_read_back(rows):
    text = "\n".join(
        f"{day.isoformat() if iso else f'{day.month:02d}/{day.day:02d}/{day.year}'} {code}"
        + "".join(f"-{mod}" for mod in mods)
        + f" x{units}"
        + (f" POS {pos}" if pos else "")
        for day, code, mods, units, pos, iso in rows
    )
    claim = read_claim(text)
    assert not claim.unreadable
    got = [(line.dos, line.code, line.modifiers, line.units, line.pos) for line in claim.lines]
    assert got == [(day, code, tuple(mods), units, pos) for day, code, mods, units, pos, _ in rows]


def test_parse_date_takes_both_forms_and_refuses_impossible_days():
    assert parse_date("2026-03-02") == parse_date("03/02/2026") == date(2026, 3, 2)
    assert parse_date("2026-02-30") is None and parse_date("13/01/2026") is None and parse_date("2026") is None
