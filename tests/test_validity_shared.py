"""Validity on the shared gold sets and the project's Le Monde validation labels.

Needs ANALYSIS_TEST_DATA (the shared data); skipped with the reason otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.config import PROJ_ROOT

pytestmark = [pytest.mark.shared, pytest.mark.slow]

TONE = PROJ_ROOT / "data" / "validation" / "lemonde-tone.csv"
ENTITIES = PROJ_ROOT / "data" / "validation" / "lemonde-entities.jsonl"


@pytest.fixture(scope="module")
def lemonde_corpus(lemonde_rss: Path):
    from analysis.validation_corpus import load_corpus

    return load_corpus(lemonde_rss)


@pytest.fixture(scope="module")
def tone_gold(lemonde_corpus):
    from analysis.evaluate import load_sentiment_gold

    return load_sentiment_gold(TONE, corpus=lemonde_corpus)


def test_tone_labels_all_join_and_are_balanced_by_split(tone_gold):
    assert len(tone_gold) == 500  # every labelled URL is in the corpus
    assert tone_gold["url"].is_unique
    counts = tone_gold.groupby(["draw", "split", "label"]).size().unstack(["split"]).fillna(0)
    assert (counts["dev"] - counts["test"]).abs().max() <= 1  # split stratified by draw and label
    # the first 200 labels and their split are those of the first release (dev 46/43/11, test 47/43/10)
    first = tone_gold[tone_gold["draw"] == "1-war"].groupby(["split", "label"]).size()
    assert first.loc["dev"].tolist() == [46, 43, 11] and first.loc["test"].tolist() == [47, 43, 10]


def test_tone_labels_were_made_on_the_texts_the_corpus_holds(tone_gold):
    import hashlib

    # every label carries the fingerprint of the lead it labels, and the ingested corpus holds
    # that very text (hash recomputed here with hashlib, independently of text_sha1())
    assert tone_gold["text_sha1"].str.fullmatch(r"[0-9a-f]{12}").all()
    recomputed = tone_gold["text"].map(lambda t: hashlib.sha1(t.encode("utf-8")).hexdigest()[:12])
    assert (recomputed == tone_gold["text_sha1"]).all() and not tone_gold["text_changed"].any()
    # the lead rewritten between snapshots was relabelled on the text in the corpus (docs/validity.md)
    row = tone_gold[tone_gold["url"].str.contains("6111669_3210")]
    assert row["label"].tolist() == ["negative"] and row["text"].iloc[0].startswith("L’ambassadrice américaine")


@pytest.fixture(scope="module")
def lemonde_results(tone_gold):
    from analysis.evaluate import evaluate_sentiment

    dev, test = tone_gold[tone_gold["split"] == "dev"], tone_gold[tone_gold["split"] == "test"].reset_index(drop=True)
    assert len(dev) == 250 and len(test) == 250
    return {
        "labels": test["label"].tolist(),
        "war": evaluate_sentiment("war-fr", test, dev=dev),
        "vader": evaluate_sentiment("vader-fr", test, dev=dev),
        "vader_default": evaluate_sentiment("vader-fr", test, thresholds=(-0.05, 0.05)),
    }


def test_war_fr_beats_vader_on_heldout_lemonde(lemonde_results):
    war, vader, vader_default = lemonde_results["war"], lemonde_results["vader"], lemonde_results["vader_default"]
    # measured on the 250 test leads: war-fr 0.524, vader-fr 0.438 (dev thresholds), 0.414 (+-0.05)
    assert war["macro_f1"] > vader["macro_f1"] + 0.08
    assert war["macro_f1"] > vader_default["macro_f1"] + 0.10
    assert war["thresholds_origin"].startswith("chosen on dev (250")
    for c in ("negative", "neutral", "positive"):  # better on every class, not only on average
        assert war["per_class"][c]["f1"] > vader["per_class"][c]["f1"]
    assert war["per_class"]["neutral"]["recall"] > 0.4  # the neutral class exists


def test_war_fr_margin_is_not_sampling_noise(lemonde_results):
    from analysis.evaluate import paired_bootstrap_macro_f1

    boot = paired_bootstrap_macro_f1(lemonde_results["labels"], lemonde_results["vader"]["predictions"],
                                     lemonde_results["war"]["predictions"], n_boot=2000, seed=20220224)
    # measured: +0.086, 95% CI [+0.018, +0.155]
    assert boot["ci_low"] > 0.0
    assert boot["p_not_better"] < 0.025


def test_war_fr_not_worse_than_vader_on_deft(shared_data):
    from analysis.evaluate import evaluate_sentiment, load_sentiment_gold

    base = shared_data / "gold" / "sentiment" / "deft2017-fr-tweets"
    test, dev = load_sentiment_gold(base / "val_text.txt"), load_sentiment_gold(base / "train_text.txt")
    assert len(test) == 324 and len(dev) == 1839
    war = evaluate_sentiment("war-fr", test, dev=dev)
    vader = evaluate_sentiment("vader-fr", test, dev=dev)
    # measured: war-fr 0.585, vader-fr 0.536
    assert war["macro_f1"] >= vader["macro_f1"]


def test_hipe_reader_on_real_file(shared_data):
    from analysis.evaluate import read_hipe_tsv

    path = shared_data / "gold" / "ner" / "hipe2022-fr" / "HIPE-2022-v2.1-newseye-dev-fr.tsv"
    docs = read_hipe_tsv(path)
    assert len(docs) == 35
    # B- tags in the file: 293 PER, 335 LOC, 113 ORG, 11 HumanProd (counted with awk)
    labels = [s[2] for d in docs for s in d.spans]
    assert (labels.count("PER"), labels.count("LOC"), labels.count("ORG"), labels.count("MISC")) == (293, 335, 113, 11)
    assert all(d.text[s:e].strip() == d.text[s:e] and e > s for d in docs for s, e, _ in d.spans)


def test_lemonde_entity_gold_anchors(lemonde_corpus, capsys):
    from analysis.evaluate import load_ner_gold

    docs = load_ner_gold(ENTITIES, corpus=lemonde_corpus)
    assert len(docs) == 60 and sum(len(d.spans) for d in docs) == 120
    err = capsys.readouterr().err
    assert "skipped" not in err and "text changed" not in err
    assert not any(d.text_changed for d in docs)  # all 60 text_sha1 match the ingested leads
