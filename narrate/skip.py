"""What a narrator does not read: credit lines and support appeals, from ``data/skip_patterns.toml``.

A credit names someone in a role ("Voiceover by Harold Hoover", "(Reporting by …; Editing by …)"); an appeal is a
sentence that asks the listener for money, support or an action ("Please support our work on Patreon.").
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .sentences import split_sentences

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class SkipRules:
    """What is not narrated, from ``data/skip_patterns.toml``."""

    credit_max_words: int
    credit: tuple[re.Pattern[str], ...]
    narrator_roles: frozenset[str]
    name_connectors: frozenset[str]
    org_nouns: frozenset[str]
    appeal_max_words: int
    #: A call to action at a sentence's start, enough alone ("Subscribe and hit the bell").
    imperative: re.Pattern[str]
    #: A call to action at a sentence's start that needs an address too ("Follow us", "Join our newsletter").
    addressed_verb: re.Pattern[str]
    #: A call to action anywhere ("donations", "become a member") …
    action: re.Pattern[str]
    #: … and an address to the listener or from the publisher ("you", "please", "our", a link).
    address: re.Pattern[str]
    reported: re.Pattern[str]
    phrases: re.Pattern[str]
    payment_label: re.Pattern[str]
    #: Any word an appeal needs: most sentences have none, and one search says so.
    any_cue: re.Pattern[str]


def alternation(items: list[str], escape: bool = False) -> str:
    """One regex alternation of ``items``, longest first (so "voice over" wins over "voice")."""
    return "|".join(re.escape(i) if escape else i for i in sorted(items, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def skip_rules() -> SkipRules:
    data = tomllib.loads((DATA / "skip_patterns.toml").read_text(encoding="utf-8"))
    credit = data["credit"]
    appeal = data["appeal"]
    roles = alternation(credit["roles"], escape=True)
    qualifiers = alternation(credit.get("qualifiers", []), escape=True)
    qualified = rf"(?:(?:{qualifiers})[\s-]+)?" if qualifiers else ""
    role = rf"(?P<role>(?:{qualified}(?:{roles})\s*(?:,|&|\band\b|/)?\s*){{1,4}})"
    # "Translated from the Arabic by …": a source language may stand between the role and "by".
    source = r"(?:\s+from\s+(?:the\s+)?[A-Z][\w-]*)?"
    by_name = rf"^{role}{source}\s*(?:\bby\b|\bcourtesy\s+of\b|:|-|–|—)\s*:?\s*(?P<name>[^:;|]{{2,80}}?)\s*\.?$"
    patterns = tuple(re.compile(p, re.IGNORECASE) for p in credit.get("patterns", [])) + (re.compile(by_name, re.IGNORECASE),)
    lead = appeal["lead"]
    word_end = r"(?![\w’'-])"
    # A noun that merely looks like the verb: "Support for the plan fell", "Join us next week for part two".
    not_a_verb = r"(?!\s+(?:for|of|from|to|in|among|was|is|has|had|grew|fell|rose|remains|came|comes)\b)"
    not_a_signoff = r"(?!\s+(?:us|me)\s+(?:next|tomorrow|again|on|for|at|as|in|this|after|live|then|here)\b)"
    address = rf"\b(?:{alternation(appeal['address'])}){word_end}|{appeal['link']}"
    cues = [*appeal["imperative"], *appeal["verbs"], *appeal["action"]]
    return SkipRules(
        credit_max_words=int(credit["max_words"]),
        credit=patterns,
        narrator_roles=frozenset(r.lower() for r in credit["narrator_roles"]),
        name_connectors=frozenset(credit.get("name_connectors", [])),
        org_nouns=frozenset(credit.get("org_nouns", [])),
        appeal_max_words=int(appeal["max_words"]),
        imperative=re.compile(rf"{lead}(?:{alternation(appeal['imperative'])})", re.IGNORECASE),
        addressed_verb=re.compile(rf"{lead}(?:{alternation(appeal['verbs'])}){word_end}{not_a_verb}{not_a_signoff}", re.IGNORECASE),
        action=re.compile(rf"\b(?:{alternation(appeal['action'])}){word_end}", re.IGNORECASE),
        address=re.compile(address, re.IGNORECASE),
        reported=re.compile(appeal["reported"], re.IGNORECASE),
        phrases=re.compile(alternation(appeal["phrases"]), re.IGNORECASE),
        payment_label=re.compile(appeal["payment_label"], re.IGNORECASE),
        any_cue=re.compile(rf"\b(?:{alternation(cues)})|{alternation(appeal['phrases'])}|{appeal['payment_label']}", re.IGNORECASE),
    )


def looks_like_names(name: str, role: str = "") -> bool:
    """Whether the credited part reads as names ("Dr. Aisha Bello", "AP/Evan Vucci", "Ana Ruiz and Leo Chen"), not a
    clause ("survivors, the film tells…"), a quote or a common noun phrase ("the opposition", "millions").

    >>> looks_like_names("Humeyra Pamuk in Washington"), looks_like_names("the government, the agency acted")
    (True, False)
    """
    rules = skip_rules()
    if not name or any(q in name for q in "\"“”«»") or len(name.split()) > 16:
        return False
    tokens = [t for t in re.split(r"[\s,/&+]+|\s+-\s+", name.strip(" .")) if t]
    if not tokens:
        return False
    words = [t for t in tokens if t.lower() not in rules.name_connectors or t[0].isupper()]
    if tokens[0] not in words:  # a list of names does not open with "and" or "in"
        return _organisation(tokens, rules.org_nouns)
    for t in words:
        if not (t[0].isupper() or t[0] in "@©" or (t[0].isdigit() and len(tokens) > 1)):
            return _organisation(tokens, rules.org_nouns)
    if role == "by":  # a byline: "By Jane Doe"; "By Monday" is the start of a sentence
        return len(words) >= 2 or words[0].isupper()
    return True


def _organisation(tokens: list[str], org_nouns: frozenset[str]) -> bool:
    # "the narrate project", "the BBC World Service team": a crediting body, not "the opposition".
    return tokens[0].lower() == "the" and len(tokens) <= 6 and tokens[-1].lower().strip(".") in org_nouns


def _credit_parts(text: str) -> list[str]:
    """The parts of a credit: its sentences, split again at ";" and "|" ("Reporting by A; Editing by B")."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:  # the wire sign-off "(Reporting by …)"
        text = text[1:-1]
    return [p.strip() for s in split_sentences(text) for p in re.split(r"\s*[;|]\s*", s) if p.strip()]


