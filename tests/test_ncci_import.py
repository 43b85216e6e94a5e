"""Tests for the NCCI PTP edit importer (faqbot.ncci_import)."""

from __future__ import annotations

import contextlib
import shutil
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqbot.knowledge import load_knowledge
from faqbot.ncci_import import (
    NCCI_PTP_URL,
    ImportResult,
    NcciFormatError,
    PtpEdit,
    find_conflicts,
    import_ncci,
    parse_ptp_line,
    quarter_from_name,
    read_ptp_file,
    render_rules_toml,
    rules_file_name,
    source_file_name,
    write_ncci_import,
    write_rules_toml,
    write_source_toml,
)
from faqbot.rules import RuleChecker

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_ncci_import")

DATA = Path(__file__).parent / "data" / "ncci"
TAB_FILE = DATA / "ccipra-v321r0-f1.txt"
CSV_FILE = DATA / "ptp-hospital-2026Q1.csv"
BAD_FILE = DATA / "ccipra-v321r0-bad-indicator.txt"
REVIEWED = date(2026, 11, 26)


@pytest.fixture(scope="module")
def known(kb):
    return frozenset(kb.codes)


@pytest.fixture
def kb_copy(tmp_path: Path, kb_dir: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(kb_dir, root)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _pairs(result: ImportResult) -> list[tuple[str, str]]:
    return [(e.column1, e.column2) for e in result.edits]


# ---------------------------------------------------------------------------------------------
# Reading


def test_tab_file_with_title_lines(known):
    result = read_ptp_file(TAB_FILE, known_codes=known)
    assert result.source_name == TAB_FILE.name
    assert result.delimiter == "\t"
    assert result.rows_read == 9
    assert result.lines_skipped == 5  # 4 title/header lines + the trailing blank line
    assert _pairs(result) == [
        ("77338", "77334"),
        ("77290", "77334"),
        ("77300", "77336"),
        ("77280", "77334"),
        ("77338", "77332"),
        ("0073T", "77334"),
    ]
    assert result.rows_kept == len(result.edits) == 6
    first = result.edits[0]
    assert first == PtpEdit(
        "77338", "77334", date(2020, 1, 1), None, 0, "Misuse of column two code with column one code", 5, False
    )
    deleted = result.edits[1]
    assert deleted.deleted == date(2025, 1, 1) and deleted.modifier_indicator == 1 and deleted.line == 6
    prior = result.edits[2]
    assert prior.prior_1996 and prior.modifier_indicator == 9
    assert result.edits[3].never_effective and not deleted.never_effective


def test_codes_outside_the_known_set_are_kept_with_keep_all(known):
    result = read_ptp_file(TAB_FILE, known_codes=known, keep_all=True)
    assert result.rows_read == result.rows_kept == 9
    assert ("27447", "77338") in _pairs(result)
    assert ("77338", "36591") in _pairs(result)
    assert ("J1100", "G0463") in _pairs(result)


def test_csv_file_quoted_with_header_row(known):
    result = read_ptp_file(CSV_FILE, known_codes=known)
    assert result.delimiter == ","
    assert result.rows_read == 5
    assert result.lines_skipped == 1
    assert _pairs(result) == [("77338", "77334"), ("77290", "77332"), ("77300", "77336"), ("77280", "77334")]
    assert result.edits[0].modifier_indicator == 1 and result.edits[0].line == 2
    assert result.edits[1].rationale == "Standards of medical, surgical practice"
    # unquoted commas after the sixth separator stay in the rationale
    assert result.edits[2].rationale == "CPT Manual or CMS manual coding instructions, see chapter"
    assert result.edits[2].deleted == date(2024, 1, 1)


def test_zip_holding_one_text_file(tmp_path, known):
    archive = tmp_path / "ccipra-v321r0-f1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(TAB_FILE, TAB_FILE.name)
    result = read_ptp_file(archive, known_codes=known)
    assert result.rows_read == 9 and result.rows_kept == 6
    assert result.source_name.endswith("ccipra-v321r0-f1.txt")


def test_malformed_line_names_file_and_line(known):
    with pytest.raises(NcciFormatError) as info:
        read_ptp_file(BAD_FILE, known_codes=known)
    assert str(info.value) == f"{BAD_FILE.name}: line 7: modifier indicator must be 0, 1 or 9, got '7'"
    assert info.value.line == 7 and info.value.file == BAD_FILE.name


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("77338\t77334\t\t20200101\t*", "expected 7 tab-separated columns (6 without a rationale), got 5"),
        ("77338\t7733\t\t20200101\t*\t0\tx", "column 2 is not a CPT/HCPCS code"),
        ("77338\t77334\t\t20201301\t*\t0\tx", "effective date is not a real date, got '20201301'"),
        ("77338\t77334\t\t2020011\t*\t0\tx", "effective date must be a date YYYYMMDD, got '2020011'"),
        ("77338\t77334\t\t20200101\tnever\t0\tx", "deletion date must be a date YYYYMMDD"),
        ("77338\t77334\t\t20200101\t20190101\t0\tx", "deletion date 2019-01-01 is before the effective date"),
        ("77338\t77334\tX\t20200101\t*\t0\tx", "'in existence prior to 1996' must be '*' or blank"),
        ("77338\t77338\t\t20200101\t*\t0\tx", "column 1 and column 2 are the same code"),
        ("77338\t77334\t\t20200101\t*\t\tx", "modifier indicator must be 0, 1 or 9, got ''"),
    ],
)
def test_malformed_data_line_after_data_started(tmp_path, known, line, message):
    path = tmp_path / "ptp.txt"
    path.write_text("Title line\n77338\t77290\t\t20200101\t*\t1\tok\n" + line + "\n", encoding="utf-8")
    with pytest.raises(NcciFormatError) as info:
        read_ptp_file(path, known_codes=known)
    assert str(info.value).startswith("ptp.txt: line 3: ")
    assert message in str(info.value)


