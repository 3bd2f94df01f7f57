"""Project paths and shared constants."""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = DATA_DIR / "raw"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJ_ROOT / "reports"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"

#: Environment variable pointing at the shared test data (``../shared``); integration tests
#: and benchmarks read the real corpora and gold sets through it, never through a fixed path.
TEST_DATA_ENV = "ANALYSIS_TEST_DATA"

#: Seed used wherever randomness is involved (MinHash, bootstrap, sampling).
SEED = 20220224


def test_data_dir() -> Path | None:
    """The shared data directory from ``ANALYSIS_TEST_DATA``, or None when unset or missing."""
    value = os.environ.get(TEST_DATA_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None
