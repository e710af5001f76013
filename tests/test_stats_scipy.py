"""The theme × score statistics (BH and bootstrap on scipy.stats, the permutation p-value as numpy
products) give the figures of the hand-written versions they replace (kept here as the reference)."""
from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np
import pytest

from kompasstext.links.stats import bh_adjust, bootstrap_ci, permutation_pvalue


def ref_bh(p):
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    pv = p[ok]
    order = np.argsort(pv, kind="stable")
    ranked = np.minimum.accumulate((pv[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = np.clip(ranked, 0, 1)
    out[ok] = adj
    return out


def ref_perm_exact(a, b):
    pooled = np.concatenate([a, b])
    n, k = len(pooled), len(a)
    obs = abs(a.mean() - b.mean())
    tol = 1e-9 * max(1.0, obs)
    total = pooled.sum()
    hits = count = 0
    for idx in combinations(range(n), k):
        sa = pooled[list(idx)].sum()
        hits += abs(sa / k - (total - sa) / (n - k)) >= obs - tol
        count += 1
    return hits / count


def ref_boot(a, b, n_boot=4000, seed=0):
    rng = np.random.default_rng(seed)
    da = rng.choice(a, size=(n_boot, len(a)), replace=True).mean(axis=1)
    db = rng.choice(b, size=(n_boot, len(b)), replace=True).mean(axis=1)
    return tuple(np.quantile(da - db, [0.025, 0.975]))


CASES = [(np.array([70.0, 60, 80]), np.array([30.0, 40, 35])),
         (np.array([50.0, 55, 48, 61, 70]), np.array([52.0, 47, 60, 58])),
         (np.array([10.0, 10, 10]), np.array([10.0, 12])),
         (np.array([80.0, 75, 90, 66, 71, 85]), np.array([40.0, 45, 62, 50, 58, 49])),
         (np.array([70.0]), np.array([30.0, 40, 35, 52])),
         (np.array([70.0, 20, 45]), np.array([30.0]))]


def test_bh_is_the_same():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 30))
        p[rng.random(len(p)) < 0.1] = np.nan
        np.testing.assert_allclose(bh_adjust(p), ref_bh(p), equal_nan=True, atol=1e-12)


@pytest.mark.parametrize("a,b", CASES)
def test_exact_permutation_p_is_the_same(a, b):
    assert comb(len(a) + len(b), len(a)) <= 10000
    assert permutation_pvalue(a, b) == pytest.approx(ref_perm_exact(a, b), abs=1e-12)


def test_random_permutation_p_is_close_and_seeded():
    a = np.arange(10, dtype=float) + 4
    b = np.arange(10, dtype=float)
    exact = ref_perm_exact(a, b)  # C(20, 10) relabellings, enumerated once for the reference
    p = permutation_pvalue(a, b, n_perm=5000, seed=3)
    assert p == permutation_pvalue(a, b, n_perm=5000, seed=3)
    assert abs(p - exact) < 0.01


@pytest.mark.parametrize("a,b", CASES)
def test_bootstrap_interval_is_close(a, b):
    lo, hi = bootstrap_ci(a, b, n_boot=4000, seed=0)
    rlo, rhi = ref_boot(a, b)
    spread = max(abs(a.mean() - b.mean()), np.std(np.concatenate([a, b])), 1.0)
    assert abs(lo - rlo) < 0.1 * spread and abs(hi - rhi) < 0.1 * spread
    assert bootstrap_ci(a, b, seed=5) == bootstrap_ci(a, b, seed=5)
