"""Build the PDF fixtures: each bundled report written as a Word document and converted by LibreOffice.

Run from the repository root (needs ``python-docx`` and ``soffice``, Debian ``libreoffice-writer-nogui``;
``pdftotext`` from ``poppler-utils`` for the text shapes)::

    python tests/data/pdf/build.py            # all reports, base + variant, PDFs and pdftotext outputs

The PDFs are committed, so the tests never need LibreOffice.  What goes into a document:

* narrative paragraphs (under their subheadings) and the Rubriker lists come from the text report as the
  text readers read it (``corpora/kommunkompassen/<name>.txt``);
* the list items, area titles and scores, sub-question rows and the cover metadata come from the fixture
  copy of the gold (``tests/data/gold``): the text shapes lost the item boundaries (that is the problem the
  gold solves), the PDF is the document they were converted from, so its lists hold the true items.

The layout is the one SKL/SKR reports have: a cover, a table of contents with dot leaders, a summary with
the total score, per area a heading, a bordered "Rubriker | Poäng" box, narrative under subheadings and a
bordered two-column "Styrkor | Förbättringsområden" table of bullet paragraphs (2011 reports: bullets under
thematic subheadings, improvements in red italics), the "Översikt av poängfördelning" score tables, and a
running header with organisation, date and "N (M)" page numbers and a footer.

``osthammar_2017_borderless.pdf`` has its list tables without rulings.  The ``_variant`` PDF of each report adds the hard cases: one list table whose items lost their bullets,
soft hyphens in long words (hyphenation at line ends) and no widow/orphan control in list items (items split
over page breaks); items wrapping over three lines and more are in every report.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent
REPORTS = ["osthammar_2017", "norrtalje_2018", "upplands-bro_2011", "nacka_2021"]
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december"]
FONT = "Liberation Sans"


def _field(paragraph, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) as a run sequence."""
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
            run._r.append(el)
        else:
            run.text = text


def _soft_hyphens(text: str) -> str:
    """Soft hyphens (U+00AD) in the middle of long words, so a line may end in a hyphenated word."""
    def one(m: re.Match) -> str:
        w = m.group(0)
        k = len(w) // 2
        return w[:k] + "\u00ad" + w[k:]
    return re.sub(r"(?<![\w-])[a-zåäöé]{13,}(?![\w-])", one, text)


