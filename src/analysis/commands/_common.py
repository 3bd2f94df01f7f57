"""Options and output shared by the analysis commands (terms, keyness, trend, entities, tone).

Not a command itself (the leading underscore keeps the CLI dispatcher from loading it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.config import PROCESSED_DATA_DIR

DEFAULT_PROCESSED = PROCESSED_DATA_DIR / "example"


def add_common(parser: argparse.ArgumentParser, *, filters: bool = True) -> None:
    """``--processed``, ``--format``, and the corpus filters."""
    parser.add_argument("--processed", type=Path, default=DEFAULT_PROCESSED, metavar="DIR",
                        help=f"processed directory made by `analysis ingest` and `analysis annotate` (default: {DEFAULT_PROCESSED})")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="output on stdout: CSV (default) or JSON records")
    if filters:
        g = parser.add_argument_group("corpus filters")
        g.add_argument("--start", metavar="DATE", help="first date kept (YYYY-MM-DD, UTC)")
        g.add_argument("--end", metavar="DATE", help="last date kept, inclusive (YYYY-MM-DD, UTC)")
        g.add_argument("--source", action="append", dest="sources", metavar="NAME", help="keep this outlet (repeatable)")
        g.add_argument("--section", action="append", dest="sections", metavar="NAME", help="keep this section (repeatable)")
        g.add_argument("--no-near-duplicates", action="store_true", help="drop documents marked as near-duplicates")


def load(args: argparse.Namespace):
    """The :class:`~analysis.tables.Corpus` of ``--processed`` with the filter options applied."""
    from analysis.tables import Corpus

    if not Path(args.processed).is_dir():
        raise FileNotFoundError(f"processed directory {args.processed} does not exist: run `analysis ingest` and `analysis annotate` first, or pass --processed DIR")
    corpus = Corpus(args.processed)
    kw: dict[str, Any] = {}
    for name in ("start", "end", "sources", "sections"):
        value = getattr(args, name, None)
        if value:
            kw[name] = value
    if getattr(args, "no_near_duplicates", False):
        kw["include_near_duplicates"] = False
    return corpus.filter(**kw) if kw else corpus


def emit(df, fmt: str, out=None) -> None:
    """Print ``df`` as CSV or as a JSON array of records (ISO dates, UTF-8)."""
    import numpy as np
    import pandas as pd

    out = out or sys.stdout
    if fmt == "csv":
        df.to_csv(out, index=False, lineterminator="\n")
        return
    frame = df.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].map(lambda t: None if pd.isna(t) else t.isoformat())
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

    def default(o):
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return None if np.isnan(o) else float(o)
        if isinstance(o, np.bool_):
            return bool(o)
        return str(o)

    json.dump(records, out, ensure_ascii=False, default=default, indent=None)
    out.write("\n")


def run(handler: Callable[[argparse.Namespace], Any]) -> Callable[[argparse.Namespace], int]:
    """Wrap a handler returning a DataFrame: print it, turn known errors into messages and exit 1."""

    def _func(args: argparse.Namespace) -> int:
        try:
            df = handler(args)
        except (FileNotFoundError, ValueError, KeyError, TypeError) as exc:
            print(f"analysis {args.command}: error: {exc}", file=sys.stderr)
            return 1
        if df is not None:
            try:
                emit(df, args.format)
            except BrokenPipeError:  # e.g. `| head`
                return 0
        return 0

    return _func


def date_range(spec: str) -> tuple[str, str]:
    """``START:END`` (either side may be empty) → (start, end)."""
    if ":" not in spec:
        raise argparse.ArgumentTypeError(f"expected START:END (e.g. 2022-03-01:2022-03-31), got {spec!r}")
    start, end = spec.split(":", 1)
    return (start or None, end or None)
