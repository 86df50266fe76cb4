"""Hostile and odd input: each case is rendered sensibly or refused with one line and a non-zero exit."""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_tool
from narrate.cli import main
from narrate.errors import NarrateError
from narrate.plan import plan_text
from narrate.script import parse_script

# name, file bytes, expected exit of `narrate segments` (0: planned sensibly)
CASES: list[tuple[str, bytes, int]] = [
    ("empty", b"", 2),
    ("whitespace", b" \n\t \r\n ", 2),
    ("binary", bytes(range(256)) * 4, 2),
    ("invalid-utf8", b"Hello \xff\xfe world.", 2),
    ("utf8-bom", codecs.BOM_UTF8 + "The ISF advanced.".encode(), 0),
    ("utf16-bom", "The ISF advanced 9%.".encode("utf-16"), 0),
    ("utf16-be-bom", codecs.BOM_UTF16_BE + "The PMU held.".encode("utf-16-be"), 0),
    ("crlf", b"One sentence.\r\n\r\nAnother paragraph.\r\n", 0),
    ("control-chars", b"Bell\x07 and escape\x1b[31m red. Fine.", 0),
    ("emoji", "Troops advanced 🚀🔥 near Mosul 👍🏽.".encode(), 0),
    ("arabic-inside", "The mayor of الموصل said the river was calm.".encode(), 0),
    ("only-arabic", "قالت القوات العراقية إنها تقدمت".encode(), 0),
    ("ssml-markup", b"<speak>Hello <break time='3s'/> world</speak>", 0),
    ("phoneme-markup", b"He said [[h@'loU]] twice. {{danger}} too.", 0),
    ("only-credit", b"Voiceover by Harold Hoover", 2),
    ("only-punctuation", b"... !!! ???", 0),
]


@pytest.mark.parametrize("name,data,code", CASES, ids=[c[0] for c in CASES])
def test_segments_on_odd_input(name: str, data: bytes, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / f"{name}.txt"
    script.write_bytes(data)
    rc = main(["segments", str(script), "--json"])
    out, err = capsys.readouterr()
    if code == 0 and rc == 2 and "nothing to narrate" in err:
        return  # punctuation only: refused clearly, also sensible
    assert rc == code, err
    if rc:
        assert err.count("\n") == 1 and err.startswith("narrate: error: ") and str(script) in err
    else:
        import json

        segs = json.loads(out)["segments"]
        spoken = " ".join(s["spoken"] for s in segs)
        assert "[[" not in spoken and "<speak" not in spoken and "{{" not in spoken


def test_folder_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segments", str(tmp_path)]) == 2
    assert main(["render", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "no such script" in err and "Traceback" not in err


def test_unknown_voice_lists_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("Hello there.\n", encoding="utf-8")
    assert main(["render", str(script), "--voice", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "unknown voice 'nobody'" in err and "default" in err


def test_output_folder_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("Hello there.\n", encoding="utf-8")
    assert main(["render", str(script), "-o", str(tmp_path / "no" / "x.wav")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_huge_single_line_and_many_lines_plan_quickly(tmp_path: Path) -> None:
    line = ("The army advanced 5km, and the rebels fled toward the river. " * 170_000).strip()  # ~10 MB
    parsed = parse_script(line)
    assert sum(len(b.sentences) for b in parsed.blocks) >= 170_000
    many = "\n".join(f"Line {i} says the ISF held." for i in range(100_000))
    parsed = parse_script(many)
    assert parsed.blocks[-1].sentences[-1].line == 100_000


def _missing_tool_env(tmp_path: Path, keep: set[str]) -> dict[str, str]:
    """An environment whose PATH offers only ``keep`` (plus python), to fake a machine without a tool."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in keep:
        path = require_tool(tool)
        (bin_dir / tool).symlink_to(path)
    env = dict(os.environ)
    env["PATH"] = str(bin_dir)
    return env


def test_missing_ffmpeg_says_what_to_install(tmp_path: Path) -> None:
    env = _missing_tool_env(tmp_path, {"espeak-ng"})
    script = tmp_path / "s.txt"
    script.write_text("Hello there.\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "narrate", "render", str(script), "-o", str(tmp_path / "s.mp3")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 3, res.stderr
    assert "ffmpeg" in res.stderr and "install" in res.stderr and "Traceback" not in res.stderr


def test_missing_espeak_says_what_to_install(tmp_path: Path) -> None:
    env = _missing_tool_env(tmp_path, set())
    res = subprocess.run([sys.executable, "-m", "narrate", "preview", "--text", "ISF"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 3, res.stderr
    assert "espeak-ng" in res.stderr and "install" in res.stderr and "Traceback" not in res.stderr


# ------------------------------------------------------------------ properties

WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
PIECES = st.lists(
    st.one_of(
        st.sampled_from(["Dr.", "U.S.", "Gen.", "3.5", "9%", "90km", "(ISF)", "—", "...", "?", "!", "\n", "\n\n", "[voice default]",
                         "---", "[pause 1]", "+++", "Voiceover by Ann", "PayPal", "\"", "’", "1991", "$4.5bn", "5:45 pm", "II"]),
        st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True),
        WORDS,
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(PIECES)
def test_parser_and_planner_never_raise_anything_but_a_narrate_error(pieces: list[str]) -> None:
    text = " ".join(pieces)
    try:
        parsed = parse_script(text, strict=False)
    except NarrateError:
        return
    # No word is lost: every word of every paragraph is in one of its sentences.
    for block in parsed.blocks:
        if block.kind == "paragraph":
            assert " ".join(s.text for s in block.sentences).split() == block.text.split()
    try:
        plan = plan_text(text, strict=False)
    except NarrateError:
        return
    for seg in plan.segments:
        if seg.narrated:
            assert seg.spoken.strip()
            assert not re.search(r"\[\[|\]\]", seg.spoken)