def test_header_line_after_data_is_an_error(tmp_path, known):
    path = tmp_path / "ptp.txt"
    path.write_text("77338\t77290\t\t20200101\t*\t1\tok\nColumn 1\tColumn 2\n", encoding="utf-8")
    with pytest.raises(NcciFormatError, match=r"ptp.txt: line 2: expected 7 tab-separated columns"):
        read_ptp_file(path, known_codes=known)


def test_file_without_data_rows(tmp_path, known):
    path = tmp_path / "empty.txt"
    path.write_text("CPT only copyright 2025 American Medical Association.\nColumn 1\tColumn 2\n", encoding="utf-8")
    with pytest.raises(NcciFormatError, match=r"^empty.txt: no data rows found"):
        read_ptp_file(path, known_codes=known)


def test_missing_file(tmp_path, known):
    with pytest.raises(NcciFormatError, match=r"^nope.txt: cannot read"):
        read_ptp_file(tmp_path / "nope.txt", known_codes=known)


def test_six_column_file_crlf_bom_and_trailing_tabs(tmp_path, known):
    path = tmp_path / "old.txt"
    path.write_bytes(b"\xef\xbb\xbf77338\t77334\t\t20100101\t*\t1\r\n77290\t77334\t\t20100101\t\t0\t\t\t\r\n")
    result = read_ptp_file(path, known_codes=known)
    assert [(e.rationale, e.deleted, e.modifier_indicator) for e in result.edits] == [("", None, 1), ("", None, 0)]


def test_non_utf8_bytes_are_decoded(tmp_path, known):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"77338\t77334\t\t20100101\t*\t1\tStandards \x96 practice\n")
    assert read_ptp_file(path, known_codes=known).edits[0].rationale == "Standards \u2013 practice"


