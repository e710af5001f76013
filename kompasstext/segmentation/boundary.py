"""The boundary model: a logistic regression over gap features, stored as JSON weights.

Training (``kompasstext.segmentation.train``) fits it on lists whose items are explicitly delimited
(bullets, ``<p>`` cells, markdown items, table rows), flattened the way PDF transcripts flatten them.
Decoding walks the gaps left to right, so the "words in the current item" feature sees the items
already decided.

>>> model = BoundaryModel.load()
>>> [t for t in split_text("Tydlig vision Utveckla rutiner för uppföljning", model=model)]
['Tydlig vision', 'Utveckla rutiner för uppföljning']
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .features import (NameEvidence, Token, gap_features, is_candidate, list_style, must_continue, must_split,
                       tokenize)

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "data" / "boundary_model.json"


@dataclass
class BoundaryModel:
    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    def proba(self, feats: dict[str, float]) -> float:
        z = sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: str | Path = DEFAULT_WEIGHTS) -> None:
        data = {"threshold": self.threshold, "meta": self.meta,
                "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())}}
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "BoundaryModel":
        return _load_cached(str(path or DEFAULT_WEIGHTS))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> BoundaryModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return BoundaryModel(weights=data["weights"], threshold=data.get("threshold", 0.5), meta=data.get("meta", {}))


def walk_gaps(tokens: list[Token], names: NameEvidence, decide: Callable[[int, dict[str, float]], bool]) -> None:
    """Visit the candidate gaps left to right, keeping the "current item" state; ``decide(i, feats)`` says
    whether an item starts at ``tokens[i]`` (the model when decoding, the label when training)."""
    since, first = 1, 0
    style = list_style(tokens)
    for i in range(1, len(tokens)):
        if not is_candidate(tokens[i]):
            since += 1
            continue
        feats = gap_features(tokens, i, words_since=since, names=names, item_first=tokens[first].text, style=style)
        if decide(i, feats):
            since, first = 1, i
        else:
            since += 1


def decide_gap(model: BoundaryModel, feats: dict[str, float]) -> float:
    """Boundary probability of a gap: the linguistic constraints first, then the model."""
    return 0.0 if must_continue(feats) else 1.0 if must_split(feats) else model.proba(feats)


def boundaries(text: str, *, model: BoundaryModel, names: NameEvidence | None = None,
               return_proba: bool = False) -> list[int] | list[tuple[int, float]]:
    """Character offsets in ``text`` where a new item starts (the first item's start excluded)."""
    toks = tokenize(text)
    out: list[tuple[int, float]] = []

    def decide(i: int, feats: dict[str, float]) -> bool:
        p = decide_gap(model, feats)
        if p >= model.threshold:
            out.append((toks[i].start, p))
            return True
        return False

    walk_gaps(toks, names or NameEvidence(""), decide)
    return out if return_proba else [s for s, _ in out]


def split_text(text: str, *, model: BoundaryModel | None = None, names: NameEvidence | None = None) -> list[str]:
    """Split a run-on list into item strings."""
    model = model or BoundaryModel.load()
    cuts = [0] + boundaries(text, model=model, names=names) + [len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
