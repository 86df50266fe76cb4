"""Lexicons: package defaults, layering, editing, W3C PLS in and out, errors that name the file and line, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.cli import main
from narrate.errors import InputError
from narrate.lexicon import (
    PACKAGE_LEXICON,
    Entry,
    Lexicon,
    add_entry,
    export_pls,
    import_pls,
    load_lexicon,
    project_lexicon_path,
    read_lexicon_file,
    remove_entry,
    write_lexicon_file,
)
from narrate.normalize import normalize, normalize_spans
from narrate.normalize.pipeline import ruleset


def test_package_lexicon_has_news_acronyms() -> None:
    lex = load_lexicon([])
    assert lex.sources == (PACKAGE_LEXICON,)
    isf, nato, svbied = lex.get("ISF"), lex.get("NATO"), lex.get("SVBIED")
    assert isf and isf.spell and isf.expand == "Iraqi security forces"
    assert nato and nato.say == "Nato"
    assert svbied and svbied.spell and svbied.expand
    for term in ("PMU", "IED", "US", "UK", "UN", "EU", "ISIS", "OPEC", "SDF", "YPG", "IRGC", "UAV"):
        assert lex.get(term), term


def test_layers_later_wins_and_missing_layers_are_skipped(tmp_path: Path) -> None:
    profile, project = tmp_path / "profile.toml", tmp_path / "lexicon.toml"
    write_lexicon_file(profile, [Entry("ISF", say="eye ess eff"), Entry("Qayrawan", say="Kay ra wan")])
    write_lexicon_file(project, [Entry("ISF", say="the Iraqi forces")])
    lex = load_lexicon([profile, tmp_path / "absent.toml", project])
    assert lex.sources == (PACKAGE_LEXICON, profile, project)
    assert normalize("ISF near Qayrawan", lex) == "the Iraqi forces near Kay ra wan"
    assert normalize("NATO", lex) == "Nato"  # package entries still apply


def test_case_insensitive_entries_and_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    add_entry(path, Entry("qayrawan", say="Kay ra wan", case_sensitive=False))
    add_entry(path, Entry("ABC", spell=True))
    lex = load_lexicon([path])
    assert normalize("QAYRAWAN and Qayrawan's", lex) == "Kay ra wan and Kay ra wan's"
    assert normalize("ABCs", lex) == "A-B C's"


def test_phonemes_reach_the_parts(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    add_entry(path, Entry("Mosul", say="Mo sul", phonemes="m'oUs@l"))
    result = normalize_spans("west of Mosul today", load_lexicon([path]))
    assert result.spoken == "west of Mo sul today"
    assert [p.phonemes for p in result.parts] == [None, "m'oUs@l", None]
    assert "".join(p.text for p in result.parts) == result.spoken
    assert result.spans[0].cls == "lexicon" and result.spans[0].phonemes == "m'oUs@l"


def test_add_replace_remove_and_atomic_writes(tmp_path: Path) -> None:
    path = project_lexicon_path(tmp_path)
    assert path == tmp_path / "lexicon.toml"
    assert add_entry(path, Entry("ISF", spell=True)) is None
    old = add_entry(path, Entry("isf", say="eye ess eff"))
    assert old is not None and old.spell
    assert [e.written for e in read_lexicon_file(path)] == ["isf"]
    assert remove_entry(path, "ISF").say == "eye ess eff"
    assert read_lexicon_file(path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lexicon.toml"]  # no temp files left behind
    with pytest.raises(InputError, match="no term 'ISF'"):
        remove_entry(path, "ISF")
    with pytest.raises(InputError, match="needs"):
        add_entry(path, Entry("X"))


def test_pls_round_trip(tmp_path: Path) -> None:
    entries = [
        Entry("ISF", spell=True),
        Entry("Qayrawan", say="Kay ra wan", case_sensitive=False),
        Entry("Mosul", say="Mo sul", phonemes="m'oUs@l"),
        Entry("Tikrit", phonemes="tɪˈkriːt"),
    ]
    xml = export_pls(entries)
    assert 'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"' in xml and 'alphabet="x-espeak"' in xml
    pls = tmp_path / "lex.pls"
    pls.write_text(xml, encoding="utf-8")
    back = import_pls(pls)
    strip = [(e.written, e.say, e.spell, e.phonemes, e.case_sensitive) for e in back]
    assert strip == [(e.written, e.say, e.spell, e.phonemes, e.case_sensitive) for e in entries]


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[terms.ISF]\nspell = true\n\n[terms.PMU]\nsay = "P M U\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_lexicon([bad])
    assert f"{bad}:5:" in exc.value.message and "\n" not in exc.value.message


def test_entry_without_a_reading_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[terms.ISF]\nspell = true\n\n[terms.PMU]\ncase_sensitive = false\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"lexicon.toml:4: term 'PMU' needs one of say, spell or phonemes"):
        read_lexicon_file(bad)
    bad.write_text('[terms.ISF]\nspell = "yes"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r":1: 'spell' of term 'ISF' must be true or false"):
        read_lexicon_file(bad)


def test_malformed_pls_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pls"
    bad.write_text('<?xml version="1.0"?>\n<lexicon version="1.0">\n<lexeme><grapheme>ISF</grapheme>\n</lexicon>\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_pls(bad)
    assert f"{bad}:4:" in exc.value.message
    bad.write_text("<html/>", encoding="utf-8")
    with pytest.raises(InputError, match="not a PLS lexicon"):
        import_pls(bad)


def test_compiled_rules_are_cached_per_lexicon() -> None:
    lex = load_lexicon([])
    assert ruleset(lex) is ruleset(lex)
    assert ruleset(Lexicon()) is not ruleset(lex)
    assert hash(lex) == hash(load_lexicon([]))


def test_cli_add_list_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lexicon", "add", "Qayrawan", "--say", "Kay ra wan", "--case-insensitive"]) == 0
    assert main(["lexicon", "add", "PYD", "--spell"]) == 0
    assert main(["lexicon", "add", "Mosul", "--phonemes", "m'oUs@l"]) == 0
    capsys.readouterr()
    assert main(["lexicon", "list"]) == 0
    out = capsys.readouterr().out
    assert "Qayrawan" in out and "spell" in out and "m'oUs@l" in out
    assert main(["normalize", "qayrawan PYD"]) == 0
    assert capsys.readouterr().out == "Kay ra wan P Y D\n"
    assert main(["lexicon", "remove", "PYD"]) == 0
    assert main(["lexicon", "remove", "PYD"]) == 2
    assert "no term 'PYD'" in capsys.readouterr().err


def test_cli_script_and_file_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    story = tmp_path / "story"
    story.mkdir()
    (story / "report.txt").write_text("ISF\n", encoding="utf-8")
    assert main(["lexicon", "add", "ISF", "--say", "eye ess eff", "--script", str(story / "report.txt")]) == 0
    assert (story / "lexicon.toml").is_file() and not (tmp_path / "lexicon.toml").exists()
    assert main(["lexicon", "add", "X1", "--spell", "--file", str(tmp_path / "other.toml")]) == 0
    assert (tmp_path / "other.toml").is_file()
    assert main(["lexicon", "list", "--script", str(tmp_path / "missing.txt")]) == 2


def test_cli_export_and_import_pls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    main(["lexicon", "add", "ISF", "--spell"])
    main(["lexicon", "add", "Qayrawan", "--say", "Kay ra wan"])
    capsys.readouterr()
    assert main(["lexicon", "export", "--pls"]) == 0
    xml = capsys.readouterr().out
    assert "<grapheme>ISF</grapheme>" in xml and "<alias>I S F</alias>" in xml
    (tmp_path / "in.pls").write_text(xml, encoding="utf-8")
    assert main(["lexicon", "import", "in.pls", "--file", "copy.toml"]) == 0
    assert {e.written: e for e in read_lexicon_file(tmp_path / "copy.toml")}["ISF"].spell
    assert main(["lexicon", "export"]) == 0
    assert "[terms.Qayrawan]" in capsys.readouterr().out
    (tmp_path / "broken.pls").write_text("<lexicon>\n<lexeme>\n", encoding="utf-8")
    assert main(["lexicon", "import", "broken.pls"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("narrate: error: broken.pls:3:") and err.count("\n") == 1


def test_case_insensitive_term_found_in_lowercase_possessives_and_compounds(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    add_entry(path, Entry("Qayrawan", say="Kay ra wan", case_sensitive=False))
    lex = load_lexicon([path])
    assert normalize("qayrawan's mayor and qayrawans", lex) == "Kay ra wan's mayor and Kay ra wans"