class Builder:
    def __init__(self, name: str, variant: bool, size: float = 10.5, borderless: bool = False):
        from kompasstext import read_report

        self.name, self.variant, self.borderless = name, variant, borderless
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.text_report = read_report(ROOT / "corpora" / "kommunkompassen" / f"{name}.txt")
        self.gold = json.loads((ROOT / "tests" / "data" / "gold" / f"{name}.gold.json").read_text("utf-8"))
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        st = self.doc.styles["Normal"]
        st.font.name, st.font.size = FONT, Pt(size)
        st.paragraph_format.space_after = Pt(6)
        for s in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            self.doc.styles[s].font.name = FONT
            self.doc.styles[s].font.color.rgb = RGBColor(0, 0, 0)

    # -- pieces ---------------------------------------------------------------------------------------
    @property
    def year(self) -> int:
        return int(self.gold["year"])

    @property
    def org(self) -> str:
        return "Sveriges Kommuner och Regioner" if self.year >= 2019 else "Sveriges Kommuner och Landsting"

    def running(self) -> None:
        sec = self.doc.sections[0]
        sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.2)
        sec.left_margin = sec.right_margin = Cm(2.3)
        hp = sec.header.paragraphs[0]
        hp.paragraph_format.tab_stops.add_tab_stop(Cm(8.2), WD_TAB_ALIGNMENT.CENTER)
        hp.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
        hp.add_run(f"{self.org}\t{self.year}-03-14\t").font.size = Pt(9)
        _field(hp, "PAGE")
        hp.add_run(" (")
        _field(hp, "NUMPAGES")
        hp.add_run(")")
        fp = sec.footer.paragraphs[0]
        fp.add_run(f"Kommunkompassen – analys av {self.gold['municipality']} {self.year}").font.size = Pt(8)

    def bullet(self, container, text: str, *, bullet: bool = True, italic: bool = False, typed: bool = False):
        """A list item: a Word bullet list paragraph ("List Bullet": the bullet is numbering, exported as
        U+F0B7), a typed "•<TAB>" with a hanging indent (``typed``), or (``bullet=False``) the same hanging
        indent without a bullet."""
        word_list = bullet and not typed
        p = container.add_paragraph(style="List Bullet") if word_list else container.add_paragraph()
        pf = p.paragraph_format
        if not word_list:
            pf.left_indent, pf.first_line_indent = Cm(0.5), Cm(-0.5)
            pf.tab_stops.add_tab_stop(Cm(0.5))
        pf.space_after = Pt(3)
        if self.variant:
            pf.widow_control = False
            text = _soft_hyphens(text)
        run = p.add_run(("•\t" if bullet and typed else "") + text)
        if italic:
            run.italic = True
            run.font.color.rgb = RGBColor(0xC0, 0, 0)
        return p

    def table(self, rows: int, cols: int, ruled: bool = True):
        t = self.doc.add_table(rows=rows, cols=cols)
        if ruled:
            t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        return t

    @staticmethod
    def cell_text(cell, text: str, bold: bool = False) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(2)
        r = p.add_run(text)
        r.bold = bold

    # -- document -------------------------------------------------------------------------------------
    def cover(self) -> None:
        d, g = self.doc, self.gold
        d.add_paragraph("KommunKompassen", style="Title")
        p = d.add_paragraph()
        p.add_run(f"Analys av {g['municipality']} kommun").font.size = Pt(20)
        d.add_paragraph(f"{MONTHS[2].capitalize()} {self.year}")
        if g["evaluators"]:
            names = g["evaluators"]
            joined = ", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else names[0]
            d.add_paragraph(f"Utvärderare: {joined}")
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.add_heading("Innehållsförteckning", level=1)
        for i, a in enumerate(g["areas"]):
            p = d.add_paragraph(f"Område {a['number']} {a['title']}\t{4 + 2 * i}")
            p.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        p = d.add_paragraph("Översikt av poängfördelning\t22")
        p.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def summary(self) -> None:
        d, g = self.doc, self.gold
        d.add_heading(f"1 {g['municipality']} kommun i förhållande till Kommunkompassen", level=1)
        d.add_paragraph(f"Nedan visas poängfördelningen per område för {g['municipality']} kommun. "
                        "Varje område kan ge högst 100 poäng.")
        t = self.table(len(g["areas"]) + 2, 2)
        self.cell_text(t.cell(0, 0), "Område", bold=True)
        self.cell_text(t.cell(0, 1), "Poäng", bold=True)
        for i, a in enumerate(g["areas"], 1):
            self.cell_text(t.cell(i, 0), f"{a['number']}. {a['title']}")
            self.cell_text(t.cell(i, 1), str(a["score"]))
        self.cell_text(t.cell(len(g["areas"]) + 1, 0), "TOTALT", bold=True)
        self.cell_text(t.cell(len(g["areas"]) + 1, 1), str(g["total_score"]), bold=True)
        d.add_paragraph()

    def area(self, a: dict, idx: int) -> None:
        d = self.doc
        ta = self.text_report.area(a["number"])
        d.add_heading(f"Område {a['number']} {a['title']}", level=2)
        box = self.table(2, 2)
        self.cell_text(box.cell(0, 0), "Rubriker", bold=True)
        self.cell_text(box.cell(0, 1), "Poäng", bold=True)
        c = box.cell(1, 0)
        for r in ta.rubrics:
            self.bullet(c, r, typed=True)
        c.paragraphs[0]._p.getparent().remove(c.paragraphs[0]._p)
        self.cell_text(box.cell(1, 1), str(a["score"]), bold=True)
        d.add_paragraph()
        heading = object()
        for p in self._paragraphs(ta.passages):
            if p.heading != heading and p.heading:
                d.add_heading(p.heading, level=3)
            heading = p.heading
            d.add_paragraph(p.text)
        if self.name.startswith("upplands-bro"):
            self._thematic(a)
        else:
            self._list_table(a, bullets=not (self.variant and idx == 1))

    def _paragraphs(self, passages):
        """Sentence passages (docplayer) grouped into paragraphs of four sentences."""
        from kompasstext.model import Passage

        if self.text_report.format != "docplayer":
            return passages
        out = []
        for i in range(0, len(passages), 4):
            chunk = passages[i:i + 4]
            out.append(Passage(" ".join(p.text for p in chunk), heading=None))
        return out

    def _list_table(self, a: dict, bullets: bool) -> None:
        strengths = [f["text"] for f in a["findings"] if f["kind"] == "strength"]
        improvements = [f["text"] for f in a["findings"] if f["kind"] == "improvement"]
        if not strengths and not improvements:
            return
        t = self.table(2, 2, ruled=not self.borderless)
        head = "Förbättringsområden" if self.year < 2019 else "Förbättringsmöjligheter"
        self.cell_text(t.cell(0, 0), "Styrkor", bold=True)
        self.cell_text(t.cell(0, 1), head, bold=True)
        for col, items in enumerate((strengths, improvements)):
            cell = t.cell(1, col)
            for it in items:
                self.bullet(cell, it, bullet=bullets)
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        self.doc.add_paragraph()

    def _thematic(self, a: dict) -> None:
        heading = object()
        for f in a["findings"]:
            if f["heading"] != heading and f["heading"]:
                self.doc.add_heading(f["heading"], level=3)
            heading = f["heading"]
            self.bullet(self.doc, f["text"], italic=f["kind"] == "improvement")

    def scores(self) -> None:
        d = self.doc
        d.add_page_break()
        d.add_heading("Översikt av poängfördelning", level=1)
        for a in self.gold["areas"]:
            qs = a["subquestions"]
            if not qs:
                continue
            pct = any(q["percent"] is not None for q in qs)
            cols = 5 if pct else 4
            t = self.table(len(qs) + 2, cols)
            head = [f"{a['number']}.", a["title"], "Uppnått", "Max"] + (["Procent"] if pct else [])
            for j, h in enumerate(head):
                self.cell_text(t.cell(0, j), h, bold=True)
            for i, q in enumerate(qs, 1):
                vals = [q["id"], q["text"], str(q["achieved"]), str(q["max"])]
                vals += [f"{q['percent']}%"] if pct else []
                for j, v in enumerate(vals):
                    self.cell_text(t.cell(i, j), v)
            # the total row prints the area score (rounded sub-question points need not add up to it)
            sa, sm = a["score"], sum(q["max"] for q in qs)
            tot = ["", "", str(sa), str(sm)] + ([f"{round(100 * sa / sm)}%"] if pct else [])
            for j, v in enumerate(tot):
                self.cell_text(t.cell(len(qs) + 1, j), v, bold=True)
            widths = [Cm(1.3), Cm(9.4), Cm(2.1), Cm(1.6)] + ([Cm(1.9)] if pct else [])
            t.autofit = False
            for j, w in enumerate(widths):
                t.columns[j].width = w
                for c in t.columns[j].cells:
                    c.width = w
            d.add_paragraph()

    def build(self) -> Document:
        self.running()
        self.cover()
        self.summary()
        self.doc.add_heading("2 Detaljerad genomgång av de åtta områdena", level=1)
        for i, a in enumerate(self.gold["areas"]):
            self.area(a, i)
        self.scores()
        return self.doc


