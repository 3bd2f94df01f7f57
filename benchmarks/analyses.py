"""Benchmark: term trend and keyness over the whole Le Monde 2022 corpus, vectorised vs naive.

Usage:
    python benchmarks/analyses.py [--processed DIR] [--repeat 5]

Without ``--processed`` the Le Monde RSS corpus is read from ``$ANALYSIS_TEST_DATA`` and
ingested + annotated (incremental: reused when already done) into
``data/processed/lemonde-2022``. Timings start *after* the tables are loaded (loading is
reported separately). The naive baseline is a per-document Python loop over the same token
rows; both give identical numbers (checked). Results are printed and written to
``reports/benchmarks/analyses.json``.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import PROCESSED_DATA_DIR, REPORTS_DIR, TEST_DATA_ENV, test_data_dir
from analysis.storage import write_json


def ensure_processed(processed: Path | None) -> Path:
    if processed is not None:
        return processed
    shared = test_data_dir()
    if shared is None:
        sys.exit(f"set {TEST_DATA_ENV} to the shared data directory, or pass --processed DIR")
    out = PROCESSED_DATA_DIR / "lemonde-2022"
    from analysis.annotate import annotate
    from analysis.corpus import ingest

    ingest(shared / "corpora" / "lemonde-2022-rss", out=out)
    annotate(out)
    return out


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def naive_trend(corpus_df: pd.DataFrame, tokens: pd.DataFrame, term: str) -> dict:
    """Per-document Python loop: weekly per-10k rate of ``term``."""
    by_doc = defaultdict(list)
    for doc_id, lemma, is_punct, count in zip(tokens["doc_id"], tokens["lemma"], tokens["is_punct"], tokens["count"]):
        by_doc[doc_id].append((lemma, is_punct, count))
    hits, totals = Counter(), Counter()
    for doc_id, date in zip(corpus_df["doc_id"], corpus_df["date"]):
        d = date.tz_convert(None).normalize()
        week = d - pd.Timedelta(days=d.weekday())
        for lemma, is_punct, count in by_doc.get(doc_id, ()):
            if not is_punct:
                totals[week] += count
                if lemma == term:
                    hits[week] += count
    return {w: 1e4 * hits[w] / totals[w] for w in totals}


def naive_keyness(corpus_df, tokens, target, reference) -> dict:
    """Per-document loop counting lemmas, then a Python loop computing G² term by term."""
    dates = dict(zip(corpus_df["doc_id"], corpus_df["date"]))
    (t0, t1), (r0, r1) = target, reference
    counts = {"t": Counter(), "r": Counter()}
    totals = {"t": 0, "r": 0}
    for doc_id, lemma, is_stop, is_punct, count in zip(tokens["doc_id"], tokens["lemma"], tokens["is_stop"], tokens["is_punct"], tokens["count"]):
        d = dates.get(doc_id)
        side = "t" if d is not None and t0 <= d < t1 else "r" if d is not None and r0 <= d < r1 else None
        if side is None or is_punct:
            continue
        totals[side] += count
        if not is_stop:
            counts[side][lemma] += count
    c, dd = totals["t"], totals["r"]
    out = {}
    for term in set(counts["t"]) | set(counts["r"]):
        a, b = counts["t"][term], counts["r"][term]
        if a + b < 5:
            continue
        n = c + dd
        obs = [a, b, c - a, dd - b]
        exp = [c * (a + b) / n, dd * (a + b) / n, c * (n - a - b) / n, dd * (n - a - b) / n]
        out[term] = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp) if o > 0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processed", type=Path, help="processed directory of the Le Monde corpus")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (best kept)")
    ap.add_argument("--out", type=Path, default=REPORTS_DIR / "benchmarks" / "analyses.json")
    args = ap.parse_args(argv)

    from analysis.keyness import compare
    from analysis.tables import Corpus
    from analysis.trends import term_trend

    processed = ensure_processed(args.processed)
    t0 = time.perf_counter()
    c = Corpus(processed)
    corpus_df, tokens = c.corpus, c.tokens
    load_s = time.perf_counter() - t0
    c.doc_totals()  # cached denominators, as after any first analysis
    target = ("2022-03-01", "2022-03-31")
    reference = ("2022-01-01", "2022-01-31")

    trend_s, trend = best_of(lambda: term_trend(c, "ukraine", period="week"), args.repeat)
    key_s, key = best_of(lambda: compare(c, target=target, reference=reference, min_count=5, drop_numbers=False), args.repeat)
    # a fresh Corpus each time: nothing cached, tables already in memory
    def cold_trend():
        fresh = Corpus.from_frames(name="fresh", corpus=corpus_df, tokens=tokens)
        return term_trend(fresh, "ukraine", period="week")

    cold_s, _ = best_of(cold_trend, args.repeat)

    naive_trend_s, nt = best_of(lambda: naive_trend(corpus_df, tokens, "ukraine"), 1)
    bounds = [(pd.Timestamp(a, tz="UTC"), pd.Timestamp(b, tz="UTC") + pd.Timedelta(days=1)) for a, b in (target, reference)]
    naive_key_s, nk = best_of(lambda: naive_keyness(corpus_df, tokens, *bounds), 1)

    # same numbers both ways
    tv = trend.set_index("period")["value"]
    for week, value in nt.items():
        assert abs(tv.loc[week.tz_localize(None)] - value) < 1e-9, week
    kv = key.set_index("term")["g2"]
    assert len(nk) == len(kv) and all(abs(kv[t] - g) < 1e-6 for t, g in nk.items())

    res = {
        "corpus": str(processed),
        "documents": int(len(corpus_df)),
        "token_rows": int(len(tokens)),
        "tokens": int(tokens["count"].sum()),
        "load_tables_s": round(load_s, 3),
        "term_trend_week_s": round(trend_s, 4),
        "term_trend_week_cold_s": round(cold_s, 4),
        "keyness_march_vs_january_s": round(key_s, 4),
        "keyness_rows": int(len(key)),
        "naive_term_trend_s": round(naive_trend_s, 3),
        "naive_keyness_s": round(naive_key_s, 3),
        "speedup_trend": round(naive_trend_s / trend_s, 1),
        "speedup_keyness": round(naive_key_s / key_s, 1),
        "repeat": args.repeat,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    width = max(map(len, res))
    for k, v in res.items():
        print(f"{k:<{width}}  {v}")
    write_json(res, args.out)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
