"""Code checks of the field's standards: GB 32100-2015 unified social credit codes.

The same rule is given twice: :func:`uscc_is_valid` in Python (for the demo
generator and tests) and :func:`uscc_valid_sql` as an SQL expression (so ingest
checks millions of codes inside the engine).
"""

from __future__ import annotations

#: The 31 characters a unified social credit code may use (no I, O, Z, S, V).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1-17: 3**(i-1) mod 31 (GB 32100-2015, 4.3).
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_character(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a code.

    Examples
    --------
    >>> uscc_check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise ValueError("need the first 17 characters")
    total = 0
    for char, weight in zip(first17.upper(), USCC_WEIGHTS):
        index = USCC_CHARSET.find(char)
        if index < 0:
            raise ValueError(f"character {char!r} is not allowed in a unified social credit code")
        total += index * weight
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """Whether ``code`` is an 18-character USCC with a correct check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    code = code.upper()
    if any(c not in USCC_CHARSET for c in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def uscc_valid_sql(expr: str) -> str:
    """SQL boolean expression: ``expr`` is a valid USCC (NULL stays NULL)."""
    terms = " + ".join(
        f"(instr('{USCC_CHARSET}', substr({expr}, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(USCC_WEIGHTS)
    )
    return (
        f"(length({expr}) = 18 AND regexp_full_match({expr}, '[{USCC_CHARSET}]{{18}}') AND "
        f"substr('{USCC_CHARSET}', ((31 - ({terms}) % 31) % 31) + 1, 1) = substr({expr}, 18, 1))"
    )
