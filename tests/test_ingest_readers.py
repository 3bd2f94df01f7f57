"""Each reader on its SYNTHETIC fixtures (tests/fixtures/ingest/), good and malformed input.

Expected values are read off the fixture files by hand (see make_fixtures.py there).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.corpus import ingest, load_corpus
from analysis.readers import ReadOptions
from analysis.readers.base import resolve_columns, ReaderError
from analysis.readers.csv import sniff_delimiter
from analysis.readers.rss import outlet_name, section_name

FIX = Path(__file__).parent / "fixtures" / "ingest"


def run(tmp_path: Path, *sources: str | Path, **kw):
    out = tmp_path / "out"
    report = ingest([str(s) for s in sources], out=out, progress=False, **kw)
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return report, load_corpus(out), rejects


def assert_reconciles(report) -> None:
    assert report.records_read == report.kept + sum(report.duplicates.values()) + sum(report.rejected.values())


# ---------------------------------------------------------------- RSS / Atom


def test_channel_title_patterns() -> None:
    assert outlet_name("International : Toute l’actualité sur Le Monde.fr.") == "Le Monde"
    assert outlet_name("Le Monde.fr - Actualités et Infos en France et dans le monde") == "Le Monde"
    assert outlet_name("Le Quotidien Exemple | Monde") == "Le Quotidien Exemple"
    assert section_name("Débats : Toute l’actualité sur Le Monde.fr.", "https://www.lemonde.fr/idees/rss_full.xml") == "débats"
    assert section_name("Le Monde.fr - Actualités", "https://www.lemonde.fr/rss/une.xml") == "une"
    assert section_name("X", "https://www.lemonde.fr/international/rss_full.xml") == "international"


def test_rss_folder(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "rss")
    assert_reconciles(report)
    # 5 items + 3 items; manifest.jsonl is not input
    assert report.records_read == 8 and report.files_total == 2
    assert report.duplicates == {"text": 1, "url": 1}
    assert report.rejected == {"date": 1, "lang": 1}
    assert report.kept == 4
    assert set(corpus["source"]) == {"Le Monde"}
    first = corpus[corpus["url"].str.contains("troupes-russes")].iloc[0]
    # first-seen version kept (08-00-00 snapshot, channel date 08:00 < 09:00), HTML stripped, entities decoded
    assert first["text"] == ("Les forces russes ont progressé vers la capitale ukrainienne dans la nuit de jeudi à vendredi, "
                             "selon l’état-major ukrainien.")
    assert first["section"] == "international"
    assert first["date"] == pd.Timestamp("2022-02-25 06:30", tz="UTC")
    assert first["origin_record"] == "item 1"
    assert first["origin_file"].endswith("08-00-00/international.xml")
    # English item rejected with reason lang, archive date kept, live blog kept and counted
    assert {r["reason"] for r in rejects} == {"lang", "date"}
    assert (corpus["date"].dt.year == 1991).sum() == 1
    assert report.live_blogs == 1
    assert not corpus["url"].str.contains("english").any()
    assert corpus["url"].is_unique


def test_atom(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "atom-synthetic.xml")
    assert report.kept == 2
    sanctions = corpus[corpus["url"].str.endswith("sanctions-ue")].iloc[0]
    assert sanctions["date"] == pd.Timestamp("2022-02-28 17:30", tz="UTC")  # published wins over updated
    assert sanctions["text"].startswith("Les ministres") and "<" not in sanctions["text"]
    assert sanctions["source"] == "Le Quotidien Exemple"
    assert sanctions["section"] == "monde"


def test_truncated_xml_keeps_what_parsed(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "rss-truncated.xml")
    assert report.kept == 1 and corpus.iloc[0]["title"].startswith("Moldavie")
    assert len(report.files_partial) == 1 and "malformed XML" in report.files_partial[0]["reason"]
    assert [r["position"] for r in rejects] == ["item 2"]
    assert_reconciles(report)


def test_empty_file_is_reported_and_run_goes_on(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "empty.xml", FIX / "atom-synthetic.xml")
    assert report.files_failed == [{"file": str(FIX / "empty.xml"), "reason": "empty file"}]
    assert report.kept == 2


# ---------------------------------------------------------------- CSV


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("a,b\n1,2\n") == ","


def test_csv_cp1252_semicolon_dayfirst(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "csv-cp1252-semicolon.csv")
    assert report.kept == 2
    assert list(corpus["date"]) == [pd.Timestamp("2022-02-22", tz="UTC"), pd.Timestamp("2022-02-24", tz="UTC")]
    assert set(corpus["source"]) == {"L’Écho synthétique"}  # decoded from cp1252 (’ is 0x92)
    assert corpus.iloc[0]["title"].startswith("Poutine reconnaît")
    assert any("cp1252" in w for w in report.warnings)


def test_csv_bom(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "csv-bom.csv")
    row = corpus.iloc[0]
    assert (row["source"], row["url"]) == ("Gazette Test", "https://gazette-test.fr/kherson")


def test_csv_headerless_with_columns_title_as_text(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "csv-headerless.csv", columns=["date", "source", "title"])
    assert report.kept == 2
    assert (corpus["text"] == corpus["title"]).all()
    # n_words counts title + text: 10 words each for the first title
    first = corpus.iloc[0]
    assert first["n_words"] == 2 * len("Convoi russe de soixante kilomètres au nord de Kiev".split())


def test_csv_map_and_missing_column(tmp_path: Path) -> None:
    report, corpus, _ = run(tmp_path, FIX / "csv-cp1252-semicolon.csv", mapping={"title": "Texte", "text": "Titre"})
    assert corpus.iloc[0]["title"].startswith("Le président russe")
    report, corpus, _ = run(tmp_path, FIX / "csv-bom.csv", FIX / "csv-title-only.csv", mapping={"title": "Headline"})
    assert report.kept == 0
    assert len(report.files_failed) == 2
    assert all("missing column 'Headline'" in f["reason"] for f in report.files_failed)


def test_resolve_columns_aliases() -> None:
    assert resolve_columns(["Date", "Journal", "Article"], {"title": "Article"}) == {"title": "Article", "date": "Date", "source": "Journal"}
    with pytest.raises(ReaderError, match="unknown field"):
        resolve_columns(["a"], {"headline": "a"})


def test_csv_malformed_rows_rejected_one_by_one(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "csv-malformed.csv")
    assert report.kept == 2
    assert [(r["position"], r["reason"]) for r in rejects] == [("line 3", "malformed"), ("line 4", "date"), ("line 5", "empty")]
    assert all(r["file"] == str(FIX / "csv-malformed.csv") and r["excerpt"] for r in rejects)
    assert_reconciles(report)


def test_csv_title_only(tmp_path: Path) -> None:
    _, corpus, _ = run(tmp_path, FIX / "csv-title-only.csv")
    assert corpus.iloc[0]["text"] == corpus.iloc[0]["title"] == "Les négociations russo-ukrainiennes reprennent en Biélorussie"
    assert corpus.iloc[0]["source"] == "Titres Synthétiques"


def test_csv_duplicate_id(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "csv-duplicate-id.csv")
    assert report.kept == 1 and report.duplicates == {"id": 1}
    assert [(r["position"], r["reason"]) for r in rejects] == [("line 4", "duplicate_id")]


def test_csv_undecodable_bytes(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "csv-bad-bytes.csv", encoding="utf-8")
    assert report.kept == 1 and [r["reason"] for r in rejects] == ["encoding"]
    assert "\\xe9" in rejects[0]["excerpt"]
    # auto: the file decodes as cp1252 as a whole (its UTF-8 line is then mis-decoded: a warning says so)
    report, corpus, _ = run(tmp_path, FIX / "csv-bad-bytes.csv")
    assert report.kept == 2 and any("cp1252" in w for w in report.warnings)


# ---------------------------------------------------------------- JSONL, Parquet, txt, Europresse


def test_jsonl(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "jsonl-synthetic.jsonl")
    assert report.kept == 2
    assert [(r["position"], r["reason"]) for r in rejects] == [("line 2", "malformed"), ("line 3", "malformed")]
    unix = corpus[corpus["url"] == "https://json-test.fr/b"].iloc[0]
    assert unix["date"] == pd.Timestamp("2022-03-13 11:00", tz="UTC")  # 1647169200


def test_parquet(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    pd.DataFrame(
        {
            "published": pd.to_datetime(["2022-03-14 10:00", "2022-03-15 12:00"]).tz_localize("Europe/Paris"),
            "outlet": ["Table Test", "Table Test"],
            "headline": ["Manifestation à Moscou contre la guerre", "Odessa se prépare à une attaque"],
            "body": ["Des centaines de personnes ont été interpellées.", None],
        }
    ).to_parquet(src)
    report, corpus, _ = run(tmp_path, src, mapping={"date": "published", "source": "outlet", "title": "headline", "text": "body"})
    assert report.kept == 2
    assert corpus.iloc[0]["date"] == pd.Timestamp("2022-03-14 09:00", tz="UTC")
    assert corpus.iloc[1]["text"] == "Odessa se prépare à une attaque"  # no body: the title


def test_txt_folder_with_sidecar(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "txt-folder")
    assert report.kept == 1
    row = corpus.iloc[0]
    assert row["title"] == "Frappe sur une base militaire près de Lviv"
    assert row["text"].startswith("Des missiles russes") and "\n\nLe bilan" in row["text"]
    assert (row["source"], row["section"], row["date"]) == ("Texte Test", "international", pd.Timestamp("2022-03-13", tz="UTC"))
    assert [r["reason"] for r in rejects] == ["date"]
    report, corpus, _ = run(tmp_path, FIX / "txt-folder", allow_undated=True)
    assert report.kept == 2 and corpus["date"].isna().sum() == 1 and report.undated == 1


def test_europresse(tmp_path: Path) -> None:
    report, corpus, rejects = run(tmp_path, FIX / "europresse-synthetic.html")
    assert report.kept == 2 and [r["reason"] for r in rejects] == ["malformed"]
    bakh = corpus[corpus["title"].str.startswith("Bakhmout")].iloc[0]
    assert bakh["source"] == "Le Journal Synthétique"
    assert bakh["section"] == "International"
    assert bakh["date"] == pd.Timestamp("2023-03-22", tz="UTC")
    assert bakh["text"] == ("Les forces ukrainiennes repoussent des assauts répétés autour de la ville.\n\n"
                            "L’état-major affirme que le potentiel offensif russe diminue.")
    web = corpus[corpus["source"] == "La Gazette Imaginaire (site web)"].iloc[0]
    assert web["date"] == pd.Timestamp("2022-02-01", tz="UTC")


def test_source_option_overrides(tmp_path: Path) -> None:
    _, corpus, _ = run(tmp_path, FIX / "atom-synthetic.xml", source="Mon Journal")
    assert set(corpus["source"]) == {"Mon Journal"}


def test_bundled_example(tmp_path: Path) -> None:
    from analysis.config import RAW_DATA_DIR

    report, corpus, _ = run(tmp_path, RAW_DATA_DIR / "example")
    assert report.kept == 1
    row = corpus.iloc[0]
    first_line = (RAW_DATA_DIR / "example" / "bakhmut-article-fr.txt").read_text(encoding="utf-8").splitlines()[0].strip()
    assert row["source"] == "Newsweek"
    assert row["date"] == pd.Timestamp("2023-03-22", tz="UTC")
    assert row["title"] == first_line
    assert row["lang"] == "fr"
