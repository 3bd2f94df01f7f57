"""``analysis sample``: a seeded, stratified sample of documents or sentences to hand-label.

    analysis sample [--processed DIR | --corpus PATH] --n 200 [--stratify month|source|none]
                    [--unit document|sentence] [--seed N] [--match REGEX] [--exclude LABELS.csv]
                    --out sample.csv
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    from analysis.config import PROCESSED_DATA_DIR, SEED

    parser = subparsers.add_parser("sample", help="draw a seeded, stratified sample for hand-labelling (CSV with an empty label column)")
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--processed", default=str(PROCESSED_DATA_DIR), help="processed directory holding corpus.parquet (default: data/processed)")
    src.add_argument("--corpus", help="corpus.parquet, a processed directory, or a directory of RSS files")
    parser.add_argument("--n", type=int, default=200, help="sample size (default 200)")
    parser.add_argument("--stratify", choices=["month", "source", "none"], default="month", help="strata, sizes proportional (default month)")
    parser.add_argument("--unit", choices=["document", "sentence"], default="document")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--match", help="regular expression (case-insensitive, title + text): favour matching rows")
    parser.add_argument("--match-share", type=float, default=0.75, help="share of each stratum drawn from --match rows (default 0.75)")
    parser.add_argument("--from", dest="date_from", help="keep documents dated on or after this day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", help="keep documents dated before this day (YYYY-MM-DD)")
    parser.add_argument("--exclude", action="append", metavar="CSV",
                        help="CSV with a 'url' column (e.g. labels already made): never draw these documents; repeatable")
    parser.add_argument("--out", required=True, help="CSV to write (doc_id, date, source, url, text, label, text_sha1)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.storage import atomic_path
    from analysis.validation_corpus import draw_sample, load_corpus, text_sha1

    try:
        corpus = load_corpus(args.corpus or args.processed)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dates = pd.to_datetime(corpus["date"], utc=True)
    if args.date_from:
        corpus = corpus[dates >= pd.Timestamp(args.date_from, tz="UTC")]
        dates = dates.loc[corpus.index]
    if args.date_to:
        corpus = corpus[dates < pd.Timestamp(args.date_to, tz="UTC")]
    excluded: list[str] = []
    for path in args.exclude or []:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (FileNotFoundError, pd.errors.ParserError) as exc:
            print(f"error: --exclude {path}: {exc}", file=sys.stderr)
            return 2
        if "url" not in table.columns:
            print(f"error: --exclude {path}: no 'url' column (columns: {list(table.columns)})", file=sys.stderr)
            return 2
        excluded.extend(table["url"].tolist())
    sample = draw_sample(corpus, n=args.n, stratify=None if args.stratify == "none" else args.stratify, unit=args.unit,
                         seed=args.seed, match=args.match, match_share=args.match_share,
                         exclude_urls=excluded if args.exclude else None)
    # the fingerprint of each text as drawn: keep it with the labels so that evaluation can
    # tell when the publisher has changed a text since it was labelled (analysis evaluate)
    sample["text_sha1"] = sample["text"].map(text_sha1)
    with atomic_path(args.out) as tmp:
        sample.to_csv(tmp, index=False)
    print(f"{len(sample)} {args.unit}s sampled from {len(corpus)} documents -> {args.out}", file=sys.stderr)
    return 0
