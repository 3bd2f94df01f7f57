"""Top entities, entity trends, co-occurrence PMI/NPMI and graph export on hand-built tables."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest
from analysis_fixtures import toy_corpus

from analysis.entities import cooccurrence, cooccurrence_graph, entity_trend, export_graph, top_entities


@pytest.fixture(scope="module")
def c():
    return toy_corpus()


def test_top_entities(c):
    t = top_entities(c)
    assert t.iloc[0][["norm", "label", "mentions", "n_docs", "rank"]].tolist() == ["Ukraine", "LOC", 3, 3, 1]
    assert t.iloc[0]["doc_share"] == pytest.approx(3 / 5)
    per = top_entities(c, label="PER")
    assert set(per.norm) == {"Vladimir Poutine", "Volodymyr Zelensky", "Emmanuel Macron"}
    m = top_entities(c, period="month", n=1)
    # January: Ukraine (2); February: Poutine and Zelensky tie at 2, alphabetical order breaks the tie
    assert m.set_index("period")["norm"].to_dict() == {pd.Timestamp("2022-01-01"): "Ukraine", pd.Timestamp("2022-02-01"): "Vladimir Poutine"}
    assert m.groupby("period").size().tolist() == [1, 1]
    with pytest.raises(ValueError, match="label"):
        top_entities(c, label="DATE")
    assert top_entities(c.filter(start="2030-01-01")).empty


def test_entity_trend(c):
    t = entity_trend(c, ["Vladimir Poutine", "ukraine", "Nobody"], period="month")
    assert list(t.columns) == ["period", "entity", "count", "total", "value"]
    u = t[t.entity == "ukraine"].set_index("period")  # case-insensitive match to norm 'Ukraine'
    assert u["count"].tolist() == [2, 1] and u["value"].tolist() == pytest.approx([2 / 25 * 1e4, 1 / 19 * 1e4])
    assert (t[t.entity == "Nobody"]["count"] == 0).all()
    s = entity_trend(c, "Volodymyr Zelensky", period="week", normalise="doc_share")
    assert len(s) == 8 and s.set_index("period").loc["2022-02-21", "value"] == pytest.approx(1.0)


def test_cooccurrence_sentence_pmi(c):
    co = cooccurrence(c, level="sentence", min_count=1)
    pu = co[(co.source_entity == "Paris") & (co.target_entity == "Ukraine")].iloc[0]
    # 10 sentences; Paris in 1, Ukraine in 3, both in 1
    assert (pu["count"], pu.source_count, pu.target_count, pu.n_units) == (1, 1, 3, 10)
    assert pu.pmi == pytest.approx(math.log2(1 * 10 / (1 * 3)))
    assert pu.npmi == pytest.approx(math.log2(10 / 3) / -math.log2(1 / 10))
    assert not ((co.source_entity == "Vladimir Poutine") & (co.target_entity == "Volodymyr Zelensky")).any()  # different sentences
    assert (co.source_entity < co.target_entity).all()


def test_cooccurrence_document_level_and_labels(c):
    co = cooccurrence(c, level="document", min_count=2)
    assert co[["source_entity", "target_entity", "count"]].values.tolist() == [["Vladimir Poutine", "Volodymyr Zelensky", 2]]
    r = co.iloc[0]
    assert r.npmi == pytest.approx(1.0)  # always together (d4, d5)
    assert r.pmi == pytest.approx(math.log2(2 * 5 / (2 * 2)))
    locs = cooccurrence(c, level="document", min_count=1, labels="LOC")
    assert set(locs.source_label) | set(locs.target_label) == {"LOC"}
    assert cooccurrence(c, min_count=5).empty


def test_graph_and_export(c, tmp_path):
    co = cooccurrence(c, level="document", min_count=1)
    G = cooccurrence_graph(co)
    assert G.number_of_edges() == len(co) and G.nodes["Ukraine"]["count"] == 3 and G.nodes["Ukraine"]["label"] == "LOC"
    assert G.edges["Vladimir Poutine", "Volodymyr Zelensky"]["weight"] == 2
    p = export_graph(G, tmp_path / "net.graphml")
    H = nx.read_graphml(p)
    assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
    csv = pd.read_csv(export_graph(G, tmp_path / "net.csv", format="csv"))
    assert list(csv.columns) == ["source", "target", "weight", "pmi", "npmi"] and len(csv) == len(co)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["net.csv", "net.graphml"]  # no temp files left
    with pytest.raises(ValueError):
        export_graph(G, tmp_path / "x.gexf", format="gexf")
    assert cooccurrence_graph(cooccurrence(c, min_count=99)).number_of_nodes() == 0
