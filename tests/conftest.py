"""Shared fixtures.

Integration tests read the shared data (real Le Monde corpus, gold sets) through the
``ANALYSIS_TEST_DATA`` environment variable; without it they skip, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.config import TEST_DATA_ENV, test_data_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data directory, or skip with the reason."""
    path = test_data_dir()
    if path is None:
        pytest.skip(f"{TEST_DATA_ENV} is not set to the shared data directory (e.g. ../shared); integration test skipped")
    return path


@pytest.fixture(scope="session")
def lemonde_rss(shared_data: Path) -> Path:
    path = shared_data / "corpora" / "lemonde-2022-rss"
    if not path.is_dir():
        pytest.skip(f"{path} not found in {TEST_DATA_ENV}")
    return path


@pytest.fixture(scope="session")
def nlp_sm():
    """The small French spaCy pipeline, loaded once per test session."""
    import spacy

    return spacy.load("fr_core_news_sm")


@pytest.fixture()
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def lemonde_processed(lemonde_rss, tmp_path_factory) -> Path:
    """The whole Le Monde 2022 corpus, ingested and annotated once per test session.

    Built in a temporary directory, or in ``$ANALYSIS_TEST_CACHE/lemonde-2022`` when that variable
    names a directory to keep between runs (ingestion and annotation are incremental, so a
    second session reuses it in seconds).
    """
    import os

    from analysis.annotate import annotate
    from analysis.corpus import ingest

    cache = os.environ.get("ANALYSIS_TEST_CACHE")
    out = Path(cache) / "lemonde-2022" if cache else tmp_path_factory.mktemp("lemonde") / "processed"
    ingest([lemonde_rss], out=out, progress=False)
    annotate(out, progress=False)
    return out
