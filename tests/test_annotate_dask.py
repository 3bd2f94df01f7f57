"""The same chunks on a dask.distributed cluster give the same tables as the local run."""

from __future__ import annotations

import pandas as pd
import pytest
from annotate_corpus import write_corpus

from analysis.annotate import annotate
from analysis.storage import read_table

distributed = pytest.importorskip("distributed", reason="dask[distributed] (optional extra 'cluster') is not installed")


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


KEYS = {
    "tokens": ["doc_id", "form", "lemma", "pos"],
    "sentences": ["doc_id", "sent_id"],
    "entities": ["doc_id", "start_char", "end_char"],
    "documents": ["doc_id"],
}


@pytest.mark.slow
def test_local_cluster_matches_local_run(tmp_path):
    local, remote = tmp_path / "local", tmp_path / "remote"
    write_corpus(local)
    write_corpus(remote)
    kw = dict(model="fr_core_news_sm", sentiment="vader-fr", chunk_size=3, progress=False)
    a = annotate(local, workers=1, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        b = annotate(remote, scheduler=cluster.scheduler_address, **kw)
    assert a["config"]["hash"] == b["config"]["hash"]
    assert b["complete"] and b["n_annotated"] == a["n_annotated"]
    for name, keys in KEYS.items():
        pd.testing.assert_frame_equal(_sorted(read_table(local, name), keys), _sorted(read_table(remote, name), keys))
