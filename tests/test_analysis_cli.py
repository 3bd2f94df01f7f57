"""`analysis terms|keyness|trend|entities|tone` on a processed directory of hand-built tables."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from analysis_fixtures import build_tables, write_processed
from scipy.stats import chi2_contingency

from analysis.cli import main


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return write_processed(tmp_path_factory.mktemp("toyproc"), build_tables())


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_keyness_csv(processed, capsys):
    rc, out, _ = run(capsys, "keyness", "--processed", str(processed), "--target", "2022-02-01:2022-02-28",
                     "--reference", "2022-01-01:2022-01-31", "--min-count", "1", "--format", "csv")
    assert rc == 0
    df = pd.read_csv(io.StringIO(out))
    for col in ("term", "target_count", "reference_count", "target_total", "reference_total", "g2", "p_value", "log_ratio"):
        assert col in df.columns
    assert df.g2.is_monotonic_decreasing and (df.target_total == 19).all() and (df.reference_total == 25).all()
    p = df.set_index("term").loc["poutine"]
    assert p.g2 == pytest.approx(chi2_contingency([[2, 0], [17, 25]], correction=False, lambda_="log-likelihood")[0])


def test_keyness_sources_json_and_errors(processed, capsys):
    rc, out, _ = run(capsys, "keyness", "--processed", str(processed), "--target-source", "Libération",
                     "--reference-source", "Le Monde", "--min-count", "1", "--format", "json")
    rows = json.loads(out)
    assert rc == 0 and rows[0]["target_total"] == 13 and rows[0]["reference_total"] == 31
    rc, _, err = run(capsys, "keyness", "--processed", str(processed), "--reference", "2022-01-01:2022-01-31")
    assert rc == 1 and "target" in err
    rc, _, err = run(capsys, "terms", "--processed", str(processed / "nope"))
    assert rc == 1 and "does not exist" in err


def test_terms_and_filters(processed, capsys):
    rc, out, _ = run(capsys, "terms", "--processed", str(processed), "--top", "2")
    df = pd.read_csv(io.StringIO(out))
    assert rc == 0 and df.term.tolist() == ["guerre", "ukraine"] and df["count"].tolist() == [3, 3]
    rc, out, _ = run(capsys, "terms", "--processed", str(processed), "--source", "Libération", "--format", "json")
    rows = json.loads(out)
    assert {r["total"] for r in rows} == {13}
    rc, out, _ = run(capsys, "terms", "--processed", str(processed), "--kwic", "soldat", "--window", "5")
    assert pd.read_csv(io.StringIO(out))["match"].tolist() == ["soldats", "soldats"]


def test_trend(processed, capsys):
    rc, out, _ = run(capsys, "trend", "--processed", str(processed), "guerre", "--group", "armée=soldat,résistance",
                     "--period", "week", "--smooth", "rolling", "--change-points", "1")
    df = pd.read_csv(io.StringIO(out), parse_dates=["period"])
    assert rc == 0 and set(df.term) == {"guerre", "armée"} and len(df) == 16
    assert {"smoothed", "change_point"} <= set(df.columns) and df.groupby("term").change_point.sum().tolist() == [1, 1]
    rc, out, _ = run(capsys, "trend", "--processed", str(processed), "--pattern", "ukrain", "--period", "month", "--format", "json")
    assert [r["count"] for r in json.loads(out)] == [2, 1]
    rc, _, err = run(capsys, "trend", "--processed", str(processed))
    assert rc == 1 and "TERM" in err


def test_entities_and_graph(processed, capsys, tmp_path):
    rc, out, _ = run(capsys, "entities", "--processed", str(processed), "--label", "PER", "-n", "2")
    assert rc == 0 and pd.read_csv(io.StringIO(out)).norm.tolist() == ["Vladimir Poutine", "Volodymyr Zelensky"]
    g = tmp_path / "net.graphml"
    rc, out, err = run(capsys, "entities", "--processed", str(processed), "--mode", "cooccurrence", "--level", "document", "--graph", str(g))
    assert rc == 0 and g.exists() and "wrote" in err
    assert pd.read_csv(io.StringIO(out))["count"].tolist() == [2]
    rc, out, _ = run(capsys, "entities", "--processed", str(processed), "--mode", "trend", "--entity", "Ukraine", "--period", "month")
    assert pd.read_csv(io.StringIO(out))["count"].tolist() == [2, 1]


def test_tone(processed, capsys):
    rc, out, _ = run(capsys, "tone", "--processed", str(processed), "--period", "month", "--by", "source", "--n-boot", "200")
    df = pd.read_csv(io.StringIO(out))
    assert rc == 0 and list(df.columns) == ["period", "source", "n", "mean", "ci_low", "ci_high", "neg_share"] and len(df) == 4
    rc, out, _ = run(capsys, "tone", "--processed", str(processed), "--extreme", "negative", "-n", "1", "--format", "json")
    assert json.loads(out)[0]["doc_id"] == "d4"
    rc, out, _ = run(capsys, "tone", "--processed", str(processed), "--entity", "Vladimir Poutine", "--period", "all")
    assert pd.read_csv(io.StringIO(out))["mean"].tolist() == [pytest.approx(-0.75)]
