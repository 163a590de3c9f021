"""GB 32100-2015 unified social credit codes: the Python and the SQL check agree."""

from __future__ import annotations

import random

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.codes import USCC_CHARSET, USCC_WEIGHTS, uscc_check_character, uscc_is_valid, uscc_valid_sql

#: Published codes of well-known firms (and the standard's own example).
PUBLISHED = [
    "91350100M000100Y43",  # GB 32100-2015 example
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]
FORBIDDEN = "IOSVZ"
ALPHABET = USCC_CHARSET + FORBIDDEN + "abc-* 中"


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    yield con
    con.close()


def sql_valid(duck, codes: list) -> list:
    """Evaluate :func:`uscc_valid_sql` in DuckDB for each code (one query)."""
    rows = duck.execute(
        f"SELECT i, {uscc_valid_sql('code')} FROM (SELECT unnest(?) AS code, generate_subscripts(?, 1) AS i) "
        "ORDER BY i",
        [codes, codes],
    ).fetchall()
    return [r[1] for r in rows]


def test_weights_are_powers_of_three():
    assert USCC_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert len(USCC_CHARSET) == 31 and not set(FORBIDDEN) & set(USCC_CHARSET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(duck, code):
    assert uscc_is_valid(code)
    assert uscc_check_character(code[:17]) == code[17]
    assert sql_valid(duck, [code]) == [True]


def test_docstring_example():
    assert uscc_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", PUBLISHED[:3])
def test_every_single_character_corruption_fails(duck, code):
    corrupted = []
    for i in range(18):
        for char in USCC_CHARSET + FORBIDDEN:
            if char != code[i]:
                corrupted.append(code[:i] + char + code[i + 1:])
    assert not any(uscc_is_valid(c) for c in corrupted)
    assert sql_valid(duck, corrupted) == [False] * len(corrupted)


@pytest.mark.parametrize("bad", [
    "", "9135010OM000100Y43", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100Y4 ",
    "91350100M0001OOY43", "91350100S000100Y43", "91350100V000100Y43", "91350100Z000100Y43",
])
def test_malformed_codes_fail(duck, bad):
    assert not uscc_is_valid(bad)
    assert sql_valid(duck, [bad]) == [False]


def test_null_and_non_strings():
    assert not uscc_is_valid(None)  # type: ignore[arg-type]
    assert not uscc_is_valid(913501001234567890)  # type: ignore[arg-type]
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {uscc_valid_sql('CAST(NULL AS VARCHAR)')}").fetchone()[0] is None


def test_check_character_rejects_bad_input():
    with pytest.raises(ValueError):
        uscc_check_character("123")
    with pytest.raises(ValueError):
        uscc_check_character("91350100M000100O4")


def test_lower_case_is_accepted_in_python():
    assert uscc_is_valid(PUBLISHED[0].lower())


def test_random_codes_agree(duck):
    rng = random.Random(32100)
    codes = []
    for _ in range(3000):
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(17))
        check = uscc_check_character(body)
        if rng.random() < 0.5:
            codes.append(body + check)
        else:
            codes.append(body + rng.choice(USCC_CHARSET))
    expected = [uscc_is_valid(c) for c in codes]
    assert 1200 < sum(expected) < 1800
    assert sql_valid(duck, codes) == expected


_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


@settings(max_examples=150, deadline=None)
@given(bodies=st.lists(_bodies, min_size=1, max_size=20), data=st.data())
def test_hypothesis_valid_codes_and_corruptions(duck, bodies, data):
    codes = []
    for body in bodies:
        code = body + uscc_check_character(body)
        assert uscc_is_valid(code)
        codes.append(code)
        i = data.draw(st.integers(0, 17))
        char = data.draw(st.sampled_from(USCC_CHARSET + FORBIDDEN).filter(lambda c, i=i, code=code: c != code[i]))
        corrupted = code[:i] + char + code[i + 1:]
        assert not uscc_is_valid(corrupted)
        codes.append(corrupted)
    assert sql_valid(duck, codes) == [uscc_is_valid(c) for c in codes]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, min_size=0, max_size=20), min_size=1, max_size=20))
def test_hypothesis_arbitrary_strings_agree(duck, codes):
    # SQL sees the upper-cased text, as ingest stages it (typed column = upper(raw)).
    upper = [c.upper() for c in codes]
    assert sql_valid(duck, upper) == [uscc_is_valid(c) for c in codes]
