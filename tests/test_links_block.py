"""The corpus pass's blocked scoring (``LinkWeights.corpus_block``): at archive scale each finding's
lexical similarity is computed for its nearest candidate texts by the embedding only.  On the bundled
corpus no group has more candidate texts than the default block, so the pass is exact there; a block
smaller than the groups must keep the kept columns' scores exact and the links close to the exact ones."""
from __future__ import annotations

import numpy as np

from kompasstext.links import link_findings
from kompasstext.links.linker import LinkWeights, _Linker


def _linker(corpus, **kw):
    lk = _Linker(list(corpus.reports), use_narrative=True, embedder=None, use_embeddings=True,
                 weights=LinkWeights(**kw))
    lk.first_pass()
    return lk


def test_blocked_scores_equal_exact_on_kept_columns(corpus):
    lk = _linker(corpus)
    texts = [f.text for r in corpus.reports for a in r.areas for f in a.findings]
    cands = list(dict.fromkeys(" ".join(t.split()) for t in texts[::3]))
    ftexts = list(dict.fromkeys(" ".join(t.split()) for t in texts[1::3]))[:40]
    rows = lk.sim._rows(cands)
    E_u, T_uT = lk.sim.E[rows], lk.sim.T[rows].T.tocsr()
    exact = lk._conf_scores(ftexts, E_u, T_uT, block=0)
    blocked = lk._conf_scores(ftexts, E_u, T_uT, block=16)
    kept = np.isfinite(blocked)
    assert (kept.sum(axis=1) == 16).all() and len(cands) > 16
    np.testing.assert_allclose(blocked[kept], exact[kept], rtol=0, atol=1e-9)
    # the kept columns are each finding's 16 nearest by the embedding
    sem = lk.sim.E[lk.sim._rows(ftexts)] @ E_u.T
    for r in range(len(ftexts)):
        assert set(np.where(kept[r])[0]) == set(np.argsort(-sem[r], kind="stable")[:16]) or \
            np.isclose(np.sort(sem[r])[::-1][15], np.sort(sem[r])[::-1][16])


def test_default_block_is_exact_on_the_bundled_corpus(corpus):
    exact = link_findings(corpus, weights=LinkWeights(corpus_block=0))
    default = link_findings(corpus)
    assert (exact["subquestion"] == default["subquestion"]).all()
    assert np.allclose(exact["link_confidence"], default["link_confidence"])


def test_a_small_block_stays_close_to_the_exact_pass(corpus):
    exact = link_findings(corpus, weights=LinkWeights(corpus_block=0))
    small = link_findings(corpus, weights=LinkWeights(corpus_block=8))
    same = (exact["subquestion"] == small["subquestion"]).mean()
    assert same >= 0.95, same
    assert not (small["link_confidence"].to_numpy() == exact["link_confidence"].to_numpy()).all()
