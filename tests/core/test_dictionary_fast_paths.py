"""Fast paths of reading and validation (#13 speed) give exactly what the general path gives on
messy input.

The truth of each test is the general (cell-by-cell) path on the same cells, which the other
tests of tests/core check against hand-worked values: an unmapped column the reader
dictionary-encoded must read as the same numbers/texts and the same not-a-number report as its
decoded text; the edge-space check on first/last bytes must agree with the regex it guards;
the blank-row mask must not depend on the order the columns are looked at.
"""
from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memberdesk.core import normalize
from memberdesk.core.normalize import cells as cells_mod
from memberdesk.core.readers.cells import drop_blank_rows

# messy cells: numbers in several spellings, null tokens, blanks, spaces (also non-ASCII),
# leading zeros, words, inf
WORDS = ["1", "2.5", "-3", "1e3", "007", "-01", "0", "0.5", " 4 ", "\u00a05", "6\u3000", "NaN",
         "nan", "NULL", "", "  ", "inf", "-inf", "abc", "agency", " agency", "1,234", "(5)",
         "12%", "x1", "\t7", "8\n", "#N/A", "None"]


def _dictionary(cells: list[str | None], index: pa.DataType | None = None) -> pa.DictionaryArray:
    enc = pa.array(cells, type=pa.string()).dictionary_encode()
    return pa.DictionaryArray.from_arrays(enc.indices.cast(index or pa.int8()), enc.dictionary)


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype
    if a.dtype == object:
        assert a.tolist() == b.tolist()
    else:
        np.testing.assert_array_equal(a, b)


def _check_extra(cells: list[str | None], index: pa.DataType | None = None) -> None:
    coded = _dictionary(cells, index)
    plain = pa.array(cells, type=pa.string())
    _same(normalize.extra_column(coded), normalize.extra_column(plain))
    out_d, bad_d = normalize.extra_column_checked(coded)
    out_p, bad_p = normalize.extra_column_checked(plain)
    _same(out_d, out_p)
    assert (bad_d is None) == (bad_p is None)
    if bad_d is not None and bad_p is not None:
        assert bad_d.tolist() == bad_p.tolist()


@pytest.mark.parametrize("cells", [
    ["1", "2.5", "NaN"] * 400,                          # numbers with a missing token
    ["1", "inf"] * 600,                                  # a number column keeps inf
    ["1", " 2 ", ""] * 400,                              # spaces and blanks
    ["007", "1"] * 600,                                  # leading zero: text
    ["NaN", "nan", None] * 400,                          # nothing but empties: text
    ["agency", " agency", "broker", None] * 300,         # a category, trimmed
    ["1", "2", "x"] + ["3"] * 1200,                      # mostly numbers: the word reported
    ["1"] * 1100 + ["abc"],                              # the word after the first 1000 cells
    ["a"] * 1100 + ["1"],                                # text first, numbers later
    [None] * 1200,                                       # all null
    ["", "  "] * 600,                                    # all blank
])
def test_dictionary_extra_column_equals_text_path(cells: list[str | None]) -> None:
    _check_extra(cells)


def test_dictionary_with_unused_texts_equals_text_path() -> None:
    # a filtered dictionary array keeps texts no cell uses ('abc', '007'): they must not count
    coded = _dictionary(["abc", "007"] + ["1", "2.5", "NaN"] * 500)
    kept = coded.filter(pa.array([False, False] + [True] * 1500))
    assert len(kept.dictionary) == 5
    plain = kept.cast(pa.string())
    _same(normalize.extra_column(kept), normalize.extra_column(plain))
    _same(normalize.extra_column_checked(kept)[0], normalize.extra_column_checked(plain)[0])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(WORDS)), min_size=1, max_size=60),
       st.integers(min_value=1, max_value=40))
def test_dictionary_extra_column_property(words: list[str | None], repeat: int) -> None:
    _check_extra(words * repeat, pa.int16())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(WORDS), st.text(max_size=4)),
                min_size=1, max_size=12), st.integers(min_value=0, max_value=1001))
def test_edge_space_precheck_agrees_with_regex(cells: list[str | None], at: int) -> None:
    # the drawn cells among 1,001 plain ones (as_string_array checks columns over 1,000 cells)
    arr = pa.array(["b1"] * at + cells + ["c"] * (1001 - at), type=pa.string())
    by_regex = bool(pa.compute.any(pa.compute.match_substring_regex(arr, cells_mod._EDGE_SPACE))
                    .as_py())
    assert cells_mod.may_have_edge_space(arr) or not by_regex
    # the column as the regex alone decided it (trimmed only when it matches)
    expected = pa.compute.utf8_trim_whitespace(arr) if by_regex else arr
    assert normalize.as_string_array(arr).to_pylist() == expected.to_pylist()


