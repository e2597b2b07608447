"""`memberdesk projection DATA... [--horizon MONTHS] [--as-of DATE] [--json]`.

Parametric survival models (exponential, Weibull, log-normal, log-logistic) fitted to policy
durations and projected to the horizon, as on the Projection page and its sheet (docs/cli.md).
``--json`` prints :meth:`memberdesk.analysis.parametric.ProjectionResult.to_json`.
"""
from __future__ import annotations

import argparse

from memberdesk.commands.common import (
    add_data_args,
    close_book,
    explain_empty_window,
    load_from_args,
    print_json,
    print_table,
)


def _horizon(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of months") from None
    if not 1 <= value <= 1200:
        raise argparse.ArgumentTypeError("the horizon is 1 to 1200 months")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("projection", help="parametric survival models and their projection",
                       description="Fit exponential, Weibull, log-normal and log-logistic models "
                                   "to the lapse durations and project survival to the horizon. "
                                   "Time is in months (1 month = 365.25/12 days); the durations "
                                   "of a generic --duration table are read as days.")
    add_data_args(p, generic=True)
    p.add_argument("--horizon", type=_horizon, default=120.0, metavar="MONTHS",
                   help="projection horizon in months (default: 120)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.parametric import fit_parametric
    from memberdesk.commands.km import _generic_engine, report_rejected_policies

    # a generic table in an engine is validated and counted there; the models are fitted to
    # the counts by duration x event (engine books of insurer tables too: fit_parametric)
    generic = _generic_engine(args)  # (load_from_args reports the rows it rejected)
    loaded = generic or load_from_args(args)
    try:
        if generic is not None:
            report_rejected_policies(loaded)
        with explain_empty_window(args):
            result = fit_parametric(loaded, horizon_months=args.horizon)
    finally:
        close_book(loaded)
    ds = loaded
    if args.json:
        print_json({"as_of": ds.as_of.date().isoformat(), **result.to_json()})
    else:
        print(f"Parametric models: {result.n:,} policies, {result.events:,} events; "
              f"best by AIC: {result.best_model} (time in {result.unit}"
              + ("; the --duration values read as days)" if args.duration else ")"))
        print_table(result.to_frame().drop(columns=["best"], errors="ignore"))
        for model, why in result.failed.items():
            print(f"not fitted: {model}: {why}")
    return 0