@pytest.mark.parametrize(
    ("name", "quarter"),
    [
        ("ccipra-v321r0-f1.txt", "v321r0"),
        ("ccioph-v321r0-f4.zip", "v321r0"),
        ("PTP_2026Q1.csv", "2026q1"),
        ("ptp 2026-q3 practitioner.txt", "2026q3"),
        ("my edits_part2.txt", "my-edits"),
    ],
)
def test_quarter_from_name(name, quarter):
    assert quarter_from_name(name) == quarter


# ---------------------------------------------------------------------------------------------
# Rules


def test_import_builds_rules(known):
    imp = import_ncci([TAB_FILE], known_codes=known, setting="practitioner", reviewed=REVIEWED)
    assert imp.quarter == "v321r0" and imp.source_id == "ncci-ptp-v321r0"
    assert imp.rows_read == 9 and imp.rows_kept == 6
    assert imp.never_effective == 1  # 77280/77334: deleted on its effective date
    assert imp.duplicates == 0
    by_pair = {(r.codes_a, r.codes_b): r for r in imp.rules}
    assert len(imp.rules) == 5 and (("77280",), ("77334",)) not in by_pair
    rule = by_pair[("77338",), ("77334",)]
    assert rule.id == "ncci-practitioner-77338-77334-20200101"
    assert rule.relation == "bundled" and rule.setting == "practitioner"
    assert rule.scope == "same date of service (NCCI PTP edit)"
    assert rule.effective_from == date(2020, 1, 1) and rule.effective_to is None
    assert rule.modifier_indicator == 0
    assert rule.reason == "NCCI PTP edit: Misuse of column two code with column one code."
    assert rule.sources == ("ncci-ptp-v321r0",) and rule.reviewed == REVIEWED
    assert by_pair[("77290",), ("77334",)].effective_to == date(2025, 1, 1)
    assert by_pair[("77300",), ("77336",)].modifier_indicator == 9  # kept: the engine never denies on 9
    assert by_pair[("0073T",), ("77334",)].id == "ncci-practitioner-0073t-77334-20150101"


def test_import_several_parts_dedupes(known):
    imp = import_ncci([TAB_FILE, TAB_FILE], known_codes=known, setting="practitioner", reviewed=REVIEWED)
    assert imp.rows_read == 18 and len(imp.rules) == 5 and imp.duplicates == 5 and imp.never_effective == 2


def test_import_refuses_mixed_quarters_and_wrong_setting(known):
    with pytest.raises(ValueError, match="different quarters"):
        import_ncci([TAB_FILE, CSV_FILE], known_codes=known, setting="practitioner")
    assert import_ncci([TAB_FILE, CSV_FILE], known_codes=known, setting="practitioner", quarter="x1").quarter == "x1"
    with pytest.raises(ValueError, match="practitioner file"):
        import_ncci([TAB_FILE], known_codes=known, setting="hospital")
    with pytest.raises(ValueError, match="setting must be"):
        import_ncci([CSV_FILE], known_codes=known, setting="any")


def test_rules_toml_round_trips(tmp_path, known):
    result = read_ptp_file(TAB_FILE, known_codes=known)
    out = write_rules_toml(
        result.edits, tmp_path / "r.toml", setting="hospital", source_id="ncci-ptp-v321r0", reviewed=REVIEWED
    )
    doc = tomllib.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"rule"} and len(doc["rule"]) == 5
    first = doc["rule"][0]
    assert first == {
        "id": "ncci-hospital-0073t-77334-20150101",
        "relation": "bundled",
        "codes_a": ["0073T"],
        "codes_b": ["77334"],
        "scope": "same date of service (NCCI PTP edit)",
        "setting": "hospital",
        "effective_from": date(2015, 1, 1),
        "modifier_indicator": 1,
        "reason": "NCCI PTP edit: Mutually exclusive procedures.",
        "sources": ["ncci-ptp-v321r0"],
        "reviewed": REVIEWED,
    }
    deleted = next(r for r in doc["rule"] if r["codes_a"] == ["77290"])
    assert deleted["effective_to"] == date(2025, 1, 1)
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    with pytest.raises(ValueError, match="needs setting"):
        render_rules_toml(result.edits)


