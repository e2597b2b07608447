"""print_json's fast writer gives the standard library's text exactly
(``json.dumps(obj, ensure_ascii=False, indent=1)`` is the reference)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from memberdesk.commands.common import dumps_indented, to_jsonable

CASES = [
    {}, [], {"a": []}, {"a": {}}, [1, 2.5, 3], [True, 1, 0.1], {"x": [float("nan"), 1.0]},
    [None, "é", 'a"b\n'], {1: 2, 2.5: "x", True: None, None: [1]},  # noqa: F601 (True == 1: the key the test wants)
    {"g": [{"n": "中文", "v": [1e-300, 1e300, -0.0, 12345678901234567890]}]},
    "s", 1.5, None, (1, 2), [[1], [[]], [{}]], {"inf": [float("inf"), -float("inf")]},
]


@pytest.mark.parametrize("obj", CASES)
def test_same_text_as_the_json_module(obj: object) -> None:
    assert dumps_indented(obj) == json.dumps(obj, ensure_ascii=False, indent=1)


def test_a_km_like_payload() -> None:
    rng = np.random.default_rng(0)
    payload = to_jsonable({"unit": "months", "groups": [
        {"name": f"g{i}", "n": 100, "median": None, "timeline": np.sort(rng.random(50)),
         "survival": rng.random(50).tolist(), "at_risk": np.arange(50).tolist()} for i in range(3)],
        "logrank": {"p_value": 0.01, "test_statistic": float("nan")}})
    assert payload["logrank"]["test_statistic"] is None  # non-finite -> null
    assert dumps_indented(payload) == json.dumps(payload, ensure_ascii=False, indent=1)


def test_lists_with_nulls_texts_huge_ints_and_nonfinite_floats() -> None:
    """The one-loop finiteness check falls back for lists it cannot take whole (None, a text,
    an int beyond float range): the text equals json.dumps' and NaN/inf become null."""
    for values in ([1.5, None, 2.0], [10**400, 1.0], ["a", 1.0, None], [1.0, 2, True],
                   [0.1, float("nan"), float("inf")]):
        plain = to_jsonable(values)
        assert json.loads(dumps_indented(plain)) == json.loads(json.dumps(plain, allow_nan=False))
    assert to_jsonable([0.1, float("nan"), float("-inf")]) == [0.1, None, None]
    assert dumps_indented({"a": [1.0, None]}) == json.dumps({"a": [1.0, None]}, indent=1)
