"""Voice profiles: ``voices/NAME.toml`` loaded into frozen dataclasses."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .engines.base import VoiceSettings
from .errors import InputError
from .filememo import by_file
from .normalize import NormalizeOptions
from .presets import LOUDNESS_PRESETS

#: Loudness presets (integrated LUFS) the CLI and profiles may name.


@dataclass(frozen=True)
class Pauses:
    """Seconds of silence planned after each unit (news defaults)."""

    clause: float = 0.2
    sentence: float = 0.35
    paragraph: float = 0.8
    section: float = 1.5


@dataclass(frozen=True)
class VoiceProfile:
    """How one voice speaks.

    engine: registry name of the engine (``pyttsx3``, ``espeak-ng``, ``piper``).
    voice: the engine's own voice id (empty: the engine's default).
    rate: words per minute. pitch: 0-100 (50 neutral). volume: 0.0-1.0.
    lexicons: extra lexicon files (relative to the profile file).
    loudness_target: integrated LUFS for the mastered track.
    expand_acronyms: speak acronym expansions where the lexicon has one.
    read_repeated_acronyms: read "(ISF)" right after its own expansion.
    number_and: "one hundred and twenty" (British) instead of "one hundred twenty" (American, the default).
    ungrouped_as_digits: an ungrouped number of five or more digits ("No. 80417") is a code, read digit by digit;
        for copy that groups its quantities ("16,000").
    """

    name: str = "default"
    engine: str = "pyttsx3"
    voice: str = ""
    rate: int = 165
    pitch: int = 50
    volume: float = 1.0
    pauses: Pauses = field(default_factory=Pauses)
    lexicons: tuple[Path, ...] = ()
    loudness_target: float = -16.0
    expand_acronyms: bool = False
    read_repeated_acronyms: bool = False
    number_and: bool = False
    ungrouped_as_digits: bool = False
    language: str = "en"
    description: str = ""
    path: Path | None = None

    def with_rate(self, rate: int) -> "VoiceProfile":
        return replace(self, rate=rate)

    def voice_settings(self) -> VoiceSettings:
        """What the profile's engine needs to speak (and what the take cache keys on)."""
        return VoiceSettings(voice=self.voice, rate=self.rate, pitch=self.pitch, volume=self.volume, language=self.language)

    def normalize_options(self) -> NormalizeOptions:
        """How the profile's text is read; every command that normalizes for a voice asks here, so none drops a field."""
        return NormalizeOptions(
            expand_acronyms=self.expand_acronyms,
            read_repeated_acronyms=self.read_repeated_acronyms,
            number_and=self.number_and,
            ungrouped_as_digits=self.ungrouped_as_digits,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "engine": self.engine,
            "voice": self.voice,
            "rate": self.rate,
            "pitch": self.pitch,
            "volume": self.volume,
            "pauses": {f.name: getattr(self.pauses, f.name) for f in fields(Pauses)},
            "lexicons": [str(p) for p in self.lexicons],
            "loudness_target": self.loudness_target,
            "expand_acronyms": self.expand_acronyms,
            "number_and": self.number_and,
            "ungrouped_as_digits": self.ungrouped_as_digits,
            "description": self.description,
            "path": str(self.path) if self.path else None,
        }


def voices_dirs(script_dir: Path | None = None) -> list[Path]:
    """Folders searched for profiles, first match wins."""
    dirs: list[Path] = []
    env = os.environ.get("NARRATE_VOICES_DIR")
    if env:
        dirs.append(Path(env))
    if script_dir is not None:
        dirs += [script_dir / "voices", script_dir.parent / "voices"]
    dirs.append(Path.cwd() / "voices")
    # The project's own voices/ (a source checkout or an editable install).
    dirs.append(Path(__file__).resolve().parent.parent / "voices")
    seen: list[Path] = []
    for d in dirs:
        r = d.resolve()
        if r not in seen:
            seen.append(r)
    return seen