def test_edge_space_precheck_on_a_slice() -> None:
    # offsets of a slice start inside the buffers
    arr = pa.array([" a"] * 5 + ["b"] * 2000 + ["c "], type=pa.string())
    assert not cells_mod.may_have_edge_space(arr.slice(5, 2000))
    assert cells_mod.may_have_edge_space(arr.slice(4, 2000))
    assert cells_mod.may_have_edge_space(arr.slice(7, 2001))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "a", None]), st.sampled_from(["", "\t", "1"]),
                          st.sampled_from(["", "x", " "])), min_size=1, max_size=40))
def test_blank_rows_do_not_depend_on_column_order(rows: list[tuple[str | None, str, str]]) -> None:
    cols = [pa.array([r[j] for r in rows], type=pa.string()) for j in range(3)]
    coded = [cols[0], cols[1].dictionary_encode(), cols[2]]
    numbers = np.arange(2, len(rows) + 2)
    expected = [i + 2 for i, r in enumerate(rows)
                if not all(v is None or not v.strip() for v in r)]
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        table = pa.Table.from_arrays([coded[j] for j in order], names=[f"c{j}" for j in order])
        kept, numbers_kept = drop_blank_rows(table, numbers)
        assert numbers_kept.tolist() == expected
        assert kept.column_names == [f"c{j}" for j in order]
        assert kept.num_rows == len(expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"a", b",", b"\n", b"\r\n", b"\r", b'"', b" ", b"\t", b"\x00",
                                 "\u4e2d".encode(), b"\xe4", b"\xff", b"\xef\xbb\xbf"]),
                max_size=40),
       st.integers(min_value=1, max_value=9))
def test_scan_in_small_chunks_matches_whole_file(tmp_path_factory: pytest.TempPathFactory,
                                                  pieces: list[bytes], chunk: int) -> None:
    # the scan reads into one reused buffer; chunk boundaries anywhere (a CRLF or a multi-byte
    # character cut in two) must not change what it finds about the whole file. Truth: the
    # same facts computed on the whole file's bytes.
    from memberdesk.core.readers import text as text_reader

    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    whole = text_reader._scan(path)
    old = text_reader._SCAN_CHUNK
    text_reader._SCAN_CHUNK = chunk
    try:
        small = text_reader._scan(path)
    finally:
        text_reader._SCAN_CHUNK = old
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    assert whole.bom == bom and whole.head == data[bom:bom + (1 << 16)]
    plain = utf8 and b"\x00" not in data and data.count(b"\r") == data.count(b"\r\n")
    for scan in (whole, small):
        assert scan.tail == data[-4096:] and scan.newlines == data.count(b"\n")
        assert scan.quote == (b'"' in data) and scan.nonblank == bool(data.strip())
        assert scan.plain_utf8 == plain


@pytest.mark.parametrize("values", [
    [None, 0.5, 1], [1.0, None], [None], [None, None, 3], [None, float("nan"), 1.0],
    [None, True, 1], [None, -0.0, 1e-300, 1e300, 12345678901234567890],
])
def test_json_list_with_nulls_same_text_as_the_json_module(values: list[object]) -> None:
    from memberdesk.commands.common import dumps_indented

    obj = {"ci_lower": values, "groups": [{"ci_upper": values}]}
    assert dumps_indented(obj) == json.dumps(obj, ensure_ascii=False, indent=1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(), st.booleans()), max_size=30))
def test_json_number_lists_property(values: list[object]) -> None:
    from memberdesk.commands.common import dumps_indented

    assert dumps_indented({"v": values}) == json.dumps({"v": values}, ensure_ascii=False, indent=1)


STATUS_WORDS = ["lapsed", " Lapsed ", "in force", "in_force", "有效", "退保", "", "NULL", "gone",
                "surrendered", "death", "matured", "x"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(STATUS_WORDS)), min_size=1, max_size=50),
       st.booleans())
def test_vocabulary_missing_mask_is_where_the_words_are_none(cells: list[str | None],
                                                            coded: bool) -> None:
    # validation decides whether policy/claim statuses must be inferred from this mask
    # instead of scanning the word objects for None (pd.isna): they must agree
    from memberdesk.core.normalize.vocab import parse_vocab_missing

    values = _dictionary(cells) if coded else pa.array(cells, type=pa.string())
    words, bad, missing = parse_vocab_missing(values, normalize.POLICY_STATUS_LOOKUP)
    assert missing.tolist() == [w is None for w in words]
    plain_words, plain_bad = normalize.parse_vocab(values, normalize.POLICY_STATUS_LOOKUP)
    assert plain_words.tolist() == words.tolist() and plain_bad.tolist() == bad.tolist()
