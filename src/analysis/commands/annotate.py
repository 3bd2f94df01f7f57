"""``analysis annotate``: French NLP over the corpus (tokens, sentences, entities, documents)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.config import PROCESSED_DATA_DIR


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "annotate",
        help="annotate corpus.parquet: lemmas, sentences + tone, entities (incremental, parallel)",
        description=(
            "Annotate <processed>/corpus.parquet once: writes tokens/, sentences/, entities/ and documents/ "
            "part files. Only documents not yet annotated under the same configuration (model, normaliser, "
            "gazetteer, sentiment backend) are processed; an interrupted run resumes. With nothing new to "
            "annotate and a changed --aliases file, only entities.norm is rewritten."
        ),
    )
    p.add_argument("--processed", type=Path, default=PROCESSED_DATA_DIR, metavar="DIR",
                   help=f"processed directory holding corpus.parquet (default: {PROCESSED_DATA_DIR})")
    p.add_argument("--model", default="fr_core_news_md", metavar="NAME",
                   help="spaCy pipeline: fr_core_news_md (default) or fr_core_news_sm, or a path")
    p.add_argument("--sentiment", default=None, metavar="SPEC",
                   help="sentiment backend spec (default: analysis.sentiment.backends.DEFAULT_BACKEND)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="local worker processes (default: all cores; 1 = in this process)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler (tcp://HOST:PORT) to run the chunks on a cluster")
    p.add_argument("--aliases", type=Path, default=None, metavar="FILE",
                   help="extra alias CSV (canonical,alias,label) added to the package's aliases.csv")
    p.add_argument("--gazetteer", type=Path, action="append", default=None, metavar="FILE",
                   help="extra gazetteer YAML added to the package's (repeatable; part of the configuration)")
    p.add_argument("--batch-size", type=int, default=None, metavar="N", help="nlp.pipe batch size (default: 32)")
    p.add_argument("--chunk-size", type=int, default=None, metavar="N", help="documents per chunk / part file (default: 2000)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="annotate at most N new documents this run")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from analysis.annotate import DEFAULT_BATCH_SIZE, DEFAULT_CHUNK_SIZE, annotate

    for name in ("workers", "batch_size", "chunk_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            print(f"analysis annotate: error: --{name.replace('_', '-')} must be >= 1, got {value}", file=sys.stderr)
            return 2
    try:
        summary = annotate(
            args.processed,
            model=args.model,
            sentiment=args.sentiment,
            workers=args.workers,
            scheduler=args.scheduler,
            aliases=args.aliases,
            gazetteer=args.gazetteer,
            batch_size=args.batch_size or DEFAULT_BATCH_SIZE,
            chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE,
            limit=args.limit,
        )
    except (FileNotFoundError, ValueError, ImportError, OSError) as exc:
        print(f"analysis annotate: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        return 0
    s = summary
    lines = [
        f"annotated {s['n_annotated']:,} new documents ({s['n_done_before']:,} already done, {s['n_corpus']:,} in the corpus) "
        f"in {s['seconds']:.1f} s",
    ]
    if s["n_annotated"]:
        lines.append(f"  {s['docs_per_s']:,.1f} documents/s, {s['words_per_s']:,.0f} words/s, {s['n_parts_written']} part files")
    if s["removed_stale_parts"]:
        lines.append(f"  removed {s['removed_stale_parts']} part files of an earlier configuration")
    if s["removed_partial_parts"]:
        lines.append(f"  removed {s['removed_partial_parts']} part files of an interrupted run")
    if s["entity_parts_reresolved"]:
        lines.append(f"  aliases changed: entities.norm rewritten in {s['entity_parts_reresolved']} part files")
    lines.append(f"  configuration {s['config']['hash']}: {s['config']['model_version']}, sentiment {s['config']['sentiment']}")
    if not s["complete"]:
        lines.append("  incomplete: run `analysis annotate` again to annotate the rest")
    print("\n".join(lines))
    return 0
