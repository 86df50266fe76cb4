"""The parser: sentences, clauses, credits, appeals, directives, front matter, file decoding."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from casefiles import cases
from conftest import ROOT
from narrate.errors import InputError
from narrate.script import DIRECTIVES, decode_script, parse_script, read_script
from narrate.sentences import split_clauses, split_sentences
from narrate.skip import credits_of, is_appeal, is_appeal_sentence


@pytest.mark.parametrize("paragraph,expected", cases("sentences"))
def test_sentence_split(paragraph: str, expected: str) -> None:
    assert split_sentences(paragraph) == [s.strip() for s in expected.split(" | ")]


def test_long_sentence_splits_at_a_clause_and_keeps_every_word() -> None:
    sentence = (
        "Al-Muhandis pointed out that forces of the PMU will enter the Syrian territory only in case of full "
        "coordination between the Syrian and Iraqi governments, and confirmed the existence of official channels "
        "with the Syrian government in case of the PMU need to do this."
    )
    parts = split_clauses(sentence, 35)
    assert len(parts) == 2
    assert parts[1].startswith("and confirmed")
    assert " ".join(parts).split() == sentence.split()
    assert all(len(p.split()) <= 35 for p in parts)


@pytest.mark.parametrize("sentence,cut", cases("script_clauses.txt"))
def test_long_sentence_is_cut_at_a_clause_not_inside_a_list(sentence: str, cut: str) -> None:
    parts = split_clauses(sentence, 35)
    assert " ".join(parts).split() == sentence.split()
    assert any(p.startswith(cut) for p in parts[1:]), parts
    assert not any(p.endswith((" and", " or")) for p in parts[:-1]), parts


def test_sentence_without_punctuation_still_splits_when_very_long() -> None:
    sentence = " ".join(f"word{i}" for i in range(100))
    parts = split_clauses(sentence, 35)
    assert all(len(p.split()) <= 35 for p in parts)
    assert " ".join(parts).split() == sentence.split()


@pytest.mark.parametrize(
    "text,narrator",
    [
        ("Voiceover by Harold Hoover", "Harold Hoover"),
        ("Narrated by Dana Whitfield.", "Dana Whitfield"),
        ("Narrator: J. Smith", "J. Smith"),
        ("Written and produced by Ana Ruiz. Voiceover by Sam Okafor.", "Sam Okafor"),
        ("VO: Ann Lee | Editing: Bo Kim", "Ann Lee"),
        ("Script and voice: Omar Haddad.", "Omar Haddad"),
        ("Executive producer: Dina Saleh. Voice: Ali Hassan.", "Ali Hassan"),
    ],
)
def test_credit_lines_name_the_narrator(text: str, narrator: str) -> None:
    parsed = parse_script(text + "\n\nA sentence to read.\n")
    assert parsed.blocks[0].kind == "credit"
    assert parsed.narrator == narrator


@pytest.mark.parametrize("text", ["Iraqi forces advanced by 5 km.", "Read the report by Smith.", "The town was shelled by artillery on Monday."])
def test_prose_with_by_is_not_a_credit(text: str) -> None:
    assert credits_of(text) is None


@pytest.mark.parametrize(
    "text,credits",
    [
        ("By John Smith, Staff Writer", [("by", "John Smith")]),
        ("By Jane Doe", [("by", "Jane Doe")]),
        ("Reporting by Reuters; additional reporting by AP.", [("reporting", "Reuters"), ("additional reporting", "AP")]),
    ],
)
def test_bylines_and_qualified_roles_are_credits(text: str, credits: list[tuple[str, str]]) -> None:
    assert credits_of(text) == credits
    assert parse_script(text + "\n\nA sentence.\n").narrator is None  # none of them names a narrator


@pytest.mark.parametrize("text", ["By Monday, the army had advanced.", "By the end of July the city fell.", "By 2017 it was over."])
def test_sentences_that_start_with_by_are_not_bylines(text: str) -> None:
    assert credits_of(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "If you’re able, and if you like our content and approach, please support the project. PayPal: or via:",
        "Support us on Patreon.",
        "Consider a donation to keep us independent.",
        "If you like our work, subscribe and support the channel.",
        "If you enjoyed this, please like, share and subscribe.",
        "Don't forget to like and subscribe!",
    ],
)
def test_appeals_are_recognised(text: str) -> None:
    assert is_appeal(text)


@pytest.mark.parametrize("text", ["The PMU supports the army in Tal Afar.", "Donald met the press on Monday."])
def test_news_is_not_an_appeal(text: str) -> None:
    assert not is_appeal(text)


def test_directives_sections_and_front_matter() -> None:
    text = '+++\ntitle = "T"\nvoice = "default"\n+++\n[voice default]\nOne.\n\n---\n[pause 2]\n[rate 150]\nTwo. Three.\n'
    parsed = parse_script(text)
    assert parsed.front_matter["title"] == "T"
    assert [b.kind for b in parsed.blocks] == ["voice", "paragraph", "section", "pause", "rate", "paragraph"]
    assert parsed.blocks[-1].sentences[0].line == 11


@pytest.mark.parametrize(
    "line,fragment",
    [("[voise anchor]", "unknown directive"), ("[pause soon]", "needs a number"), ("[rate 5]", "out of range"), ("[pause 99]", "out of range")],
)
def test_bad_directives_are_errors_naming_the_line(line: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_script(f"Hello.\n\n{line}\nMore.\n", name="s.txt")
    assert err.value.message.startswith("s.txt:3:")
    assert fragment in err.value.message
    # Non-strict parsing (used by check) records it instead.
    assert parse_script(f"Hello.\n\n{line}\nMore.\n", strict=False).problems[0].line == 3


def _read(text: str) -> list[tuple[str, list[str]]]:
    return [(b.kind, [s.text for s in b.sentences]) for b in parse_script(text).blocks]


def test_markdown_headings_are_read_without_their_hashes_and_start_sections() -> None:
    text = "# The fall of Raqqa\n\nThe SDF entered. Fighting lasted.\n\n## Aftermath ##\nMines remain.\n\n#1 hit songs.\n"
    assert _read(text) == [
        ("paragraph", ["The fall of Raqqa"]),
        ("paragraph", ["The SDF entered.", "Fighting lasted."]),
        ("section", []),
        ("paragraph", ["Aftermath"]),
        ("paragraph", ["Mines remain."]),
        ("paragraph", ["#1 hit songs."]),  # no space after the hash: not a heading
    ]
    assert [b.line for b in parse_script(text).blocks][:4] == [1, 3, 5, 5]


def test_list_items_are_sentences_without_their_markers() -> None:
    text = "Key points:\n- The city fell in July\n* Aid is slow!\n2. Second\nb) Third one\n"
    assert _read(text) == [("paragraph", ["Key points: The city fell in July.", "Aid is slow!", "Second.", "Third one."])]
    # A dash at the start of a wrapped line, mid-sentence, is the writer's dash, not a list.
    wrapped = "The city was taken\n- and its people fled - by nightfall.\n"
    assert _read(wrapped) == [("paragraph", ["The city was taken - and its people fled - by nightfall."])]


@pytest.mark.parametrize(
    "line,said",
    [
        ("This is **very** important.", "This is very important."),
        ("It is _urgent_, said the `UN`.", "It is urgent, said the UN."),
        ("***Both*** marks.", "Both marks."),
        ("A file_name_here and 2*8 and a footnote*.", "A file_name_here and 2*8 and a footnote*."),
    ],
)
def test_markdown_emphasis_is_taken_off_the_words(line: str, said: str) -> None:
    assert _read(line) == [("paragraph", [said])]


@pytest.mark.parametrize("rule", ["---", "* * *", "- - -", "___"])
def test_thematic_breaks_are_sections(rule: str) -> None:
    assert [k for k, _ in _read(f"One.\n\n{rule}\n\nTwo.\n")] == ["paragraph", "section", "paragraph"]


def test_phoneme_markup_line_is_text_not_a_directive() -> None:
    parsed = parse_script("[[h@'loU]]\n")
    assert parsed.blocks[0].kind == "paragraph"


def test_unclosed_front_matter() -> None:
    with pytest.raises(InputError, match="never closed"):
        parse_script("+++\ntitle='x'\nHello.\n")


@pytest.mark.parametrize(
    "raw,expected",
    [
        (codecs.BOM_UTF8 + "Héllo.\r\nWorld.".encode(), "Héllo.\nWorld."),
        ("Héllo.".encode("utf-16"), "Héllo."),
        ("The river rose.\nIt rained.".encode("utf-16-le"), "The river rose.\nIt rained."),  # no BOM
        ("The river rose.".encode("utf-16-be"), "The river rose."),
        (b"Old\rMac", "Old\nMac"),
        (b"Tab\tand\x07bell.", "Tab\tand bell."),
    ],
)
def test_decoding(raw: bytes, expected: str) -> None:
    assert decode_script(raw) == expected


@pytest.mark.parametrize(
    "raw,fragment",
    [(b"", "empty"), (b"  \n\t\n", "empty"), (b"\x00\x01\x02binary", "binary"), (b"caf\xe9 au lait", "not valid UTF-8")],
)
def test_undecodable_scripts(raw: bytes, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        decode_script(raw, "x.txt")


def test_read_script_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such script"):
        read_script(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_script(tmp_path)


@pytest.mark.parametrize("paragraph,expected", cases("script_sentences.txt"))
def test_sentence_ends_after_abbreviations(paragraph: str, expected: str) -> None:
    assert split_sentences(paragraph) == expected.split(" | ")


@pytest.mark.parametrize("sentence,expected", cases("script_appeals.txt"))
def test_appeal_sentences(sentence: str, expected: str) -> None:
    assert is_appeal_sentence(sentence) == (expected == "appeal")


def test_appeal_prefilter_never_changes_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # is_appeal_sentence first looks for any cue word at all; without that shortcut every answer must be the same.
    import dataclasses

    from narrate import skip

    texts = [str(p.values[0]) for p in cases("script_appeals.txt")]
    texts += [s for f in (ROOT / "scripts").glob("*.txt") for s in split_sentences(f.read_text(encoding="utf-8"))]
    fast = [is_appeal_sentence(t) for t in texts]
    rules = skip.skip_rules()
    monkeypatch.setattr(skip, "skip_rules", lambda: dataclasses.replace(rules, any_cue=re.compile("")))
    assert [is_appeal_sentence(t) for t in texts] == fast


@pytest.mark.parametrize("text,expected", cases("script_credits.txt"))
def test_credits_name_someone(text: str, expected: str) -> None:
    found = credits_of(text)
    if expected == "-":
        assert found is None
    else:
        assert found == [tuple(c.split("=", 1)) for c in expected.split("; ")]


def _blocks(text: str) -> str:
    out = []
    for b in parse_script(text).blocks:
        if b.kind == "paragraph":
            out.append("paragraph: " + " / ".join(s.text for s in b.sentences))
        elif b.kind == "section":
            out.append("section")
        else:
            out.append(f"{b.kind}: {b.value if b.kind in DIRECTIVES else b.text}")
    return " | ".join(out)


@pytest.mark.parametrize("text,expected", cases("script_blocks.txt"))
def test_script_blocks(text: str, expected: str) -> None:
    assert _blocks(text.replace("\\n", "\n")) == expected


@pytest.mark.parametrize(
    "text,narrator",
    [
        ("Written by Jane Doe\nVoiceover by Alex Kim\n\nText.", "Alex Kim"),
        ("Voiceover by Alex Kim\nWritten by Jane Doe\n\nText.", "Alex Kim"),
        ("NARRATOR: The river has flooded twice this decade.", None),
        ("Voiced by the opposition.\n\nText.", None),
        ("---\ntitle: T\nnarrator: Ann Lee\n---\nText.", "Ann Lee"),
    ],
)
def test_only_a_named_credit_sets_the_narrator(text: str, narrator: str | None) -> None:
    assert parse_script(text).narrator == narrator


def test_dropped_labels_and_cues_are_noted() -> None:
    parsed = parse_script("ANCHOR: Good evening.\n[MUSIC UP]\n(SOT) The mayor spoke.\n")
    assert [(n.line, n.message) for n in parsed.notes] == [
        (1, "label 'ANCHOR' dropped"), (2, "production cue: not narrated"), (3, "production cue in the line: not narrated")]


@pytest.mark.parametrize("line,fragment", [("[voice]", "needs a profile name"), ("[pause abc]", "needs a number"),
                                           ("[PAUSE: soon]", "needs a number"), ("[volume 3]", "unknown directive")])
def test_mistyped_directives_are_still_errors(line: str, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        parse_script(f"Hello.\n\n{line}\nMore.\n", name="s.txt")
