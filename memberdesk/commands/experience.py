"""`memberdesk experience`: termination experience by policy year (or calendar year), A/E,
credibility (docs/cli.md).

    memberdesk experience DATA... [--by COL,...] [--target STATUS,...] [--as-of YYYY-MM-DD]
                          [--expected FILE] [--basis policy_year|calendar_year] [--json]

``--basis`` (default ``policy_year``) extends docs/cli.md compatibly: with ``calendar_year`` the
JSON rows carry ``calendar_year`` instead of ``policy_year``, and an ``--expected`` table must
give its rates by ``calendar_year`` (the period column matching the basis).

docs/cli.md Extensions: ``--basis policy|calendar --period year|quarter|month|week`` (rows carry
``policy_quarter``, ``calendar_month``, … — calendar periods labelled ``2023Q2``, ``2023-04`` or
the week's first day), ``--study-start DATE``, ``--weight COL`` (weighted ``actual`` and
``exposure``, plus ``n_actual``, ``weight``, ``weight_sq``, ``weight_n`` and the CIs), and
``--control COL,...`` (``expected_control``, ``ae_control``; ``period`` names the period).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import pandas as pd

from memberdesk.analysis.experience import ExperienceResult, experience_study, read_expected_table
from memberdesk.analysis.experience_exposure import BASES, KINDS, PERIODS, check_target, split_basis
from memberdesk.commands.common import (
    add_data_args,
    display_width,
    load_from_args,
    pad,
    parse_date_option,
    print_json,
    resolve_column_names,
)
from memberdesk.core import schema
from memberdesk.core.errors import AnalysisError
from memberdesk.core.labels import ci_level_text


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("experience", help="experience study: rates, A/E and credibility "
                                          "by policy year (or calendar year)")
    add_data_args(p)
    p.add_argument("--by", metavar="COL,...", default="",
                   help="policy columns to split by, comma-separated (e.g. channel,product)")
    p.add_argument("--target", metavar="STATUS,...", default=",".join(schema.VOLUNTARY_EXIT_STATUSES),
                   help="termination statuses studied (default: lapsed,surrendered)")
    p.add_argument("--expected", metavar="FILE",
                   help="expected-rate table: CSV with the basis' period column (policy_year, "
                        "or calendar_year with --basis calendar_year)[, segment columns], rate")
    p.add_argument("--basis", choices=(*KINDS, "split", *BASES), default="policy",
                   help="exposure periods: policy (default) or calendar, with --period; split: "
                        "calendar periods split at anniversaries (rows by calendar period and "
                        "policy year, rates on policy-year exposure)")
    p.add_argument("--period", choices=PERIODS, default=None,
                   help="period length: year (default), quarter, month or week")
    p.add_argument("--study-start", dest="study_start", metavar="YYYY-MM-DD",
                   help="first day of the study (policies ended by then are left out)")
    p.add_argument("--weight", metavar="COL",
                   help="weight the study by a policy column (e.g. annual_premium)")
    p.add_argument("--control", metavar="COL,...", default="",
                   help="control variables: A/E against the rate they alone predict "
                        "('period' names the period)")
    p.add_argument("--utilisation", action="store_true",
                   help="benefit utilisation study instead (actxps trx_stats): uses, users, "
                        "cost and utilisation per period, segment and benefit")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    resolve_column_names(args)
    by = _split(args.by)
    refused = _refused_options(args, by)
    if refused:
        print(f"memberdesk: error: {refused}", file=sys.stderr)
        return 2
    try:
        target = list(check_target(_split(args.target)))
    except AnalysisError as exc:
        print(f"memberdesk: error: --target: {exc.message}", file=sys.stderr)
        return 2
    split = args.basis == "split"
    kind, length = split_basis("calendar" if split else args.basis, args.period)
    basis = f"{kind}_{length}"
    try:
        study_start = parse_date_option("--study-start", args.study_start)
    except SystemExit as exc:  # (the message is printed; returned as this command's status)
        return int(exc.code or 2)
    control = _split(args.control)
    if args.utilisation:
        return _utilisation(args, by, target, basis, study_start)
    expected = read_expected_table(args.expected, basis="policy_year" if split else basis) \
        if args.expected else None
    ds = load_from_args(args)
    result = experience_study(ds, by=by, target=target, basis="split" if split else basis,
                              period=length, expected=expected,
                              study_start=study_start, weight=args.weight, control=control)
    for note in result.notes:  # never silent: an engine book's study that read the rows
        print(f"memberdesk: note: {note}", file=sys.stderr)
    _say_rows_without_expected(result, args.expected)
    if args.json:
        print_json(result.to_json())
    else:
        print_table(result, sys.stdout)
    return 0


def _utilisation(args: argparse.Namespace, by: list[str], target: list[str], basis: str,
                 study_start: pd.Timestamp | None) -> int:
    """``--utilisation``: the benefit utilisation study (JSON: UtilisationResult.to_json)."""
    from memberdesk.analysis.utilisation import STAT_COLUMNS, benefit_utilisation

    if args.basis == "split":
        print("memberdesk: error: --utilisation works on policy or calendar periods, not split",
              file=sys.stderr)
        return 2
    ds = load_from_args(args)
    res = benefit_utilisation(ds, by=by, basis=basis, study_start=study_start, target=target)
    if args.json:
        print_json(res.to_json())
        return 0
    rows = res.to_json()["rows"]
    head = [res.basis, *res.by, "trx_type", *STAT_COLUMNS[:8]]
    sys.stdout.write(f"Benefit utilisation as of {res.as_of.date().isoformat()} "
                     f"({res.unattached:,} uses outside the studied periods)\n")
    sys.stdout.write("  ".join(head) + "\n")
    for r in rows:
        cells = [str(r[c]) if not isinstance(r[c], float) else f"{r[c]:,.4g}" for c in head]
        sys.stdout.write("  ".join(cells) + "\n")
    return 0


def print_table(result: ExperienceResult, out: TextIO) -> None:
    """A readable fixed-width table: one line per row, then the total."""
    if result.rows.empty:  # e.g. an --as-of before the first issue: no exposure at all
        out.write(f"Experience study as of {result.as_of.date().isoformat()} · target: "
                  f"{', '.join(result.target)}\n(no rows: no exposure up to the as-of date)\n")
        return
    frame = result.to_frame(with_total=True)
    from memberdesk.analysis.experience_exposure import period_labels

    frame[result.basis] = [*period_labels(result.rows[result.basis].to_numpy(), result.basis),
                           frame[result.basis].iloc[-1]]
    cols: list[tuple[str, str, Any]] = [(result.basis.replace("_", " "), result.basis, str)]
    cols += [(c, c, lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
             for c in result.by]
    cols += [("exposure", "exposure", lambda v: f"{v:,.2f}"),
             ("actual", "actual", lambda v: f"{int(v):,}"),
             ("rate", "rate", _pct),
             (f"{ci_level_text(result.conf_level)} CI", "_ci", str)]
    if result.has_expected:
        cols += [("expected", "expected", _pct), ("A/E", "ae", _ratio)]
    cols += [("credibility", "credibility", lambda v: f"{v:.2f}" if pd.notna(v) else "")]
    frame["_ci"] = [f"{_pct(lo)}–{_pct(hi)}" if pd.notna(lo) else ""
                    for lo, hi in zip(frame["rate_lower"], frame["rate_upper"])]
    cells = [[fmt(v) for v in frame[key]] for _, key, fmt in cols]
    widths = [max(len(h), *(display_width(c) for c in col)) if len(col) else len(h)
              for (h, _, _), col in zip(cols, cells)]
    left = 1 + len(result.by)
    out.write(f"Experience study as of {result.as_of.date().isoformat()} · target: "
              f"{', '.join(result.target)} · by {result.basis.replace('_', ' ')} · "
              f"{result.method} exposure method\n")

    def line(values: list[str]) -> str:
        return "  ".join(pad(v, w, right=i >= left)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    out.write(line([h for h, _, _ in cols]) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    rows = list(zip(*cells))
    for i, row in enumerate(rows):
        if i == len(rows) - 1:
            out.write(line(["-" * w for w in widths]) + "\n")
        out.write(line(list(row)) + "\n")


def _say_rows_without_expected(result: ExperienceResult, path: str | None) -> None:
    """With ``--expected``: say on stderr how many rows got no expected rate (blank expected and
    A/E), e.g. a table by channel that names some channels only, or read without ``--by`` so a
    row mixes channels the table has with channels it lacks."""
    if not path or result.rows.empty or "expected" not in result.rows.columns:
        return
    missing = result.rows["expected"].isna()
    if not missing.any():
        return
    first = result.rows.loc[missing].head(1).to_dict("records")[0]  # (each column's own type)
    where = ", ".join(f"{k} {first[k]}" for k in (result.basis, *result.by) if k in first)
    print(f"memberdesk: note: {int(missing.sum()):,} of {len(missing):,} rows have no expected "
          f"rate and no A/E (first: {where}): the expected-rate table {path} has no rate for "
          "some of their policies' periods or segments", file=sys.stderr)


def _refused_options(args: argparse.Namespace, by: list[str]) -> str:
    """A usage message for options that contradict each other or that the study would ignore
    ("" when none): a column twice in --by or --control; --period differing from the length a
    --basis such as policy_quarter names; --expected, --weight or --control with
    --utilisation (the utilisation study has no expected rates, weights or controls)."""
    for option, names in (("--by", by), ("--control", _split(args.control))):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            return f"{option}: {', '.join(map(repr, twice))} listed twice"
    _, _, length = str(args.basis).partition("_")
    if length and args.period is not None and args.period != length:
        return (f"--basis {args.basis} names {length} periods; --period {args.period} "
                f"contradicts it (give --basis {args.basis.partition('_')[0]} --period "
                f"{args.period})")
    if args.utilisation:
        ignored = [o for o, v in (("--expected", args.expected), ("--weight", args.weight),
                                  ("--control", args.control)) if v]
        if ignored:
            return (f"{', '.join(ignored)}: not used by the --utilisation study (uses, users "
                    "and cost per period and benefit)")
    return ""


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.2f}%"


def _ratio(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.3f}"
