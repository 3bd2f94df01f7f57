"""``analysis entities``: top entities, entity trends, co-occurrence pairs (and network export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.commands._common import add_common, load, run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "entities",
        help="top entities, entity trends or co-occurrences (with PMI) as CSV/JSON",
        description="Modes: top (default), trend (--entity NAME ...), cooccurrence (pairs; --graph PATH writes GraphML "
        "or CSV). Example: analysis entities --mode cooccurrence --min-count 5 --graph reports/net.graphml",
    )
    add_common(p)
    p.add_argument("--mode", choices=("top", "trend", "cooccurrence"), default="top")
    p.add_argument("--label", action="append", choices=("PER", "LOC", "ORG", "MISC"), help="entity type (repeatable)")
    p.add_argument("--period", choices=("day", "week", "month"), help="per period (top: one list per period; trend: default week)")
    p.add_argument("-n", "--top", type=int, default=20, help="entities per list (top mode, default 20)")
    p.add_argument("--entity", action="append", default=[], metavar="NAME", help="canonical entity name (trend mode, repeatable)")
    p.add_argument("--normalise", choices=("per_10k", "doc_share", "count"), default="per_10k", help="trend normalisation")
    p.add_argument("--level", choices=("sentence", "document"), default="sentence", help="co-occurrence unit")
    p.add_argument("--min-count", type=int, default=2, help="minimum co-occurrence count (default 2)")
    p.add_argument("--graph", type=Path, metavar="PATH", help="also write the network (.graphml or .csv)")
    p.set_defaults(func=run(_handle))


def _handle(args: argparse.Namespace):
    from analysis import entities as e

    c = load(args)
    if args.mode == "top":
        return e.top_entities(c, label=args.label, period=args.period, n=args.top)
    if args.mode == "trend":
        if not args.entity:
            raise ValueError("trend mode needs at least one --entity NAME")
        return e.entity_trend(c, args.entity, period=args.period or "week", normalise=args.normalise)
    df = e.cooccurrence(c, level=args.level, min_count=args.min_count, labels=args.label)
    if args.graph:
        fmt = "csv" if args.graph.suffix.lower() == ".csv" else "graphml"
        e.export_graph(e.cooccurrence_graph(df), args.graph, format=fmt)
        print(f"wrote {args.graph} ({fmt})", file=sys.stderr)
    return df
