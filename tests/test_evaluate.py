"""Evaluation: gold loaders, sentiment and NER metrics, threshold choice, CLI commands, sampling.

Every file written here is small and synthetic (made up for the tests).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.evaluate import (
    _macro_f1_fast,
    _spans_from_tags,
    choose_thresholds,
    document_scores,
    load_ner_gold,
    load_sentiment_gold,
    ner_metrics,
    paired_bootstrap_macro_f1,
    predict_labels,
    read_hipe_tsv,
    sentiment_metrics,
)
from analysis.validation_corpus import draw_sample, join_by_url, stratified_split


# ---------------------------------------------------------------- sentiment metrics


def test_sentiment_metrics_hand_computed():
    gold = ["negative", "negative", "neutral", "positive", "positive", "neutral"]
    pred = ["negative", "neutral", "neutral", "positive", "negative", "positive"]
    m = sentiment_metrics(gold, pred)
    # negative: tp 1, fp 1, fn 1 -> P .5 R .5 ; neutral: tp 1, fp 1, fn 1 -> .5/.5 ; positive: tp 1 fp 1 fn 1
    assert m["accuracy"] == pytest.approx(3 / 6)
    for c in ("negative", "neutral", "positive"):
        assert m["per_class"][c]["precision"] == pytest.approx(0.5)
        assert m["per_class"][c]["recall"] == pytest.approx(0.5)
    assert m["macro_f1"] == pytest.approx(0.5)
    assert m["confusion"] == [[1, 1, 0], [0, 1, 1], [1, 0, 1]]


def test_fast_macro_f1_matches_sklearn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    classes = ["negative", "neutral", "positive"]
    y = rng.choice(classes, 200)
    p = rng.choice(classes, 200)
    assert _macro_f1_fast(y, p, classes) == pytest.approx(f1_score(y, p, average="macro"))


def test_thresholds_are_learned_on_dev_and_separate_classes():
    scores = np.array([-0.9, -0.6, -0.4, -0.1, 0.0, 0.1, 0.5, 0.8])
    labels = ["negative"] * 3 + ["neutral"] * 3 + ["positive"] * 2
    lo, hi = choose_thresholds(scores, labels)
    assert (predict_labels(scores, (lo, hi), ("negative", "neutral", "positive")) == np.array(labels)).all()
    cut = choose_thresholds(np.array([-0.5, -0.2, 0.3, 0.6]), ["negative", "negative", "positive", "positive"], classes=("negative", "positive"))
    assert -0.2 <= cut[0] < 0.3


# ---------------------------------------------------------------- sentiment loaders


def test_load_parallel_files(tmp_path):
    (tmp_path / "val_text.txt").write_text("c'est bien\nc'est nul\nun tweet", encoding="utf-8")  # no final newline
    (tmp_path / "val_labels.txt").write_text("2\n0\n1", encoding="utf-8")
    frame = load_sentiment_gold(tmp_path / "val_labels.txt")
    assert frame["label"].tolist() == ["positive", "negative", "neutral"]
    assert frame["text"].tolist()[2] == "un tweet"


def test_load_tab_file_is_binary(tmp_path, capsys):
    path = tmp_path / "dev.tsv"
    path.write_text("1\tsuper série\n0\tennuyeux\nbad line\n7\tinconnu\n", encoding="utf-8")
    frame = load_sentiment_gold(path)
    assert frame["label"].tolist() == ["positive", "negative"]
    err = capsys.readouterr().err
    assert "dev.tsv:3" in err and "unknown label" in err


def test_load_csv_by_url_joins_corpus(tmp_path, capsys):
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2022-03-01", "2022-04-01"], utc=True),
                           "title": ["t1", "t2"], "text": ["Texte un.", "Texte deux."],
                           "url": ["https://www.example.org/a.html", "https://example.org/b.html"]})
    path = tmp_path / "labels.csv"
    path.write_text("url,label,split\nhttp://example.org/a.html?utm_source=x,negative,dev\n"
                    "https://example.org/b.html,2,test\nhttps://example.org/missing.html,neutral,test\n", encoding="utf-8")
    frame = load_sentiment_gold(path, corpus=corpus)
    assert frame["text"].tolist() == ["Texte un.", "Texte deux."]
    assert frame["label"].tolist() == ["negative", "positive"]
    assert "missing.html" in capsys.readouterr().err
    with pytest.raises(ValueError, match="--corpus"):
        load_sentiment_gold(path)


def test_document_scores_mean_of_sentences():
    from analysis.sentiment.backends import get_backend

    backend = get_backend("war-fr")
    text = "Un accord a été signé. Des frappes ont fait dix morts."
    parts = backend.score(["Un accord a été signé.", "Des frappes ont fait dix morts."])["compound"].to_numpy()
    assert document_scores(backend, [text])[0] == pytest.approx(parts.mean(), abs=1e-6)


# ---------------------------------------------------------------- NER


def test_ner_metrics_hand_computed():
    gold = [[(0, 5, "PER"), (10, 14, "LOC"), (20, 25, "ORG")], [(0, 3, "LOC")]]
    pred = [[(0, 5, "PER"), (10, 14, "ORG"), (30, 33, "MISC")], [(0, 3, "LOC")]]
    m = ner_metrics(gold, pred)
    assert m["micro"]["tp"] == 2 and m["micro"]["fp"] == 2 and m["micro"]["fn"] == 2
    assert m["micro"]["f1"] == pytest.approx(0.5)
    assert m["per_type"]["LOC"]["precision"] == 1.0 and m["per_type"]["LOC"]["recall"] == 0.5
    assert m["per_type"]["ORG"]["precision"] == 0.0
    assert m["micro_plo"]["fp"] == 1  # the MISC prediction is left out


def test_iob1_and_iob2_decoding():
    iob2 = [(0, 1, "B-PER"), (2, 3, "I-PER"), (4, 5, "B-PER"), (6, 7, "O"), (8, 9, "B-LOC")]
    iob1 = [(0, 1, "I-PER"), (2, 3, "I-PER"), (4, 5, "B-PER"), (6, 7, "O"), (8, 9, "I-LOC")]
    expected = [(0, 3, "PER"), (4, 5, "PER"), (8, 9, "LOC")]
    assert [tuple(s) for s in _spans_from_tags(iob2)] == expected
    assert [tuple(s) for s in _spans_from_tags(iob1)] == expected


HIPE = """TOKEN\tNE-COARSE-LIT\tNE-COARSE-METO\tNE-FINE-LIT\tNE-FINE-METO\tNE-FINE-COMP\tNE-NESTED\tNEL-LIT\tNEL-METO\tMISC
# hipe2022:document_id = synth_1
# hipe2022:date = 1923-01-15
M\tB-pers\t_\t_\t_\t_\t_\t_\t_\tNoSpaceAfter
.\tI-pers\t_\t_\t_\t_\t_\t_\t_\t_
Dupont\tI-pers\t_\t_\t_\t_\t_\t_\t_\t_
à\tO\t_\t_\t_\t_\t_\t_\t_\t_
Paris\tB-loc\t_\t_\t_\t_\t_\t_\t_\tNoSpaceAfter
,\tO\t_\t_\t_\t_\t_\t_\t_\t_
1923\tB-time\t_\t_\t_\t_\t_\t_\t_\tNoSpaceAfter|EndOfSentence
.\tO\t_\t_\t_\t_\t_\t_\t_\t_
# hipe2022:document_id = synth_2
Le\tB-prod\t_\t_\t_\t_\t_\t_\t_\t_
Temps\tI-prod\t_\t_\t_\t_\t_\t_\t_\t_
"""


def test_read_hipe(tmp_path):
    path = tmp_path / "synthetic-hipe.tsv"
    path.write_text(HIPE, encoding="utf-8")
    docs = read_hipe_tsv(path)
    assert [d.doc_id for d in docs] == ["synth_1", "synth_2"]
    assert docs[0].text == "M. Dupont à Paris, 1923."
    assert [(docs[0].text[s:e], t) for s, e, t in docs[0].spans] == [("M. Dupont", "PER"), ("Paris", "LOC")]  # time dropped
    assert [(docs[1].text[s:e], t) for s, e, t in docs[1].spans] == [("Le Temps", "MISC")]
    assert load_ner_gold(path)[0].text == docs[0].text


def test_read_conll(tmp_path):
    path = tmp_path / "synthetic.conll"
    path.write_text("-DOCSTART- O\n\nEmmanuel B-PER\nMacron I-PER\nà O\nKiev B-LOC\n\nOTAN I-ORG\n", encoding="utf-8")
    docs = load_ner_gold(path)
    assert [(docs[0].text[s:e], t) for s, e, t in docs[0].spans] == [("Emmanuel Macron", "PER"), ("Kiev", "LOC"), ("OTAN", "ORG")]


def test_read_jsonl_by_url_reanchors(tmp_path, capsys):
    corpus = pd.DataFrame({"url": ["https://example.org/a"], "text": ["  Volodymyr Zelensky à Kiev."], "doc_id": ["a"]})
    path = tmp_path / "synthetic.jsonl"
    path.write_text(json.dumps({"url": "https://example.org/a", "entities": [[0, 18, "PER", "Volodymyr Zelensky"], [21, 25, "LOC", "Kiev"], [0, 3, "ORG", "ONU"]]}) + "\n"
                    + json.dumps({"text": "Paris", "entities": [[0, 5, "LOC"], [3, 9, "LOC"]]}) + "\n{bad\n", encoding="utf-8")
    docs = load_ner_gold(path, corpus=corpus)
    assert [(docs[0].text[s:e], t) for s, e, t in docs[0].spans] == [("Volodymyr Zelensky", "PER"), ("Kiev", "LOC")]
    assert docs[1].spans == [(0, 5, "LOC")]
    err = capsys.readouterr().err
    assert "ONU" in err and "out of the text's range" in err and "invalid JSON" in err


# ---------------------------------------------------------------- sampling


def _corpus(n=120):
    rng = np.random.default_rng(1)
    dates = pd.to_datetime("2022-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "date": dates, "source": ["A", "B", "C"] * (n // 3),
                         "url": [f"https://example.org/{i}" for i in range(n)],
                         "title": ["guerre" if i % 4 == 0 else "autre" for i in range(n)],
                         "text": [f"Phrase un {i}. Phrase deux." for i in range(n)]})


def test_draw_sample_seeded_and_stratified():
    corpus = _corpus()
    a = draw_sample(corpus, n=30, stratify="month", seed=7)
    b = draw_sample(corpus, n=30, stratify="month", seed=7)
    assert a.equals(b) and len(a) == 30 and a["doc_id"].is_unique
    months = corpus["date"].dt.strftime("%Y-%m")
    expected = months.value_counts() / len(corpus) * 30
    got = a["date"].dt.strftime("%Y-%m").value_counts()
    assert ((got.reindex(expected.index, fill_value=0) - expected).abs() < 1).all()
    assert set(a.columns) == {"doc_id", "date", "source", "url", "text", "label"} and (a["label"] == "").all()
    assert not a.equals(draw_sample(corpus, n=30, stratify="month", seed=8))
    matched = draw_sample(corpus, n=40, stratify="source", seed=7, match="guerre", match_share=0.75)
    assert corpus.set_index("doc_id").loc[matched["doc_id"], "title"].eq("guerre").sum() == 30
    sentences = draw_sample(corpus, n=10, stratify=None, unit="sentence", seed=7)
    assert "sent_id" in sentences.columns and sentences["text"].str.startswith("Phrase").all()


def test_draw_sample_excludes_labelled_urls():
    corpus = _corpus()
    first = draw_sample(corpus, n=30, stratify="month", seed=7)
    # the excluded URLs are written differently (trailing slash, upper-case host): normalised
    excluded = [u.replace("example.org", "EXAMPLE.org") + "/" for u in first["url"]]
    second = draw_sample(corpus, n=60, stratify="month", seed=7, exclude_urls=excluded)
    assert len(second) == 60 and not set(second["doc_id"]) & set(first["doc_id"])
    # everything left is drawn when n exceeds what remains
    rest = draw_sample(corpus, n=500, stratify="month", seed=7, exclude_urls=first["url"])
    assert len(rest) == len(corpus) - 30


def test_stratified_split_balances_each_stratum():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"label": rng.choice(["negative", "neutral", "positive"], 101), "draw": rng.choice(["a", "b"], 101)})
    split = stratified_split(frame, by=("draw", "label"), seed=5)
    assert set(split) == {"dev", "test"} and split.index.equals(frame.index)
    table = pd.crosstab([frame["draw"], frame["label"]], split)
    assert ((table["dev"] - table["test"]).abs() <= 1).all()
    assert abs(int((split == "dev").sum()) - int((split == "test").sum())) <= 1
    assert split.equals(stratified_split(frame, by=("draw", "label"), seed=5))
    assert not split.equals(stratified_split(frame, by=("draw", "label"), seed=6))


def test_paired_bootstrap_difference_and_interval():
    y = np.array(["negative"] * 10 + ["neutral"] * 10 + ["positive"] * 10)
    worse = y.copy()
    worse[[0, 1, 10, 11, 20, 21]] = ["neutral", "positive", "negative", "positive", "negative", "neutral"]
    r = paired_bootstrap_macro_f1(y, worse, y, n_boot=300, seed=1)
    # hand: every class has tp 8, fp 2, fn 2 -> F1 0.8 for "worse"; 1.0 for the perfect one
    assert r["diff"] == pytest.approx(0.2)
    assert 0 < r["ci_low"] <= 0.2 <= r["ci_high"] and r["p_not_better"] == 0.0
    swapped = paired_bootstrap_macro_f1(y, y, worse, n_boot=300, seed=1)
    assert swapped["ci_low"] == pytest.approx(-r["ci_high"]) and swapped["p_not_better"] == 1.0
    with pytest.raises(ValueError, match="equal lengths"):
        paired_bootstrap_macro_f1(y, y[:5], y)


def test_join_by_url_reports_missing(capsys):
    corpus = _corpus(6)
    labels = pd.DataFrame({"url": ["https://example.org/1", "https://example.org/99"], "label": ["neutral", "negative"]})
    joined = join_by_url(labels, corpus)
    assert joined["doc_id"].tolist() == ["d1"]
    assert "example.org/99" in capsys.readouterr().err


# ---------------------------------------------------------------- commands


@pytest.fixture()
def synthetic_gold(tmp_path):
    lex = tmp_path / "synthetic-lexicon.tsv"
    lex.write_text("bon\t2\nsuper\t3\nnul\t-3\nmauvais\t-2\n", encoding="utf-8")
    rows = [("c'est bon", "positive"), ("super", "positive"), ("nul", "negative"), ("mauvais", "negative"),
            ("une table", "neutral"), ("un mardi", "neutral")] * 5
    gold = tmp_path / "synthetic-gold.csv"
    pd.DataFrame({"text": [r[0] for r in rows], "label": [r[1] for r in rows],
                  "split": ["dev", "test"] * 15}).to_csv(gold, index=False)
    return lex, gold


def test_cli_evaluate_sentiment_json(synthetic_gold, capsys):
    lex, gold = synthetic_gold
    assert main(["evaluate", "sentiment", str(gold), "--backend", f"lexicon:{lex}", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert result["n"] == 15 and result["split"] == "test"
    assert result["thresholds_origin"].startswith("chosen on dev (15")
    assert result["macro_f1"] == pytest.approx(1.0)


def test_cli_sentiment_train_and_use(synthetic_gold, tmp_path, capsys):
    _, gold = synthetic_gold
    model = tmp_path / "m.joblib"
    assert main(["sentiment", "train", str(gold), "--out", str(model), "--folds", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 30 and report["folds"] == 3
    assert main(["evaluate", "sentiment", str(gold), "--backend", f"sklearn:{model}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["accuracy"] > 0.5


def test_cli_sample(tmp_path, capsys):
    corpus = tmp_path / "corpus.parquet"
    _corpus().to_parquet(corpus)
    out = tmp_path / "sample.csv"
    assert main(["sample", "--corpus", str(corpus), "--n", "12", "--stratify", "source", "--out", str(out)]) == 0
    sample = pd.read_csv(out)
    assert len(sample) == 12 and sample["source"].value_counts().tolist() == [4, 4, 4]
    out2 = tmp_path / "sample2.csv"
    assert main(["sample", "--corpus", str(corpus), "--n", "12", "--exclude", str(out), "--out", str(out2)]) == 0
    assert not set(pd.read_csv(out2)["url"]) & set(sample["url"])
    bad = tmp_path / "no-url.csv"
    bad.write_text("label\nneutral\n", encoding="utf-8")
    assert main(["sample", "--corpus", str(corpus), "--n", "3", "--exclude", str(bad), "--out", str(out2)]) == 2
    err = capsys.readouterr().err
    assert "no-url.csv" in err and "no 'url' column" in err


def test_cli_evaluate_bootstrap(synthetic_gold, tmp_path, capsys):
    lex, gold = synthetic_gold
    weak = tmp_path / "synthetic-weak.tsv"
    weak.write_text("bon\t2\nnul\t-3\n", encoding="utf-8")  # misses "super" and "mauvais"
    assert main(["evaluate", "sentiment", str(gold), "--backend", f"lexicon:{weak}", "--backend", f"lexicon:{lex}",
                 "--bootstrap", "200", "--json"]) == 0
    first, second = json.loads(capsys.readouterr().out)
    assert "predictions" not in first and "bootstrap_vs_first" not in first
    boot = second["bootstrap_vs_first"]
    assert boot["diff"] == pytest.approx(second["macro_f1"] - first["macro_f1"]) and boot["diff"] > 0
    assert boot["ci_low"] <= boot["diff"] <= boot["ci_high"] and boot["versus"] == f"lexicon:{weak}"


def test_cli_evaluate_errors_are_clear(tmp_path, capsys):
    assert main(["evaluate", "sentiment", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err


# ---------------------------------------------------------------- text-drift guard (text_sha1)


def _sha12(text):  # independent reference: hashlib directly, not analysis.validation_corpus.text_sha1
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@pytest.fixture()
def drift_corpus(tmp_path):
    """A tiny synthetic corpus: lead 'a' is as labelled, lead 'b' was rewritten after labelling."""
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2022-03-01", "2022-03-02"], utc=True),
                           "title": ["t1", "t2"], "url": ["https://example.org/a", "https://example.org/b"],
                           "text": ["Des frappes ont fait douze morts.", "L'ambassadrice a rétorqué que le dispositif menace la paix."]})
    path = tmp_path / "corpus.parquet"
    corpus.to_parquet(path)
    labels = tmp_path / "synthetic-drift-labels.csv"
    pd.DataFrame({"url": ["https://example.org/a", "https://example.org/b", "https://example.org/a"],
                  "label": ["negative", "neutral", "negative"],
                  "split": ["test", "test", "dev"],
                  # b: hash of the version read by the annotator; the last row has no hash (not checked)
                  "text_sha1": [_sha12("Des frappes ont fait douze morts."), _sha12("Joe Biden se dit prêt à discuter."), ""]}
                 ).to_csv(labels, index=False)
    return corpus, path, labels


def test_text_sha1_is_first_12_hex_digits_of_utf8_sha1():
    from analysis.validation_corpus import text_sha1

    assert text_sha1("« menace » à Kiev") == _sha12("« menace » à Kiev") and len(text_sha1("x")) == 12
    assert text_sha1("a") == "86f7e437faa5"  # SHA-1("a") = 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8


def test_join_by_url_flags_changed_text_and_keeps_it(drift_corpus, capsys):
    corpus, _, labels = drift_corpus
    joined = join_by_url(pd.read_csv(labels, dtype=str, keep_default_na=False), corpus, source="synthetic.csv")
    assert joined["doc_id"].tolist() == ["a", "b", "a"]
    assert joined["text_changed"].tolist() == [False, True, False]  # match, mismatch, no hash
    err = capsys.readouterr().err
    assert "text changed since labelling: label may not apply: https://example.org/b" in err
    assert "example.org/a " not in err and "1 of 3 labelled text(s) changed" in err
    dropped = join_by_url(pd.read_csv(labels, dtype=str, keep_default_na=False), corpus, drop_changed=True)
    assert dropped["doc_id"].tolist() == ["a", "a"] and dropped.attrs["text_changed_dropped"] == 1
    # labels without the column: no check, no new column
    plain = join_by_url(pd.DataFrame({"url": ["https://example.org/b"], "label": ["neutral"]}), corpus)
    assert "text_changed" not in plain.columns


def test_cli_evaluate_counts_and_drops_changed_texts(drift_corpus, tmp_path, capsys):
    _, corpus_path, labels = drift_corpus
    lex = tmp_path / "synthetic-lexicon.tsv"
    lex.write_text("frappe*\t-2\nmenace\t-2\n", encoding="utf-8")
    args = ["evaluate", "sentiment", str(labels), "--corpus", str(corpus_path), "--backend", f"lexicon:{lex}", "--json"]
    assert main(args) == 0
    out = capsys.readouterr()
    kept = json.loads(out.out)[0]
    assert kept["n"] == 2 and kept["text_changed"] == 1 and kept["dev_text_changed"] == 0 and kept["text_changed_dropped"] == 0
    assert "text changed since labelling" in out.err and "example.org/b" in out.err
    assert main(args + ["--drop-changed"]) == 0
    dropped = json.loads(capsys.readouterr().out)[0]
    assert dropped["n"] == 1 and dropped["text_changed"] == 0 and dropped["text_changed_dropped"] == 1
    # the text report says it too
    assert main(args[:-1]) == 0
    assert "texts changed since labelling (kept): 1 reported row(s), 0 dev row(s)" in capsys.readouterr().out


def test_ner_jsonl_text_sha1_guard(drift_corpus, tmp_path, capsys):
    corpus, _, _ = drift_corpus
    path = tmp_path / "synthetic-drift.jsonl"
    path.write_text(json.dumps({"url": "https://example.org/a", "text_sha1": _sha12("Des frappes ont fait douze morts."), "entities": []}) + "\n"
                    + json.dumps({"url": "https://example.org/b", "text_sha1": _sha12("Joe Biden se dit prêt."), "entities": []}) + "\n",
                    encoding="utf-8")
    docs = load_ner_gold(path, corpus=corpus)
    assert [d.text_changed for d in docs] == [False, True]
    assert "text changed since labelling: label may not apply: https://example.org/b" in capsys.readouterr().err
    assert [d.doc_id for d in load_ner_gold(path, corpus=corpus, drop_changed=True)] == ["https://example.org/a"]
