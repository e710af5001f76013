"""Large synthetic Kommunkompassen corpora, for timing only (never for evaluation).

Run: ``python benchmarks/synth.py N OUT_DIR [--seed 0] [--variants K] [--check]``

Every synthetic report is one of the four bundled reports (``corpora/kommunkompassen/``, one per shape:
docplayer transcript, HTML-ish • tables, 2011 markdown, 2020 tab tables) used as a *template*:

* the municipality's name (all case forms, so genitives follow) and the report year (kept inside the
  template's framework revision) are swapped;
* every finding the template's reader finds is replaced *in place* (bullets, tags, cells and page marks
  around it untouched) by a finding of the same kind drawn from the pool of all four reports (30 % its
  own, otherwise half from the same template, half from any), then perturbed: 0–2 of drop a middle
  word / duplicate a word / swap a synonym, so embeddings are not all cache hits;
* in every area with two or more scored sub-questions, ``d`` points move from one sub-question to
  another (``0 <= achieved <= max`` kept; the row's percent moves by ``100 d / max``), so area and
  report totals still add up.

Deterministic: report ``i`` depends only on ``(seed, i)``.  ``distinct=True`` (``--distinct``) makes every
finding's wording distinct across the corpus and every municipality name distinct (see
:func:`distinct_item`, :func:`distinct_names`): a scale test for the stages that are per distinct text.  ``variants=K`` bounds the wording: a pool
item is perturbed in one of K fixed ways, so the corpus has at most ``pool size x K`` distinct finding
texts however large N is; ``names=M`` bounds the municipalities (the narrative passages, which carry
the name, then have at most ``4 x M`` versions).  Used to pre-fill the embedding cache honestly at
large N.  Without them, perturbations and names are drawn per report.

``--check`` parses every generated report and compares it with what was written: the number of findings
per area and kind, the municipality, year and framework, and the sub-question scores.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUNDLED = ROOT / "corpora" / "kommunkompassen"

#: municipalities the synthetic reports are attributed to (single-word names: the template's name is
#: replaced in every case form, so a genitive "Nackas" becomes "Lunds")
NAMES = """Ale Alingsås Alvesta Aneby Arboga Arjeplog Arvidsjaur Arvika Askersund Avesta Bengtsfors Bjurholm
Bjuv Boden Bollebygd Bollnäs Borgholm Borlänge Borås Botkyrka Boxholm Bromölla Burlöv Båstad Dorotea
Eda Ekerö Eksjö Emmaboda Enköping Eskilstuna Eslöv Essunga Fagersta Falkenberg Falköping Falun Filipstad
Finspång Flen Forshaga Gagnef Gislaved Gnesta Gnosjö Gotland Grums Grästorp Gällivare Gävle Göteborg
Götene Habo Hagfors Hallsberg Hallstahammar Halmstad Hammarö Haninge Haparanda Heby Hedemora
Helsingborg Herrljunga Hjo Hofors Huddinge Hudiksvall Hultsfred Hylte Håbo Härjedalen Härnösand
Härryda Hässleholm Höganäs Högsby Hörby Höör Jokkmokk Järfälla Jönköping Kalix Kalmar Karlsborg
Karlshamn Karlskoga Karlskrona Karlstad Katrineholm Kil Kinda Kiruna Klippan Knivsta Kramfors
Kristianstad Kristinehamn Krokom Kumla Kungsbacka Kungsör Kungälv Kävlinge Köping Laholm Landskrona
Laxå Lekeberg Leksand Lerum Lessebo Lidingö Lidköping Lilla Lindesberg Linköping Ljungby Ljusdal
Ljusnarsberg Lomma Ludvika Luleå Lund Lycksele Lysekil Malmö Malung Malå Mariestad Mark Markaryd
Mellerud Mjölby Mora Motala Mullsjö Munkedal Munkfors Mölndal Mönsterås Mörbylånga Nora Norberg
Nordanstig Nordmaling Norrköping Norsjö Nybro Nykvarn Nyköping Nynäshamn Nässjö Ockelbo Olofström Orsa
Orust Osby Oskarshamn Ovanåker Oxelösund Pajala Partille Perstorp Piteå Ragunda Robertsfors Ronneby
Rättvik Sala Salem Sandviken Sigtuna Simrishamn Sjöbo Skara Skellefteå Skinnskatteberg Skurup Skövde
Smedjebacken Sollefteå Sollentuna Solna Sorsele Sotenäs Staffanstorp Stenungsund Stockholm Storfors
Storuman Strängnäs Strömstad Strömsund Sundbyberg Sundsvall Sunne Surahammar Svalöv Svedala Svenljunga
Säffle Säter Sävsjö Söderhamn Söderköping Södertälje Sölvesborg Tanum Tibro Tidaholm Tierp Timrå
Tingsryd Tjörn Tomelilla Torsby Torsås Tranemo Tranås Trelleborg Trollhättan Trosa Tyresö Täby
Töreboda Uddevalla Ulricehamn Umeå Uppsala Uppvidinge Vadstena Vaggeryd Valdemarsvik Vallentuna
Vansbro Vara Varberg Vaxholm Vellinge Vetlanda Vilhelmina Vimmerby Vindeln Vingåker Vårgårda Vänersborg
Vännäs Värmdö Värnamo Västervik Västerås Växjö Ydre Ystad Åmål Ånge Åre Årjäng Åsele Åstorp Åtvidaberg
Älmhult Älvdalen Älvkarleby Älvsbyn Ängelholm Öckerö Ödeshög Örebro Örkelljunga Örnsköldsvik Östersund
Österåker Östhammar Överkalix Övertorneå""".split()
NAMES = [n for n in NAMES if not n.endswith("s")]  # a genitive of "Borås" can't be told from the name

#: a year range per framework revision (a swapped year stays inside the template's revision)
YEARS = {"2010": range(2009, 2015), "2015": range(2015, 2020), "2020": range(2020, 2025)}

#: synonym swaps (both directions are listed where they make sense)
SYNONYMS = {
    "tydlig": "klar", "klar": "tydlig", "tydligt": "klart", "klart": "tydligt", "tydliga": "klara",
    "tydligare": "klarare", "bra": "god", "god": "bra", "goda": "bra", "många": "flera", "flera": "många",
    "utveckla": "förbättra", "förbättra": "utveckla", "uppföljning": "utvärdering", "utvärdering": "uppföljning",
    "medborgare": "invånare", "invånare": "medborgare", "medborgarna": "invånarna", "invånarna": "medborgarna",
    "arbetar": "jobbar", "saknas": "fattas", "behöver": "bör", "bör": "behöver", "systematiskt": "strukturerat",
    "strukturerat": "systematiskt", "viktigt": "angeläget", "brister": "svagheter", "gemensam": "enhetlig",
    "information": "kommunikation", "kommunikation": "information", "stort": "betydande", "hög": "stor",
    "arbete": "jobb", "möjlighet": "chans", "genomförs": "görs", "görs": "genomförs", "samt": "och",
    "inom": "i", "tillsammans": "gemensamt", "engagemang": "intresse", "utvecklingen": "förbättringen",
}

#: name endings for the distinct-names mode (single words not ending in "s", so genitives stay readable)
NAME_SUFFIXES = ("berg", "köping", "torp", "hult", "vik", "by", "hamn", "dal", "ö", "holm", "näs", "fors",
                 "sjö", "bro", "lunda", "ryd")

_SCORE_ROW = re.compile(r"(?<![\d.,])(\d{1,3})([ \t]+)(\d{1,3})(?:([ \t]+)(\d{1,3})( ?%))?(?![\d])")


@dataclass
class Slot:
    """One finding of a template: where its text sits in the source."""
    area: int
    kind: str
    segmented: bool  # a run-on list item (boundaries decided by the segmenter, or no delimiter around it)
    start: int  # of the finding's text inside the source (not of its bullet)
    end: int
    text: str


@dataclass
class ScoreRow:
    area: int
    qid: str
    achieved: int
    max: int
    a_span: tuple[int, int]           # the achieved number in the source
    p_span: tuple[int, int] | None    # the percent number, if the row has one
    percent: int | None


@dataclass
class Template:
    path: Path
    text: str
    municipality: str
    year: int
    framework: str
    slots: list[Slot] = field(default_factory=list)
    rows: list[ScoreRow] = field(default_factory=list)
    n_findings: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # "area:kind" -> findings the reader finds


def _read(path: Path):
    from kompasstext import read_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_report(path, warn=False)


def load_templates(folder: Path = BUNDLED) -> list[Template]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        r = _read(path)
        text = path.read_text("utf-8")
        assert r.text == text if hasattr(r, "text") else True
        t = Template(path, text, r.municipality, int(r.year), str(r.framework), n_findings=len(r.findings))
        for a in r.areas:
            for f in a.findings:
                t.counts[f"{a.number}:{f.kind}"] = t.counts.get(f"{a.number}:{f.kind}", 0) + 1
                raw = text[f.start:f.end] if f.start is not None else ""
                k = raw.find(f.text) if raw else -1
                # replace only where the finding's text is verbatim in the source (else it stays as it is)
                if k >= 0 and "\n" not in f.text:
                    s0, s1 = f.start + k, f.start + k + len(f.text)
                    # a run-on list item: text of the neighbouring item on the same line, no delimiter
                    run_on = f.segmented or text[s0 - 1:s0] == " " or text[s1:s1 + 1] == " "
                    t.slots.append(Slot(a.number, f.kind, run_on, f.start + k, f.start + k + len(f.text), f.text))
            for q in a.subquestions:
                if q.achieved is None or not q.max or q.start is None:
                    continue
                last = None
                for m in _SCORE_ROW.finditer(text, q.start, q.end):
                    if int(m.group(1)) == q.achieved and int(m.group(3)) == q.max:
                        last = m
                if last is not None:
                    p_span = last.span(5) if last.group(5) else None
                    t.rows.append(ScoreRow(a.number, q.id, q.achieved, q.max, last.span(1), p_span,
                                           int(last.group(5)) if last.group(5) else None))
        out.append(t)
    return out


def _seeded(*parts) -> random.Random:
    return random.Random(int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "little"))


def perturb(text: str, rng: random.Random, synonyms_only: bool = False) -> str:
    """0–2 small edits: drop a middle word, duplicate a word, or swap a synonym."""
    words = text.split(" ")
    for _ in range(rng.choice((0, 1, 1, 2, 2))):
        op = 0.0 if synonyms_only else rng.random()
        syn = [i for i, w in enumerate(words) if w.lower() in SYNONYMS]
        if synonyms_only and not syn:
            break
        if op < 0.4 and syn:
            i = rng.choice(syn)
            new = SYNONYMS[words[i].lower()]
            words[i] = new.capitalize() if words[i][:1].isupper() else new
        elif op < 0.7 and len(words) > 4:
            del words[rng.randrange(1, len(words) - 1)]
        elif len(words) > 2:
            i = rng.randrange(1, len(words) - 1)
            if words[i].isalpha():
                words.insert(i, words[i])
    return " ".join(words)


def distinct_names(seed: int = 0, exclude: tuple[str, ...] = ()) -> list[str]:
    """Municipality names for the distinct-names mode, in a fixed seeded order: the real single-word
    names, then every name + one of :data:`NAME_SUFFIXES` ("Aleberg", "Bodenköping" …), ~4,500 in all;
    none is, or starts with, one of ``exclude`` (the templates' own names)."""
    base = [n for n in NAMES if not any(n.startswith(x) or x.startswith(n) for x in exclude)]
    out = list(base) + [n + suf for suf in NAME_SUFFIXES for n in base if not (n + suf).endswith("s")]
    out = list(dict.fromkeys(out))
    _seeded("names", seed).shuffle(out)
    return out


def vocabulary(pool: list[tuple[int, str, str]]) -> list[str]:
    """Lower-case content words (alphabetic, >= 6 letters) of the pool's findings, sorted: what
    :func:`distinct_item` recombines with (real words of real findings, no function words)."""
    words = {w for _, _, text in pool for w in text.split(" ") if len(w) >= 6 and w.isalpha() and w.islower()}
    return sorted(words)


def distinct_item(text: str, rng: random.Random, vocab: list[str], other: str | None = None,
                  n_swaps: int = 3) -> str:
    """A wording of ``text`` that no other report is likely to share: spliced with ``other`` (the first
    part of one real finding, the rest of another, both of the same kind), then ``n_swaps`` of its
    middle lower-case content words (>= 6 letters: function words stay) replaced by words of ``vocab``.  With ``other=None`` (a run-on list item,
    whose boundaries the segmenter decides) the first two and the last two words and the words next to
    a capitalised one are kept, so the gaps between items look as before."""
    words = text.split(" ")
    if other is not None and len(words) >= 4:
        ow = other.split(" ")
        if len(ow) >= 4:
            words = words[:rng.randrange(2, len(words) - 1)] + ow[rng.randrange(2, len(ow) - 1):]
    lo, hi = (1, len(words) - 1) if other is not None else (2, len(words) - 2)
    slots = [i for i in range(lo, hi) if len(words[i]) >= 6 and words[i].isalpha() and words[i].islower()
             and (other is not None or not (words[i + 1][:1].isupper() or words[i - 1][:1].isupper()))]
    rng.shuffle(slots)
    for i in slots[:n_swaps]:
        words[i] = rng.choice(vocab)
    if len(slots) < n_swaps and other is not None:  # short items: add real words until distinct enough
        for _ in range(n_swaps - len(slots)):
            words.insert(rng.randrange(1, max(2, len(words))), rng.choice(vocab))
    return " ".join(words)


@dataclass
class Generated:
    text: str
    municipality: str
    year: int
    framework: str
    template: str
    counts: dict[str, int]                    # "area:kind" -> expected number of findings
    scores: dict[str, tuple[int, int]]        # "area:qid" -> (achieved, max)


def make_report(templates: list[Template], pool: list[tuple[int, str, str]], i: int, seed: int = 0,
                variants: int | None = None, names: int | None = None, distinct: bool = False) -> Generated:
    """Synthetic report number ``i`` (see the module doc); ``names`` bounds the municipalities to the
    first ``names`` of :data:`NAMES` (re-evaluations of the same municipalities, other years);
    ``distinct`` gives report ``i`` the ``i``-th of :func:`distinct_names` and every finding a wording
    of its own (:func:`distinct_item`)."""
    rng = _seeded("report", seed, i)
    ti = i % len(templates)
    t = templates[ti]
    if distinct:
        all_names = _distinct_names_memo(seed, tuple(x.municipality for x in templates))
        name = all_names[i % len(all_names)]
        vocab = _vocab_memo(pool)
    else:
        name = rng.choice([n for n in NAMES[:names] if n != t.municipality])
    year = rng.choice(list(YEARS[t.framework]))
    edits: list[tuple[int, int, str]] = []
    by_kind: dict[str, list[int]] = {}
    for k, (tj, kind, _) in enumerate(pool):
        by_kind.setdefault(kind, []).append(k)
    same = {kind: [k for k in ks if pool[k][0] == ti] for kind, ks in by_kind.items()}
    own = {(s.start, s.end): k for k, s in enumerate(t.slots)}
    for s in t.slots:
        if s.segmented and distinct:  # middle words only: the gaps between items stay as they were
            edits.append((s.start, s.end, distinct_item(s.text, rng, vocab, None, n_swaps=2)))
            continue
        if s.segmented:  # keep a run-on item (and so the segmenter's boundaries): synonym swaps only
            prng = _seeded("variant", seed, ti, s.start, rng.randrange(variants)) if variants else rng
            edits.append((s.start, s.end, perturb(s.text, prng, synonyms_only=True)))
            continue
        u = rng.random()
        if u < 0.3:
            k = _pool_index(pool, ti, s.text, s.kind)
        elif u < 0.65:
            k = rng.choice(same[s.kind])
        else:
            k = rng.choice(by_kind[s.kind])
        item = pool[k][2]
        if distinct:
            other = pool[rng.choice(by_kind[s.kind])][2]
            edits.append((s.start, s.end, distinct_item(perturb(item, rng), rng, vocab, other)))
            continue
        prng = _seeded("variant", seed, k, rng.randrange(variants)) if variants else rng
        if variants is None or prng.random() > 1 / variants:  # (variant 0 of a bounded set: as is)
            item = perturb(item, prng)
        edits.append((s.start, s.end, item))
    del own
    scores = {f"{r.area}:{r.qid}": (r.achieved, r.max) for r in t.rows}
    by_area: dict[int, list[ScoreRow]] = {}
    for r in t.rows:
        by_area.setdefault(r.area, []).append(r)
    for area, rows in sorted(by_area.items()):
        if len(rows) < 2:
            continue
        a, b = rng.sample(range(len(rows)), 2)
        d = rng.randint(1, 3)
        ra, rb = rows[a], rows[b]
        if ra.achieved + d > ra.max or rb.achieved - d < 0:
            continue
        for r, delta in ((ra, d), (rb, -d)):
            new = r.achieved + delta
            scores[f"{r.area}:{r.qid}"] = (new, r.max)
            edits.append((*r.a_span, str(new)))
            if r.p_span:
                edits.append((*r.p_span, str(max(0, min(100, r.percent + round(100 * delta / r.max))))))
    edits.sort()
    for (s0, e0, _), (s1, _, _) in zip(edits, edits[1:]):
        assert e0 <= s1, "overlapping edits"
    parts, pos = [], 0
    for s, e, new in edits:
        parts.append(t.text[pos:s])
        parts.append(new)
        pos = e
    parts.append(t.text[pos:])
    text = "".join(parts)
    for old, new in ((t.municipality, name), (t.municipality.upper(), name.upper())):
        text = re.sub(rf"(?<!\w){re.escape(old)}(?=[sS]?(?!\w))", new, text)  # word and genitive only
    text = re.sub(rf"(?<!\d){t.year}(?!\d)", str(year), text)
    return Generated(text, name, year, t.framework, t.path.name, dict(t.counts), scores)


_POOL_POS: dict[tuple[int, str, str], int] = {}
_MEMO: dict = {}


def _distinct_names_memo(seed: int, exclude: tuple[str, ...]) -> list[str]:
    key = ("names", seed, exclude)
    if key not in _MEMO:
        _MEMO[key] = distinct_names(seed, exclude)
    return _MEMO[key]


def _vocab_memo(pool) -> list[str]:
    key = ("vocab", len(pool))
    if key not in _MEMO:
        _MEMO[key] = vocabulary(pool)
    return _MEMO[key]


def _pool_index(pool, ti, text, kind) -> int:
    if not _POOL_POS:
        _POOL_POS.update({(tj, kd, tx): k for k, (tj, kd, tx) in enumerate(pool)})
    return _POOL_POS[(ti, kind, text)]


def build_pool(templates: list[Template]) -> list[tuple[int, str, str]]:
    """(template index, kind, text) of every replaceable finding of the templates, in order."""
    return [(ti, s.kind, s.text) for ti, t in enumerate(templates) for s in t.slots]


def generate(n: int, out: str | Path, *, seed: int = 0, variants: int | None = None, names: int | None = None,
             include_bundled: bool = True, distinct: bool = False) -> list[Path]:
    """Write a corpus of ``n`` reports into ``out``: the bundled reports (if ``include_bundled``) plus
    synthetic ones; ``out/synth_manifest.json`` holds what each synthetic report should parse to."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    templates = load_templates()
    pool = build_pool(templates)
    paths, manifest = [], {}
    if include_bundled:
        for t in templates[:n]:
            p = out / t.path.name
            p.write_text(t.text, "utf-8")
            paths.append(p)
    for i in range(n - len(paths)):
        g = make_report(templates, pool, i, seed, variants, names, distinct)
        stem = f"{g.municipality.lower()}_{g.year}_s{i:05d}"
        p = out / f"{stem}.txt"
        p.write_text(g.text, "utf-8")
        paths.append(p)
        manifest[p.name] = {"municipality": g.municipality, "year": g.year, "framework": g.framework,
                            "template": g.template, "counts": g.counts, "scores": g.scores}
    (out / "synth_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=0), "utf-8")
    return paths


def check(out: str | Path, corpus=None) -> dict:
    """Parse the synthetic reports of ``out`` (or use ``corpus``) and compare with the manifest."""
    out = Path(out)
    manifest = json.loads((out / "synth_manifest.json").read_text("utf-8"))
    if corpus is None:
        from kompasstext import read_corpus

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            corpus = read_corpus(sorted(out / name for name in manifest), warn=False)
    problems: list[str] = []
    n_findings = 0
    by_file = {Path(r.source).name: r for r in corpus.reports}
    for name, exp in manifest.items():
        r = by_file.get(name)
        if r is None:
            problems.append(f"{name}: not parsed")
            continue
        counts: dict[str, int] = {}
        for a in r.areas:
            for f in a.findings:
                counts[f"{a.number}:{f.kind}"] = counts.get(f"{a.number}:{f.kind}", 0) + 1
        n_findings += len(r.findings)
        if counts != exp["counts"]:
            diff = {k: (counts.get(k, 0), exp["counts"].get(k, 0)) for k in set(counts) | set(exp["counts"])
                    if counts.get(k, 0) != exp["counts"].get(k, 0)}
            problems.append(f"{name} ({exp['template']}): findings (got, expected) {diff}")
        if (r.municipality, r.year, str(r.framework)) != (exp["municipality"], exp["year"], exp["framework"]):
            problems.append(f"{name}: metadata {(r.municipality, r.year, r.framework)} != "
                            f"{(exp['municipality'], exp['year'], exp['framework'])}")
        got = {f"{a.number}:{q.id}": (q.achieved, q.max) for a in r.areas for q in a.subquestions}
        bad = {k: (got.get(k), tuple(v)) for k, v in exp["scores"].items() if tuple(got.get(k) or ()) != tuple(v)}
        if bad:
            problems.append(f"{name}: scores (got, expected) {bad}")
    return {"reports": len(manifest), "findings": n_findings, "problems": problems}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int, help="number of reports (the 4 bundled ones included)")
    p.add_argument("out", help="output folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", type=int, default=None, help="bound the wording to K variants per pool item")
    p.add_argument("--names", type=int, default=None, help="bound the municipalities to the first M names")
    p.add_argument("--no-bundled", action="store_true", help="only synthetic reports")
    p.add_argument("--distinct", action="store_true",
                   help="every finding's wording and every municipality name distinct (no variant cap)")
    p.add_argument("--check", action="store_true", help="parse the reports and compare with what was written")
    args = p.parse_args(argv)
    if args.distinct and (args.variants or args.names):
        p.error("--distinct and --variants/--names exclude each other")
    paths = generate(args.n, args.out, seed=args.seed, variants=args.variants, names=args.names,
                     include_bundled=not args.no_bundled, distinct=args.distinct)
    print(f"wrote {len(paths)} reports to {args.out}")
    if args.check:
        res = check(args.out)
        print(f"checked {res['reports']} synthetic reports: {res['findings']} findings, "
              f"{len(res['problems'])} problems")
        for line in res["problems"][:20]:
            print("  " + line)


if __name__ == "__main__":
    main()
