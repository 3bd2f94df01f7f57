"""``analysis sentiment train LABELS --out model.joblib``: a supervised tone model.

TF-IDF word and character n-grams + logistic regression; cross-validated scores are printed,
and the saved model is usable as the backend ``sklearn:model.joblib``.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sentiment", help="train a supervised tone model (usable as sklearn:PATH)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    train = sub.add_parser("train", help="TF-IDF (word + char n-grams) + logistic regression, cross-validated")
    train.add_argument("labels", help="gold file (formats of `analysis evaluate sentiment`)")
    train.add_argument("--out", required=True, help="where to save the model (joblib)")
    train.add_argument("--split", help="train only on rows with this split value (e.g. dev), when LABELS has a split column")
    train.add_argument("--corpus", help="corpus to join URL-keyed labels with their text")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    train.add_argument("--C", dest="c", type=float, default=4.0, help="inverse regularisation strength (default 4)")
    train.add_argument("--json", action="store_true", help="print the cross-validation report as JSON")
    train.set_defaults(func=run_train)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run_train(args: argparse.Namespace) -> int:
    import hashlib

    import joblib

    from analysis.evaluate import load_sentiment_gold
    from analysis.sentiment.train import train_tfidf_logreg
    from analysis.storage import atomic_path

    try:
        corpus = None
        if args.corpus:
            from analysis.validation_corpus import load_corpus

            corpus = load_corpus(args.corpus)
        gold = load_sentiment_gold(args.labels, corpus=corpus)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.split:
        if "split" not in gold.columns:
            print(f"error: {args.labels} has no split column", file=sys.stderr)
            return 2
        gold = gold[gold["split"].astype("str").str.lower() == args.split.lower()]
    model, report = train_tfidf_logreg(gold["text"].tolist(), gold["label"].tolist(), folds=args.folds, c=args.c)
    report.update({"n": len(gold), "labels_file": args.labels, "split": args.split, "C": args.c,
                   "labels_sha1": hashlib.sha1(open(args.labels, "rb").read()).hexdigest()[:12]})
    with atomic_path(args.out) as tmp:
        joblib.dump({"model": model, "classes": list(model.classes_), "meta": report}, tmp)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"trained on {len(gold)} rows ({', '.join(model.classes_)}); {report['folds']}-fold CV: "
              f"accuracy {report['mean_accuracy']:.3f}, macro-F1 {report['mean_macro_f1']:.3f}")
        print(f"saved {args.out}; use it as --backend sklearn:{args.out}")
    return 0
