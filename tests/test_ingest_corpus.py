"""Cleaning, deduplication, language filter, incremental re-runs, schema and the CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.corpus import CORPUS_SCHEMA, _shingles, clean_text, detect_language, ingest, load_corpus, near_duplicates
from analysis.ids import make_doc_id, url_key
from analysis.storage import RawDataWriteError

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_clean_text() -> None:
    assert clean_text("<p>L&#8217;arm\u00e9e &amp; <b>ses</b>\u00a0chars</p>") == "L’armée & ses chars"
    assert clean_text("&lt;p&gt;escaped &lt;i&gt;html&lt;/i&gt;&lt;/p&gt;") == "escaped html"
    assert clean_text("a\u200bb  \t c\u00adé") == "ab cé"
    assert clean_text("para 1<br/>para 2") == "para 1\npara 2"
    assert clean_text("l1\n\n\n\n  l2  ") == "l1\n\nl2"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text(None) == "" and clean_text(float("nan")) == ""
    assert clean_text("3 < 5 et 7 > 2") == "3 < 5 et 7 > 2"  # not a tag


def test_near_duplicates_against_hand_computed_jaccard() -> None:
    base = "un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize dix-sept"
    # words: 18 tokens (\w+ splits dix-sept), 16 3-shingles; appending one word adds 1 shingle:
    # Jaccard = 16/17 = 0.94 >= 0.8; replacing the 9th word touches 3 shingles: 13/19 = 0.68 < 0.8
    plus_one = base + " fin"
    changed = base.replace("neuf", "NEUF_X")
    a, b, c = _shingles(base), _shingles(plus_one), _shingles(changed)
    assert len(a) == 16 and len(a & b) / len(a | b) == pytest.approx(16 / 17)
    assert len(a & c) / len(a | c) == pytest.approx(13 / 19)
    assert near_duplicates([base, plus_one, changed]) == [None, 0, None]
    # a duplicate of a duplicate points at the root
    assert near_duplicates([base, plus_one, plus_one + " x"]) == [None, 0, 0]
    assert near_duplicates(["", "court"]) == [None, None]


def test_near_duplicates_marked_in_corpus(tmp_path: Path) -> None:
    lead = ("Les forces russes ont intensifié leurs frappes sur les infrastructures énergétiques ukrainiennes "
            "dans la nuit de lundi à mardi, privant des centaines de milliers de foyers d’électricité")
    src = tmp_path / "wire.csv"
    src.write_text(
        "date,source,title,text\n"
        f'10/10/2022,Agence Test,Frappes massives,"{lead}."\n'
        f'11/10/2022,Journal Repris,Frappes massives,"{lead} selon Kiev."\n'
        "12/10/2022,Journal Repris,Autre sujet,La réforme des retraites est présentée en conseil des ministres.\n",
        encoding="utf-8",
    )
    report = ingest(src, out=tmp_path / "out", progress=False)
    corpus = load_corpus(tmp_path / "out")
    first, second, third = corpus.itertuples(index=False)
    assert second.duplicate_of == first.doc_id and pd.isna(first.duplicate_of) and pd.isna(third.duplicate_of)
    assert report.near_duplicates == 1 and report.kept == 3
    assert len(load_corpus(tmp_path / "out", near_duplicates="drop")) == 2


def test_language() -> None:
    assert detect_language("L’Ukraine a repris plusieurs villages dans la région de Kharkiv, selon l’état-major.")[0] == "fr"
    assert detect_language("Ukraine has retaken several villages in the Kharkiv region, the general staff said.")[0] == "en"
    assert detect_language("Die Ukraine hat mehrere Dörfer in der Region Charkiw zurückerobert.")[0] == "de"
    assert detect_language("Bakhmout")[0] == "fr"  # too short to trust a non-French verdict


def test_schema_and_sort(tmp_path: Path) -> None:
    ingest([FIX / "rss", FIX / "csv-cp1252-semicolon.csv"], out=tmp_path / "out", progress=False)
    schema = pq.read_schema(tmp_path / "out" / "corpus.parquet")
    assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in CORPUS_SCHEMA]
    corpus = load_corpus(tmp_path / "out")
    assert str(corpus["date"].dtype) == "datetime64[us, UTC]" and corpus["n_words"].dtype == "int32"
    assert corpus.equals(corpus.sort_values(["date", "doc_id"]).reset_index(drop=True))
    assert (corpus["lang"] == "fr").all() and corpus["doc_id"].is_unique
    # doc_id: from the normalised URL, else from source|date|title|text
    for row in corpus.itertuples(index=False):
        expected = make_doc_id(url=row.url if isinstance(row.url, str) else None, source=row.source,
                               date=row.date.isoformat(), title=row.title, text=row.text)
        assert row.doc_id == expected
    words = corpus["title"].str.split().str.len() + corpus["text"].str.split().str.len()
    assert (corpus["n_words"] == words).all()


def _copy_rss(tmp_path: Path) -> Path:
    dst = tmp_path / "feeds"
    shutil.copytree(FIX / "rss", dst)
    return dst


def test_same_input_twice_same_rows(tmp_path: Path) -> None:
    feeds = _copy_rss(tmp_path)
    out1, out2 = tmp_path / "a", tmp_path / "b"
    r1 = ingest(feeds, out=out1, progress=False)
    r2 = ingest(feeds, out=out1, progress=False)  # incremental: nothing re-read
    ingest(feeds, out=out2, progress=False, incremental=False)
    assert r1.files_read == 2 and r2.files_read == 0 and r2.files_cached == 2 and r2.new_documents == 0
    pd.testing.assert_frame_equal(load_corpus(out1), load_corpus(out2))
    assert r1.to_dict()["rejected"] == r2.to_dict()["rejected"] and r1.duplicates == r2.duplicates


def test_new_snapshot_adds_only_new_documents(tmp_path: Path) -> None:
    feeds = _copy_rss(tmp_path)
    out = tmp_path / "out"
    ingest(feeds, out=out, progress=False)
    before = load_corpus(out)
    snap = feeds / "2022" / "Feb" / "26" / "08-00-00"
    snap.mkdir(parents=True)
    une = (feeds / "2022" / "Feb" / "25" / "09-00-00" / "une.xml").read_text(encoding="utf-8")
    new_item = ("<item><title>Nouvelles sanctions contre Moscou</title><pubDate>Sat, 26 Feb 2022 18:00:00 +0100</pubDate>"
                "<description>Les Occidentaux excluent plusieurs banques russes du système Swift.</description>"
                "<link>https://www.exemple-journal.fr/international/article/2022/02/26/swift_9.html</link></item>\n")
    (snap / "une.xml").write_text(une.replace("</channel>", new_item + "</channel>")
                                  .replace("Fri, 25 Feb 2022 09:00:00 +0000", "Sat, 26 Feb 2022 08:00:00 +0000"), encoding="utf-8")
    report = ingest(feeds, out=out, progress=False)
    after = load_corpus(out)
    assert report.files_read == 1 and report.files_cached == 2
    assert report.new_documents == 1 and len(after) == len(before) + 1
    added = after[~after["doc_id"].isin(before["doc_id"])]
    assert added["title"].tolist() == ["Nouvelles sanctions contre Moscou"]
    # existing rows unchanged (first-seen versions kept)
    pd.testing.assert_frame_equal(after[after["doc_id"].isin(before["doc_id"])].reset_index(drop=True), before)
    # and the same as a fresh run over everything
    fresh = ingest(feeds, out=tmp_path / "fresh", progress=False, incremental=False)
    pd.testing.assert_frame_equal(load_corpus(tmp_path / "fresh"), after)
    assert fresh.duplicates == report.duplicates and report.records_read == fresh.records_read == 5 + 3 + 4


def test_changed_file_is_reread(tmp_path: Path) -> None:
    feeds = _copy_rss(tmp_path)
    out = tmp_path / "out"
    ingest(feeds, out=out, progress=False)
    path = feeds / "2022" / "Feb" / "25" / "09-00-00" / "une.xml"
    path.write_text(path.read_text(encoding="utf-8").replace("Réforme des retraites", "Réforme des pensions"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report = ingest(feeds, out=out, progress=False)
    assert report.files_read == 1
    assert load_corpus(out)["title"].str.contains("Réforme des pensions").any()


def test_collected_article_text_replaces_lead(tmp_path: Path) -> None:
    feeds = _copy_rss(tmp_path)
    url = "https://www.exemple-journal.fr/politique/article/2022/02/26/retraites_7.html"
    (feeds / "articles").mkdir()
    body = "Texte intégral de l’article sur les retraites.\n\nDeuxième paragraphe, plus long que le chapeau."
    (feeds / "articles" / f"{url_key(url)}.txt").write_text(body, encoding="utf-8")
    report = ingest(feeds, out=tmp_path / "out", progress=False)
    corpus = load_corpus(tmp_path / "out")
    row = corpus[corpus["url"] == url].iloc[0]
    assert row["text"] == body and report.articles_used == 1
    assert report.files_total == 2  # articles/ is not read as input


def test_never_writes_raw(tmp_path: Path) -> None:
    from analysis.config import RAW_DATA_DIR

    with pytest.raises(RawDataWriteError):
        ingest(FIX / "csv-bom.csv", out=RAW_DATA_DIR / "example" / "out", progress=False)
    assert not (RAW_DATA_DIR / "example" / "out").exists()


def test_outputs_and_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = ingest([FIX / "rss", FIX / "csv-malformed.csv", FIX / "empty.xml"], out=out, progress=False)
    data = json.loads((out / "ingest-report.json").read_text(encoding="utf-8"))
    assert data["records_read"] == data["kept"] + data["duplicates_total"] + data["rejected_total"]
    assert data["rejected"] == {"date": 2, "empty": 1, "lang": 1, "malformed": 1}
    assert data["files_failed"][0]["reason"] == "empty file"
    assert data["parameters"]["seed"] and data["started"] and data["finished"]
    lines = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == report.rejected_total
    assert all(set(json.loads(x)) >= {"file", "position", "reason", "excerpt"} for x in lines)
    assert not list(out.glob(".*tmp"))  # atomic writes leave no temporary file


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "out")
    assert main(["ingest", str(FIX / "csv-headerless.csv"), "--columns", "date,source,title", "--out", out]) == 0
    assert "kept: 2" in capsys.readouterr().out
    assert main(["ingest", str(FIX / "csv-malformed.csv"), "--out", out]) == 0
    assert main(["ingest", str(FIX / "csv-malformed.csv"), "--out", out, "--strict"]) != 0
    assert main(["ingest", str(FIX / "empty.xml"), "--out", out]) != 0
    assert main(["ingest", str(FIX / "csv-cp1252-semicolon.csv"), "--map", "title=Texte", "--map", "text=Titre",
                 "--encoding", "cp1252", "--source", "X", "--out", out]) == 0
    corpus = load_corpus(out)
    assert set(corpus["source"]) == {"X"} and corpus.iloc[0]["title"].startswith("Le président")
    assert main(["ingest", str(FIX / "csv-bom.csv"), "--map", "title", "--out", out]) == 2