def credits_of(paragraph: str) -> list[tuple[str, str]] | None:
    """[(role, name), …] when every part of the paragraph is a credit, else None.

    >>> credits_of("Written and produced by Ana Ruiz. Voiceover by Sam Okafor.")
    [('written and produced', 'Ana Ruiz'), ('voiceover', 'Sam Okafor')]
    """
    rules = skip_rules()
    text = paragraph.strip()
    if len(text.split()) > rules.credit_max_words:
        return None
    found: list[tuple[str, str]] = []
    for part in _credit_parts(text):
        credit = _credit(part)
        if credit:
            found.append(credit)
            continue
        # "Story by Ana Ruiz, graphics by Leo Chen, music by Artlist."
        pieces = [_credit(p) for p in re.split(r",\s+", part.rstrip("."))]
        if len(pieces) < 2 or not all(pieces):
            return None
        found += [p for p in pieces if p]
    return found or None


def _credit(part: str) -> tuple[str, str] | None:
    """(role, name) when one part of a credit is a credit."""
    for pattern in skip_rules().credit:
        m = pattern.match(part)
        if not m:
            continue
        role = re.sub(r"\s+", " ", m.group("role")).strip(" ,&/").lower()
        name = m.group("name").strip()
        if not name:  # only the heading and boilerplate patterns credit nobody: "CREDITS", "All rights reserved."
            return role, ""
        if looks_like_names(name, role):
            return role, name
    return None


def narrator_of(credits: list[tuple[str, str]]) -> str | None:
    roles = skip_rules().narrator_roles
    for role, name in credits:
        words = re.split(r"\s*(?:,|&|/|\band\b)\s*", role)
        if name and any(w.strip() in roles for w in words):
            return name
    return None


def _unquoted(sentence: str) -> str:
    """The sentence without what it quotes: '"Please donate," the mayor said.' is reported speech."""
    s = re.sub(r"[\"“][^\"“”]*[\"”]", " ", sentence)
    # A quotation that runs over several sentences: its opening or closing part.
    if re.match(r"^\W*[\"“]", s) or re.search(r"[\"”]\W*$", s):
        return ""
    return s


def is_appeal_sentence(sentence: str) -> bool:
    """Whether one sentence asks the audience for money, support or an action.

    >>> is_appeal_sentence("Follow us on Twitter."), is_appeal_sentence("Doctors say they need blood donations.")
    (True, False)
    """
    rules = skip_rules()
    s = sentence.strip()
    if not rules.any_cue.search(s) or len(s.split()) > rules.appeal_max_words:
        return False
    if rules.payment_label.search(s):  # "PayPal: …", "Donations: BTC 1A1z…"
        return True
    text = _unquoted(s)
    if not text.strip() or rules.reported.search(text):
        return False
    if rules.phrases.search(text) or any(rules.imperative.match(c) for c in _clause_starts(text)):
        return True
    if rules.addressed_verb.match(text) and rules.address.search(text):
        return True
    return bool(rules.action.search(text) and rules.address.search(text))


def _clause_starts(text: str) -> list[str]:
    """The sentence and what follows each colon or dash in it: "Support independent journalism: donate here."."""
    return [text] + [text[m.end() :] for m in re.finditer(r"[:;]\s+|\s[—–-]\s", text)]


def appeal_flags(sentences: list[str]) -> list[bool]:
    """Which of a paragraph's sentences are appeals; a short question leading into one joins it ("Enjoying the show?")."""
    flags = [is_appeal_sentence(s) for s in sentences]
    for i in range(len(sentences) - 2, -1, -1):
        s = sentences[i].strip()
        if flags[i + 1] and not flags[i] and s.endswith("?") and len(s.split()) <= 6 and not skip_rules().reported.search(s):
            flags[i] = True
    return flags


def is_appeal(text: str) -> bool:
    """Whether ``text`` (a sentence or a paragraph) holds an appeal; only its appeal sentences are skipped."""
    return any(appeal_flags(split_sentences(text)))
