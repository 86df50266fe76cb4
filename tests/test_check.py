"""narrate check: findings on the seed script and on small scripts, the CLI's table, JSON and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from narrate.check import Finding, _LineFinder, check_ambiguous, check_digits, check_script, is_spelled, pronounceable
from narrate.cli import main
from narrate.models import Plan, Segment, Span

from conftest import shared_path


@pytest.fixture()
def seed(tmp_path: Path) -> Path:
    dst = tmp_path / "mosul-report.txt"
    shutil.copy(shared_path("seed", "mosul-report.txt"), dst)
    return dst


@pytest.fixture()
def seed_findings(seed: Path) -> list[Finding]:
    return check_script(seed)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "script.txt"
    p.write_text(text, encoding="utf-8")
    return p


def kinds(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


def test_seed_flags_vilalges_with_villages(seed_findings: list[Finding]) -> None:
    hits = [f for f in kinds(seed_findings, "spelling") if f.text == "vilalges"]
    assert len(hits) == 1
    assert hits[0].suggestion == "villages"
    assert hits[0].line == 7


def test_seed_raises_no_unknown_acronym_for_lexicon_terms(seed_findings: list[Finding]) -> None:
    # ISF, PMU and SVBIED(s) are in the package lexicon: no alarm for them.
    flagged = {f.text for f in kinds(seed_findings, "unknown-acronym")}
    assert not flagged & {"ISF", "PMU", "SVBIED", "SVBIEDs"}


def test_seed_reports_credit_and_appeal_as_skipped(seed_findings: list[Finding]) -> None:
    skipped = kinds(seed_findings, "skipped")
    assert [f.line for f in skipped] == [1, 3]
    assert "appeal" in skipped[0].message and "credit" in skipped[1].message
    assert "Harold Hoover" in skipped[1].text


def test_seed_findings_are_few_and_spare_names(seed_findings: list[Finding]) -> None:
    spelling = {f.text for f in kinds(seed_findings, "spelling")}
    assert not spelling & {"Mosul", "Qayrawan", "Khilo", "Tamouz", "Tal", "Kabar", "Karkash", "al-Muhandis", "Al-Muhandis", "Sweida", "Mughawyr"}
    assert len(spelling) <= 3
    assert len(seed_findings) <= 10


def test_unknown_acronym_says_what_the_rule_does_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = check_script(write(tmp_path, "The XQZT unit moved north. The XQZT unit stopped.\n"))
    (f,) = kinds(findings, "unknown-acronym")
    assert f.text == "XQZT" and f.line == 1
    assert "spelled" in f.message or "read as" in f.message
    assert "2 times" in f.message
    assert f.suggestion == "narrate lexicon add XQZT --spell"


def test_a_headline_in_capitals_is_not_a_list_of_acronyms(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "BREAKING NEWS FROM THE FRONT.\n\nThis is NOT a drill, said the XQZT.\n"))
    found = {f.text: f.message for f in kinds(findings, "unknown-acronym")}
    # The headline's words are read as words and need no lexicon entry; a word in capitals alone, or an acronym, is reported.
    assert set(found) == {"NOT", "XQZT"}
    assert 'read as the word "Not"' in found["NOT"] and "spelled" in found["XQZT"]


def test_fix_names_the_script_when_it_is_elsewhere(tmp_path: Path) -> None:
    script = write(tmp_path, "The XQZT unit moved north.\n")
    (f,) = kinds(check_script(script), "unknown-acronym")
    assert f.suggestion == f"narrate lexicon add XQZT --spell --script {script}"


def test_misspelling_in_lowercase_is_flagged_but_names_are_not(tmp_path: Path) -> None:
    text = "Troops entered Zarqawiyah and the nearby vilalge on Monday.\n\nThe army said Zarqawiyah was calm.\n"
    findings = check_script(write(tmp_path, text))
    spelling = kinds(findings, "spelling")
    assert [f.text for f in spelling] == ["vilalge"]
    assert spelling[0].suggestion == "village"
    assert spelling[0].line == 1


def test_a_script_of_credits_alone_is_reported_not_refused(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "Written by Jane Doe\n\nVoiceover by Alex Kim\n"))
    assert [f.kind for f in findings if f.severity == "warning"] == ["empty"]
    assert len(kinds(findings, "skipped")) == 2


def test_british_spellings_are_not_misspellings(tmp_path: Path) -> None:
    text = ("The defences were criticised by analysts, who travelled 40 kilometres while dialling the centre. "
            "The colour of the programme was analysed. The goverment was late.\n")
    assert [f.text for f in kinds(check_script(write(tmp_path, text)), "spelling")] == ["goverment"]


def test_ambiguous_300m(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "The wall is 300m long.\n"))
    (f,) = kinds(findings, "ambiguous")
    assert f.text == "300m"
    assert "metres or million" in f.message


def test_wrong_ordinal_suffix_is_a_typo_with_a_suggestion(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "In the 21th century, the 3rd and 4rd brigades weighed 11st.\n"))
    assert [(f.text, f.suggestion, f.severity) for f in kinds(findings, "typo")] == [("21th", "21st", "warning"), ("4rd", "4th", "warning")]
    assert 'did you mean "21st"?' in kinds(findings, "typo")[0].message


def test_spans_the_normalizer_marked_ambiguous_are_reported_once(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "The wall is 300m long.\n"))
    assert [f.text for f in kinds(findings, "ambiguous")] == ["300m"]  # the rule and the span ask once
    text = "Some 40zz fled."  # a span marked ambiguous that no rule in ambiguous.tsv asks about
    seg = Segment(id="p01-s01", kind="narration", text=text, spoken="Some forty zz fled.", voice="default", pause_after_s=0.3,
                  estimated_s=1.0, line=2, paragraph=1, sentence=1, rate_wpm=165,
                  spans=(Span(5, 9, "40zz", "forty zz", "measure", ambiguous=True),))
    (f,) = check_ambiguous(Plan(source="x", segments=(seg,)), _LineFinder("\n" + text))
    assert (f.kind, f.line, f.text, f.severity) == ("ambiguous", 2, "40zz", "warning") and '"forty zz"' in f.message


def test_street_or_drive_after_a_name_is_ambiguous_but_doctor_before_one_is_not(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "Dr. Amira Haddad lives on Mulholland Dr. in the hills.\n"))
    assert [f.text for f in kinds(findings, "ambiguous")] == ["Mulholland Dr."]


def test_unknown_directive_is_a_finding_not_an_error(tmp_path: Path) -> None:
    findings = check_script(write(tmp_path, "[volume 3]\n\nThe troops advanced.\n"))
    (f,) = kinds(findings, "directive")
    assert f.line == 1 and f.text == "[volume 3]"


def test_table_shows_script_text_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "[volume 3]" is script text, not rich markup: it must reach the screen as written.
    assert main(["check", str(write(tmp_path, "[volume 3]\n\nThe troops advanced.\n"))]) == 0
    assert "[volume 3]" in capsys.readouterr().out


def test_long_sentence_is_reported_with_its_parts(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(20))
    text = f"The column moved along the river road toward the town, {words} and then it stopped near the bridge at dawn.\n"
    findings = check_script(write(tmp_path, text.replace("word", "item")))
    (f,) = kinds(findings, "long-sentence")
    assert "will be split into 2 parts" in f.message


def test_digits_left_in_spoken_text() -> None:
    seg = Segment(id="p01-s01", kind="narration", text="Call 555-0100.", spoken="Call 555-0100.", voice="default", pause_after_s=0.3,
                  estimated_s=1.0, line=4, paragraph=1, sentence=1, rate_wpm=165)
    (f,) = check_digits(Plan(source="x", segments=(seg,)))
    assert f.kind == "digits-left" and f.line == 4 and "555-0100" in f.text


def test_spelled_and_pronounceable_guesses() -> None:
    assert is_spelled("I S F") and is_spelled("S V B I E D's") and is_spelled("U A-V")
    assert not is_spelled("Isis") and not is_spelled("Nato")
    assert pronounceable("NATO") and pronounceable("UNICEF")
    assert not pronounceable("ISF") and not pronounceable("SVBIED")


def test_cli_json_is_one_document(seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seed), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"findings"}
    for f in doc["findings"]:
        assert {"kind", "line", "text", "message"} <= set(f)
    assert any(f["text"] == "vilalges" and f["suggestion"] == "villages" for f in doc["findings"])
    assert doc["paragraphs"] and all(p["estimated_s"] > 0 for p in doc["paragraphs"])


def test_cli_strict_exit_codes(seed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seed), "--strict", "--json"]) == 1
    clean = tmp_path / "clean"
    clean.mkdir()
    assert main(["check", str(write(clean, "Voiceover by Sam Okafor\n\nThe troops advanced.\n")), "--strict"]) == 0
    assert "skipped" in capsys.readouterr().out  # info findings are listed but do not fail --strict


def test_cli_table_lists_findings_and_paragraphs(seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "vilalges" in out and "villages" in out
    assert "reading ease" in out
    assert "\x1b[" not in out


def test_cli_missing_script_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.txt")]) == 2
    assert "no such script file" in capsys.readouterr().err
