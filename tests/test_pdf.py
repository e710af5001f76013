"""PDF input: the four bundled reports as PDFs (built by tests/data/pdf/build.py), their variants, the
bad-PDF cases (the pdftotext shapes: tests/test_pdftotext.py)."""
from __future__ import annotations

import json
import re
import shutil
import time
import warnings
from pathlib import Path

import pytest

from goldscore import areas, finding_f1, meta, subquestion_rows
from kompasstext import read_corpus, read_report
from kompasstext.errors import ParseWarning, ReportFormatError
from kompasstext.readers.pdf import layout_text, read_pdf
from kompasstext.readers.pdflayout import Cell, Layout, Line, Page, Table

DATA = Path(__file__).parent / "data"
PDF = DATA / "pdf"
NAMES = ["osthammar_2017", "norrtalje_2018", "upplands-bro_2011", "nacka_2021"]


def gold(name: str) -> dict:
    return json.loads((DATA / "gold" / f"{name}.gold.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(stem):
        if stem not in cache:
            cache[stem] = read_pdf(PDF / f"{stem}.pdf", warn=False)
        return cache[stem]
    return get


@pytest.mark.parametrize("name", NAMES)
def test_pdf_reads_to_gold(parsed, name):
    r = parsed(name)
    d, g = r.to_dict(), gold(name)
    f1, missed, spurious = finding_f1(d, g)
    assert f1 == 1.0, (missed[:3], spurious[:3])
    assert subquestion_rows(d) == subquestion_rows(g)
    assert meta(d) == meta(g)
    assert areas(d) == areas(g)
    assert r.format == "pdf"
    n_pages = len(r.page_starts)
    for f in r.findings:
        assert 1 <= f.page <= n_pages
        x0, top, x1, bottom = f.bbox
        assert 0 <= x0 < x1 <= 612 and 0 <= top < bottom <= 842
        assert r.text[f.start:f.end] == f.text  # the span is the item in the reading-order text


def test_borderless_list_tables(parsed):
    """List tables drawn without rulings: the columns are found from the header cells' positions."""
    lay, _ = layout_text(PDF / "osthammar_2017_borderless.pdf")
    lists = [t for t in lay.tables if t.rows and [ln.text for c in t.rows[0] for ln in c.lines][:1] == ["Styrkor"]]
    assert len(lists) >= 8
    assert all(c.bottom == 0 for t in lists for c in t.rows[-1])  # not from rulings (those cells have bottoms)
    r, g = parsed("osthammar_2017_borderless"), gold("osthammar_2017")
    f1, missed, spurious = finding_f1(r.to_dict(), g)
    assert f1 == 1.0, (missed[:3], spurious[:3])
    assert areas(r.to_dict()) == areas(g)  # an area heading after a borderless table is not cut
    assert all(f.page and f.bbox for f in r.findings)


def test_headings_of_2011_findings(parsed):
    r, g = parsed("upplands-bro_2011"), gold("upplands-bro_2011")
    squash = lambda h: re.sub(r"\s+", "", h or "")  # noqa: E731  (a wrapped heading: spacing at "- /")
    got = [(a.number, f.kind, squash(f.heading)) for a in r.areas for f in a.findings]
    want = [(a["number"], f["kind"], squash(f["heading"])) for a in g["areas"] for f in a["findings"]]
    assert sorted(got, key=str) == sorted(want, key=str)


@pytest.mark.parametrize("name", NAMES)
def test_variants(parsed, name):
    r = parsed(f"{name}_variant")
    f1, missed, spurious = finding_f1(r.to_dict(), gold(name))
    assert f1 >= 0.98, (missed[:3], spurious[:3])
    assert all(f.page for f in r.findings)


@pytest.mark.parametrize("name", NAMES)
def test_variant_has_the_hard_cases(name):
    """The variant PDFs exercise what they claim: an item over a page break, items of three lines and
    more, a hyphen at a line end joined, and (table reports) a list that lost its bullets."""
    lay, em = layout_text(PDF / f"{name}_variant.pdf")
    items = em.items + [it for it, _ in em.flow_bullets]
    if name != "upplands-bro_2011":  # LibreOffice never split one of its free-standing bullets
        assert any(len({ln.page for ln in it.lines}) == 2 for it in items)
    assert any(len(it.lines) >= 3 for it in items)
    dehyph = [it for it in items for a in it.lines[:-1]
              if re.search(r"[a-zåäö]-$", a.text) and a.text.split()[-1] not in it.text]
    assert dehyph
    if name != "upplands-bro_2011":
        cells = [c for t in lay.tables for row in t.rows for c in row if len(c.lines) > 3]
        assert any(not any(ln.text.startswith("•") for ln in c.lines) for c in cells)


def test_running_headers_removed(parsed):
    r = parsed("osthammar_2017")
    assert not re.search(r"\d+ \(\d+\)", r.text)
    assert "Sveriges Kommuner och Landsting" not in r.text


def test_read_report_and_corpus_mixed(tmp_path):
    shutil.copy(PDF / "norrtalje_2018.pdf", tmp_path / "norrtalje_2018.pdf")
    shutil.copy(Path("corpora/kommunkompassen/osthammar_2017.txt"), tmp_path / "osthammar_2017.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        assert read_report(tmp_path / "norrtalje_2018.pdf").format == "pdf"
        corpus = read_corpus(tmp_path)
    assert sorted(r.format for r in corpus) == ["htmltable", "pdf"]
    f = corpus.findings
    assert set(f["report_id"]) and len(f) == 70 + 91


def test_cli_parse_pdf(capsys):
    from kompasstext.cli import main

    assert main(["parse", "--json", str(PDF / "nacka_2021.pdf")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "pdf" and out["municipality"] == "Nacka"
    assert all(f["page"] and len(f["bbox"]) == 4 for a in out["areas"] for f in a["findings"])


# ---- the segmenter fallback (a cell that is one undivided text block) ------------------------------------
def test_runon_cell_falls_back_to_segmenter():
    def line(y, text, x=72.0, bold=False):
        return Line(1, x, y - 9, 290, y, text, 10.5, bold=bold)

    head = [Cell(70, 100, 300, 120, [line(112, "Styrkor", bold=True)]),
            Cell(300, 100, 530, 120, [line(112, "Förbättringsområden", x=302, bold=True)])]
    body_left = [line(134 + 12 * i, t) for i, t in enumerate(
        ["Tydliga mål i budgeten Bra dialog med", "medborgarna Webbsändning av", "fullmäktige"])]
    body = [Cell(70, 120, 300, 200, body_left),
            Cell(300, 120, 530, 200, [line(134, "Följ upp målen", x=302)])]
    table = Table(1, 70, 100, 530, 200, rows=[head, body], col_edges=[70, 300, 530])
    text_lines = [line(60, "Område 1 Demokrati", bold=True)]
    page = Page(1, 595, 842, lines=text_lines, tables=[table], n_chars=200)
    lay = Layout("<test>", pages=[page])
    from kompasstext.readers.pdf import _Writer

    em = _Writer(lay).run()
    seg = [it for it in em.items if it.segmented]
    assert len(seg) == 1 and seg[0].kind == "strength"
    assert seg[0].text == "Tydliga mål i budgeten Bra dialog med medborgarna Webbsändning av fullmäktige"
    from kompasstext.segmentation import segment_spans

    spans = segment_spans(em.text, seg[0].start, seg[0].end)
    assert len(spans) >= 2  # the segmenter, not the layout, splits the block


# ---- bad PDFs ---------------------------------------------------------------------------------------------
def _pdf(objs: list[bytes], trailer: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objs) + 1) + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page(content: bytes, resources: bytes = b"") -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> " + resources + b">> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]


def _bad(tmp_path, data: bytes, name: str = "bad.pdf") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _code(path: Path) -> str:
    with pytest.raises(ReportFormatError) as ei:
        read_report(path)
    assert str(path) in str(ei.value)
    return ei.value.code


def test_encrypted(tmp_path):
    objs = _page(b"BT /F1 12 Tf 72 700 Td (secret) Tj ET")
    objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
    data = _pdf(objs, b"/Encrypt 6 0 R /ID [<" + b"ab" * 16 + b"><" + b"ab" * 16 + b">] ")
    assert _code(_bad(tmp_path, data)) == "E020"


def test_image_only_needs_ocr(tmp_path):
    objs = _page(b"q 200 0 0 200 72 500 cm /Im1 Do Q", b"/XObject << /Im1 6 0 R >>")
    objs.append(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
    p = _bad(tmp_path, _pdf(objs))
    with pytest.raises(ReportFormatError) as ei:
        read_report(p)
    assert ei.value.code == "E021" and "OCR" in str(ei.value) and str(p) in str(ei.value)


def test_corrupt(tmp_path):
    assert _code(_bad(tmp_path, b"%PDF-1.4\n" + bytes(range(256)) * 8)) == "E022"
    assert _code(_bad(tmp_path, b"this is not a pdf at all\n", "renamed.pdf")) == "E022"


def test_zero_pages(tmp_path):
    data = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    assert _code(_bad(tmp_path, data)) == "E023"


def test_not_a_report(tmp_path):
    data = _pdf(_page(b"BT /F1 12 Tf 72 700 Td (Faktura nummer 12, att betala 300 kr) Tj ET"))
    assert _code(_bad(tmp_path, data)) == "E024"


def test_partly_damaged_gives_what_it_can(tmp_path):
    data = bytearray((PDF / "osthammar_2017.pdf").read_bytes())
    contents = re.findall(rb"/Type/Page\b[^>]*?/Contents (\d+) 0 R", bytes(data))
    m = re.search(rb"\n" + contents[8] + rb" 0 obj.*?stream\r?\n", bytes(data), re.S)
    for i in range(m.end() + 20, m.end() + 60):  # garble page 9's content stream
        data[i] ^= 0x5A
    p = _bad(tmp_path, bytes(data), "damaged.pdf")
    with pytest.warns(ParseWarning, match=r"W120.*page\(s\) 9"):
        r = read_report(p)
    assert 0 < len(r.findings) < 91
    assert any(d.code == "W120" for d in r.diagnostics)


def test_report_citation_opens_the_pdf_at_its_page(parsed):
    from kompasstext.reporting.page import _finding_item

    r = parsed("nacka_2021")
    f = r.findings[10]
    html = str(_finding_item({"kind": f.kind, "text": f.text, "citation": f"nacka_2021.pdf, s. {f.page}",
                              "source": str(PDF / "nacka_2021.pdf"), "page": f.page, "area": f.area}))
    assert re.search(rf'<a [^>]*href="file://[^"]*/nacka_2021\.pdf#page={f.page}"', html)
    text_item = str(_finding_item({"kind": "strength", "text": "x", "citation": "a.txt, s. 3", "source": "a.txt",
                                   "page": 3}))
    assert "<a " not in text_item


@pytest.mark.slow
def test_theme_report_of_pdfs_links_citations_to_pages(tmp_path):
    """The HTML theme report of the four PDFs: citations are links that open the PDF at the page."""
    from kompasstext.reporting import report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = report([PDF / f"{n}.pdf" for n in NAMES], out=tmp_path / "themes.html")
    html = data.paths["html"].read_text("utf-8")
    links = re.findall(r'<a [^>]*href="(file://[^"#]+\.pdf)#page=(\d+)"', html)
    assert links
    pdfs = {Path(n).stem: read_pdf(PDF / f"{n}.pdf", warn=False) for n in NAMES}
    for uri, page in links[:50]:
        stem = uri.rsplit("/", 1)[-1][:-4]
        assert stem in pdfs and 1 <= int(page) <= len(pdfs[stem].page_starts)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_citation_opens_the_pdf_at_its_page(tmp_path):
    """In headless Chromium: a citation of the theme report of PDFs is a link to ``x.pdf#page=N``, and
    following it opens the PDF at that page."""
    from test_report_browser import CHROMEDRIVER, CHROMIUM, FLAGS

    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from kompasstext.reporting import report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = report([PDF / "nacka_2021.pdf", PDF / "osthammar_2017.pdf"], out=tmp_path / "themes.html")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        drv.get(data.paths["html"].resolve().as_uri())
        links = drv.find_elements(By.CSS_SELECTOR, "cite a.pdf")
        assert links
        href = links[0].get_attribute("href")
        m = re.search(r"/(nacka_2021|osthammar_2017)\.pdf#page=(\d+)$", href)
        assert m, href
        drv.execute_script("arguments[0].click()", links[0])
        time.sleep(1.0)
        assert drv.current_url.endswith(f"{m.group(1)}.pdf#page={m.group(2)}")
    finally:
        drv.quit()


def test_lists_under_headings_outside_tables():
    """Styrkor / Förbättringsområden as headings with bullet paragraphs below them (no table)."""
    from kompasstext.readers.pdf import report_from_layout

    def line(y, text, bold=False, x=72.0, size=10.5):
        return Line(1, x, y - 9, 500, y, text, size, bold=bold)

    rows = [line(60, "Område 1 Demokrati", bold=True, size=14), line(90, "Styrkor", bold=True),
            line(106, "• Tydliga mål i budgeten"), line(120, "• Bra dialog med medborgarna som"),
            line(134, "hålls varje år", x=86), line(160, "Förbättringsområden", bold=True),
            line(176, "• Följ upp målen")]
    lay = Layout("<test>", pages=[Page(1, 595, 842, lines=rows, n_chars=200)])
    report, _ = report_from_layout(lay, "<test>")
    got = [(f.kind, f.text, f.page) for f in report.areas[0].findings]
    assert got == [("strength", "Tydliga mål i budgeten", 1),
                   ("strength", "Bra dialog med medborgarna som hålls varje år", 1),
                   ("improvement", "Följ upp målen", 1)]
