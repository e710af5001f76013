"""Evidence for item boundaries in a run-on list: tokens, report-level name evidence, and gap features.

A *gap* is the whitespace before a token that could start an item (a capital letter, a digit or an
opening quote).  Each gap gets a sparse feature dict built only from general cues: punctuation and
abbreviations at the left, function words (Swedish stop words), word shape, verb morphology from the
simplemma lemma (imperatives such as *Utveckla*, *Tydliggör*), the length of the current item, and
whether the report's own prose uses the right word as a name (capitalised after a function word).

>>> toks = tokenize("Bra dialog med Norrtäljepanelen Utveckla rutiner")
>>> [t.text for t in toks][3:5]
['Norrtäljepanelen', 'Utveckla']
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..lang.sv import abbreviations
from ..lang.sv.morphology import lemma as _lemma

_TOKEN = re.compile(r"\S+")
_OPEN_QUOTES = "\"”“'’«»("
_STRIP = ".,;:!?\"”“()"
_FUNCTION_WORDS_FILE = "function_words.txt"


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Whitespace tokens with offsets (item boundaries always fall on whitespace)."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=4)
def _word_list(name: str) -> frozenset[str]:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "lang" / "sv" / name
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    return frozenset(w for w in words if w and not w.startswith("#"))


def function_words() -> frozenset[str]:
    """Words after which a phrase goes on (prepositions, conjunctions, articles, auxiliaries …)."""
    return _word_list(_FUNCTION_WORDS_FILE)


def determiners() -> frozenset[str]:
    return _word_list("determiners.txt")


def verb_shape(word: str) -> str:
    """``imperative`` (lemma = word + 'a': *Tydliggör*, *Lyft*), ``infinitive`` (an -a word that is its
    own lemma: *Utveckla*), ``participle`` (*Fortsatt* → *fortsätta*), or ``other``."""
    w = word.lower().strip(".,;:!?\"”“()")
    if len(w) < 2 or not w.isalpha():
        return "other"
    lem = _lemma(w)
    if lem == w + "a" or (lem.endswith("a") and lem[:-1] == w):
        return "imperative"
    if lem == w and w.endswith("a") and len(w) > 4:
        return "infinitive"
    if lem.endswith("a") and w.endswith(("t", "d")) and lem[:2] == w[:2] and len(lem) > 4 and lem != w:
        return "participle"
    return "other"


def is_candidate(tok: Token) -> bool:
    """Could this token start an item?"""
    c = tok.text[0]
    return c.isupper() or c.isdigit() or (c in _OPEN_QUOTES and len(tok.text) > 1 and tok.text[1].isupper())


class NameEvidence:
    """What the report's own prose says about words that meet at a gap.

    * a capitalised word form is a *name* when it occurs right after a lowercase function word
      (*med Norrtäljepanelen*, *i Hallstavik*) at least as often as its lowercase form occurs at all;
    * it is *used as a name* when it stands capitalised mid-sentence (after any lower-case word) at
      least as often as its lowercase form occurs (*värdegrunden Kompassrosen*);
    * a *bigram* ``"left right"`` seen in the prose means the two words belong together.

    Pass the prose only (the report text with its list regions blanked, see :func:`blank_spans`),
    so that a list never testifies about itself.

    >>> ev = NameEvidence("Arbetet med värdegrunden Kompassrosen pågår. Kompassrosen är känd.")
    >>> ev.used_as_name("Kompassrosen"), ev.used_as_name("Arbetet")
    (True, False)
    """

    def __init__(self, context: str = ""):
        fw = function_words()
        after_fw: Counter = Counter()
        mid: Counter = Counter()
        lower: Counter = Counter()
        bigrams: Counter = Counter()
        prev_raw, prev_core = "", ""
        for m in _TOKEN.finditer(context):
            raw = m.group(0)
            w = raw.strip(_STRIP)
            if not w:
                prev_raw, prev_core = "", ""
                continue
            if w[0].isupper() and prev_raw:
                mid[w] += 1
                if prev_raw in fw:
                    after_fw[w] += 1
            elif w.islower():
                lower[w] += 1
            if prev_core and not prev_raw.endswith((".", ",", ";", ":", "!", "?")):
                bigrams[(prev_core, w)] += 1
            prev_raw = raw if raw.islower() and raw[-1:].isalpha() else ""
            prev_core = w
        self._after_fw = after_fw
        self._mid = mid
        self._lower = lower
        self._bigrams = bigrams

    def minus(self, other: "NameEvidence") -> "NameEvidence":
        """This evidence without ``other``'s counts (e.g. the report minus the list being segmented)."""
        out = NameEvidence.__new__(NameEvidence)
        out._after_fw = self._after_fw - other._after_fw
        out._mid = self._mid - other._mid
        out._lower = self._lower - other._lower
        out._bigrams = self._bigrams - other._bigrams
        return out

    def is_name(self, word: str) -> bool:
        w = word.strip(_STRIP)
        return bool(w) and self._after_fw[w] > 0 and self._after_fw[w] >= self._lower[w.lower()]

    def used_as_name(self, word: str) -> bool:
        w = word.strip(_STRIP)
        return bool(w) and self._mid[w] > 0 and self._mid[w] >= self._lower[w.lower()]

    def lower_count(self, word: str) -> int:
        """How often the prose has the word in lower case."""
        return self._lower[word]

    def seen_together(self, left: str, right: str) -> bool:
        """Does the prose have ``left right`` as neighbouring words (no punctuation between)?"""
        return self._bigrams[(left.strip(_STRIP), right.strip(_STRIP))] > 0