def test_source_toml(tmp_path):
    out = write_source_toml(tmp_path / "s.toml", source_id="ncci-ptp-v321r0", title='T "q"', accessed=REVIEWED)
    assert tomllib.loads(out.read_text(encoding="utf-8")) == {
        "source": [
            {
                "id": "ncci-ptp-v321r0",
                "title": 'T "q"',
                "publisher": "Centers for Medicare & Medicaid Services (CMS)",
                "url": NCCI_PTP_URL,
                "accessed": REVIEWED,
                "tier": "regulator",
            }
        ]
    }


# ---------------------------------------------------------------------------------------------
# End to end: import into a copy of the knowledge folder, load it, check pairs


def _pair_findings(checker: RuleChecker, a: str, b: str, dos: date, setting: str = "practitioner"):
    check = checker.check([a, b], dos=dos, setting=setting)
    return [f for f in check.findings if f.kind == "pair" and set(f.codes) == {a, b}]


def _ncci_verdicts(checker, a, b, dos, setting="practitioner"):
    return [(f.rule_id, f.verdict) for f in _pair_findings(checker, a, b, dos, setting) if f.rule_id]


E2E_PAIRS = [("77338", "77334"), ("77290", "77334"), ("77338", "77332"), ("77300", "77336"), ("77280", "77334")]


def test_end_to_end_pairs_have_no_other_rule(kb):
    """Precondition of the end-to-end test: no shipped rule covers its pairs (pick others if one does)."""
    for a, b in E2E_PAIRS:
        covering = [
            r.id for r in kb.rules if (a in r.codes_a and b in r.codes_b) or (b in r.codes_a and a in r.codes_b)
        ]
        assert covering == [], f"{a}+{b} is already covered by {covering}"


def test_end_to_end_rule_check(kb_copy, kb):
    imp = import_ncci([TAB_FILE], known_codes=kb.codes, setting="practitioner", reviewed=REVIEWED)
    assert find_conflicts(imp.rules, kb.rules) == []
    source_path, rules_path = write_ncci_import(imp, kb_copy)
    assert source_path == kb_copy / source_file_name("v321r0") == kb_copy / "sources" / "ncci-ptp-v321r0.toml"
    assert rules_path == kb_copy / rules_file_name("practitioner") == kb_copy / "rules" / "ncci-ptp-practitioner.toml"

    loaded = load_knowledge(kb_copy)
    assert len(loaded.rules) == len(kb.rules) + 5
    assert loaded.sources["ncci-ptp-v321r0"].url == NCCI_PTP_URL
    checker = RuleChecker(loaded)

    # Indicator 0, no deletion date: 77338 (column 1) with 77334 (column 2).
    rule0 = "ncci-practitioner-77338-77334-20200101"
    assert _ncci_verdicts(checker, "77338", "77334", date(2019, 12, 31)) == []
    assert _pair_findings(checker, "77338", "77334", date(2019, 12, 31))[0].verdict == "unknown"
    assert _ncci_verdicts(checker, "77338", "77334", date(2020, 1, 1)) == [(rule0, "not_allowed")]
    assert _ncci_verdicts(checker, "77334", "77338", date(2026, 6, 1)) == [(rule0, "not_allowed")]
    finding = _pair_findings(checker, "77338", "77334", date(2020, 1, 1))[0]
    assert finding.codes == ("77338", "77334") and finding.sources[0].id == "ncci-ptp-v321r0"
    # Another setting: the practitioner edit does not apply.
    assert _ncci_verdicts(checker, "77338", "77334", date(2021, 1, 1), setting="hospital") == []

    # Indicator 1 with a deletion date: allowed with a modifier inside [effective, deletion).
    rule1 = "ncci-practitioner-77290-77334-20210101"
    assert _ncci_verdicts(checker, "77290", "77334", date(2020, 12, 31)) == []
    assert _ncci_verdicts(checker, "77290", "77334", date(2021, 1, 1)) == [(rule1, "allowed_with_modifier")]
    assert _ncci_verdicts(checker, "77290", "77334", date(2024, 12, 31)) == [(rule1, "allowed_with_modifier")]
    assert _pair_findings(checker, "77290", "77334", date(2024, 12, 31))[0].modifiers[:1] == ("59",)
    assert _ncci_verdicts(checker, "77290", "77334", date(2025, 1, 1)) == []
    assert _ncci_verdicts(checker, "77290", "77334", date(2026, 1, 1)) == []

    # Indicator 0, deleted 2023-07-01.
    rule_del = "ncci-practitioner-77338-77332-20150101"
    assert _ncci_verdicts(checker, "77338", "77332", date(2023, 6, 30)) == [(rule_del, "not_allowed")]
    assert _ncci_verdicts(checker, "77338", "77332", date(2023, 7, 1)) == []

    # Indicator 9: kept, never denies.
    assert _ncci_verdicts(checker, "77300", "77336", date(2024, 1, 1)) == [
        ("ncci-practitioner-77300-77336-19960101", "allowed")
    ]

    # Deleted on its effective date: never imported, no finding on any date.
    for day in (date(2021, 12, 31), date(2022, 1, 1), date(2023, 1, 1)):
        assert _ncci_verdicts(checker, "77280", "77334", day) == []


