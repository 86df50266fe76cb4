"""Real engines synthesize and their WAVs are inspected; user markup is never obeyed."""

from __future__ import annotations

import subprocess
import sys
import types
import wave
from pathlib import Path

import pytest

from conftest import require_tool
from narrate.engines import TakeAudio, VoiceSettings, create_engine, take_fits
from narrate.engines.escape import engine_input, escape_text
from narrate.errors import DependencyError, InputError
from narrate.models import SpokenPart

SENTENCE = "The city council voted on Tuesday to fund three new bus routes next spring."
WORDS = len(SENTENCE.split())


def _wav(path: Path) -> tuple[int, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getframerate(), w.getnframes()


def _fits(duration: float, words: int, rate: int) -> bool:
    """espeak speaks roughly at the asked rate; punctuation pauses and end silence stretch it."""
    expected = words * 60.0 / rate
    return 0.6 * expected <= duration <= 1.6 * expected + 0.5


@pytest.fixture(scope="module")
def espeak():  # type: ignore[no-untyped-def]
    require_tool("espeak-ng")
    engine = create_engine("espeak-ng")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def pyttsx3_engine():  # type: ignore[no-untyped-def]
    if sys.platform.startswith("linux"):
        require_tool("espeak-ng")
    engine = create_engine("pyttsx3")
    yield engine
    engine.close()


@pytest.fixture(params=["espeak-ng", "pyttsx3"])
def engine(request, espeak, pyttsx3_engine):  # type: ignore[no-untyped-def]
    return espeak if request.param == "espeak-ng" else pyttsx3_engine


# --- both real engines -----------------------------------------------------------------------


def test_take_is_real_audio_that_fits_the_words(engine, tmp_path: Path) -> None:
    take = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(rate=175), tmp_path / "t.wav")
    rate, frames = _wav(take.path)
    assert frames == take.frames > 0
    assert rate == take.sample_rate == 22050  # what libespeak-ng reports here
    assert _fits(take.duration_s, WORDS, 175), take.duration_s


def test_rate_changes_duration(engine, tmp_path: Path) -> None:
    slow = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(rate=120), tmp_path / "slow.wav")
    fast = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(rate=240), tmp_path / "fast.wav")
    assert slow.duration_s > 1.5 * fast.duration_s
    assert _fits(slow.duration_s, WORDS, 120) and _fits(fast.duration_s, WORDS, 240)


def test_word_timings_are_ordered_and_inside_the_take(engine, tmp_path: Path) -> None:
    take = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(rate=175), tmp_path / "w.wav")
    words = [w.word for w in take.words]
    assert words == [w.strip(".") for w in SENTENCE.split()]
    starts = [w.start_s for w in take.words]
    assert starts == sorted(starts) and starts[0] >= 0.0 and starts[-1] < take.duration_s
    assert starts[-1] > 0.5 * take.duration_s  # real positions, not all bunched at zero


def test_take_fits_catches_empty_and_wrong_rate_takes(engine, tmp_path: Path) -> None:
    take = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(rate=175), tmp_path / "t.wav")
    assert take_fits(take, WORDS, 175)
    assert not take_fits(take, WORDS, 600) and not take_fits(take, WORDS, 60)  # a rate far off
    assert not take_fits(TakeAudio(take.path, 22050, 0), WORDS, 175)


