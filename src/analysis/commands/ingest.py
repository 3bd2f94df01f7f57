"""``analysis ingest``: raw news (RSS, CSV, JSONL, Parquet, text folders, Europresse) → corpus table."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("auto", "rss", "jsonl", "csv", "parquet", "txt", "europresse")


def _mapping(values: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values or []:
        if "=" not in item:
            raise argparse.ArgumentTypeError(f"--map expects FIELD=COLUMN, got {item!r}")
        fld, col = item.split("=", 1)
        mapping[fld.strip()] = col.strip()
    return mapping


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="read raw news into one clean, deduplicated corpus table",
        description=(
            "Read SOURCE files or folders (searched recursively) into DIR/corpus.parquet, with "
            "DIR/rejects.jsonl (every rejected record and why) and DIR/ingest-report.json (counts). "
            "Re-running on the same DIR reads only new or changed files."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="input file or folder")
    parser.add_argument("--out", metavar="DIR", default=None, help="processed directory (default: data/processed)")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="input format (default: auto, by extension/content)")
    parser.add_argument("--source", metavar="NAME", default=None, help="outlet name for every record (overrides the feed title / source column)")
    parser.add_argument("--encoding", metavar="ENC", default="auto",
                        help="text encoding, or auto: UTF-8, UTF-8 with BOM, cp1252, latin-1 (default: auto)")
    parser.add_argument("--columns", metavar="a,b,c", default=None, help="column names of a headerless CSV, e.g. date,source,title")
    parser.add_argument("--map", dest="mapping", metavar="FIELD=COLUMN", action="append",
                        help="map a corpus field (date, source, section, title, text, url, id) to an input column; repeatable")
    parser.add_argument("--strict", action="store_true", help="exit non-zero if any record or file was rejected")
    parser.add_argument("--allow-undated", action="store_true", help="keep records without a usable date (date left empty)")
    parser.add_argument("--full", action="store_true", help="ignore the previous run's state and re-read every file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.config import PROCESSED_DATA_DIR
    from analysis.corpus import ingest
    from analysis.storage import RawDataWriteError

    try:
        mapping = _mapping(args.mapping)
    except argparse.ArgumentTypeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    try:
        report = ingest(
            args.sources,
            out=args.out or PROCESSED_DATA_DIR,
            format=args.format,
            source=args.source,
            encoding=args.encoding,
            columns=columns,
            mapping=mapping,
            strict=args.strict,
            allow_undated=args.allow_undated,
            incremental=not args.full,
        )
    except RawDataWriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if report.kept == 0:
        print("error: nothing usable was read (see ingest-report.json and rejects.jsonl)", file=sys.stderr)
        return 1
    if args.strict and (report.rejected_total or report.files_failed or report.files_partial):
        print(f"error (--strict): {report.rejected_total} rejected records, {len(report.files_failed)} failed files, "
              f"{len(report.files_partial)} partly read files", file=sys.stderr)
        return 3
    return 0
