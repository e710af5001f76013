"""Swedish text handling for themes: directive stripping, lemmas, compound-aware tokens.

An improvement is usually worded as a recommendation ("Utveckla resultatorienterade chefskontrakt",
"Fortsätt arbetet med resultatkontrakt"), a strength as a noun phrase ("Chefskontrakt").  Before a
finding is embedded, :func:`core_text` strips the opening directive so that both land together.
What counts as a directive is decided by general Swedish cues, never by strings from a report:

* morphology, via simplemma: a leading word that is a verb's infinitive (``utveckla``: its present
  tense ``utvecklar`` lemmatises back to it) or its imperative (``säkerställ`` = ``säkerställa``
  minus ``-a``), and comparative adjectives (``tydligare``);
* a small data file, ``kompasstext/lang/sv/directives.txt``, with hedges ("i större utsträckning"),
  particles ("över", "fram") and the few verbs morphology can't tell apart.

>>> core_text("Fortsätt utveckla analysen i den rapporterade uppföljningen")
'analysen i den rapporterade uppföljningen'
>>> core_text("Se över koncernstyrningen utifrån styrmodellen")
'koncernstyrningen utifrån styrmodellen'
>>> core_text("Chefsforum är en plattform för diskussioner")
'Chefsforum är en plattform för diskussioner'
>>> lemma_tokens("Resultatkontrakt till samtliga chefer")
['resultatkontrakt', 'kontrakt', 'samtlig', 'chef']
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import simplemma

from ..lang.sv.morphology import lemma

LANG_DIR = Path(__file__).resolve().parents[1] / "lang" / "sv"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_LEAD = re.compile(r"^[\s\W\d_]+", re.UNICODE)
#: a compound's head is only split off when both parts are at least this long
MIN_PART = 4


def _read_list(name: str) -> list[str]:
    lines = (LANG_DIR / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip().lower() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """Swedish stop words (``lang/sv/stopwords.txt``)."""
    return frozenset(_read_list("stopwords.txt"))


@lru_cache(maxsize=None)
def directive_openers() -> tuple[tuple[str, ...], ...]:
    """Hedges, particles and verbs of ``lang/sv/directives.txt`` as word tuples, longest first."""
    return tuple(sorted((tuple(e.split()) for e in _read_list("directives.txt")), key=len, reverse=True))


@lru_cache(maxsize=65536)
def is_directive_verb(word: str) -> bool:
    """True for a verb's infinitive or imperative form (``utveckla``, ``säkerställ``, ``fortsätt``).

    A form counts as a verb when its present tense lemmatises back to the infinitive: ``-a`` forms
    with ``-ar`` (``utvecklar``) or ``-er`` (``följer``); consonant-final imperatives whose lemma is
    the form plus ``-a`` and whose ``-er`` present (or the form itself, for r-stems such as
    ``tydliggör``) lemmatises to it.  Nouns such as ``chefskontrakt``, ``guide`` (plural ``guider``)
    or ``fas`` (plural ``faser``) fail the test.

    >>> [is_directive_verb(w) for w in ("utveckla", "säkerställ", "tydliggör", "guide", "kommunen")]
    [True, True, True, False, False]
    """
    w = word.lower()
    if len(w) < 3 or not w.isalpha():
        return False
    known = lambda form: simplemma.is_known(form, lang="sv")  # noqa: E731
    if w.endswith("a"):  # infinitive, = imperative of -a verbs: utveckla, stötta, följa
        return any(known(f) and lemma(f) == w for f in (w + "r", w[:-1] + "er"))
    if w[-1] in "eiouyåäö":
        return False  # short verbs (se, ta, gör ...) are listed in directives.txt
    inf = w + "a"  # imperative of a consonant-stem verb: säkerställ(a), fortsätt(a), tydliggör(a)
    if lemma(w) != inf:
        return False
    return w.endswith("r") or (known(w + "er") and lemma(w + "er") == inf)


def _is_comparative(word: str) -> bool:
    w = word.lower()
    return len(w) > 5 and w.endswith("are") and lemma(w) != w and w.startswith(lemma(w)[:-1])


@lru_cache(maxsize=None)
def _openers_by_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """:func:`directive_openers` indexed by their first word (longest first within a word)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for entry in directive_openers():
        out.setdefault(entry[0], []).append(entry)
    return {w: tuple(v) for w, v in out.items()}


@lru_cache(maxsize=1 << 18)
def core_text(text: str) -> str:
    """``text`` without its opening directive verbs, hedges and particles (see module doc).

    Stripping stops at the first content word and never empties the text; coordinated verbs
    ("Utvärdera och vidareutveckla", "Premiera/synliggör") are stripped together.
    """
    spans = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
    openers = _openers_by_word()
    k = 0
    while k < len(spans) - 1:
        for entry in openers.get(spans[k][2], ()):
            n = len(entry)
            if k + n < len(spans) and tuple(s[2] for s in spans[k:k + n]) == entry:
                k += n
                break
        else:
            w = spans[k][2]
            original = text[spans[k][0]:spans[k][1]]
            if not original.isupper() and (is_directive_verb(w) or _is_comparative(w)):
                k += 1
                continue
            break
    if k == 0:
        return text.strip()
    rest = _LEAD.sub("", text[spans[k][0]:]).strip()
    return rest or text.strip()


@lru_cache(maxsize=65536)
def split_compound(word: str) -> tuple[str, str] | None:
    """``(modifier, head)`` of a closed Swedish compound the lemmatiser doesn't know, else None.

    The head is the longest known word at the end (``chefskontrakt`` -> ``chefs`` + ``kontrakt``),
    with a linking ``-s-`` kept on the modifier.
    """
    w = word.lower()
    if simplemma.is_known(w, lang="sv") or len(w) < 2 * MIN_PART:
        return None
    for cut in range(MIN_PART, len(w) - MIN_PART + 1):
        head = w[cut:]
        if simplemma.is_known(head, lang="sv") or simplemma.is_known(lemma(head), lang="sv"):
            return w[:cut], head
    return None


def lemma_tokens(text: str, *, heads: bool = True) -> list[str]:
    """Content lemmas of ``text`` (stop words dropped); with ``heads`` a compound's head follows it.

    Compounds make "resultatkontrakt" and "chefskontrakt" share the token ``kontrakt``.
    """
    return list(_lemma_tokens(text, heads))


@lru_cache(maxsize=1 << 17)
def _lemma_tokens(text: str, heads: bool) -> tuple[str, ...]:
    stop = stopwords()
    out: list[str] = []
    for m in WORD.finditer(text):
        w = m.group().lower()
        lem = lemma(w)
        if len(w) < 2 or w in stop or lem in stop:
            continue
        out.append(lem)
        if heads:
            parts = split_compound(lem)
            if parts:
                head = lemma(parts[1])
                if head not in stop:
                    out.append(head)
    return tuple(out)