def test_volume_is_honoured(engine, tmp_path: Path) -> None:
    import numpy as np

    def peak(volume: float) -> int:
        take = engine.synthesize((SpokenPart("Good evening."),), VoiceSettings(volume=volume), tmp_path / f"v{volume}.wav")
        with wave.open(str(take.path), "rb") as w:
            return int(np.abs(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")).max())

    assert peak(0.3) < 0.6 * peak(1.0)


def test_empty_input_gives_an_empty_take(engine, tmp_path: Path) -> None:
    take = engine.synthesize((SpokenPart("  [] <> "),), VoiceSettings(), tmp_path / "e.wav")
    assert take.frames == 0 and _wav(take.path)[1] == 0


def test_typed_phoneme_markup_is_not_obeyed(engine, tmp_path: Path) -> None:
    typed = engine.synthesize((SpokenPart("[[h@'loU]]"),), VoiceSettings(rate=175), tmp_path / "typed.wav")
    hello = engine.synthesize((SpokenPart("hello"),), VoiceSettings(rate=175), tmp_path / "hello.wav")
    # Escaped, the letters are read out ("aitch at l o u"): several words, far longer than "hello".
    assert typed.duration_s > 1.5 * hello.duration_s
    assert len(typed.words) > 1


def test_ssml_and_braces_typed_in_a_script_are_read_not_obeyed(engine, tmp_path: Path) -> None:
    text = '<speak><prosody rate="x-slow">Rain</prosody></speak> {{pause}} today'
    take = engine.synthesize((SpokenPart(text),), VoiceSettings(rate=175), tmp_path / "ssml.wav")
    words = [w.word for w in take.words]
    assert "speak" in words and "Rain" in words and "today" in words  # tags spoken as words, none obeyed


# --- espeak-ng specifics ---------------------------------------------------------------------


def test_lexicon_phonemes_are_obeyed_by_espeak(espeak, tmp_path: Path) -> None:
    parts = (SpokenPart("Reporting,"), SpokenPart("Nguyen", phonemes="w'In"), SpokenPart("in Hanoi."))
    take = espeak.synthesize(parts, VoiceSettings(rate=175), tmp_path / "ph.wav")
    assert [w.word for w in take.words] == ["Reporting", "Nguyen", "in", "Hanoi"]
    as_win = espeak.synthesize((SpokenPart("Reporting, win in Hanoi."),), VoiceSettings(rate=175), tmp_path / "win.wav")
    assert abs(take.duration_s - as_win.duration_s) < 0.15


def test_escaped_input_has_no_phoneme_syntax() -> None:
    espeak_ng = require_tool("espeak-ng")
    text = engine_input((SpokenPart("Say [[h@'loU]] {{x}} <break/> now"),), phonemes=True).text
    assert "[[" not in text and "<" not in text and "{" not in text
    typed = subprocess.run([espeak_ng, "-q", "-x", "--", text], capture_output=True, text=True, timeout=30).stdout
    hello = subprocess.run([espeak_ng, "-q", "-x", "--", "hello"], capture_output=True, text=True, timeout=30).stdout
    assert hello.strip() not in typed


def test_phonemes_cannot_break_out_of_their_brackets() -> None:
    inp = engine_input((SpokenPart("x", phonemes="]] <speak> [[a"),), phonemes=True)
    assert inp.text.count("[[") == 1 and inp.text.count("]]") == 1 and inp.text.endswith("]]")
    assert escape_text("a\x00b\x07c") == "a b c"


def test_espeak_voices_variants_and_language_codes(espeak, tmp_path: Path) -> None:
    ids = {v.id for v in espeak.list_voices()}
    assert "gmw/en-US" in ids
    for voice in ("en-us", "en-us+f3", "en-gb"):  # en-gb is a language code, not a voice file
        assert espeak.synthesize((SpokenPart("News."),), VoiceSettings(voice=voice), tmp_path / "v.wav").frames > 0
    with pytest.raises(InputError, match="no voice 'xx-nowhere'"):
        espeak.synthesize((SpokenPart("News."),), VoiceSettings(voice="xx-nowhere"), tmp_path / "v.wav")


def test_pitch_changes_the_audio(espeak, tmp_path: Path) -> None:
    low = espeak.synthesize((SpokenPart("Good evening."),), VoiceSettings(pitch=10), tmp_path / "lo.wav")
    high = espeak.synthesize((SpokenPart("Good evening."),), VoiceSettings(pitch=90), tmp_path / "hi.wav")
    assert low.path.read_bytes() != high.path.read_bytes()


def test_pyttsx3_prints_nothing_on_stdout(pyttsx3_engine, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    pyttsx3_engine.synthesize((SpokenPart("Quiet please."),), VoiceSettings(), tmp_path / "q.wav")
    assert capfd.readouterr().out == ""


def test_pyttsx3_accepts_phonemes_only_with_the_espeak_driver(pyttsx3_engine) -> None:
    assert pyttsx3_engine.accepts_phonemes == (pyttsx3_engine._driver_name == "espeak")


def test_pyttsx3_version_reads_the_installed_metadata(pyttsx3_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The version is part of every take key: read without importlib.metadata, it must be the same string.
    from importlib.metadata import version

    from narrate.engines import pyttsx3_engine as module

    expected = version("pyttsx3")
    assert module._pyttsx3_version() == expected
    assert pyttsx3_engine.version().startswith(f"pyttsx3-{expected}/")
    # No dist-info beside the package (another layout): importlib.metadata answers.
    fake = tmp_path / "pkg" / "pyttsx3"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    monkeypatch.setattr(sys.modules["pyttsx3"], "__file__", str(fake / "__init__.py"))
    assert module._pyttsx3_version() == expected


def test_both_espeak_engines_share_one_process_in_either_order(tmp_path: Path) -> None:
    require_tool("espeak-ng")
    script = (
        "import sys; from pathlib import Path\n"
        "from narrate.engines import create_engine, VoiceSettings\n"
        "from narrate.models import SpokenPart\n"
        "engines = [create_engine(n) for n in sys.argv[1].split(',')]\n"
        "for i in range(2):\n"
        "    for e in engines:\n"
        "        t = e.synthesize((SpokenPart('Prices rose again.'),), VoiceSettings(), Path(sys.argv[2]) / f'{e.name}{i}.wav')\n"
        "        assert t.frames > 0 and t.words and 0 <= t.words[-1].start_s < t.duration_s, (e.name, t)\n"
    )
    for order in ("espeak-ng,pyttsx3", "pyttsx3,espeak-ng"):
        done = subprocess.run([sys.executable, "-c", script, order, str(tmp_path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


_TAKES_SCRIPT = (
    "import sys; from pathlib import Path\n"
    "from narrate.engines import create_engine, VoiceSettings, espeak_lib\n"
    "from narrate.engines import pyttsx3_engine as module\n"
    "from narrate.models import SpokenPart\n"
    "PRE\n"
    "engine = create_engine('pyttsx3')\n"
    "clock = sys.modules['pyttsx3.drivers.espeak'].time\n"
    "timeouts = []\n"
    "if isinstance(clock, module._WakeableTime):\n"
    "    wait = clock.wake.wait\n"
    "    clock.wake.wait = lambda s: wait(s) or timeouts.append(s) or False\n"
    "for i in range(12):\n"
    "    t = engine.synthesize((SpokenPart(f'Take {i}: prices rose again in the north.'),), VoiceSettings(rate=190), Path(sys.argv[1]) / f'{i}.wav')\n"
    "    assert t.frames > 0 and t.words, (i, t)\n"
    "print(espeak_lib.initialised_by_narrate(), type(clock).__name__, len(timeouts))\n"
)


def _pyttsx3_takes(tmp_path: Path, pre: str = "") -> list[str]:
    done = subprocess.run([sys.executable, "-c", _TAKES_SCRIPT.replace("PRE", pre), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the espeak driver is pyttsx3's default on Linux only")
def test_pyttsx3_runs_libespeak_synchronously_and_ends_takes_without_polling(tmp_path: Path) -> None:
    """narrate starts the library in synchronous mode before pyttsx3's driver: no library thread
    for the driver's stop() to cancel, and the driver's 10 ms poll wakes as soon as a take is
    written (no sleep of a take runs to its timeout)."""
    require_tool("espeak-ng")
    assert _pyttsx3_takes(tmp_path) == ["True", "_WakeableTime", "0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the espeak driver is pyttsx3's default on Linux only")
def test_pyttsx3_keeps_the_drivers_own_loop_when_pyttsx3_started_the_library(tmp_path: Path) -> None:
    """When pyttsx3 started libespeak-ng first (its own thread), the driver's loop is left as it was:
    waking it early there let the next take's stop() cancel the library's unfinished work."""
    require_tool("espeak-ng")
    assert _pyttsx3_takes(tmp_path, pre="import pyttsx3; keep = pyttsx3.init()") == ["False", "module", "0"]


@pytest.mark.parametrize("pre", ["", "import pyttsx3; keep = pyttsx3.init()"], ids=["synchronous", "pyttsx3-first"])
def test_pyttsx3_reports_a_take_it_cannot_write_instead_of_hanging(tmp_path: Path, pre: str) -> None:
    """The driver raises inside libespeak-ng's callback when it cannot write the WAV; ctypes drops
    that exception, and the driver's loop used to wait for the end of the take forever."""
    if sys.platform.startswith("linux"):
        require_tool("espeak-ng")
    code = (
        f"{pre}\n"
        "import sys; from pathlib import Path\n"
        "from narrate.engines import create_engine, VoiceSettings\n"
        "from narrate.errors import SynthesisError\n"
        "from narrate.models import SpokenPart\n"
        "engine = create_engine('pyttsx3')\n"
        "try:\n"
        "    engine.synthesize((SpokenPart('Nowhere to go.'),), VoiceSettings(), Path(sys.argv[1]) / 'missing' / 'a.wav')\n"
        "except SynthesisError as exc:\n"
        "    print('raised')\n"
        "print(engine.synthesize((SpokenPart('Somewhere to go.'),), VoiceSettings(), Path(sys.argv[1]) / 'b.wav').frames > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["raised", "True"], done.stderr[-2000:]


def test_wakeable_time_sleeps_until_woken_or_timed_out() -> None:
    import time

    from narrate.engines.pyttsx3_engine import _WakeableTime

    clock = _WakeableTime(time)
    assert clock.monotonic is time.monotonic  # everything but sleep is the real module
    t = time.perf_counter()
    clock.sleep(0.05)
    assert time.perf_counter() - t >= 0.045  # not woken: an ordinary sleep
    clock.wake.set()
    t = time.perf_counter()
    clock.sleep(5)
    assert time.perf_counter() - t < 1  # woken: returns at once
    assert not clock.wake.is_set()  # and one wake-up serves one sleep only


# --- piper (optional) ------------------------------------------------------------------------


def _fake_piper(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, float]]:
    seen: list[dict[str, float]] = []

    class SynthesisConfig:
        def __init__(self, **kw: float) -> None:
            seen.append(kw)
            self.kw = kw

    class Chunk:
        sample_rate = 16000
        audio_int16_bytes = b"\x01\x00" * 1600

    class PiperVoice:
        config = types.SimpleNamespace(sample_rate=16000, length_scale=1.0)

        @classmethod
        def load(cls, model: str, config_path: str | None = None) -> "PiperVoice":
            assert Path(model).is_file() and Path(config_path or "").is_file()
            return cls()

        def synthesize(self, text: str, syn_config: SynthesisConfig | None = None):  # type: ignore[no-untyped-def]
            assert "[[" not in text
            yield Chunk()

    monkeypatch.setitem(sys.modules, "piper", types.SimpleNamespace(PiperVoice=PiperVoice, SynthesisConfig=SynthesisConfig))
    return seen


def test_piper_without_the_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    with pytest.raises(DependencyError, match="pip install"):
        create_engine("piper")


def test_piper_model_errors_name_the_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_piper(monkeypatch)
    engine = create_engine("piper")
    with pytest.raises(InputError, match="needs 'voice'"):
        engine.synthesize((SpokenPart("Hi"),), VoiceSettings(voice=""), tmp_path / "p.wav")
    model = tmp_path / "voice.onnx"
    with pytest.raises(InputError, match="model not found: .*voice.onnx"):
        engine.synthesize((SpokenPart("Hi"),), VoiceSettings(voice=str(model)), tmp_path / "p.wav")
    model.write_bytes(b"onnx")
    with pytest.raises(InputError, match="config not found: .*voice.onnx.json"):
        engine.synthesize((SpokenPart("Hi"),), VoiceSettings(voice=str(model)), tmp_path / "p.wav")


def test_piper_loading_code_maps_rate_and_writes_the_take(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = _fake_piper(monkeypatch)
    (tmp_path / "voice.onnx").write_bytes(b"onnx")
    (tmp_path / "voice.onnx.json").write_text("{}")
    engine = create_engine("piper")
    take = engine.synthesize((SpokenPart("Hi [[x]]"),), VoiceSettings(voice=str(tmp_path / "voice"), rate=330), tmp_path / "p.wav")
    assert (take.sample_rate, take.frames) == (16000, 1600) and _wav(take.path) == (16000, 1600)
    assert seen[-1]["length_scale"] == pytest.approx(0.5)  # twice the reference pace


def test_piper_real_synthesis(tmp_path: Path) -> None:
    import os

    model = os.environ.get("NARRATE_PIPER_MODEL")
    if not model or not Path(model).is_file():
        pytest.skip("no piper voice model here (none can be downloaded); set NARRATE_PIPER_MODEL=/path/model.onnx to run")
    try:
        engine = create_engine("piper")
    except DependencyError as exc:
        pytest.skip(str(exc))
    take = engine.synthesize((SpokenPart(SENTENCE),), VoiceSettings(voice=model, rate=165), tmp_path / "p.wav")
    assert take.frames > 0 and _fits(take.duration_s, WORDS, 165)


def test_pyttsx3_speaks_a_long_text_in_pieces(pyttsx3_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrate.engines import pyttsx3_engine as module

    monkeypatch.setattr(module, "MAX_CHARS", 60)  # the real limit is 2,000; crashes start near 31,600
    text = " ".join([SENTENCE] * 3)
    whole = pyttsx3_engine.synthesize((SpokenPart(text),), VoiceSettings(rate=200), tmp_path / "long.wav")
    assert _wav(whole.path) == (whole.sample_rate, whole.frames)
    assert [w.word for w in whole.words] == [w.strip(".") for w in text.split()]
    starts = [w.start_s for w in whole.words]
    assert starts == sorted(starts) and starts[-1] < whole.duration_s
    assert _fits(whole.duration_s, 3 * WORDS, 200)
    assert not list(tmp_path.glob(".pyttsx3-*"))  # the pieces are cleaned up


def test_split_input_keeps_phoneme_pieces_whole() -> None:
    from narrate.engines.escape import split_input

    inp = engine_input((SpokenPart("One two three. Four five"), SpokenPart("Nguyen", "w 'In x"), SpokenPart("six. Ten")), phonemes=True)
    for limit in (10, 20, 1000):
        pieces = split_input(inp, limit)
        assert " ".join(t for _, t in pieces) == inp.text
        assert all(inp.text[o : o + len(t)] == t for o, t in pieces)
        assert all(t.count("[[") == t.count("]]") for _, t in pieces)


def test_piper_package_rejects_a_broken_model_clearly(tmp_path: Path) -> None:
    try:
        engine = create_engine("piper")
    except DependencyError:
        pytest.skip("piper-tts is not installed (an optional extra: pip install 'narrate[piper]')")
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not an onnx model")
    (tmp_path / "broken.onnx.json").write_text('{"audio": {"sample_rate": 22050}, "num_symbols": 1, "phoneme_id_map": {}}')
    with pytest.raises(InputError, match="piper could not load .*broken.onnx"):
        engine.synthesize((SpokenPart("Hi"),), VoiceSettings(voice=str(model)), tmp_path / "p.wav")


def _loud_samples(path: Path) -> int:
    """A voice's fingerprint that survives espeak's small run-to-run differences."""
    import numpy as np

    with wave.open(str(path), "rb") as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return int((np.abs(x) > 500).sum())


def test_an_empty_voice_returns_to_the_default_after_another_voice(engine, tmp_path: Path) -> None:
    other = "gmw/en-us+f3" if engine.name == "pyttsx3" else "en-us+f3"
    text = (SpokenPart("Good evening, here is the news at six."),)
    first = _loud_samples(engine.synthesize(text, VoiceSettings(), tmp_path / "a.wav").path)
    female = _loud_samples(engine.synthesize(text, VoiceSettings(voice=other), tmp_path / "b.wav").path)
    again = _loud_samples(engine.synthesize(text, VoiceSettings(), tmp_path / "c.wav").path)
    assert abs(female - first) > 0.08 * first  # the variant really is another voice
    assert abs(again - first) < 0.03 * first  # and the default came back
