"""The boundary model (a logistic regression over gap features, stored as JSON weights) and the
whole-list decoder.

Training (``kompasstext.segmentation.train``) fits the model on lists whose items are explicitly
delimited (bullets, ``<p>`` cells, markdown items, table rows), flattened the way PDF transcripts
flatten them.  The model gives, for a gap and the token where the current item began, the probability
that a new item starts at the gap: a hazard over item lengths.  Decoding does not walk the gaps
greedily: :func:`decode` scores every segmentation of the list (a semi-Markov chain over item starts)
and returns the most probable one, with each gap's posterior boundary probability (forward-backward)
as its confidence.  Linguistic constraints (:func:`~.features.must_continue`) are hard: a gap inside
brackets, after a comma or after a function word is never a boundary.

>>> model = BoundaryModel.load()
>>> [t for t in split_text("Tydlig vision Utveckla rutiner för uppföljning", model=model)]
['Tydlig vision', 'Utveckla rutiner för uppföljning']
"""
from __future__ import annotations

import contextvars
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from .features import (ListContext, NameEvidence, Token, gap_state, gap_static, is_candidate, must_continue,
                       must_split, tokenize)

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "data" / "boundary_model.json"
_NEG = -1e9  # log of an impossible event


@dataclass
class BoundaryModel:
    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"BoundaryModel({len(self.weights)} weights, trained on {self.meta.get('n_gaps', '?')} gaps)"

    def z(self, feats: dict[str, float]) -> float:
        return sum(self.weights.get(k, 0.0) * v for k, v in feats.items())

    def proba(self, feats: dict[str, float]) -> float:
        return _sigmoid(self.z(feats))

    def save(self, path: str | Path = DEFAULT_WEIGHTS) -> None:
        data = {"threshold": self.threshold, "meta": self.meta,
                "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())}}
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "BoundaryModel":
        """The model at ``path``; by default the one set by :func:`use_model`, else the shipped weights."""
        if path is None and _ACTIVE.get() is not None:
            return _ACTIVE.get()
        return _load_cached(str(path or DEFAULT_WEIGHTS))


_ACTIVE: contextvars.ContextVar[BoundaryModel | None] = contextvars.ContextVar("kompass_boundary_model",
                                                                               default=None)


@contextmanager
def use_model(model: BoundaryModel) -> Iterator[BoundaryModel]:
    """Decode with ``model`` instead of the shipped weights inside the ``with`` block (e.g. a model
    trained without the report being read, for out-of-sample evaluation)."""
    token = _ACTIVE.set(model)
    try:
        yield model
    finally:
        _ACTIVE.reset(token)


@lru_cache(maxsize=4)
def _load_cached(path: str) -> BoundaryModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return BoundaryModel(weights=data["weights"], threshold=data.get("threshold", 0.5), meta=data.get("meta", {}))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _break_tokens(tokens: list[Token], breaks) -> frozenset[int]:
    offs = set(breaks or ())
    return frozenset(i for i, t in enumerate(tokens) if t.start in offs)


def walk_gaps(tokens: list[Token], names: NameEvidence, decide: Callable[[int, dict[str, float]], bool], *,
              breaks=()) -> None:
    """Visit the candidate gaps left to right with the current item's start known: ``decide(i, feats)``
    says whether an item starts at ``tokens[i]`` (the label when training)."""
    ctx = ListContext(tokens, names, breaks=_break_tokens(tokens, breaks))
    first = 0
    for i in range(1, len(tokens)):
        if not is_candidate(tokens[i]):
            continue
        static = gap_static(ctx, i)
        if decide(i, {**static, **gap_state(ctx, i, first, static)}):
            first = i


def decide_gap(model: BoundaryModel, feats: dict[str, float]) -> float:
    """Boundary probability of a gap: the linguistic constraints first, then the model."""
    return 0.0 if must_continue(feats) else 1.0 if must_split(feats) else model.proba(feats)


@dataclass(frozen=True)
class Segmentation:
    """The decoded items of a run-on list: token indices where items start, and per candidate gap the
    posterior probability that an item starts there."""

    tokens: list[Token]
    starts: tuple[int, ...]
    posterior: dict[int, float]

    def cuts(self) -> list[int]:
        """Character offsets where a new item starts (the first item's start excluded)."""
        return [self.tokens[i].start for i in self.starts[1:]]

    def item_confidence(self) -> list[float]:
        """Per item: the probability that it is exactly one item (its two boundaries hold and no gap
        inside it is a boundary), from the posterior of each gap taken on its own."""
        out = []
        bounds = list(self.starts) + [len(self.tokens)]
        for a, b in zip(bounds, bounds[1:]):
            conf = 1.0
            if a > 0:
                conf = min(conf, self.posterior.get(a, 1.0))
            if b < len(self.tokens):
                conf = min(conf, self.posterior.get(b, 1.0))
            inner = [self.posterior[g] for g in self.posterior if a < g < b]
            if inner:
                conf = min(conf, 1.0 - max(inner))
            out.append(round(conf, 4))
        return out


def _logaddexp(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    return a if b <= _NEG / 2 else a + math.log1p(math.exp(b - a))


#: no item is longer than this many words when another segmentation exists (keeps decoding linear in the
#: list's length: a run-on block that never ends is decoded in bounded windows)
MAX_ITEM_WORDS = 200


def _transitions(starts, cands, n, logs, window):
    """For each item start ``j``: ``[(i, log P(next item starts at i))]`` and the log-probability that the
    item runs to the end; items of at most ``window`` words (``None``: any length)."""
    import bisect

    trans: dict[int, list[tuple[int, float]]] = {}
    tail: dict[int, float] = {}
    for j in starts:
        cum, out = 0.0, []
        for i in cands[bisect.bisect_right(cands, j):]:
            if window is not None and i - j > window:
                cum = _NEG
                break
            lp, lq = logs(j, i)
            out.append((i, cum + lp))
            cum += lq
            if cum <= _NEG / 2:
                break
        if window is not None and cum > _NEG / 2 and n - j > window:
            cum = _NEG  # running to the end would make an item longer than the window
        trans[j] = out
        tail[j] = cum if cum > _NEG / 2 else _NEG
    return trans, tail


def _has_path(starts, trans, tail) -> bool:
    reach = {starts[0]}
    for j in starts:
        if j in reach:
            if tail[j] > _NEG / 2:
                return True
            reach.update(i for i, lw in trans[j] if lw > _NEG / 2)
    return False


def decode(text: str, *, model: BoundaryModel, names: NameEvidence | None = None, breaks=(),
           forced: frozenset[int] = frozenset(), forbidden: frozenset[int] = frozenset(),
           window: int | None = MAX_ITEM_WORDS) -> Segmentation:
    """The most probable segmentation of the run-on list ``text`` and each gap's posterior.

    ``breaks``: character offsets of tokens that follow a page break; ``forced`` / ``forbidden``:
    character offsets where an analyst has said an item does / does not start.
    """
    tokens = tokenize(text)
    n = len(tokens)
    if n == 0:
        return Segmentation(tokens, (), {})
    ctx = ListContext(tokens, names or NameEvidence(""), breaks=_break_tokens(tokens, breaks))
    cands = [i for i in range(1, n) if is_candidate(tokens[i]) or tokens[i].start in forced]
    static = {i: gap_static(ctx, i) for i in cands}
    zs = {i: model.z(static[i]) for i in cands}
    hard = {}
    for i in cands:
        off = tokens[i].start
        if off in forced:
            hard[i] = 1.0
        elif off in forbidden or must_continue(static[i]):
            hard[i] = 0.0
        elif must_split(static[i]):
            hard[i] = 1.0
    starts = [0] + cands

    def logs(j: int, i: int) -> tuple[float, float]:
        """(log p, log 1-p) of an item start at gap ``i`` when the current item began at ``j``."""
        h = hard.get(i)
        if h is None:
            st = gap_state(ctx, i, j, static[i])
            if "apposition" in st or "lone_verb" in st:
                return _NEG, 0.0
            z = zs[i] + model.z(st)
            # log sigmoid(z), log sigmoid(-z), stably
            return -_softplus(-z), -_softplus(z)
        return (0.0, _NEG) if h == 1.0 else (_NEG, 0.0)

    # trans[j] = list of (i, log p(i | j), cumulative log(1-p) of the gaps strictly between j and i)
    # and the log-probability of the item running from j to the end
    trans, tail = _transitions(starts, cands, n, logs, window)
    if window is not None and not _has_path(starts, trans, tail):
        trans, tail = _transitions(starts, cands, n, logs, None)  # the constraints allow no short items
    # forward (sum and max) over item starts in text order
    alpha = {j: _NEG for j in starts}
    best = {j: (_NEG, -1) for j in starts}
    alpha[0], best[0] = 0.0, (0.0, -1)
    for j in starts:
        if alpha[j] <= _NEG / 2:
            continue
        for i, lw in trans[j]:
            alpha[i] = _logaddexp(alpha[i], alpha[j] + lw)
            if best[j][0] + lw > best[i][0]:
                best[i] = (best[j][0] + lw, j)
    z_total, end_best, end_from = _NEG, _NEG, 0
    for j in starts:
        z_total = _logaddexp(z_total, alpha[j] + tail[j])
        if best[j][0] + tail[j] > end_best:
            end_best, end_from = best[j][0] + tail[j], j
    # backward
    beta = {j: tail[j] for j in starts}
    for j in reversed(starts):
        acc = tail[j]
        for i, lw in trans[j]:
            acc = _logaddexp(acc, lw + beta[i])
        beta[j] = acc
    posterior = {}
    for i in cands:
        v = alpha[i] + beta[i] - z_total if z_total > _NEG / 2 else _NEG
        posterior[i] = 0.0 if v <= _NEG / 2 else min(1.0, math.exp(v))
    path, j = [], end_from
    while j != -1:
        path.append(j)
        j = best[j][1]
    return Segmentation(tokens, tuple(reversed(path)), posterior)


def _softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def boundaries(text: str, *, model: BoundaryModel, names: NameEvidence | None = None, breaks=(),
               return_proba: bool = False) -> list[int] | list[tuple[int, float]]:
    """Character offsets in ``text`` where a new item starts (the first item's start excluded);
    ``return_proba=True`` pairs each with its posterior probability."""
    from .overrides import active_overrides

    ov = active_overrides()
    forced, forbidden = ov.constraints(text) if ov else (frozenset(), frozenset())
    seg = decode(text, model=model, names=names, breaks=breaks, forced=forced, forbidden=forbidden)
    if return_proba:
        return [(seg.tokens[i].start, round(seg.posterior.get(i, 1.0), 4)) for i in seg.starts[1:]]
    return seg.cuts()


def split_text(text: str, *, model: BoundaryModel | None = None, names: NameEvidence | None = None) -> list[str]:
    """Split a run-on list into item strings."""
    model = model or BoundaryModel.load()
    cuts = [0] + boundaries(text, model=model, names=names) + [len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
