"""`memberdesk report`: the Excel report for managers (docs/cli.md).

    memberdesk report DATA... -o REPORT.xlsx [--as-of YYYY-MM-DD] [--lang en|zh_CN] [--by COL[,COL2]]
                      [--include-personal] [--expected FILE] [--workspace W.mdesk]
                      [--covariates A,B] [--strata COL] [--cluster COL] [--ph-transform T]
                      [--test T] [--experience-by A,B] [--target S,S] [--basis B] [--period P]
                      [--weight COL] [--persistency-month 13|25|both] [--persistency-period P]
                      [--persistency-basis B] [--persistency-measure M] [--persistency-by COL]
                      [--targets FILE] [--allow-partial] [--compare-as-of DATE]

The same choices the pages offer (:class:`memberdesk.report.report_options.ReportOptions`).
``--workspace`` reads them from a saved workspace — with its filters and as-of date, and its
data files when no DATA is given — so a scheduled run reproduces a saved view exactly,
including each page's "Compare with…" on its own sheet; options given on the command line
override the workspace's.

Exit status: 0 written; 2 usage error (an option naming a column the data do not have: the
valid columns are listed); 3 data error (unreadable data, a report path that cannot be written —
the previous report is then left intact — or a section that could not be computed, unless
``--allow-partial``: the workbook is written either way, the failed section as a readable box).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from memberdesk.commands.common import add_data_args, load_from_args, read_expected, resolve_column_names
from memberdesk.core.atomic_write import refuse_overwriting_inputs

EXIT_USAGE = 2
EXIT_DATA = 3


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="write the Excel report for managers (.xlsx)")
    add_data_args(p)
    for action in p._actions:  # DATA may come from --workspace instead
        if action.dest == "data":
            action.nargs = "*"
    p.add_argument("-o", "--output", required=True, metavar="REPORT.xlsx",
                   help="the workbook to write (replaced only once complete)")
    p.add_argument("--lang", choices=("en", "zh_CN"), default="en",
                   help="language of sheet names, headers and definitions (default en)")
    p.add_argument("--workspace", metavar="W.mdesk",
                   help="take the pages' choices, filters, as-of and (without DATA) the data "
                        "files from a saved workspace; other options override it")
    p.add_argument("--by", metavar="COL[,COL2]", default=None,
                   help="policy column the retention, experience and persistency sheets are "
                        "broken down by (default channel); a second column adds a dimension to "
                        "the long data sheet")
    p.add_argument("--include-personal", dest="include_personal", action="store_true",
                   help="allow member-level personal data (ids, names, birth dates) in the report")
    p.add_argument("--expected", metavar="FILE",
                   help="expected-rate CSV (policy_year[, segment columns], rate) for A/E")
    g = p.add_argument_group("Drivers (Cox model), as on the Drivers page")
    g.add_argument("--covariates", metavar="A,B,...", help="covariates (default: the segment "
                   "then the usual columns, at most three)")
    g.add_argument("--strata", metavar="COL", help="strata column (own baseline hazard)")
    g.add_argument("--cluster", metavar="COL", help="robust SE clustered by COL (e.g. member_id)")
    g.add_argument("--ph-transform", dest="ph_transform", choices=("km", "rank", "identity", "log"),
                   help="time transform of the proportional-hazards test (default km)")
    g = p.add_argument_group("Retention and Experience, as on their pages")
    g.add_argument("--test", metavar="TEST", help="retention test: logrank (default), wilcoxon, "
                   "tarone, peto, fh:P,Q")
    g.add_argument("--experience-by", dest="experience_by", metavar="A,B",
                   help="experience split columns (default: --by)")
    g.add_argument("--target", metavar="STATUS,...", help="terminations studied (default "
                   "lapsed,surrendered)")
    g.add_argument("--basis", choices=("policy_year", "calendar_year"),
                   help="experience basis (default policy_year)")
    g.add_argument("--period", choices=("year", "quarter", "month", "week"),
                   help="experience period (default year)")
    g.add_argument("--weight", metavar="COL", help="weight the experience study by COL "
                   "(annual_premium, sum_assured)")
    g = p.add_argument_group("Persistency, as on the Persistency page")
    g.add_argument("--persistency-month", dest="persistency_month", choices=("13", "25", "both"),
                   help="13th or 25th month, or both (default both)")
    g.add_argument("--persistency-period", dest="persistency_period",
                   choices=("rolling12", "month", "quarter", "year"),
                   help="evaluation period of the persistency table (default year)")
    g.add_argument("--persistency-basis", dest="persistency_basis", choices=("status", "collected"),
                   help="status: annual premium in force; collected: premium collected (needs a "
                        "premium_payments table) (default status)")
    g.add_argument("--persistency-measure", dest="persistency_measure", choices=("premium", "count"),
                   help="ratio of annual premium or of policy counts (default premium)")
    g.add_argument("--persistency-by", dest="persistency_by", metavar="COL",
                   help="persistency segment (default --by; '' = whole book)")
    p.add_argument("--targets", metavar="FILE",
                   help="CSV of metric targets (metric, target, amber, red) for the Dashboard")
    p.add_argument("--allow-partial", dest="allow_partial", action="store_true",
                   help="exit 0 even when a section could not be computed (it reads as a box)")
    p.add_argument("--compare-as-of", dest="compare_as_of", metavar="YYYY-MM-DD",
                   help="compare with that date: the Summary's KPIs, the Retention and "
                        "Persistency sheets' figures at DATE and the change since (issue 17 "
                        "C.18); replaces a --workspace's comparisons (a pinned filter set "
                        "comes only from --workspace)")
    p.set_defaults(run=run)


def _error(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _default_segment(options: Any, ds: Any, args: argparse.Namespace, workspace: Any) -> Any:
    """The report's default breakdown (channel) when nobody chose one and the policies cannot
    be broken down by it (no channel column, or one channel only): the first segment column the
    policies have, else the whole book, said on stderr. Without this a book of one channel got
    "--by 'channel' is not a column of the policies" (exit 2) for an option never given."""
    from dataclasses import replace

    from memberdesk.report.report_options import DEFAULT_SEGMENT

    if args.by is not None or workspace is not None or options.segment != DEFAULT_SEGMENT:
        return options
    segments = ds.segment_columns() if ds.policies is not None else []
    if DEFAULT_SEGMENT in segments:
        return options
    chosen = segments[0] if segments else None
    changes: dict[str, Any] = {"segment": chosen}
    if args.persistency_by is None and options.persistency_segment == DEFAULT_SEGMENT:
        changes["persistency_segment"] = chosen
    print(f"memberdesk: note: the policies have no {DEFAULT_SEGMENT} with two or more values; "
          + (f"the report is broken down by {chosen} (--by chooses)" if chosen else
             "the report shows the whole book (--by chooses a breakdown)"), file=sys.stderr)
    return replace(options, **changes)


def run(args: argparse.Namespace) -> int:
    from memberdesk.report.report_options import ReportOptions
    from memberdesk.report.workbook import write_report_outcome

    resolve_column_names(args)
    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        return _error(f"-o {args.output!r}: the report must be an .xlsx file")
    workspace: Any = None
    options = ReportOptions()
    if args.workspace:
        from memberdesk.core.workspace import Workspace

        workspace = Workspace.load(args.workspace)  # DataError (exit 3) when unreadable
        options = ReportOptions.from_workspace(workspace)
        if not args.data:
            missing = workspace.missing_sources()
            if missing:
                from memberdesk.core.errors import DataError

                raise DataError("a data file of the workspace is no longer there", file=missing[0])
            args.data = list(workspace.sources)
    if not args.data:
        return _error("give the DATA files (or a --workspace that names them)")
    if getattr(args, "compare_as_of", None) is not None:  # exit 2 when not a date
        from memberdesk.commands.common import parse_date_option

        compare = parse_date_option("--compare-as-of", args.compare_as_of)
        args.compare_as_of = None if compare is None else compare.date().isoformat()
    options = options.with_args(args)
    inputs = [*args.data, *filter(None, [options.expected, options.targets, args.workspace])]
    clash = refuse_overwriting_inputs(output, inputs, "-o")
    if clash:
        return _error(clash)
    if workspace is not None and args.as_of is None and workspace.as_of is not None:
        args.as_of = workspace.as_of.date().isoformat()
    ds = load_from_args(args)  # an --as-of after the data is capped there (common.cap_as_of)
    if workspace is not None:
        ds = ds.with_filters(workspace.filters)
        if getattr(args, "assumptions", None) is None:  # the workspace's (issue 17 C.17)
            ds = ds.with_assumptions(workspace.assumptions)
    policies = ds.policies
    if policies is not None and len(policies) == 0 and args.as_of is not None:
        from memberdesk.core.errors import AnalysisError
        from memberdesk.core.reasons import Reason

        raise AnalysisError(Reason("report_no_policies_as_of", as_of=args.as_of))  # (not a
        # workbook of empty boxes)
    options = _default_segment(options, ds, args, workspace)
    problems = options.problems(ds)
    if problems:
        for problem in problems:
            print(f"memberdesk: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    expected = (read_expected(options.expected, options.experience_full_basis)
                if options.expected and options.experience_full_basis == "policy_year" else None)
    outcome = write_report_outcome(ds, output, lang=args.lang,
                                   include_personal=args.include_personal, expected=expected,
                                   options=options)
    for note in options.notes:
        print(f"memberdesk: note: {note}", file=sys.stderr)
    print(f"report written: {outcome.path}", file=sys.stderr)
    for key, reason in outcome.failures:
        print(f"memberdesk: section {key!r} could not be computed: {reason}", file=sys.stderr)
    if outcome.failures and not options.allow_partial:
        print("memberdesk: the report is incomplete (see the boxes in it); --allow-partial "
              "accepts that", file=sys.stderr)
        return EXIT_DATA
    return 0

