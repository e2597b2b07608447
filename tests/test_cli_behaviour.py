"""CLI behaviour across commands: exit codes, no tracebacks, generic tables, bundled extras."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from memberdesk import cli
from memberdesk.core.errors import DataError

ROOT = Path(__file__).resolve().parents[1]


def _run_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> int:
    def boom(args: argparse.Namespace) -> int:
        raise exc

    real = cli.build_parser

    def parser(*commands: list[str]) -> argparse.ArgumentParser:
        p = real(*commands)
        p.set_defaults(run=boom)
        return p

    monkeypatch.setattr(cli, "build_parser", parser)
    # parse a command whose own run is replaced by `boom`
    from memberdesk.commands import validate

    monkeypatch.setattr(validate, "run", boom)
    return cli.main(["validate", "x.csv"])


def test_data_error_exits_3_with_location(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    rc = _run_with(monkeypatch, DataError("bad date", file="p.csv", row=7, column="issue_date"))
    err = capsys.readouterr().err
    assert rc == 3
    assert "p.csv" in err and "row 7" in err and "issue_date" in err


def test_unexpected_error_exits_1_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MEMBERDESK_DEBUG", raising=False)
    rc = _run_with(monkeypatch, ZeroDivisionError("oops"))
    err = capsys.readouterr().err
    assert rc == 1
    assert "ZeroDivisionError: oops" in err and "Traceback" not in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["km"])  # DATA is required
    assert info.value.code == 2


def test_missing_file_is_a_data_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["validate", str(tmp_path / "nope.csv")])
    assert rc == 3
    assert "nope.csv" in capsys.readouterr().err


def test_closed_pipe_is_not_a_traceback() -> None:
    # km --json on the sample is far larger than a pipe buffer, so the write really fails.
    code = ("import subprocess, sys\n"
            f"p = subprocess.Popen([sys.executable, {str(ROOT / 'main.py')!r}, 'km', "
            f"{str(ROOT / 'sample_data')!r}, '--by', 'channel', '--json'], "
            "stdout=subprocess.PIPE, "
            "stderr=subprocess.PIPE)\n"
            "p.stdout.read(10); p.stdout.close(); err = p.stderr.read(); p.wait()\n"
            "sys.stderr.write(err.decode()); sys.exit(p.returncode)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0


def test_validate_reads_a_generic_table_like_km(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "gen.csv"
    data.write_text("T,E,g\n5,1,a\n3,x,b\n-2,0,a\n4,0,b\n", encoding="utf-8")
    rc = cli.main(["validate", str(data), "--duration", "T", "--event-col", "E", "--json"])
    import json

    table = json.loads(capsys.readouterr().out)["tables"][0]
    # rows 3 (event 'x') and 4 (negative duration) are rejected, with their reasons
    assert rc == 0
    assert (table["read"], table["accepted"], table["rejected"]) == (4, 2, 2)
    assert sum(table["reasons"].values()) == 2


def test_bundled_expected_table_gives_ae(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    sample = ROOT / "sample_data"
    rc = cli.main(["experience", str(sample), "--expected",
                   str(sample / "expected" / "expected_lapse_rates.csv"), "--json"])
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rc == 0
    first = next(r for r in rows if r["policy_year"] == 1)
    assert first["expected"] == pytest.approx(0.09)
    assert first["ae"] == pytest.approx(first["rate"] / 0.09)


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_help_text_reads_as_written(command: str) -> None:
    """Each command's --help formats (an argument's help is %-formatted, so a lone % there would
    raise) and shows no doubled percent sign: argparse formats a description only when it names
    %(prog)s, so "95%%" in one is printed as typed."""
    parser = cli.build_parser([command])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = sub.choices[command].format_help()
    assert "%%" not in text
    assert "DATA" in text or command in ("sample", "lineage")
    if "DATA" in text:  # every command that reads a book names the databases it reads too
        assert "duckdb://" in text and "postgresql://" in text and "spark:local" in text


def test_an_unknown_option_shows_the_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """`memberdesk km DATA --bogus` answers with km's usage line (its options), exit 2; it
    printed the top-level "usage: memberdesk [-h] COMMAND ..." (seen by helper U)."""
    with pytest.raises(SystemExit) as done:
        cli.main(["km", str(ROOT / "sample_data"), "--bogus"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "usage: memberdesk km" in err and "--by COL" in err
    assert "unrecognized arguments: --bogus" in err and "COMMAND ..." not in err
