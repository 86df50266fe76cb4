"""narrate's number words are num2words' English ones (cleaned as narrate reads them), without importing num2words."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from num2words import num2words  # type: ignore[import-untyped]

from narrate.normalize import numbers


def clean(words: str) -> str:
    return numbers._clean(words).replace(" and ", " ")


def samples() -> list[int]:
    rng = random.Random(20261130)
    out = list(range(0, 3000)) + [rng.randrange(10**k) for k in range(1, 22) for _ in range(150)]
    return out + [10**k + d for k in range(1, 24) for d in (-1, 0, 1)]


def test_cardinals_ordinals_and_years_are_num2words_readings() -> None:
    for n in samples():
        if n < 10**21:  # above, cardinal() reads digits (a code), by design
            assert numbers.cardinal(n) == clean(num2words(n)), n
        assert numbers.ordinal(n) == clean(num2words(n, to="ordinal")), n
    for n in list(range(-2100, 2100)) + [-(10**22), 12345, 99999, 100000, 123456, 10**22] + samples():
        assert numbers.year(n) == clean(num2words(n, to="year")), n
    assert [numbers._scale(k) for k in range(1, 10)] == [clean(num2words(10 ** (3 * k))).split()[-1] for k in range(1, 10)]


def test_negative_ordinal_is_refused_as_num2words_refuses_it() -> None:
    with pytest.raises(TypeError):
        numbers.ordinal(-3)


def test_normalizing_does_not_import_num2words() -> None:
    code = "import sys; from narrate import normalize; print(normalize('On March 3, 2017 the 121st of 4,500 units left.')); print('num2words' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "On March third, twenty seventeen the one hundred twenty first of four thousand five hundred units left."
    assert out[1] == "False"
