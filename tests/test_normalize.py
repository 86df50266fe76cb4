"""Normalization: the per-class case files, the seed script, options, spans and parts, the CLI."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from casefiles import cases
from conftest import require_tool, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

import narrate
from narrate.cli import main
from narrate.normalize import NormalizeOptions, normalize, normalize_spans


def _file_options(path: Path) -> NormalizeOptions:
    """A case file may name its options in a header line: ``# options: number_and=true, expand_acronyms=false``."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.lstrip("# ").startswith("options:"):
            pairs = (item.split("=") for item in line.split(":", 1)[1].split(",") if item.strip())
            return NormalizeOptions(**{k.strip(): v.strip().lower() == "true" for k, v in pairs})
    return NormalizeOptions()


def _case_params() -> list[object]:
    out: list[object] = []
    for path in sorted((Path(__file__).parent / "data" / "normalize").glob("*.txt")):
        options = _file_options(path)
        out += [pytest.param(*p.values, options, id=p.id) for p in cases("normalize", path.name)]  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("written,spoken,options", _case_params())
def test_case_files(written: str, spoken: str, options: NormalizeOptions) -> None:
    assert normalize(written, options=options) == spoken


def _seed_sentences() -> list[str]:
    text = shared_path("seed", "mosul-report.txt").read_text(encoding="utf-8")
    return [s for p in text.split("\n\n") for s in re.split(r"(?<=[.!?])\s+", p.strip()) if s]


def test_seed_sentences_have_no_digits_and_acronyms_spelled() -> None:
    spoken = [normalize(s) for s in _seed_sentences()]
    assert spoken
    for s in spoken:
        assert not re.search(r"\d", s), s
        assert not re.search(r"\b(ISF|PMU|SVBIED|US|UK)\b", s), s
    joined = " ".join(spoken)
    for letters in ("I S F", "P M U", "S V B I E D's", "U S and U K"):
        assert letters in joined
    assert "Iraqi security forces have continued" in joined  # "(ISF)" after its expansion is not read twice
    assert "ninety kilometers west" in joined and "nine percent" in joined and "forty nine Isis" in joined


def test_public_api_is_reexported() -> None:
    assert narrate.normalize("4 SVBIEDs") == "four S V B I E D's"


def test_expand_acronyms_option() -> None:
    opts = NormalizeOptions(expand_acronyms=True)
    assert normalize("4 SVBIEDs hit the ISF", options=opts) == "four suicide vehicle-borne improvised explosive devices hit the Iraqi security forces"


def test_read_repeated_acronyms_option() -> None:
    text = "Iraqi security forces (ISF) advanced."
    assert normalize(text) == "Iraqi security forces advanced."
    assert normalize(text, options=NormalizeOptions(read_repeated_acronyms=True)) == "Iraqi security forces (I S F) advanced."


def test_number_and_option() -> None:
    assert normalize("120mm mortars") == "one hundred twenty millimeter mortars"  # American by default, as in issue 3
    assert normalize("120mm mortars", options=NormalizeOptions(number_and=True)) == "one hundred and twenty millimeter mortars"
    assert normalize("1991") == "nineteen ninety one"


def test_wrong_ordinal_suffix_is_read_as_written_and_named_for_check() -> None:
    from narrate.normalize.ordinal import wrong_suffix

    assert normalize("the 21th century") == "the twenty one T H century"  # not silently "twenty first"; letters by name
    assert [wrong_suffix(w) for w in ("21th", "4rd", "12nd", "13RD", "111st", "2,021th")] == ["21st", "4th", "12th", "13TH", "111th", "2,021st"]
    assert [wrong_suffix(w) for w in ("21st", "11th", "5st", "11st", "abc", "21")] == [None] * 6  # right, or stone


def test_case_file_options_header() -> None:
    british = Path(__file__).parent / "data" / "normalize" / "british.txt"
    assert _file_options(british) == NormalizeOptions(number_and=True)
    assert _file_options(british.with_name("cardinal.txt")) == NormalizeOptions()


def test_spans_point_into_the_input_and_parts_join_to_spoken() -> None:
    text = "On Monday, ISF troops moved 90km in 2 hours (about 9% of the way)."
    result = normalize_spans(text)
    assert "".join(p.text for p in result.parts) == result.spoken
    for span in result.spans:
        assert text[span.start : span.end] == span.written
    classes = {span.written: span.cls for span in result.spans}
    assert classes["ISF"] == "lexicon" and classes["90km"] == "measure" and classes["9%"] == "percent"


def test_a_bare_m_is_read_but_its_span_says_it_was_a_guess() -> None:
    spans = {s.written: s for s in normalize_spans("5m people ran 300m, costing $300m").spans}
    assert spans["5m"].spoken == "five million" and spans["5m"].ambiguous and spans["5m"].cls == "measure"
    assert spans["300m"].spoken == "three hundred meters" and spans["300m"].ambiguous
    assert spans["$300m"].cls == "money" and not spans["$300m"].ambiguous


def test_spoken_text_is_plain() -> None:
    spoken = normalize("Gen. Smith's [[x]] forces (ISF) took 4 UAVs on 3 March 2017 at 5 p.m.")
    assert "[[" not in normalize("ISF") and not re.search(r"\d", spoken)


def test_cli_normalize_argument_and_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["normalize", "ISF took 4 SVBIEDs"]) == 0
    assert capsys.readouterr().out == "I S F took four S V B I E D's\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("9%\n$4.5 billion\n"))
    assert main(["normalize"]) == 0
    assert capsys.readouterr().out == "nine percent\nfour point five billion dollars\n"
    assert main(["normalize", "--expand-acronyms", "121 IEDs"]) == 0
    assert capsys.readouterr().out == "one hundred twenty one improvised explosive devices\n"


