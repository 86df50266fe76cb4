"""Nothing typed by a user steers files or engines: paths stay in their folders, markup is never obeyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import require_tool
from narrate.cache import TakeCache, cache_root
from narrate.cli import main
from narrate.engines.escape import escape_text


@pytest.mark.parametrize("name", ["..evil;rm -rf ~.txt", "$(touch pwned).txt", "spaces and 'quotes'.txt", "-o.txt", "ünïcødé.txt"])
def test_odd_script_names_keep_outputs_and_cache_beside_the_script(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("NARRATE_CACHE_DIR")
    script = folder / name
    script.write_text("The ISF advanced on Monday.\n", encoding="utf-8")
    assert main(["render", "--json", "--", str(script)]) == 0 if name.startswith("-") else main(["render", "--json", str(script)]) == 0
    doc = json.loads(capsys.readouterr().out)
    made = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(folder in p.parents for p in made), made
    assert Path(doc["output"]).resolve().parent == folder
    assert not (tmp_path / "pwned").exists() and not (folder / "pwned").exists()
    cache = TakeCache(cache_root(script))
    manifest = cache.manifest_path(script)
    assert manifest.parent == folder / ".narrate" / "renders"


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "p01-s01/../../x", "/tmp/x", "p99-s99"])
def test_segment_ids_cannot_name_paths(bad_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("One. Two.\n", encoding="utf-8")
    assert main(["regen", str(script), bad_id]) == 2
    assert main(["takes", str(script), bad_id]) == 2
    err = capsys.readouterr().err
    assert "no segment" in err and "Traceback" not in err


def test_cache_keys_are_checked_before_they_become_paths(tmp_path: Path) -> None:
    cache = TakeCache(tmp_path)
    for key in ("../../x", "abc", "0" * 15, "g" * 32):
        with pytest.raises(ValueError):
            cache.key_dir(key)


@pytest.mark.parametrize("text", ["[[h@'loU]]", "<speak><break time='9s'/></speak>", "{{x}}", "\\\\mark", "`cmd`"])
def test_engine_input_escapes_markup(text: str) -> None:
    out = escape_text(text)
    assert not any(ch in out for ch in "[]<>{}\\`")