def _num(data: dict[str, object], key: str, default: float, path: Path, lo: float, hi: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{path}: '{key}' must be a number, got {value!r}")
    if not lo <= float(value) <= hi:
        raise InputError(f"{path}: '{key}' = {value} is out of range {lo:g}..{hi:g}")
    return float(value)


@by_file
def load_profile_file(path: Path) -> VoiceProfile:
    """Read one profile file; a malformed one is an InputError naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read voice profile ({exc})") from None
    known = {f.name for f in fields(VoiceProfile)} - {"path", "name"}
    unknown = set(data) - known
    if unknown:
        raise InputError(f"{path}: unknown profile field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    pauses_raw = data.get("pauses", {})
    if not isinstance(pauses_raw, dict):
        raise InputError(f"{path}: 'pauses' must be a table")
    pause_known = {f.name for f in fields(Pauses)}
    bad = set(pauses_raw) - pause_known
    if bad:
        raise InputError(f"{path}: unknown pause(s) {', '.join(sorted(bad))}; known: {', '.join(sorted(pause_known))}")
    pauses = Pauses(**{k: _num(pauses_raw, k, getattr(Pauses(), k), path, 0.0, 30.0) for k in pause_known})
    loud = data.get("loudness_target", -16.0)
    if isinstance(loud, str):
        if loud not in LOUDNESS_PRESETS:
            raise InputError(f"{path}: loudness_target '{loud}' is not one of {', '.join(LOUDNESS_PRESETS)}")
        loud = LOUDNESS_PRESETS[loud]
    lexicons = data.get("lexicons", [])
    if not isinstance(lexicons, list) or not all(isinstance(x, str) for x in lexicons):
        raise InputError(f"{path}: 'lexicons' must be a list of file names")
    for key in ("engine", "voice", "language", "description"):
        if key in data and not isinstance(data[key], str):
            raise InputError(f"{path}: '{key}' must be a string")
    engine = str(data.get("engine", "pyttsx3"))
    from .engines import BUILTIN, engine_names

    # A built-in name needs no scan of the installed packages' entry points (the scan cost ~7 ms a profile).
    if engine not in BUILTIN and engine not in engine_names():
        raise InputError(f"{path}: unknown engine '{engine}'; known engines: {', '.join(engine_names())}")
    voice = str(data.get("voice", ""))
    if engine == "piper" and voice and not Path(voice).expanduser().is_absolute():
        # A model file named by the profile lives beside the profile, not the current folder.
        voice = str((path.parent / voice).resolve())
    return VoiceProfile(
        name=path.stem,
        engine=engine,
        voice=voice,
        rate=int(_num(data, "rate", 165, path, 40, 600)),
        pitch=int(_num(data, "pitch", 50, path, 0, 100)),
        volume=_num(data, "volume", 1.0, path, 0.0, 1.0),
        pauses=pauses,
        lexicons=tuple((path.parent / x).resolve() for x in lexicons),
        loudness_target=_num({"l": loud}, "l", -16.0, path, -70.0, 0.0),
        expand_acronyms=bool(data.get("expand_acronyms", False)),
        read_repeated_acronyms=bool(data.get("read_repeated_acronyms", False)),
        number_and=bool(data.get("number_and", False)),
        ungrouped_as_digits=bool(data.get("ungrouped_as_digits", False)),
        language=str(data.get("language", "en")),
        description=str(data.get("description", "")),
        path=path,
    )


def list_profiles(script_dir: Path | None = None) -> dict[str, VoiceProfile]:
    """Every profile visible from ``script_dir``; earlier folders shadow later ones."""
    found: dict[str, VoiceProfile] = {}
    for d in voices_dirs(script_dir):
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.toml")):
            if p.stem not in found:
                found[p.stem] = load_profile_file(p)
    if "default" not in found:
        found["default"] = VoiceProfile()
    return dict(sorted(found.items()))


def load_profile(name: str, script_dir: Path | None = None) -> VoiceProfile:
    """The named profile, or an InputError listing the known names."""
    profiles = list_profiles(script_dir)
    if name not in profiles:
        raise InputError(f"unknown voice '{name}'; known voices: {', '.join(profiles)}")
    return profiles[name]
