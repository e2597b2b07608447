"""The command line as a demanding user meets it (review sweep, task U): each test reproduces one
problem found by running the commands by hand, and fails without its fix.

Truths are stated in the tests: DESIGN §5's exit codes (0 ok, 2 usage, 3 data), the bytes of a
file that must survive, the message that must name the option or value at fault.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from memberdesk import cli

POLICIES = (
    "policy_id,member_id,product,channel,issue_date,end_date,status,annual_premium,"
    "payment_frequency\n"
    "P1,M1,Term,agency,2020-01-15,,in_force,1000,annual\n"
    "P2,M2,Term,agency,2020-03-01,2021-05-01,lapsed,1200,annual\n"
    "P3,M3,Health,broker,2021-02-10,2022-01-20,surrendered,800,monthly\n"
    "P4,M4,Health,broker,2021-06-30,,in_force,900,monthly\n"
)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``memberdesk ARGS`` in this process: (exit status, stdout, stderr); a usage error raised
    as SystemExit by argparse or a command's own check becomes its status."""
    try:
        rc = cli.main(args)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A folder holding a four-policy CSV book."""
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "policies.csv").write_text(POLICIES, encoding="utf-8")
    return folder


# --- import -o must never destroy a file that is not a DuckDB book ---------------------------

def test_import_refuses_to_overwrite_a_data_file(book: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # found: `import s/policies.csv -o s/members.csv` replaced members.csv (another data file
    # of the user's, not an input) with a DuckDB database, exit 0
    other = tmp_path / "members.csv"
    other.write_text("member_id,gender\nM1,F\n", encoding="utf-8")
    before = other.read_bytes()
    rc, _, err = run_cli(["import", str(book), "-o", str(other)], capsys)
    assert rc == 2
    assert str(other) in err and "not a DuckDB database" in err
    assert other.read_bytes() == before


def test_import_refuses_a_folder_as_output(book: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run_cli(["import", str(book), "-o", str(tmp_path)], capsys)
    assert rc == 2 and "is a folder" in err


def test_import_still_replaces_an_earlier_book(book: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book.duckdb"
    assert run_cli(["import", str(book), "-o", str(out)], capsys)[0] == 0
    first = out.stat().st_mtime_ns
    assert run_cli(["import", str(book), "-o", str(out)], capsys)[0] == 0
    assert out.stat().st_mtime_ns >= first
    rc, out_text, _ = run_cli(["kpis", f"duckdb://{out}", "--json"], capsys)
    assert rc == 0 and '"kpis"' in out_text


# --- options the kind of DATA would silently ignore ------------------------------------------

def test_table_with_files_is_a_usage_error(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km sample_data --table policies=foo` ran on the files, ignoring --table (exit 0)
    rc, out, err = run_cli(["km", str(book), "--table", "policies=foo"], capsys)
    assert rc == 2 and out == ""
    assert "--table policies=foo" in err and "database" in err


def test_encoding_with_a_database_is_a_usage_error(book: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km duckdb:///book.duckdb --encoding gb18030` ignored --encoding (exit 0)
    db = tmp_path / "b.duckdb"
    assert run_cli(["import", str(book), "-o", str(db)], capsys)[0] == 0
    rc, out, err = run_cli(["km", f"duckdb://{db}", "--encoding", "gb18030"], capsys)
    assert rc == 2 and out == ""
    assert "--encoding gb18030" in err


def test_as_of_with_a_generic_table_is_a_usage_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km g.csv --duration dur --event-col ev --as-of 2020-01-01` analysed every row as
    # if no --as-of had been given (a generic table has no dates), exit 0
    g = tmp_path / "g.csv"
    g.write_text("dur,ev\n1,1\n2,0\n3,1\n", encoding="utf-8")
    for command in ("km", "cox"):
        extra = ["--covariates", "dur"] if command == "cox" else []
        rc, out, err = run_cli([command, str(g), "--duration", "dur", "--event-col", "ev",
                                "--as-of", "2020-01-01", *extra], capsys)
        assert rc == 2 and out == "", command
        assert "--as-of" in err and "generic" in err


def test_grace_days_on_the_status_basis_is_a_usage_error(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `persistency sample_data --grace-days 30` (status basis, the default) printed the
    # same ratios as without it: grace days only count on the collected basis
    rc, out, err = run_cli(["persistency", str(book), "--grace-days", "30"], capsys)
    assert rc == 2 and out == ""
    assert "--grace-days 30" in err and "--basis collected" in err


@pytest.fixture
def duck(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The four-policy book imported into DuckDB, as a duckdb:// URL."""
    db = tmp_path / "book.duckdb"
    assert run_cli(["import", str(book), "-o", str(db)], capsys)[0] == 0
    return f"duckdb://{db}"


