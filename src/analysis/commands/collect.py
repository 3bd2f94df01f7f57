"""``analysis collect rss``: snapshot RSS feeds (and article pages) into ``data/raw/NAME``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_EPILOG = """\
Writes NAME/YYYY/Mon/DD/HH-MM-SS/<feed-id>.xml (response bytes as received, UTC run time),
appends one line per fetch to NAME/manifest.jsonl and, with --articles, the main text of each
new item's page to NAME/articles/<url_key>.txt. Never overwrites a file.
Exit status: 0 if every feed was saved or not modified, 1 if any feed failed (or the feed list
had a bad line), 2 if there was nothing to fetch.
Daily at 06:00 with cron:
  0 6 * * * cd /path/to/project && .venv/bin/analysis collect rss --feeds feeds.txt --out data/raw/NAME --articles >> collect.log 2>&1
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from analysis.collect import (
        DEFAULT_BACKOFF,
        DEFAULT_DELAY,
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_REDIRECTS,
        DEFAULT_MIN_CHARS,
        DEFAULT_RETRIES,
        DEFAULT_TIMEOUT,
        DEFAULT_USER_AGENT,
    )

    parser = subparsers.add_parser(
        "collect",
        help="collect a corpus: snapshot RSS feeds politely into data/raw/NAME",
        description="Collect a corpus from the web, politely (see `analysis collect rss --help`).",
    )
    sub = parser.add_subparsers(dest="collect_command", metavar="SOURCE")
    rss = sub.add_parser(
        "rss",
        help="fetch RSS/Atom feeds once and store the snapshots",
        description="Fetch each feed once and store the response byte for byte in the layout of the "
        "shared Le Monde corpus, so that `analysis ingest NAME` reads it.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rss.add_argument("urls", nargs="*", metavar="FEED_URL", help="feed URL(s) to fetch")
    rss.add_argument("--feeds", action="append", default=[], metavar="FILE",
                     help="file of feed URLs, one per line, '#' comments (repeatable)")
    rss.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="collection folder (default: data/raw/<stem of the first --feeds file>, or data/raw/rss)")
    rss.add_argument("--articles", action="store_true",
                     help="also fetch each new item's page (robots.txt respected) and store its main text")
    rss.add_argument("--min-chars", type=int, default=DEFAULT_MIN_CHARS, metavar="N",
                     help=f"with --articles: page texts shorter than N characters are not kept (default {DEFAULT_MIN_CHARS})")
    rss.add_argument("--delay", type=float, default=DEFAULT_DELAY, metavar="SECONDS",
                     help=f"pause between two requests to the same host (default {DEFAULT_DELAY:g})")
    rss.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"time allowed per attempt, download included (default {DEFAULT_TIMEOUT:g})")
    rss.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                     help=f"largest response accepted; bigger ones are aborted (default {DEFAULT_MAX_BYTES})")
    rss.add_argument("--retries", type=int, default=DEFAULT_RETRIES, metavar="N",
                     help=f"retries after a 5xx, a timeout or a connection error, never after 4xx (default {DEFAULT_RETRIES})")
    rss.add_argument("--backoff", type=float, default=DEFAULT_BACKOFF, metavar="SECONDS",
                     help=f"first retry pause, doubled at each retry (default {DEFAULT_BACKOFF:g})")
    rss.add_argument("--max-redirects", type=int, default=DEFAULT_MAX_REDIRECTS, metavar="N",
                     help=f"redirects followed per request (default {DEFAULT_MAX_REDIRECTS})")
    rss.add_argument("--user-agent", default=DEFAULT_USER_AGENT, metavar="UA",
                     help=f"User-Agent header (default {DEFAULT_USER_AGENT!r})")
    rss.set_defaults(func=_run_rss)
    parser.set_defaults(func=lambda _args: (parser.print_help(), 2)[1])


def _run_rss(args: argparse.Namespace) -> int:
    from analysis.collect import collect_rss, read_feed_list

    urls = list(args.urls)
    problems: list[str] = []
    for path in args.feeds:
        try:
            found, bad = read_feed_list(path)
        except OSError as exc:
            print(f"error: cannot read feed list {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        urls += found
        problems += bad
    for problem in problems:
        print(f"error: {problem} (line skipped)", file=sys.stderr)
    if not urls:
        print("error: no feed to fetch: give FEED_URL(s) or --feeds FILE", file=sys.stderr)
        return 2
    for name, value, low in (("--timeout", args.timeout, 0.0), ("--max-bytes", args.max_bytes, 0)):
        if value <= low:
            print(f"error: {name} must be > 0 (got {value})", file=sys.stderr)
            return 2
    for name, value in (("--delay", args.delay), ("--retries", args.retries), ("--backoff", args.backoff),
                        ("--max-redirects", args.max_redirects), ("--min-chars", args.min_chars)):
        if value < 0:
            print(f"error: {name} must be >= 0 (got {value})", file=sys.stderr)
            return 2
    out = args.out or Path("data/raw") / (Path(args.feeds[0]).stem if args.feeds else "rss")
    report = collect_rss(
        urls, out, articles=args.articles, delay=args.delay, timeout=args.timeout, max_bytes=args.max_bytes,
        retries=args.retries, backoff=args.backoff, max_redirects=args.max_redirects, user_agent=args.user_agent,
        min_chars=args.min_chars,
    )
    for feed in report.failed:
        print(f"failed: {feed.url}: {feed.error}", file=sys.stderr)
    return 1 if problems else report.exit_code
