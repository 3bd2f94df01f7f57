"""Report parameter validation (analysis.params): every failure names the parameter."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.config import PROJ_ROOT
from analysis.params import NOTEBOOK_PARAMETERS, SPECS, ParameterError, resolve_processed_dir, validate


def _corpus_frame() -> pd.DataFrame:
    # Synthetic: three documents, two sources, January to March 2022.
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-01-10 08:00", "2022-02-24 05:00", "2022-03-31 23:59"], utc=True),
            "source": ["Le Monde", "Libération", "Le Monde"],
        }
    )


def _raises(params: dict, name: str, fragment: str, **kwargs) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        validate(params, **kwargs)
    assert info.value.name == name
    assert f"parameter `{name}`" in str(info.value)
    assert fragment in str(info.value)
    return info.value


def test_dates_parsed_to_utc_midnight_and_end_inclusive():
    p = validate({"start": "2022-01-01", "end": "2022-06-30"})
    assert p.start == pd.Timestamp("2022-01-01", tz="UTC")
    assert p.end == pd.Timestamp("2022-06-30", tz="UTC")
    assert p.end_exclusive == pd.Timestamp("2022-07-01", tz="UTC")


def test_empty_dates_mean_unbounded():
    p = validate({"start": "", "end": ""})
    assert p.start is None and p.end is None and p.end_exclusive is None


def test_yaml_date_objects_accepted():
    p = validate({"start": dt.date(2022, 2, 1), "end": dt.date(2022, 2, 28)})
    assert p.start.day == 1 and p.end.day == 28
    assert p.raw == {"start": "2022-02-01", "end": "2022-02-28"}


def test_end_before_start():
    _raises({"start": "2022-03-01", "end": "2022-02-01"}, "end", "before start 2022-03-01")


def test_malformed_date():
    _raises({"start": "01/02/2022"}, "start", "not a date")
    _raises({"end": "2022-13-01"}, "end", "not a date")
    _raises({"start": 20220101}, "start", "expected a date string")


def test_granularity_choices():
    assert validate({"granularity": "month"}).granularity == "month"
    _raises({"granularity": "year"}, "granularity", "not one of day, week, month")


def test_unknown_parameter_named():
    _raises({"granularty": "week"}, "granularty", "unknown parameter")


def test_list_parameters_from_papermill_strings():
    # papermill -p passes lists as strings
    p = validate({"terms": '["Bakhmout", "négociation", "bakhmout"]', "sources": "Le Monde, Libération"})
    assert p.terms == ["bakhmout", "négociation"]  # lower-cased, de-duplicated, order kept
    assert p.sources == ["Le Monde", "Libération"]
    assert validate({"terms": "[]"}).terms == []
    assert validate({"terms": ["l\u2019armée"]}).terms == ["l'armée"]  # typographic apostrophe normalised


def test_bad_list_items():
    _raises({"terms": ["ok", ""]}, "terms", "item 1")
    _raises({"terms": 3}, "terms", "expected a list of strings")
    _raises({"entities": [None]}, "entities", "item 0")


def test_term_groups():
    p = validate({"term_groups": '{"négociation": ["Négociation", "pourparlers"], "armes": ["char"]}'})
    assert p.term_groups == {"négociation": ["négociation", "pourparlers"], "armes": ["char"]}
    _raises({"term_groups": ["négociation"]}, "term_groups", "expected a mapping")
    _raises({"term_groups": {"négociation": "pourparlers"}}, "term_groups", "non-empty list of terms")
    _raises({"term_groups": {"négociation": []}}, "term_groups", "non-empty list of terms")
    _raises({"term_groups": "{négociation: [a, b"}, "term_groups", "cannot parse")
    with pytest.raises(ParameterError) as info:
        validate({"term_groups": {"x": ["a", 3]}})
    assert "term_groups" in str(info.value) and "item 1" in str(info.value)


def test_events_mapping_sorted_and_checked():
    p = validate({"events": {"2022-04-03": "Boutcha", "2022-02-24": "invasion"}})
    assert list(p.events) == [pd.Timestamp("2022-02-24", tz="UTC"), pd.Timestamp("2022-04-03", tz="UTC")]
    assert p.events[pd.Timestamp("2022-04-03", tz="UTC")] == "Boutcha"
    assert list(validate({"events": ["2022-02-24"]}).events.values()) == [""]
    _raises({"events": {"24/02/2022": "invasion"}}, "events", "not a date")
    _raises({"events": {"2022-02-24": 3}}, "events", "label")


def test_ints_and_minimums():
    assert validate({"top_n": "15"}).top_n == 15
    assert validate({"change_points": 0}).change_points == 0
    _raises({"top_n": 0}, "top_n", "at least 1")
    _raises({"top_n": "many"}, "top_n", "expected an integer")
    _raises({"top_n": True}, "top_n", "expected an integer")
    _raises({"min_cooccurrence": 2.5}, "min_cooccurrence", "expected an integer")


def test_entity_labels_default_to_all():
    assert validate({"entity_labels": []}).entity_labels == ["PER", "LOC", "ORG", "MISC"]
    assert validate({"entity_labels": ["PER"]}).entity_labels == ["PER"]
    _raises({"entity_labels": ["PERSON"]}, "entity_labels", "not one of")


def test_sources_checked_against_corpus():
    frame = _corpus_frame()
    assert validate({"sources": ["Libération"]}, corpus=frame).sources == ["Libération"]
    err = _raises({"sources": ["Le Figaro"]}, "sources", "unknown source 'Le Figaro'", corpus=frame)
    assert "'Le Monde'" in str(err) and "'Libération'" in str(err)


def test_empty_selection_names_the_range():
    frame = _corpus_frame()
    _raises({"start": "2023-01-01"}, "start", "the corpus covers 2022-01-10 to 2022-03-31", corpus=frame)
    _raises({"start": "2021-01-01", "end": "2021-12-31"}, "end", "no document selected", corpus=frame)
    # the last document is at 23:59 on the end day: an inclusive end keeps it
    assert validate({"start": "2022-03-31", "end": "2022-03-31"}, corpus=frame).end_exclusive == pd.Timestamp("2022-04-01", tz="UTC")


def test_keyness_periods_explicit_and_derived():
    day = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    p = validate({"target_period": "2022-02-24:2022-03-31", "reference_period": "2022-01-01:2022-02-23"})
    assert p.target == (day("2022-02-24"), day("2022-03-31"))
    assert p.reference == (day("2022-01-01"), day("2022-02-23"))
    derived = validate({"start": "2022-01-01", "end": "2022-06-30", "events": {"2022-04-03": "Boutcha", "2022-02-24": "invasion"},
                        "target_period": "", "reference_period": ""})
    assert derived.reference == (day("2022-01-01"), day("2022-02-23"))  # split at the FIRST event
    assert derived.target == (day("2022-02-24"), day("2022-06-30"))
    open_ended = validate({"events": {"2022-02-24": ""}, "target_period": "", "reference_period": ""})
    assert open_ended.reference == (None, day("2022-02-23")) and open_ended.target == (day("2022-02-24"), None)
    none = validate({"target_period": "", "reference_period": "", "events": {}})
    assert none.target is None and none.reference is None
    _raises({"target_period": "2022-03-01"}, "target_period", "not a period")
    _raises({"target_period": "2022-03-31:2022-03-01"}, "target_period", "before its start")
    _raises({"target_period": "2022-02-01:2022-03-31", "reference_period": "2022-01-01:2022-02-01"},
            "reference_period", "overlaps")
    # adjacent periods are fine
    assert validate({"target_period": "2022-02-02:2022-03-31", "reference_period": "2022-01-01:2022-02-01"}).target


def test_processed_dir_resolution(tmp_path, monkeypatch):
    (tmp_path / "proc").mkdir()
    _raises({"processed_dir": str(tmp_path / "proc")}, "processed_dir", "holds no corpus.parquet")
    _raises({"processed_dir": str(tmp_path / "missing")}, "processed_dir", "directory not found")
    _corpus_frame().assign(doc_id=["a", "b", "c"]).to_parquet(tmp_path / "proc" / "corpus.parquet")
    assert resolve_processed_dir(tmp_path / "proc") == (tmp_path / "proc").resolve()
    # relative to the current directory when not under the project root (a notebook's cwd)
    monkeypatch.chdir(tmp_path)
    assert resolve_processed_dir("proc") == (tmp_path / "proc").resolve()
    # and the corpus is read to check sources
    _raises({"processed_dir": "proc", "sources": ["X"]}, "sources", "unknown source 'X'")


def test_processed_dir_relative_to_project_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # any cwd: the fixture path is resolved against the project root
    p = validate({"processed_dir": "tests/fixtures/processed"})
    assert p.processed_dir == (PROJ_ROOT / "tests" / "fixtures" / "processed").resolve()


def test_every_documented_parameter_has_a_spec():
    for notebook, names in NOTEBOOK_PARAMETERS.items():
        assert len(names) == len(set(names)), notebook
        assert set(names) <= set(SPECS), (notebook, set(names) - set(SPECS))
    used = {n for names in NOTEBOOK_PARAMETERS.values() for n in names}
    assert used == set(SPECS)  # no orphan spec


def test_error_renders_short_in_ipython():
    err = ParameterError("end", "2022-02-01 is before start 2022-03-01")
    assert err._render_traceback_() == ["ParameterError: parameter `end`: 2022-02-01 is before start 2022-03-01"]


def test_sentiment_backend_names():
    assert validate({"sentiment_backend": "annotated"}).sentiment_backend == "annotated"
    assert validate({"sentiment_backend": "vader-fr"}).sentiment_backend == "vader-fr"
    assert validate({"sentiment_backend": "lexicon:/some/file.tsv"}).sentiment_backend == "lexicon:/some/file.tsv"
    _raises({"sentiment_backend": "vader"}, "sentiment_backend", "unknown backend 'vader'")
