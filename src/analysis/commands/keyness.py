"""``analysis keyness``: terms over-represented in a target against a reference (G², log ratio)."""

from __future__ import annotations

import argparse

from analysis.commands._common import add_common, date_range, load, run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "keyness",
        help="keyness table (G², χ², p-value, log ratio) of a target against a reference",
        description="One row per term: target_count, reference_count, target_total, reference_total, rates per 10k, "
        "g2, chi2, p_value, log_ratio, direction; sorted by g2. Totals are each side's token count (punctuation "
        "excluded) after the same filters. Example: analysis keyness --target 2022-03-01:2022-03-31 "
        "--reference 2022-01-01:2022-01-31 --format csv",
    )
    add_common(p)
    p.add_argument("--target", type=date_range, metavar="START:END", help="target dates (inclusive)")
    p.add_argument("--reference", type=date_range, metavar="START:END", help="reference dates (inclusive)")
    p.add_argument("--target-source", action="append", metavar="NAME", help="target outlet (repeatable)")
    p.add_argument("--reference-source", action="append", metavar="NAME", help="reference outlet (repeatable)")
    p.add_argument("--reference-processed", metavar="DIR", help="use another processed corpus as the reference")
    p.add_argument("--by", choices=("lemma", "form"), default="lemma")
    p.add_argument("--keep-stopwords", action="store_true", help="keep stop words in the rows")
    p.add_argument("--stopword", action="append", default=[], metavar="TERM", help="extra stop word (repeatable)")
    p.add_argument("--min-count", type=int, default=5, help="minimum target + reference count (default 5)")
    p.add_argument("--yates", action="store_true", help="Yates' continuity correction for chi2")
    p.add_argument("--top", type=int, help="print only the first N rows")
    p.set_defaults(func=run(_handle))


def _spec(dates, sources) -> dict:
    spec = {}
    if dates:
        spec["start"], spec["end"] = dates
    if sources:
        spec["sources"] = sources
    return spec


def _handle(args: argparse.Namespace):
    from analysis.keyness import compare
    from analysis.tables import Corpus

    c = load(args)
    target = _spec(args.target, args.target_source)
    if not target:
        raise ValueError("give the target: --target START:END and/or --target-source NAME")
    if args.reference_processed:
        reference = Corpus(args.reference_processed)
    else:
        reference = _spec(args.reference, args.reference_source)
        if not reference:
            raise ValueError("give the reference: --reference START:END, --reference-source NAME or --reference-processed DIR")
    df = compare(c, target=target, reference=reference, by=args.by, stopwords=not args.keep_stopwords,
                 extra_stopwords=args.stopword, yates=args.yates, min_count=args.min_count)
    return df.head(args.top) if args.top else df
