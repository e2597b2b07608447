"""`memberdesk score DATA... [--as-of DATE] [--horizon 3|6|12] [--model cox|gbm|auto] [--top N]
[-o LIST.xlsx|.csv] [--include-personal] [--json]` (docs/cli.md Extensions, issue 15):
lapse-risk scores of the in-force book, validated out of time, and the call list.

Extra options: ``--save-model FILE.json`` writes the fitted model (versioned JSON);
``--model-file FILE.json`` scores with a saved model instead of fitting (no new validation: the
file's is reported; columns and levels of the data must match the model's).

Exit status: 0 scored; 2 usage error; 3 data error (unreadable data, too little history, data
that do not match a saved model, an output that cannot be written).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from memberdesk.commands.common import add_data_args, load_from_args, print_json

if TYPE_CHECKING:
    from memberdesk.analysis.scoring.score import ScoringResult


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("score", help="lapse-risk scores and the call list (who to call)",
                       description="Probability of a voluntary exit within the horizon for "
                                   "every in-force policy, validated out of time against a "
                                   "naive baseline; the ranked call list.")
    add_data_args(p)
    p.add_argument("--horizon", type=int, choices=(3, 6, 12),
                   help="months ahead (default 12, or the model file's)")
    p.add_argument("--model", choices=("auto", "cox", "gbm"), default="auto",
                   help="auto: the better model out of time (default)")
    p.add_argument("--top", type=_positive, metavar="N",
                   help="only the N highest-risk policies in the call list")
    p.add_argument("-o", "--output", metavar="LIST.xlsx|.csv", help="write the call list")
    p.add_argument("--include-personal", dest="include_personal", action="store_true",
                   help="add member id, name and birth date to the call list")
    p.add_argument("--save-model", dest="save_model", metavar="FILE.json",
                   help="save the fitted model as versioned JSON")
    p.add_argument("--model-file", dest="model_file", metavar="FILE.json",
                   help="score with a saved model (no refit)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _usage(message: str) -> int:
    print(f"memberdesk: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from memberdesk.core.atomic_write import refuse_overwriting_inputs

    outputs = [(o, flag) for o, flag in ((args.output, "-o"), (args.save_model, "--save-model"))
               if o]
    if args.output and Path(args.output).suffix.lower() not in (".csv", ".xlsx"):
        return _usage(f"-o {args.output!r}: the call list must be a .csv or .xlsx file")
    for out, flag in outputs:
        clash = refuse_overwriting_inputs(Path(out), [*args.data, *filter(None, [args.model_file])],
                                          flag)
        if clash:
            return _usage(clash)
    if args.include_personal and not args.output:  # (stdout and --json never carry them)
        return _usage("--include-personal adds personal data to the call list of -o FILE; "
                      "give -o LIST.xlsx|.csv")
    if args.model_file and args.model != "auto":
        return _usage("--model chooses what to fit; a --model-file is already fitted")
    result = _compute(args)
    if args.save_model:
        from memberdesk.analysis.scoring.model_file import save_model

        save_model(result, args.save_model)
        print(f"model written: {args.save_model}", file=sys.stderr)
    if args.output:
        from memberdesk.report.call_list import write_call_list

        path = write_call_list(result, args.output, top=args.top,
                               include_personal=args.include_personal)
        print(f"call list written: {path}", file=sys.stderr)
    if args.json:
        print_json(result.to_json(top=args.top))
    else:
        print(format_result(result, args.top or 10))
    return 0


def _compute(args: argparse.Namespace) -> ScoringResult:
    from memberdesk.analysis.scoring.model_file import load_model
    from memberdesk.analysis.scoring.score import run_scoring, score_saved

    ds = load_from_args(args)
    if args.model_file:
        saved = load_model(args.model_file)
        if args.horizon is not None and args.horizon != saved.scorer.horizon_months:
            raise SystemExit(_usage(f"the model file scores {saved.scorer.horizon_months} "
                                    f"months ahead, not {args.horizon}"))
        return score_saved(ds, saved.scorer, saved.validation)
    return run_scoring(ds, args.horizon or 12, args.model)


def format_result(result: ScoringResult, top: int) -> str:
    v = result.validation
    lines = [f"Lapse-risk scores as of {result.as_of.date()}: {len(result.scores):,} in-force "
             f"policies, horizon {result.horizon_months} months, model {result.model}"]
    if v is not None:
        lines.append(f"Out-of-time validation (cut-off {v.cutoff.date()}, {v.policies:,} policies, "
                     f"{v.events:,} lapses); chosen: {v.chosen} ({v.reason})")
        lines.append(f"{'':<10}{'C':>7}{'Uno C':>7}{'AUC':>7}{'Brier':>7}{'IBS':>7}{'ICI':>7}"
                     f"{'capture':>9}{'lift':>6}")
        for name, m in v.metrics.items():
            lines.append(f"{name:<10}{m.c_index:>7.3f}{m.c_index_uno:>7.3f}{m.auc:>7.3f}"
                         f"{m.brier:>7.4f}{m.ibs:>7.4f}{m.ici:>7.4f}{m.top_decile_capture:>9.1%}"
                         f"{m.top_decile_lift:>6.2f}")
    lines.append(f"Expected annual premium at risk: {result.premium_at_risk:,.0f}")
    lines += ["", f"Top {min(top, len(result.scores))} policies:"]
    for r in result.call_list(top).itertuples():
        reasons = ", ".join(str(x) for x in (r.reason_1, r.reason_2, r.reason_3) if isinstance(x, str))
        lines.append(f"{r.rank:>5}  {r.policy_id:<14}{r.probability:>7.1%}"
                     f"{r.premium_at_risk:>12,.0f}  {reasons}")
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines)
