"""The war-coverage gazetteer and the alias table."""

from __future__ import annotations

import pandas as pd
import pytest
import spacy

from analysis.aliases import fold, load_aliases, resolve_aliases
from analysis.gazetteer import GAZETTEER_ID, add_gazetteer, gazetteer_hash, load_patterns


def test_package_patterns_are_valid_and_labelled():
    patterns = load_patterns()
    assert patterns and {p["label"] for p in patterns} <= {"PER", "LOC", "ORG", "MISC"}
    assert all(p["id"] == GAZETTEER_ID for p in patterns)
    phrases = {(p["pattern"], p["label"]) for p in patterns if isinstance(p["pattern"], str)}
    for expected in [("Bakhmut", "LOC"), ("Bakhmout", "LOC"), ("Wagner", "ORG"), ("OTAN", "ORG"), ("ISW", "ORG"),
                     ("Kremlin", "ORG"), ("Institute for the Study of War", "ORG"), ("Cour pénale internationale", "ORG")]:
        assert expected in phrases, expected


def test_ruler_on_a_blank_pipeline():
    nlp = spacy.blank("fr")
    add_gazetteer(nlp)
    doc = nlp("Le Kremlin, l’OTAN et le groupe Wagner à Bakhmout, selon l’Institute for the Study of War.")
    ents = [(e.text, e.label_, e.ent_id_) for e in doc.ents]
    assert ("Kremlin", "ORG", GAZETTEER_ID) in ents
    assert ("OTAN", "ORG", GAZETTEER_ID) in ents
    assert ("groupe Wagner", "ORG", GAZETTEER_ID) in ents  # the longest match wins
    assert ("Bakhmout", "LOC", GAZETTEER_ID) in ents
    assert ("Institute for the Study of War", "ORG", GAZETTEER_ID) in ents


def test_bakhmut_is_loc_with_the_model(nlp_sm):
    from analysis.annotate import load_pipeline

    nlp = load_pipeline("fr_core_news_sm")
    assert nlp.pipe_names.index("gazetteer") < nlp.pipe_names.index("ner")
    for text in ["« Bakhmut tient », dit le message.", "Bakhmout résiste.", "La bataille de Bakhmut continue."]:
        labels = {e.text: e.label_ for e in nlp(text).ents}
        assert labels.get("Bakhmut", labels.get("Bakhmout")) == "LOC", text