def test_cli_normalize_is_american_like_the_library_unless_asked_for_and(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["normalize", "121 km"]) == 0
    assert capsys.readouterr().out == normalize("121 km") + "\n" == "one hundred twenty one kilometers\n"
    assert main(["normalize", "--and", "121 km and 123,000,012"]) == 0
    assert capsys.readouterr().out == "one hundred and twenty one kilometers and one hundred twenty three million twelve\n"
    assert main(["normalize", "--no-and", "121"]) == 0  # the old flag still works; it asks for the default
    assert capsys.readouterr().out == "one hundred twenty one\n"


def test_cli_normalize_reads_ungrouped_numbers_as_codes_only_when_asked(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["normalize", "No. 80417"]) == 0
    assert capsys.readouterr().out == "number eighty thousand four hundred seventeen\n"
    assert main(["normalize", "--ungrouped-as-digits", "No. 80417 and 16,000"]) == 0
    assert capsys.readouterr().out == "number eight zero four one seven and sixteen thousand\n"


def test_spelled_letters_are_said_as_letter_names() -> None:
    espeak = require_tool("espeak-ng")
    spoken = normalize("ISF US UAV and the U.A.E. in the FAQ")
    out = subprocess.run([espeak, "-q", "-x", spoken], capture_output=True, text=True, check=True).stdout
    assert "aI 'Es 'Ef" in out  # eye ess eff
    assert "j'u: 'Es" in out  # U S, not the word "us"
    assert "a#" not in out  # no letter A reduced to the article "uh"


def test_fifty_thousand_words_in_one_text_read_as_each_sentence_alone() -> None:
    """A long text is read sentence by sentence the same as each sentence alone (benchmarks/tn_peer.py times it)."""
    sentence = ("ISF troops recaptured 17 districts on March 3, 2017, killing 49 fighters and destroying 4 SVBIEDs "
                "about 90km west of Mosul, where ISIS holds 9% of the city at a cost of $4.5 billion.")
    assert normalize(" ".join([sentence] * 2000)).split() == normalize(sentence).split() * 2000


_ALPHABET = "0123456789 ,.-–/:%$€£#&+()'’xkmsAISF°"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_ALPHABET, " km", " million", " a.m.", "March ", " 2017", "Gen. ", "ISF", "(ISF)", "th", "1/2", "US$"]), max_size=12))
def test_any_text_normalizes_to_words_with_consistent_spans(pieces: list[str]) -> None:
    text = "".join(pieces)
    result = normalize_spans(text)
    assert not re.search(r"\d", result.spoken)
    assert "".join(p.text for p in result.parts) == result.spoken
    for span in result.spans:
        assert text[span.start : span.end] == span.written


def _data_rows(name: str) -> list[tuple[str, ...]]:
    from narrate.normalize.rules import rows

    return list(rows(name))


@pytest.mark.parametrize("unit,singular,plural", [(r[0], r[1], r[2]) for r in _data_rows("units.tsv") if r[4] == "measure"])
def test_every_unit_attached_spaced_plural_and_adjectival(unit: str, singular: str, plural: str) -> None:
    assert normalize(f"5 {unit}") == f"five {plural}"
    assert normalize(f"1 {unit}") == f"one {singular}"
    assert normalize(f"a 2.5 {unit} stretch") == f"a two point five {singular} stretch"
    if not unit[0].isalpha() or not unit[-1].isalpha() or " " in unit:
        return
    assert normalize(f"12{unit}") == f"twelve {plural}"
    assert normalize(f"a 12-{unit} stretch") == f"a twelve {singular} stretch"


@pytest.mark.parametrize("written,name", [(r[0], r[1]) for r in _data_rows("months.tsv")])
def test_every_month_form(written: str, name: str) -> None:
    assert normalize(f"{written.title()} 5") == f"{name} fifth"
    assert normalize(f"{written.title()}. 21, 2016") in (f"{name} twenty first, twenty sixteen",)
    assert normalize(f"3 {written} 2017") == f"the third of {name} twenty seventeen"


@pytest.mark.parametrize("symbol,one,many", [(r[0], r[1], r[2]) for r in _data_rows("currencies.tsv")])
def test_every_currency(symbol: str, one: str, many: str) -> None:
    where = _data_rows("currencies.tsv")[[r[0] for r in _data_rows("currencies.tsv")].index(symbol)][5]
    if where == "prefix":
        assert normalize(f"{symbol}1") == f"one {one}"
        assert normalize(f"{symbol}3") == f"three {many}"
        assert normalize(f"{symbol}2.5bn") == f"two point five billion {many}"
    elif where == "suffix":  # a sign right after the amount: "99¢"
        assert normalize(f"3{symbol}") == f"three {many}"
        assert normalize(f"1{symbol}") == f"one {one}"
    else:  # an ISO code, after the amount or before it
        assert normalize(f"3 {symbol}") == f"three {many}"
        assert normalize(f"{symbol} 3") == f"three {many}"
        assert normalize(f"{symbol} 1.2m") == f"one point two million {many}"
        assert normalize(f"a {symbol} 5 fee") == f"a five {one} fee"


@pytest.mark.parametrize("code,name", [(r[0], r[1]) for r in _data_rows("us_states.tsv")])
def test_every_state_takes_a_zip_code(code: str, name: str) -> None:
    assert normalize(f"Springfield, {code} 12345").endswith(" one two three four five")
    assert normalize(f"Springfield, {name} 12345-6789").endswith(" one two three four five, six seven eight nine")


def test_expanded_possessive_of_a_plural_expansion() -> None:
    opts = NormalizeOptions(expand_acronyms=True)
    assert normalize("the ISF's commander", options=opts) == "the Iraqi security forces' commander"