def test_reimport_replaces_the_setting_file(kb_copy, kb):
    imp = import_ncci([TAB_FILE], known_codes=kb.codes, setting="practitioner", reviewed=REVIEWED)
    write_ncci_import(imp, kb_copy)
    write_ncci_import(imp, kb_copy)
    hospital = import_ncci([CSV_FILE], known_codes=kb.codes, setting="hospital", reviewed=REVIEWED)
    assert hospital.quarter == "2026q1" and len(hospital.rules) == 3
    write_ncci_import(hospital, kb_copy)
    loaded = load_knowledge(kb_copy)
    assert len(loaded.rules) == len(kb.rules) + 5 + 3
    checker = RuleChecker(loaded)
    assert _ncci_verdicts(checker, "77338", "77334", date(2024, 1, 1), setting="hospital") == [
        ("ncci-hospital-77338-77334-20200101", "allowed_with_modifier")
    ]
    assert not list(kb_copy.rglob("*.tmp"))


def test_malformed_input_writes_nothing(kb_copy, kb):
    before = _snapshot(kb_copy)
    with pytest.raises(NcciFormatError, match=r"ccipra-v321r0-bad-indicator.txt: line 7: modifier indicator"):
        imp = import_ncci([TAB_FILE, BAD_FILE], known_codes=kb.codes, setting="practitioner", reviewed=REVIEWED)
        write_ncci_import(imp, kb_copy)
    assert _snapshot(kb_copy) == before


def test_find_conflicts_reports_contradictions(kb, tmp_path):
    path = tmp_path / "ccipra-v321r0-f2.txt"
    # 77301 + 77338 is allowed together in every setting by an existing rule; 9 vs 0 on the same pair.
    path.write_text(
        "77301\t77338\t\t20200101\t*\t0\tMisuse\n"
        "77338\t77334\t\t20200101\t*\t0\tA\n"
        "77338\t77334\t\t20210101\t*\t9\tB\n",
        encoding="utf-8",
    )
    imp = import_ncci([path], known_codes=kb.codes, setting="practitioner", reviewed=REVIEWED)
    problems = find_conflicts(imp.rules, kb.rules)
    assert any("77338-77334-20210101" in p and "77338-77334-20200101" in p for p in problems)
    # an "any"-setting allowed_together rule is a different setting for the loader: no conflict there
    assert not any("77301-with-77338-allowed" in p for p in problems)


# ---------------------------------------------------------------------------------------------
# Properties