def test_user_gazetteer_file_adds_patterns_and_changes_the_hash(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("LOC:\n  - Vouhledar-Sud\nORG:\n  - [{LOWER: brigade}, {LIKE_NUM: true}]\n", encoding="utf-8")
    pats = load_patterns(extra)
    assert {"label": "LOC", "pattern": "Vouhledar-Sud", "id": GAZETTEER_ID} in pats
    assert gazetteer_hash(extra) != gazetteer_hash()
    nlp = spacy.blank("fr")
    add_gazetteer(nlp, extra)
    assert [(e.text, e.label_) for e in nlp("La brigade 93 tient.").ents] == [("brigade 93", "ORG")]


@pytest.mark.parametrize(
    ("content", "message"),
    [("PERSON:\n  - X\n", "unknown label 'PERSON'"), ("LOC:\n  - 3\n", "neither a phrase"), ("- a\n", "expected a mapping")],
)
def test_bad_gazetteer_names_the_file_and_entry(tmp_path, content, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        load_patterns(bad)
    assert "bad.yaml" in str(err.value)


# --------------------------------------------------------------------------- aliases


def ents(*rows, doc_id="d"):
    return pd.DataFrame([(doc_id, t, lab) for t, lab in rows], columns=["doc_id", "text", "label"])


def test_variants_resolve_to_one_canonical_name():
    table = load_aliases()
    df = ents(("Zelensky", "PER"), ("Zelenski", "PER"), ("Zelenskyy", "PER"), ("Zelenksy", "PER"), ("Volodymyr Zelensky", "PER"),
              ("Poutine", "PER"), ("Putin", "PER"), ("Kiev", "LOC"), ("Kyiv", "LOC"), ("Kyïv", "LOC"), ("KIEV", "LOC"),
              ("Bakhmout", "LOC"), ("Artemivsk", "LOC"), ("Marioupol", "LOC"), ("Mariupol", "LOC"), ("ISW", "ORG"))
    norm = resolve_aliases(df, table).norm.tolist()
    assert norm == ["Volodymyr Zelensky"] * 5 + ["Vladimir Poutine"] * 2 + ["Kyiv"] * 4 + ["Bakhmut"] * 2 + ["Mariupol"] * 2 + [
        "Institute for the Study of War"]


def test_surname_alone_resolves_only_when_unambiguous():
    table = pd.DataFrame(
        [("Sergueï Lavrov", "Sergueï Lavrov", "PER"), ("Jean Dupont", "Jean Dupont", "PER"), ("Marie Dupont", "Marie Dupont", "PER")],
        columns=["canonical", "alias", "label"],
    )
    out = resolve_aliases(ents(("Lavrov", "PER"), ("Dupont", "PER"), ("Lavrov", "LOC")), table)
    # "Lavrov" as PER -> full name; "Dupont" is ambiguous -> kept; the any-label fallback needs a
    # real alias row, not a derived surname
    assert out.norm.tolist() == ["Sergueï Lavrov", "Dupont", "Lavrov"]


def test_within_document_surname_rule():
    df = pd.concat([ents(("Volodymyr Omelyan", "PER"), ("Omelyan", "PER"), doc_id="a"), ents(("Omelyan", "PER"), doc_id="b")])
    assert resolve_aliases(df).norm.tolist() == ["Volodymyr Omelyan", "Volodymyr Omelyan", "Omelyan"]


def test_unknown_mentions_keep_a_cleaned_text():
    out = resolve_aliases(ents(("  Newsweek ", "MISC"), ("d’Ukraine", "LOC"), ("«\u00a0Azov\u00a0»", "ORG"), ("la France", "LOC"),
                               ("La Haye", "LOC"), ("le Kremlin", "ORG")))
    assert out.norm.tolist() == ["Newsweek", "Ukraine", "Azov", "France", "La Haye", "Kremlin"]


def test_user_alias_file_overrides_and_bad_rows_are_named(tmp_path):
    user = tmp_path / "a.csv"
    user.write_text("canonical,alias,label\nKiev,Kyiv,LOC\nKiev,Kiev,LOC\nKiev,Kyïv,LOC\n", encoding="utf-8")
    out = resolve_aliases(ents(("Kyiv", "LOC"), ("Kyïv", "LOC"), ("Kiev", "LOC")), load_aliases(user))
    assert set(out.norm) == {"Kiev"}
    bad = tmp_path / "bad.csv"
    bad.write_text("canonical,alias,label\nX,,PER\nY,Z,PERSON\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_aliases(bad)
    assert "bad.csv: line 2" in str(err.value) and "bad.csv: line 3" in str(err.value)
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        load_aliases(tmp_path / "missing.csv")


def test_fold_strips_accents_case_and_typography():
    assert fold("Kyïv") == fold("KYIV") == "kyiv"
    assert fold("l’ISW") == fold("ISW".lower())


def test_empty_entities_table():
    out = resolve_aliases(pd.DataFrame({"doc_id": [], "text": [], "label": []}))
    assert "norm" in out.columns and out.empty


def test_not_entities_are_removed_only_when_they_are_the_whole_entity():
    from analysis.annotate import load_pipeline

    nlp = load_pipeline("fr_core_news_sm")
    assert nlp.pipe_names[-1] == "drop_non_entities"
    doc = nlp("Les Russes et les Ukrainiens négocient à Istanbul, selon les Etats-Unis et la Russie.")
    texts = {e.text for e in doc.ents}
    assert not texts & {"Russes", "Ukrainiens"}, texts
    assert {"Istanbul", "Etats-Unis"} <= texts, texts


def test_not_entities_section_rejects_malformed_entries(tmp_path):
    from analysis.gazetteer import load_not_entities

    bad = tmp_path / "bad.yaml"
    bad.write_text("NONE:\n  - [{LOWER: x}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_not_entities(bad)
    good = tmp_path / "good.yaml"
    good.write_text("NONE:\n  - Moscovites\n", encoding="utf-8")
    assert "Moscovites" in load_not_entities(good) and "Russes" in load_not_entities(good)
