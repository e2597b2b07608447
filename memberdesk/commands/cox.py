"""`memberdesk cox DATA... --covariates A,B,... [--duration COL --event-col COL]
[--strata COL[,COL]] [--cluster COL] [--ties efron|breslow] [--entry COL | --study-start DATE]
[--ph-transform km|rank|identity|log] [--json]` (docs/cli.md): Cox proportional-hazards drivers
of lapse, as R's ``coxph(Surv([entry,] exit, event) ~ ... + strata(...), ties, cluster)`` with
``cox.zph`` (exact score test) as the proportional-hazards check."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from memberdesk.commands.common import (
    add_data_args,
    close_book,
    display_width,
    explain_empty_window,
    load_from_args,
    pad,
    print_json,
    resolve_column_names,
)
from memberdesk.core.labels import ci_level_text

if TYPE_CHECKING:  # the analysis is imported when the command runs (fast start-up)
    from memberdesk.analysis.cox import CoxResult

PH_TRANSFORMS = ("km", "rank", "identity", "log")  # memberdesk.analysis.cox_zph.PH_TRANSFORMS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from memberdesk.commands.km import add_entry_args

    p = sub.add_parser("cox", help="Cox model: which covariates drive lapses",
                       description="Cox proportional-hazards model (Efron ties) of the lapse "
                                   "event; categorical covariates are compared with their most "
                                   "frequent level. Rows with a missing covariate are left out "
                                   "(counted), as R does.")
    add_data_args(p, generic=True)
    p.add_argument("--covariates", required=True, metavar="A,B,...",
                   help="comma-separated covariate columns")
    p.add_argument("--strata", metavar="COL[,COL]",
                   help="stratify: each level (combination) gets its own baseline hazard")
    p.add_argument("--cluster", metavar="COL",
                   help="cluster column (e.g. member_id): robust sandwich standard errors, used "
                        "for the CIs and p-values")
    p.add_argument("--ties", choices=("efron", "breslow"), default="efron",
                   help="tied event times (default: efron, as R)")
    add_entry_args(p)
    p.add_argument("--ph-transform", dest="ph_transform", choices=PH_TRANSFORMS, default="km",
                   help="time transform of the proportional-hazards test (R cox.zph; default km)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def _names(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def run(args: argparse.Namespace) -> int:
    from memberdesk.analysis.cox import fit_cox
    from memberdesk.commands.km import _generic_engine, apply_entry_args, report_rejected_policies

    resolve_column_names(args)
    covariates = _names(args.covariates)
    strata = _names(args.strata)
    extra = [*covariates, *strata, *(c for c in (args.cluster, args.entry) if c)]
    # among the unmapped source columns only the ones the model uses are parsed; a generic
    # table in an engine is validated and counted there (cells, or records when needed)
    generic = _generic_engine(args)  # (load_from_args reports the rows it rejected)
    loaded = generic or load_from_args(args, extra_columns=extra)
    try:
        ds = apply_entry_args(args, loaded)
        if generic is not None:
            report_rejected_policies(ds)
        with explain_empty_window(args):
            result = fit_cox(ds, covariates, strata=strata or None, cluster=args.cluster,
                             entry=args.entry, ties=args.ties, ph_transform=args.ph_transform)
    finally:
        close_book(loaded)
    for note in result.notes:  # never silent: rows left out, near separation
        print(f"memberdesk: note: {note}", file=sys.stderr)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_result(result, ci_level=ds.assumptions.ci_level))
    return 0


def format_result(result: CoxResult, ci_level: float = 0.95) -> str:
    """A fixed-width table of the fit; ``ci_level`` names the level its intervals were computed
    at (fit_cox uses the dataset's assumptions, 95% by default)."""
    ci_head = f"{ci_level_text(ci_level)} CI"
    strata = f"; strata: {', '.join(result.strata)}" if result.strata else ""
    lines = [f"Cox model ({result.ties} ties{strata}): {result.n:,} records, "
             f"{result.events:,} events", ""]
    robust = result.cluster is not None
    width = max(14, *(display_width(c) + 2 for c in result.coefficients["covariate"]))
    # each number has a space before it: a tiny coefficient in e-notation (annual_premium's
    # -1.824e-05) fills its column and ran into the next
    se_head = f"{'se':>10}{'robust':>10}" if robust else f"{'se':>10}"
    header = f"{'covariate':<{width}}{'coef':>11}{se_head}{'HR':>8}  {ci_head:<17}{'p':>9}"
    lines += [header, "-" * len(header)]
    c = result.coefficients
    for name, coef, se, rse, hr, lo, hi, pv in zip(
            c["covariate"], *(c[k].to_numpy(dtype=float) for k in (
                "coef", "se", "robust_se", "hazard_ratio", "ci_lower", "ci_upper", "p_value"))):
        p = "<0.001" if pv < 0.001 else f"{pv:.3f}"
        ses = f" {se:>9.3g} {rse:>9.3g}" if robust else f" {se:>9.3g}"
        lines.append(f"{pad(name, width)} {coef:>10.4g}{ses}{hr:>8.3f}  {lo:>6.3f} – {hi:<8.3f}"
                     f"{p:>9}")
    if robust:
        lines += ["", f"Robust (sandwich) SE clustered by {result.cluster}: CIs and p-values "
                      "use it"]
    if result.reference_levels:
        refs = ", ".join(f"{k}={v}" for k, v in result.reference_levels.items())
        lines += ["", f"Reference levels: {refs}"]
    lr, dof, lp = result.likelihood_ratio_test
    lines += ["", f"Concordance {result.concordance:.3f}; partial log-likelihood "
                  f"{result.log_likelihood:.2f}; likelihood-ratio test {lr:.2f} on {dof} df "
                  f"(p {'< 0.001' if lp < 0.001 else f'= {lp:.3f}'})", "",
              f"Proportional hazards check (R cox.zph {result.ph_method} test, "
              f"{result.ph_transform} transform):"]
    t = result.ph_test
    for name, stat, dof, verdict in zip(t["covariate"], t["test_statistic"].to_numpy(dtype=float),
                                        t["df"].to_numpy(dtype=int), t["verdict"]):
        lines.append(f"  {pad(name, width)}chi2 {stat:8.3f} on {dof} df  {verdict}")
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines)
