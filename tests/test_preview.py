"""narrate preview: spans as runs, spoken text and IPA, plain output on pipes, and the layout in a real terminal."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import require_tool, shared_path
from narrate.cli import main
from narrate.models import Span
from narrate.preview import ipa_of, runs_of


def preview(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["preview", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_runs_cut_text_at_spans() -> None:
    runs = runs_of("took 90km west", [Span(5, 9, "90km", "ninety kilometers", "measure")])
    assert [(r.text, r.cls) for r in runs] == [("took ", None), ("90km", "measure"), (" west", None)]
    # Overlapping spans: the earlier one wins, the text is kept whole.
    runs = runs_of("ab cd", [Span(0, 4, "ab c", "x", "a"), Span(3, 5, "cd", "y", "b")])
    assert "".join(r.text for r in runs) == "ab cd" and [r.cls for r in runs] == ["a", None]


def test_ipa_is_batched_in_order_and_survives_empty_texts() -> None:
    require_tool("espeak-ng")
    got = ipa_of(["ninety", "", "four villages", "hello"])
    assert len(got) == 4
    assert "n" in got[0] and got[1] == "" and "v" in got[2] and "h" in got[3]


def test_text_90km_shows_ninety_kilometers_and_ipa(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    rc, out, _ = preview(capsys, "--text", "90km")
    assert rc == 0
    assert "ninety kilometers" in out
    ipa = [ln for ln in out.splitlines() if ln.startswith("IPA:")]
    assert ipa and "nˈaɪnti" in ipa[0]
    assert "(measure)" in out


def test_text_shows_spans_spoken_and_ipa_in_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    rc, out, _ = preview(capsys, "--text", "The army took 4 villages.")
    assert rc == 0
    assert "\x1b[" not in out  # captured stdout is not a terminal: no ANSI
    lines = out.splitlines()
    assert any(ln.startswith("written:") and "[4]" in ln for ln in lines)
    assert any(ln.startswith("spoken:") and "four villages" in ln for ln in lines)
    assert any(ln.startswith("IPA:") and "fˈɔː" in ln for ln in lines)
    assert max(len(ln) for ln in lines) <= 80


def test_markup_and_dashes_in_text_are_spoken_not_obeyed(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    rc, out, _ = preview(capsys, "--text", "-v [[h@l]] --ipa <b>hi</b>")
    assert rc == 0
    assert any(ln.startswith("IPA:") and len(ln) > 10 for ln in out.splitlines())


def test_script_segment(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    seed = shared_path("seed", "mosul-report.txt")
    rc, out, _ = preview(capsys, str(seed), "--segment", "p03-s03")
    assert rc == 0
    assert "p03-s03" in out and "p03-s02" not in out
    assert "Some" in out and "IPA:" in out


def test_script_json_marks_skipped_segments(capsys: pytest.CaptureFixture[str]) -> None:
    seed = shared_path("seed", "mosul-report.txt")
    rc, out, _ = preview(capsys, str(seed), "--json", "--no-ipa")
    assert rc == 0
    doc = json.loads(out)
    kinds = [s["kind"] for s in doc["segments"]]
    assert kinds[:2] == ["appeal", "credit"] and "narration" in kinds


@pytest.mark.parametrize("args, message", [
    ([], "give a SCRIPT or --text"),
    (["script.txt", "--text", "x"], "not both"),
    (["--text", "x", "--segment", "p01-s01"], "--segment applies to a SCRIPT"),
])
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    rc, _, err = preview(capsys, *args)
    assert rc == 2 and message in err


def test_unknown_segment_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    seed = shared_path("seed", "mosul-report.txt")
    rc, _, err = preview(capsys, str(seed), "--segment", "p99-s09")
    assert rc == 2 and "no segment 'p99-s09'" in err


def _tmux(sock: str, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=20, env=env, check=True).stdout


def _wait_for(sock: str, env: dict[str, str], done: object, seconds: float = 30.0) -> str:
    """Poll the pane until ``done(screen)`` is true (bounded); returns the last screen."""
    screen = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "preview", env=env)
        if done(screen):  # type: ignore[operator]
            return screen
        time.sleep(0.1)
    pytest.fail(f"the terminal did not get there in {seconds:.0f} s; screen:\n{screen}")


def test_preview_in_a_real_terminal(tmp_path: Path) -> None:
    require_tool("tmux")
    require_tool("espeak-ng")
    narrate = Path(sys.executable).with_name("narrate")
    assert narrate.exists(), "run the tests from the venv narrate is installed in"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", PS1="$ ", HOME=str(tmp_path))
    sock = f"narrate-test-{os.getpid()}"
    _tmux(sock, "new-session", "-d", "-x", "80", "-y", "40", "-s", "preview", "sh", env=env)
    try:
        # Type only once the shell shows its prompt: keys sent earlier race the shell's start.
        _wait_for(sock, env, lambda screen: screen.strip().endswith(("$", "#")))
        command = f"{shlex.quote(str(narrate))} preview --text 'The army took 4 villages west of the town of Qayrawan on Monday morning.'; echo __DONE__"
        _tmux(sock, "send-keys", "-t", "preview", command, "Enter", env=env)
        screen = _wait_for(sock, env, lambda screen: any(ln.strip() == "__DONE__" for ln in screen.splitlines()))
        lines = screen.splitlines()
        assert any(ln.startswith("legend:") and "number" in ln for ln in lines)
        assert any(ln.startswith("written: The army took 4 villages") for ln in lines)
        assert any(ln.startswith("spoken:") and "four villages" in ln for ln in lines)
        ipa = [i for i, ln in enumerate(lines) if ln.startswith("IPA:")]
        assert ipa and "fˈɔː" in lines[ipa[0]]
        # Long lines wrap under their label, not to column 0.
        assert lines[ipa[0] + 1].startswith(" " * 9) and lines[ipa[0] + 1].strip()
        # In a terminal without NO_COLOR, spans are coloured rather than bracketed.
        assert "[4]" not in screen
        coloured = _tmux(sock, "capture-pane", "-p", "-e", "-t", "preview", env=env)
        assert "\x1b[" in coloured
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=20)
        Path(f"/tmp/tmux-{os.getuid()}/{sock}").unlink(missing_ok=True)


def test_ipa_follows_each_voice_and_falls_back_to_its_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "us.toml").write_text('engine = "pyttsx3"\nvoice = "en-us"\n', encoding="utf-8")
    (tmp_path / "voices" / "odd.toml").write_text('engine = "pyttsx3"\nvoice = "xqzvoice"\n', encoding="utf-8")
    script = tmp_path / "s.txt"
    script.write_text("[voice us]\n\nHello tomato.\n\n[voice odd]\n\nTomato again.\n", encoding="utf-8")
    rc, out, _ = preview(capsys, str(script))
    assert rc == 0
    ipa = [ln for ln in out.splitlines() if ln.startswith("IPA:")]
    assert len(ipa) == 2 and "həlˈoʊ" in ipa[0] and "ɐɡˈɛn" in ipa[1]
