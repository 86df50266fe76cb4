"""The normalizer's profile-level options (``narrate.normalize.NormalizeOptions``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormalizeOptions:
    """Profile-level choices.

    expand_acronyms: speak a lexicon entry's expansion instead of the acronym.
    read_repeated_acronyms: read "(ISF)" right after its own expansion (dropped by default).
    number_and: "one hundred and twenty three" (British, and NeMo's style) rather than "one hundred twenty three" (American, the default).
    ungrouped_as_digits: an unpunctuated number of five or more digits that counts nothing ("No. 80417", "serial 559031") is a
        code, read digit by digit ("eight zero four one seven"), as NeMo reads it. For copy that writes every quantity with
        separators ("16,000"), as news agencies do; off by default, because loose text writes "16000" for sixteen thousand.
        A count noun or scale word after it ("16000 people", "40000 million"), a currency or a unit keeps it a quantity.
    """

    expand_acronyms: bool = False
    read_repeated_acronyms: bool = False
    number_and: bool = False
    ungrouped_as_digits: bool = False
