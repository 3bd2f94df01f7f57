"""Integration: the real Le Monde RSS folder (ANALYSIS_TEST_DATA). Properties, not hard-coded counts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.corpus import ingest, load_corpus
from analysis.ids import normalize_url

pytestmark = [pytest.mark.slow, pytest.mark.shared]


def test_lemonde_reconciles(lemonde_rss: Path, tmp_path: Path) -> None:
    out = tmp_path / "lm"
    report = ingest(lemonde_rss, out=out, progress=False)
    corpus = load_corpus(out)
    n_files = sum(1 for _ in lemonde_rss.rglob("*.xml"))

    # independent count of listings and links, straight from the XML text
    listings, links = 0, set()
    for path in lemonde_rss.rglob("*.xml"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = re.findall(r"<item>.*?<link>([^<]+)</link>", text, re.S)
        listings += len(found)
        links.update(normalize_url(u) for u in found)

    assert report.files_total == n_files
    assert report.records_read == listings
    assert report.records_read == report.kept + sum(report.duplicates.values()) + sum(report.rejected.values())
    assert report.kept == len(corpus)
    # every unique link is either kept, a same-text duplicate under another link, or rejected (English)
    kept_links = {normalize_url(u) for u in corpus["url"]}
    assert kept_links <= links
    assert len(links) - len(kept_links) <= report.duplicates.get("text", 0) + report.rejected.get("lang", 0)
    # no English item, no repeated URL, the empty snapshot reported
    # (the French announcement "welcome-to-le-monde-in-english" lives in another section and stays)
    assert not corpus["url"].str.contains("/le-monde-in-english/", regex=False).any()
    assert (corpus["lang"] == "fr").all()
    assert corpus["url"].is_unique and corpus["doc_id"].is_unique
    assert any(f["reason"] == "empty file" for f in report.files_failed)
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejects) == sum(report.rejected.values())
    assert report.rejected.get("lang", 0) >= 1
    assert set(corpus["source"]) == {"Le Monde"}
    assert report.seconds < 60
