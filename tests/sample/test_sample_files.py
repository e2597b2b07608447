"""Written files: deterministic bytes, formats, the committed sample_data/ and the CLI."""
from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from memberdesk.cli import main
from memberdesk.core import schema
from memberdesk.sample import generate_book, write_book
from memberdesk.sample.writers import csv_text, gb18030_policies_text

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
FILES = [f"{t}.csv" for t in schema.TABLES] + ["excel/memberdesk_sample.xlsx",
                                                "gb18030/policies_zh.csv"]


def _read_all(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a = write_book(tmp_path / "a", members=80, seed=4)
    b = write_book(tmp_path / "b", members=80, seed=4)
    c = write_book(tmp_path / "c", members=80, seed=5)
    assert [p.relative_to(tmp_path / "a").as_posix() for p in a] == FILES
    assert len(b) == len(c) == len(FILES)
    first, again, other = (_read_all(tmp_path / x) for x in "abc")
    assert first == again
    for name in FILES:
        assert first[name] != other[name], name


def test_csv_format(tmp_path: Path) -> None:
    write_book(tmp_path, members=120, seed=2)
    text = (tmp_path / "service_contacts.csv").read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff") and "\r" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["transferred_to_human"] for r in rows} == {"true", "false"}
    assert {r["resolved"] for r in rows} == {"true", "false"}
    assert {r["connected"] for r in rows} == {"true", "false", ""}
    assert all(len(r["started_at"]) == 19 for r in rows)          # YYYY-MM-DD HH:MM:SS
    assert any(r["member_id"] == "" for r in rows)
    policies = list(csv.DictReader(io.StringIO((tmp_path / "policies.csv").read_text("utf-8"))))
    assert all(len(r["issue_date"]) == 10 for r in policies)       # YYYY-MM-DD
    assert {r["end_date"] == "" for r in policies if r["status"] == "in_force"} == {True}


def test_gb18030_policies_file(tmp_path: Path) -> None:
    book = generate_book(members=120, seed=2)
    write_book(tmp_path, members=120, seed=2)
    raw = (tmp_path / "gb18030/policies_zh.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                         # really GB18030, not UTF-8
    frame = pd.read_csv(io.StringIO(raw.decode("gb18030")), dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["保单号", "客户号", "产品", "产品类型", "渠道", "生效日期",
                                   "终止日期", "保单状态", "年化保费", "保额", "缴费方式"]
    policies = book["policies"]
    assert frame["保单号"].tolist() == policies["policy_id"].tolist()
    words = {"in_force": "有效", "lapsed": "失效", "surrendered": "退保", "death": "身故",
             "matured": "满期"}
    assert frame["保单状态"].tolist() == policies["status"].map(words).tolist()
    first = policies["issue_date"].iloc[0]
    assert frame["生效日期"].iloc[0] == f"{first.year}/{first.month}/{first.day}"
    assert frame["生效日期"].str.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}").all()


def _sheet_frame(rows: list[list[object]], like: pd.DataFrame) -> pd.DataFrame:
    """Workbook rows (header first; empty cells are "") as a frame with the dtypes of ``like``."""
    raw = pd.DataFrame(rows[1:], columns=rows[0], dtype=object).replace("", None)
    out = {}
    for col in like.columns:
        dtype = like[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            out[col] = pd.to_datetime(raw[col])
        elif pd.api.types.is_float_dtype(dtype):
            out[col] = pd.to_numeric(raw[col]).astype(float)
        elif str(dtype) == "boolean":
            out[col] = raw[col].astype("boolean")
        else:
            out[col] = raw[col]
    return pd.DataFrame(out)


def _assert_workbook_matches(path: Path, book: dict[str, pd.DataFrame]) -> None:
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == list(schema.TABLES)
    for table in schema.TABLES:
        rows = wb.get_sheet_by_name(table).to_python()
        assert rows[0] == list(book[table].columns), table
        assert csv_text(_sheet_frame(rows, book[table])) == csv_text(book[table]), table


def test_workbook_has_one_sheet_per_table_with_the_book(tmp_path: Path) -> None:
    write_book(tmp_path, members=100, seed=6)
    _assert_workbook_matches(tmp_path / "excel/memberdesk_sample.xlsx",
                             generate_book(members=100, seed=6))


def test_committed_sample_data_equals_a_fresh_default_generation() -> None:
    """sample_data/ cannot drift from the generator: regenerate with
    `memberdesk sample -o sample_data` after changing the model."""
    book = generate_book()
    for table in schema.TABLES:
        assert (SAMPLE_DATA / f"{table}.csv").read_bytes() == csv_text(book[table]).encode("utf-8"), table
    assert (SAMPLE_DATA / "gb18030/policies_zh.csv").read_bytes() == \
        gb18030_policies_text(book["policies"]).encode("gb18030")
    _assert_workbook_matches(SAMPLE_DATA / "excel/memberdesk_sample.xlsx", book)


def test_committed_sample_is_small_and_complete() -> None:
    sizes = {name: (SAMPLE_DATA / name).stat().st_size for name in FILES}
    assert sum(sizes.values()) < 10_000_000
    assert (SAMPLE_DATA / "README.md").is_file()
    top_level = sorted(p.name for p in SAMPLE_DATA.iterdir() if p.is_file() and p.suffix != ".md")
    assert top_level == sorted(f"{t}.csv" for t in schema.TABLES)   # each table read once


def test_cli_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book"
    assert main(["sample", "-o", str(out), "--members", "200", "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    for name in FILES:
        assert (out / name).is_file()
        assert str(out / name) in printed
    members = pd.read_csv(out / "members.csv")
    assert len(members) == 200
    assert (out / "policies.csv").read_bytes() == \
        csv_text(generate_book(members=200, seed=1)["policies"]).encode("utf-8")


def test_cli_end_option_moves_the_book(tmp_path: Path) -> None:
    assert main(["sample", "-o", str(tmp_path), "--members", "50", "--end", "2022-12-31"]) == 0
    policies = pd.read_csv(tmp_path / "policies.csv", parse_dates=["issue_date"])
    assert policies["issue_date"].max() <= pd.Timestamp(date(2022, 12, 31))


@pytest.mark.parametrize("args", [
    ["sample"],                                        # -o missing
    ["sample", "-o", "X", "--members", "0"],
    ["sample", "-o", "X", "--members", "many"],
    ["sample", "-o", "X", "--seed", "-1"],
    ["sample", "-o", "X", "--end", "2026-02-30"],
])
def test_cli_bad_arguments_exit_2(args: list[str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(tmp_path / "x") if a == "X" else a for a in args]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_cli_output_that_is_a_file_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main(["sample", "-o", str(target), "--members", "10"]) == 2


def test_cli_no_excel_skips_the_workbook(tmp_path: Path) -> None:
    assert main(["sample", "-o", str(tmp_path), "--members", "30", "--no-excel"]) == 0
    assert not (tmp_path / "excel").exists()
    assert (tmp_path / "policies.csv").is_file() and (tmp_path / "gb18030/policies_zh.csv").is_file()
