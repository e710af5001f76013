"""Order-aware alignment helpers: report sections and lists follow the sub-question order.

* :func:`monotone_align` — rubrics ↔ sub-questions (both in document order; either side may skip);
* :func:`monotone_segment` — a run of narrative sentences cut into consecutive sub-question sections;
* :func:`order_marginals` — posterior over sub-questions of a list of findings whose labels tend to go
  forward (a soft penalty for stepping back), by forward–backward.

>>> import numpy as np
>>> monotone_align(np.array([[5., 0., 0.], [0., 0., 4.]]), min_score=1.0)
[(0, 0), (1, 2)]
>>> monotone_segment(np.array([[2., 0.], [1., 0.5], [0., 3.]]), switch_cost=0.2).tolist()
[0, 0, 1]
>>> P = order_marginals(np.log(np.array([[.9, .1], [.5, .5]])), back_penalty=5.0)
>>> bool(P[1, 1] > P[1, 0])
True
"""
from __future__ import annotations

import numpy as np


def monotone_align(S: np.ndarray, min_score: float = 0.0) -> list[tuple[int, int]]:
    """Order-preserving one-to-one alignment of rows to columns maximising the summed ``S - min_score``
    over aligned pairs (pairs below ``min_score`` are never taken).  Returns ``[(row, col), ...]``."""
    m, n = S.shape
    G = S - min_score
    D = np.zeros((m + 1, n + 1))
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            diag = D[i - 1, j - 1] + G[i - 1, j - 1] if G[i - 1, j - 1] > 0 else -np.inf
            D[i, j] = max(D[i - 1, j], D[i, j - 1], diag)
    out, i, j = [], m, n
    while i > 0 and j > 0:
        if G[i - 1, j - 1] > 0 and np.isclose(D[i, j], D[i - 1, j - 1] + G[i - 1, j - 1]):
            out.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif np.isclose(D[i, j], D[i - 1, j]):
            i -= 1
        else:
            j -= 1
    return out[::-1]


def monotone_segment(E: np.ndarray, switch_cost: float = 1.0) -> np.ndarray:
    """Label each row (sentence) with a column (section) so that labels never decrease, maximising the
    summed emission ``E[i, label_i]`` minus ``switch_cost`` per change (Viterbi).  Sections may be skipped."""
    n, k = E.shape
    if n == 0:
        return np.zeros(0, int)
    V = np.full((n, k), -np.inf)
    B = np.zeros((n, k), int)
    V[0] = E[0]
    for i in range(1, n):
        best_prev = np.maximum.accumulate(V[i - 1])          # best over labels <= s
        arg_prev = np.array([int(np.argmax(V[i - 1][: s + 1])) for s in range(k)])
        stay = V[i - 1]
        move = np.concatenate([[-np.inf], best_prev[:-1]]) - switch_cost
        move_arg = np.concatenate([[0], arg_prev[:-1]])
        take_stay = stay >= move
        V[i] = np.where(take_stay, stay, move) + E[i]
        B[i] = np.where(take_stay, np.arange(k), move_arg)
    labels = np.zeros(n, int)
    labels[-1] = int(np.argmax(V[-1]))
    for i in range(n - 1, 0, -1):
        labels[i - 1] = B[i, labels[i]]
    return labels


def order_marginals(L: np.ndarray, back_penalty: float = 1.0) -> np.ndarray:
    """Posterior marginals of a chain whose states are column indices, emission log-scores ``L`` (n, k),
    and transitions that cost ``back_penalty`` (log units) per step backwards (staying/forward are free)."""
    n, k = L.shape
    if n == 0:
        return np.zeros((0, k))
    idx = np.arange(k)
    logT = -back_penalty * np.clip(idx[:, None] - idx[None, :], 0, None)   # from row state to column state
    logT = logT - np.logaddexp.reduce(logT, axis=1, keepdims=True)
    fwd = np.zeros((n, k))
    fwd[0] = L[0] - np.logaddexp.reduce(L[0])
    for i in range(1, n):
        fwd[i] = np.logaddexp.reduce(fwd[i - 1][:, None] + logT, axis=0) + L[i]
        fwd[i] -= np.logaddexp.reduce(fwd[i])
    bwd = np.zeros((n, k))
    for i in range(n - 2, -1, -1):
        bwd[i] = np.logaddexp.reduce(logT + (L[i + 1] + bwd[i + 1])[None, :], axis=1)
        bwd[i] -= np.logaddexp.reduce(bwd[i])
    post = fwd + bwd
    post -= np.logaddexp.reduce(post, axis=1, keepdims=True)
    return np.exp(post)
