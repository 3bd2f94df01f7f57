"""Normalisation (length-preserving), compounds and stop words."""

from __future__ import annotations

import pandas as pd
import pytest
import spacy

from analysis.normalize import CHAR_MAP, compound_groups, compound_term, mark_stopwords, normalize_text, stopwords


def test_replacements_are_one_for_one_so_offsets_are_unchanged():
    text = "L’armée\u00a0: «\u202fnon\u202f» — “quoted” ‘x’ état\u2011major"
    out = normalize_text(text)
    assert len(out) == len(text)
    assert out == "L'armée : « non » — \"quoted\" 'x' état-major"
    for i, (a, b) in enumerate(zip(text, out)):
        assert b == CHAR_MAP.get(a, a), i
    assert normalize_text(out) == out  # idempotent


def test_zero_width_characters_are_kept():
    text = "Ba\u00adkh\u200bmut"
    assert normalize_text(text) == text


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("fr")


def test_compound_groups_join_hyphenated_words_only(blank):
    doc = blank("L'état-major de Kharkiv-Est, dit-il, signe le cessez-le-feu en 2022-2023 ; Jean - Pierre.")
    terms = [doc[s:e].text for s, e in compound_groups(doc)]
    assert "état-major" in terms and "Kharkiv-Est" in terms and "cessez-le-feu" in terms
    assert "2022-2023" not in terms  # number ranges are not compounds
    assert "Jean - Pierre" not in terms and "Jean" in terms  # spaced hyphen: not a compound
    assert "dit" in terms and "-il" in terms  # inversion kept apart


def test_space_tokens_are_left_out(blank):
    doc = blank("Un  texte\n\navec des espaces.")
    assert all(not doc[s].is_space for s, _ in compound_groups(doc))


def test_compound_term_lemma_and_pos(nlp_sm):
    doc = nlp_sm("Les états-majors ont signé un cessez-le-feu à Kharkiv-Est.")
    got = {}
    for s, e in compound_groups(doc):
        form, lemma, pos = compound_term([doc[i] for i in range(s, e)])
        got[form] = (lemma, pos)
    assert got["états-majors"][0] == "état-major"
    assert got["kharkiv-est"][1] == "PROPN"
    assert got["cessez-le-feu"][0] == "cessez-le-feu"


def test_apostrophe_normalisation_lets_elisions_lemmatise():
    from analysis.annotate import load_pipeline

    nlp = load_pipeline("fr_core_news_sm", gazetteer=False)
    doc = nlp("L’armée et l’ennemi jusqu’à l’aube.")
    assert doc.text == "L'armée et l'ennemi jusqu'à l'aube."
    lemmas = {t.text.lower(): t.lemma_.lower() for t in doc}
    assert lemmas["l'"] == "le"
    assert "jusqu'" in lemmas


def test_stopwords_package_and_user_lists(tmp_path):
    sw = stopwords()
    assert {"le", "l'", "de", "selon", "être"} <= sw
    assert not {"guerre", "armée", "ukraine"} & sw
    assert not any("’" in w for w in sw)
    user = tmp_path / "mine.txt"
    user.write_text("# my list\nGuerre\nl’offensive  # inline comment\n\n", encoding="utf-8")
    mine = stopwords(user)
    assert {"guerre", "l'offensive"} <= mine and sw < mine
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        stopwords(tmp_path / "nope.txt")


def test_mark_stopwords_uses_form_or_lemma(tmp_path):
    tokens = pd.DataFrame({"form": ["sont", "guerre", "frappes"], "lemma": ["être", "guerre", "frappe"]})
    assert mark_stopwords(tokens).is_stop.tolist() == [True, False, False]
    user = tmp_path / "x.txt"
    user.write_text("frappe\n", encoding="utf-8")
    assert mark_stopwords(tokens, user).is_stop.tolist() == [True, False, True]
