"""``analysis tone``: mean tone per period with bootstrap CIs, extreme documents, entity tone."""

from __future__ import annotations

import argparse

from analysis.commands._common import add_common, load, run
from analysis.config import SEED


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tone",
        help="mean tone per period (bootstrap CI), most negative/positive documents, or tone toward entities",
        description="Columns: period, [source], n, mean, ci_low, ci_high, neg_share. "
        "Example: analysis tone --period month --by source; analysis tone --extreme negative -n 5; "
        "analysis tone --entity 'Volodymyr Zelensky' --entity 'Vladimir Poutine' --period month",
    )
    add_common(p)
    p.add_argument("--period", choices=("day", "week", "month", "all"), default="week", help="'all' for one row per series")
    p.add_argument("--by", choices=("source", "section"), help="one series per outlet or section")
    p.add_argument("--level", choices=("document", "sentence"), default="document", help="bootstrap unit (default document)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000; 0 for no interval)")
    p.add_argument("--seed", type=int, default=SEED, help=f"bootstrap seed (default {SEED})")
    p.add_argument("--ci", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--extreme", choices=("negative", "positive"), help="list the most negative/positive documents instead")
    p.add_argument("-n", type=int, default=5, help="documents listed with --extreme (default 5)")
    p.add_argument("--entity", action="append", default=[], metavar="NAME", help="tone of sentences mentioning NAME (repeatable)")
    p.set_defaults(func=run(_handle))


def _handle(args: argparse.Namespace):
    from analysis.sentiment import tone as t

    c = load(args)
    period = None if args.period == "all" else args.period
    if args.extreme:
        return t.extreme_documents(c, n=args.n, direction=args.extreme)
    if args.entity:
        return t.entity_tone(c, args.entity, period=period, n_boot=args.n_boot, seed=args.seed, ci=args.ci)
    return t.tone_over_time(c, period=period, by=args.by, level=args.level, n_boot=args.n_boot, seed=args.seed, ci=args.ci)
