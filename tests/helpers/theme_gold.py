"""Gold findings as a findings DataFrame, and the theme-scoring figures of ``theme_eval.py``.

The gold is a measuring stick only: the library never reads it.  The scoring here is a copy of
the small part of ``shared/tools/eval/theme_eval.py`` that the tests need (pair P/R/F1 over
cross-municipality pairs, ARI and NMI with unassigned findings as singletons).  Because the
DataFrame is built from the gold itself, findings align one-to-one by (file, area, index).

>>> from tests.helpers.theme_gold import GOLD_DIR, gold_findings_frame
>>> df = gold_findings_frame(GOLD_DIR)
>>> sorted(df["municipality"].unique())
['Nacka', 'Norrtälje', 'Upplands-Bro', 'Östhammar']
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

GOLD_DIR = Path(__file__).resolve().parents[1] / "data" / "gold"
REPORT_FILES = ("nacka_2021.gold.json", "norrtalje_2018.gold.json", "osthammar_2017.gold.json",
                "upplands-bro_2011.gold.json")


def gold_findings_frame(gold_dir: Path = GOLD_DIR) -> pd.DataFrame:
    """The findings of the gold report files, with the columns the reader produces plus ``file``."""
    rows = []
    for name in REPORT_FILES:
        rep = json.loads((Path(gold_dir) / name).read_text(encoding="utf-8"))
        slug = name.split(".")[0]
        for area in rep["areas"]:
            for idx, f in enumerate(area["findings"]):
                rows.append(dict(
                    report_id=slug, municipality=rep["municipality"], year=int(rep["year"]),
                    framework=rep["framework"], area=int(area["number"]), area_title=area["title"],
                    kind=f["kind"], text=f["text"], heading=f.get("heading"), finding_index=idx,
                    start=None, end=None, page=None, source=rep.get("source_file"), file=name))
    return pd.DataFrame(rows)


def gold_labels(findings: pd.DataFrame, gold_dir: Path = GOLD_DIR) -> tuple[np.ndarray, np.ndarray]:
    """(primary, secondary) gold theme ids aligned to ``findings`` rows; -1 = singleton / none."""
    data = json.loads((Path(gold_dir) / "themes.gold.json").read_text(encoding="utf-8"))
    by_key = {(a["file"], int(a["area"]), int(a["index"])): a for a in data["assignments"]}
    ids: dict[str, int] = {}
    prim, sec = [], []
    for file, area, idx in zip(findings["file"], findings["area"], findings["finding_index"]):
        a = by_key[(file, int(area), int(idx))]
        prim.append(-1 if a["theme"] == "singleton" else ids.setdefault(a["theme"], len(ids)))
        s = a.get("secondary")
        sec.append(ids.setdefault(s, len(ids)) if s else -1)
    return np.array(prim), np.array(sec)


def _with_singletons(arr: np.ndarray) -> np.ndarray:
    out = arr.copy()
    nxt = int(arr.max()) + 1 if len(arr) else 0
    for k in np.where(arr < 0)[0]:
        out[k] = nxt
        nxt += 1
    return out


def score_themes(municipality: Sequence[str], gold: np.ndarray, pred: Sequence[int]) -> dict[str, float]:
    """theme_eval's headline figures: pair P/R/F1 (cross-municipality pairs), ARI, NMI, unthemed share."""
    mun = np.asarray(municipality)
    pred = np.asarray(pred, int)
    i, j = np.triu_indices(len(gold), 1)
    keep = mun[i] != mun[j]
    i, j = i[keep], j[keep]
    gpos = (gold[i] == gold[j]) & (gold[i] >= 0)
    ppos = (pred[i] == pred[j]) & (pred[i] >= 0)
    tp = int((gpos & ppos).sum())
    p = tp / ppos.sum() if ppos.sum() else 0.0
    r = tp / gpos.sum() if gpos.sum() else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    gs, ps = _with_singletons(gold), _with_singletons(pred)
    return dict(p=float(p), r=float(r), f1=float(f1), ari=float(adjusted_rand_score(gs, ps)),
                nmi=float(normalized_mutual_info_score(gs, ps)), unthemed=float((pred < 0).mean()),
                n_themes=int(len(set(pred[pred >= 0].tolist()))))
