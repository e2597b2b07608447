"""Yes/no cells and vocabulary columns (policy status, claim status, who handled a contact), in
English and Chinese."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.normalize.cells import map_distinct


def normalise_word(text: str) -> str:
    """Comparable form of a vocabulary word: NFKC, lower case, runs of space/_/- -> one space."""
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text).strip().lower())


def _lookup(synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, words in synonyms.items():
        for w in (canonical, *words):
            table.setdefault(normalise_word(w), canonical)
    return table


_BOOL_LOOKUP: dict[str, bool] = {**{normalise_word(w): False for w in schema.FALSE_WORDS},
                                 **{normalise_word(w): True for w in schema.TRUE_WORDS}}
POLICY_STATUS_LOOKUP = _lookup(schema.STATUS_SYNONYMS)
CLAIM_STATUS_LOOKUP = _lookup(schema.CLAIM_STATUS_SYNONYMS)
HANDLED_BY_LOOKUP = _lookup(schema.HANDLED_BY_SYNONYMS)
# The word lists of columns of kind "vocabulary" (ColumnSpec.vocabulary): lookup, allowed words.
VOCABULARIES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "policy_status": (POLICY_STATUS_LOOKUP, schema.POLICY_STATUSES),
    "claim_status": (CLAIM_STATUS_LOOKUP, schema.CLAIM_STATUSES),
    "handled_by": (HANDLED_BY_LOOKUP, tuple(schema.HANDLED_BY_SYNONYMS)),
}


def parse_bools(values: object) -> tuple[pd.Series, np.ndarray]:
    """Parse yes/no cells (schema.TRUE_WORDS / FALSE_WORDS, any case, Chinese).

    Returns (pandas nullable ``boolean`` Series, unreadable mask)."""
    vals, ok, empty = map_distinct(values, lambda t: _BOOL_LOOKUP.get(normalise_word(t)), bool)
    out = pd.arrays.BooleanArray(vals & ok, ~ok)
    return pd.Series(out), ~empty & ~ok


def parse_vocab(values: object, lookup: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map cells onto a controlled vocabulary (e.g. :data:`POLICY_STATUS_LOOKUP`).

    Returns (object array of canonical words, None where empty/unknown; unknown mask)."""
    vals, bad, _ = parse_vocab_missing(values, lookup)
    return vals, bad


def parse_vocab_missing(values: object, lookup: Mapping[str, str]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_vocab` plus the mask of cells without a word (empty or unknown: where the
    words are None), from the distinct values (no scan of a million objects for None)."""
    vals, ok, empty = map_distinct(values, lambda t: lookup.get(normalise_word(t)), object)
    return vals, ~empty & ~ok, ~ok  # vals is None wherever ok is False


def parse_policy_status(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Policy statuses -> schema.POLICY_STATUSES (有效 -> in_force, 退保 -> surrendered …)."""
    return parse_vocab(values, POLICY_STATUS_LOOKUP)


def parse_claim_status(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Claim statuses -> schema.CLAIM_STATUSES (已赔付 -> paid, 拒赔 -> declined …)."""
    return parse_vocab(values, CLAIM_STATUS_LOOKUP)


def parse_handled_by(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Who handled a contact -> "bot" / "human" (智能客服 -> bot, 人工 -> human …)."""
    return parse_vocab(values, HANDLED_BY_LOOKUP)
