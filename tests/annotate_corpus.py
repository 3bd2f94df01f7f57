"""A small SYNTHETIC corpus.parquet for the annotation tests (texts written for the tests).

Follows docs/data-contract.md (corpus columns and types). Texts mix what the engine must
handle: typographic apostrophes, guillemets with non-breaking spaces, hyphenated compounds,
war-coverage names and their variants, an empty text and a text without letters.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.ids import make_doc_id

SYNTHETIC_TEXTS = [
    "L’état-major ukrainien affirme que les attaques russes contre Bakhmout sont repoussées. Le président Volodymyr Zelensky s’est rendu sur le front.",
    "Vladimir Poutine a réuni son Conseil de sécurité au Kremlin. Selon l’ISW, le groupe Wagner a subi de lourdes pertes près de Soledar.",
    "« Nous tiendrons\u00a0», a déclaré Zelenski à Kiev. Le cessez-le-feu n’a pas été respecté à Kharkiv-Est.",
    "Les bombardements ont fait au moins 12 morts à Marioupol, selon les autorités locales. L’OTAN condamne ces frappes.",
    "La Cour pénale internationale a émis un mandat d’arrêt contre Poutine. Le Kremlin dénonce une décision « nulle et non avenue ».",
    "",
    "2022 — 2023 : 45 %, 12 000.",
    "Le ministre Dmytro Kuleba a rencontré ses homologues européens à Bruxelles. Kuleba a demandé davantage d’armes.",
    "Une victoire magnifique et heureuse pour les défenseurs de Mykolaïv. La population célèbre la libération de Kherson.",
    "Les forces russes reculent dans la région de Louhansk. Une contre-offensive est en cours près de Lyman et d’Izioum.",
    "Volodymyr Omelyan, ancien ministre, a déclaré que les combats restaient intenses. Omelyan appelle à l’aide.",
    "Le Pentagone annonce une nouvelle aide militaire pour l’Ukraine. Washington livrera des munitions d’artillerie.",
]


def synthetic_corpus(texts: list[str] | None = None) -> pd.DataFrame:
    """The synthetic corpus table (contract columns and dtypes)."""
    texts = SYNTHETIC_TEXTS if texts is None else texts
    n = len(texts)
    urls = [f"https://example.org/synthetic/{i}.html" for i in range(n)]
    df = pd.DataFrame(
        {
            "doc_id": [make_doc_id(url=u) for u in urls],
            "date": pd.date_range("2022-03-01", periods=n, freq="D", tz="UTC").astype("datetime64[us, UTC]"),
            "source": "Synthetic",
            "section": pd.Series([None] * n, dtype="str"),
            "title": [f"Titre {i}" for i in range(n)],
            "text": texts,
            "url": urls,
            "lang": "fr",
            "n_words": pd.Series([len(f"Titre {i}".split()) + len(t.split()) for i, t in enumerate(texts)], dtype="int32"),
            "duplicate_of": pd.Series([None] * n, dtype="str"),
            "origin_file": "synthetic.jsonl",
            "origin_record": [str(i + 1) for i in range(n)],
        }
    )
    return df.sort_values(["date", "doc_id"]).reset_index(drop=True)


def write_corpus(processed: Path, texts: list[str] | None = None) -> pd.DataFrame:
    processed.mkdir(parents=True, exist_ok=True)
    df = synthetic_corpus(texts)
    df.to_parquet(processed / "corpus.parquet", index=False)
    return df
