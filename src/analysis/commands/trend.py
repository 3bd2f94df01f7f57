"""``analysis trend``: frequency of terms per period, normalised, with smoothing and change points."""

from __future__ import annotations

import argparse

from analysis.commands._common import add_common, load, run


def _group(spec: str) -> tuple[str, list[str]]:
    if "=" not in spec:
        raise argparse.ArgumentTypeError(f"expected NAME=word1,word2 (e.g. négociation=négociation,pourparlers), got {spec!r}")
    name, words = spec.split("=", 1)
    items = [w.strip() for w in words.split(",") if w.strip()]
    if not name.strip() or not items:
        raise argparse.ArgumentTypeError(f"empty group name or word list in {spec!r}")
    return name.strip(), items


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "trend",
        help="per-period series of terms or term groups (every period present, normalised by volume)",
        description="Columns: period, term, [source], count, total, value (+ smoothed, change_point). "
        "Example: analysis trend ukraine russie --period week --normalise doc_share --change-points 1",
    )
    add_common(p)
    p.add_argument("terms", nargs="*", metavar="TERM", help="terms (lemmas by default)")
    p.add_argument("--group", action="append", type=_group, default=[], metavar="NAME=W1,W2", dest="groups",
                   help="a term group counted as one series (repeatable); entries ending in * are prefixes")
    p.add_argument("--pattern", metavar="REGEX", help="share of articles whose title or text matches REGEX (case-insensitive)")
    p.add_argument("--period", choices=("day", "week", "month"), default="week")
    p.add_argument("--normalise", choices=("per_10k", "doc_share", "count"), default="per_10k")
    p.add_argument("--by", choices=("lemma", "form"), default="lemma")
    p.add_argument("--split", choices=("source", "section"), help="one series per outlet or section")
    p.add_argument("--smooth", choices=("rolling", "lowess"), help="add a smoothed column")
    p.add_argument("--window", type=int, default=3, help="rolling window in periods (default 3)")
    p.add_argument("--frac", type=float, default=0.3, help="LOWESS span (default 0.3)")
    p.add_argument("--change-points", type=int, metavar="N", help="mark N change points per series (ruptures, l2)")
    p.set_defaults(func=run(_handle))


def _handle(args: argparse.Namespace):
    from analysis import trends as t

    c = load(args)
    if args.pattern:
        if args.terms or args.groups:
            raise ValueError("give either --pattern or terms/--group, not both")
        df = t.doc_share(c, pattern=args.pattern, period=args.period, group=args.split)
    else:
        spec: dict[str, list[str]] = {term: [term] for term in args.terms}
        spec.update(dict(args.groups))
        if not spec:
            raise ValueError("give at least one TERM, --group NAME=W1,W2 or --pattern REGEX")
        df = t.term_trend(c, spec, period=args.period, normalise=args.normalise, by=args.by, group=args.split)
    if args.smooth:
        df = t.smooth(df, method=args.smooth, window=args.window, frac=args.frac)
    if args.change_points:
        keys = [k for k in ("term", args.split) if k]
        df["change_point"] = False
        for _, g in df.groupby(keys, sort=False):
            cps = set(t.change_points(g.set_index("period")["value"], n_bkps=args.change_points))
            df.loc[g.index[g["period"].isin(cps)], "change_point"] = True
    return df
