"""Score tables: tab shapes, the flattened (docplayer) shape with lagging numbers, and the checks."""
from __future__ import annotations

import json
from pathlib import Path

from kompasstext.model import Area, Report, SubQuestion
from kompasstext.readers.scores import check_scores, parse_score_tables
from kompasstext.readers.sections import find_score_section

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "kommunkompassen"
GOLD = Path(__file__).resolve().parent / "data" / "gold"


def gold(name):
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))


def test_norrtalje_flattened_tables_match_gold():
    text = (CORPUS / "norrtalje_2018.txt").read_text(encoding="utf-8")
    start = text.index("Transkript:")
    rows, totals, diags = parse_score_tables(text, start)
    g = {a["number"]: a["subquestions"] for a in gold("norrtalje_2018")["areas"]}
    assert sorted(rows) == [1, 2]
    for n in (1, 2):
        assert [q.to_dict() for q in rows[n]] == g[n]
    assert totals == {1: (50, 100, 50), 2: (62, 100, 62)}
    assert any(d.code == "W105" and d.area == 2 for d in diags)  # the misalignment is reported
    # areas 3-8 have no table: W104, nothing invented
    report = Report("Norrtälje", 2018, None, areas=[Area(n, f"A{n}", score=50) for n in range(1, 9)])
    for n in (1, 2):
        report.areas[n - 1].subquestions = rows[n]
    w104 = [d.area for d in check_scores(report) if d.code == "W104"]
    assert w104 == [3, 4, 5, 6, 7, 8]


def test_tab_tables_with_bold_and_percent_match_gold():
    for name in ("upplands-bro_2011", "osthammar_2017", "nacka_2021"):
        text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
        rows, totals, diags = parse_score_tables(text, find_score_section(text, 5000))
        g = {a["number"]: (a["subquestions"], a["score"]) for a in gold(name)["areas"]}
        assert sorted(rows) == list(range(1, 9)), name
        for n, (subqs, score) in g.items():
            assert [q.to_dict() for q in rows[n]] == subqs, (name, n)
            assert totals[n][0] == score, (name, n)
        assert not [d for d in diags if d.code == "W103"], name


def test_misaligned_flattened_table_synthetic():
    text = ("3. Styrning Uppnått Max Procent 3.1 Finns mål? 3.2 Följs de upp? 3.3 Rapporteras det? "
            "10 20 50% 15 30 50% 25 50 50% 50 100 50%")
    rows, totals, diags = parse_score_tables(text)
    assert [(q.id, q.text, q.achieved, q.max, q.percent) for q in rows[3]] == [
        ("3.1", "Finns mål?", 10, 20, 50), ("3.2", "Följs de upp?", 15, 30, 50),
        ("3.3", "Rapporteras det?", 25, 50, 50)]
    assert totals[3] == (50, 100, 50)


def test_truncated_flattened_table_is_not_invented():
    text = "4. Ledarskap Uppnått Max Procent 4.1 Finns strategi? 8 15 53% 4.2 Ansvar? 4.3 Samarbete"
    rows, totals, diags = parse_score_tables(text)
    assert [q.id for q in rows[4]] == ["4.1"]
    assert 4 not in totals
    assert any(d.code == "W102" and "4.2" in d.message for d in diags)


def test_table_without_percent_column_and_truncated_row():
    text = ("<b>5.</b>\t<b>Brukarens fokus</b>\t<b>Uppnått</b>\t<b>Max</b>\n5.1\tStrategi\t20\t20\n"
            "5.2\tService\t16\n\t\t<b>36</b>\t<b>40</b>\n")
    rows, totals, diags = parse_score_tables(text)
    assert [(q.id, q.achieved, q.max, q.percent) for q in rows[5]] == [("5.1", 20, 20, None)]
    assert totals[5] == (36, 40, None)
    assert any(d.code == "W102" and "5.2" in d.message for d in diags)


def test_check_scores_names_area_and_rows_when_sums_differ():
    qs = [SubQuestion("3.1", "a", 10, 15), SubQuestion("3.2", "b", 20, 25), SubQuestion("3.3", "c", 5, 50)]
    report = Report("X", 2020, None, areas=[Area(3, "Styrning", score=60, subquestions=qs)])
    diags = check_scores(report)
    sums = [d for d in diags if d.code == "W103" and "sum to 35" in d.message]
    assert sums and sums[0].area == 3 and "3.1=10/15" in sums[0].message and "3.3=5/50" in sums[0].message
    maxima = [d for d in diags if d.code == "W103" and "maxima" in d.message]
    assert maxima and "90" in maxima[0].message
    # within the ±2 tolerance and maxima summing to 100: no warning
    ok = Report("X", 2020, None, areas=[Area(1, "A", score=37, subquestions=[
        SubQuestion("1.1", "a", 20, 50), SubQuestion("1.2", "b", 15, 50)])])
    assert check_scores(ok) == []
