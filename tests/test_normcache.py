"""The memo of normalized sentences a render keeps: reused only while nothing a reading depends on has changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrate import normcache
from narrate.cache import TakeCache, cache_root
from narrate.lexicon import Entry, Lexicon, load_lexicon
from narrate.normalize import NormalizeOptions, normalize_spans
from narrate.plan import build_plan
from narrate.render import RenderOptions, render

SCRIPT = """Iraqi security forces (ISF) advanced on Monday. They took 3 villages.

The PMU moved 12km west of Tal Afar at 5:45 pm. Aid groups warned of 300m shortages.

Officials expect the offensive to cost $4.5bn and last 120 days.
"""
SENTENCES = 5

PROFILE = """engine = "fake"
rate = 170
number_and = {number_and}
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "default.toml").write_text(PROFILE.format(number_and="false"), encoding="utf-8")
    p = tmp_path / "news.txt"
    p.write_text(SCRIPT, encoding="utf-8")
    return p


@pytest.fixture
def normalized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sentence the memo had to normalize (a miss), in order."""
    seen: list[str] = []

    def counting(text: str, lexicon, options):  # type: ignore[no-untyped-def]
        seen.append(text)
        return normalize_spans(text, lexicon, options)

    monkeypatch.setattr(normcache, "normalize_spans", counting)
    return seen


def memo_file(script: Path) -> Path:
    return TakeCache(cache_root(script)).normalized_path(script)


def rendered_plan_is_fresh(script: Path) -> None:
    """The plan a render makes with the memo it finds is the plan normalized from scratch."""
    from narrate.render import _session

    s = _session(script, None)
    assert s.plan == build_plan(script)


def test_rerender_normalizes_only_the_edited_sentence(script: Path, normalized: list[str]) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == SENTENCES and memo_file(script).is_file()
    normalized.clear()
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert normalized == []
    script.write_text(SCRIPT.replace("They took 3 villages.", "They took 4 villages."), encoding="utf-8")
    result = render(script, RenderOptions(jobs=1, subtitles=False))
    assert normalized == ["They took 4 villages."]
    assert result.synthesized == 1
    rendered_plan_is_fresh(script)
    # The memo follows the script: the old sentence's entry is gone.
    entries = json.loads(memo_file(script).read_text(encoding="utf-8"))["entries"]
    assert len(entries) == SENTENCES


def test_plan_from_the_memo_is_the_plan_normalized_afresh(script: Path) -> None:
    memo = normcache.NormalizeMemo()
    first = build_plan(script, normalize=memo.normalize)
    memo.save(memo_file(script))
    again = normcache.NormalizeMemo.load(memo_file(script))
    second = build_plan(script, normalize=again.normalize)
    assert first == second == build_plan(script)
    assert (memo.misses, again.hits, again.misses) == (SENTENCES, SENTENCES, 0)


def test_lexicon_change_normalizes_everything_again(script: Path, normalized: list[str]) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    normalized.clear()
    (script.parent / "lexicon.toml").write_text('[terms.Tal]\nsay = "Taal"\n', encoding="utf-8")
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == SENTENCES
    rendered_plan_is_fresh(script)
    assert any("Taal Afar" in s.spoken for s in build_plan(script).segments)


def test_profile_change_normalizes_everything_again(script: Path, normalized: list[str]) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    normalized.clear()
    (script.parent / "voices" / "default.toml").write_text(PROFILE.format(number_and="true"), encoding="utf-8")
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == SENTENCES
    rendered_plan_is_fresh(script)
    assert any("one hundred and twenty days" in s.spoken for s in build_plan(script).segments)


def test_code_change_normalizes_everything_again(script: Path, normalized: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    normalized.clear()
    monkeypatch.setattr(normcache, "code_fingerprint", lambda: "another narrate")
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == SENTENCES


def test_package_digest_follows_every_file_but_bytecode(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "mod.py").write_text("X = 1\n")
    (pkg / "data" / "units.tsv").write_text("km\tkilometer\n")
    first = normcache.package_digest(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    assert normcache.package_digest(pkg) == first
    (pkg / "data" / "units.tsv").write_text("km\tkilometre\n")
    changed = normcache.package_digest(pkg)
    assert changed != first
    (pkg / "data" / "units.tsv").rename(pkg / "data" / "units2.tsv")
    assert normcache.package_digest(pkg) not in (first, changed)



def test_code_fingerprint_covers_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real = normcache.code_fingerprint()
    try:
        monkeypatch.setattr(normcache, "package_digest", lambda root: "an edited copy")
        normcache.code_fingerprint.cache_clear()
        assert normcache.code_fingerprint() != real
    finally:
        monkeypatch.undo()
        normcache.code_fingerprint.cache_clear()
    assert normcache.code_fingerprint() == real


@pytest.mark.parametrize("damage", ["truncated", "not-json-object", "wrong-format"])
def test_a_damaged_memo_file_is_ignored_and_replaced(script: Path, normalized: list[str], damage: str) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    path = memo_file(script)
    raw = path.read_text(encoding="utf-8")
    path.write_text({"truncated": raw[: len(raw) // 2], "not-json-object": "[1, 2]",
                     "wrong-format": raw.replace('"format":1', '"format":999')}[damage], encoding="utf-8")
    normalized.clear()
    result = render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == SENTENCES and result.synthesized == 0
    rendered_plan_is_fresh(script)
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == normcache.FORMAT


def test_a_damaged_entry_is_normalized_again(script: Path, normalized: list[str]) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    path = memo_file(script)
    doc = json.loads(path.read_text(encoding="utf-8"))
    keys = sorted(doc["entries"])
    doc["entries"][keys[0]] = "garbage"
    doc["entries"][keys[1]][1] = [[0, 10_000, "x", "cardinal", None, False]]  # a span beyond its sentence
    doc["entries"][keys[2]] = [[[7, None]], []]  # a part that is not text
    path.write_text(json.dumps(doc), encoding="utf-8")
    normalized.clear()
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert len(normalized) == 3
    rendered_plan_is_fresh(script)


def test_decode_gives_back_what_was_encoded() -> None:
    lexicon = load_lexicon([])
    for text in ["ISF troops took 4 SVBIEDs 90km west of Mosul on March 3, 2017 at 5:45 pm.",
                 "A 300m wall, 1/2 of it new (see un.org).", "", "Plain words only"]:
        for options in (NormalizeOptions(), NormalizeOptions(number_and=True, expand_acronyms=True)):
            norm = normalize_spans(text, lexicon, options)
            stored = json.loads(json.dumps(normcache.encode(norm)))
            assert normcache.decode(text, stored) == norm
    phonemes = normalize_spans("Qayrawan fell.", Lexicon(entries=(Entry(written="Qayrawan", say="Kay ra wan", phonemes="k'eIr@w,A:n"),)))
    assert any(p.phonemes for p in phonemes.parts)
    assert normcache.decode("Qayrawan fell.", json.loads(json.dumps(normcache.encode(phonemes)))) == phonemes


def test_pruning_a_gone_scripts_render_drops_its_memo(script: Path) -> None:
    render(script, RenderOptions(jobs=1, subtitles=False))
    assert memo_file(script).is_file()
    path = memo_file(script)
    script.unlink()
    TakeCache(cache_root(script)).prune()
    assert not path.exists()
