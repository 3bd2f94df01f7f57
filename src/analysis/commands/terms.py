"""``analysis terms``: word frequencies, n-grams, collocations, distinctive terms, KWIC."""

from __future__ import annotations

import argparse

from analysis.commands._common import add_common, load, run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "terms",
        help="term frequencies (or n-grams, collocations, distinctive terms, KWIC) as CSV/JSON",
        description="Counts and rates per 10,000 tokens of lemmas or forms, overall or per period/source. "
        "Example: analysis terms --processed data/processed/lemonde --period month --top 20",
    )
    add_common(p)
    p.add_argument("--by", choices=("lemma", "form"), default="lemma", help="count lemmas (default) or surface forms")
    p.add_argument("--period", choices=("day", "week", "month"), help="count per calendar period")
    p.add_argument("--group", choices=("source", "section"), help="count per outlet or section")
    p.add_argument("--keep-stopwords", action="store_true", help="keep stop words in the rows (never removed from totals)")
    p.add_argument("--stopword", action="append", default=[], metavar="TERM", help="extra stop word (repeatable)")
    p.add_argument("--keep-punct", action="store_true", help="count punctuation as tokens")
    p.add_argument("--min-count", type=int, default=1, help="minimum count of a term over the corpus (default 1)")
    p.add_argument("--top", type=int, help="keep the N most frequent terms per cell")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--ngrams", type=int, choices=(2, 3), help="lemma n-grams instead of single terms")
    mode.add_argument("--collocations", choices=("g2", "pmi"), help="adjacent lemma pairs scored by G² or PMI")
    mode.add_argument("--distinctive", choices=("period", "source", "section"), help="distinctive terms per period or source (keyness of each against the rest)")
    mode.add_argument("--kwic", metavar="TERM", help="concordance of TERM (every occurrence with its context)")
    p.add_argument("--window", type=int, default=60, help="KWIC context in characters (default 60)")
    p.set_defaults(func=run(_handle))


def _handle(args: argparse.Namespace):
    from analysis import frequency as f

    c = load(args)
    stop = not args.keep_stopwords
    if args.ngrams:
        return f.ngrams(c, n=args.ngrams, min_count=max(args.min_count, 1), stopwords=stop, extra_stopwords=args.stopword, top=args.top)
    if args.collocations:
        return f.collocations(c, measure=args.collocations, min_count=max(args.min_count, 1), stopwords=stop, extra_stopwords=args.stopword, top=args.top)
    if args.distinctive:
        return f.distinctive_terms(c, by=args.distinctive, period=args.period or "month", top=args.top or 20, term_by=args.by,
                                   min_count=args.min_count, stopwords=stop, extra_stopwords=args.stopword)
    if args.kwic:
        return f.kwic(c, args.kwic, window=args.window, by=args.by, limit=args.top)
    return f.term_frequencies(c, by=args.by, period=args.period, group=args.group, stopwords=stop, extra_stopwords=args.stopword,
                              drop_punct=not args.keep_punct, min_count=args.min_count, top=args.top)