_DELIMS = st.sampled_from(["\t", ","])


@given(text=st.text(max_size=200), delimiter=_DELIMS)
@settings(max_examples=500)
def test_line_parser_raises_only_format_errors(text, delimiter):
    try:
        edit = parse_ptp_line(text, delimiter, name="p.txt", line=3)
    except NcciFormatError as exc:
        assert str(exc).startswith("p.txt: line 3: ")
    else:
        assert isinstance(edit, PtpEdit)


_FIELD_CHARS = st.sampled_from(list('0123456789TFUGJ*\t," -/abcXZ\r\\'))
_FIELD = st.text(_FIELD_CHARS, max_size=10)


@given(
    fields=st.lists(
        st.one_of(_FIELD, st.sampled_from(["77338", "0073T", "G6012", "20200101", "*", "0", "1", "9", ""])),
        min_size=5,
        max_size=9,
    ),
    delimiter=_DELIMS,
)
@settings(max_examples=500)
def test_line_parser_near_valid_lines(fields, delimiter):
    with contextlib.suppress(NcciFormatError):
        parse_ptp_line(delimiter.join(fields), delimiter)


_CODES = st.sampled_from(["77338", "77334", "0073T", "G6012", "J1100", "27447", "0001U"])
_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(
    c1=_CODES,
    c2=_CODES,
    eff=_DATES,
    days=st.one_of(st.none(), st.integers(0, 4000)),
    ind=st.sampled_from([0, 1, 9]),
    rationale=st.text(max_size=60),
    delimiter=_DELIMS,
)
@settings(max_examples=300)
def test_valid_lines_round_trip(c1, c2, eff, days, ind, rationale, delimiter):
    from datetime import timedelta

    deleted = None if days is None else min(eff + timedelta(days=days), date(2099, 12, 31))
    rationale = " ".join(rationale.replace('"', "").replace("\t", " ").split())
    fields = [
        c1,
        c2,
        "",
        eff.strftime("%Y%m%d"),
        "*" if deleted is None else deleted.strftime("%Y%m%d"),
        str(ind),
        rationale,
    ]
    if delimiter == ",":
        fields[-1] = '"' + rationale + '"'
    text = delimiter.join(fields)
    if c1 == c2:
        with pytest.raises(NcciFormatError):
            parse_ptp_line(text, delimiter)
        return
    edit = parse_ptp_line(text, delimiter, line=9)
    assert (edit.column1, edit.column2, edit.effective, edit.deleted, edit.modifier_indicator, edit.line) == (
        c1,
        c2,
        eff,
        deleted,
        ind,
        9,
    )
    assert edit.rationale == rationale


@given(content=st.binary(max_size=400))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_file_raises_only_format_errors(tmp_path, content):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(content)
    try:
        read_ptp_file(path, known_codes={"77338"}, keep_all=True)
    except NcciFormatError as exc:
        assert str(exc).startswith("fuzz.txt")


@given(rationale=st.text(max_size=80))
@settings(max_examples=200)
def test_reason_text_always_renders_valid_toml(rationale):
    edit = PtpEdit("77338", "77334", date(2020, 1, 1), None, 1, rationale, 1)
    doc = tomllib.loads(render_rules_toml([edit], setting="practitioner", source_id="s", reviewed=REVIEWED))
    assert doc["rule"][0]["reason"].startswith("NCCI PTP edit")


def test_fast_path_still_rejects_rows_with_known_good_dates(tmp_path, known):
    path = tmp_path / "ptp.txt"
    path.write_text(
        "77338\t77290\t\t20200101\t20210101\t1\tok\n77338\t77334\t\t20210101\t20200101\t1\tdeleted before effective\n",
        encoding="utf-8",
    )
    with pytest.raises(NcciFormatError, match=r"line 2: deletion date 2020-01-01 is before"):
        read_ptp_file(path, known_codes=known)
    path.write_text("77338\t77290\t\t20200101\t*\t1\tok\n77334\t77334\t\t20200101\t*\t1\tsame\n", encoding="utf-8")
    with pytest.raises(NcciFormatError, match=r"line 2: column 1 and column 2 are the same code"):
        read_ptp_file(path, known_codes=known)