def blank_spans(text: str, spans) -> str:
    """``text`` with the given ``(start, end)`` spans replaced by newlines (offsets kept)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = "\n" * (e - s)
    return "".join(chars)


def _bucket(n: int) -> str:
    for hi, name in ((1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (8, "6-8"), (12, "9-12"), (20, "13-20")):
        if n <= hi:
            return name
    return "21+"


def _shape(word: str) -> str:
    w = word.strip(".,;:!?\"”“()")
    if not w:
        return "punct"
    if w.isdigit():
        return "digit"
    if w.isupper() and len(w) > 1:
        return "ACR"
    if w[0].isupper():
        return "Cap"
    return "low"


def list_style(tokens: list[Token]) -> str:
    """``"period"`` when the list's items are delimited by sentence ends (most candidate gaps follow a
    period and the list ends with one), else ``"plain"``: a per-list convention that weighs (never
    switches off) the evidence of a sentence end inside the list."""
    cands = ends = 0
    for i in range(1, len(tokens)):
        if is_candidate(tokens[i]):
            cands += 1
            ends += tokens[i - 1].text.endswith((".", "!", "?"))
    last_period = bool(tokens) and tokens[-1].text.endswith((".", "!", "?"))
    return "period" if cands and last_period and ends / cands >= 0.5 else "plain"


@lru_cache(maxsize=1)
def nonfinal_phrases() -> tuple[frozenset[str], int]:
    """Words and phrases an item cannot end with (``nonfinal_words.txt``), and the longest in words."""
    phrases = _word_list("nonfinal_words.txt")
    return phrases, max((len(p.split()) for p in phrases), default=1)


def _core(word: str) -> str:
    return word.lower().strip(_STRIP)


def _known_word(word: str) -> bool:
    """Is the lower-cased word a Swedish common word (simplemma's dictionary knows it)?"""
    import simplemma

    return simplemma.is_known(word, lang="sv")


_OPENERS = {"(": ")", "[": "]"}
_DEMONSTRATIVES = frozenset({"det", "detta", "denna", "dessa", "den", "de", "dem"})


class ListContext:
    """What a whole run-on list says about each of its gaps, computed once per list.

    * ``enclosed[i]``: the gap before token ``i`` lies inside brackets or quotes that close later in
      the list (an item never ends inside them);
    * ``breaks``: token indices that follow a page break (the line end a page header stood at);
    * ``cap_runs``: how often each lower-cased word stands capitalised at a candidate gap after a
      lower-case word — a word that opens several such runs (*Fortsatt …*, *Utveckla …*) opens items.
    """

    def __init__(self, tokens: list[Token], names: "NameEvidence", *, breaks: frozenset[int] = frozenset(),
                 style: str | None = None):
        self.tokens = tokens
        self.names = names
        self.style = style or list_style(tokens)
        self.breaks = breaks
        self.enclosed = _enclosed(tokens)
        runs: Counter = Counter()
        for i in range(len(tokens)):
            # the list's first word and every capitalised word after a lower-case word or a sentence end
            if i == 0 or (is_candidate(tokens[i]) and (tokens[i - 1].text[-1:].islower()
                                                       or tokens[i - 1].text.endswith((".", "!", "?")))):
                runs[_core(tokens[i].text)] += 1
        self.cap_runs = runs


def _enclosed(tokens: list[Token]) -> list[bool]:
    """For each token index ``i``: is the gap before it inside a bracket or quote closed later on?"""
    n = len(tokens)
    out = [False] * n
    stack: list[tuple[str, int]] = []  # (closer, token index of the opener)
    quote_open: int | None = None
    spans: list[tuple[int, int]] = []
    for k, tok in enumerate(tokens):
        for ch in tok.text:
            if ch in _OPENERS:
                stack.append((_OPENERS[ch], k))
            elif stack and ch == stack[-1][0]:
                _, o = stack.pop()
                spans.append((o, k))
            elif ch in "\"”“":
                if quote_open is None and ch in "\"“" and tok.text.startswith(ch):
                    quote_open = k
                elif quote_open is not None and quote_open != k:
                    spans.append((quote_open, k))
                    quote_open = None
    for o, c in spans:
        for i in range(o + 1, c + 1):
            out[i] = True
    return out


def _nonfinal_left(tokens: list[Token], i: int) -> bool:
    """Do the words before the gap ``i`` end with a phrase an item cannot end with?"""
    phrases, longest = nonfinal_phrases()
    if tokens[i - 1].text[-1:] in ".!?,;:":
        return False
    words = []
    for k in range(i - 1, max(-1, i - 1 - longest), -1):
        words.insert(0, _core(tokens[k].text))
        if " ".join(words) in phrases:
            return True
    return False


def _content_stems(words: list[str]) -> set[str]:
    fw = function_words()
    return {w[:5] for w in (_core(x) for x in words) if len(w) >= 5 and w.isalpha() and w not in fw}


def _shares_stem(tokens: list[Token], i: int) -> bool:
    """Do the sentences before and after the sentence end at gap ``i`` share a content-word stem?"""
    before, k = [], i - 1
    while k >= 0 and (k == i - 1 or not tokens[k].text.endswith((".", "!", "?"))):
        before.append(tokens[k].text)
        k -= 1
    after, k = [], i
    while k < len(tokens):
        after.append(tokens[k].text)
        if tokens[k].text.endswith((".", "!", "?")):
            break
        k += 1
    return bool(_content_stems(before) & _content_stems(after))


def gap_static(ctx: ListContext, i: int) -> dict[str, float]:
    """The features of the gap before ``ctx.tokens[i]`` that do not depend on where the current item began."""
    tokens, names = ctx.tokens, ctx.names
    fw = function_words()
    abbr = abbreviations()
    left, right = tokens[i - 1].text, tokens[i].text
    l_low = left.lower()
    l_core = l_low.strip(".,;:!?\"”“()")
    r_core = right.strip(".,;:!?\"”“()")
    r_low = r_core.lower()
    f: dict[str, float] = {"bias": 1.0}
    # left context
    if left[-1] in ",;":
        f["L_comma"] = 1
    elif left[-1] == ":":
        f["L_colon"] = 1
    elif left[-1] in "-–—/&+":
        f["L_dash"] = 1
    elif left.endswith((".", "!", "?")):
        if l_low in abbr["introducing"]:
            f["L_abbr_intro"] = 1
            f["L_function_word"] = 1  # "t.ex. X": the phrase goes on
        elif l_low in abbr["closing"]:
            f["L_abbr_close"] = 1
        elif re.fullmatch(r"(?:\w\.){2,}", l_low) or (len(l_core) <= 3 and left.endswith(".")):
            f["L_abbr_other"] = 1
        else:
            f["L_sent_end"] = 1
    elif left[-1] in ")”\"":
        f["L_close_bracket"] = 1
    if l_core in fw and not left.endswith((".", "!", "?", ")", "”", '"')):
        # a demonstrative can close a phrase as a pronoun ("kopplat till detta"): weighed, not forced
        f["L_demonstrative" if l_core in _DEMONSTRATIVES else "L_function_word"] = 1
    if _nonfinal_left(tokens, i):
        f["L_nonfinal"] = 1
    if ctx.enclosed[i]:
        f["enclosed"] = 1
    if i >= 2 and tokens[i - 2].text.lower() in determiners() and left.islower() and left[-1].isalpha():
        f["L_after_determiner"] = 1  # "ett nytt Intranät": the noun phrase is still open
    f["L_shape=" + _shape(left)] = 1
    if re.search(r"(?:en|et|na|erna|arna|orna|andet|endet)$", l_core) and len(l_core) > 4:
        f["L_definite_like"] = 1
    # right context
    f["R_shape=" + _shape(right)] = 1
    if r_low in fw:
        f["R_function_word"] = 1
    if right.lower() in abbr["introducing"]:
        f["R_abbr"] = 1  # "… på hemsidan. Ex. resultat …": an example of what was just said
    vs = verb_shape(r_core)
    if vs != "other":
        f["R_verb=" + vs] = 1
        if vs in ("imperative", "infinitive") and left[-1].isalnum():
            f["R_verb&L_open"] = 1  # "... rutiner Utveckla ...": a capitalised verb right after a word
    name = names.is_name(r_core) and r_low not in fw
    if name:
        f["R_name_in_prose"] = 1
    elif _shape(right) == "Cap" and l_core.isalpha() and l_core == left and left.islower() and r_low not in fw:
        # a capitalised word right after a lower-case word that the report never uses as a name
        if names.used_as_name(r_core):
            f["R_cap_mid_prose"] = 1
        elif names.lower_count(r_low) or _known_word(r_low):
            f["R_common_cap&L_low"] = 1  # "... detta Enkäter till ...": a common noun opens an item
    if not left.endswith((".", ",", ";", ":", "!", "?")) and names.seen_together(left, right):
        f["gap_bigram_in_prose"] = 1
    if right[0] in "\"”“«" and left[-1].isalnum():
        f["R_quote&L_open"] = 1  # "Konceptet ”Hållbar arbetsgivare”": a quoted name in apposition
    if "-" in r_core and r_core[0].isupper():
        f["R_hyphen_cap"] = 1
    if i + 1 < len(tokens):
        nxt = tokens[i + 1].text
        if nxt[:1].isupper() and _shape(nxt) == "Cap":
            f["R_next_cap"] = 1
        if nxt.lower().strip(".,;:") in fw:
            f["R_next_function_word"] = 1
    if ctx.cap_runs[r_low] >= 2 and not name:
        f["R_opens_runs"] = 1  # "… Fortsatt arbete med … Fortsatt utveckling av …"
    if i in ctx.breaks:
        f["page_break"] = 1
    # conjunctions of the strongest cues
    if "L_function_word" in f and f.get("R_shape=Cap"):
        f["L_fw&R_cap"] = 1
    if name and "L_definite_like" in f:
        f["R_name&L_def"] = 1
    # list style weighs a sentence end: in a list whose items end with periods it closes an item
    if "L_sent_end" in f:
        f["L_sent_end&style=" + ctx.style] = 1
        if left.endswith("?"):
            f["L_question"] = 1  # questions are items of their own ("Utmärkelse med kundfokus?")
        if right.lower().strip(",;:") in _word_list("continuation_openers.txt"):
            f["L_sent_end&R_continues"] = 1
        if _shares_stem(tokens, i):
            f["L_sent_end&R_same_topic"] = 1  # the next sentence takes up a word of this one
        if vs in ("imperative", "infinitive", "participle"):
            f["L_sent_end&R_verb"] = 1  # "… lämna synpunkter. Tydliggör …"
    elif ctx.style == "period" and "L_abbr_close" not in f:
        f["L_open&style=period"] = 1  # items of this list end with a period; this gap has none
    return f


def gap_state(ctx: ListContext, i: int, first: int, static: dict[str, float]) -> dict[str, float]:
    """The features of gap ``i`` that depend on the current item, which began at token ``first``."""
    tokens = ctx.tokens
    words_since = i - first
    f: dict[str, float] = {"len=" + _bucket(words_since): 1}
    item_first = tokens[first].text
    if item_first.lower().strip(".,;:") in function_words() and words_since <= 3:
        f["item_opens_with_fw&short"] = 1
    if words_since == 1 and verb_shape(item_first) == "imperative" and not item_first.endswith((".", "!", "?")):
        f["lone_verb"] = 1  # "Fortsätt | Agenda 2030 …": a bare imperative is not an item
    if "R_name&L_def" in static and words_since <= 3 and "R_hyphen_cap" not in static:
        # "arbetssättet Högre höjder", "utmärkelserna Årets medarbetare": a short definite noun
        # phrase followed by a name is an apposition, not a finished item
        f["apposition"] = 1
    if _core(item_first) == _core(tokens[i].text) and is_candidate(tokens[i]):
        f["R_repeats_item_first"] = 1
    return f


def gap_features(tokens: list[Token], i: int, *, words_since: int, names: NameEvidence,
                 item_first: str | None = None, style: str | None = None,
                 ctx: ListContext | None = None) -> dict[str, float]:
    """All features of the gap before ``tokens[i]`` (``i ≥ 1``) when the current item has
    ``words_since`` words (its first word is ``tokens[i - words_since]``).

    >>> toks = tokenize("Samverkan med föreningar (exempelvis Fixartjänsten, Läxhjälp)")
    >>> "enclosed" in gap_features(toks, 4, words_since=4, names=NameEvidence(""))
    True
    """
    ctx = ctx or ListContext(tokens, names, style=style)
    static = gap_static(ctx, i)
    return {**static, **gap_state(ctx, i, max(0, i - words_since), static)}


#: cues after which an item never ends (the phrase must go on)
HARD_CONTINUE = ("L_comma", "L_colon", "L_dash", "L_function_word", "L_nonfinal", "enclosed", "apposition",
                 "lone_verb")


def must_split(feats: dict[str, float]) -> bool:
    """Convention: in a list whose items end with periods, a sentence end before a capital closes an item
    (unless the next word continues the sentence's thought: an example marker or a linking adverb)."""
    return "L_sent_end&style=period" in feats and "R_abbr" not in feats and "L_sent_end&R_continues" not in feats


def must_continue(feats: dict[str, float]) -> bool:
    """Linguistic constraints: no item ends with a comma, colon, dash, function word, a phrase that
    introduces an example (``såsom``, ``t.ex.``), inside brackets or quotes closed later, nor with a short
    definite noun phrase that a name follows in apposition."""
    return any(k in feats for k in HARD_CONTINUE)
