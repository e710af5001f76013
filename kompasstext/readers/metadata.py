"""Report metadata from the text: municipality, evaluation year, evaluators, printed total score.

>>> m = extract_metadata("KommunKompassen ANALYS AV NORRTÄLJE KOMMUN FEBRUARI 2018 "
...                      "Utvärderare: Linda Nordberg, SKL, Anna Marnell, Katrineholms kommun")
>>> m.municipality, m.year, m.evaluators
('Norrtälje', 2018, ['Linda Nordberg', 'Anna Marnell'])
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Diagnostic
from .cleaning import collapse_ws, strip_emphasis, strip_tags

_MONTHS = ("januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december")
_NAME = r"[A-ZÅÄÖÉ][\wåäöéü]+(?:[- ][A-ZÅÄÖÉ][\wåäöéü]+){0,3}"
_UNIT = r"(?:kommun|stad|kommuns|stads)"
# "Utvärderingen av Nacka kommun genomfördes i februari år 2021"
_EVAL_SENTENCE = re.compile(
    rf"Utvärderingen\s+av\s+(?P<name>{_NAME})\s+{_UNIT}\s+(?:genomfördes|gjordes|ägde\s+rum)"
    rf"(?P<when>[^.\n]{{0,40}}?)\b(?P<year>(?:19|20)\d\d)\b", re.I)
_ANALYS_AV = re.compile(r"ANALYS\s+AV\s+(?P<name>(?:[A-ZÅÄÖÉ][\w-]*)(?:\s+[A-ZÅÄÖÉ][\w-]*){0,2}?)\s+"
                        r"(?P<unit>KOMMUN|STAD|kommun|stad)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_COVER_DATE = re.compile(rf"\b(?:{_MONTHS})\s+((?:19|20)\d\d)\b", re.I)
_EVALUATORS = re.compile(r"Utvärderare\s*:?\s*(?P<list>[^\n]{3,240})", re.I)
_TOTAL = [
    re.compile(r"\bTOTALT?\b\s*[:=]?\s*(\d{2,3})\b", re.I),
    re.compile(r"\btotalpoäng(?:en)?\s+(?:är|blev|uppgår\s+till)\s+(\d{2,3})\s*(?:poäng|p)\b", re.I),
]
#: words that mark an affiliation, not a person
_ORG_WORDS = {"kommun", "kommuns", "stad", "stads", "region", "regionen", "landsting", "landstinget", "län",
              "konsult", "senior", "ab", "universitet", "högskola", "kommunförbund", "förbund", "f.d.", "fd",
              "sveriges", "kommuner", "och", "regioner", "utvärderare", "analys"}


@dataclass
class Metadata:
    municipality: str | None = None
    year: int | None = None
    evaluators: list[str] = field(default_factory=list)
    total_score: int | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _title_case(name: str) -> str:
    return "-".join(" ".join(w[:1].upper() + w[1:].lower() for w in part.split(" ")) for part in name.split("-"))


def base_name(name: str, text: str) -> str:
    """The municipality name without a genitive ``s`` (Östhammars → Östhammar), decided from the text:
    the ``s`` is dropped only when the shorter form occurs on its own elsewhere (names such as Borås or
    Vännäs keep theirs)."""
    if name.isupper():
        name = _title_case(name)
    if not name.endswith("s") or len(name) < 4:
        return name
    stem = name[:-1]
    if stem[-1] in "sxz":
        return name
    # the stem as a word of its own or the first part of a compound ("Östhammarborna")
    if re.search(rf"\b{re.escape(stem)}(?![s\w])|\b{re.escape(stem)}(?:bor|bo|borna)\b", text, re.I):
        return stem
    return name


def _municipality(text: str) -> str | None:
    m = _EVAL_SENTENCE.search(text)
    if m:
        return base_name(m.group("name"), text)
    flat = collapse_ws(strip_emphasis(strip_tags(text[:3000])))
    m = _ANALYS_AV.search(flat)
    if m:
        return base_name(m.group("name"), text)
    counts = Counter(m.group(1) for m in re.finditer(rf"\b({_NAME})\s+kommun\b", text))
    if counts:
        return base_name(counts.most_common(1)[0][0], text)
    return None


def _year(text: str) -> int | None:
    m = _EVAL_SENTENCE.search(text)
    if m:
        return int(m.group("year"))
    head = collapse_ws(strip_emphasis(strip_tags(text[:3000])))
    m = _COVER_DATE.search(head)
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall(head[:1500]))
    return years.most_common(1)[0][0] if years else None


def split_names(raw: str) -> list[str]:
    """Person names from an evaluator list, dropping affiliations ("SKL", "Katrineholms kommun",
    "senior konsult (SKL)", "Kraftringen").  A name is a run of 2–4 capitalised words."""
    upper = raw.isupper()
    raw = re.sub(r"\([^)]*\)", " , ", raw)
    if upper:
        raw = re.sub(r"\bOCH\b", ",", raw)
    parts = re.split(r",|;|\s+och\s+|\s+&\s+|\s+samt\s+", raw)
    names: list[str] = []
    for part in parts:
        words = part.split()
        run: list[str] = []

        def flush():
            if 2 <= len(run) <= 4:
                names.append(" ".join(_title_case(w) if upper else w for w in run))
            run.clear()

        for i, w in enumerate(words):
            nxt = words[i + 1].lower().strip(".,") if i + 1 < len(words) else ""
            bare = w.strip(".,:")
            is_org = (bare.lower() in _ORG_WORDS or (not upper and bare.isupper() and len(bare) > 1)
                      or nxt in {"kommun", "stad", "kommuns", "län", "landsting"})
            if bare and bare[0].isupper() and not is_org and re.fullmatch(r"[\wåäöéü-]+", bare):
                run.append(bare)
            else:
                flush()
        flush()
    return names


def _evaluators(text: str) -> list[str]:
    m = _EVALUATORS.search(text[:5000])
    if m:
        return split_names(m.group("list"))
    # no label: cover lines "Leif Eldås, SKL" / "Anna Marnell, Katrineholms kommun" before the contents
    head = text[:2500]
    stop = re.search(r"^\s*(?:Innehåll|Innehållsförteckning)\b", head, re.M)
    head = head[:stop.start()] if stop else head
    names = []
    for line in head.splitlines():
        line = collapse_ws(strip_emphasis(strip_tags(line)))
        lm = re.fullmatch(rf"({_NAME})\s*,\s*(.{{2,60}})", line)
        if lm and (re.search(r"\b[A-ZÅÄÖ]{2,}\b", lm.group(2)) or
                   any(w.lower() in _ORG_WORDS for w in lm.group(2).split())):
            names.extend(split_names(lm.group(1)))
    return names


def _total(text: str) -> int | None:
    flat = strip_emphasis(strip_tags(text))
    for rx in _TOTAL:
        m = rx.search(flat)
        if m and 0 < int(m.group(1)) <= 800:
            return int(m.group(1))
    return None


def extract_metadata(text: str, start: int = 0) -> Metadata:
    """Metadata of the report text from ``start`` on (docplayer transcripts: the offset after their
    "Transkript:" marker).  The evaluation year ("Utvärderingen av X kommun genomfördes i februari år
    2021") wins over a cover date.  Anything not found is ``None``/empty with a W108 diagnostic."""
    t = text[start:]
    md = Metadata(municipality=_municipality(t), year=_year(t), evaluators=_evaluators(t), total_score=_total(t))
    for name in ("municipality", "year"):
        if getattr(md, name) is None:
            md.diagnostics.append(Diagnostic("W108", f"{name} not found", start=start))
    if not md.evaluators:
        md.diagnostics.append(Diagnostic("W108", "no evaluator names found", severity="info", start=start))
    return md
