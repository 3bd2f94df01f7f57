"""The annotation engine on a small synthetic corpus (fr_core_news_sm, in-process worker)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from annotate_corpus import SYNTHETIC_TEXTS, write_corpus

from analysis import annotate as engine
from analysis.annotate import annotate, annotate_texts, load_pipeline
from analysis.normalize import stopwords
from analysis.storage import read_table

MODEL = "fr_core_news_sm"
SENTIMENT = "vader-fr"  # pinned: these tests check the engine, not the default backend


def run(processed: Path, **kw):
    kw.setdefault("model", MODEL)
    kw.setdefault("sentiment", SENTIMENT)
    kw.setdefault("workers", 1)
    kw.setdefault("progress", False)
    return annotate(processed, **kw)


def tables(processed: Path) -> dict[str, pd.DataFrame]:
    return {name: read_table(processed, name) for name in ("tokens", "sentences", "entities", "documents")}


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    processed = tmp_path_factory.mktemp("processed")
    corpus = write_corpus(processed)
    summary = run(processed, chunk_size=5)
    return processed, corpus, summary, tables(processed)


def test_every_document_annotated_once(annotated):
    processed, corpus, summary, t = annotated
    assert summary["n_annotated"] == len(corpus) == summary["n_corpus"]
    assert summary["complete"]
    docs = t["documents"]
    assert sorted(docs.doc_id) == sorted(corpus.doc_id)
    assert not docs.doc_id.duplicated().any()
    # chunks of at most 5 documents -> several part files per table, same names in each table
    names = {table: sorted(p.name for p in (processed / table).glob("part-*.parquet")) for table in t}
    assert len(names["documents"]) >= 3
    assert names["tokens"] == names["sentences"] == names["entities"] == names["documents"]


def test_schemas_follow_the_contract(annotated):
    _, _, _, t = annotated
    expected = {
        "tokens": {"doc_id": "str", "form": "str", "lemma": "str", "pos": "str", "is_stop": "bool", "is_punct": "bool", "is_num": "bool", "count": "int32"},
        "sentences": {"doc_id": "str", "sent_id": "int32", "start_char": "int32", "end_char": "int32", "compound": "float32", "lemmas": "str"},
        "entities": {"doc_id": "str", "sent_id": "int32", "start_char": "int32", "end_char": "int32", "text": "str", "label": "str", "norm": "str", "origin": "str"},
        "documents": {"doc_id": "str", "n_tokens": "int32", "n_sentences": "int32", "tone": "float32", "neg_share": "float32", "config": "str"},
    }
    for name, cols in expected.items():
        df = t[name]
        for col, dtype in cols.items():
            assert col in df.columns, (name, col)
            assert str(df[col].dtype) == dtype, (name, col, df[col].dtype)
    # vader-fr adds neg/neu/pos: kept as extra sentence columns
    assert {"neg", "neu", "pos"} <= set(t["sentences"].columns)
    assert set(t["entities"].label) <= {"PER", "LOC", "ORG", "MISC"}
    assert set(t["entities"].origin) <= {"model", "gazetteer"}


def test_offsets_index_the_corpus_text(annotated):
    _, corpus, _, t = annotated
    text = dict(zip(corpus.doc_id, corpus.text))
    ents = t["entities"]
    assert len(ents) > 10
    for row in ents.itertuples():
        assert text[row.doc_id][row.start_char : row.end_char] == row.text
    sents = t["sentences"]
    for row in sents.itertuples():
        piece = text[row.doc_id][row.start_char : row.end_char]
        assert piece and piece == piece.strip()
    # sentences are in order, do not overlap, and every entity lies inside its sentence
    for doc_id, g in sents.groupby("doc_id"):
        assert list(g.sent_id) == list(range(len(g)))
        assert (g.start_char.to_numpy()[1:] >= g.end_char.to_numpy()[:-1]).all()
    merged = ents.merge(sents, on=["doc_id", "sent_id"], suffixes=("", "_s"))
    assert len(merged) == len(ents)
    assert ((merged.start_char >= merged.start_char_s) & (merged.end_char <= merged.end_char_s)).all()


def test_documents_agree_with_the_other_tables(annotated):
    _, corpus, _, t = annotated
    docs = t["documents"].set_index("doc_id")
    n_tok = t["tokens"].groupby("doc_id")["count"].sum()
    n_sent = t["sentences"].groupby("doc_id").size()
    for doc_id in docs.index:
        assert docs.at[doc_id, "n_tokens"] == n_tok.get(doc_id, 0)
        assert docs.at[doc_id, "n_sentences"] == n_sent.get(doc_id, 0)
    # tone and neg_share recomputed by hand from the sentence scores
    for doc_id, g in t["sentences"].groupby("doc_id"):
        c = g.compound.astype(float).tolist()
        assert docs.at[doc_id, "tone"] == pytest.approx(sum(c) / len(c), abs=1e-6)
        assert docs.at[doc_id, "neg_share"] == pytest.approx(sum(x <= -0.05 for x in c) / len(c), abs=1e-6)
    empty = corpus.loc[corpus.text == "", "doc_id"].item()
    assert docs.at[empty, "n_tokens"] == 0 and docs.at[empty, "n_sentences"] == 0
    assert np.isnan(docs.at[empty, "tone"]) and np.isnan(docs.at[empty, "neg_share"])
    assert docs.config.nunique() == 1


def test_tokens_normalised_compounds_and_flags(annotated):
    _, corpus, _, t = annotated
    tok = t["tokens"]
    first = corpus.loc[corpus.text == SYNTHETIC_TEXTS[0], "doc_id"].item()
    d = tok[tok.doc_id == first]
    assert "état-major" in set(d.form)  # hyphenated compound kept as one term
    assert not d.form.str.contains("’").any() and not tok.lemma.str.contains("’").any()
    assert "l'" in set(d.form) and d.loc[d.form == "l'", "lemma"].item() == "le"  # elision lemmatised
    assert (d.form == d.form.str.lower()).all() and (tok.lemma == tok.lemma.str.lower()).all()
    sw = stopwords()
    assert (tok.is_stop == (tok.form.isin(sw) | tok.lemma.isin(sw))).all()
    assert tok.loc[tok.form == ".", "is_punct"].all()
    assert tok.loc[tok.form == "12", "is_num"].all()
    third = corpus.loc[corpus.text == SYNTHETIC_TEXTS[2], "doc_id"].item()
    assert {"cessez-le-feu", "kharkiv-est"} <= set(tok.loc[tok.doc_id == third, "form"])
    # no (doc, form, lemma, pos) row twice
    assert not tok.duplicated(["doc_id", "form", "lemma", "pos"]).any()


def test_sentence_lemmas_match_token_counts(annotated):
    _, _, _, t = annotated
    # every lemma of a sentence's lemma string is counted in the tokens table of its document
    lemmas = t["sentences"].groupby("doc_id")["lemmas"].apply(lambda s: pd.Series(" ".join(s).split()).value_counts())
    counts = t["tokens"].groupby(["doc_id", "lemma"])["count"].sum()
    for (doc_id, lemma), n in lemmas.items():
        if " " not in lemma:
            assert counts[(doc_id, lemma)] == n


def test_aliases_and_gazetteer_on_synthetic(annotated):
    _, _, _, t = annotated
    ents = t["entities"]
    norms = set(zip(ents.norm, ents.label))
    for expected in [("Volodymyr Zelensky", "PER"), ("Vladimir Poutine", "PER"), ("Kyiv", "LOC"), ("Bakhmut", "LOC"),
                     ("Mariupol", "LOC"), ("Wagner", "ORG"), ("Institute for the Study of War", "ORG"), ("OTAN", "ORG")]:
        assert expected in norms, expected
    assert set(ents.loc[ents.text == "Kremlin", "label"]) == {"ORG"}
    assert "PER" not in set(ents.loc[ents.text.isin(["Bakhmout", "Bakhmut"]), "label"])
    # within-document surname rule: "Omelyan" alone -> "Volodymyr Omelyan" (not in the alias table)
    assert set(ents.loc[ents.text == "Omelyan", "norm"]) <= {"Volodymyr Omelyan"}


def test_rerun_with_nothing_new_is_a_fast_noop(annotated):
    processed, _, _, before = annotated
    t0 = time.perf_counter()
    summary = run(processed)
    assert summary["n_annotated"] == 0 and summary["complete"]
    assert time.perf_counter() - t0 < 5
    after = tables(processed)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
    state = json.loads((processed / "annotate-state.json").read_text())
    assert state["complete"] and state["config_hash"] == summary["config"]["hash"]


def test_incremental_only_new_documents(tmp_path):
    write_corpus(tmp_path, SYNTHETIC_TEXTS[:6])
    first = run(tmp_path)
    assert first["n_annotated"] == 6
    corpus = write_corpus(tmp_path, SYNTHETIC_TEXTS)
    second = run(tmp_path)
    assert second["n_done_before"] == 6 and second["n_annotated"] == len(SYNTHETIC_TEXTS) - 6
    docs = read_table(tmp_path, "documents")
    assert sorted(docs.doc_id) == sorted(corpus.doc_id)


def test_interrupted_run_completes_without_duplicates(tmp_path):
    corpus = write_corpus(tmp_path)
    part = run(tmp_path, limit=5, chunk_size=2)
    assert part["n_annotated"] == 5 and not part["complete"]
    # simulate a kill in the middle of the next chunk: tokens written, documents not yet,
    # plus the temporary file of an interrupted atomic write
    orphan = tmp_path / "tokens" / f"part-{part['config']['hash']}-deadbeefdeadbeef.parquet"
    pq.write_table(pq.read_table(next((tmp_path / "tokens").glob("part-*.parquet"))), orphan)
    (tmp_path / "sentences" / ".part-x.parquet.123.tmp").write_bytes(b"half")
    rest = run(tmp_path)
    assert rest["removed_partial_parts"] == 1
    assert rest["n_annotated"] == len(corpus) - 5 and rest["complete"]
    t = tables(tmp_path)
    assert sorted(t["documents"].doc_id) == sorted(corpus.doc_id)
    assert not t["documents"].doc_id.duplicated().any()
    assert not t["sentences"].duplicated(["doc_id", "sent_id"]).any()
    assert not t["tokens"].duplicated(["doc_id", "form", "lemma", "pos"]).any()
    assert not orphan.exists() and not list((tmp_path / "sentences").glob(".part-*"))


@pytest.mark.slow
def test_killed_subprocess_reruns_to_a_complete_result(tmp_path):
    texts = SYNTHETIC_TEXTS * 4  # 48 docs with distinct ids (distinct URLs)
    corpus = write_corpus(tmp_path, texts)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "analysis", "annotate", "--processed", str(tmp_path), "--model", MODEL,
           "--sentiment", SENTIMENT, "--workers", "1", "--chunk-size", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and len(list((tmp_path / "documents").glob("part-*.parquet"))) < 3:
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    n_parts = len(list((tmp_path / "documents").glob("part-*.parquet")))
    assert 3 <= n_parts < len(texts) / 2
    rerun = run(tmp_path)
    assert rerun["complete"] and rerun["n_done_before"] == 2 * n_parts
    docs = read_table(tmp_path, "documents")
    assert sorted(docs.doc_id) == sorted(corpus.doc_id)
    assert not docs.doc_id.duplicated().any()


def test_config_change_reannotates_and_removes_stale_parts(tmp_path):
    corpus = write_corpus(tmp_path, SYNTHETIC_TEXTS[:4])
    a = run(tmp_path)
    b = run(tmp_path, sentiment="textblob-fr")
    assert a["config"]["hash"] != b["config"]["hash"]
    assert b["removed_stale_parts"] >= 4 and b["n_annotated"] == 4
    docs = read_table(tmp_path, "documents")
    assert set(docs.config) == {b["config"]["hash"]} and len(docs) == len(corpus)


def test_changed_aliases_rewrite_norm_without_the_model(tmp_path, monkeypatch):
    write_corpus(tmp_path, SYNTHETIC_TEXTS[:3])
    run(tmp_path)
    before = read_table(tmp_path, "entities")
    user = tmp_path / "my-aliases.csv"
    user.write_text("canonical,alias,label\nKyiv (capitale),Kiev,LOC\nZelensky (président),Zelenski,\n", encoding="utf-8")

    def no_model(*a, **k):
        raise AssertionError("the model must not run when only the aliases changed")

    monkeypatch.setattr(engine, "annotate_chunk", no_model)
    summary = run(tmp_path, aliases=user)
    assert summary["n_annotated"] == 0 and summary["entity_parts_reresolved"] >= 1
    after = read_table(tmp_path, "entities")
    assert set(after.loc[after.text == "Kiev", "norm"]) == {"Kyiv (capitale)"}
    assert set(after.loc[after.text == "Zelenski", "norm"]) == {"Zelensky (président)"}
    unchanged = ~before.text.isin(["Kiev", "Zelenski"])
    pd.testing.assert_frame_equal(before[unchanged].reset_index(drop=True), after[unchanged].reset_index(drop=True))
    # running again without the user file goes back to the package table
    back = run(tmp_path)
    assert back["entity_parts_reresolved"] >= 1
    pd.testing.assert_frame_equal(before, read_table(tmp_path, "entities"))


def test_missing_corpus_names_the_file_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"corpus\.parquet.*analysis ingest"):
        run(tmp_path)


def test_cli_runs_and_reports(tmp_path, capsys):
    from analysis.cli import main

    write_corpus(tmp_path, SYNTHETIC_TEXTS[:3])
    argv = ["annotate", "--processed", str(tmp_path), "--model", MODEL, "--sentiment", SENTIMENT, "--workers", "1", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_annotated"] == 3 and out["complete"]
    assert main(argv[:-1]) == 0
    assert "annotated 0 new documents (3 already done" in capsys.readouterr().out
    assert main(["annotate", "--processed", str(tmp_path / "nowhere"), "--workers", "1"]) == 1
    assert "analysis ingest" in capsys.readouterr().err


def test_default_sentiment_backend_is_read_from_the_backends_module(tmp_path, monkeypatch):
    from analysis.sentiment import backends

    monkeypatch.setattr(backends, "DEFAULT_BACKEND", "textblob-fr")
    write_corpus(tmp_path, SYNTHETIC_TEXTS[:2])
    summary = annotate(tmp_path, model=MODEL, workers=1, progress=False)
    assert summary["config"]["sentiment"] == "textblob-fr"


def test_annotate_texts_in_memory():
    nlp = load_pipeline(MODEL)
    out = annotate_texts(["Les combats continuent à Bakhmout.", "", "Zelenski parle à Kiev."], nlp=nlp, sentiment=SENTIMENT)
    assert list(out["documents"].doc_id) == ["0", "1", "2"]
    ents = out["entities"]
    assert ("Bakhmut", "LOC") in set(zip(ents.norm, ents.label))
    assert set(ents.loc[ents.doc_id == "2", "norm"]) >= {"Volodymyr Zelensky", "Kyiv"}
    with pytest.raises(ValueError, match="lemmas"):
        annotate_texts(["x"], nlp=load_pipeline(MODEL, ner_only=True))


def test_fast_lemma_index_gives_the_same_lemmas(nlp_sm):
    """The frozenset lemma index is an optimisation only: identical lemmas to spaCy's own."""
    import spacy

    texts = SYNTHETIC_TEXTS + ["Les soldats ukrainiens repoussaient les assauts ; elles étaient parties, nous vaincrons."]
    stock = spacy.load(MODEL, exclude=["parser"])
    stock.enable_pipe("senter")
    ours = load_pipeline(MODEL, gazetteer=False)
    for text in texts:
        a = [(t.text, t.pos_, t.lemma_) for t in stock(text.replace("’", "'").replace("\u00a0", " "))]
        b = [(t.text, t.pos_, t.lemma_) for t in ours(text)]
        assert a == b
    assert isinstance(ours.get_pipe("lemmatizer").lookups.get_table("lemma_index")["noun"], frozenset)


