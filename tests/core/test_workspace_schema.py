"""Damaged workspaces (#11 point 11): every case is one DataError naming the file and field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memberdesk.core.errors import DataError
from memberdesk.core.workspace import SCHEMA_VERSION, Workspace

GOOD = {"schema_version": 2, "sources": [], "mappings": [], "filters": {}, "as_of": None,
        "page": None, "page_state": {}}


def _with(**fields: object) -> bytes:
    return json.dumps({**GOOD, **fields}).encode("utf-8")


CASES: dict[str, tuple[bytes, str]] = {
    "truncated": (b'{"schema_version": 2, "sources": [', "invalid JSON"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "array": (b"[1, 2, 3]", "expected a JSON object"),
    "future_version": (_with(schema_version=SCHEMA_VERSION + 7), "newer MemberDesk"),
    "version_string": (_with(schema_version="2"), "schema_version"),
    "version_bool": (_with(schema_version=True), "schema_version"),
    "sources_numbers": (_with(sources=[1, 2]), "sources[0]"),
    "filters_wrong_type": (_with(filters={"channel": "agency"}), "filters.channel"),
    "filters_list": (_with(filters=[1]), "filters"),
    "page_state_list": (_with(page_state=[1, 2]), "page_state"),
    "page_state_value": (_with(page_state={"drivers": 3}), "page_state.drivers"),
    "bad_as_of": (_with(as_of="2021-02-30"), "as_of"),
    "as_of_far_future": (_with(as_of="2500-01-01"), "as_of"),
    "as_of_number": (_with(as_of=20210101), "as_of"),
    "empty": (b"", "empty"),
    "whitespace": (b"  \n", "empty"),
    "unknown_mapping_target": (_with(mappings=[{"table": "policies", "signature": "x",
                                                "columns": [["a", "no_such_column"]]}]),
                               "mappings[0].columns[0]"),
    "unknown_mapping_table": (_with(mappings=[{"table": "nope", "columns": []}]),
                              "mappings[0].table"),
    "deep_nesting": (b'{"page_state": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
                     "nested"),
    "utf16": (json.dumps(GOOD).encode("utf-16"), "UTF-16"),
    "page_number": (_with(page=5), "page"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_damaged_workspace_is_one_clear_error(tmp_path: Path, name: str) -> None:
    content, needle = CASES[name]
    path = tmp_path / f"{name}.mdesk"
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        Workspace.load(path)
    assert err.value.file == str(path)
    assert needle in str(err.value)


def test_good_workspace_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.mdesk"
    path.write_bytes(_with(as_of="2024-06-30", page="drivers",
                           filters={"channel": ["agency"], "issue_from": "2020-01-01"}))
    ws = Workspace.load(path)
    assert ws.page == "drivers" and ws.filters.channel == ("agency",)


def test_failed_save_keeps_the_previous_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    path = tmp_path / "w.mdesk"
    Workspace(page="drivers").save(path)
    before = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(DataError, match="No space left"):
        Workspace(page="retention").save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.mdesk"]  # no temp file left behind
