"""Word frequencies, n-grams, collocations, TF-IDF, term groups and KWIC on hand-built tables.

Expected values are derived by hand from the synthetic texts in analysis_fixtures.TOY_DOCS
(word tokens per document: d1 10, d2 6, d3 9, d4 12, d5 7 = 44; one '.' per sentence, 10 in all).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import toy_corpus
from scipy.stats import chi2_contingency

from analysis.frequency import collocations, distinctive_terms, kwic, ngrams, term_frequencies, term_groups


def doc(doc_id, date, text, source="S", tones=None):
    return (doc_id, date, source, "international", f"title {doc_id}", text, tones)


@pytest.fixture(scope="module")
def c():
    return toy_corpus()


def test_overall_counts_and_rates(c):
    f = term_frequencies(c).set_index("term")
    assert f.loc["guerre", "count"] == 3 and f.loc["ukraine", "count"] == 3 and f.loc["soldat", "count"] == 2
    assert (f["total"] == 44).all()
    assert f.loc["guerre", "per_10k"] == pytest.approx(3 / 44 * 1e4)
    assert "le" not in f.index and "." not in f.index  # stop words and punctuation left out of rows


def test_stopwords_kept_and_extra_stopwords(c):
    f = term_frequencies(c, stopwords=False).set_index("term")
    assert f.loc["le", "count"] == 10  # la/les/le/l' lemmatised to "le": 2+2+2+3+1
    assert (f["total"] == 44).all()  # the denominator does not depend on which rows are shown
    g = term_frequencies(c, extra_stopwords=["Guerre"])
    assert "guerre" not in set(g.term) and (g.total == 44).all()


def test_punctuation_in_totals_when_kept(c):
    f = term_frequencies(c, drop_punct=False).set_index("term")
    assert f.loc["."]["count"] == 10 and (f["total"] == 54).all()


def test_by_form_and_min_count(c):
    f = term_frequencies(c, by="form").set_index("term")
    assert f.loc["soldats", "count"] == 2 and "soldat" not in f.index
    m = term_frequencies(c, min_count=3)
    assert sorted(m.term) == ["guerre", "ukraine"]


def test_by_period_and_source(c):
    f = term_frequencies(c, period="week", group="source")
    row = f[(f.term == "guerre") & (f.period == pd.Timestamp("2022-01-03")) & (f.source == "Le Monde")].iloc[0]
    assert (row["count"], row["total"]) == (1, 10)  # d1 only: 10 words
    feb = f[(f.period == pd.Timestamp("2022-02-21")) & (f.source == "Libération")]
    assert (feb.total == 7).all()
    # the weekly per-source counts add up to the overall counts
    assert f.groupby("term")["count"].sum().to_dict() == term_frequencies(c).set_index("term")["count"].to_dict()


def test_top_per_cell(c):
    f = term_frequencies(c, period="month", top=2)
    assert f.groupby("period").size().tolist() == [2, 2]


def test_empty_and_one_document(c):
    empty = term_frequencies(c.filter(start="2023-01-01"))
    assert empty.empty and list(empty.columns) == ["term", "count", "total", "per_10k"]
    one = term_frequencies(c.filter(doc_ids=["d5"]), period="day")
    assert set(one.term) == {"zelensky", "rencontrer", "macron", "poutine", "menacer", "europe"}
    assert (one.total == 7).all() and (one["count"] == 1).all()


def test_ngrams_rules():
    cc = toy_corpus([doc("a", "2022-01-01", "La guerre en Ukraine continue. La guerre en Ukraine, encore. Paris parle.")])
    bi = ngrams(cc, n=2, min_count=1).set_index("ngram")
    # 'le guerre' has a stop word at the edge; 'ukraine encore' crosses a comma; 'continuer le' crosses a sentence
    assert "le guerre" not in bi.index and "ukraine encore" not in bi.index and "continuer le" not in bi.index
    assert "ukraine continuer" in bi.index and "guerre en" not in bi.index
    tri = ngrams(cc, n=3, min_count=2).set_index("ngram")
    assert tri.loc["guerre en ukraine", "count"] == 2 and tri.loc["guerre en ukraine", "n_docs"] == 1
    assert list(tri.index) == ["guerre en ukraine"]
    every = ngrams(cc, n=2, min_count=1, stopwords=False)
    assert "le guerre" in set(every.ngram) and not every.ngram.str.contains(r"[.,]").any()


def test_collocations_against_hand_and_scipy():
    # bigrams: (alpha,beta)x2 (beta,gamma)x2 (beta,delta) (epsilon,beta): N = 6
    cc = toy_corpus([doc("a", "2022-01-01", "alpha beta gamma. alpha beta delta. epsilon beta gamma.")])
    col = collocations(cc, measure="pmi", min_count=1).set_index("collocation")
    ab = col.loc["alpha beta"]
    assert (ab["count"], ab["w1_count"], ab["w2_count"], ab["n_bigrams"]) == (2, 2, 3, 6)
    assert ab["pmi"] == pytest.approx(math.log2(2 * 6 / (2 * 3)))
    ref = chi2_contingency([[2, 0], [1, 3]], correction=False, lambda_="log-likelihood")[0]
    assert ab["g2"] == pytest.approx(ref)
    bg = col.loc["beta gamma"]
    assert bg["pmi"] == pytest.approx(math.log2(2 * 6 / (3 * 2)))
    assert bg["g2"] == pytest.approx(chi2_contingency([[2, 1], [0, 3]], correction=False, lambda_="log-likelihood")[0])
    assert "beta delta" not in col.index or col.loc["beta delta", "pmi"] > 0
    g = collocations(cc, measure="g2", min_count=2)
    assert set(g.collocation) == {"alpha beta", "beta gamma"} and g.g2.is_monotonic_decreasing


def _g2(a, b, c, d):
    """G² of [[a, b], [c - a, d - b]] written out by hand: 2 Σ O ln(O / E)."""
    obs = [a, b, c - a, d - b]
    n = c + d
    exp = [(a + b) * c / n, (a + b) * d / n, (n - a - b) * c / n, (n - a - b) * d / n]
    return 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp) if o > 0)


# Synthetic three-month corpus: "guerre" is equally frequent every month (5 of 8 tokens);
# "blé" occurs only in January (2), "paix" in February (2), "froid" once in March.
THREE_MONTHS = [
    doc("m1", "2022-01-10", "guerre guerre guerre guerre guerre blé blé pain."),
    doc("m2", "2022-02-10", "guerre guerre guerre guerre guerre paix paix pain."),
    doc("m3", "2022-03-10", "guerre guerre guerre guerre guerre froid pain pain."),
]


def test_distinctive_terms_keyness_against_hand_computed_tables():
    cc = toy_corpus(THREE_MONTHS)
    d = distinctive_terms(cc, by="period", period="month", min_count=1, top=5, alpha=1.0)
    jan = d[d.period == pd.Timestamp("2022-01-01")].set_index("term")
    # January: blé a = 2 of c = 8 tokens; the rest: b = 0 of d = 16.
    assert jan.loc["blé", "g2"] == pytest.approx(_g2(2, 0, 8, 16))
    assert jan.loc["blé", "g2"] == pytest.approx(chi2_contingency([[2, 0], [6, 16]], correction=False, lambda_="log-likelihood")[0])
    assert jan.loc["blé", "log_ratio"] == pytest.approx(math.log2((2 / 8) / (0.5 / 16)))
    assert jan.loc["blé", "per_10k"] == pytest.approx(2 / 8 * 1e4) and jan.loc["blé", "rest_per_10k"] == 0
    # "guerre" has the same rate everywhere (5/8): not distinctive of any month, although it is
    # the most frequent term of each (TF-IDF over three pseudo-documents ranks it first).
    assert "guerre" not in set(d.term)
    tfidf = distinctive_terms(cc, by="period", period="month", min_count=1, top=5, method="tfidf")
    tj = tfidf[tfidf.period == pd.Timestamp("2022-01-01")].set_index("term")["tfidf"]
    # sublinear tf (1 + ln tf) × smooth idf (ln((1 + 3) / (1 + df)) + 1), then l2 norm per month
    w = {"guerre": (1 + math.log(5)) * 1.0, "blé": (1 + math.log(2)) * (math.log(4 / 2) + 1), "pain": 1.0}
    norm = math.sqrt(sum(v * v for v in w.values()))
    assert tj.to_dict() == pytest.approx({k: v / norm for k, v in w.items()})
    assert jan.index[0] == "blé" and jan.loc["blé", "rank"] == 1
    mar = d[d.period == pd.Timestamp("2022-03-01")].set_index("term")
    # March: pain 2 of 8 against 2 of 16 (over-represented), froid 1 of 8 against 0 of 16.
    assert mar.loc["pain", "g2"] == pytest.approx(_g2(2, 2, 8, 16))
    assert mar.loc["froid", "g2"] == pytest.approx(_g2(1, 0, 8, 16))
    assert list(mar.index) == sorted(mar.index, key=lambda t: -mar.loc[t, "g2"])
    # pain is under-represented in January and February (1/8 against 2/16 is equal: not over)
    assert "pain" not in set(jan.index)
    # alpha filters on the G² p-value: froid (G² ≈ 2.2, p ≈ 0.14) goes at alpha = 0.05
    strict = distinctive_terms(cc, by="period", period="month", min_count=1, top=5, alpha=0.05)
    assert (strict.p_value < 0.05).all() and "froid" not in set(strict.term) and "blé" in set(strict.term)


def test_distinctive_terms_by_source(c):
    d = distinctive_terms(c, by="source", min_count=1, top=50, alpha=1.0)
    f = term_frequencies(c, group="source").set_index(["source", "term"])
    totals = f.groupby(level=0)["total"].first()
    for row in d.itertuples():
        other = totals.index[totals.index != row.source][0]
        a = f.loc[(row.source, row.term), "count"]
        b = f["count"].get((other, row.term), 0)
        assert row.g2 == pytest.approx(_g2(a, b, totals[row.source], totals[other]))
        assert a / totals[row.source] > b / totals[other]
    assert (d.groupby("source")["rank"].min() == 1).all()


def test_distinctive_terms_one_period(c):
    d = distinctive_terms(c.filter(end="2022-01-05"), by="period", period="month", min_count=1, top=3)
    assert d.period.nunique() == 1 and len(d) == 3
    assert d["count"].is_monotonic_decreasing and d["g2"].isna().all()  # no rest to compare with: by count


def test_drop_numbers_in_terms_ngrams_and_keyness():
    cc = toy_corpus([doc("n1", "2022-01-10", "Le 24 février, 2 000 soldats. Le 24 février, guerre."),
                     doc("n2", "2022-01-20", "Guerre et paix. 2022 guerre.")])
    f = term_frequencies(cc).set_index("term")
    assert not ({"24", "2", "000", "2022"} & set(f.index))
    assert (f["total"] == 15).all()  # numbers stay in the denominator
    g = term_frequencies(cc, drop_numbers=False).set_index("term")
    assert g.loc["24", "count"] == 2 and g.loc["2022", "count"] == 1 and (g["total"] == 15).all()
    bi = set(ngrams(cc, n=2, min_count=1).ngram)
    assert "24 février" in bi and "2 000" not in bi  # a number beside a content word stays
    assert "2 000" in set(ngrams(cc, n=2, min_count=1, drop_numbers=False).ngram)
    from analysis.keyness import compare

    k = compare(cc, target=("2022-01-01", "2022-01-15"), reference=("2022-01-16", "2022-01-31"))
    assert "24" not in set(k.term) and k["target_total"].iloc[0] == 10
    assert "24" in set(compare(cc, target=("2022-01-01", "2022-01-15"), reference=("2022-01-16", "2022-01-31"), drop_numbers=False).term)


def test_term_groups(c):
    g = term_groups(c, {"paix": ["paix", "cessez-le-feu", "négociation"], "armée": ["soldat*"], "seq": ["le guerre"], "vide": ["zzz"]}, period="month")
    jan = g[g.period == pd.Timestamp("2022-01-01")].set_index("term")
    assert jan.loc["paix", "count"] == 2 and jan.loc["paix", "n_docs"] == 1
    assert jan.loc["armée", "count"] == 2  # soldat* → soldat (d1, d3)
    assert jan.loc["seq", "count"] == 2  # lemma sequence 'le guerre' in d1 and d3
    assert jan.loc["vide", "count"] == 0 and jan.loc["vide", "total"] == 25
    feb = g[g.period == pd.Timestamp("2022-02-01")].set_index("term")
    assert feb.loc["seq", "count"] == 1 and feb.loc["paix", "count"] == 0
    assert feb.loc["armée", "per_10k"] == 0.0 and jan.loc["paix", "per_10k"] == pytest.approx(2 / 25 * 1e4)


def test_kwic_lemma_forms_case_and_boundaries():
    cc = toy_corpus([
        doc("a", "2022-01-01", "Les soldats avancent. Un soldat tombe."),
        doc("b", "2022-01-02", "L'après-guerre commence. La guerre reprend aujourd’hui. Guerres."),
    ])
    k = kwic(cc, "soldat", window=10)
    assert k["match"].tolist() == ["soldats", "soldat"] and k.left.iloc[1] == "ncent. Un "  # 10 characters
    g = kwic(cc, "guerre", by="form")
    assert len(g) == 1 and g.iloc[0]["match"] == "guerre" and g.iloc[0].doc_id == "b"  # not après-guerre, not Guerres
    text = cc.corpus.set_index("doc_id").loc["b", "text"]
    assert text[g.iloc[0].start_char : g.iloc[0].start_char + 6] == "guerre"
    apo = kwic(cc, "aujourd'hui", by="form")
    assert apo["match"].tolist() == ["aujourd’hui"]
    assert kwic(cc, "absent").empty and list(kwic(cc, "absent").columns)[:7] == ["doc_id", "date", "source", "title", "left", "match", "right"]
    assert len(kwic(cc, "soldat", limit=1)) == 1