@pytest.mark.slow
def test_local_worker_processes_give_the_same_tables(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_corpus(one)
    write_corpus(two)
    a = run(one, chunk_size=4)
    b = run(two, workers=2, chunk_size=4)
    assert b["mode"] == "2 local processes" and b["complete"]
    keys = {"tokens": ["doc_id", "form", "lemma", "pos"], "sentences": ["doc_id", "sent_id"],
            "entities": ["doc_id", "start_char", "end_char"], "documents": ["doc_id"]}
    for name, k in keys.items():
        pd.testing.assert_frame_equal(
            read_table(one, name).sort_values(k).reset_index(drop=True), read_table(two, name).sort_values(k).reset_index(drop=True)
        )


def test_blas_backend_does_not_change_outputs():
    """load_pipeline multiplies matrices with numpy/OpenBLAS instead of BLIS: same annotations."""
    import spacy

    ours = load_pipeline(MODEL, gazetteer=False)
    stock = spacy.load(MODEL, exclude=["parser"])  # thinc's default ops (BLIS)
    stock.enable_pipe("senter")
    stock.tokenizer = ours.tokenizer
    for text in SYNTHETIC_TEXTS:
        a, b = ours(text), stock(text)
        assert [(t.pos_, t.lemma_, t.is_sent_start) for t in a] == [(t.pos_, t.lemma_, t.is_sent_start) for t in b]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]


def test_user_aliases_apply_to_newly_annotated_chunks(tmp_path):
    write_corpus(tmp_path, SYNTHETIC_TEXTS[:3])
    user = tmp_path / "a.csv"
    user.write_text("canonical,alias,label\nKiev,Kyiv,LOC\nKiev,Kiev,LOC\n", encoding="utf-8")
    summary = run(tmp_path, aliases=user)
    assert summary["n_annotated"] == 3
    ents = read_table(tmp_path, "entities")
    assert set(ents.loc[ents.text == "Kiev", "norm"]) == {"Kiev"}
    assert json.loads((tmp_path / "annotate-state.json").read_text())["aliases_file"] == str(user.resolve())
