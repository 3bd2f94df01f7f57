"""Report machinery (analysis.report, `analysis report` / `analysis run`)."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import report
from analysis.cli import main as cli_main
from analysis.config import PROJ_ROOT
from analysis.params import ParameterError
from analysis.tables import Corpus

FIXTURE = PROJ_ROOT / "tests" / "fixtures" / "processed"
# A 1x1 transparent PNG (synthetic figure output).
PNG = base64.b64decode(b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


# ------------------------------------------------------------------------------ parameters in
def test_parse_value_yaml_and_dates():
    assert report.parse_value("30") == 30
    assert report.parse_value("[bakhmout, négociation]") == ["bakhmout", "négociation"]
    assert report.parse_value('["a b", "c"]') == ["a b", "c"]
    assert report.parse_value("{négociation: [négociation, pourparlers]}") == {"négociation": ["négociation", "pourparlers"]}
    assert report.parse_value("2022-02-24") == "2022-02-24"  # YAML date -> ISO string, not datetime.date
    assert report.parse_value("{2022-02-24: invasion}") == {"2022-02-24": "invasion"}
    assert report.parse_value("2022-01-01:2022-02-23") == "2022-01-01:2022-02-23"
    assert report.parse_value("") == ""
    assert report.parse_value("[unclosed") == "[unclosed"  # left to validation, which names the parameter


def test_load_params_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("start: 2022-01-01\nend: '2022-06-30'\nevents:\n  2022-02-24: invasion\ntop_n: 15\n", encoding="utf-8")
    assert report.load_params_file(f) == {"start": "2022-01-01", "end": "2022-06-30", "events": {"2022-02-24": "invasion"}, "top_n": 15}
    (tmp_path / "bad.yaml").write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="must hold a mapping"):
        report.load_params_file(tmp_path / "bad.yaml")
    with pytest.raises(ParameterError, match="cannot read"):
        report.load_params_file(tmp_path / "missing.yaml")


def test_shipped_params_files_are_valid():
    from analysis.params import validate

    files = sorted((PROJ_ROOT / "params").glob("*.yaml"))
    assert files, "params/*.yaml examples are missing"
    for f in files:
        validate(report.load_params_file(f))  # no processed_dir: structure and values only


def test_select_notebooks():
    assert report.select_notebooks(None) == list(report.NOTEBOOKS.values())
    assert report.select_notebooks("02,01") == ["02-word-frequency", "01-corpus-overview"]
    assert report.select_notebooks(["03-sentiment"]) == ["03-sentiment"]
    with pytest.raises(ParameterError, match="unknown notebook '05'"):
        report.select_notebooks("05")
    with pytest.raises(ParameterError, match="unknown notebook"):
        report.select_notebooks("02-sentiment")


def test_split_parameters_by_declared_cells():
    split = report.split_parameters({"terms": ["guerre"], "granularity": "month", "entity_labels": ["PER"]},
                                    ["01-corpus-overview", "02-word-frequency", "04-entities"])
    assert split["01-corpus-overview"] == {"granularity": "month"}
    assert split["02-word-frequency"] == {"terms": ["guerre"], "granularity": "month"}
    assert split["04-entities"] == {"granularity": "month", "entity_labels": ["PER"]}
    # a parameter of another notebook is dropped (a params file serves all four) ...
    assert report.split_parameters({"terms": ["x"], "lang": "en"}, ["01-corpus-overview"]) == {"01-corpus-overview": {"lang": "en"}}
    # ... a parameter of no notebook is an error naming it
    with pytest.raises(ParameterError, match="not a parameter of any report notebook") as info:
        report.split_parameters({"granularty": "week"}, ["01-corpus-overview"])
    assert info.value.name == "granularty"


# ------------------------------------------------------------------------------ provenance
def test_fingerprint_tracks_file_contents(tmp_path):
    proc = tmp_path / "proc"
    shutil.copytree(FIXTURE, proc)
    first = report.corpus_fingerprint(proc)
    assert first == report.corpus_fingerprint(proc) and len(first) == 16
    part = sorted((proc / "documents").glob("*.parquet"))[0]
    df = pd.read_parquet(part)
    df.loc[0, "tone"] = 0.987654
    df.to_parquet(part)
    assert report.corpus_fingerprint(proc) != first  # an annotation changed: another fingerprint


def test_provenance_record():
    corpus = Corpus(FIXTURE)
    sel = corpus.filter(start="2022-03-01")
    prov = report.provenance(FIXTURE, {"start": pd.Timestamp("2022-03-01")}, corpus=sel)
    json.dumps(prov)  # serialisable
    assert prov["parameters"] == {"start": "2022-03-01"}
    assert prov["corpus"]["documents"] == len(corpus.corpus)
    assert sum(prov["corpus"]["sources"].values()) == len(corpus.corpus)
    assert prov["selection"]["documents"] == len(sel.corpus) < len(corpus.corpus)
    assert prov["selection"]["fingerprint"] == sel.fingerprint() != corpus.fingerprint()
    assert prov["versions"]["analysis"] and prov["versions"]["pandas"] == pd.__version__
    assert "spacy" in prov["versions"] and "fr-core-news-sm" in prov["versions"]
    made = pd.Timestamp(prov["made"])
    assert made.tzinfo is not None and abs(pd.Timestamp.now(tz="UTC") - made) < pd.Timedelta(minutes=5)
    html = report.show_provenance(FIXTURE, {"start": "2022-03-01"}, corpus=sel).data
    assert sel.fingerprint() in html and "<details>" in html


# ------------------------------------------------------------------------------ overview tables
def test_ingest_summary_and_rejects(tmp_path):
    # synthetic ingest outputs
    (tmp_path / "ingest-report.json").write_text(json.dumps(
        {"records_read": 10, "kept": 6, "duplicates": {"url": 2}, "rejected": {"lang": 1, "date": 1}, "near_duplicates": 1}))
    (tmp_path / "rejects.jsonl").write_text(
        '{"file": "/data/in/2022/a.jsonl", "position": "line 3", "reason": "lang", "excerpt": "War news", "message": "language en"}\n'
        '{"file": "/data/in/2022/a.jsonl", "position": "line 7", "reason": "date", "excerpt": "x", "message": "no date"}\n'
        '{"file": "/data/in/2022/b.jsonl", "position": "line 1", "reason": "lang", "excerpt": "News", "message": "language de"}\n'
        '{"file": "/data/in/2022/b.jsonl", "position": "line 9", "reason": "lang", "excerpt": "More", "message": "language it"}\n')
    s = report.ingest_summary(tmp_path)
    assert s["count"].tolist() == [10, 6, 2, 1, 1, 1]
    assert s.loc[s["detail"] == "lang", "share"].item() == 0.1
    # kept + duplicates + rejected = read
    assert s.loc[s["outcome"] != "records read", "count"].iloc[:-1].sum() == 10
    r = report.rejects_by_reason(tmp_path)
    assert r["reason"].tolist() == ["lang", "date"] and r["count"].tolist() == [3, 1]  # most frequent first
    examples = r["examples"].iloc[0].split("\n")
    assert examples == ["in/2022/a.jsonl line 3: language en «War news»", "in/2022/b.jsonl line 1: language de «News»"]
    assert report.ingest_summary(tmp_path / "nowhere").empty


def test_documents_per_period_fills_empty_periods():
    docs = pd.DataFrame({
        "doc_id": list("abcd"), "source": ["X", "Y", "X", "X"], "section": [None] * 4, "title": [""] * 4, "text": [""] * 4,
        "date": pd.to_datetime(["2022-01-03", "2022-01-04", "2022-01-25", "2022-01-26"], utc=True),
    })
    c = Corpus.from_frames(corpus=docs)
    wide = report.documents_per_period(c, period="week", group="source")
    assert [str(d.date()) for d in wide.index] == ["2022-01-03", "2022-01-10", "2022-01-17", "2022-01-24"]
    assert wide["X"].tolist() == [1, 0, 0, 2] and wide["Y"].tolist() == [1, 0, 0, 0]
    gaps = report.coverage_gaps(c, period="day")
    assert gaps.iloc[0]["periods"] == 20  # 5 to 24 January
    assert str(gaps.iloc[0]["first_empty"].date()) == "2022-01-05"


# ------------------------------------------------------------------------------ HTML and figures
def _executed_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Synthetic"),
        nbformat.v4.new_code_cell("print('SECRET_CODE_MARKER')", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="visible output\n"),
            nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"}),
        ]),
    ])
    nbformat.write(nb, path)


def test_export_html_with_and_without_code(tmp_path):
    _executed_notebook(tmp_path / "x.ipynb")
    with_code = report.export_html(tmp_path / "x.ipynb", tmp_path / "a.html").read_text()
    without = report.export_html(tmp_path / "x.ipynb", tmp_path / "b.html", no_input=True).read_text()
    assert "SECRET_CODE_MARKER" in with_code and "SECRET_CODE_MARKER" not in without
    assert "visible output" in without and "data:image/png;base64" in without
    figs = report.extract_figures(tmp_path / "x.ipynb", tmp_path / "figures")
    assert [f.name for f in figs] == ["x-01.png"] and figs[0].read_bytes() == PNG


# ------------------------------------------------------------------------------ end to end
@pytest.mark.slow
def test_report_cli_end_to_end(tmp_path, capsys):
    out = tmp_path / "rep"
    rc = cli_main(["report", "--processed", str(FIXTURE), "--out", str(out), "--notebooks", "01",
                   "-p", "granularity", "month", "--no-input"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert str(out / "index.html") in printed
    index = (out / "index.html").read_text()
    assert '<a href="01-corpus-overview.html">' in index
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["parameters"] == {"granularity": "month"}
    assert prov["notebooks"][0]["parameters"]["granularity"] == "month"
    assert prov["notebooks"][0]["error"] is None and prov["no_input"] is True
    assert prov["corpus"]["fingerprint"] == report.corpus_fingerprint(FIXTURE)
    page = (out / "01-corpus-overview.html").read_text()
    assert "report.documents_per_period" not in page  # --no-input hides code
    assert "Selection" in page  # provenance rendered in the notebook
    executed = nbformat.read(out / "01-corpus-overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'granularity = "month"' in injected[0].source
    assert prov["notebooks"][0]["figures"] and all((out / f).exists() for f in prov["notebooks"][0]["figures"])


def test_report_cli_rejects_bad_parameters_before_running(tmp_path, capsys):
    out = tmp_path / "rep"
    rc = cli_main(["report", "--processed", str(FIXTURE), "--out", str(out), "-p", "end", "2000-01-01", "-p", "start", "2001-01-01"])
    assert rc == 2
    assert "parameter `end`" in capsys.readouterr().err
    assert not out.exists()  # nothing ran
    rc = cli_main(["report", "--processed", str(FIXTURE), "--out", str(out), "--notebooks", "01", "-p", "termz", "[x]"])
    assert rc == 2 and "parameter `termz`: unknown parameter" in capsys.readouterr().err
    rc = cli_main(["report", "--processed", str(tmp_path / "nothing"), "--out", str(out)])
    assert rc == 2 and "parameter `processed_dir`" in capsys.readouterr().err
    ingested_only = tmp_path / "ingested"
    ingested_only.mkdir()
    shutil.copy(FIXTURE / "corpus.parquet", ingested_only / "corpus.parquet")
    rc = cli_main(["report", "--processed", str(ingested_only), "--out", str(out), "--notebooks", "01,02"])
    assert rc == 2 and "run `analysis annotate" in capsys.readouterr().err
    assert not out.exists()


def test_failed_notebook_is_reported_and_exported(tmp_path, monkeypatch):
    # A notebook that raises: the report goes on, the HTML shows the error, the run is not ok.
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    src = nbformat.read(PROJ_ROOT / "notebooks" / "01-corpus-overview.ipynb", as_version=4)
    src.cells = src.cells[:2] + [nbformat.v4.new_code_cell("raise RuntimeError('synthetic failure')")]
    nbformat.write(src, nb_dir / "01-corpus-overview.ipynb")
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", nb_dir)
    result = report.run_report(FIXTURE, tmp_path / "rep", notebooks="01", progress=False)
    assert not result.ok
    assert "RuntimeError" in result.runs[0].error and "synthetic failure" in result.runs[0].error
    assert "synthetic failure" in result.runs[0].html.read_text()
    assert "failed: RuntimeError" in result.index.read_text()


@pytest.mark.slow
def test_run_ingests_annotates_and_reports(tmp_path, capsys):
    # the synthetic raw input of the fixture corpus, through the whole pipeline
    raw = PROJ_ROOT / "tests" / "fixtures" / "synthetic-news.jsonl"
    processed, out = tmp_path / "processed", tmp_path / "reports" / "synthetic"
    rc = cli_main(["run", str(raw), "--processed", str(processed), "--out", str(out), "--notebooks", "01",
                   "--model", "fr_core_news_sm", "-p", "granularity", "month"])
    assert rc == 0, capsys.readouterr().err
    assert f"report: {out / 'index.html'}" in capsys.readouterr().out
    assert (processed / "corpus.parquet").exists() and (processed / "tokens").is_dir()
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["corpus"]["documents"] == len(pd.read_parquet(FIXTURE / "corpus.parquet"))
    assert prov["corpus"]["annotation"]["model"] == "fr_core_news_sm"
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "index.html").stat().st_mode & 0o777 == 0o666 & ~mask  # shareable, not owner-only


# ------------------------------------------------------------------------------ notebook helpers
def _toy_corpus() -> Corpus:
    # synthetic: two documents, three sentences, entities with aliases
    docs = pd.DataFrame({
        "doc_id": ["a", "b"], "source": ["X", "X"], "section": [None, None], "title": ["A", "B"],
        "text": ["Bonne nouvelle. Terrible attaque.", "Attaque."],
        "date": pd.to_datetime(["2022-01-03", "2022-02-07"], utc=True),
    })
    sents = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0], "start_char": [0, 16, 0], "end_char": [15, 33, 8],
                          "compound": [0.0, 0.0, 0.0], "lemmas": ["", "", ""]})
    documents = pd.DataFrame({"doc_id": ["a", "b"], "n_tokens": [5, 2], "n_sentences": [2, 1], "tone": [0.0, 0.0],
                              "neg_share": [0.0, 0.0], "config": ["c", "c"]})
    ents = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "sent_id": [0, 1, 0, 0], "start_char": [0, 16, 0, 0], "end_char": [1, 17, 1, 1],
                         "text": ["Zelenski", "zelensky", "Zelenski", "Le Monde"], "label": ["PER", "PER", "PER", "ORG"],
                         "norm": ["Volodymyr Zelensky", "Volodymyr Zelensky", "Volodymyr Zelensky", "Le Monde"],
                         "origin": ["model", "model", "gazetteer", "model"]})
    return Corpus.from_frames(corpus=docs, sentences=sents, documents=documents, entities=ents, name="toy")


def test_rescore_tone_recomputes_documents(monkeypatch):
    from analysis.sentiment import backends

    class Fake:  # a synthetic backend: -1 when the sentence mentions an attack, +0.5 otherwise
        name, version = "fake", "1"

        def score(self, sentences):
            return pd.DataFrame({"compound": [-1.0 if "ttaque" in s else 0.5 for s in sentences]})

    backends.register_backend("fake-test", lambda _arg: Fake())
    c = report.rescore_tone(_toy_corpus(), "fake-test")
    assert c.sentences["compound"].tolist() == [0.5, -1.0, -1.0]
    docs = c.documents.set_index("doc_id")
    assert docs.loc["a", "tone"] == pytest.approx(-0.25) and docs.loc["b", "tone"] == pytest.approx(-1.0)
    assert docs.loc["a", "neg_share"] == pytest.approx(0.5) and docs.loc["b", "neg_share"] == pytest.approx(1.0)
    assert len(c.entities) == 4  # other tables unchanged


def test_without_entities_and_alias_table():
    c = _toy_corpus()
    kept = report.without_entities(c, ["le monde"])
    assert kept.entities["norm"].unique().tolist() == ["Volodymyr Zelensky"] and len(kept.corpus) == 2
    assert report.without_entities(c, []) is c
    aliases = report.alias_table(c)
    # every written form that is not the canonical name (case aside), per origin; 'Le Monde' is written as its norm
    assert aliases[["written", "origin", "mentions"]].values.tolist() == [["Zelenski", "gazetteer", 1], ["Zelenski", "model", 1], ["zelensky", "model", 1]]
    assert report.alias_table(c, labels=["ORG"]).empty


def test_change_point_table_on_a_step():
    periods = pd.date_range("2022-01-03", periods=8, freq="W-MON")
    trend = pd.DataFrame({"period": periods, "term": "guerre", "value": [1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 5.0]})
    t = report.change_point_table(trend, n_bkps=1)
    assert t["change_point"].tolist() == [periods[4]]
    assert t[["mean_before", "mean_after"]].values.tolist() == [[1.0, 5.0]]
    fig = report.small_multiples(pd.concat([trend, trend.assign(term="paix")]), change_points=1, events={"2022-01-20": "x"})
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["guerre", "paix"]


def test_count_periods_and_kwic_spread():
    c = _toy_corpus()
    assert report.count_periods(c, "month") == 2 and report.count_periods(c, "week") == 6
    assert report.count_periods(c.filter(start="2023-01-01"), "week") == 0
    lines = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=10, tz="UTC"), "source": "X",
                          "left": "l", "match": "m", "right": "r"})
    shown = report.kwic_table(lines, "m", n=4).data
    assert "4 of 10 occurrences" in shown
    assert [d in shown for d in ("2022-01-01", "2022-01-04", "2022-01-07", "2022-01-10")] == [True] * 4
    assert "2022-01-02" not in shown


def test_keyness_table_keeps_significant_terms_of_each_direction():
    from analysis.keyness import keyness

    key = keyness(pd.Series({"guerre": 300, "paix": 10, "vin": 50}), pd.Series({"guerre": 20, "paix": 200, "vin": 50}),
                  target_total=10_000, reference_total=10_000)
    html = report.keyness_table(key, n=5).to_html()
    assert "guerre" in html and "paix" in html and "vin" not in html  # vin: equal rates, not significant



# ------------------------------------------------------------------------------ notebook sections
# The decisions the report cells used to make inline (analysis.report.*_section); synthetic
# toy corpus of analysis_fixtures: 5 documents, 3 to 25 Feb 2022, sources Le Monde and Libération.
def _P(**kw):
    from analysis.params import validate

    base = dict(start="", end="", granularity="week", sources=[], events={"2022-02-24": "invasion"}, lang="fr",
                target_period="", reference_period="")
    return validate({**base, **kw})


@pytest.fixture(scope="module")
def toy():
    from analysis_fixtures import toy_corpus

    return toy_corpus()


ONE_WEEK = ("2022-02-21", "2022-02-27")  # d4 and d5 only: one week, one month, both sources


def test_volume_section_single_period_note_and_summary(toy):
    s = report.volume_section(toy, _P())
    assert s.note is None and s.figure is not None
    assert s.summary["articles"].to_dict() == {"Le Monde": 3, "Libération": 2}  # hand count of TOY_DOCS
    one = report.volume_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), _P())
    assert one.figure is None and "single week" in one.note and "time series" in one.note
    assert one.summary["articles"].sum() == 2 and "mean per week" in one.formats


def test_section_counts_language_counts_and_span(toy):
    t = report.section_counts(toy)
    assert t.loc["international", "total"] == 4 and t.loc["politique", "Libération"] == 1 and t.loc["total", "total"] == 5
    assert report.date_span(toy) == "5 documents from 2022-01-03 to 2022-02-25"
    assert report.date_span(toy.filter(start="2030-01-01")) == "no document"
    assert report.language_counts(toy)["documents"].sum() == 5
    assert isinstance(report.table_or_note(t.iloc[:0], "nothing"), type(report.note("x")))


def test_trend_section_branches(toy):
    s = report.trend_section(toy, _P(terms=["guerre"], term_groups={}, unit="lemma"))
    assert s.note is None and s.group is None and len(s.trends) == 1
    # 'guerre' occurs in d1, d3, d4: the trend counts them
    assert s.term["count"].sum() == 3
    one = report.trend_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), _P(terms=["guerre"], unit="lemma"))
    assert one.trends == [] and "single week" in one.note


def test_keyness_section_branches(toy):
    unset = report.keyness_section(toy, _P(events={}, target_period="", reference_period="", unit="lemma", min_count=1, extra_stopwords=[]))
    assert unset.table is None and "set `target_period`" in unset.note
    empty = report.keyness_section(toy.filter(start="2022-02-01"), _P(unit="lemma", min_count=1, extra_stopwords=[]))
    assert empty.table is None and "target period has 2 articles and the reference period 0" in empty.note
    key, note_ = report.keyness_section(toy, _P(unit="lemma", min_count=1, extra_stopwords=[]))
    assert note_ is None and key.attrs["target_docs"] == 2 and key.attrs["reference_docs"] == 3
    assert key.attrs["target"] == "2022-02-24 – 2022-02-25" and key.attrs["reference"] == "2022-01-03 – 2022-02-23"
    line = report.keyness_sides(key)
    assert line.startswith("target: 2022-02-24 – 2022-02-25 (2 articles, ") and "reference: 2022-01-03 – 2022-02-23 (3 articles, " in line
    assert f"{key['target_total'].iloc[0]:,} tokens" in line


def test_tone_sections_branches(toy):
    t = report.tone_section(toy, _P())
    assert t.note is None and "period" in t.tone.columns
    one = report.tone_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), _P())
    assert "period" not in one.tone.columns and one.note.endswith("Overall tone:")
    # d4: tones -1.0, 0.0; d5: 0.5, -0.5 -> document means -0.5 and 0.0, overall -0.25
    assert one.tone["mean"].iloc[0] == pytest.approx(-0.25)
    s = report.source_tone_section(toy, _P())
    assert s.note is None and len(s.by_source) == 2 and s.over_time is not None
    single = report.source_tone_section(toy.filter(sources=["Le Monde"]), _P())
    assert single.by_source is None and "single source" in single.note.lower()
    flat = report.source_tone_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), _P())
    assert flat.by_source is not None and flat.over_time is None


def test_entity_tone_section_branches(toy):
    none = report.entity_tone_section(toy.filter(end="2022-01-10"), _P(entities=[]))  # d1, d2: no person
    assert none.table is None and none.note == "No person entity in this selection."
    missing = report.entity_tone_section(toy, _P(entities=["Personne Inconnue"]))
    assert missing.table is not None and missing.found is None and missing.over_time is None and missing.note is None
    one_month = report.entity_tone_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), _P(entities=["Vladimir Poutine"]))
    assert one_month.found["entity"].tolist() == ["Vladimir Poutine"] and one_month.over_time is None
    assert "single month" in one_month.note
    # Poutine: "Poutine lance la guerre ..." (-1.0) and "Poutine menace l'Europe." (-0.5)
    assert one_month.found["mean"].iloc[0] == pytest.approx(-0.75) and one_month.found["n"].iloc[0] == 2


def test_entity_trend_and_network_sections(toy):
    P = _P(entities=[], entity_labels=["PER", "LOC"], min_cooccurrence=1, cooccurrence_scope="document")
    tr = report.entity_trend_section(toy, P)
    assert tr.note is None and tr.trend["entity"].nunique() == 5
    assert "No entity" in report.entity_trend_section(toy.filter(end="2022-01-04").filter(start="2022-01-05"), P).note
    assert "single week" in report.entity_trend_section(toy.filter(start=ONE_WEEK[0], end=ONE_WEEK[1]), P).note
    net = report.network_section(toy, P)
    assert net.note is None and net.graph.number_of_edges() == len(net.pairs) > 0
    none = report.network_section(toy, _P(entity_labels=["PER"], min_cooccurrence=99, cooccurrence_scope="sentence"))
    assert none.graph is None and none.pairs.empty and "99 times or more" in none.note