@pytest.mark.parametrize("option", ["polices=policies", "policies", "policies="])
def test_malformed_table_option_is_a_usage_error(duck: str, option: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # found: a misspelt --table exited 3 (a data error) although the data were never read
    rc, out, err = run_cli(["km", duck, "--table", option], capsys)
    assert rc == 2 and out == ""
    assert repr(option) in err and "NAME=[SCHEMA.]TABLE" in err


def test_table_mapped_twice_is_a_usage_error(duck: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # found: `--table policies=a --table policies=b` used b and said nothing of a
    rc, out, err = run_cli(["km", duck, "--table", "policies=nosuch",
                            "--table", "policies=policies"], capsys)
    assert rc == 2 and out == ""
    assert "policies more than once" in err


# --- decrements on a generic table ----------------------------------------------------------

CAUSES_ZH = "dur,cause,grp\n1,1,北京\n2,0,北京\n3,2,上海\n4,1,上海\n"


def test_decrements_generic_honours_encoding(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # found: the generic table of `decrements --duration --cause-col` was read with the encoding
    # detected, whatever --encoding said: GB18030 bytes read as utf-8 gave no error, exit 0
    path = tmp_path / "causes.csv"
    path.write_bytes(CAUSES_ZH.encode("gb18030"))
    generic = ["decrements", str(path), "--duration", "dur", "--cause-col", "cause",
               "--by", "grp", "--json"]
    rc, _, err = run_cli([*generic, "--encoding", "utf-8"], capsys)
    assert rc == 3 and str(path) in err and "utf-8" in err
    rc, out, _ = run_cli([*generic, "--encoding", "gb18030"], capsys)
    assert rc == 0 and "北京" in out
    # read as latin-1, the same bytes give other group names: the option is applied
    rc, out, _ = run_cli([*generic, "--encoding", "latin-1"], capsys)
    assert rc == 0 and "北京" not in out
    assert CAUSES_ZH.encode("gb18030").decode("latin-1").split("\n")[1].split(",")[2] in out


def test_decrements_ignored_options_are_usage_errors(book: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # found: `decrements g.csv --duration --cause-col --as-of DATE` and `decrements BOOK
    # --cause-labels 1=lapsed` (insurer tables) ran as if the option had not been given
    path = tmp_path / "causes.csv"
    path.write_text(CAUSES_ZH, encoding="utf-8")
    rc, out, err = run_cli(["decrements", str(path), "--duration", "dur", "--cause-col", "cause",
                            "--as-of", "2020-01-01"], capsys)
    assert rc == 2 and out == "" and "--as-of" in err
    rc, out, err = run_cli(["decrements", str(book), "--cause-labels", "1=lapsed"], capsys)
    assert rc == 2 and out == "" and "--cause-labels" in err


# --- empty results in text output -----------------------------------------------------------

def test_experience_text_with_no_exposure(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `experience sample_data --as-of 2016-01-01` (before the first issue) crashed with
    # IndexError in the text table (exit 1); --json printed "rows": []
    rc, out, err = run_cli(["experience", str(book), "--as-of", "2019-06-30"], capsys)
    assert rc == 0, err
    assert "as of 2019-06-30" in out and "no rows" in out
    rc, out, _ = run_cli(["experience", str(book), "--as-of", "2019-06-30", "--json"], capsys)
    assert rc == 0 and '"rows": []' in out


@pytest.mark.parametrize("command", [["km"], ["cox", "--covariates", "channel"], ["projection"],
                                     ["decrements"]])
@pytest.mark.parametrize("engine", [False, True])
def test_as_of_before_every_issue_names_the_as_of(book: Path, duck: str, command: list[str],
                                                  engine: bool,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km sample_data --as-of 2016-01-01` said "the policies table is empty or missing"
    # although it held 6,824 accepted policies, all issued after the --as-of
    data = duck if engine else str(book)
    rc, out, err = run_cli([command[0], data, *command[1:], "--as-of", "2019-06-30"], capsys)
    assert rc == 3 and out == ""
    assert "issued after --as-of 2019-06-30" in err


# --- help texts -------------------------------------------------------------------------------

def test_every_option_of_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    # found: `report --help` listed --persistency-basis and --persistency-measure with no word
    # of what they do or their defaults
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    bare = []
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        for action in command._actions:
            if action.option_strings and not action.help:
                bare.append(f"{name} {action.option_strings[-1]}")
    assert bare == []


# --- --by naming a column the data lack -------------------------------------------------------

@pytest.mark.parametrize("engine", [False, True])
def test_claims_by_unknown_column_is_an_error(book: Path, duck: str, engine: bool,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # found: `claims sample_data --by nosuch` printed the overall row only, exit 0, and the JSON
    # said "by": "nosuch"
    (book / "claims.csv").write_text(
        "claim_id,policy_id,member_id,reported_at,settled_at,status,amount_claimed,amount_paid\n"
        "C1,P1,M1,2021-01-05,2021-01-20,paid,100,80\n", encoding="utf-8")
    data = duck if engine else str(book)
    if engine:  # the book written again with the claims
        db = duck.removeprefix("duckdb://")
        assert run_cli(["import", str(book), "-o", db], capsys)[0] == 0
    rc, out, err = run_cli(["claims", data, "--by", "nosuch", "--json"], capsys)
    assert rc == 3 and out == ""
    assert "'nosuch'" in err and "channel" in err  # the valid columns are listed
    rc, out, _ = run_cli(["claims", data, "--json"], capsys)  # default: product, present here
    assert rc == 0 and '"by": "product"' in out
    rc, out, _ = run_cli(["claims", data, "--by", "channel", "--json"], capsys)
    assert rc == 0 and '"segment": "agency"' in out


# --- experience: contradicting or ignored options ---------------------------------------------

def test_experience_by_listed_twice_is_a_usage_error(book: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # found: `experience sample_data --by channel,channel` crashed (ValueError: cannot insert
    # channel, already exists), exit 1
    rc, out, err = run_cli(["experience", str(book), "--by", "channel,channel"], capsys)
    assert rc == 2 and out == "" and "'channel' listed twice" in err


def test_experience_period_contradicting_basis(book: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # found: `--basis policy_quarter --period year` studied quarters, --period silently ignored
    # (while `--basis policy_year --period quarter` studied quarters: the option won there)
    rc, out, err = run_cli(["experience", str(book), "--basis", "policy_quarter",
                            "--period", "year"], capsys)
    assert rc == 2 and out == "" and "--period year" in err
    # agreeing spellings still run, and --period alone still chooses the length
    for extra in (["--basis", "policy_quarter", "--period", "quarter"], ["--period", "quarter"],
                  ["--basis", "policy", "--period", "quarter"]):
        rc, out, _ = run_cli(["experience", str(book), "--json", *extra], capsys)
        assert rc == 0 and '"policy_quarter"' in out, extra


def test_experience_utilisation_refuses_ignored_options(book: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # found: `experience --utilisation --weight annual_premium` (and --expected, --control) ran
    # the utilisation study as if the option had not been given
    rc, out, err = run_cli(["experience", str(book), "--utilisation", "--weight",
                            "annual_premium"], capsys)
    assert rc == 2 and out == "" and "--weight" in err


# --- text tables: aligned under Chinese names, numbers never run together ---------------------

def _cells(text: str) -> int:
    """Terminal cells of ``text`` (a CJK character takes two), counted here independently."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_km_text_columns_align_under_chinese_groups(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km sample_data --by product` shifted the n/events columns right by one cell per
    # Chinese character of 养老年金, 百万医疗, 重疾险 (padding counted characters, not cells)
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "policies.csv").write_text(POLICIES.replace("agency", "银行保险渠道"),
                                         encoding="utf-8")
    rc, out, _ = run_cli(["km", str(folder), "--by", "channel"], capsys)
    assert rc == 0
    rows = [line for line in out.splitlines() if line.startswith(("group", "银行", "broker"))]
    assert len(rows) == 3
    # the right edge of the 'events' column, in terminal cells, is the same on every line
    assert len({_cells(_through_token(line, 3)) for line in rows}) == 1, rows


def _through_token(line: str, k: int) -> str:
    """``line`` up to the end of its ``k``-th whitespace-separated token."""
    import re

    return line[:[m.end() for m in re.finditer(r"\S+", line)][k - 1]]


def test_cox_text_numbers_are_separated(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `cox sample_data --covariates channel,annual_premium --cluster member_id` printed
    # '-1.824e-052.55e-063.28e-06' for annual_premium: coef, se and robust se ran together
    lines = [POLICIES.splitlines()[0]]
    for i in range(80):  # premiums of tens of thousands: a coefficient near 1e-5 per yuan
        lapsed = (i * 7) % 10 < (3 if i % 2 else 6)
        end, status = ("2022-03-01", "lapsed") if lapsed else ("", "in_force")
        lines.append(f"Q{i},N{i},Term,agency,2020-{1 + i % 12:02d}-15,{end},{status},"
                     f"{20000 + 1000 * (i % 2) * (i % 9)},annual")
    (book / "policies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rc, out, err = run_cli(["cox", str(book), "--covariates", "annual_premium"], capsys)
    assert rc == 0, err
    line = next(s for s in out.splitlines() if s.startswith("annual_premium"))
    fields = line.split()
    # covariate, coef, se, HR, lower, '–', upper, p: every number parses on its own
    assert len(fields) == 8, line
    for value in (fields[1], fields[2], fields[3], fields[4], fields[6]):
        float(value)


def test_persistency_text_aligns_long_and_chinese_segments(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: persistency's segment column was 16 characters whatever the names: 养老年金 pushed the
    # cohort count right by four cells, and a name of 16+ characters ran into the count
    folder = tmp_path / "long"
    folder.mkdir()
    rows = [POLICIES.splitlines()[0]]
    for i, channel in enumerate(["bancassurance partnership", "百万医疗渠道"] * 6):
        rows.append(f"R{i},M{i},Term,{channel},2022-{1 + i:02d}-10,,in_force,1000,annual")
    rows.append("Z1,MZ,Term,agency,2024-06-30,,in_force,1000,annual")
    (folder / "policies.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc, out, err = run_cli(["persistency", str(folder), "--by", "channel", "--period", "year"],
                           capsys)
    assert rc == 0, err
    table = [line for line in out.splitlines() if line.startswith(("period", "2023"))]
    assert len(table) >= 3, out
    # header and every row end their 'cohort' column at the same terminal cell (the segment
    # names here hold no digit: the first number after the period column is the cohort count)
    import re

    def cohort_end(line: str) -> int:
        match = re.search(r"\s(cohort|\d[\d,]*)(?=\s)", line[18:])
        assert match is not None, line
        return _cells(line[:18 + match.end()])

    assert len({cohort_end(line) for line in table}) == 1, table
    assert all("partnership " in line for line in table if "bancassurance" in line)


def test_print_table_aligns_chinese_and_writes_large_numbers_whole(
        capsys: pytest.CaptureFixture[str]) -> None:
    # found: `benefits sample_data --by region` shifted every column under 上海, 北京 and wrote
    # the cost as 6.506e+05
    import pandas as pd

    from memberdesk.commands.common import print_table

    print_table(pd.DataFrame({"segment": ["all", "上海"], "cost": [650577.0, 163.7],
                              "members": [3974, 393], "issue_year": [2024, 2025]}))
    lines = capsys.readouterr().out.splitlines()
    assert "650,577" in lines[1] and "163.7" in lines[2] and "e+" not in "".join(lines)
    assert "3,974" in lines[1] and "2024" in lines[1]  # counts separated, years as years
    assert len({_cells(line) for line in lines}) == 1, lines


# --- report: the default breakdown and an empty window -----------------------------------------

def test_report_of_a_one_channel_book(book: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    # found: `report BOOK -o r.xlsx` on a book with one channel exited 2 with "--by 'channel' is
    # not a column of the policies; choose one of: (none)", an option the user never gave
    text = (book / "policies.csv").read_text(encoding="utf-8").replace("broker", "agency")
    (book / "policies.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "r.xlsx"
    rc, _, err = run_cli(["report", str(book), "-o", str(out), "--allow-partial"], capsys)
    assert rc == 0, err
    assert out.exists() and "no channel with two or more values" in err
    assert "--by 'channel'" not in err
    # a --by the user gives is still checked
    rc, _, err = run_cli(["report", str(book), "-o", str(tmp_path / "s.xlsx"), "--by",
                          "channel"], capsys)
    assert rc == 2 and "--by 'channel'" in err


def test_report_as_of_before_every_issue(book: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # found: `report sample_data -o r.xlsx --as-of 2016-01-01` complained about --by 'channel'
    # (exit 2); once past that, it wrote a workbook of empty boxes
    out = tmp_path / "r.xlsx"
    rc, _, err = run_cli(["report", str(book), "-o", str(out), "--as-of", "2019-06-30"], capsys)
    assert rc == 3 and not out.exists()
    assert "issued after --as-of 2019-06-30" in err


# --- rejected rows are never left out silently ------------------------------------------------

@pytest.mark.parametrize("command", ["kpis", "persistency", "experience", "cohorts", "claims",
                                     "benefits", "service", "alerts", "decrements"])
def test_every_command_says_which_rows_it_left_out(book: Path, command: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # found: only km, cox and projection said on stderr that validation had rejected rows;
    # `kpis` (and the others) computed without the rejected policies and said nothing
    text = (book / "policies.csv").read_text(encoding="utf-8")
    (book / "policies.csv").write_text(text + "P5,M5,Term,agency,2021-02-30,,in_force,700,annual\n",
                                       encoding="utf-8")
    rc, _, err = run_cli([command, str(book)], capsys)
    assert rc in (0, 3), err
    assert "1 of 5 policy rows rejected" in err
    assert "row 6" in err and "'issue_date'" in err and "2021-02-30" in err


def test_kpis_on_a_book_of_rejected_policies_is_a_data_error(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `kpis BOOK` whose every policy row was rejected (decimal commas: 8404,35) printed
    # zero in-force members and policies, exit 0
    text = (book / "policies.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = [lines[0]] + [line.rsplit(",", 2)[0] + ",1000;5,annual" for line in lines[1:]]
    (book / "policies.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    rc, out, err = run_cli(["kpis", str(book), "--json"], capsys)
    assert rc == 3 and out == ""
    assert "every policy row was rejected" in err and "'annual_premium'" in err


# --- date options -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["kpis", "--as-of", "2020-06"], ["kpis", "--as-of", "2020"],
                                  ["km", "--study-start", "2020-06"],
                                  ["experience", "--study-start", "2020/6"],
                                  ["kpis", "--as-of", "2020-06-30T12:00"]])
def test_partial_dates_and_times_are_usage_errors(book: Path, args: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # found: `--as-of 2025-06` ran as of 2025-06-01 without a word (a cut-off named by its
    # month usually means the month's end), `--as-of 2025` as of 1 January
    rc, out, err = run_cli([args[0], str(book), *args[1:]], capsys)
    assert rc == 2 and out == ""
    assert repr(args[2]) in err


def test_study_start_before_1900_is_a_usage_error(book: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km sample_data --study-start 1677-09-22` overflowed the nanosecond dates and said
    # "every row was rejected for its entry time ({'exit_not_after_entry': 6824})", exit 3
    rc, out, err = run_cli(["km", str(book), "--study-start", "1677-09-22"], capsys)
    assert rc == 2 and out == "" and "1900-01-01" in err
    # a whole date before every issue still works, on either spelling
    for day in ("2019-12-31", "20191231", "2019/12/31"):
        rc, _, err = run_cli(["km", str(book), "--study-start", day, "--json"], capsys)
        assert rc == 0, (day, err)


# --- sample never replaces the user's data ----------------------------------------------------

def test_sample_refuses_a_folder_of_other_data(book: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # found: `sample -o DIR` replaced the user's DIR/policies.csv with synthetic policies, exit 0
    before = (book / "policies.csv").read_bytes()
    rc, out, err = run_cli(["sample", "-o", str(book), "--members", "10", "--no-excel", "-q"],
                           capsys)
    assert rc == 2 and "policies.csv" in err
    assert (book / "policies.csv").read_bytes() == before
    # a folder an earlier `sample` wrote is written again
    again = tmp_path / "again"
    for _ in range(2):
        rc, _, err = run_cli(["sample", "-o", str(again), "--members", "10", "--no-excel", "-q"],
                             capsys)
        assert rc == 0, err


@pytest.mark.parametrize("end", ["1800-01-01", "2300-01-01", "2999-12-31"])
def test_sample_end_outside_the_readable_range(end: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # found: `sample --end 2300-01-01` wrote birth dates such as '1680-04-23 00:25:26' (the
    # nanosecond dates overflowed) and every later command saw an as-of of 1714; `--end` after
    # today wrote a book whose last rows every command rejects as future dates
    rc, out, err = run_cli(["sample", "-o", str(tmp_path / "s"), "--end", end, "--members",
                            "10", "--no-excel", "-q"], capsys)
    assert rc == 2 and out == "" and end in err
    assert not (tmp_path / "s").exists()


def test_rejected_row_note_of_an_engine_book_reads_as_one_sentence(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: on a raw DuckDB book the note ended "…any accepted format.. `memberdesk validate`"
    import duckdb

    text = (book / "policies.csv").read_text(encoding="utf-8")
    (book / "policies.csv").write_text(text + "P5,M5,Term,agency,2021-02-30,,in_force,700,annual\n",
                                       encoding="utf-8")
    db = tmp_path / "raw.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE policies AS SELECT * FROM read_csv(?, all_varchar = true)",
                    [str(book / "policies.csv")])
    rc, _, err = run_cli(["kpis", f"duckdb://{db}"], capsys)
    assert rc == 0, err
    assert "1 of 5 policy rows rejected" in err and "'2021-02-30'" in err
    assert ".." not in err


def test_projection_says_its_unit_and_how_generic_durations_are_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `projection g.csv --duration dur --event-col ev` fitted the durations as days
    # converted to months (exponential scale 0.164 = 5 days / 30.44) and said neither
    g = tmp_path / "g.csv"
    g.write_text("dur,ev\n1,1\n2,0\n3,1\n4,1\n5,0\n", encoding="utf-8")
    rc, out, _ = run_cli(["projection", str(g), "--duration", "dur", "--event-col", "ev"], capsys)
    assert rc == 0
    assert "time in months" in out.splitlines()[0] and "read as days" in out.splitlines()[0]
    parser = cli.build_parser(["projection"])
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "read as days" in sub.choices["projection"].description  # type: ignore[union-attr]


def test_rejected_row_note_names_the_sheet(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # found: the note of a rejected workbook row said "first at book.xlsx, row 3" without the
    # sheet (validate names it)
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保单"
    for line in POLICIES.splitlines():
        ws.append(line.split(","))
    ws["E3"] = "2020-02-30"  # P2's issue date
    wb.save(tmp_path / "book.xlsx")
    rc, _, err = run_cli(["kpis", str(tmp_path / "book.xlsx")], capsys)
    assert rc == 0, err
    assert "sheet '保单', row 3, column 'issue_date'" in err


# --- column options in the data's own (Chinese) headers -----------------------------------------

ZH_POLICIES = ("保单号,会员号,产品,渠道,生效日期,终止日期,保单状态,年缴保费\n"
               "P1,M1,定期寿险,银保,2020-01-15,,有效,1000\n"
               "P2,M2,定期寿险,银保,2020-03-01,2021-05-01,失效,1200\n"
               "P3,M3,医疗险,网销,2021-02-10,2022-01-20,退保,800\n"
               "P4,M4,医疗险,网销,2021-06-30,,有效,900\n")


@pytest.mark.parametrize("command", [["km", "--by"], ["persistency", "--by"],
                                     ["experience", "--by"], ["claims", "--by"],
                                     ["cox", "--covariates"]])
def test_column_options_accept_the_source_headers(tmp_path: Path, command: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # found: `km policies_zh.csv --by 渠道` (the file's own header for channel, which the reader
    # maps) exited 3 with "unknown column '渠道'"; so did `--by Channel`
    path = tmp_path / "保单.csv"
    path.write_text(ZH_POLICIES, encoding="utf-8")
    rc, out, err = run_cli([command[0], str(path), command[1], "渠道", "--json"], capsys)
    assert rc in (0, 3) and "unknown column" not in err, err
    assert "--" + command[1].lstrip("-") + " 渠道 is read as channel" in err
    if command[0] == "km":
        assert rc == 0 and '"name": "网销"' in out
    rc, _, err = run_cli(["km", str(path), "--by", "Channel"], capsys)
    assert rc == 0 and "read as channel" in err


def test_canonical_and_generic_column_names_are_kept(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # exit_date is a derived column of its own, though its synonym would read end_date; and a
    # generic table's headers are not mapped: its column 渠道 stays 渠道
    import argparse

    from memberdesk.commands.common import resolve_column_names

    args = argparse.Namespace(by="exit_date,渠道", duration=None)
    resolve_column_names(args)
    assert args.by == "exit_date,channel"
    args = argparse.Namespace(by="渠道", duration="t")
    resolve_column_names(args)
    assert args.by == "渠道"
    g = tmp_path / "g.csv"
    g.write_text("t,e,渠道\n1,1,甲\n2,0,乙\n3,1,甲\n4,1,乙\n", encoding="utf-8")
    rc, out, err = run_cli(["km", str(g), "--duration", "t", "--event-col", "e", "--by", "渠道",
                            "--json"], capsys)
    assert rc == 0 and '"name": "甲"' in out, err


# --- impact text --------------------------------------------------------------------------------

def test_impact_text_of_a_missing_table_and_large_values(book: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # found: `impact --before sample_data --after part/` (no members file after) printed one
    # 'column removed' line per members column, counts as 'read 5000 -> 0 {}', reasons as a
    # Python dict and money as 7.679e+07
    before = tmp_path / "before"
    before.mkdir()
    (before / "policies.csv").write_text(POLICIES.replace(",1000,", ",123456,"), encoding="utf-8")
    (before / "members.csv").write_text("member_id,gender\nM1,F\nM2,M\nM3,F\nM4,M\n",
                                        encoding="utf-8")
    rc, out, err = run_cli(["impact", "--before", str(before), "--after", str(book)], capsys)
    assert rc == 0, err
    assert "table members: not in the after load (4 rows before)" in out
    assert "column removed: members." not in out
    assert "e+" not in out and "{" not in out


def test_alerts_table_aligns_chinese_segments(capsys: pytest.CaptureFixture[str]) -> None:
    # found: `alerts sample_data` shifted the value/expected/n columns of every product=百万医疗
    # row right by four cells
    from types import SimpleNamespace

    import pandas as pd

    from memberdesk.commands.alerts import format_table

    def alert(segment: str) -> SimpleNamespace:
        return SimpleNamespace(level="alarm", status="new", metric="early_lapse_rate_6m",
                               column="product", segment_value=segment, value=0.09,
                               expected=0.037, lower=None, upper=None, n=343, since="2025-05",
                               method="cusum", key=f"k|{segment}", acknowledged=None)

    alerts = [alert("百万医疗"), alert("Term Life 5")]
    result = SimpleNamespace(as_of=pd.Timestamp("2026-06-30"), alerts=alerts,
                             active=lambda: alerts, unavailable={})
    lines = format_table(result).splitlines()[1:]
    # the 'value' column starts at the same terminal cell on the header and both rows
    starts = {_cells(line[:line.index(word)]) for line, word in zip(lines, ["value", "9.0%", "9.0%"])}
    assert len(starts) == 1, lines


def test_decrements_text_long_labels_and_no_nan(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # found: a cause label of 14+ cells ran into its figures (the column was 14 characters),
    # Chinese labels shifted them, and Gray's test printed 'chi2 = nan, df = 1, p = nan' for a
    # cause with no event in one group
    path = tmp_path / "d.csv"
    path.write_text("dur,cause,grp\n1,1,a\n2,0,a\n3,2,b\n4,1,b\n5,0,a\n6,3,b\n", encoding="utf-8")
    rc, out, err = run_cli(["decrements", str(path), "--duration", "dur", "--cause-col", "cause",
                            "--by", "grp", "--cause-labels", "1=退保,2=身故,3=a very long label"],
                           capsys)
    assert rc == 0, err
    rows = [line for line in out.splitlines() if line.startswith("  ")]
    firsts = {_cells(line[:line.index("365.25") if "365.25" in line else line.index("chi2")
                          if "chi2" in line else line.index("not computed")]) for line in rows}
    assert len(firsts) == 1, rows
    assert "nan" not in out


def test_import_of_a_book_of_rejected_policies_writes_nothing(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `import semi/ -o semi.duckdb` (every premium with a decimal comma) wrote a book of
    # no policy and exited 0; every command on it, validate included, then failed with "the
    # policies table has no dates to set the as-of date from"
    lines = (book / "policies.csv").read_text(encoding="utf-8").splitlines()
    bad = [lines[0]] + [line.rsplit(",", 2)[0] + ",1000;5,annual" for line in lines[1:]]
    (book / "policies.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    out = tmp_path / "semi.duckdb"
    rc, _, err = run_cli(["import", str(book), "-o", str(out)], capsys)
    assert rc == 3 and not out.exists()
    assert "every policy row was rejected" in err and "'annual_premium'" in err


@pytest.mark.parametrize("command", ["validate", "import"])
def test_assumptions_are_not_offered_where_nothing_reads_them(
        book: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `validate DATA --assumptions a.toml` and `import ... --assumptions a.toml` read and
    # checked the file, then nothing used it (no validation rule reads an assumption, and the
    # imported book does not store them)
    toml = tmp_path / "a.toml"
    toml.write_text("ci_level = 0.9\n", encoding="utf-8")
    extra = ["-o", str(tmp_path / "b.duckdb")] if command == "import" else []
    rc, out, err = run_cli([command, str(book), *extra, "--assumptions", str(toml)], capsys)
    assert rc == 2 and "--assumptions" in err
    assert not (tmp_path / "b.duckdb").exists()
    parser = cli.build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "--assumptions" not in sub.choices[command].format_help()  # type: ignore[union-attr]


def test_table_help_names_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    # found: --table's help listed five tables; premium_payments (accepted) was missing
    from memberdesk.core import schema

    parser = cli.build_parser(["km"])
    sub = next(a for a in parser._actions if a.dest == "command")
    text = " ".join(sub.choices["km"].format_help().split())  # type: ignore[union-attr]
    for table in schema.TABLES:
        assert table in text.split("--table NAME=SCHEMA.TABLE", 2)[2].split("--as-of")[0], table


def test_include_personal_without_a_call_list_is_a_usage_error(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found: `score DATA --include-personal` (no -o) ran and printed the same as without it
    rc, out, err = run_cli(["score", str(book), "--include-personal"], capsys)
    assert rc == 2 and out == "" and "-o" in err


def test_experience_says_which_rows_have_no_expected_rate(book: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    # found: `experience sample_data --expected by_channel.csv` (rates for agency only, no
    # --by) printed blank expected and A/E on every row without a word
    table = tmp_path / "expected.csv"
    table.write_text("policy_year,channel,rate\n1,agency,0.05\n2,agency,0.04\n3,agency,0.04\n",
                     encoding="utf-8")
    rc, out, err = run_cli(["experience", str(book), "--expected", str(table)], capsys)
    assert rc == 0, err
    assert "rows have no expected rate" in err and "first: policy_year 1" in err
    assert "policy_year 1.0" not in err
    rc, _, err = run_cli(["experience", str(book), "--expected", str(table), "--by", "channel"],
                         capsys)
    assert rc == 0 and "first: policy_year 1, channel broker" in err
