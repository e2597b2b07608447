"""`memberdesk projection DATA... [--by COL] [--horizon MONTHS] [--as-of DATE] [--json]`.

Parametric survival models (exponential, Weibull, log-normal, log-logistic) fitted to policy
durations and projected to the horizon, as on the Projection page and its sheet (docs/cli.md).
``--json`` prints :meth:`memberdesk.analysis.parametric.ProjectionResult.to_json`. ``--by COL``
fits them again to each level of a segment column (rows with no value: a last "(missing)"
group); the whole book's result is printed first, then each group's.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from memberdesk.commands.common import (
    add_data_args,
    close_book,
    explain_empty_window,
    load_from_args,
    print_json,
    print_table,
    resolve_column_names,
)

if TYPE_CHECKING:
    from memberdesk.analysis.parametric import ProjectionResult


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
    p.add_argument("--by", metavar="COL",
                   help="segment column (e.g. channel, product): the models are also fitted to "
                        "each of its levels")
    p.add_argument("--horizon", type=_horizon, default=120.0, metavar="MONTHS",
                   help="projection horizon in months (default: 120)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/cli.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.parametric import fit_parametric
    from memberdesk.commands.km import _generic_engine, report_rejected_policies

    resolve_column_names(args)
    # a generic table in an engine is validated and counted there; the models are fitted to
    # the counts by (segment x) duration x event (engine books of insurer tables too)
    generic = _generic_engine(args)  # (load_from_args reports the rows it rejected)
    loaded = generic or load_from_args(args, extra_columns=None if args.by is None else (args.by,))
    try:
        if generic is not None:
            report_rejected_policies(loaded)
        with explain_empty_window(args):
            result = fit_parametric(loaded, horizon_months=args.horizon, by=args.by)
    finally:
        close_book(loaded)
    as_of = loaded.as_of.date().isoformat()
    if args.json:
        out = {"as_of": as_of, **result.to_json()}
        if "groups" in out:  # each group holds the top level's fields: its as-of too
            out["groups"] = [{"name": g.pop("name"), "as_of": as_of, **g} for g in out["groups"]]
        print_json(out)
        return 0
    print(f"Parametric models: {result.n:,} policies, {result.events:,} events; "
          f"best by AIC: {result.best_model} (time in {result.unit}"
          + ("; the --duration values read as days)" if args.duration else ")"))
    _print_fits(result)
    for group in result.groups:
        best = "no model fitted" if group.result is None else \
            f"best by AIC: {group.result.best_model}"
        print(f"\n{result.by} = {group.name}: {group.n:,} policies, {group.events:,} events; "
              f"{best}")
        _print_fits(group.result, group.failed)
    return 0


def _print_fits(result: ProjectionResult | None, failed: dict[str, str] | None = None) -> None:
    """The model-comparison table and a line for each model not fitted (``failed``: those of a
    group without a result)."""
    if result is not None:
        print_table(result.to_frame().drop(columns=["best"], errors="ignore"))
        failed = result.failed
    for model, why in (failed or {}).items():
        print(f"not fitted: {model}: {why}")
