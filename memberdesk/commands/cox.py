"""`memberdesk cox DATA... --covariates A,B,... [--duration COL --event-col COL] [--json]`
(DESIGN §5): Cox proportional-hazards drivers of lapse."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from memberdesk.commands.common import add_data_args, load_from_args, print_json

if TYPE_CHECKING:  # the analysis is imported when the command runs (fast start-up)
    from memberdesk.analysis.cox import CoxResult


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cox", help="Cox model: which covariates drive lapses",
                       description="Cox proportional-hazards model (Efron ties) of the lapse "
                                   "event; categorical covariates are compared with their most "
                                   "frequent level.")
    add_data_args(p, generic=True)
    p.add_argument("--covariates", required=True, metavar="A,B,...",
                   help="comma-separated covariate columns")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.cox import fit_cox
    from memberdesk.commands.km import report_rejected_policies

    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()]
    # among the unmapped source columns only the covariates are parsed
    ds = load_from_args(args, extra_columns=covariates)
    report_rejected_policies(ds)
    result = fit_cox(ds, covariates)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result))
    return 0


def format_result(result: CoxResult) -> str:
    lines = [f"Cox model: {result.n:,} records, {result.events:,} events", ""]
    width = max(14, *(len(c) + 2 for c in result.coefficients["covariate"]))
    header = f"{'covariate':<{width}}{'coef':>9}{'se':>8}{'HR':>8}  {'95% CI':<17}{'p':>9}"
    lines += [header, "-" * len(header)]
    for c in result.coefficients.to_dict("records"):
        p = "<0.001" if c["p_value"] < 0.001 else f"{c['p_value']:.3f}"
        lines.append(f"{c['covariate']:<{width}}{c['coef']:>9.4g}{c['se']:>8.3g}{c['hazard_ratio']:>8.3f}  "
                     f"{c['ci_lower']:>6.3f} – {c['ci_upper']:<8.3f}{p:>9}")
    if result.reference_levels:
        refs = ", ".join(f"{k}={v}" for k, v in result.reference_levels.items())
        lines += ["", f"Reference levels: {refs}"]
    lr, dof, lp = result.likelihood_ratio_test
    lines += ["", f"Concordance {result.concordance:.3f}; partial log-likelihood "
                  f"{result.log_likelihood:.2f}; likelihood-ratio test {lr:.2f} on {dof} df "
                  f"(p {'< 0.001' if lp < 0.001 else f'= {lp:.3f}'})", "",
              "Proportional hazards check:"]
    for r in result.ph_test.itertuples():
        lines.append(f"  {r.covariate:<{width}}{r.verdict}")
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines)
