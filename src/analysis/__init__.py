"""analysis: reproducible analysis of French-language war coverage.

Pipeline: raw articles -> ``corpus.parquet`` (:mod:`analysis.corpus`) -> annotation tables
(:mod:`analysis.annotate`) -> analyses (:mod:`analysis.frequency`, :mod:`analysis.keyness`,
:mod:`analysis.trends`, :mod:`analysis.entities`, :mod:`analysis.sentiment`) -> plots and reports.
The tables between stages are documented in ``docs/data-contract.md``.
"""

__version__ = "0.1.0"
