"""Web addresses and emails: read piece by piece with "dot", "slash", "at".

Examples: "southfront.org" -> "southfront dot org"; "www.bbc.co.uk" -> "W W W dot B B C dot co dot U K";
"https://example.com/news" -> "H T T P S colon slash slash example dot com slash news";
"press@un.org" -> "press at un dot org"; "asdf123@abc.com" -> "asdf one two three at abc dot com".
"""

from __future__ import annotations

import re

from .numbers import digits, number
from .rules import Ctx, Rule, alternation, rows, spell
from .symbol import SILENT, is_symbol, symbols

_SAY = {".": " dot ", "/": " slash ", "@": " at ", "-": " dash ", "_": " underscore ", ":": " colon ", "?": " question mark ", "=": " equals ", "&": " and ", "#": " hash ", "~": " tilde ", "+": " plus ", "%": " percent "}
TLD = alternation([r[0] for r in rows("tlds.tsv")], frozenset(r[0] for r in rows("tlds.tsv")))
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PATH = r"(?:/[\w\-.~%/?=&#+]*[\w\-~%/=&#+])?/?"


def _word(piece: str, last: bool) -> str:
    low = piece.lower()
    if low in {"www", "http", "https", "ftp"} or not re.search(r"[aeiouy]", low) or len(low) == 1:
        return spell(low)  # no vowel: an engine could not say it as a word
    if last and len(low) == 2 and low != "co":
        return spell(low)  # a country code: "uk" -> "U K"
    return piece


def speak(address: str) -> str:
    """Each piece of an address: words stay, digits one by one, punctuation named."""
    pieces = re.findall(r"[^\W\d_º]+|\d+|.", address)  # words of any script; º is a sign here
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if piece.isdigit():
            out.append(digits(piece))
        elif piece.isascii() and piece.isalpha():
            out.append(_word(piece, last=i == len(pieces) - 1 or pieces[i + 1] == "/"))
        elif piece in _SAY:
            out.append(_SAY[piece].strip())
        else:
            out.append(_other(piece))
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def _other(piece: str) -> str:
    """A letter of another script stays; a sign is said from the symbol data or dropped, as outside addresses."""
    if len(piece) > 1 or (piece.isalpha() and piece != "º"):
        return piece  # "Zürich", "é": letters stay
    spoken, _ = symbols().get(piece, ("", ""))
    if spoken and spoken != SILENT:
        return spoken
    return "" if spoken or is_symbol(piece) else piece


def _address(m: re.Match[str], ctx: Ctx) -> str | None:
    return speak(m.group(0))


#: Words a software version follows: "version 2.10", "Python 3.11", "iOS 17.2", "v2.0".
_VERSIONED = ["version", "Version", "ver.", "release", "Release", "Python", "iOS", "iPadOS", "macOS", "Android",
              "Linux", "Ubuntu", "Debian", "Firefox", "Chrome", "Node.js", "Java", "PHP", "Perl", "Ruby", "Rust", "Go",
              "Kotlin", "Swift", "Bluetooth", "USB", "HTML", "HTTP", "Wi-Fi", "WiFi", "GPT", "Llama", "Gemini", "Claude"]
_AFTER_VERSIONED = "(?:" + "|".join(rf"(?<=\b{re.escape(w)}\s)" for w in _VERSIONED) + r"|(?<![\w.])v(?=\d))"


def _version(m: re.Match[str], ctx: Ctx) -> str | None:
    """A version's parts are whole numbers: "3.11" -> "three point eleven", "2.0.1" -> "two point zero point one"."""
    lead = "version " if m.group(0).startswith("v") else ""
    return lead + " point ".join(number(p) for p in m.group("v").split("."))


RULES = [
    Rule("version", "electronic", r"(?=v?\d)" + _AFTER_VERSIONED + r"v?(?P<v>\d+(?:\.\d+){1,3})(?![\w]|\.\d)", _version),
    Rule("email", "electronic", r"(?<![\w.+-])[\w.+-]+@" + _LABEL + r"(?:\." + _LABEL + r")+(?![\w])", _address),
    Rule("url", "electronic", r"(?<![\w@./-])(?:(?:https?|ftp)://)?(?:" + _LABEL + r"\.)+" + TLD + r"(?:\.[A-Za-z]{2})?(?![\w-])" + _PATH, _address),
    Rule("url-scheme", "electronic", r"(?<![\w])(?:https?|ftp)://[^\s]+[\w/]", _address),
]
