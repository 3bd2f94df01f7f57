"""``analysis report`` (run the report notebooks) and ``analysis run`` (ingest + annotate + report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.config import PROCESSED_DATA_DIR, REPORTS_DIR

_PARAMS_HELP = (
    "notebook parameter, VALUE read as YAML: -p start 2022-01-01 -p terms '[bakhmout, négociation]' "
    "-p term_groups '{négociation: [négociation, pourparlers]}' (repeatable; overrides -f)"
)


def _add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[], help=_PARAMS_HELP)
    p.add_argument("-f", "--parameters-file", metavar="FILE", help="YAML file of parameters (e.g. params/lemonde-2022-h1.yaml)")
    p.add_argument("--notebooks", metavar="LIST", help="notebooks to run, e.g. 01,02 (default: all four)")
    p.add_argument("--no-input", action="store_true", help="hide the code in the HTML pages")


def register(subparsers: argparse._SubParsersAction) -> None:
    rep = subparsers.add_parser(
        "report",
        help="run the report notebooks (papermill) and export them to HTML with an index",
        description="Run the report notebooks on a processed directory with papermill, export each to HTML, "
        "record provenance (parameters, corpus fingerprint, versions) and write index.html.",
    )
    rep.add_argument("--processed", metavar="DIR", default=str(PROCESSED_DATA_DIR / "example"),
                     help="processed-data directory (default: data/processed/example)")
    rep.add_argument("--out", metavar="DIR", help="report directory (default: reports/<name of the processed directory>)")
    _add_report_options(rep)
    rep.set_defaults(func=_report)

    run = subparsers.add_parser(
        "run",
        help="ingest + annotate + report a corpus in one go",
        description="Ingest CORPUS, annotate it, run the report notebooks, and print where index.html is. "
        "Ingestion and annotation are incremental: re-running on the same processed directory only does new work.",
    )
    run.add_argument("corpus", metavar="CORPUS", help="corpus file or directory (as for `analysis ingest`)")
    run.add_argument("--processed", metavar="DIR", help="processed-data directory (default: data/processed/<corpus name>)")
    run.add_argument("--out", metavar="DIR", help="report directory (default: reports/<corpus name>)")
    run.add_argument("--model", metavar="NAME", help="spaCy model for annotation (default: the annotate command's)")
    _add_report_options(run)
    run.set_defaults(func=_run)


def _collect_params(args: argparse.Namespace) -> dict:
    from analysis.report import load_params_file, parse_value

    params = load_params_file(args.parameters_file) if args.parameters_file else {}
    for name, value in args.parameter:
        params[name] = parse_value(value)
    return params


def _do_report(processed: Path, out: Path, args: argparse.Namespace) -> int:
    from analysis.params import ParameterError
    from analysis.report import run_report

    try:
        params = _collect_params(args)
        if "processed_dir" in params:
            params.pop("processed_dir")  # --processed decides
        result = run_report(processed, out, params=params, notebooks=args.notebooks, no_input=args.no_input)
    except ParameterError as exc:
        print(f"analysis report: error: {exc}", file=sys.stderr)
        return 2
    for r in result.runs:
        if not r.ok:
            print(f"analysis report: {r.name} failed: {r.error} (see {r.html})", file=sys.stderr)
    print(f"report: {result.index}  ({result.seconds:.0f} s)")
    return 0 if result.ok else 1


def _report(args: argparse.Namespace) -> int:
    processed = Path(args.processed)
    out = Path(args.out) if args.out else REPORTS_DIR / processed.resolve().name
    return _do_report(processed, out, args)


def _run(args: argparse.Namespace) -> int:
    from analysis.cli import main as cli_main

    corpus = Path(args.corpus)
    name = corpus.resolve().name if corpus.is_dir() else corpus.resolve().stem
    processed = Path(args.processed) if args.processed else PROCESSED_DATA_DIR / name
    out = Path(args.out) if args.out else REPORTS_DIR / name
    # Check parameters before the long stages.
    from analysis.params import ParameterError

    try:
        _collect_params(args)
    except ParameterError as exc:
        print(f"analysis run: error: {exc}", file=sys.stderr)
        return 2
    print(f"[run] ingest {corpus} -> {processed}", file=sys.stderr, flush=True)
    rc = cli_main(["ingest", str(corpus), "--out", str(processed)])
    if rc:
        print(f"analysis run: ingest failed (exit {rc})", file=sys.stderr)
        return rc
    print(f"[run] annotate {processed}", file=sys.stderr, flush=True)
    annotate_argv = ["annotate", "--processed", str(processed)]
    if args.model:
        annotate_argv += ["--model", args.model]
    rc = cli_main(annotate_argv)
    if rc:
        print(f"analysis run: annotate failed (exit {rc})", file=sys.stderr)
        return rc
    print(f"[run] report -> {out}", file=sys.stderr, flush=True)
    return _do_report(processed, out, args)