_ROW_FIELDS = st.tuples(
    st.sampled_from(["77338", "77334", "g6012", " 77290", "7733", "0073T"]),
    st.sampled_from(["77334", "77338", "J1100", "7733X"]),
    st.sampled_from(["", "*", "x"]),
    st.sampled_from(["20200101", "20210101", "20201301", "2020-02-01"]),
    st.sampled_from(["*", "", "20200101", "20210101", "20220230"]),
    st.sampled_from(["0", "1", "9", "7"]),
    st.sampled_from(["", "Misuse", "a, b", '"q"', "x\ty"]),
)


@given(rows=st.lists(st.one_of(_ROW_FIELDS, st.just(None)), min_size=1, max_size=12), delimiter=_DELIMS)
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_file_reader_agrees_with_line_parser(tmp_path, rows, delimiter):
    """The reader's fast path and the line parser accept and reject exactly the same rows."""
    first = delimiter.join(["77338", "77290", "", "20200101", "*", "1", "first"])
    lines = [first] + ["" if row is None else delimiter.join(row) for row in rows]
    path = tmp_path / "agree.txt"
    path.write_text("Title\n" + "\n".join(lines) + "\n", encoding="utf-8")
    expected: list[PtpEdit] = []
    error: str | None = None
    for number, text in enumerate(lines, 2):
        if not text.strip():
            continue
        try:
            expected.append(parse_ptp_line(text, delimiter, name="agree.txt", line=number))
        except NcciFormatError as exc:
            error = str(exc)
            break
    if error is not None:
        with pytest.raises(NcciFormatError) as info:
            read_ptp_file(path, known_codes=(), keep_all=True)
        assert str(info.value) == error
    else:
        assert read_ptp_file(path, known_codes=(), keep_all=True).edits == tuple(expected)


def test_a_huge_line_is_refused_with_its_number(tmp_path: Path) -> None:
    """Trial row 31: a 50 MB rationale was copied into the rules file; now the line is refused."""
    from faqbot.ncci_import import MAX_LINE_BYTES

    path = tmp_path / "ptp-2026Q1.txt"
    good = "77338\t77334\t\t20200101\t*\t1\tMisuse of column two code with column one code\n"
    path.write_text(good + good.replace("Misuse", "x" * (MAX_LINE_BYTES + 10)), encoding="utf-8")
    with pytest.raises(NcciFormatError) as caught:
        read_ptp_file(path, known_codes={"77338", "77334"})
    assert caught.value.line == 2 and "longer than" in str(caught.value)


def test_both_files_or_neither(kb_copy: Path, known, monkeypatch) -> None:
    """Trial row 15: when the rules file cannot be put in place, the source record is not left behind."""
    import faqbot.ncci_import as ncci_import

    imp = import_ncci([TAB_FILE], known_codes=known, setting="practitioner", reviewed=REVIEWED, keep_all=True)
    before = _snapshot(kb_copy)
    real_replace = ncci_import.os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(rules_file_name("practitioner")):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(ncci_import.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_ncci_import(imp, kb_copy)
    assert _snapshot(kb_copy) == before  # no source record, no temporary files


def test_imported_files_get_normal_permissions(kb_copy: Path, known) -> None:
    """Trial row 31: 0644 under umask 022 (mkstemp alone gives 0600)."""
    import os

    imp = import_ncci([TAB_FILE], known_codes=known, setting="practitioner", reviewed=REVIEWED, keep_all=True)
    old = os.umask(0o022)
    try:
        paths = write_ncci_import(imp, kb_copy)
    finally:
        os.umask(old)
    assert [p.stat().st_mode & 0o777 for p in paths] == [0o644, 0o644]
