"""Tone backends: the rule-based scorer's rules, the war-fr model, sklearn and transformers backends.

All texts here are short synthetic sentences written for the tests.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.sentiment.backends import DEFAULT_BACKEND, get_backend, list_backends
from analysis.sentiment.lexicon import (
    ALPHA,
    BOOST,
    CONTRAST_AFTER,
    CONTRAST_BEFORE,
    NEGATION_SCALAR,
    LexiconBackend,
    LexiconScorer,
    read_lexicon,
    split_sentences,
    tokenize,
)

LEX = {"bon": 2.0, "guerre": -3.0, "forces armées": 0.0, "forces": -0.8, "bombard*": -2.5, "espoir": 2.0}


def vader_norm(s: float) -> float:
    return s / math.sqrt(s * s + ALPHA)


@pytest.fixture(scope="module")
def scorer() -> LexiconScorer:
    return LexiconScorer(LEX)


def test_tokenize_elision_and_compounds():
    assert tokenize("L’armée d'Ukraine, cessez-le-feu.") == ["l'", "armée", "d'", "ukraine", ",", "cessez-le-feu", "."]
    assert "aujourd'hui" in tokenize("Aujourd’hui")


def test_split_sentences_keeps_abbreviations():
    assert split_sentences("M. Zelensky parle. « Nous tiendrons » ! Fin.") == ["M. Zelensky parle.", "« Nous tiendrons » !", "Fin."]
    assert split_sentences("") == []


def test_plain_score_is_vader_normalised(scorer):
    assert scorer.score_one("C'est bon.")["compound"] == pytest.approx(vader_norm(2.0))
    assert scorer.score_one("La guerre et l'espoir")["compound"] == pytest.approx(vader_norm(-1.0))
    assert scorer.score_one("Rien à signaler")["compound"] == 0.0


@pytest.mark.parametrize("text", ["Ce n'est pas bon.", "Il ne sera jamais bon.", "Ce n'est plus bon.", "sans espoir", "pas bon"])
def test_negation_flips(scorer, text):
    value = scorer.score_one(text)
    assert value["compound"] < 0
    # exactly one lexicon word, damped by VADER's negation constant
    assert value["neg"] == pytest.approx(NEGATION_SCALAR * (2.0 if "bon" in text else 2.0))


def test_negated_negative_is_damped_not_flipped(scorer):
    # "sans guerre": the negative word keeps its sign, at half VADER's negation weight
    assert scorer.score_one("sans guerre")["neg"] == pytest.approx(-3.0 * -NEGATION_SCALAR * 0.5)
    flip = LexiconScorer(LEX, negated_negative="flip")
    assert flip.score_one("sans guerre")["pos"] == pytest.approx(-3.0 * NEGATION_SCALAR)


@pytest.mark.parametrize("text", ["Aucun des deux n'a été bon.", "Personne n'est bon.", "Rien n'est bon."])
def test_negative_subject_makes_ne_negative(scorer, text):
    assert scorer.score_one(text)["neg"] == pytest.approx(NEGATION_SCALAR * 2.0)


def test_ne_without_particle_or_subject_is_not_negation(scorer):
    # "ne" alone (explétif, "avant qu'il ne soit") does not negate
    assert scorer.score_one("avant qu'il ne soit bon")["pos"] == pytest.approx(2.0)


@pytest.mark.parametrize("text", ["Il refuse de rendre l'espoir.", "faute d'espoir", "le manque d'espoir", "Ils renoncent à l'espoir."])
def test_refusal_and_lack_negate_what_follows(scorer, text):
    value = scorer.score_one(text)
    assert value["pos"] == 0.0 and value["neg"] == pytest.approx(NEGATION_SCALAR * 2.0)


def test_en_depit_de_is_concessive(scorer):
    value = scorer.score_one("En dépit de la guerre, c'est bon")
    assert value["neg"] == pytest.approx(-3.0 * 0.5) and value["pos"] == pytest.approx(2.0)


def test_titlecase_words_inside_a_sentence_are_names(scorer):
    # "Bon" inside the sentence names something (a place, a work): skipped; at the start it counts
    assert scorer.score_one("Ils vivent à Bon Repos.")["n_hits"] == 0
    assert scorer.score_one("Bon, la guerre continue.")["pos"] == pytest.approx(2.0)
    assert scorer.score_one("« Bon » dit-il")["pos"] == pytest.approx(2.0)  # quote-initial
    assert scorer.score_one("C'est BON")["pos"] == pytest.approx(2.0)  # capitals: emphasis, not a name
    assert LexiconScorer(LEX, names="score").score_one("Ils vivent à Bon Repos.")["pos"] == pytest.approx(2.0)


def test_tokenize_keep_case_is_aligned_with_lower_case():
    text = "L’Armée populaire de Libération n’a pas reculé à Kharkiv-Est."
    raw = tokenize(text, keep_case=True)
    assert [t.lower() for t in raw] == tokenize(text)
    assert raw[:3] == ["l'", "Armée", "populaire"]


def test_plus_alone_is_not_a_negator(scorer):
    # vader-fr treats "plus" as a negator; here "plus de guerre" stays negative
    assert scorer.score_one("Il y a plus de guerre.")["compound"] == pytest.approx(vader_norm(-3.0))
    assert scorer.score_one("De plus, c'est bon.")["compound"] == pytest.approx(vader_norm(2.0))


def test_negation_does_not_cross_clause(scorer):
    assert scorer.score_one("Il ne vient pas, bon.")["compound"] == pytest.approx(vader_norm(2.0))


def test_intensifier_and_dampener(scorer):
    assert scorer.score_one("très bon")["pos"] == pytest.approx(2.0 + BOOST)
    assert scorer.score_one("peu bon")["pos"] == pytest.approx(2.0 - BOOST)


def test_contrast_weights_the_clause_after(scorer):
    value = scorer.score_one("C'est bon, mais la guerre")
    assert value["pos"] == pytest.approx(2.0 * CONTRAST_BEFORE)
    assert value["neg"] == pytest.approx(-3.0 * CONTRAST_AFTER)
    assert value["compound"] == pytest.approx(vader_norm(1.0 - 4.5))


def test_phrase_beats_word_and_prefix_matches(scorer):
    assert scorer.score_one("Les forces armées avancent")["compound"] == 0.0
    assert scorer.score_one("Les forces avancent")["compound"] < 0
    assert scorer.score_one("Les bombardements continuent")["neg"] == pytest.approx(-2.5)


def test_read_lexicon_reports_bad_lines(tmp_path, capsys):
    path = tmp_path / "synthetic.tsv"
    path.write_text("# comment\nbon\t2\nmauvais\tx\nseul\n cessez-le-feu \t1.5\n", encoding="utf-8")
    lex = read_lexicon(path)
    assert lex == {"bon": 2.0, "cessez-le-feu": 1.5}
    err = capsys.readouterr().err
    assert ":3:" in err and ":4:" in err


def test_lexicon_backend_spec(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("bon\t2\nguerre\t-3\n", encoding="utf-8")
    b.write_text("guerre\t0\n", encoding="utf-8")
    backend = get_backend(f"lexicon:{a}+{b}")
    frame = backend.score(["la guerre", "bon"])
    assert frame["compound"].tolist()[0] == 0.0 and frame["compound"].iloc[1] > 0
    assert backend.version.startswith("lexicon-sha1:")
    with pytest.raises(FileNotFoundError, match="missing.tsv"):
        LexiconBackend(str(tmp_path / "missing.tsv"))


def test_registry_and_default():
    names = list_backends()
    for name in ("vader-fr", "textblob-fr", "war-fr", "lexicon:", "sklearn:", "transformers:"):
        assert name in names
    assert DEFAULT_BACKEND == "war-fr"
    with pytest.raises(ValueError, match="unknown sentiment backend"):
        get_backend("nope")


@pytest.mark.parametrize("spec", ["vader-fr", "textblob-fr", "war-fr"])
def test_backend_interface(spec):
    backend = get_backend(spec)
    frame = backend.score(["Une victoire magnifique.", "Une attaque horrible a fait des morts.", ""])
    assert len(frame) == 3 and "compound" in frame.columns
    assert frame["compound"].between(-1, 1).all()
    assert frame["compound"].iloc[0] > 0 > frame["compound"].iloc[1]
    assert backend.name == spec and backend.version


def test_war_fr_domain_layer():
    backend = get_backend("war-fr")
    frame = backend.score([
        "Les forces armées ukrainiennes ont présenté une nouvelle carte.",
        "Des frappes russes ont fait douze morts et des dizaines de blessés.",
        "Un cessez-le-feu et un accord sur l'aide humanitaire ont été conclus.",
        "Les bombardements n'ont pas cessé.",
    ])
    assert frame["label"].tolist()[:3] == ["neutral", "negative", "positive"]
    assert frame["compound"].iloc[0] == 0.0  # vader-fr reads "forces" and "nouvelle" as negative
    assert frame["compound"].iloc[3] < 0


def test_sklearn_backend_roundtrip(tmp_path):
    import joblib

    from analysis.sentiment.train import train_tfidf_logreg

    texts = ["un succès magnifique", "une belle victoire", "une défaite terrible", "un échec affreux", "une réunion mardi", "un rapport publié"] * 4
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 4
    model, cv = train_tfidf_logreg(texts, labels, folds=3)
    assert cv["folds"] == 3 and 0 <= cv["mean_macro_f1"] <= 1
    path = tmp_path / "model.joblib"
    joblib.dump({"model": model, "classes": list(model.classes_), "meta": cv}, path)
    backend = get_backend(f"sklearn:{path}")
    frame = backend.score(["une victoire magnifique", "un échec terrible"])
    probs = frame[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(frame["compound"], probs[:, 2] - probs[:, 0], rtol=1e-5)
    assert frame["label"].tolist() == ["positive", "negative"]
    with pytest.raises(FileNotFoundError, match="analysis sentiment train"):
        get_backend(f"sklearn:{tmp_path / 'none.joblib'}")


def test_transformers_backend_tiny_local_model(tmp_path):
    torch = pytest.importorskip("torch", reason="optional extra: torch is not installed")
    transformers = pytest.importorskip("transformers", reason="optional extra: transformers is not installed")
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "[PAD]": 1, "bon": 2, "mauvais": 3}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
    config = transformers.BertConfig(vocab_size=4, hidden_size=8, num_hidden_layers=1, num_attention_heads=1, intermediate_size=8,
                                     num_labels=3, id2label={0: "negative", 1: "neutral", 2: "positive"},
                                     label2id={"negative": 0, "neutral": 1, "positive": 2})
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(tmp_path)
    fast.save_pretrained(tmp_path)
    backend = get_backend(f"transformers:{tmp_path}")
    frame = backend.score(["bon", "mauvais bon"])
    probs = frame[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(frame["compound"], probs[:, 2] - probs[:, 0], rtol=1e-5)


def test_transformers_backend_never_downloads(tmp_path):
    with pytest.raises((ImportError, FileNotFoundError)):
        get_backend("transformers:camembert/does-not-exist")