def convert(docx: Path, outdir: Path) -> Path:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, capture_output=True, timeout=300)
    return outdir / (docx.stem + ".pdf")


def _splits_an_item(pdf: Path) -> bool:
    """True if some list item of the PDF runs over a page break (checked with the layout reader)."""
    from kompasstext.readers.pdf import layout_text

    _, em = layout_text(pdf)
    items = em.items + [it for it, _ in em.flow_bullets]
    return any(len({ln.page for ln in it.lines}) > 1 for it in items)


#: reports also built with borderless list tables (``<name>_borderless.pdf``: columns without rulings)
BORDERLESS = ["osthammar_2017"]


def main(names: list[str]) -> None:
    for name in BORDERLESS:
        if names and name not in names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            docx = Path(tmp) / f"{name}_borderless.docx"
            Builder(name, False, borderless=True).build().save(docx)
            (OUT / f"{name}_borderless.pdf").write_bytes(convert(docx, Path(tmp)).read_bytes())
        print(f"tests/data/pdf/{name}_borderless.pdf")
    for name in names or REPORTS:
        for variant in (False, True):
            stem = name + ("_variant" if variant else "")
            # the variant's body size is nudged until an item is split over a page break
            for size in ((10.5, 10.6, 10.7, 10.8, 10.9, 11.0) if variant else (10.5,)):
                with tempfile.TemporaryDirectory() as tmp:
                    docx = Path(tmp) / f"{stem}.docx"
                    Builder(name, variant, size).build().save(docx)
                    pdf = convert(docx, Path(tmp))
                    target = OUT / f"{stem}.pdf"
                    target.write_bytes(pdf.read_bytes())
                if not variant or _splits_an_item(target):
                    break
            for flag, suffix in (([], ".pdftotext.txt"), (["-layout"], ".pdftotext-layout.txt")):
                (OUT / "pdftotext").mkdir(exist_ok=True)
                subprocess.run(["pdftotext", *flag, str(target), str(OUT / "pdftotext" / (stem + suffix))], check=True)
            print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
