"""The load path runs one way (issue #12 point 4, docs/architecture.md "The load path"):
readers -> identify -> mapping -> validation, each file once.

Truths: the import statements of the reader modules (read with ``ast``, not by importing them),
hand-built table heads whose header row is stated in the test, and call counts."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import memberdesk.core.identify as identify
from memberdesk.core.identify import header_row
from memberdesk.core.loader import read_sources
from memberdesk.core.readers import OpenedFile, TableHead, header_candidates, open_file

READERS = Path(__file__).resolve().parents[2] / "memberdesk" / "core" / "readers"
# what decides which table a file holds, and everything after it on the load path
LATER_STEPS = ("memberdesk.core.mapping", "memberdesk.core.identify", "memberdesk.core.loader",
               "memberdesk.core.validation", "memberdesk.core.validation_report")


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_readers_import_no_later_step_of_the_load_path() -> None:
    modules = sorted(READERS.glob("*.py"))
    assert len(modules) >= 5  # the package, not a single module
    bad = {p.name: sorted(i for i in _imports(p) if i.startswith(LATER_STEPS)) for p in modules}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_import_check_sees_a_mapping_import(tmp_path: Path) -> None:
    # the check above would catch the import this issue removed
    f = tmp_path / "m.py"
    f.write_text("from memberdesk.core.mapping import guess_table\nimport memberdesk.core.identify\n")
    assert {"memberdesk.core.mapping", "memberdesk.core.identify"} <= _imports(f)


def _head(*rows: tuple[object, ...], name: str = "export") -> TableHead:
    return TableHead("f.csv", None, name, rows, header_candidates(rows))


def test_header_candidates_stop_at_the_first_row_wider_than_a_title() -> None:
    rows = (("保单清单",), (), ("2024-12-31", "单位：元"), ("保单号", "生效日期", "保费"), ("P1", "2021-01-01", "5"))
    assert header_candidates(rows) == (0, 2, 3)  # blank row 1 is no candidate; row 4 is data
    assert header_candidates(((), ())) == ()


def test_header_row_is_the_first_candidate_naming_a_table() -> None:
    titled = _head(("保单清单",), ("policy_id", "issue_date", "status"), ("P1", "2021-01-01", "x"))
    assert header_row(titled) == 1
    # a two-column table: both rows are narrow, the first names the table
    narrow = _head(("policy_id", "issue_date"), ("P1", "2021-01-01"))
    assert header_row(narrow) == 0
    # nothing names a table: the first candidate (the title) stays the header
    unknown = _head(("Report",), ("foo", "bar", "baz"), ("1", "2", "3"))
    assert header_row(unknown) == 0
    assert header_row(_head()) == 0


def test_readers_leave_the_table_unnamed_and_identify_names_it(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("保单清单\npolicy_id,issue_date,status\nP1,2021-01-01,active\n", encoding="utf-8")
    opened = open_file(f)
    (head,) = opened.heads
    assert head.candidates == (0, 1)
    (raw,) = opened.read([1]).tables
    assert raw.table is None and raw.headers == ["policy_id", "issue_date", "status"]
    assert raw.rows.tolist() == [3]  # spreadsheet row of P1: the header is row 2
    (named,) = identify.read_file(f).tables
    assert named.table == "policies" and named.rows.tolist() == [3]


def test_each_file_is_opened_once_on_the_way_to_the_loader(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policies.csv").write_text("policy_id,issue_date\nP1,2021-01-01\n", encoding="utf-8")
    (tmp_path / "members.csv").write_text("member_id,gender\nM1,F\n", encoding="utf-8")
    opened: list[str] = []

    def counting(path: str | Path, *args: Any, **kwargs: Any) -> OpenedFile:
        opened.append(Path(path).name)
        return open_file(path, *args, **kwargs)

    monkeypatch.setattr(identify, "open_file", counting)
    sources = read_sources([tmp_path])
    assert sorted(opened) == ["members.csv", "policies.csv"]
    assert {s.mapping.table for s in sources.items if s.mapping} == {"members", "policies"}
