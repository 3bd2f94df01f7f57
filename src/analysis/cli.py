"""Command-line entry point: ``analysis <command> ...`` (also ``python -m analysis``).

Each command lives in its own light module under :mod:`analysis.commands` that exposes
``register(subparsers)``; the module adds its parser and sets ``func(args) -> int`` as the
handler. Heavy imports (spaCy, matplotlib) happen inside handlers, so ``analysis --help`` is fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from analysis import __version__, commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="French-language war coverage: ingest, annotate, analyse, report.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
