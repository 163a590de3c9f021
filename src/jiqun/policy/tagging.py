"""Keyword suggestions of a policy's instrument from its Chinese text (jieba): a suggestion beside the
analyst's coding, which stays the truth.

The keywords of each instrument are data (``schema/data/instruments.csv``, column ``keywords``). The text
is segmented with jieba (its dictionary ships with the package: nothing is downloaded), the keywords being
added to the dictionary so they are kept whole; each instrument scores the number of its keywords found.
"""

from __future__ import annotations

import csv
import logging
from functools import lru_cache
from importlib import resources

import pandas as pd

SUGGESTION_COLUMNS = ("policy_id", "instrument", "suggested", "score", "keywords", "agrees")


@lru_cache(maxsize=1)
def instrument_keywords() -> dict[str, tuple[str, ...]]:
    """instrument code → its keywords (from ``schema/data/instruments.csv``)."""
    with resources.files("jiqun.schema").joinpath("data", "instruments.csv").open(encoding="utf-8") as handle:
        return {row["code"]: tuple(word for word in row["keywords"].split(";") if word)
                for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba reports its dictionary loading on stderr otherwise
    tokenizer = jieba.Tokenizer()
    for words in instrument_keywords().values():
        for word in words:
            tokenizer.add_word(word, freq=100000)
    return tokenizer


def segment(text: str) -> list[str]:
    """The words of ``text`` (jieba, precise mode, the instrument keywords kept whole)."""
    return [word for word in _tokenizer().lcut(text or "") if word.strip()]


def suggest_instrument(text: str) -> tuple[str | None, int, list[str]]:
    """The instrument whose keywords occur most often in ``text`` (None when none occurs), its score and the
    keywords found. Ties go to the instrument listed first in the taxonomy."""
    words = segment(text)
    best, best_score, best_found = None, 0, []
    for code, keywords in instrument_keywords().items():
        found = [word for word in words if word in keywords]
        if len(found) > best_score:
            best, best_score, best_found = code, len(found), sorted(set(found), key=found.index)
    return best, best_score, best_found


def suggest_instruments(policies: pd.DataFrame) -> pd.DataFrame:
    """A suggestion per policy from its title and text.

    Parameters
    ----------
    policies : pandas.DataFrame
        ``policy_id, title, text, instrument``.

    Returns
    -------
    pandas.DataFrame
        :data:`SUGGESTION_COLUMNS`: the coded ``instrument``, the ``suggested`` one (None: no keyword found),
        ``score`` (keywords found), ``keywords`` (;-joined) and ``agrees``.
    """
    rows = []
    for row in policies.itertuples(index=False):
        text = " ".join(part for part in (row.title, row.text) if isinstance(part, str))
        suggested, score, found = suggest_instrument(text)
        rows.append({"policy_id": row.policy_id, "instrument": row.instrument, "suggested": suggested,
                     "score": score, "keywords": ";".join(found), "agrees": suggested == row.instrument})
    return pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
