"""Integration: a full report (all four notebooks) on real Le Monde data.

Needs ANALYSIS_TEST_DATA (skipped with the reason otherwise). Uses the session fixture
``lemonde_processed`` (the whole corpus ingested and annotated once, tests/conftest.py), then
runs `analysis report` on January to June 2022 with the invasion as the event splitting the
keyness periods, and checks it takes under two minutes.
"""

from __future__ import annotations

import json
import time

import nbformat
import pytest

from analysis.cli import main as cli_main

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_full_report_on_lemonde(lemonde_processed, tmp_path, capsys):
    out = tmp_path / "report"
    t0 = time.perf_counter()
    rc = cli_main([
        "report", "--processed", str(lemonde_processed), "--out", str(out),
        "-p", "start", "2022-01-01", "-p", "end", "2022-06-30", "-p", "granularity", "week",
        "-p", "terms", "[ukraine, guerre]", "-p", "events", "{2022-02-24: invasion}", "-p", "min_count", "3",
    ])
    seconds = time.perf_counter() - t0
    assert rc == 0, capsys.readouterr().err
    assert seconds < 120
    prov = json.loads((out / "provenance.json").read_text())
    assert [nb["error"] for nb in prov["notebooks"]] == [None] * 4
    assert prov["corpus"]["documents"] > 3000
    assert all(nb["figures"] for nb in prov["notebooks"])

    # keyness after the invasion against the weeks before it: the war vocabulary comes out on top
    nb = nbformat.read(out / "02-word-frequency.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "report.keyness_table(" in c.source)
    html = cell.outputs[0]["data"]["text/html"]
    target_rows = html.split("reference</td>")[0]  # rows of the target direction come first
    assert "ukraine" in target_rows and "guerre" in target_rows
    printed = next(c for c in nb.cells if "report.keyness_section(" in c.source).outputs
    assert any("target: 2022-02-24 – 2022-06-30" in o.get("text", "") for o in printed)
    # the volume-normalised trend of 'ukraine' is drawn, with a change point found
    cp = next(c for c in nb.cells if "report.small_multiples" in c.source)
    table = next(o for o in cp.outputs if "text/html" in o.get("data", {}))["data"]["text/html"]
    assert "ukraine" in table and "2022-02" in table
